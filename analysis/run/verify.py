"""What a reviewer runs: regenerate every figure and table into a temporary folder with the
same parameters and compare it, byte for byte, with what is published."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core.params import ParameterError
from analysis.core.paths import project_path
from analysis.output.publish import MANIFEST, managed_files, recover
from analysis.run.lock import RunLocked, output_lock
from analysis.run.pipeline import (
    DECLARED_NOTEBOOKS,
    EXIT_FAILED,
    EXIT_OK,
    NotebookSpec,
    RunOptions,
    run_pipeline,
)

# Sidecar and schema fields that legitimately differ between two regenerations.
UNCOMPARED_FIELDS = ("versions",)
# Documentation regenerated with every run; its command line depends on how it was called.
UNCOMPARED_FILES = ("README.md",)


@dataclass(frozen=True)
class Difference:
    """One published file that does not match its regeneration, and why."""

    path: str
    reason: str


def comparable_json(data: bytes) -> Any:
    """A sidecar or schema without the fields allowed to differ."""
    value = json.loads(data.decode("utf-8"))
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k not in UNCOMPARED_FIELDS}
    return value


def published_files(folder: Path) -> set[str]:
    """The files publishing wrote into `folder` (its manifest), or, in a folder without a
    manifest, every file that is not hidden: verification reads, it never deletes."""
    if (folder / MANIFEST).is_file():
        return managed_files(folder)
    files = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return {f for f in files if not any(part.startswith(".") for part in f.split("/"))}


def compare_folders(published: Path, fresh: Path) -> list[Difference]:
    """Every published file that is missing on one side or differs (sorted by path)."""
    old, new = published_files(published), published_files(fresh)
    differences = []
    for rel in sorted((old | new) - set(UNCOMPARED_FILES)):
        if rel not in new:
            differences.append(Difference(rel, "published but no longer produced"))
        elif rel not in old:
            differences.append(Difference(rel, "produced but not published"))
        else:
            a, b = (published / rel).read_bytes(), (fresh / rel).read_bytes()
            same = comparable_json(a) == comparable_json(b) if rel.endswith(".json") else a == b
            if not same:
                differences.append(Difference(rel, "content differs"))
    return differences


def verify_published(
    params_file: str = "",
    overrides: dict[str, Any] | None = None,
    figures_dir: str = "figures",
    keep: bool = False,
    notebooks: tuple[NotebookSpec, ...] = DECLARED_NOTEBOOKS,
) -> int:
    """Regenerate with --force into a temp folder and compare; 0 when all files match."""
    if not str(figures_dir).strip():
        raise ParameterError("--out is empty; name the published folder to verify (figures)")
    published = project_path(figures_dir)
    if published.is_dir():
        try:
            with output_lock(published):
                recover(published)  # only when no run is publishing there right now
        except RunLocked:
            pass
    scratch = Path(tempfile.mkdtemp(prefix="discourse-lab-verify-"))
    try:
        # A fresh cache too: a regeneration must not reuse any prepared corpus or model.
        fresh = {**dict(overrides or {}), "run.cache_dir": str(scratch / "cache")}
        options = RunOptions(
            params_file=params_file,
            overrides=fresh,
            force=True,
            figures_dir=str(scratch / "figures"),
            runs_dir=str(scratch / "runs"),
            notebooks=notebooks,
            progress_bar=False,
        )
        code = run_pipeline(options)
        if code != EXIT_OK:
            print(f"verify: the regeneration failed (exit {code}); see the messages above")
            return code
        differences = compare_folders(published, scratch / "figures")
    finally:
        if keep:
            print(f"verify: regenerated files kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    for diff in differences:
        print(f"DIFFERS {diff.path}: {diff.reason}")
    if differences:
        print(f"verify: {len(differences)} file(s) differ from {published}")
        return EXIT_FAILED
    print(f"verify: every published figure and table in {published} matches its regeneration")
    return EXIT_OK
