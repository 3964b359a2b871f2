"""Tests of analysis.core.cache: sealed entries and the lock under which one is built."""

from __future__ import annotations

import threading

from analysis.core.cache import damage, entry_lock, seal, unseal


def test_a_sealed_entry_is_used_only_while_every_file_is_intact(tmp_path):
    entry = tmp_path / "entry"
    entry.mkdir()
    (entry / "model.pickle").write_bytes(b"fitted")
    seal(entry, {"kind": "test"})
    assert unseal(entry)["kind"] == "test"
    (entry / "model.pickle").write_bytes(b"changed")
    assert damage(entry) == "model.pickle differs from the file recorded"
    assert unseal(entry) is None


def test_an_entry_lock_keeps_a_second_builder_waiting_until_the_first_is_done(tmp_path):
    entry = tmp_path / "topics" / "key"
    acquired = threading.Event()

    def second_builder() -> None:
        with entry_lock(entry):  # a separate open file: as another process would hold it
            acquired.set()

    with entry_lock(entry):
        thread = threading.Thread(target=second_builder)
        thread.start()
        assert not acquired.wait(0.5)  # still blocked while the first holds the lock
    thread.join(30)
    assert acquired.is_set()
    assert not entry.exists()  # the lock file lies beside the entry, hidden
    assert [p.name for p in entry.parent.iterdir()] == [".key.lock"]
