"""The run folder runs/<run-id>/: executed notebooks and their HTML, each notebook's
outputs, the merged figures and tables, run.log and run.json (the run record)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml
from tqdm import tqdm

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.core.provenance import (
    atomic_write_text,
    canonical_json,
    git_state,
    package_versions,
)


def new_run_id() -> str:
    """UTC time stamp to the millisecond plus a short random suffix, so that run folders sort
    in the order they started, e.g. 20250101T120000.123Z-1a2b3c."""
    now = dt.datetime.now(dt.UTC)
    stamp = f"{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z"
    return f"{stamp}-{secrets.token_hex(3)}"


def close_abandoned(runs_dir: Path) -> list[str]:
    """Mark as failed every run record still saying "running": called holding the runs
    folder's lock, so their process has died (killed, or the machine stopped)."""
    closed = []
    for path in sorted(runs_dir.glob("2*/run.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if record.get("status") != "running":
            continue
        record["status"] = "failed"
        record["reason"] = "the run ended without finishing (its process was killed or died)"
        atomic_write_text(path, canonical_json(record))
        closed.append(path.parent.name)
    return closed


class RunFolder:
    """Everything one run writes about itself."""

    def __init__(self, path: Path, params: Params, record: dict[str, Any]) -> None:
        self.path = path
        self.params = params
        self.record = record
        self._lock = threading.RLock()  # notebooks running side by side report from threads

    @classmethod
    def create(cls, path: Path, options: Any, params: Params) -> RunFolder:
        path.mkdir(parents=True)
        record = {
            "run_id": path.name,
            "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": sys.argv,
            "params_file": str(options.params_file or "params/default.yaml"),
            "overrides": dict(options.overrides),
            "force": options.force,
            "parameters": params.to_dict(),
            "versions": package_versions(),
            **git_state(),
            "notebooks": {},
            "status": "running",
        }
        folder = cls(path, params, record)
        atomic_write_text(path / "params.yaml", yaml.safe_dump(params.to_dict(), sort_keys=False))
        folder.write_record()
        folder.say(f"run {path.name}: record and log in {path}")
        return folder

    @property
    def runs_dir(self) -> Path:
        return self.path.parent

    @property
    def params_file(self) -> Path:
        """The resolved parameters of this run (what every notebook is given)."""
        return self.path / "params.yaml"

    def outputs(self, name: str) -> Path:
        return self.path / "outputs" / name

    def say(self, message: str) -> None:
        """Print a progress line (above any progress bars) and append it to run.log."""
        with self._lock:
            tqdm.write(message, file=sys.stdout)
            sys.stdout.flush()
            with self.log_handle() as log:
                log.write(message + "\n")

    @contextmanager
    def log_handle(self) -> Iterator[IO[str]]:
        # line-buffered: each line is one append, whole, beside another notebook's lines
        with open(self.path / "run.log", "a", encoding="utf-8", buffering=1) as handle:
            yield handle

    def notebook(self, name: str, **fields: Any) -> None:
        with self._lock:
            self.record["notebooks"][name] = fields
            self.write_record()

    def collect_outputs(self, names: list[str]) -> dict[str, Path]:
        """Merge every notebook's figures and tables into figures/ and tables/ of the run.

        Returns relative publish path -> file; two notebooks writing one id is an error.
        """
        files: dict[str, Path] = {}
        origin: dict[str, str] = {}
        for name in names:
            for kind in ("figures", "tables"):
                source = self.outputs(name) / kind
                if not source.is_dir():
                    continue
                for item in sorted(p for p in source.iterdir() if p.is_file()):
                    if item.name.startswith("."):
                        continue
                    rel = item.name if kind == "figures" else f"tables/{item.name}"
                    if rel in origin:
                        raise InputError(f"{rel} is written by both {origin[rel]} and {name}")
                    origin[rel] = name
                    target = self.path / kind / item.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(item, target)
                    files[rel] = target
        (self.path / "tables").mkdir(exist_ok=True)
        (self.path / "figures").mkdir(exist_ok=True)
        return files

    def fail(self, reason: str, started: float) -> None:
        """Say why the run failed and record it as failed, as far as the disk allows (a
        read-only or full disk must not hide the original error)."""
        self.record["reason"] = reason
        print(reason, file=sys.stderr, flush=True)
        try:
            with self.log_handle() as log:
                log.write(reason + "\n")
        except OSError:
            pass
        try:
            self.finish("failed", started)
        except OSError:
            pass

    def finish(self, status: str, started: float) -> None:
        self.record["status"] = status
        self.record["duration_seconds"] = round(time.monotonic() - started, 3)
        self.record["finished_utc"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.write_record()

    def write_record(self) -> None:
        with self._lock:
            atomic_write_text(self.path / "run.json", canonical_json(self.record))
