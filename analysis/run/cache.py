"""Incremental runs: a notebook whose inputs are unchanged is not executed again.

A notebook's inputs are the corpus fingerprint, the parameter sections it declares, its
own bytes, the bytes of the package code and resources, and the package versions. The
outputs of its last successful execution are kept in runs/cache/<notebook>/, with the
sha256 of every file: a file that is missing, added or changed since (a truncated PNG, a
deleted table) makes the entry unusable, and the notebook runs again.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from typing import Any

from analysis.core.provenance import (
    atomic_write_text,
    canonical_json,
    notebook_source_hash,
    package_versions,
    sha256_bytes,
    sha256_file,
)


def input_hash(spec: Any, params: Any, fingerprint: str, code: str) -> str:
    """The hash that decides whether `spec`'s notebook must run again."""
    record = {
        "corpus_fingerprint": fingerprint,
        "parameters": {section: params.section(section) for section in spec.sections},
        "notebook": notebook_source_hash(spec.path),
        "code": code,
        "versions": package_versions(),
    }
    return sha256_bytes(canonical_json(record).encode("utf-8"))


class NotebookCache:
    """runs/cache/<notebook>/: inputs.json, outputs/ (figures, tables), the executed copy."""

    def __init__(self, runs_dir: Path, name: str) -> None:
        self.name = name
        self.folder = runs_dir / "cache" / name

    def _inputs(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / "inputs.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def matches(self, key: str) -> bool:
        """True when the cached outputs were made from exactly these inputs and are intact."""
        return self._inputs().get("input_hash") == key and not self.damage()

    def damage(self) -> str:
        """Why the cached files cannot be reused (the first file missing, added or changed
        since they were recorded), or "" when every one matches its recorded hash."""
        recorded = self._inputs().get("files")
        if not isinstance(recorded, dict):
            return "no file hashes recorded" if self.folder.exists() else "no cache entry"
        present = _files_under(self.folder)
        for rel, digest in sorted(recorded.items()):
            if rel not in present:
                return f"{rel} is missing"
            if sha256_file(self.folder / rel) != digest:
                return f"{rel} differs from the file recorded"
        extra = sorted(set(present) - set(recorded))
        return f"{extra[0]} was added" if extra else ""

    def recorded_hash(self) -> str:
        """The input hash the cached outputs were made from ("" without an entry)."""
        return str(self._inputs().get("input_hash", ""))

    def run_id(self) -> str:
        return str(self._inputs().get("run_id", "?"))

    def restore(self, run_path: Path, name: str) -> None:
        """Copy the cached outputs and executed notebook into a run folder."""
        target = run_path / "outputs" / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.folder / "outputs", target)
        (run_path / "notebooks").mkdir(parents=True, exist_ok=True)
        for suffix in (".ipynb", ".html"):
            cached = self.folder / f"notebook{suffix}"
            if cached.is_file():
                shutil.copyfile(cached, run_path / "notebooks" / f"{name}{suffix}")

    def store(self, key: str, run_path: Path, name: str) -> None:
        """Replace the cache entry with this run's outputs (complete or absent, never half)."""
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.folder.parent / f".{name}.tmp-{secrets.token_hex(4)}"
        try:
            shutil.copytree(run_path / "outputs" / name, tmp / "outputs")
            for suffix in (".ipynb", ".html"):
                executed = run_path / "notebooks" / f"{name}{suffix}"
                if executed.is_file():
                    shutil.copyfile(executed, tmp / f"notebook{suffix}")
            files = {rel: sha256_file(tmp / rel) for rel in _files_under(tmp)}
            inputs = {"input_hash": key, "run_id": run_path.name, "files": files}
            atomic_write_text(tmp / "inputs.json", canonical_json(inputs))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # a full disk leaves no half entry behind
            raise
        old = self.folder.parent / f".{name}.old-{secrets.token_hex(4)}"
        if self.folder.exists():
            self.folder.rename(old)
        tmp.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)


def _files_under(folder: Path) -> list[str]:
    """Every file of a cache entry but its inputs.json (relative POSIX paths, sorted)."""
    if not folder.is_dir():
        return []
    files = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(f for f in files if f != "inputs.json")
