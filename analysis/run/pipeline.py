"""The run: validate parameters, execute the declared notebooks (skipping unchanged ones),
record everything in runs/<run-id>/, and publish figures and tables only when all succeeded.

Exit codes: 0 success, 1 a notebook failed, 2 bad parameters, corpus or output folder,
3 another run holds the lock. Every run that started ends with run.json in a final state
("ok", "ok-unpublished" or "failed" with the reason).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import shlex
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.core.errors import DiscourseLabError, InputError
from analysis.core.params import DEFAULT_PARAMS_FILE, ParameterError, Params, load_params
from analysis.core.paths import project_path
from analysis.core.provenance import PACKAGE, code_hash
from analysis.corpus.check import (
    corpus_problems,
    decoding_report,
    preflight,
    rule_warnings,
)
from analysis.corpus.overview import corpus_overview
from analysis.corpus.prepare import partitioned_corpus
from analysis.corpus.read import spec_from_params
from analysis.framing.quotation_scoring import read_gold_quotations
from analysis.framing.validation import check_coded_sample_file
from analysis.output.gallery import write_gallery
from analysis.output.publish import OutputFolderError, check_output_folder, publish, recover
from analysis.output.tables import write_schema_document
from analysis.run import cache as runcache
from analysis.run.execution import execute_notebook, kernel_peak_mib, render_html, stop_kernels
from analysis.run.lock import RunLocked, output_lock, run_lock
from analysis.run.progress import StageLog
from analysis.run.record import RunFolder, close_abandoned, new_run_id
from analysis.run.registry import DECLARED_NOTEBOOKS, NotebookSpec, notebooks_in
from analysis.run.schedule import default_jobs, run_notebooks
from analysis.scale.scheduler import release_workers

__all__ = ["DECLARED_NOTEBOOKS", "NotebookSpec", "RunOptions", "notebooks_in", "run_pipeline"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
# A full, read-only or failing disk: the user's to fix (exit 2), not a bug.
DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


@dataclass
class RunOptions:
    """What `discourse-lab run` was asked to do."""

    params_file: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    force: bool = False
    figures_dir: str = "figures"
    runs_dir: str = "runs"
    only: str = ""
    wait: bool = False
    notebooks: tuple[NotebookSpec, ...] = DECLARED_NOTEBOOKS
    progress_bar: bool = True
    jobs: int = 0  # notebooks run side by side, 0: as memory allows (results do not depend on it)
    command: str = ""  # shown in figures/README.md as the regenerate command
    package_dir: Path = PACKAGE  # whose code and resources decide "unchanged"


def resolve_params(options: RunOptions) -> Params:
    """Load and validate the parameters; check the corpus, the files the parameters name,
    the output and runs folders (a DiscourseLabError naming the one at fault)."""
    params_path = project_path(options.params_file) if options.params_file else None
    params = load_params(params_path, options.overrides)
    if not project_path(params.corpus.path).exists():
        raise ParameterError(
            f"corpus.path: {project_path(params.corpus.path)} does not exist; "
            "pass --corpus PATH or set corpus.path in the parameter file"
        )
    preflight(params)
    try:  # hand-coded files are read before any notebook runs
        check_coded_sample_file(params.framing.coded_sample_file, params.framing.frames_file)
        if params.framing.coded_quotes_file.strip():
            read_gold_quotations(params.framing.coded_quotes_file)
    except InputError as err:
        raise ParameterError(f"framing: {err}") from None
    if options.jobs < 0:
        raise ParameterError(f"--jobs {options.jobs}: give 1 or more notebooks at a time, or 0")
    for flag, value in (("--out", options.figures_dir), ("--runs-dir", options.runs_dir)):
        if not str(value).strip():
            raise ParameterError(f"{flag} is empty; name a folder (default: {flag[2:]})")
    runs_dir = project_path(options.runs_dir)
    if runs_dir.exists() and not runs_dir.is_dir():
        raise ParameterError(f"--runs-dir {runs_dir}: is a file, not a folder; name a folder")
    check_output_folder(project_path(options.figures_dir))
    return params


def run_pipeline(options: RunOptions) -> int:
    """Run the pipeline; returns the process exit code (messages go to stdout/stderr)."""
    try:
        params = resolve_params(options)
        selected = _select(options)
    except DiscourseLabError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    runs_dir = project_path(options.runs_dir)
    figures_dir = project_path(options.figures_dir)
    try:
        with (
            run_lock(runs_dir, options.wait, on_wait=_say_waiting),
            output_lock(figures_dir, options.wait, on_wait=_say_waiting_to_publish),
        ):
            return _locked_run(options, params, selected, runs_dir)
    except RunLocked as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_LOCKED
    except DiscourseLabError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE


def _say_waiting(holder: str) -> None:
    print(f"waiting for the run with pid {holder} to finish ...", flush=True)


def _say_waiting_to_publish(folder: str) -> None:
    print(f"waiting for the run publishing to {folder} to finish ...", flush=True)


def _select(options: RunOptions) -> tuple[NotebookSpec, ...]:
    names = [spec.name for spec in options.notebooks]
    if options.only and options.only not in names:
        raise ParameterError(f"--only {options.only!r}: not a pipeline notebook; one of {names}")
    return options.notebooks


def _locked_run(
    options: RunOptions, params: Params, specs: tuple[NotebookSpec, ...], runs_dir: Path
) -> int:
    """Holding both locks: recover, then run with a record that always ends in a final
    state; a DiscourseLabError or a disk error is exit 2, anything else a bug (re-raised)."""
    figures_dir = project_path(options.figures_dir)
    try:
        abandoned = close_abandoned(runs_dir)
        folder = RunFolder.create(runs_dir / new_run_id(), options, params)
    except OSError as err:
        raise OutputFolderError(
            f"--runs-dir {runs_dir}: cannot write the run record there ({err.strerror}); "
            "make it writable or name another folder"
        ) from None
    started = time.monotonic()
    try:
        if abandoned:
            folder.say(f"marked as failed: run(s) {', '.join(abandoned)}, which never finished")
        recovered = recover(figures_dir)
        if recovered:
            folder.say(recovered)
        return _recorded_run(options, params, specs, folder, figures_dir, started)
    except (DiscourseLabError, OSError) as err:
        if isinstance(err, OSError) and err.errno not in DISK_ERRORS:
            folder.fail(f"{type(err).__name__}: {err}", started)
            raise  # not the disk's fault: a bug, with its traceback
        folder.fail(f"error: {_failure_reason(err, figures_dir)}", started)
        return EXIT_USAGE
    except BaseException as err:  # a bug or an interrupt: recorded, then re-raised
        folder.fail(f"{type(err).__name__}: {err}", started)
        raise


def _failure_reason(err: BaseException, figures_dir: Path) -> str:
    if isinstance(err, DiscourseLabError):
        return str(err)
    return (
        f"cannot write {err.filename or figures_dir} ({err.strerror or err}); free space or "
        f"make the disk writable, then run again (published figures in {figures_dir} are "
        "as they were, or are completed by the next run)"
    )


def _recorded_run(options, params, specs, folder: RunFolder, figures_dir, started) -> int:
    with time_limit(params.run.timeout_seconds, "corpus preparation"):
        fingerprint, warnings = prepared_fingerprint(
            params, options.progress_bar, StageLog(folder.say)
        )
        for warning in warnings:
            folder.say(f"warning: {warning}")
    folder.record["corpus_fingerprint"] = fingerprint
    code = code_hash(options.package_dir)
    options = dataclasses.replace(options, jobs=options.jobs or default_jobs(len(specs)))
    folder.record["jobs"] = options.jobs
    if options.jobs > 1:
        folder.say(f"up to {options.jobs} notebooks run side by side (--jobs)")
    keys = {spec.name: runcache.input_hash(spec, params, fingerprint, code) for spec in specs}
    labels = {s.name: f"[{n}/{len(specs)}] {s.name}" for n, s in enumerate(specs, start=1)}

    def run_one(spec: NotebookSpec, slot: int) -> bool:
        return _run_one(options, folder, spec, keys[spec.name], labels[spec.name], slot)

    ok = run_notebooks(specs, options.jobs, run_one, stop_kernels)
    if not ok:
        folder.say(f"run failed; published figures in {figures_dir} are unchanged")
        failed = [n for n, r in folder.record["notebooks"].items() if r["status"] == "failed"]
        folder.record["reason"] = f"notebook {', '.join(failed)} failed"
        folder.finish("failed", started)
        return EXIT_FAILED
    stale = [n for n, r in folder.record["notebooks"].items() if r["status"] == "stale"]
    if stale:
        folder.say(f"not published: {', '.join(stale)} out of date; run without --only")
        folder.finish("ok-unpublished", started)
        return EXIT_OK
    return _publish(options, folder, specs, figures_dir, started)


def _run_one(
    options: RunOptions, folder: RunFolder, spec: NotebookSpec, key: str, label: str, slot: int
) -> bool:
    """Execute, reuse from cache, or skip one notebook (`slot`: the row of its progress bar
    among the notebooks running side by side); False when it failed."""

    if not spec.path.is_file():
        folder.say(f"{label}: skipped (notebook {spec.path.name} does not exist yet)")
        folder.notebook(spec.name, status="missing", skipped=True)
        return True
    cache = runcache.NotebookCache(folder.runs_dir, spec.name)
    selected = not options.only or options.only == spec.name
    damage = cache.damage() if cache.recorded_hash() == key else ""
    if damage and (not options.force or not selected):
        folder.say(
            f"{label}: cached outputs of run {cache.run_id()} are damaged ({damage}); re-running"
        )
    if cache.matches(key) and (not options.force or not selected):
        cache.restore(folder.path, spec.name)
        folder.say(f"{label}: unchanged, reusing outputs of run {cache.run_id()}")
        folder.notebook(spec.name, status="skipped", skipped=True, input_hash=key)
        return True
    if not selected:
        folder.say(f"{label}: out of date but not selected by --only; nothing will be published")
        folder.notebook(spec.name, status="stale", skipped=True, input_hash=key)
        return True
    folder.say(f"{label} ...")
    began = time.monotonic()
    executed = folder.path / "notebooks" / f"{spec.name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    output_dir = folder.outputs(spec.name)
    shutil.rmtree(output_dir, ignore_errors=True)
    parameters = {
        "params_file": str(params_file_path(options)),
        "overrides": dict(options.overrides),
        "output_dir": str(output_dir),
    }
    with folder.log_handle() as log:
        failure = execute_notebook(
            spec.name,
            spec.path,
            executed,
            parameters,
            folder.params.run.timeout_seconds,
            log_file=log,
            progress_bar=_progress_bar(options, spec, slot),
            log_prefix=f"{spec.name}: " if options.jobs > 1 else "",
        )
    duration = round(time.monotonic() - began, 3)
    if executed.is_file():
        render_html(executed, executed.with_suffix(".html"))
    if failure is not None:
        folder.say(f"error: {failure.message()}")
        folder.say(f"the failed notebook is kept in {executed}")
        folder.notebook(
            spec.name,
            status="failed",
            skipped=False,
            duration_seconds=duration,
            input_hash=key,
            error=failure.message(),
        )
        return False
    cache.store(key, folder.path, spec.name)
    peak = kernel_peak_mib(executed)
    memory = f", kernel peak {peak:,} MiB" if peak is not None else ""
    folder.say(f"{label}: done in {duration:.1f} s{memory}")
    folder.notebook(
        spec.name,
        status="ok",
        skipped=False,
        duration_seconds=duration,
        input_hash=key,
        kernel_peak_mib=peak,
    )
    return True


def _progress_bar(options: RunOptions, spec: NotebookSpec, slot: int) -> bool | dict:
    """papermill's bar of the cells: one row per notebook running side by side, named."""
    if not options.progress_bar or options.jobs <= 1:
        return options.progress_bar
    return {"desc": spec.name, "position": slot, "leave": False}


def _publish(options, folder: RunFolder, specs, figures_dir: Path, started: float) -> int:

    try:
        files = folder.collect_outputs([s.name for s in specs if s.path.is_file()])
    except ValueError as err:
        folder.fail(f"error: {err}", started)
        return EXIT_FAILED
    write_schema_document(folder.path / "tables")
    files["tables/SCHEMA.md"] = folder.path / "tables" / "SCHEMA.md"
    command = options.command or regenerate_command(options)
    write_gallery(folder.path / "figures", command, folder.path / "tables")
    files["README.md"] = folder.path / "figures" / "README.md"
    report = publish(files, figures_dir)
    folder.say(
        f"published to {figures_dir}: {len(report.replaced)} new or changed, "
        f"{len(report.deleted)} removed, {len(report.unchanged)} unchanged"
    )
    folder.record["published"] = {"figures_dir": str(figures_dir), **report.__dict__}
    folder.finish("ok", started)
    return EXIT_OK


def prepared_fingerprint(
    params: Params, progress: bool = False, on_stage: StageLog | None = None
) -> tuple[str, list[str]]:
    """The corpus fingerprint, and the warnings of `analysis.corpus.check.corpus_problems`
    (which raises for a group without tokens), from the corpus's light tables. The corpus
    is imported (with a progress bar when `progress`) and prepared if not cached; `on_stage`
    is told each finished preparation stage."""
    spec = spec_from_params(params.corpus)
    rules = preflight(params)
    prepared = corpus_overview(partitioned_corpus(params, on_stage=on_stage, progress=progress))
    release_workers()  # the notebooks' kernels start their own
    documents = prepared.corpus.iter_table
    warnings = corpus_problems(prepared) + rule_warnings(rules, documents("documents"))
    encodings = documents("documents", ["doc_id", "encoding"])
    return prepared.fingerprint, warnings + decoding_report(encodings, spec.encoding)


class TimeLimitExceeded(DiscourseLabError):
    """A step of the run that took longer than run.timeout_seconds."""


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Stop the block after `seconds` (SIGALRM; in the main thread only, elsewhere no limit)
    with a TimeLimitExceeded naming `what` and run.timeout_seconds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise TimeLimitExceeded(
            f"{what} exceeded run.timeout_seconds={seconds:g} and was stopped; raise the "
            "limit, or look for a cleaning rule or corpus file that makes it slow"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def params_file_path(options: RunOptions) -> Path:
    """The absolute path of the parameter file a run reads."""
    return project_path(options.params_file) if options.params_file else DEFAULT_PARAMS_FILE


def regenerate_command(options: RunOptions) -> str:
    """The command line that regenerates the published figures, for the gallery."""
    parts = ["discourse-lab", "run"]
    if options.params_file and params_file_path(options) != DEFAULT_PARAMS_FILE:
        parts += ["--params", str(options.params_file)]
    for name, value in sorted(options.overrides.items()):
        parts += ["--set", f"{name}={json.dumps(value) if not isinstance(value, str) else value}"]
    return shlex.join(parts)
