"""Provenance: what made an output (code version, packages, parameters, corpus), and
atomic, canonical file writing so that outputs are byte-identical across runs."""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from analysis.core.paths import PROJECT_ROOT, project_path

# The packages whose versions can change a figure or a table.
STACK = (
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "gensim",
    "nltk",
    "papermill",
    "networkx",
    "pyarrow",
    "dask",
)
DISTRIBUTION = "discourse-lab"


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, two-space indent and a final newline: same value, same bytes."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def params_hash(params_dict: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a (resolved) parameter dict."""
    return sha256_bytes(canonical_json(params_dict).encode("utf-8"))


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file handle whose contents replace `path` (via a temporary file in the same
    folder and os.replace) only when the block ends without an error.

    A reader (or a crash) sees either the old file or the complete new one, never a part.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically (`atomic_writer`)."""
    with atomic_writer(path) as handle:
        handle.write(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Atomically write UTF-8 text with '\\n' line endings."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def package_versions() -> dict[str, str | None]:
    """Versions of this package and of the analysis stack (None when not installed)."""
    versions = {"analysis": _version(DISTRIBUTION)}
    versions.update({name: _version(name) for name in STACK})
    return versions


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def git_state(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The commit checked out at `root` and whether the working tree differs from it.

    Both are None outside a git checkout (e.g. an unpacked release archive).
    """
    try:
        commit = _git(root, "rev-parse", "HEAD")
        status = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status)}


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


PACKAGE = PROJECT_ROOT / "analysis"


def code_hash(package: Path = PACKAGE) -> str:
    """sha256 over every analysis/**/*.py and analysis/resources/** file (path and bytes):
    the code identity that figures, tables and caches record, the same in any clone."""
    files = {p for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    resources = package / "resources"
    if resources.is_dir():
        files |= {p for p in resources.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    lines = [f"{p.relative_to(package).as_posix()} {sha256_file(p)}" for p in sorted(files)]
    return sha256_bytes("\n".join(lines).encode("utf-8"))


def notebook_source_hash(path: str | Path) -> str:
    """sha256 over a notebook's cell types, tags and sources: what a run executes, not the
    outputs, execution counts or metadata that JupyterLab's autosave writes into it."""
    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    kept = [
        {
            "type": cell.get("cell_type"),
            "tags": sorted(cell.get("metadata", {}).get("tags", [])),
            "source": "".join(cell.get("source", "")),
        }
        for cell in cells
    ]
    return sha256_bytes(canonical_json(kept).encode("utf-8"))


def corpus_fingerprint(params: Any) -> str:
    """Fingerprint of the corpus a run reads: analysis.corpus.prepare's when it offers one.

    The fallback hashes the corpus and cleaning settings and every file under the corpus
    folder (the folder holding the manifest when `corpus.path` is a file).
    """
    try:
        prepare = importlib.import_module("analysis.corpus.prepare")
    except ImportError:
        prepare = None
    if prepare is not None and hasattr(prepare, "corpus_fingerprint"):
        return prepare.corpus_fingerprint(params)
    return fallback_corpus_fingerprint(params)


def fallback_corpus_fingerprint(params: Any) -> str:
    """sha256 over the corpus/cleaning parameters and the bytes of the corpus files."""
    digest = hashlib.sha256()
    settings = {"corpus": params.section("corpus"), "cleaning": params.section("cleaning")}
    digest.update(canonical_json(settings).encode("utf-8"))
    corpus = project_path(params.corpus.path)
    folder = corpus if corpus.is_dir() else corpus.parent
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    rules = project_path(params.cleaning.rules_file)
    files += [rules] if rules.is_file() else []
    for path in files:
        digest.update(
            str(path.relative_to(folder) if path.is_relative_to(folder) else path).encode()
        )
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def relative_to_root(path: str | Path | None) -> str | None:
    """A path as POSIX text relative to the project root (absolute if outside it)."""
    if path is None:
        return None
    path = Path(path).resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.as_posix()
