"""The corpus layer on the seeds, the development corpora, and malformed input."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.params import Params, build_params
from analysis.corpus import validate
from analysis.corpus.prepare import partitioned_corpus
from analysis.corpus.read import CorpusError, CorpusSpec, read_corpus
from tests.conftest import PROJECT_ROOT, run_cli, shared_corpus

SEEDS = PROJECT_ROOT / "seeds"
SHARED_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
GOOD_TEXT = "The Security Council met to discuss the peace process in the Middle East today.\n"


def write_manifest(folder: Path, rows: list[dict], texts: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in texts.items():
        (folder / name).write_bytes(data)
    path = folder / "manifest.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def row(doc_id: str, file: str, source: str = "A", date: str = "2017-01-15") -> dict:
    return {"doc_id": doc_id, "file": file, "source": source, "date": date}


def params_for(path: Path, **corpus) -> Params:
    return build_params({"corpus": {"path": str(path), **corpus}, "cleaning": {"rules_file": ""}})


# --- the seeds ---------------------------------------------------------------------------


def test_seed_texts_are_byte_identical_to_shared_copies():
    if not SHARED_SEEDS.exists():
        pytest.skip("../shared/seeds is absent")
    for original in sorted(SHARED_SEEDS.glob("*.txt")):
        assert (SEEDS / original.name).read_bytes() == original.read_bytes()


def test_seed_manifest_describes_every_document():
    docs = read_corpus(CorpusSpec(path=SEEDS / "manifest.csv")).documents
    assert sorted(docs["group"].unique()) == ["Al-Monitor", "Breitbart", "Chinese wire", "UN"]
    assert len(docs) == 5
    for column in ["outlet", "genre", "date", "date_precision", "language", "translated", "title"]:
        assert column in docs.columns
    by_id = docs.set_index("doc_id")
    assert by_id.loc["xinhua-2021-01-28", "translated"] == "true"
    assert by_id.loc["breitbart-2017-01-15", "date_precision"] == "day"
    assert by_id.loc["un-dppa-page", "date"] == ""


@pytest.mark.parametrize(("group_by", "groups"), [("outlet", 5), ("genre", 5), ("source", 4)])
def test_comparison_switches_by_parameter(group_by, groups):
    spec = CorpusSpec(path=SEEDS / "manifest.csv", group_by=group_by)
    assert read_corpus(spec).documents["group"].nunique() == groups


# --- the development corpora -------------------------------------------------------------


def test_state_union_needs_its_encoding_named():
    folder = shared_corpus("state_union")
    with pytest.raises(CorpusError, match=r"19\d\d-\w+\.txt: bytes .* not valid utf-8.*cp1252"):
        read_corpus(CorpusSpec(path=folder))


def test_state_union_loads_by_parameters_alone():
    folder = shared_corpus("state_union")
    spec = CorpusSpec(
        path=folder,
        group_by="president",
        fallback_encodings=("cp1252",),
        filename_pattern=r"(?P<date>\d{4})-(?P<president>[A-Za-z.]+)(?:-\d+)?",
    )
    docs = read_corpus(spec).documents
    assert len(docs) == len(list(folder.glob("*.txt")))
    assert (docs["encoding"] == "cp1252").sum() == 6
    assert {"Truman", "Nixon", "Bush"} <= set(docs["group"])
    assert set(docs["decade"]) >= {"1940s", "2000s"}


def test_movie_reviews_groups_are_folder_names():
    folder = shared_corpus("movie_reviews")
    docs = read_corpus(CorpusSpec(path=folder)).documents
    assert docs.groupby("group").size().to_dict() == {"neg": 1000, "pos": 1000}


# --- every accepted format gives the same documents --------------------------------------


def test_manifest_folder_and_tables_agree(tmp_path):
    texts = {
        "a.txt": GOOD_TEXT.encode(),
        "b.txt": ("Another text about settlements. " * 3).encode(),
    }
    manifest = write_manifest(tmp_path / "m", [row("a", "a.txt"), row("b", "b.txt", "B")], texts)
    for group, (name, data) in zip(["A", "B"], texts.items(), strict=True):
        (tmp_path / "f" / group).mkdir(parents=True)
        (tmp_path / "f" / group / name).write_bytes(data)
    table = pd.DataFrame(
        {"doc_id": ["a", "b"], "source": ["A", "B"], "text": [t.decode() for t in texts.values()]}
    )
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    table.to_parquet(tmp_path / "t.parquet")
    expected = {"A": GOOD_TEXT, "B": texts["b.txt"].decode()}
    for path in [
        manifest,
        tmp_path / "f",
        tmp_path / "t.csv",
        tmp_path / "t.jsonl",
        tmp_path / "t.parquet",
    ]:
        docs = read_corpus(CorpusSpec(path=path)).documents
        assert dict(zip(docs["group"], docs["text"], strict=True)) == expected, path


# --- malformed input: a clear message naming the file or row --------------------------------

MALFORMED = {
    "missing corpus": (lambda d: d / "nowhere.csv", r"nowhere.csv: corpus not found"),
    "missing file": (
        lambda d: write_manifest(
            d, [row("a", "a.txt"), row("b", "gone.txt")], {"a.txt": GOOD_TEXT.encode()}
        ),
        r"manifest.csv row 3: file gone.txt not found",
    ),
    "empty document": (
        lambda d: write_manifest(d, [row("a", "a.txt")], {"a.txt": b"  \n\n "}),
        r"manifest.csv row 2: document 'a' is empty",
    ),
    "bad encoding": (
        lambda d: write_manifest(d, [row("a", "a.txt")], {"a.txt": b"caf\xe9 au lait " * 5}),
        r"manifest.csv row 2: a.txt: bytes b'\\xe9 au' at offset 3 are not valid utf-8",
    ),
    "duplicate id": (
        lambda d: write_manifest(
            d,
            [row("a", "a.txt"), row("a", "b.txt")],
            {"a.txt": GOOD_TEXT.encode(), "b.txt": GOOD_TEXT.encode()},
        ),
        r"manifest.csv row 3: duplicate document id 'a' \(first at manifest.csv row 2\)",
    ),
    "unparseable date": (
        lambda d: write_manifest(
            d, [row("a", "a.txt", date="15/01/2017")], {"a.txt": GOOD_TEXT.encode()}
        ),
        r"row 2: document 'a': date '15/01/2017' is not YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    "impossible date": (
        lambda d: write_manifest(
            d, [row("a", "a.txt", date="2017-02-30")], {"a.txt": GOOD_TEXT.encode()}
        ),
        r"row 2: document 'a': date '2017-02-30' has day 30; 2017-02 has 28 days",
    ),
    "missing group label": (
        lambda d: write_manifest(d, [row("a", "a.txt", source="")], {"a.txt": GOOD_TEXT.encode()}),
        r"row 2: document 'a' has no 'source' label",
    ),
    "path escapes corpus": (
        lambda d: write_manifest(d / "inner", [row("a", "../outside.txt")], {}),
        r"row 2: file '../outside.txt' lies outside the corpus folder",
    ),
    "no group column": (
        lambda d: write_manifest(
            d, [{"doc_id": "a", "file": "a.txt", "date": ""}], {"a.txt": GOOD_TEXT.encode()}
        ),
        r"corpus.group_by is 'source' but the corpus has no such column",
    ),
    "table without text column": (
        lambda d: _write(d / "t.csv", b"doc_id,source,body\na,A,hello\n"),
        r"t.csv: missing column\(s\) \['text'\]",
    ),
    "broken jsonl": (
        lambda d: _write(d / "t.jsonl", b'{"text": "fine", "source": "A"}\n{"text": broken\n'),
        r"t.jsonl line 2: not valid JSON",
    ),
    "unknown format": (
        lambda d: _write(d / "corpus.docx", b"PK"),
        r"unknown corpus format '.docx'",
    ),
    "folder without texts": (
        lambda d: _write(d / "f" / "notes.md", b"# notes"),
        r"no .txt files found",
    ),
    "file name pattern": (
        lambda d: _write(d / "f" / "speech.txt", GOOD_TEXT.encode()),
        r"speech.txt: file name does not match corpus.filename_pattern",
    ),
}


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path.parent if path.suffix == ".txt" or path.name == "notes.md" else path


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_corpus_is_named_in_error(case, tmp_path):
    make, message = MALFORMED[case]
    path = make(tmp_path)
    extra = {"filename_pattern": r"\d{4}-\w+"} if case == "file name pattern" else {}
    with pytest.raises(CorpusError, match=message):
        params = params_for(path, **extra)
        partitioned_corpus(params)


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_cli_exits_2_and_names_the_problem(case, tmp_path):
    make, message = MALFORMED[case]
    path = make(tmp_path)
    args = ["--set", r"corpus.filename_pattern=\d{4}-\w+"] if case == "file name pattern" else []
    result = run_cli(
        "check", "--corpus", str(path), "--set", "cleaning.rules_file=", *args, cache_dir=tmp_path
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(message, result.stderr), result.stderr
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("segments.unitt=paragraph", r"segments.unitt: unknown parameter"),
        ("segments.window=three", r"segments.window: 'three' is not a int"),
        ("segments.unit=chapter", r"segments.unit: 'chapter' is not one of"),
        ("nosuch.thing=1", r"unknown section 'nosuch'"),
    ],
)
def test_cli_rejects_bad_parameters(override, message, tmp_path):
    result = run_cli("check", "--set", override, cache_dir=tmp_path)
    assert result.returncode == 2
    assert re.search(message, result.stderr), result.stderr


def test_rejected_documents_are_listed_and_counts_add_up(tmp_path):
    rows = [
        row("a", "a.txt"),
        row("b", "b.txt"),
        row("a", "c.txt"),
        row("d", "d.txt", date="1/2/3"),
    ]
    texts = {name: GOOD_TEXT.encode() for name in ["a.txt", "c.txt", "d.txt"]}
    path = write_manifest(tmp_path, rows, texts)
    params = params_for(path, on_error="reject")
    prepared = partitioned_corpus(params)
    documents = prepared.documents()
    assert list(documents["doc_id"]) == ["a"]
    reasons = dict(zip(prepared.rejected["location"], prepared.rejected["reason"], strict=True))
    assert len(documents) + len(reasons) == len(rows)
    assert "not found" in reasons["manifest.csv row 3"]
    assert "duplicate" in reasons["manifest.csv row 4"]
    assert "1/2/3" in reasons["manifest.csv row 5"]


def test_document_emptied_by_cleaning_is_reported(tmp_path):
    texts = {"a.txt": GOOD_TEXT.encode(), "b.txt": b"http://example.org/only-a-link"}
    path = write_manifest(tmp_path, [row("a", "a.txt"), row("b", "b.txt")], texts)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: urls\n    pattern: 'https?://\\S+'\n")
    params = build_params({"corpus": {"path": str(path), "on_error": "reject"},
                           "cleaning": {"rules_file": str(rules)}})  # fmt: skip
    prepared = partitioned_corpus(params).in_memory()
    assert list(prepared.rejected["doc_id"]) == ["b"]
    assert "nothing is left after cleaning" in prepared.rejected["reason"].iloc[0]


def test_raw_files_are_never_modified():
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.glob("*.txt")}
    params = Params()
    partitioned_corpus(params).in_memory()
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.glob("*.txt")}
    assert before == after
    assert len(before) == 5


def _kept(seen: validate.SeenIds, batch: list[tuple[str, str]]) -> list[str]:
    """Each row's first location if a duplicate (else "" and the row is kept)."""
    seen.begin_batch([doc_id for doc_id, _ in batch])
    found = []
    for doc_id, location in batch:
        first = seen.location(doc_id)
        found.append(first or "")
        if first is None:
            seen.add(doc_id, location)
    return found


@pytest.mark.parametrize("collide", [False, True])
def test_seen_ids_find_duplicates_across_batches_and_within_one(monkeypatch, collide):
    """The compact id index answers as a dict would; with every id hashed alike (a
    collision everywhere) no distinct id is taken for a duplicate."""
    if collide:
        monkeypatch.setattr(validate, "_id_hashes", lambda ids: np.zeros(len(ids), np.uint64))
    seen = validate.SeenIds()
    assert _kept(seen, [("a", "row 1"), ("b", "row 2"), ("a", "row 3")]) == ["", "", "row 1"]
    assert _kept(seen, [("c", "row 4"), ("b", "row 5")]) == ["", "row 2"]
    assert _kept(seen, []) == []
    batch = [(f"id{i}", f"row {i + 6}") for i in range(50)] + [("c", "row 56"), ("a", "row 57")]
    assert _kept(seen, batch) == [""] * 50 + ["row 4", "row 1"]
    assert _kept(seen, [("id49", "row 58"), ("id50", "row 59")]) == ["row 55", ""]
