"""Publishing a complete set of figures and tables into figures/, recoverably.

The new set is first copied into a staging folder inside figures/ (same file system), then
a journal naming every file to replace and delete is written atomically, then files are
moved with os.replace one by one, then staging and journal are removed. A process killed
before the journal exists leaves the old set (the staging folder is discarded on the next
run); killed after, the next run rolls the journal forward to the complete new set.

The folder is the program's alone: the manifest `.discourse-lab-manifest.json`, written by
publishing itself, lists every file it published, and only those are ever replaced or
deleted. A folder holding anything else is refused unless it is empty.
"""

from __future__ import annotations

import filecmp
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.core.errors import DiscourseLabError
from analysis.core.provenance import atomic_write_text, canonical_json

JOURNAL = ".publish-journal.json"
MANIFEST = ".discourse-lab-manifest.json"
MANIFEST_FORMAT = 1
STAGING_PREFIX = ".staging-"


class OutputFolderError(DiscourseLabError):
    """An output folder that is not the program's, not a folder, or cannot be written."""


@dataclass(frozen=True)
class PublishReport:
    """Relative paths replaced (new or changed), deleted (stale) and left unchanged."""

    replaced: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: tuple[str, ...]


def managed_files(figures_dir: Path) -> set[str]:
    """The files (relative POSIX paths) that publishing wrote there and so may replace or
    delete: those listed in the folder's manifest (none without one)."""
    path = figures_dir / MANIFEST
    if not path.is_file():
        return set()
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputFolderError(
            f"{path}: the publication manifest is damaged; restore it from version control, "
            "or publish into a new folder with --out"
        ) from None
    bad = [f for f in files if not _safe_relative(f)] if isinstance(files, list) else [files]
    if bad:
        raise OutputFolderError(
            f"{path}: lists {bad[0]!r}, which is not a file inside the folder; the manifest "
            "was not written by Discourse Lab: restore it, or publish with another --out"
        )
    return set(files)


def _safe_relative(rel: object) -> bool:
    if not isinstance(rel, str) or not rel or "\\" in rel:
        return False
    parts = rel.split("/")
    return len(parts) <= 2 and all(p and p not in {".", ".."} for p in parts)


def check_output_folder(figures_dir: Path) -> None:
    """Refuse (OutputFolderError) a folder the program cannot or may not publish into: a
    file, a folder holding files it did not write, or one that cannot be written."""
    if figures_dir.exists() and not figures_dir.is_dir():
        raise OutputFolderError(f"--out {figures_dir}: is a file, not a folder; name a folder")
    if not figures_dir.is_dir():
        return
    if (figures_dir / MANIFEST).is_file():
        managed_files(figures_dir)  # a damaged manifest is refused here
    else:
        others = sorted(p.name for p in figures_dir.iterdir())
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            raise OutputFolderError(
                f"--out {figures_dir}: the folder holds {len(others)} file(s) Discourse Lab did "
                f"not write ({shown}); publishing replaces and deletes files, so it only uses "
                "an empty or new folder, or one it published into before: choose another --out"
            )
    require_writable(figures_dir, "--out")


def require_writable(folder: Path, what: str) -> None:
    """OutputFolderError unless a file can be created in `folder` (tried, not guessed)."""
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as err:
        raise OutputFolderError(
            f"{what} {folder}: cannot be written ({err.strerror}); make it writable or "
            "choose another folder"
        ) from None


def claim_output_folder(figures_dir: Path) -> None:
    """Check the folder (`check_output_folder`), create it, and give it an empty manifest if
    it has none: the folder is marked as the program's before anything is staged in it."""
    check_output_folder(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    if not (figures_dir / MANIFEST).is_file():
        write_manifest(figures_dir, [])


def write_manifest(figures_dir: Path, files: list[str]) -> None:
    """Record the published set (atomically)."""
    record = {"format": MANIFEST_FORMAT, "files": sorted(files)}
    atomic_write_text(figures_dir / MANIFEST, canonical_json(record))


def publish(files: dict[str, Path], figures_dir: Path) -> PublishReport:
    """Make the folder hold exactly `files` (relative path -> source file) among the files
    it published before; files it did not publish are never touched."""
    claim_output_folder(figures_dir)
    recover(figures_dir)
    owned = managed_files(figures_dir)
    staging = figures_dir / f"{STAGING_PREFIX}{secrets.token_hex(4)}"
    try:
        replace, unchanged = _stage(files, figures_dir, staging)
        delete = sorted(owned - set(files))
        if not replace and not delete and owned == set(files):
            shutil.rmtree(staging, ignore_errors=True)
            return PublishReport((), (), tuple(unchanged))
        journal = {"staging": staging.name, "replace": replace, "delete": delete}
        journal["files"] = sorted(files)
        atomic_write_text(figures_dir / JOURNAL, canonical_json(journal))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing published yet: leave no trace
        raise
    apply_journal(figures_dir)
    return PublishReport(tuple(replace), tuple(delete), tuple(unchanged))


def _stage(files: dict[str, Path], figures_dir: Path, staging: Path):
    replace, unchanged = [], []
    for rel, source in sorted(files.items()):
        if not _safe_relative(rel):
            raise ValueError(f"cannot publish {rel!r}: not a plain relative path")
        target = figures_dir / rel
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            unchanged.append(rel)  # compared in blocks: a large Parquet table is not read whole
            continue
        write_staged(staging / rel, Path(source).read_bytes())
        replace.append(rel)
    return replace, unchanged


def write_staged(staged: Path, data: bytes) -> None:
    """Write one staged file durably."""
    staged.parent.mkdir(parents=True, exist_ok=True)
    with open(staged, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(staged, 0o644)


def apply_journal(figures_dir: Path) -> None:
    """Carry out (or finish) the journalled publication; idempotent."""
    journal_path = figures_dir / JOURNAL
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    staging = figures_dir / journal["staging"]
    named = [*journal["replace"], *journal["delete"], *journal.get("files", [])]
    if not all(_safe_relative(rel) for rel in named) or "/" in journal["staging"]:
        raise OutputFolderError(f"{journal_path}: not a journal Discourse Lab wrote; remove it")
    for rel in journal["replace"]:
        staged = staging / rel
        if staged.exists():  # absent: already moved before an interruption
            (figures_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, figures_dir / rel)
    for rel in journal["delete"]:
        (figures_dir / rel).unlink(missing_ok=True)
    if "files" not in journal:  # a journal of an older version: the manifest follows it
        kept = managed_files(figures_dir) - set(journal["delete"])
        journal["files"] = sorted(kept | set(journal["replace"]))
    write_manifest(figures_dir, journal["files"])
    _fsync_dir(figures_dir)
    shutil.rmtree(staging, ignore_errors=True)
    journal_path.unlink()
    _fsync_dir(figures_dir)


def recover(figures_dir: Path) -> str | None:
    """Finish an interrupted publication or discard an incomplete staging folder, in a
    folder this program publishes into (call it holding the folder's lock).

    Returns a sentence saying what was done, or None when nothing needed doing.
    """
    if not figures_dir.is_dir():
        return None
    if not (figures_dir / MANIFEST).is_file() and not (figures_dir / JOURNAL).is_file():
        return None  # not a folder this program published into: nothing of ours in it
    done = None
    if (figures_dir / JOURNAL).exists():
        apply_journal(figures_dir)
        done = f"{figures_dir}: finished an interrupted publication (journal rolled forward)"
    stale = sorted(figures_dir.glob(f"{STAGING_PREFIX}*"))
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    if stale and done is None:
        done = f"{figures_dir}: discarded an incomplete staging folder; published figures unchanged"
    return done


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
