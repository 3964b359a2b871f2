"""Decoding a document's bytes: strictly, in the declared encoding or a named fallback, and
only into plausible text.

A fallback encoding such as cp1252 decodes almost any bytes, so "it decoded" proves nothing:
a UTF-8 file with one stray byte becomes "Generalâ€™s … GenÃ¨ve", a UTF-16 file or a PNG
becomes a string of control characters. A decoding is accepted only when the whole file
decodes and the result looks like text; otherwise the error says what the file seems to be.
"""

from __future__ import annotations

import re

from analysis.core.errors import InputError

# A valid UTF-8 multi-byte sequence: in a file that is not valid UTF-8, its presence means
# the file is UTF-8 with some stray bytes, and any 8-bit fallback would give mojibake.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Control characters (Unicode category Cc) other than tab, line ends and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Share of control characters (other than tabs, line ends and form feeds) above which a
# decoded file is taken for binary data or a wrong encoding (UTF-16 text is half NULs).
MAX_CONTROL_SHARE = 0.01


class DecodingError(InputError):
    """Bytes that do not decode, or decode into something that is not text."""


def decode_document(
    data: bytes, location: str, encoding: str, fallbacks: tuple[str, ...] = ()
) -> tuple[str, str]:
    """(text, encoding used): strict `encoding`, else the first fallback that decodes the
    whole file into plausible text; DecodingError naming the file and what to do otherwise."""
    try:
        text = data.decode(encoding)
    except LookupError:
        raise DecodingError(_unknown(location, encoding)) from None
    except UnicodeDecodeError as err:
        return _decode_fallback(data, location, encoding, fallbacks, err)
    problem = implausible_text(text)
    if problem:
        raise DecodingError(f"{location}: {problem}{_utf16_hint(data)}")
    return text, encoding


def _decode_fallback(
    data: bytes, location: str, encoding: str, fallbacks: tuple[str, ...], first
) -> tuple[str, str]:
    bad = first.object[first.start : first.start + 4]
    where = f"{location}: bytes {bad!r} at offset {first.start} are not valid {encoding}"
    if not fallbacks:
        raise DecodingError(
            f"{where}; convert the file to {encoding}, or name its encoding in "
            "corpus.fallback_encodings (e.g. [cp1252])"
        )
    refusals = []
    for fallback in fallbacks:
        try:
            text = data.decode(fallback)
        except LookupError:
            raise DecodingError(_unknown(location, fallback)) from None
        except UnicodeDecodeError as err:
            refusals.append(f"not valid {fallback} either (offset {err.start})")
            continue
        problem = implausible_fallback(data, encoding) or implausible_text(text)
        if problem:
            refusals.append(f"as {fallback}: {problem}")
            continue
        return text, fallback
    raise DecodingError(
        f"{where}, and no fallback gives plausible text ({'; '.join(refusals)}){_utf16_hint(data)}"
        f"; convert the file to {encoding} (or fix the stray bytes)"
    )


def implausible_fallback(data: bytes, declared: str) -> str:
    """Why bytes that are not valid `declared` must not be read in an 8-bit fallback
    either: they hold NUL bytes (UTF-16/32 or binary), or, for a UTF-8 `declared`, valid
    UTF-8 characters besides the stray bytes; "" otherwise. Works on a block of a file."""
    if b"\x00" in data:
        return "holds NUL bytes: UTF-16/32 or a binary file, not 8-bit text"
    return mixed_utf8(data) if _is_utf8(declared) else ""


def mixed_utf8(data: bytes) -> str:
    """A sentence when bytes that are not UTF-8 also hold valid UTF-8 multi-byte characters
    (a UTF-8 file with stray bytes: an 8-bit fallback would turn 'é' into 'Ã©'); else ""."""
    found = _UTF8_SEQUENCE.findall(data)
    if not found:
        return ""
    sample = found[0].decode("utf-8")
    return (
        f"the file also holds {len(found)} UTF-8 character(s) such as {sample!r}, so it is "
        "UTF-8 with stray bytes and would be mis-decoded (mojibake like 'â€™')"
    )


def implausible_text(text: str) -> str:
    """A sentence when `text` does not look like text (NUL bytes or many control
    characters: a binary file or a wrong encoding); "" when it does."""
    if "\x00" in text:
        return f"holds {text.count(chr(0))} NUL byte(s): a binary file or UTF-16/32, not text"
    controls = len(_CONTROL.findall(text))
    if controls and controls > MAX_CONTROL_SHARE * len(text):
        return (
            f"{controls} of its {len(text)} characters are control characters: a binary file "
            "or the wrong encoding, not text"
        )
    return ""


def _utf16_hint(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return " (it starts with a UTF-16 byte-order mark: convert it to UTF-8)"
    return ""


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in {"utf-8", "utf8", "utf-8-sig"}


def _unknown(location: str, encoding: str) -> str:
    return (
        f"{location}: unknown encoding {encoding!r}; check corpus.encoding and "
        "corpus.fallback_encodings"
    )


_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")
MIN_LATIN_SHARE = 0.5  # below this share of Latin-script letters a text is not taken for English
SCRIPT_SAMPLE_CHARS = 2000  # characters at the start of a document whose script is checked


def mostly_latin(text: str) -> bool:
    """Whether at least `MIN_LATIN_SHARE` of the letters at the start of `text` (its first
    `SCRIPT_SAMPLE_CHARS` characters) are Latin, or it has none."""
    sample = text[:SCRIPT_SAMPLE_CHARS]
    if sample.isascii():  # every ASCII letter is Latin
        return True
    letters = len(_LETTER.findall(sample))
    return not letters or len(_LATIN_LETTER.findall(sample)) >= MIN_LATIN_SHARE * letters
