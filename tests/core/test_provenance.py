"""Provenance helpers: hashes, canonical JSON, atomic writes, git state, fingerprints."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from analysis.core.params import CorpusParams, Params
from analysis.core.provenance import (
    STACK,
    atomic_write_bytes,
    canonical_json,
    fallback_corpus_fingerprint,
    git_state,
    package_versions,
    params_hash,
    relative_to_root,
    sha256_file,
)


def test_sha256_file_matches_hashlib(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"discourse" * 1000)
    assert sha256_file(path) == hashlib.sha256(b"discourse" * 1000).hexdigest()


def test_canonical_json_is_independent_of_key_order():
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert canonical_json({"a": "é"}) == '{\n  "a": "é"\n}\n'


def test_params_hash_changes_with_any_parameter():
    base = Params().to_dict()
    changed = Params().to_dict()
    changed["topics"]["passes"] += 1
    assert params_hash(base) == params_hash(Params().to_dict())
    assert params_hash(base) != params_hash(changed)


def test_atomic_write_replaces_whole_file_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_package_versions_name_the_whole_stack():
    versions = package_versions()
    assert set(versions) == {"analysis", *STACK}
    assert versions["pandas"] and versions["matplotlib"]


def test_git_state_reports_commit_and_dirty_flag():
    state = git_state()
    assert set(state) == {"commit", "dirty"}
    if state["commit"] is not None:  # not a checkout when installed from an archive
        assert len(state["commit"]) == 40 and isinstance(state["dirty"], bool)


def test_fallback_fingerprint_follows_corpus_bytes(tmp_path):
    (tmp_path / "a.txt").write_text("first text", encoding="utf-8")
    params = replace(Params(), corpus=CorpusParams(path=str(tmp_path)))
    before = fallback_corpus_fingerprint(params)
    assert fallback_corpus_fingerprint(params) == before
    (tmp_path / "a.txt").write_text("first text, edited", encoding="utf-8")
    assert fallback_corpus_fingerprint(params) != before


def test_relative_to_root():
    from analysis.core.paths import PROJECT_ROOT

    assert relative_to_root(PROJECT_ROOT / "notebooks" / "x.ipynb") == "notebooks/x.ipynb"
    assert relative_to_root(None) is None
    assert json.loads(json.dumps(relative_to_root("/tmp"))) == "/tmp"
