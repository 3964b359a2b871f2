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

from analysis.core.cache import META_FILE, damage, seal
from analysis.core.provenance import (
    canonical_json,
    notebook_source_hash,
    package_versions,
    sha256_bytes,
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
    """runs/cache/<notebook>/: outputs/ (figures, tables), the executed copy, and meta.json
    (the input hash, the run, the sha256 of every file: `analysis.core.cache.seal`)."""

    def __init__(self, runs_dir: Path, name: str) -> None:
        self.name = name
        self.folder = runs_dir / "cache" / name

    def _inputs(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def matches(self, key: str) -> bool:
        """True when the cached outputs were made from exactly these inputs and are intact."""
        return self._inputs().get("input_hash") == key and not self.damage()

    def damage(self) -> str:
        """Why the cached files cannot be reused (the first file missing, added or changed
        since they were recorded), or "" when every one matches its recorded hash."""
        return damage(self.folder)

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
            seal(tmp, {"input_hash": key, "run_id": run_path.name})
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # a full disk leaves no half entry behind
            raise
        old = self.folder.parent / f".{name}.old-{secrets.token_hex(4)}"
        if self.folder.exists():
            self.folder.rename(old)
        tmp.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)
