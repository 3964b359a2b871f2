"""Progress that a person watching `make figures` can follow.

papermill draws one bar per notebook, advancing cell by cell; a cell can take minutes. So
the pipeline also shows, after that bar, the first line of the running cell, replaced by
the latest state of the kernel's own progress bars (tqdm: partitions done of total, models
fitted ...) while they draw, and refreshes the bar every few seconds so that its elapsed
time keeps ticking. The kernel draws text bars on its stderr (`use_console_bars`), which
papermill hands to the pipeline; run.log keeps the final state of each bar, one line each.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

import tqdm.std

# Run in every pipeline kernel before the notebook's first cell (IPKernelApp.exec_lines).
KERNEL_SETUP = "from analysis.run.progress import use_console_bars; use_console_bars()"
BAR_GRAPHIC = re.compile(r"\|[^|]*\|")
SUMMARY_WIDTH = 60
REFRESH_SECONDS = 2.0
# The stages `analysis.corpus.prepare.partitioned_corpus` reports, as a person reads them.
PREPARE_STAGES = {
    "sample": "phrases (and sentence rules) learnt from the sample",
    "tokenise": "every partition cleaned, segmented and tokenised",
    "dictionary": "vocabulary merged",
    "bow": "bag of words written",
}


def use_console_bars() -> None:
    """Make `tqdm.auto` draw text bars on stderr (relayed by the pipeline) instead of
    notebook widgets (seen only in a browser). For a kernel the pipeline started: it must
    run before anything imports `tqdm.auto`, and has no effect afterwards."""
    sys.modules.setdefault("tqdm.autonotebook", tqdm.std)


def bar_summary(text: str, width: int = SUMMARY_WIDTH) -> str:
    """The latest state of a text progress bar in one short line, without the bar graphic:
    'prepare:  50%|█████     | 2/4 [00:01<00:01]' -> 'prepare: 50% 2/4 [00:01<00:01]'."""
    lines = [line for line in re.split(r"[\r\n]", text) if line.strip()]
    line = " ".join(BAR_GRAPHIC.sub(" ", lines[-1]).split()) if lines else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def is_bar_update(text: str) -> bool:
    """True for what a text progress bar writes (a carriage return, or a drawn bar)."""
    return "\r" in text or bool(BAR_GRAPHIC.search(text))


def final_state(line: str) -> str:
    """What a line that a progress bar redrew with carriage returns shows last."""
    drawn = [part for part in line.split("\r") if part.strip()]
    return drawn[-1] if drawn else ""


class CellProgress:
    """The running cell and the kernel's latest bar, shown after papermill's bar of the
    cells (`bar`: that tqdm bar, or None when no bar is drawn)."""

    def __init__(self, bar: Any, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self._bar = bar
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._refresh_seconds = refresh_seconds

    def start(self) -> None:
        """Refresh the bar every few seconds (its elapsed time) until `stop`."""
        if self._bar is None or self._ticker is not None:
            return
        self._ticker = threading.Thread(target=self._tick, name="cell-progress", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None

    def cell(self, source: str) -> None:
        """A cell starts: show its first non-empty line."""
        lines = [line.strip() for line in source.splitlines() if line.strip()]
        self._show(bar_summary(lines[0]) if lines else "")

    def kernel_output(self, text: str) -> None:
        """The kernel wrote `text` on stderr: show it if it is a progress bar's update."""
        if is_bar_update(text):
            self._show(bar_summary(text))

    def _show(self, text: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=True)

    def _tick(self) -> None:
        while not self._stop.wait(self._refresh_seconds):
            self._bar.refresh()


class ProgressLog:
    """A file-like target for a kernel's stream output: writes each finished line to `log`
    as its final state (what a progress bar drew last before its newline), after `prefix`
    (the notebook's name when notebooks run side by side)."""

    def __init__(self, log: IO[str], prefix: str = "") -> None:
        self._log = log
        self._prefix = prefix
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *finished, self._pending = self._pending.split("\n")
        for line in finished:
            self._log.write(self._prefix + final_state(line) + "\n")
        return len(text)

    def flush(self) -> None:
        self._log.flush()

    def close(self) -> None:
        """Write the last, unfinished line (a bar that never ended) and flush."""
        if self._pending.strip():
            self._log.write(self._prefix + final_state(self._pending) + "\n")
        self._pending = ""
        self._log.flush()


class StageLog:
    """`on_stage` for `partitioned_corpus`: says each finished preparation stage and how
    long it took, through `say` (the run's log and terminal); nothing when it was cached."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._last = time.monotonic()

    def __call__(self, stage: str, info: dict) -> None:
        now = time.monotonic()
        what = PREPARE_STAGES.get(stage, stage)
        self._say(f"preparing the corpus: {what} ({now - self._last:.1f} s)")
        self._last = now
