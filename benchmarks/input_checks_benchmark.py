"""What the input checks of issue 15 cost: cleaning rules on the `regex` engine (with a
time budget) against the same rules on `re`, and decoding with the plausibility checks
against a bare `bytes.decode`, on ../shared/corpora/movie_reviews (2,000 reviews, 7.8 MB).

    nice -n 19 .venv/bin/python benchmarks/input_checks_benchmark.py

Prints seconds (best of 3) and MB/s for each; nothing is written.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.corpus.cleaning import load_rules  # noqa: E402
from analysis.corpus.decoding import decode_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "movie_reviews"
RULES = ROOT / "seeds" / "cleaning.yaml"


def best_of(n: int, work) -> float:
    times = []
    for _ in range(n):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is absent")
    files = sorted(CORPUS.rglob("*.txt"))
    raw = [p.read_bytes() for p in files]
    megabytes = sum(map(len, raw)) / 1e6
    texts = [b.decode("utf-8") for b in raw]
    fast = load_rules(RULES)
    plain = [dataclasses.replace(r, pattern=re.compile(r.pattern.pattern, r.pattern.flags & 0xFF))
             for r in fast]  # fmt: skip

    def clean(rules, timed: bool):
        for text in texts:
            for rule in rules:
                if timed:
                    rule.pattern.subn(rule.replace, text, timeout=rule.timeout)
                else:
                    rule.pattern.subn(rule.replace, text)

    results = {
        "decode: bytes.decode": best_of(3, lambda: [b.decode("utf-8") for b in raw]),
        "decode: decode_document (plausibility checks)": best_of(
            3, lambda: [decode_document(b, "x", "utf-8", ("cp1252",)) for b in raw]
        ),
        "rules: re": best_of(3, lambda: clean(plain, timed=False)),
        "rules: regex with timeout": best_of(3, lambda: clean(fast, timed=True)),
    }
    print(f"{len(files)} files, {megabytes:.1f} MB")
    for name, seconds in results.items():
        print(f"{name:48s} {seconds:7.3f} s  {megabytes / seconds:8.1f} MB/s")


if __name__ == "__main__":
    main()
