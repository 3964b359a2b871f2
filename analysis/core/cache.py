"""The one cache mechanism: keys that include the code, folders sealed with their hashes.

Every cache and store (the corpus store, the prepared corpus, topic models, notebook
outputs) is a folder written whole by `analysis.core.atomic.atomic_directory` and sealed
with `seal`: a ``meta.json`` that records the sha256 of every file in it. `unseal` returns
that record only when every file is present and intact, so a partial, stale or tampered
entry is rebuilt rather than used. Keys come from `cache_key`, which hashes the code of the
modules that produce the entry with its inputs and settings: changing a stage's code or a
setting gives a new key.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from analysis.core.paths import PACKAGE_ROOT

META_FILE = "meta.json"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def code_digest(modules: tuple[ModuleType, ...]) -> str:
    """sha256 over the source files of `modules` (package-relative path and bytes)."""
    digest = hashlib.sha256()
    for module in sorted(modules, key=lambda m: m.__name__):
        path = Path(module.__file__).resolve()
        name = path.relative_to(PACKAGE_ROOT) if path.is_relative_to(PACKAGE_ROOT) else path.name
        digest.update(str(name).encode())
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()


def cache_key(kind: str, modules: tuple[ModuleType, ...], *inputs: Any) -> str:
    """A 32-hex-digit key over the kind of entry, the code of `modules` and `inputs`
    (JSON-serialisable settings, hashes of input files, ...)."""
    digest = hashlib.sha256(kind.encode())
    digest.update(code_digest(modules).encode())
    digest.update(json.dumps(inputs, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def seal(folder: Path, record: dict[str, Any]) -> None:
    """Write ``meta.json``: `record` plus the sha256 of every other file under `folder`."""
    files = {name: file_sha256(folder / name) for name in _entry_files(folder)}
    (folder / META_FILE).write_text(
        json.dumps({**record, "files": files}, indent=1, sort_keys=True)
    )


def damage(folder: Path) -> str:
    """Why the entry at `folder` cannot be used (no entry, no record, the first file missing,
    changed or added since it was sealed), or "" when every file matches its record."""
    if not folder.is_dir():
        return "no cache entry"
    try:
        recorded = json.loads((folder / META_FILE).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return "no file hashes recorded"
    present = set(_entry_files(folder))
    for name, digest in sorted(recorded.items()):
        if name not in present:
            return f"{name} is missing"
        if file_sha256(folder / name) != digest:
            return f"{name} differs from the file recorded"
    extra = sorted(present - set(recorded))
    return f"{extra[0]} was added" if extra else ""


@contextmanager
def entry_lock(folder: Path) -> Iterator[None]:
    """Hold the lock of the cache entry at `folder` (an fcntl lock on a hidden file beside
    it) while checking for the entry and building it: of two processes wanting one entry at
    once (notebooks side by side), one builds it and the other then reads it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def unseal(folder: Path) -> dict[str, Any] | None:
    """The record `seal` wrote if every file it lists is present and intact (and no other
    file was added); else None."""
    if damage(folder):
        return None
    return json.loads((folder / META_FILE).read_text())


def _entry_files(folder: Path) -> list[str]:
    """Every file of an entry but its meta.json (relative POSIX paths, sorted)."""
    names = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(n for n in names if n != META_FILE)
