"""Decoding: strict, fallback only into plausible text, and the reason named."""

from __future__ import annotations

import pytest

from analysis.corpus.decoding import (
    DecodingError,
    decode_document,
    implausible_text,
    mixed_utf8,
)

TEXT = "The envoy said the talks in Geneva would resume on Monday. " * 5


def test_utf8_is_read_strictly_and_a_real_cp1252_file_falls_back():
    assert decode_document(TEXT.encode(), "a.txt", "utf-8") == (TEXT, "utf-8")
    french = TEXT + "Le café était très animé – naïvement."
    assert decode_document(french.encode("cp1252"), "a.txt", "utf-8", ("cp1252",)) == (
        french,
        "cp1252",
    )


def test_a_utf8_file_with_one_stray_byte_is_not_turned_into_mojibake():
    data = "General’s envoy in Genève ".encode() + b"\x92" + TEXT.encode()
    assert "cp1252" not in str(data)
    with pytest.raises(DecodingError, match=r"a.txt: bytes b'\\x92.*UTF-8 with stray bytes"):
        decode_document(data, "a.txt", "utf-8", ("cp1252",))
    assert mixed_utf8(data).startswith("the file also holds 2 UTF-8 character(s) such as '’'")


@pytest.mark.parametrize(
    ("data", "fallbacks", "message"),
    [
        (TEXT.encode("utf-16"), ("cp1252",), r"UTF-16 byte-order mark"),
        (TEXT.encode("utf-16-le"), ("latin-1",), r"NUL"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ("latin-1",), r"NUL byte"),
        (b"\x00" * 10, (), r"10 NUL byte\(s\)"),
        (bytes(range(1, 9)) * 4, (), r"32 of its 32 characters are control characters"),
    ],
)
def test_binary_and_wrong_encodings_are_refused_with_the_reason(data, fallbacks, message):
    with pytest.raises(DecodingError, match=message):
        decode_document(data, "a.txt", "utf-8", fallbacks)


def test_a_few_control_characters_in_a_long_text_are_accepted():
    assert implausible_text(TEXT + "\x1a") == ""  # a DOS end-of-file mark
    assert implausible_text("tab\tform feed\f line\r\n") == ""
    assert "control characters" in implausible_text("ab\x01\x02")


def test_unknown_encodings_are_named():
    with pytest.raises(DecodingError, match=r"unknown encoding 'klingon'"):
        decode_document(b"x", "a.txt", "klingon")
    with pytest.raises(DecodingError, match=r"unknown encoding 'elvish'"):
        decode_document(b"\xff", "a.txt", "utf-8", ("elvish",))
