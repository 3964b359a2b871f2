"""Publishing a complete set of figures and tables into figures/, recoverably.

The new set is first copied into a staging folder inside figures/ (same file system), then
a journal naming every file to replace and delete is written atomically, then files are
moved with os.replace one by one, then staging and journal are removed. A process killed
before the journal exists leaves the old set (the staging folder is discarded on the next
run); killed after, the next run rolls the journal forward to the complete new set.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from analysis.core.provenance import atomic_write_text, canonical_json

JOURNAL = ".publish-journal.json"
STAGING_PREFIX = ".staging-"
# What publishing owns inside figures/ (anything else there is left alone).
MANAGED_TOP = ("*.pdf", "*.svg", "*.png", "*.json", "*.html", "README.md")
MANAGED_TABLES = ("*.csv", "*.schema.json", "SCHEMA.md")


@dataclass(frozen=True)
class PublishReport:
    """Relative paths replaced (new or changed), deleted (stale) and left unchanged."""

    replaced: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: tuple[str, ...]


def managed_files(figures_dir: Path) -> set[str]:
    """Published files (relative POSIX paths) that publishing may replace or delete."""
    found = set()
    for pattern in MANAGED_TOP:
        found |= {p.name for p in figures_dir.glob(pattern) if p.is_file()}
    for pattern in MANAGED_TABLES:
        found |= {f"tables/{p.name}" for p in (figures_dir / "tables").glob(pattern) if p.is_file()}
    return found


def publish(files: dict[str, Path], figures_dir: Path) -> PublishReport:
    """Make figures/ hold exactly `files` (relative path -> source file) among managed files."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    recover(figures_dir)
    staging = figures_dir / f"{STAGING_PREFIX}{secrets.token_hex(4)}"
    replace, unchanged = [], []
    for rel, source in sorted(files.items()):
        data = Path(source).read_bytes()
        target = figures_dir / rel
        if target.is_file() and target.read_bytes() == data:
            unchanged.append(rel)
            continue
        staged = staging / rel
        staged.parent.mkdir(parents=True, exist_ok=True)
        with open(staged, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(staged, 0o644)
        replace.append(rel)
    delete = sorted(managed_files(figures_dir) - set(files))
    if not replace and not delete:
        shutil.rmtree(staging, ignore_errors=True)
        return PublishReport((), (), tuple(unchanged))
    journal = {"staging": staging.name, "replace": replace, "delete": delete}
    atomic_write_text(figures_dir / JOURNAL, canonical_json(journal))
    apply_journal(figures_dir)
    return PublishReport(tuple(replace), tuple(delete), tuple(unchanged))


def apply_journal(figures_dir: Path) -> None:
    """Carry out (or finish) the journalled publication; idempotent."""
    journal_path = figures_dir / JOURNAL
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    staging = figures_dir / journal["staging"]
    for rel in journal["replace"]:
        staged = staging / rel
        if staged.exists():  # absent: already moved before an interruption
            (figures_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, figures_dir / rel)
    for rel in journal["delete"]:
        (figures_dir / rel).unlink(missing_ok=True)
    _fsync_dir(figures_dir)
    shutil.rmtree(staging, ignore_errors=True)
    journal_path.unlink()
    _fsync_dir(figures_dir)


def recover(figures_dir: Path) -> str | None:
    """Finish an interrupted publication or discard an incomplete staging folder.

    Returns a sentence saying what was done, or None when nothing needed doing.
    """
    if not figures_dir.is_dir():
        return None
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
