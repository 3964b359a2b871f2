"""Benchmark of the real thing (issue 16): `make figures` on synthetic news corpora.

Three measurements, each recorded in benchmarks/out/pipeline_results.json (merged over
invocations, so sizes can be run one at a time) and written to the "Pipeline benchmark"
section of benchmarks/RESULTS.md (the other sections are kept):

- `--sizes 2000 20000 100000`: the pipeline as `make figures CORPUS=...` runs it
  (`discourse-lab run`, all four notebooks, corpus.group_by=outlet,
  segments.unit=document, a cold cache and its own --out, --runs-dir and run.cache_dir
  under benchmarks/out/pipeline_<size>/). Recorded: wall time; each notebook's time and
  the corpus preparation before them (from run.json and run.log); the peak resident set
  of the largest single process and of the whole process tree (summed over the live
  processes, sampled from /proc every 0.2 s); the size of the published folder.
- `--stages 100000 1000000`: the corpus-wide stages alone (import + prepare, then
  `corpus_counts` and the per-partition corpus overview) on a two-worker
  `dask.distributed.LocalCluster` (run.scheduler = its address), in a fresh process:
  time per article, the largest process's memory (linearity from 100k to 1M) and the
  largest worker peak (VmHWM) at the end of a prepare and of a counts task.
- `--seeds`: `make figures` on the seed corpus, cold (fresh cache and runs folder), then
  again with nothing changed.

Corpora come from `scale_benchmark.build_corpus` (the same files: benchmarks/out/
corpus_<size>.csv, built once). Run on an otherwise idle machine, e.g.

    nice -n 19 .venv/bin/python benchmarks/pipeline_benchmark.py --sizes 2000 --seeds
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from distributed import LocalCluster
from scale_benchmark import (
    OUT,
    ROOT,
    MemorySampler,
    _descendants,
    _proc_status_kib,
    build_corpus,
    write_section,
)

from analysis.core.params import load_params
from analysis.corpus.overview import corpus_overview
from analysis.corpus.prepare import partitioned_corpus
from analysis.scale import process_peak_kib
from analysis.sources.corpus_counts import corpus_counts

DISCOURSE_LAB = Path(sys.executable).parent / "discourse-lab"
RESULTS_JSON = OUT / "pipeline_results.json"
RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "pipeline"
NOTEBOOKS = ("00_corpus", "10_topics", "20_framing", "30_sources")
CLUSTER_WORKERS = 2
PREPARE_LINE = re.compile(r"^preparing the corpus: .* \((?P<seconds>[0-9.]+) s\)$")
MIB = 1024
# Issue 16, before this work (the 2,000 row: the brief of the work, same machine).
BEFORE = {
    2000: "3 min 8 s; 1.05 GB; 91 MB published",
    20000: "27 min; 1.35 GiB; 237 MB published",
    100000: "30 min; 3.9 GB (4.3 GB with workers); 655 MB published",
    "seeds": "108 s cold; 4.6 s with nothing changed",
}


class TreeSampler(MemorySampler):
    """`MemorySampler` of another process and its descendants: the peak over time of their
    summed resident sets, each process's own peak (VmHWM), the largest one's command, and
    the CPU time each process had used when last seen (summed: the CPU the run needed)."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        super().__init__(interval)
        self.root = root
        self.largest_kib = 0
        self.largest_command = ""
        self.cpu_ticks: dict[int, int] = {}

    @property
    def cpu_seconds(self) -> float:
        """CPU time (user + system) of every process of the tree seen, summed; a process
        that lived less than one interval can be missed (a lower bound)."""
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        total = 0
        for pid in [self.root, *_descendants(self.root)]:
            ticks = _cpu_ticks(pid)
            if ticks is not None:
                self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), ticks)
            status = _proc_status_kib(pid)
            total += status.get("VmRSS", 0)
            peak = max(self.child_peak_kib.get(pid, 0), status.get("VmHWM", 0))
            self.child_peak_kib[pid] = peak
            if peak > self.largest_kib:
                self.largest_kib, self.largest_command = peak, process_role(pid)
        self.peak_total_kib = max(self.peak_total_kib, total)
        self.since_mark_kib = max(self.since_mark_kib, total)


def _cpu_ticks(pid: int) -> int | None:
    """User + system CPU time of a process in clock ticks (/proc/<pid>/stat), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command, which may hold spaces
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def process_role(pid: int) -> str:
    """What a process of the run is, from its command line (kernel, dask worker, ...)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode("utf-8", "replace") for a in argv if a)
    for marker, role in (
        ("ipykernel", "notebook kernel"),
        ("discourse-lab", "discourse-lab run"),
        ("multiprocessing", "worker process"),
        ("distributed", "dask worker"),
    ):
        if marker in text:
            return role
    return Path(argv[0].decode("utf-8", "replace")).name if argv and argv[0] else "?"


def measured_command(command: list[str], log: Path, env: dict | None = None) -> dict:
    """Run `command` (stdout and stderr to `log`), sampling its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        code = process.wait()
        sampler.stop()
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited {code}; see {log}")
    return {
        "wall_s": round(seconds, 1),
        "largest_mib": round(sampler.largest_kib / MIB),
        "largest_process": sampler.largest_command,
        "tree_mib": round(sampler.peak_total_kib / MIB),
        "cpu_s": round(sampler.cpu_seconds),
        "load": f"{load_before:.1f}/{os.getloadavg()[0]:.1f}",
    }


def pipeline_command(folder: Path, corpus: Path | None) -> list[str]:
    """`discourse-lab run` as `make figures` calls it, into `folder`'s own out, runs, cache."""
    command = [str(DISCOURSE_LAB), "run", "--params", "params/default.yaml"]
    if corpus is not None:
        command += ["--corpus", str(corpus)]
        command += ["--set", "corpus.group_by=outlet", "--set", "segments.unit=document"]
    return command + [
        "--set", f"run.cache_dir={folder / 'cache'}",
        "--out", str(folder / "figures"),
        "--runs-dir", str(folder / "runs"),
    ]  # fmt: skip


def latest_run(runs: Path) -> Path:
    return sorted(p for p in runs.iterdir() if p.name[:1].isdigit())[-1]


def run_record(runs: Path) -> tuple[dict, str]:
    """run.json and run.log of the latest run in a runs folder."""
    latest = latest_run(runs)
    record = json.loads((latest / "run.json").read_text(encoding="utf-8"))
    return record, (latest / "run.log").read_text(encoding="utf-8")


def memory_steps(executed: Path, top: int = 3) -> list[str]:
    """The cells of an executed notebook that raised its kernel's peak memory most: "+N MiB
    `first line`" (each code cell records the kernel's peak so far)."""
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    steps, before = [], 0
    for cell in cells:
        peak = cell.get("metadata", {}).get("discourse_lab", {}).get("kernel_peak_mib")
        if peak is None:
            continue
        source = "".join(cell.get("source", "")).strip().splitlines() or [""]
        steps.append((peak - before, source[0][:70]))
        before = peak
    ranked = sorted(steps, key=lambda step: -step[0])[:top]
    return [f"+{rise:,} MiB `{line}`" for rise, line in ranked if rise > 0]


def published_size(folder: Path) -> dict:
    files = [p for p in folder.rglob("*") if p.is_file()]
    largest = max(files, key=lambda p: p.stat().st_size)
    return {
        "published_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "largest_file": f"{largest.relative_to(folder)} ({largest.stat().st_size / 1e6:.1f} MB)",
    }


def pipeline_run(size: int) -> dict:
    """The whole pipeline on `size` synthetic articles, cold."""
    corpus = OUT / f"corpus_{size}.csv"
    if not corpus.exists():
        build_corpus(size, corpus)
    folder = OUT / f"pipeline_{size}"
    shutil.rmtree(folder, ignore_errors=True)
    result = measured_command(pipeline_command(folder, corpus), folder / "terminal.log")
    record, log = run_record(folder / "runs")
    notebooks = record["notebooks"]
    result["notebook_s"] = {n: notebooks[n].get("duration_seconds") for n in NOTEBOOKS}
    result["notebook_peak_mib"] = {n: notebooks[n].get("kernel_peak_mib") for n in NOTEBOOKS}
    executed = latest_run(folder / "runs") / "notebooks"
    result["memory_steps"] = {n: memory_steps(executed / f"{n}.ipynb") for n in NOTEBOOKS}
    result["jobs"] = record.get("jobs", 1)
    result["prepare_s"] = round(sum(float(m["seconds"]) for m in _prepare_lines(log)), 1)
    return {**result, **published_size(folder / "figures")}


def _prepare_lines(log: str) -> list[re.Match]:
    return [m for m in map(PREPARE_LINE.match, log.splitlines()) if m]


def seeds_run() -> dict:
    """`make figures` on the seeds: cold, then with nothing changed."""
    folder = OUT / "pipeline_seeds"
    shutil.rmtree(folder, ignore_errors=True)
    cold = measured_command(pipeline_command(folder, None), folder / "cold.log")
    again = measured_command(pipeline_command(folder, None), folder / "again.log")
    record, _ = run_record(folder / "runs")
    skipped = all(r.get("skipped") for r in record["notebooks"].values())
    return {"cold_s": cold["wall_s"], "again_s": again["wall_s"], "again_skipped": skipped,
            "largest_mib": cold["largest_mib"], "load": cold["load"],
            **published_size(folder / "figures")}  # fmt: skip


def stages_run(size: int) -> dict:
    """The corpus-wide stages on a two-worker LocalCluster, in a fresh process."""
    corpus = OUT / f"corpus_{size}.csv"
    if not corpus.exists():
        build_corpus(size, corpus)
    shutil.rmtree(OUT / f"stages_{size}", ignore_errors=True)
    command = [sys.executable, __file__, "--stage-process", str(size)]
    log = OUT / f"stages_{size}" / "stages.log"
    measured = measured_command(command, log)
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line[:2] == '{"']
    return {**json.loads(lines[-1]), **measured}


def stage_process(size: int) -> None:
    """In a fresh process: start the cluster, run and time the stages, print one JSON line."""
    with LocalCluster(
        n_workers=CLUSTER_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        params = load_params(
            overrides={
                "corpus.path": str(OUT / f"corpus_{size}.csv"),
                "corpus.group_by": "outlet",
                "segments.unit": "document",
                "run.cache_dir": str(OUT / f"stages_{size}" / "cache"),
                "run.scheduler": cluster.scheduler_address,
            }
        )
        times, peaks, started = {}, {}, time.perf_counter()
        prepare_peaks: list[int] = []  # KiB, of the worker that ran each task, at its end
        corpus = partitioned_corpus(params, worker_peaks=prepare_peaks, progress=True)
        times["prepare_s"] = time.perf_counter() - started
        peaks["main_after_prepare_mib"] = round(process_peak_kib() / MIB)
        started = time.perf_counter()
        counts_peaks: list[int] = []
        counts = corpus_counts(
            corpus.segment_paths(), params, frozenset(corpus.dictionary.token2id), counts_peaks
        )
        times["counts_s"] = time.perf_counter() - started
        peaks["main_after_counts_mib"] = round(process_peak_kib() / MIB)
        started = time.perf_counter()
        overview = corpus_overview(corpus)
        times["overview_s"] = time.perf_counter() - started
        peaks["main_after_overview_mib"] = round(process_peak_kib() / MIB)
    total = sum(times.values())
    peaks["worker_prepare_mib"] = round(max(prepare_peaks) / MIB)
    peaks["worker_counts_mib"] = round(max(counts_peaks) / MIB)
    result = {k: round(v, 1) for k, v in times.items()} | peaks
    result.update(
        stages_s=round(total, 1),
        us_per_article=round(total / size * 1e6),
        partitions=len(corpus.parts),
        segments=corpus.n_segments,
        frame_hits=int(counts.frames["hits"].sum()),
        documents=int(overview.summary["documents"].sum()),
    )
    print(json.dumps(result), flush=True)


def load_results() -> dict:
    if RESULTS_JSON.is_file():
        return json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
    return {"pipeline": {}, "stages": {}, "seeds": None}


def save_results(results: dict) -> None:
    RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_JSON.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    write_section(RESULTS_MD, SECTION, results_markdown(results))


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60} s"


def _notebook_cell(seconds: float | None, peak_mib: int | None) -> str:
    return _minutes(seconds) + (f"; {peak_mib:,} MiB" if peak_mib else "")


def _worker_peaks(row: dict) -> str:
    if "worker_prepare_mib" not in row:  # measured before these were recorded
        return ""
    return f"{row['worker_prepare_mib']:,} / {row['worker_counts_mib']:,} MiB"


def results_markdown(results: dict) -> list[str]:
    """The "Pipeline benchmark" section of RESULTS.md."""
    lines = [
        "# Pipeline benchmark (issue 16)",
        "",
        "Produced by `benchmarks/pipeline_benchmark.py` on this machine (2 cores, shared):",
        "`discourse-lab run` as `make figures` calls it, all four notebooks, cold cache,",
        "corpus.group_by=outlet, segments.unit=document. Largest process: the peak resident",
        "set (VmHWM) of the largest single process of the run; tree: the peak over time of",
        "the resident sets of all its live processes, summed (sampled from /proc every",
        "0.2 s; an upper bound, shared pages count once per process). Load: the machine's",
        "1-minute load average when the run started / ended (2 cores: above 2, other work",
        "competed for them and the times are not comparable). Jobs: notebooks run side by",
        "side (`--jobs`, by default as many as memory allows); their times then overlap.",
        "Each notebook: its time and, where recorded, its kernel's peak resident set (run.json).",
        "CPU: the user + system CPU time of all processes of the run, summed (sampled with",
        "the memory; divided by the 2 cores it is the least wall time the work allows).",
        "",
        "| articles | wall | CPU | jobs | prepare | 00_corpus | 10_topics | 20_framing"
        " | 30_sources | largest process | tree | published | largest published file | load"
        " | before |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|---|",
    ]
    for size, row in sorted(results["pipeline"].items(), key=lambda item: int(item[0])):
        peaks = row.get("notebook_peak_mib", {})
        times = [_notebook_cell(row["notebook_s"].get(n), peaks.get(n)) for n in NOTEBOOKS]
        lines.append(
            f"| {int(size):,} | {_minutes(row['wall_s'])} | {_minutes(row.get('cpu_s'))} | "
            f"{row.get('jobs', 1)} | "
            f"{_minutes(row['prepare_s'])} | "
            + " | ".join(times)
            + f" | {row['largest_mib']:,} MiB ({row['largest_process']}) | "
            f"{row['tree_mib']:,} MiB | {row['published_mb']} MB | {row['largest_file']} | "
            f"{row.get('load', '')} | {BEFORE.get(int(size), '')} |"
        )
    for size, row in sorted(results["pipeline"].items(), key=lambda item: int(item[0])):
        if row.get("memory_steps"):
            lines += ["", f"Where each kernel's memory went at {int(size):,} articles (the cells"
                      " that raised its peak most):", ""]  # fmt: skip
            lines += [f"- {n}: " + "; ".join(row["memory_steps"][n]) for n in NOTEBOOKS]
    seeds = results.get("seeds")
    if seeds:
        lines += [
            "",
            f"Seed corpus: cold {_minutes(seeds['cold_s'])}, with nothing changed "
            f"{_minutes(seeds['again_s'])} (every notebook skipped: {seeds['again_skipped']}); "
            f"largest process {seeds['largest_mib']} MiB; published {seeds['published_mb']} MB; "
            f"load {seeds.get('load', '?')}. "
            f"Before: {BEFORE['seeds']}.",
        ]
    if results["stages"]:
        lines += [
            "",
            f"Corpus-wide stages alone on a {CLUSTER_WORKERS}-worker `dask.distributed`"
            " `LocalCluster` (import + prepare, `corpus_counts`, the corpus overview's"
            " partition map), each size in a fresh process:",
            "",
            "| articles | partitions | prepare | counts | overview | total | µs per article"
            " | largest process | largest worker peak at a prepare / counts task's end | tree"
            " | load |",
            "|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|",
        ]
        for size, row in sorted(results["stages"].items(), key=lambda item: int(item[0])):
            lines.append(
                f"| {int(size):,} | {row['partitions']} | {_minutes(row['prepare_s'])} | "
                f"{_minutes(row['counts_s'])} | {_minutes(row['overview_s'])} | "
                f"{_minutes(row['stages_s'])} | {row['us_per_article']} | "
                f"{row['largest_mib']:,} MiB ({row['largest_process']}) | "
                f"{_worker_peaks(row)} | {row['tree_mib']:,} MiB | {row.get('load', '')} |"
            )
    lines += ["", "Targets of issue 16:", ""] + target_lines(results)
    notes = results.get("notes", [])  # said by hand in pipeline_results.json
    return lines + (["", "Notes:", ""] + [f"- {note}" for note in notes] if notes else [])


def target_lines(results: dict) -> list[str]:
    """Each target of issue 16 with the measured value, or "not measured yet"."""
    pipeline, stages, seeds = results["pipeline"], results["stages"], results.get("seeds")
    big = pipeline.get("100000")
    lines = []
    if big:
        lines.append(
            f"- 100,000 articles end to end ≤ 8 min: {_minutes(big['wall_s'])}; largest process"
            f" ≤ 1.5 GiB: {big['largest_mib']:,} MiB; published ≤ 100 MB: {big['published_mb']} MB"
        )
    else:
        lines.append("- 100,000 articles end to end: not measured yet")
    if "100000" in stages and "1000000" in stages:
        ratio = stages["1000000"]["us_per_article"] / stages["100000"]["us_per_article"]
        lines.append(f"- time per article, 1M / 100k ≤ 1.2×: {ratio:.2f}×")
    else:
        lines.append("- time per article 100k → 1M: not measured yet")
    small = stages.get("20000") or pipeline.get("20000")
    if small and "1000000" in stages:
        what = "stages" if "20000" in stages else "pipeline"
        flat = stages["1000000"]["largest_mib"] / small["largest_mib"]
        lines.append(
            f"- largest process, 1M stages / 20k {what} ≤ 1.2×: {flat:.2f}× "
            f"({stages['1000000']['largest_mib']:,} / {small['largest_mib']:,} MiB)"
        )
    else:
        lines.append("- memory flat from 20k to 1M: not measured yet")
    if seeds:
        lines.append(
            f"- seeds cold ≤ 45 s: {_minutes(seeds['cold_s'])}; nothing changed ≤ 3 s: "
            f"{_minutes(seeds['again_s'])}"
        )
    else:
        lines.append("- seeds: not measured yet")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument("--stages", type=int, nargs="*", default=[])
    parser.add_argument("--seeds", action="store_true")
    parser.add_argument("--stage-process", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage_process:
        stage_process(args.stage_process)
        return
    if not (args.sizes or args.stages or args.seeds):
        parser.error("name --sizes, --stages and/or --seeds")
    results = load_results()
    for size in args.sizes:
        results["pipeline"][str(size)] = pipeline_run(size)
        print(size, results["pipeline"][str(size)], flush=True)
        save_results(results)
    for size in args.stages:
        results["stages"][str(size)] = stages_run(size)
        print(size, results["stages"][str(size)], flush=True)
        save_results(results)
    if args.seeds:
        results["seeds"] = seeds_run()
        print("seeds", results["seeds"], flush=True)
        save_results(results)


if __name__ == "__main__":
    main()
