"""Shared fixtures: the project's paths and the read-only development corpora."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from types import SimpleNamespace

import pytest

from analysis.run.cli import main

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


def shared_corpus(name: str) -> Path:
    """A development corpus from ../shared/corpora, or skip the test with the reason."""
    path = CORPORA / name
    if not path.exists():
        pytest.skip(f"development corpus {path} is not present (../shared is absent)")
    return path


def run_cli(*args: str, cache_dir: Path | None = None) -> SimpleNamespace:
    """Run `discourse-lab ARGS` in this process, as the console script would (exit status,
    stdout, stderr): a subprocess per case would cost seconds of imports each."""
    if cache_dir is not None:
        args = (*args, "--set", f"run.cache_dir={cache_dir}")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())
