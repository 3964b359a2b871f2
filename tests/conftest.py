"""Shared fixtures: the project's paths and the read-only development corpora."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


def shared_corpus(name: str) -> Path:
    """A development corpus from ../shared/corpora, or skip the test with the reason."""
    path = CORPORA / name
    if not path.exists():
        pytest.skip(f"development corpus {path} is not present (../shared is absent)")
    return path


def run_cli(
    *args: str, cwd: Path = PROJECT_ROOT, timeout: int = 600
) -> subprocess.CompletedProcess:
    """Run `python -m analysis ARGS` in a fresh process, as a user would."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
