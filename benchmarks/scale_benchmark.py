"""Benchmark: the streamed pipeline on 2,000, 20,000 and 100,000 synthetic articles (issue 7).

Corpora are built deterministically (numpy Generator, fixed seed) by resampling paragraphs
of the development corpora in ../shared/corpora (State of the Union paragraphs and film
reviews cut into paragraphs of four sentences) into articles of 3 or more paragraphs
(about 500 words), each with an outlet (the group; outlets differ in how much of each pool
they draw on), a date and a title. They are written to benchmarks/out/ (gitignored).

Stages, each run in a fresh subprocess so that its peak memory is its own (the process's
and its largest worker's VmHWM, and the sampled peak of their sum over time):

- import: CSV -> Parquet corpus store (analysis.corpus.store);
- prepare: phrase sample, clean + segment + tokenise on both cores, dictionary, Matrix
  Market bag of words (analysis.corpus.prepare), timed sub-stage by sub-stage;
- topics: one pass of gensim LdaModel (K=20, deterministic, single process) streaming from
  the MmCorpus;
- counts: term counts per group + keyness table, frame and actor counts
  (analysis.sources.corpus_counts on Dask's local process scheduler, 2 workers);
- rerun: import + prepare again with nothing changed (store and caches hit).

Units are whole articles (segments.unit=document), as a researcher with a news archive would
analyse them; paragraph units multiply the number of LDA documents by about seven.

Run (takes about 10 minutes with 100k on 2 free cores):

    nice -n 19 .venv/bin/python benchmarks/scale_benchmark.py --sizes 2000 20000 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
OUT = ROOT / "benchmarks" / "out"
SEED = 20170115
OUTLETS = 8
WORKERS = 2  # run.workers of the default parameters: Dask's local process pool
STAGES = ("import", "prepare", "topics", "counts", "rerun")
FIELDS = [
    "size",
    "stage",
    "seconds",
    "docs_per_s",
    "mb_per_s",
    "mb_per_s_per_core",
    "clean_tok_mb_per_cpu_s",
    "task_mb_per_cpu_s",
    "peak_mib_main",
    "peak_mib_worker",
    "peak_mib_total",
    "detail",
]


def paragraph_pools() -> tuple[list[str], list[str]]:
    """State of the Union paragraphs (15+ words) and film-review paragraphs (4 sentences)."""
    speeches = []
    for path in sorted((CORPORA / "state_union").glob("*.txt")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        speeches.extend(
            " ".join(line.split()) for line in text.splitlines() if len(line.split()) >= 15
        )
    reviews = []
    for path in sorted((CORPORA / "movie_reviews").rglob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line]
        reviews.extend(" ".join(lines[i : i + 4]) for i in range(0, len(lines), 4))
    return speeches, reviews


def build_corpus(size: int, path: Path, seed: int = SEED) -> None:
    """Write `size` synthetic articles to `path` (CSV: doc_id, outlet, date, title, text)."""
    import pandas as pd

    speeches, reviews = paragraph_pools()
    rng = np.random.default_rng(seed)
    speech_share = np.linspace(0.1, 0.9, OUTLETS)
    start = np.datetime64("2000-01-01")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        for first in range(0, size, 10_000):
            n = min(10_000, size - first)
            outlets = rng.integers(0, OUTLETS, n)
            from_speeches = rng.random(n) < speech_share[outlets]
            lengths = 3 + rng.poisson(4, n)
            days = rng.integers(0, 7300, n)
            rows = []
            for i in range(n):
                pool = speeches if from_speeches[i] else reviews
                picks = rng.integers(0, len(pool), lengths[i])
                paragraphs = [pool[j] for j in picks]
                rows.append(
                    {
                        "doc_id": f"art{first + i:07d}",
                        "outlet": f"Outlet {chr(65 + outlets[i])}",
                        "date": str(start + np.timedelta64(int(days[i]), "D")),
                        "title": " ".join(paragraphs[0].split()[:8]),
                        "text": "\n\n".join(paragraphs),
                    }
                )
            pd.DataFrame(rows).to_csv(handle, index=False, header=first == 0)
    tmp.replace(path)


class MemorySampler(threading.Thread):
    """Every `interval` seconds: resident memory of this process and of all its descendants.

    Records the peak of their *sum* over time (the machine's real footprint of a stage:
    main process plus live worker processes), the peak of that sum since the last `mark`
    (to find which sub-stage holds it), and each descendant's own peak (VmHWM).
    Resident sets double-count pages that processes share (libraries), so the sum is an
    upper bound.
    """

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_total_kib = 0
        self.since_mark_kib = 0
        self.child_peak_kib: dict[int, int] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        total = _proc_status_kib(os.getpid()).get("VmRSS", 0)
        for pid in _descendants(os.getpid()):
            status = _proc_status_kib(pid)
            total += status.get("VmRSS", 0)
            peak = max(self.child_peak_kib.get(pid, 0), status.get("VmHWM", 0))
            self.child_peak_kib[pid] = peak
        self.peak_total_kib = max(self.peak_total_kib, total)
        self.since_mark_kib = max(self.since_mark_kib, total)

    def mark(self) -> int:
        """Peak of the sum since the previous mark (KiB); starts a new interval."""
        self.sample()
        peak, self.since_mark_kib = self.since_mark_kib, 0
        return peak

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.sample()


def _descendants(pid: int) -> list[int]:
    """Process ids of all descendants of `pid` (Linux /proc; empty elsewhere)."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(k) for k in children.read_text().split()]
            except OSError:
                continue
            found.extend(kids)
            queue.extend(kids)
    return found


def _proc_status_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in KiB ({} if it has gone or /proc is absent)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {
        line.split(":")[0]: int(line.split()[1])
        for line in lines
        if line.startswith(("VmRSS:", "VmHWM:"))
    }


def bench_params(size: int):
    from analysis.core.params import load_params

    return load_params(
        overrides={
            "corpus.path": str(OUT / f"corpus_{size}.csv"),
            "corpus.group_by": "outlet",
            "segments.unit": "document",
            "run.cache_dir": str(OUT / f"cache_{size}"),
        }
    )


def run_stage(stage: str, size: int) -> dict:
    """Run one stage in this process; return its measurements."""
    from analysis.corpus.prepare import partitioned_corpus
    from analysis.corpus.read import spec_from_params
    from analysis.corpus.store import import_corpus

    params = bench_params(size)
    store_dir = OUT / f"cache_{size}" / "store"
    spec = spec_from_params(params.corpus)
    detail: dict = {}
    worker_peaks: list[int] = []  # VmHWM (KiB) reported by each worker task at its end
    sampler = MemorySampler()
    sampler.start()
    started = time.perf_counter()
    if stage == "import":
        store = import_corpus(spec, store_dir, progress=False)
        detail["documents"] = store.n_documents
        detail["mb"] = round(spec.path.stat().st_size / 1e6, 1)
    elif stage == "prepare":
        marks = [("start", time.perf_counter())]
        measured: dict = {}

        sub_peaks: dict[str, int] = {}
        sampler.mark()

        def on_stage(name: str, info: dict) -> None:
            marks.append((name, time.perf_counter()))
            sub_peaks[name] = sampler.mark()
            measured.update(info)

        streamed = partitioned_corpus(params, on_stage=on_stage, worker_peaks=worker_peaks)
        for (_, before), (name, after) in zip(marks, marks[1:], strict=False):
            detail[f"{name}_s"] = round(after - before, 2)
        for name, peak in sub_peaks.items():
            detail[f"{name}_mib"] = round(peak / 1024)
        for name in ("clean_cpu_s", "tokenise_cpu_s", "partition_cpu_s"):
            detail[name] = round(measured[name], 2)
        detail["unit_mb"] = round(measured["unit_chars"] / 1e6, 1)
        detail["mb"] = round(streamed.n_chars / 1e6, 1)
        detail["segments"] = streamed.n_segments
        detail["vocabulary"] = len(streamed.dictionary)
    elif stage == "topics":
        detail.update(fit_one_pass(params, store_dir, spec))
    elif stage == "counts":
        detail.update(count_everything(params, store_dir, spec, worker_peaks))
    elif stage == "rerun":
        streamed = partitioned_corpus(params)
        detail["fingerprint"] = streamed.fingerprint[:12]
    seconds = time.perf_counter() - started
    sampler.stop()
    self_peak = _proc_status_kib(os.getpid()).get("VmHWM", 0) / 1024
    worker_peak = max([*worker_peaks, *sampler.child_peak_kib.values(), 0]) / 1024
    return {
        "seconds": seconds,
        "peak_main": self_peak,
        "peak_worker": worker_peak,
        "peak_total": sampler.peak_total_kib / 1024,
        **detail,
    }


def fit_one_pass(params, store_dir: Path, spec) -> dict:
    """One pass of LdaModel, K=20, streamed from the Matrix Market corpus."""
    from gensim.models import LdaModel

    from analysis.corpus.prepare import partitioned_corpus

    streamed = partitioned_corpus(params)
    started = time.perf_counter()
    model = LdaModel(
        corpus=streamed.bow(),
        id2word=streamed.dictionary,
        num_topics=20,
        passes=1,
        chunksize=2000,
        iterations=50,
        alpha="symmetric",
        eta="symmetric",
        eval_every=None,
        random_state=params.run.seed,
    )
    top = [w for w, _ in model.show_topic(0, topn=5)]
    return {"fit_s": round(time.perf_counter() - started, 2), "topic0": " ".join(top)}


def count_everything(params, store_dir: Path, spec, worker_peaks: list[int]) -> dict:
    """Term counts + keyness, frame counts and actor counts over the segment parts."""
    from analysis.corpus.prepare import partitioned_corpus
    from analysis.sources.corpus_counts import corpus_counts
    from analysis.sources.keyness import KeynessSettings, keyness_table

    streamed = partitioned_corpus(params)
    started = time.perf_counter()
    vocabulary = frozenset(streamed.dictionary.token2id)
    counts = corpus_counts(streamed.segment_paths(), params, vocabulary, worker_peaks)
    counted = time.perf_counter()
    table = keyness_table(counts.terms, KeynessSettings(comparisons="rest"))
    return {
        "count_s": round(counted - started, 2),
        "keyness_s": round(time.perf_counter() - counted, 2),
        "keyness_rows": len(table),
        "frame_hits": int(counts.frames["hits"].sum()),
        "actor_mentions": int(counts.actors["mentions"].sum()),
    }


def measure(size: int, stage: str) -> dict:
    """Run a stage in a fresh interpreter and parse its JSON line."""
    command = [sys.executable, __file__, "--stage", stage, "--size", str(size)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"stage {stage} ({size}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def result_row(size: int, stage: str, raw: dict) -> dict:
    seconds = raw["seconds"]
    peaks = {"seconds", "peak_main", "peak_worker", "peak_total"}
    detail = {k: v for k, v in raw.items() if k not in peaks}
    mb, mb_s, mb_s_core, clean_tok, task = "", "", "", "", ""
    if stage == "prepare":
        mb = raw["mb"]
        mb_s = round(mb / raw["tokenise_s"], 1)  # wall time of the whole parallel pass
        mb_s_core = round(mb_s / WORKERS, 1)
        # CPU time inside cleaning + word tokenising, summed over the partitions: MB of text
        # per CPU second, i.e. per core (cleaning reads the raw text, tokenising the units).
        clean_tok = round(mb / (raw["clean_cpu_s"] + raw["tokenise_cpu_s"]), 1)
        task = round(mb / raw["partition_cpu_s"], 1)
    return {
        "size": size,
        "stage": stage,
        "seconds": round(seconds, 1),
        "docs_per_s": round(size / seconds) if seconds else "",
        "mb_per_s": mb_s,
        "mb_per_s_per_core": mb_s_core,
        "clean_tok_mb_per_cpu_s": clean_tok,
        "task_mb_per_cpu_s": task,
        "peak_mib_main": round(raw["peak_main"]),
        "peak_mib_worker": round(raw["peak_worker"]),
        "peak_mib_total": round(raw["peak_total"]),
        "detail": "; ".join(f"{k}={v}" for k, v in detail.items()) or str(mb),
    }


def write_results(rows: list[dict]) -> None:
    with (OUT / "scale_results.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    lines = [
        "# Scale benchmark (issue 7)",
        "",
        "Produced by `benchmarks/scale_benchmark.py` on this machine (2 cores, shared).",
        "",
        "Peak memory (MiB), measured per stage, each stage in a fresh process:",
        "- `main`: the stage process's own peak resident set (VmHWM of /proc/self/status);",
        "- `worker`: the largest peak of any worker process, as each Dask task reports it at",
        "  its end (VmHWM of the worker's own address space: not `ru_maxrss`, which on Linux",
        "  carries the parent's resident set at fork into a spawned child), or as sampled;",
        "- `total`: the peak over time of the resident sets of the stage process and all its",
        "  live descendants, summed, sampled every 0.2 s by a thread in the stage process.",
        "  This is the footprint to compare with the 1.5 GiB target (an upper bound: shared",
        "  library pages count once per process; a spike shorter than 0.2 s can be missed).",
        "  In `prepare`, `<sub-stage>_mib` is the same sum's peak within each sub-stage.",
        "",
        "For the prepare stage, MB is the raw text; MB/s and MB/s/core divide",
        f"it by the wall time of the whole clean + segment + tokenise pass ({WORKERS} worker",
        "processes, start-up included); `clean+tok MB/CPU-s` divides it by the CPU seconds the",
        "workers spent inside cleaning and word tokenising (summed over row groups), and",
        "`task MB/CPU-s` by the CPU seconds of the whole row-group tasks (read, clean,",
        "segment, tokenise, phrases, content tokens, write): both are MB/s per core.",
        "",
        "| size | stage | seconds | docs/s | MB/s | MB/s/core | clean+tok MB/CPU-s"
        " | task MB/CPU-s | peak MiB main | peak MiB worker | peak MiB total | detail |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(row[f]) for f in FIELDS) + " |")
    sizes = sorted({r["size"] for r in rows})
    lines += [
        "",
        "End to end (import + prepare + topics + counts, each stage in a fresh process) and"
        " the no-change re-run (import + prepare, caches hit):",
        "",
    ]
    totals = {}
    for size in sizes:
        of_size = {r["stage"]: r for r in rows if r["size"] == size}
        totals[size] = sum(of_size[s]["seconds"] for s in STAGES[:4] if s in of_size)
        peak = max(r["peak_mib_total"] for r in of_size.values())
        rerun = of_size["rerun"]["seconds"] if "rerun" in of_size else float("nan")
        lines.append(
            f"- {size:,} documents: {totals[size]:.0f} s; peak {peak} MiB (largest stage total:"
            f" main + live workers); re-run {rerun:.1f} s"
        )
    if 20000 in totals and 100000 in totals:
        ratio = totals[100000] / totals[20000]
        lines.append(f"- 100,000 / 20,000 documents: {ratio:.2f}× the time")
    write_section(ROOT / "benchmarks" / "RESULTS.md", "scale", lines)


def write_section(path: Path, name: str, lines: list[str]) -> None:
    """Replace (or append) the section between `<!-- section: name -->` markers of a
    Markdown file, keeping every other section."""
    start, end = f"<!-- section: {name} -->", f"<!-- /section: {name} -->"
    block = "\n".join([start, *lines, end])
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100000])
    parser.add_argument("--stage", choices=STAGES)
    parser.add_argument("--size", type=int)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.size)))
        return
    if not CORPORA.is_dir():
        sys.exit(f"{CORPORA} not found: the benchmark needs ../shared/corpora")
    rows = []
    for size in args.sizes:
        corpus = OUT / f"corpus_{size}.csv"
        if not corpus.exists():
            build_corpus(size, corpus)
        for folder in (OUT / f"store_{size}", OUT / f"cache_{size}"):
            shutil.rmtree(folder, ignore_errors=True)
        for stage in STAGES:
            row = result_row(size, stage, measure(size, stage))
            print(row, flush=True)
            rows.append(row)
        write_results(rows)


if __name__ == "__main__":
    main()
