"""Executing one notebook with papermill: cell ids sent to the kernel, a whole-notebook
time limit, the failing cell named, and an HTML rendering of the result."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import signal
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import papermill
from jupyter_client import AsyncKernelManager
from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError

from analysis.core.paths import PROJECT_ROOT
from analysis.core.provenance import atomic_write_text
from analysis.run.progress import KERNEL_SETUP, CellProgress, ProgressLog
from analysis.run.registry import NOTEBOOK_METADATA_KEY

ENGINE_NAME = "discourse-lab"
KERNEL_PEAK_KEY = "kernel_peak_mib"  # executed cell metadata: the kernel's peak memory so far
KERNEL_NAME = "python3"  # jupyter_client runs the "python" of this spec as sys.executable


@dataclass(frozen=True)
class NotebookFailure:
    """Where a notebook stopped: source cell index, cell id, first source line, exception."""

    notebook: str
    cell_index: int | None
    cell_id: str | None
    first_line: str
    error: str

    def message(self) -> str:
        where = f"cell {self.cell_index}" if self.cell_index is not None else "an unknown cell"
        if self.cell_id:
            where += f" (id {self.cell_id!r})"
        line = f": `{self.first_line}`" if self.first_line else ""
        return f"notebook {self.notebook} failed in {where}{line}: {self.error}"


class QuietKernelManager(AsyncKernelManager):
    """The kernel manager of a pipeline run: talks to its kernel over Unix sockets in the
    temporary folder (local only, and without ipykernel's "running over TCP without
    encryption" warning on every kernel start), and does not send SIGINT when it shuts down
    a kernel that has run every cell (jupyter_client always does; the idle kernel then
    prints "KeyboardInterrupt caught in kernel" after a successful run). A kernel stopped
    early (a time limit) is interrupted as before."""

    finished = False  # set once the last cell has run
    started: weakref.WeakSet[QuietKernelManager] = weakref.WeakSet()  # for `stop_kernels`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        QuietKernelManager.started.add(self)
        self.transport = "ipc"
        self.ip = os.path.join(
            tempfile.gettempdir(), f"discourse-lab-kernel-{uuid.uuid4().hex[:12]}"
        )

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down and self.finished:
            return
        await super()._async_interrupt_kernel()

    interrupt_kernel = _async_interrupt_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:  # also the sockets of a kernel that was killed
            for socket_file in glob.glob(f"{glob.escape(self.ip)}-*"):
                with contextlib.suppress(OSError):
                    os.remove(socket_file)

    cleanup_resources = _async_cleanup_resources


class _CellAwareClient(PapermillNotebookClient):
    """Sends each cell's nbformat id (as JupyterLab does), enforces a notebook deadline, and
    shows the running cell and the kernel's progress bars (`analysis.run.progress`)."""

    def __init__(self, nb_man: Any, source_path: str = "", deadline: float | None = None, **kw):
        super().__init__(nb_man, **kw)
        self._source_path = source_path
        self._deadline = deadline
        self._progress = CellProgress(getattr(nb_man, "pbar", None))

    def papermill_execute_cells(self):
        self._progress.start()
        try:
            super().papermill_execute_cells()
        finally:
            self._progress.stop()

    def log_output_message(self, output):
        super().log_output_message(output)
        if output.output_type == "stream" and output.name == "stderr":
            self._progress.kernel_output("".join(output.text))

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.get("cell_type") == "code":
            self._progress.cell(_source_text(cell))
        if self.kc is not None:
            self.kc.session.metadata.update(
                {"cellId": cell.get("id"), NOTEBOOK_METADATA_KEY: self._source_path}
            )
        executed = await super().async_execute_cell(
            cell, cell_index, execution_count, store_history
        )
        if cell.get("cell_type") == "code" and self.km is not None:
            peak = peak_memory_mib(getattr(self.km.provisioner, "pid", None))
            cell.setdefault("metadata", {}).setdefault("discourse_lab", {})[KERNEL_PEAK_KEY] = peak
        if cell_index == len(self.nb.cells) - 1 and self.km is not None:
            self.km.finished = True
        return executed

    # nbclient binds execute_cell to the base coroutine at class creation: re-bind it.
    execute_cell = run_sync(async_execute_cell)

    def _get_timeout(self, cell):
        if self._deadline is None:
            return super()._get_timeout(cell)
        return max(1, int(self._deadline - time.monotonic()))


class _Engine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        kwargs.pop("input_path", None)
        kwargs.pop("execution_timeout", None)
        kwargs.pop("timeout", None)
        client_kwargs = {
            "kernel_name": kernel_name,
            "startup_timeout": kwargs.pop("start_timeout", 60),
            "log_output": kwargs.pop("log_output", False),
            "stdout_file": kwargs.pop("stdout_file", None),
            "stderr_file": kwargs.pop("stderr_file", None),
            "kernel_manager_class": QuietKernelManager,
            # text progress bars on the kernel's stderr, which the pipeline shows
            "extra_arguments": [f"--IPKernelApp.exec_lines={KERNEL_SETUP}"],
        }
        return _CellAwareClient(nb_man, **client_kwargs, **kwargs).execute()


papermill_engines.register(ENGINE_NAME, _Engine)


def execute_notebook(
    name: str,
    source: Path,
    executed: Path,
    parameters: dict[str, Any],
    timeout_seconds: float,
    log_file: Any = None,
    progress_bar: bool | dict[str, Any] = True,
    log_prefix: str = "",
) -> NotebookFailure | None:
    """Run `source` into `executed` (cwd = project root); None on success, else the failure.
    `progress_bar`: draw papermill's bar of the cells (a dict: with these tqdm options);
    the kernel's output goes to `log_file` line by line, each after `log_prefix`."""
    deadline = time.monotonic() + timeout_seconds
    streams = [ProgressLog(log_file, log_prefix) for _ in range(2)] if log_file else [None] * 2
    kernel_stdout, kernel_stderr = streams
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            engine_name=ENGINE_NAME,
            kernel_name=KERNEL_NAME,
            cwd=str(PROJECT_ROOT),
            progress_bar=progress_bar,
            stdout_file=kernel_stdout,
            stderr_file=kernel_stderr,
            source_path=str(source.resolve()),
            deadline=deadline,
        )
    except PapermillExecutionError as err:
        return failure_from_executed(name, source, executed, f"{err.ename}: {err.evalue}")
    except TimeoutError:
        limit = f"exceeded run.timeout_seconds={timeout_seconds:g} and was stopped"
        return failure_from_executed(name, source, executed, limit, running=True)
    except Exception as err:  # noqa: BLE001 - kernel death, bad notebook JSON, ...
        return NotebookFailure(name, None, None, "", f"{type(err).__name__}: {err}")
    finally:
        for stream in streams:
            if stream is not None:
                stream.close()
    return None


def peak_memory_mib(pid: int | None) -> int | None:
    """Peak resident set of a live process (VmHWM, MiB); None where /proc does not tell."""
    try:
        status = Path(f"/proc/{int(pid)}/status").read_text(encoding="utf-8")
    except (OSError, TypeError, ValueError):
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(found[1]) / 1024) if found else None


def kernel_peak_mib(executed: Path) -> int | None:
    """The peak memory of the kernel that ran an executed notebook (MiB), as its cells
    recorded it (each code cell: the peak up to its end, so the steps that need the memory
    can be read off the executed notebook); None if not recorded."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return None
    peaks = [c.get("metadata", {}).get("discourse_lab", {}).get(KERNEL_PEAK_KEY) for c in cells]
    return max((p for p in peaks if p is not None), default=None)


def stop_kernels() -> None:
    """Kill every kernel this process started that still runs, with its process group (the
    kernel's worker processes): a run interrupted while notebooks run side by side."""
    for manager in list(QuietKernelManager.started):
        provisioner = manager.provisioner
        process = getattr(provisioner, "process", None)
        if process is None or process.poll() is not None:
            continue
        with contextlib.suppress(OSError):
            pgid = getattr(provisioner, "pgid", None)
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
            else:
                process.kill()


def failure_from_executed(
    name: str, source: Path, executed: Path, error: str, running: bool = False
) -> NotebookFailure:
    """Find the failing (or, after a timeout, the still running) cell in the executed copy."""
    cell = _failed_cell(executed, running)
    if cell is None:
        return NotebookFailure(name, None, None, "", error)
    cell_id = cell.get("id")
    lines = _source_text(cell).strip().splitlines()
    return NotebookFailure(
        name, source_index(source, cell_id), cell_id, lines[0] if lines else "", error
    )


def _failed_cell(executed: Path, running: bool) -> dict[str, Any] | None:
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    for cell in cells:
        meta = cell.get("metadata", {}).get("papermill", {})
        errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if cell.get("cell_type") == "code" and (
            errored or meta.get("exception") or (running and meta.get("status") == "running")
        ):
            return cell
    return None


def _source_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def source_index(source: Path, cell_id: str | None) -> int | None:
    """Index of the cell with `cell_id` in the source notebook."""
    try:
        cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    return next((i for i, c in enumerate(cells) if cell_id and c.get("id") == cell_id), None)


def render_html(executed: Path, html: Path) -> None:
    """Write an HTML rendering of an executed notebook next to it."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(executed))
    atomic_write_text(html, body)
