"""Malformed inputs and faults, as a hostile or careless user finds them (issue 15).

Every case is built here from small generated files (no committed binaries) and run in
process through `analysis.run.cli.main`. Each asserts the exit status, the message (which
names the file, row or parameter and what to do), and that neither the project's
`figures/` nor the user's own files changed. `--out`, `--runs-dir` and `run.cache_dir`
always point into the test's temporary folder; `run` cases get a one-cell fixture notebook
so that a case that wrongly passed would not start the real pipeline.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from analysis.run.cli import main
from tests.conftest import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "notebooks"
WORDS = (
    "council resolution settlement peace security delegates nations debate envoy treaty "
    "ceasefire border talks mediation refugees aid sanctions summit minister embassy"
).split()
LOOSE = ["--set", "preprocess.min_df=1", "--set", "preprocess.max_df=1.0"]


def text(n: int, words: int = 60) -> str:
    """An English-looking paragraph, different for each n."""
    body = " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(words))
    return f"The {body}.\n\nAnd the {body[::-1][:40].strip()} delegates met again today.\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def folder_corpus(tmp: Path, files: dict[str, bytes | str], base: bool = True) -> Path:
    """tmp/corpus/<group>/<name>.txt, with two good documents per group A and B besides
    (unless `base` is False)."""
    root = tmp / "corpus"
    good = {"A/a1.txt": text(1), "A/a2.txt": text(2), "B/b1.txt": text(3), "B/b2.txt": text(4)}
    for rel, data in {**(good if base else {}), **files}.items():
        write(root / rel, data)
    return root


def check(corpus: Path, *extra: str) -> list[str]:
    return ["check", "--corpus", str(corpus), "--set", "cleaning.rules_file=", *LOOSE, *extra]


def table(tmp: Path, name: str, rows: list[dict]) -> Path:
    path = tmp / "corpus" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows)
    if name.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    elif name.endswith(".jsonl"):
        frame.to_json(path, orient="records", lines=True, date_format="iso")
    else:
        frame.to_csv(path, index=False)
    return path


def good_rows(n: int = 4) -> list[dict]:
    return [
        {"doc_id": f"d{i}", "source": "AB"[i % 2], "date": "2017-01-15", "text": text(i)}
        for i in range(n)
    ]


def rules(tmp: Path, content: bytes | str) -> list[str]:
    corpus = folder_corpus(tmp, {})
    path = write(tmp / "corpus-rules" / "rules.yaml", content)
    return [*check(corpus), "--set", f"cleaning.rules_file={path}"]


def run_args(tmp: Path, *extra: str, out: Path | str | None = None) -> list[str]:
    nb = tmp / "nb"
    nb.mkdir(exist_ok=True)
    shutil.copyfile(FIXTURES / "fixture_alpha.ipynb", nb / "fixture_alpha.ipynb")
    out = out if out is not None else tmp / "out"
    return ["run", "--notebooks", str(nb), "--out", str(out), "--runs-dir",
            str(tmp / "runs"), "--no-progress", *extra]  # fmt: skip


def user_folder(tmp: Path) -> Path:
    """A folder of a user's own files, named like the ones publishing used to claim."""
    folder = tmp / "user"
    for rel in ("thesis.pdf", "config.json", "README.md", "tables/interview-data.csv"):
        write(folder / rel, f"the user's own {rel}\n")
    return folder


@dataclass(frozen=True)
class Case:
    """Build the inputs under a temporary folder and return the command line."""

    build: Callable[[Path], list[str]]
    code: int
    message: str  # a regular expression searched in stdout + stderr
    absent: str = ""  # a regular expression that must not appear in the output


# --- 1, 7: what a folder corpus reads -------------------------------------------------------


def _symlink_out(tmp: Path, reject: bool = False) -> list[str]:
    secret = write(tmp / "elsewhere" / "secret.txt", "root:x:0:0:SECRET-LINE:/root:/bin/bash\n")
    corpus = folder_corpus(tmp, {})
    (corpus / "B" / "secret.txt").symlink_to(secret)
    return check(corpus, *(["--set", "corpus.on_error=reject"] if reject else []))


def _symlink_in(tmp: Path) -> list[str]:
    corpus = folder_corpus(tmp, {"A/a3.txt": text(5)})
    (corpus / "B" / "alias.txt").symlink_to(corpus / "A" / "a3.txt")
    return check(corpus)


CORPUS_CASES = {
    "symlink out of the corpus folder": Case(
        _symlink_out, 2, r"B/secret.txt: a symbolic link to .*secret.txt, outside the corpus"
    ),
    "symlink out, on_error=reject lists it": Case(
        lambda t: _symlink_out(t, reject=True), 0, r"rejected B/secret.txt: a symbolic link"
    ),
    "symlink inside the folder is read": Case(_symlink_in, 0, r"6 documents in: 6 analysed"),
    "file of NUL bytes": Case(
        lambda t: check(folder_corpus(t, {"B/nul.txt": b"\0" * 64})), 2, r"B/nul.txt: .*NUL"
    ),
    "file of control bytes": Case(
        lambda t: check(folder_corpus(t, {"B/ctl.txt": bytes(range(1, 9)) * 8})),
        2,
        r"B/ctl.txt: .*control characters",
    ),
    "file of punctuation only": Case(
        lambda t: check(folder_corpus(t, {"B/dots.txt": "... --- !!!\n"})),
        2,
        r"B/dots.txt: document 'B/dots' has no words",
    ),
    "whitespace-only file": Case(
        lambda t: check(folder_corpus(t, {"B/blank.txt": " \n\n\t "})),
        2,
        r"B/blank.txt: document 'B/blank' is empty",
    ),
    "no .txt files in the folder": Case(
        lambda t: check(write(t / "corpus" / "notes.md", "x").parent),
        2,
        r"no \.txt files found",
    ),
    "format manifest given a folder": Case(
        lambda t: check(folder_corpus(t, {}), "--set", "corpus.format=manifest"),
        2,
        r"corpus.format is manifest, so give the manifest CSV's path",
    ),
    "missing corpus": Case(lambda t: check(t / "nowhere"), 2, r"nowhere: corpus not found"),
}

# --- 6: encodings ----------------------------------------------------------------------------

FALLBACK = ["--set", "corpus.fallback_encodings=[cp1252]"]
MIXED = "The General’s envoy in Genève said ".encode() + b"\x92" + text(9).encode()

ENCODING_CASES = {
    "UTF-8 file with one cp1252 byte": Case(
        lambda t: check(folder_corpus(t, {"B/mixed.txt": MIXED}), *FALLBACK),
        2,
        r"B/mixed.txt: bytes b'\\x92.*UTF-8 with stray bytes",
    ),
    "UTF-16 file read with a cp1252 fallback": Case(
        lambda t: check(folder_corpus(t, {"B/u16.txt": text(9).encode("utf-16")}), *FALLBACK),
        2,
        r"B/u16.txt: .*(NUL|UTF-16)",
    ),
    "PNG read with a latin-1 fallback": Case(
        lambda t: check(
            folder_corpus(t, {"B/image.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4}),
            "--set",
            "corpus.fallback_encodings=[latin-1]",
        ),
        2,
        r"B/image.txt: .*(NUL|control characters)",
    ),
    "cp1252 file without a fallback": Case(
        lambda t: check(folder_corpus(t, {"B/w.txt": text(9).encode() + b"caf\xe9"})),
        2,
        r"B/w.txt: bytes b'\\xe9' .*not valid utf-8.*corpus.fallback_encodings",
    ),
    "a real cp1252 file is decoded and reported": Case(
        lambda t: check(
            folder_corpus(t, {"B/w.txt": (text(9) + "café – naïve").encode("cp1252")}), *FALLBACK
        ),
        0,
        r"decoded B/w as cp1252 \(not valid utf-8\)",
    ),
    "UTF-8 table with one cp1252 byte (in memory)": Case(
        lambda t: check(
            write(t / "corpus" / "t.csv", b"doc_id,source,text\na,A," + MIXED), *FALLBACK
        ),
        2,
        r"t.csv: .*UTF-8 with stray bytes",
    ),
    "UTF-8 table with one cp1252 byte (store)": Case(
        lambda t: check(
            write(t / "corpus" / "t.csv", b"doc_id,source,text\na,A," + MIXED),
            *FALLBACK,
        ),
        2,
        r"t.csv: not valid utf-8, and not read as cp1252 either: .*UTF-8 with stray bytes",
    ),
    "UTF-16 table (store)": Case(
        lambda t: check(
            write(t / "corpus" / "t.csv", f"doc_id,source,text\na,A,{WORDS[0]}\n".encode("utf-16")),
            *FALLBACK,
        ),
        2,
        r"t.csv: not valid utf-8, and not read as cp1252 either: holds NUL bytes",
    ),
    "unknown corpus.encoding": Case(
        lambda t: check(folder_corpus(t, {}), "--set", "corpus.encoding=klingon"),
        2,
        r"corpus.encoding: unknown encoding 'klingon'",
    ),
    "unknown fallback encoding": Case(
        lambda t: check(folder_corpus(t, {}), "--set", "corpus.fallback_encodings=[elvish]"),
        2,
        r"corpus.fallback_encodings: unknown encoding 'elvish'",
    ),
}

# --- 8, 9, 12, 15, 16: tables and manifests ----------------------------------------------


def _manifest(tmp: Path, content: str, files: int = 2) -> Path:
    for i in range(files):
        write(tmp / "corpus" / f"t{i}.txt", text(i))
    return write(tmp / "corpus" / "manifest.csv", content)


def _nfc_nfd(tmp: Path) -> list[str]:
    rows = good_rows(4)
    rows[0]["source"] = unicodedata.normalize("NFC", "Genève")
    rows[2]["source"] = unicodedata.normalize("NFD", "Genève")
    return check(table(tmp, "t.csv", rows))


TABLE_CASES = {
    "manifest with two extra fields per row": Case(
        lambda t: check(
            _manifest(t, "doc_id,file,source\na,t0.txt,A,2017-01,x\nb,t1.txt,B,2017,y\n")
        ),
        2,
        r"manifest.csv line 2: 5 fields but the header has 3",
        absent="not found",
    ),
    "table with extra fields (in memory)": Case(
        lambda t: check(write(t / "corpus" / "t.csv", "doc_id,source,text\na,A,one two,x,y\n")),
        2,
        r"t.csv line 2: 5 fields but the header has 3",
    ),
    "table with extra fields in a later batch": Case(
        lambda t: check(
            write(t / "corpus" / "t.csv", "doc_id,source,text\na,A,one two\nb,A,x,y,z\n"),
            "--set",
            "run.batch_rows=1",
        ),
        2,
        r"t.csv line 3: 5 fields but the header has 3",
    ),
    "empty manifest file": Case(
        lambda t: check(_manifest(t, "")),
        2,
        r"manifest.csv: the file is empty; a CSV needs a header",
    ),
    "header-only manifest": Case(
        lambda t: check(_manifest(t, "doc_id,file,source\n")), 2, r"header but no rows"
    ),
    "empty CSV table": Case(
        lambda t: check(write(t / "corpus" / "t.csv", "")), 2, r"t.csv: the file is empty"
    ),
    "header-only CSV table": Case(
        lambda t: check(write(t / "corpus" / "t.csv", "doc_id,source,text\n")),
        2,
        r"no documents in the corpus",
    ),
    "every row rejected": Case(
        lambda t: check(
            table(t, "t.csv", [{**r, "text": ""} for r in good_rows(3)]),
            "--set",
            "corpus.on_error=reject",
        ),
        2,
        r"every one of the 3 documents was rejected.*t.csv row 2: document 'd0' is empty",
    ),
    "id 'nan' is an id": Case(
        lambda t: check(
            table(
                t,
                "t.csv",
                [
                    {**r, "doc_id": ["nan", "NA", "null", "x"][i]}
                    for i, r in enumerate(good_rows(4))
                ],
            )
        ),  # fmt: skip
        0,
        r"4 documents in: 4 analysed",
    ),
    "a missing id is named": Case(
        lambda t: check(write(t / "corpus" / "t.csv", f"doc_id,source,text\n,A,{text(1)!r}\n")),
        2,
        r"t.csv row 2: empty document id",
    ),
    "unclosed quote": Case(
        lambda t: check(
            write(
                t / "corpus" / "t.csv",
                'doc_id,source,text\na,"BBC,one two\nb,RT,three four\nc,UN,five "six" seven\n',
            )
        ),  # fmt: skip
        2,
        r"t.csv line \d: malformed CSV",
    ),
    "quote closed rows later: multi-line group label": Case(
        lambda t: check(
            write(
                t / "corpus" / "t.csv", f'doc_id,source,text\na,"BBC\nb,RT",{WORDS[0]} {WORDS[1]}\n'
            )
        ),  # fmt: skip
        2,
        r"t.csv row 2: document 'a': its 'source' spans several lines",
    ),
    "broken JSONL line": Case(
        lambda t: check(
            write(
                t / "corpus" / "t.jsonl",
                json.dumps(good_rows(1)[0]) + '\n{"doc_id": "x", "text": broken}\n',
            )
        ),  # fmt: skip
        2,
        r"t.jsonl line 2: not valid JSON",
    ),
    "JSONL line that is not an object": Case(
        lambda t: check(write(t / "corpus" / "t.jsonl", json.dumps(good_rows(1)[0]) + "\n[1]\n")),
        2,
        r"t.jsonl line 2: expected a JSON object",
    ),
    "numeric text column (in memory)": Case(
        lambda t: check(table(t, "t.jsonl", [{**r, "text": i} for i, r in enumerate(good_rows())])),
        2,
        r"t.jsonl row 1: document 'd0': its text is 0, a int, not text.*corpus.text_column",
    ),
    "numeric text column (store)": Case(
        lambda t: check(
            table(t, "t.parquet", [{**r, "text": i} for i, r in enumerate(good_rows())]),
        ),
        2,
        r"t.parquet row 1: document 'd0': its text is 0, a int, not text",
    ),
    "unparseable date": Case(
        lambda t: check(table(t, "t.csv", [{**r, "date": "15/01/2017"} for r in good_rows()])),
        2,
        r"t.csv row 2: document 'd0': date '15/01/2017' is not YYYY",
    ),
    "NFC and NFD group labels are one group": Case(_nfc_nfd, 0, r"Genève", absent=r"Gene\u0300ve"),
    "duplicate ids": Case(
        lambda t: check(table(t, "t.csv", [{**r, "doc_id": "same"} for r in good_rows()])),
        2,
        r"t.csv row 3: duplicate document id 'same' \(first at t.csv row 2\)",
    ),
    "group_by names no column": Case(
        lambda t: check(table(t, "t.csv", good_rows()), "--set", "corpus.group_by=outlet"),
        2,
        r"corpus.group_by is 'outlet' but the corpus has no such column; choose one of",
    ),
    "bad filename_pattern": Case(
        lambda t: check(folder_corpus(t, {}), "--set", "corpus.filename_pattern=(?P<x"),
        2,
        r"corpus.filename_pattern '\(\?P<x' is not a regular expression",
    ),
    "file names not matching filename_pattern": Case(
        lambda t: check(folder_corpus(t, {}), "--set", r"corpus.filename_pattern=\d{4}"),
        2,
        r"A/a1.txt: file name does not match corpus.filename_pattern",
    ),
    "empty corpus.path": Case(
        lambda t: ["check", "--corpus", ""], 2, r"corpus.path is empty", absent="documents in"
    ),
    "empty corpus.path in run": Case(
        lambda t: run_args(t, "--set", "corpus.path="), 2, r"corpus.path is empty"
    ),
}

# --- 4, 15: cleaning rules -------------------------------------------------------------------

HANG = "timeout_seconds: 0.3\nrules:\n  - {name: hang, pattern: '(a|aa)+$'}\n"

RULE_CASES = {
    "rules file missing": Case(
        lambda t: [*check(folder_corpus(t, {})), "--set", f"cleaning.rules_file={t}/none.yaml"],
        2,
        r"none.yaml: cleaning rules not found; fix cleaning.rules_file",
    ),
    "rules file is a list": Case(
        lambda t: rules(t, "- a\n- b\n"), 2, r"rules.yaml: expected a mapping with a 'rules:' list"
    ),
    "rules: is not a list": Case(
        lambda t: rules(t, "rules: {a: b}\n"), 2, r"expected a mapping with a 'rules:' list"
    ),
    "rule with a list pattern": Case(
        lambda t: rules(t, "rules:\n  - {name: a, pattern: [x, y]}\n"),
        2,
        r"rules.yaml rule 1 \(a\): pattern must be one string",
    ),
    "rule with a bad backreference": Case(
        lambda t: rules(t, "rules:\n  - {name: a, pattern: '(x)', replace: '\\2'}\n"),
        2,
        r"rule 1 \(a\): bad replace '\\\\2' \(group \\2 does not exist",
    ),
    "rule with a bad escape in the replacement": Case(
        lambda t: rules(t, "rules:\n  - {name: a, pattern: 'x', replace: '\\q'}\n"),
        2,
        r"rule 1 \(a\): bad replace .*unknown escape",
    ),
    "rule with a bad pattern": Case(
        lambda t: rules(t, "rules:\n  - {name: a, pattern: '(x'}\n"),
        2,
        r"rule 1 \(a\): bad pattern",
    ),
    "binary rules file": Case(
        lambda t: rules(t, b"\x89PNG\r\n\x1a\n\xff\xfe"), 2, r"rules.yaml: byte \d+ is not UTF-8"
    ),
    "rules file is a folder": Case(
        lambda t: [*check(folder_corpus(t, {})), "--set", f"cleaning.rules_file={t}"],
        2,
        r"cannot be read \(Is a directory\); fix cleaning.rules_file",
    ),
    "catastrophic backtracking is stopped and named": Case(
        lambda t: [
            *check(folder_corpus(t, {"B/as.txt": "a" * 40 + "b " + text(7)})),
            "--set",
            f"cleaning.rules_file={write(t / 'r' / 'hang.yaml', HANG)}",
        ],
        2,
        r"hang.yaml rule 1 \(hang\): took more than 0.3 s on B/as.txt",
    ),
    "the issue's patterns finish on the regex engine": Case(
        lambda t: rules(
            t,
            "rules:\n  - {name: p1, pattern: '(a+)+$'}\n  - {name: p2, pattern: '^(\\w+\\s?)*$'}\n",
        ),
        0,
        r"4 documents in: 4 analysed",
    ),
    "a rule applying to a group no document has": Case(
        lambda t: rules(t, "rules:\n  - {name: r, pattern: x, applies_to: {source: Breitbrt}}\n"),
        0,
        r"warning: .*rules.yaml rule 1 \(r\) applies to source='Breitbrt', which no document "
        r"has, so it never runs \(values of 'source': \['A', 'B'\]\)",
    ),
    "bad timeout_seconds": Case(
        lambda t: rules(t, "timeout_seconds: -1\nrules: []\n"), 2, r"timeout_seconds is -1"
    ),
}

# --- 15, 17: parameters ----------------------------------------------------------------------


def _param(name: str, value: str, must: str) -> Case:
    return Case(
        lambda t: check(folder_corpus(t, {}), "--set", f"{name}={value}"),
        2,
        rf"{name} is {value}; it must be {must}",
    )


PARAM_CASES = {
    "negative min_words": _param("segments.min_words", "-1", "0 or more"),
    "segments.window 0": _param("segments.window", "0", "at least 1"),
    "negative min_df": _param("preprocess.min_df", "-2", "0 or more"),
    "max_df above 1": _param("preprocess.max_df", "1.5", "a share"),
    "max_df 0": _param("preprocess.max_df", "0.0", "a share"),
    "keep_n 0": _param("preprocess.keep_n", "0", "at least 1"),
    "k_min -1": _param("topics.k_min", "-1", "at least 2"),
    "k_min 1": _param("topics.k_min", "1", "at least 2"),
    "num_topics 0": _param("topics.num_topics", "0", "auto or at least 1"),
    "topics bootstrap_samples 0": _param("topics.bootstrap_samples", "0", "at least 1"),
    "framing bootstrap_samples 0": _param("framing.bootstrap_samples", "0", "at least 1"),
    "sources bootstrap_samples 0": _param("sources.bootstrap_samples", "0", "at least 1"),
    "ci_level 1": _param("sources.ci_level", "1.0", "between 0 and 1"),
    "relevance_lambda 2": _param("topics.relevance_lambda", "2.0", "from 0 to 1"),
    "timeout_seconds 0": _param("run.timeout_seconds", "0", "at least 1"),
    "batch_rows 0": _param("run.batch_rows", "0", "at least 1"),
    "k_max below k_min": Case(
        lambda t: check(folder_corpus(t, {}), "--set", "topics.k_min=5", "--set", "topics.k_max=3"),
        2,
        r"topics.k_max \(3\) is below topics.k_min \(5\)",
    ),
    "sources.focus_pair was removed": Case(
        lambda t: check(folder_corpus(t, {}), "--set", "sources.focus_pair=[A, B]"),
        2,
        r"sources.focus_pair: unknown parameter",
    ),
    "range checked in run before any notebook": Case(
        lambda t: run_args(t, "--set", "topics.num_topics=0"),
        2,
        r"topics.num_topics is 0",
        absent=r"\[1/1\]",
    ),
    "non-UTF-8 --params": Case(
        lambda t: ["check", "--params", str(write(t / "p.yaml", b"corpus:\n  path: \xff\xfe\n"))],
        2,
        r"p.yaml: byte \d+ is not UTF-8",
    ),
    "folder as --params": Case(
        lambda t: ["check", "--params", str(t)], 2, r"is a folder; give a YAML parameter file"
    ),
    "--params not a mapping": Case(
        lambda t: ["check", "--params", str(write(t / "p.yaml", "- a\n"))],
        2,
        r"expected a mapping of sections",
    ),
    "unsafe YAML tag in --params": Case(
        lambda t: [
            "check",
            "--params",
            str(write(t / "p.yaml", "corpus: !!python/object:os.system {}\n")),
        ],
        2,
        r"not valid YAML",
    ),
    "malformed --set": Case(lambda t: ["check", "--set", "topics"], 2, r"section.name=value"),
}

# --- 10, 14: what the analyses can compare ---------------------------------------------------

ARABIC = "اجتمع مجلس الأمن لمناقشة عملية السلام في الشرق الأوسط اليوم وقال المندوبون "
CHINESE = "安理会今天开会讨论中东和平进程代表们发言支持两国方案"

ANALYSIS_CASES = {
    "a group with no tokens is named": Case(
        lambda t: check(folder_corpus(t, {"C/c1.txt": "The and of to in it is that was for.\n"})),
        2,
        r"group\(s\) \['C'\] of corpus.group_by='source' have no token left",
    ),
    "a single-group corpus is warned about": Case(
        lambda t: check(folder_corpus(t, {f"A/a{i}.txt": text(i) for i in range(3)}, base=False)),
        0,
        r"warning: only one group",
    ),
    "an Arabic corpus is warned about": Case(
        lambda t: check(
            folder_corpus(t, {f"{g}/{g}{i}.txt": ARABIC * (i + 2) for g in "AB" for i in range(3)})
        ),  # fmt: skip
        0,
        r"warning: most letters of 6 document\(s\) \(A/A0, A/A1, A/A2, ...\) are not in the Latin",
    ),
    "a Chinese corpus is warned about": Case(
        lambda t: check(
            folder_corpus(
                t, {f"{g}/{g}{i}.txt": CHINESE * (i + 2) + "。" for g in "AB" for i in range(3)}
            )
        ),  # fmt: skip
        0,
        r"warning: most letters .*Chinese, Japanese, Thai",
    ),
    "a language column naming another language": Case(
        lambda t: check(table(t, "t.csv", [{**r, "language": "de"} for r in good_rows()])),
        0,
        r"warning: 4 document\(s\) in language\(s\) \['de'\]",
    ),
}

# --- 2, 5, 15: output and runs folders ---------------------------------------------------------


def _forged_manifest(tmp: Path) -> list[str]:
    out = tmp / "out"
    write(out / ".discourse-lab-manifest.json", json.dumps({"format": 1, "files": ["../x"]}))
    return run_args(tmp, out=out)


FOLDER_CASES = {
    "empty --out": Case(lambda t: run_args(t, out=""), 2, r"--out is empty"),
    "--out is a file": Case(
        lambda t: run_args(t, out=write(t / "out.txt", "x")), 2, r"--out .*out.txt: is a file"
    ),
    "--runs-dir is a file": Case(
        lambda t: [*run_args(t), "--runs-dir", str(write(t / "runs.txt", "x"))],
        2,
        r"--runs-dir .*runs.txt: is a file",
    ),
    "--out holding a user's files": Case(
        lambda t: run_args(t, out=user_folder(t)),
        2,
        r"holds 4 file\(s\) Discourse Lab did not write \(README.md, config.json, tables, "
        r"thesis.pdf\)",
    ),
    "--out is the project folder": Case(
        lambda t: run_args(t, out=PROJECT_ROOT), 2, r"Discourse Lab did not write"
    ),
    "--out with a forged manifest": Case(
        _forged_manifest, 2, r"lists '\.\./x', which is not a file inside the folder"
    ),
    "verify with an empty --out": Case(lambda t: ["verify", "--out", ""], 2, r"--out is empty"),
}

CASES = {
    **CORPUS_CASES,
    **ENCODING_CASES,
    **TABLE_CASES,
    **RULE_CASES,
    **PARAM_CASES,
    **ANALYSIS_CASES,
    **FOLDER_CASES,
}


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def project_figures() -> dict[str, tuple[int, int]]:
    folder = PROJECT_ROOT / "figures"
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_case(name, tmp_path, capsys, monkeypatch):
    case = CASES[name]
    monkeypatch.chdir(tmp_path)  # nothing may depend on, or write to, the working directory
    args = case.build(tmp_path)
    args += ["--set", f"run.cache_dir={tmp_path / 'cache'}"]
    user = {
        p: snapshot(p) for p in (tmp_path / "corpus", tmp_path / "user", tmp_path / "elsewhere")
    }
    figures = project_figures()
    code = main(args)
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code == case.code, output
    assert re.search(case.message, output, re.S), output
    if case.absent:
        assert not re.search(case.absent, output), output
    assert "Traceback" not in output
    assert "SECRET-LINE" not in output + "".join(
        p.read_text(errors="replace") for p in tmp_path.rglob("*.csv") if p.is_file()
    )
    assert project_figures() == figures, "figures/ changed"
    assert {p: snapshot(p) for p in user} == user, "the user's files changed"
    assert not list(tmp_path.rglob(".staging-*"))


# --- 8, 9: one conversion on every path --------------------------------------------------------

DTYPE_CASES = {
    "integer years": ([2017, 2018, 2019, 2020], ["2017", "2018", "2019", "2020"]),
    "float years": ([2017.0, 2018.0, None, 2020.0], ["2017", "2018", "", "2020"]),
    "timestamps": (
        list(pd.to_datetime(["2017-01-15", "2018-02-01", "2019-03-31", "2020-12-01"])),
        ["2017-01-15", "2018-02-01", "2019-03-31", "2020-12-01"],
    ),
    "partial ISO strings": (
        ["2017", "2017-01", "", "2017-01-15"],
        ["2017", "2017-01", "", "2017-01-15"],
    ),
}


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
@pytest.mark.parametrize("name", sorted(DTYPE_CASES))
def test_dates_of_any_dtype_are_read_alike_in_memory_and_in_the_store(tmp_path, name, suffix):
    from analysis.corpus.read import CorpusSpec, read_corpus
    from analysis.corpus.store import import_corpus

    values, expected = DTYPE_CASES[name]
    rows = [{**r, "date": v} for r, v in zip(good_rows(4), values, strict=True)]
    spec = CorpusSpec(path=table(tmp_path, f"t{suffix}", rows))
    memory = read_corpus(spec).documents
    store = import_corpus(spec, tmp_path / "store", progress=False).metadata()
    assert memory["date"].tolist() == expected
    assert store["date"].tolist() == expected
    assert memory["date_precision"].tolist() == store["date_precision"].tolist()


@pytest.mark.parametrize("value", [0, 1.5, True])
def test_a_text_that_is_not_a_string_is_refused_alike_on_both_paths(tmp_path, value):
    from analysis.corpus.read import CorpusError, CorpusSpec, read_corpus
    from analysis.corpus.store import import_corpus

    rows = good_rows(2)
    rows[1]["text"] = value
    spec = CorpusSpec(path=table(tmp_path, "t.parquet", rows[1:]))
    messages = []
    for read in (read_corpus, lambda s: import_corpus(s, tmp_path / "store", progress=False)):
        with pytest.raises(CorpusError, match=r"its text is .*, not text") as err:
            read(spec)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


# --- 3, 5, 15: faults of a run -------------------------------------------------------------------


def _run(tmp: Path, capsys, *extra: str, out: Path | None = None) -> tuple[int, str]:
    code = main([*run_args(tmp, *extra, out=out), "--set", f"run.cache_dir={tmp / 'cache'}"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _records(tmp: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((tmp / "runs").glob("2*/run.json"))]


@pytest.mark.slow
def test_a_damaged_cache_is_not_published_but_re_run(tmp_path, capsys):
    code, output = _run(tmp_path, capsys)
    assert code == 0, output
    published = snapshot(tmp_path / "out")
    cached = tmp_path / "runs" / "cache" / "fixture_alpha" / "outputs" / "figures"
    png = cached / "alpha-random-walk.png"
    png.write_bytes(png.read_bytes()[:100])  # truncated
    code, output = _run(tmp_path, capsys)
    assert code == 0, output
    assert "cached outputs of run" in output and "alpha-random-walk.png differs" in output
    assert "unchanged, reusing" not in output
    assert snapshot(tmp_path / "out") == published
    png.unlink()  # deleted
    code, output = _run(tmp_path, capsys)
    assert code == 0 and "alpha-random-walk.png is missing); re-running" in output, output
    assert snapshot(tmp_path / "out") == published
    code, output = _run(tmp_path, capsys)  # repaired by the re-run: reused again
    assert code == 0 and "unchanged, reusing outputs" in output, output


def test_a_run_publishing_to_the_same_folder_is_refused_and_its_staging_kept(tmp_path, capsys):
    from analysis.run.lock import output_lock

    out = tmp_path / "out"
    out.mkdir()
    (out / ".discourse-lab-manifest.json").write_text('{"files": [], "format": 1}\n')
    staging = write(out / ".staging-other" / "a.png", b"another run's file")
    with output_lock(out):  # another live run, with another --runs-dir
        code, output = _run(tmp_path, capsys, out=out)
    assert code == 3, output
    assert f"another discourse-lab run is publishing to {out}" in output
    assert staging.read_bytes() == b"another run's file"
    assert not (tmp_path / "runs").exists() or not _records(tmp_path)


def _read_only(folder: Path) -> Callable[[], None]:
    """Make `folder` read-only for real (chmod; as root, the immutable attribute)."""
    folder.chmod(0o555)
    try:
        (folder / ".probe").touch()
    except OSError:
        return lambda: folder.chmod(0o755)
    (folder / ".probe").unlink()
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0:
        folder.chmod(0o755)
        pytest.skip("cannot make a folder read-only here (root without chattr)")
    return lambda: subprocess.run(["chattr", "-i", str(folder)], check=False)


def test_a_read_only_output_folder_is_refused_before_any_notebook(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".discourse-lab-manifest.json").write_text('{"files": [], "format": 1}\n')
    undo = _read_only(out)
    try:
        code, output = _run(tmp_path, capsys, out=out)
    finally:
        undo()
    assert code == 2, output
    assert f"--out {out}: cannot be written" in output and "[1/1]" not in output
    assert not _records(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("fault", [errno.ENOSPC, errno.EROFS])
def test_a_disk_failing_while_publishing_leaves_a_failed_record_and_no_staging(
    tmp_path, capsys, monkeypatch, fault
):
    import analysis.output.publish as publish

    def failing(staged, data):
        raise OSError(fault, os.strerror(fault), str(staged))

    monkeypatch.setattr(publish, "write_staged", failing)
    code, output = _run(tmp_path, capsys)
    assert code == 2, output
    assert os.strerror(fault) in output and "Traceback" not in output
    (record,) = _records(tmp_path)
    assert record["status"] == "failed" and os.strerror(fault) in record["reason"]
    assert not list((tmp_path / "out").glob(".staging-*"))
    assert publish.managed_files(tmp_path / "out") == set()


@pytest.mark.slow
def test_a_corpus_failing_inside_the_run_leaves_a_failed_record(tmp_path, capsys):
    corpus = folder_corpus(tmp_path, {"B/as.txt": "a" * 40 + "b " + text(7)})
    hang = write(tmp_path / "r" / "hang.yaml", HANG)
    code, output = _run(tmp_path, capsys, "--corpus", str(corpus), "--set",
                        f"cleaning.rules_file={hang}", *LOOSE)  # fmt: skip
    assert code == 2, output
    (record,) = _records(tmp_path)
    assert (
        record["status"] == "failed" and "rule 1 (hang): took more than 0.3 s" in record["reason"]
    )


def test_corpus_preparation_runs_within_the_time_limit():
    from analysis.run.pipeline import TimeLimitExceeded, time_limit

    with pytest.raises(
        TimeLimitExceeded, match=r"corpus preparation exceeded run.timeout_seconds=0.2"
    ):
        with time_limit(0.2, "corpus preparation"):
            while True:
                pass
    with time_limit(5, "corpus preparation"):  # no alarm is left behind
        pass


def test_every_case_is_counted():
    """The closing note of issue 15 reports how many cases were tried."""
    assert len(CASES) >= 80


@pytest.mark.slow
def test_a_partitioned_single_group_corpus_is_warned_about_in_the_run(tmp_path, capsys):
    rows = [{**r, "source": "A"} for r in good_rows(4)]
    corpus = table(tmp_path, "t.parquet", rows)
    streamed = ["--set", "run.batch_rows=2", "--set", "run.scheduler=synchronous"]
    code, output = _run(
        tmp_path,
        capsys,
        "--corpus",
        str(corpus),
        "--set",
        "cleaning.rules_file=",
        *streamed,
        *LOOSE,
    )
    assert code == 0, output
    assert "warning: only one group ('A') in corpus.group_by='source'" in output


@pytest.mark.slow
def test_a_bug_keeps_its_traceback_but_the_record_still_says_failed(tmp_path, capsys, monkeypatch):
    import analysis.output.publish as publish

    def buggy(staged, data):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "somewhere")

    monkeypatch.setattr(publish, "write_staged", buggy)
    with pytest.raises(FileNotFoundError):
        _run(tmp_path, capsys)
    (record,) = _records(tmp_path)
    assert record["status"] == "failed" and record["reason"].startswith("FileNotFoundError")
    assert not list((tmp_path / "out").glob(".staging-*"))
