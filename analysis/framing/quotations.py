"""Who speaks: quotations, reported speech and anonymous sourcing, with their speakers.

Rules (English news style), applied to each unit's text:

- a speech cue is a verb of saying ("said", "told", "added", "noted", "argued", ...) or
  "according to"; cues inside quotation marks are part of a quotation and are skipped;
- the speaker is the phrase before the cue within its clause ("Mills said", "An Israeli
  official told"), after it for "according to X" and inverted cues (", said Mills"); a
  trailing appositive is dropped ("Richard Mills, the interim representative ..., said");
- a quotation in quotation marks right before (", Mills said") or right after ("said: ...")
  the cue makes the attribution direct; otherwise it is reported speech;
- the speaker is mapped to an actor and camp with the gazetteer (last actor named in the
  phrase; a demonym such as "Israeli" gives the camp of an unnamed speaker);
- anonymous: an unnamed official / source / diplomat (no person from the gazetteer in the
  phrase), or "on condition of anonymity" in the sentence;
- a pronoun ("he said") takes the speaker of the previous attribution in the same
  document; a definite unnamed speaker without camp ("the official") takes the camp of
  the previous anonymous speaker in the document. Both are flagged in `resolved`;
- unnamed people are anonymous too ("participants", "speakers", "representatives of LAS"),
  with the camp of the organisation named after the head noun ("of", "from", "at");
- a passive cue without agent ("it was highlighted that") names no speaker and is skipped;
  a cue followed by a colon that introduces another attribution in the same sentence
  ("Breitbart reported: The official said ...") and a second verb of the same subject
  (", but also indicated that") are not counted again;
- a quotation in a sentence without any cue, of at least CONTINUATION_MIN_WORDS words and
  ending a sentence, continues the previous speaker of the document ('continuation'); a
  last quotation mark left open runs to the end of the unit (a quotation that goes on in
  the next paragraph is not closed, in news style).

Measured on the hand-annotated seed gold standard by `quotation_scoring.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from analysis.corpus.kwic import context_of, word_index
from analysis.corpus.sentences import sentence_spans
from analysis.corpus.tokens import normalise_quotes
from analysis.corpus.validate import require_columns
from analysis.framing.actors import ActorGazetteer, find_actors

SPEECH_VERBS = (
    "responded by saying|said|says|saying|told|tells|added|adds|noted|argued|"
    "asserted|opined|stressed|warned|explained|insisted|claimed|declared|announced|"
    "emphasi[sz]ed|reported|proposed|agreed|highlighted|expressed|pointed out|"
    "protested|lauded|praised|criticised|criticized|condemned"
)
# "it was highlighted that", "was unanimously welcomed": a passive without "by" names no one.
_PASSIVE = re.compile(
    r"\b(?:is|are|was|were|be|been|being)\s+(?:(?:also|not|\w+ly)\s+){0,2}$", re.I
)
_CUE = re.compile(rf"\b(?:(?P<according>according to)|(?P<verb>{SPEECH_VERBS}))\b", re.I)
_QUOTE_CHARS = re.compile(r"[\"\u201c\u201d]")
_PRONOUNS = {"he", "she", "they", "i", "we", "it"}
_RELATIVES = {"who", "whose", "which", "that", "what", "it", "this"}
_CONJUNCTIONS = re.compile(r"^(?:and|but|or|while|who|which|also|then|however|as)\b\s*", re.I)
_ANONYMOUS_HEAD = re.compile(
    r"\b(?:officials?|sources?|diplomats?|aides?|insiders?|spokes(?:man|woman|person)|"
    r"people familiar|person familiar|participants?|speakers?|representatives?|delegates?|"
    r"delegations?|experts?|observers?|analysts?)\b",
    re.I,
)
# "representatives of LAS", "speakers from the UN": the organisation after the head noun.
_AFFILIATION = re.compile(r"\s+(?:of|from|at|with)\s+[^,;:]+")
# A quotation with no cue that continues the previous speaker ("... ," Mills said. / "Biden
# has made clear ..."): at least this many words, ending a sentence.
CONTINUATION_MIN_WORDS = 6
ANONYMITY_MARKERS = (
    r"on (?:the )?condition of anonymity",
    r"(?:requested|asked|spoke on condition of|declined to be|not authori[sz]ed to be) "
    r"(?:anonymity|named|identified)",
    r"sources? (?:said|say|says|told)",
    r"according to (?:the |\w+ )?sources?",
    r"\ban? (?:senior |high-ranking |top )?(?:\w+ )?(?:official|source)\b",
)
_MARKERS = re.compile("|".join(f"(?:{m})" for m in ANONYMITY_MARKERS), re.I)
# Where `str.lower` and ignoring case disagree: "İ" lowers to two characters, "ı" and "ſ"
# match "i" and "s" ignoring case but stay as they are (tests/framing/test_quotations.py
# checks every Unicode character).
_UNSAFE_LOWER = "\u0130\u0131\u017f"

ATTRIBUTION_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "kind": "direct (quotation marks), reported (verb of saying) or according_to",
    "cue": "the speech cue as written",
    "speaker": "speaker phrase as written in the text (pronouns kept)",
    "actor": "gazetteer actor id of the speaker ('' if none)",
    "camp": "speaker's camp ('Unidentified' if the text does not say)",
    "anonymous": "1 if the speaker is an unnamed official or source, else 0",
    "resolved": "'' or how the speaker was found: 'pronoun', 'anaphor' or 'continuation' "
    "(a quotation with no cue continuing the previous speaker)",
    "quote": "quoted words for direct attributions, else ''",
    "statement": "what is attributed: the quoted words (direct) or the whole sentence",
    "context": "the sentence with the cue (up to 200 characters)",
}
VOICE_COLUMNS = {
    "group": "comparison group (source)",
    "camp": "camp of the quoted speaker",
    "voices": "attributions (quotations, reported speech, according-to) to the camp",
    "anonymous": "of which the speaker is anonymous",
    "share": "voices / all attributions in the group",
}
MARKER_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "marker": "anonymous-sourcing phrase as matched",
    "left": "text before the marker",
    "right": "text after the marker",
}


@dataclass(frozen=True)
class _Speaker:
    phrase: str
    actor: str
    camp: str
    anonymous: int
    resolved: str


def finditer_ignoring_case(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a case-insensitive pattern whose letters are all lower
    case, three times faster: the pattern without `re.I` run on `text.lower()` (same
    offsets, so read what a match covers in `text`, not with `group`); texts holding one of
    `_UNSAFE_LOWER` run `pattern` itself."""
    if any(char in text for char in _UNSAFE_LOWER):
        return pattern.finditer(text)
    return _case_sensitive(pattern).finditer(text.lower())


@functools.cache
def _case_sensitive(pattern: re.Pattern) -> re.Pattern:
    """`pattern` without `re.I`."""
    return re.compile(pattern.pattern, pattern.flags & ~re.I)


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of text between paired quotation marks (marks paired in order); a last
    mark left open runs to the end of the unit (news style: a quotation that goes on in the
    next paragraph is not closed)."""
    marks = [m.start() for m in _QUOTE_CHARS.finditer(text)]
    spans = [(marks[i] + 1, marks[i + 1]) for i in range(0, len(marks) - 1, 2)]
    if len(marks) % 2 and text[marks[-1] + 1 :].strip():
        spans.append((marks[-1] + 1, len(text.rstrip())))
    return spans


def _speaker_phrase(text: str, clause_start: int, cue_start: int) -> str:
    """The subject phrase before a cue: last comma-chunk, skipping a trailing appositive."""
    phrase = text[clause_start:cue_start].strip().strip('"“”')
    phrase = re.split(r"\b(?:cited|citing|quoted|quoting)\b|[:;]", phrase)[-1]
    chunks = [c.strip() for c in phrase.split(",")]
    if phrase.rstrip().endswith(",") and len(chunks) >= 3:
        chunks = chunks[:-2]  # "X, appositive," -> X
    chunks = [c for c in chunks if _CONJUNCTIONS.sub("", c).strip()] or [""]
    words = _CONJUNCTIONS.sub("", chunks[-1]).split()
    words = [w for w in words if w.lower() not in {"also", "again", "later", "then"}]
    phrase = re.sub(r"^[\d.)\s]+", "", " ".join(words[-14:])).strip(" :;-")
    return "" if phrase.lower() in _RELATIVES else phrase


def _after_phrase(text: str, start: int) -> str:
    """The phrase after a cue up to the next punctuation ("according to X," / "said X.")."""
    match = re.match(r"\s*([^,.;:!?\"“”()]{1,80})", text[start:])
    return " ".join(match.group(1).split()[:10]) if match else ""


def classify_speaker(phrase: str, sentence: str, gazetteer: ActorGazetteer) -> _Speaker:
    """Actor, camp and anonymity of a speaker phrase (no resolution of pronouns here)."""
    mentions = find_actors(phrase, gazetteer)
    person = any(gazetteer.actor(a).type == "person" for a, *_ in mentions)
    head = None if person else _ANONYMOUS_HEAD.search(phrase)
    scope = phrase
    if head:  # "an Israeli official dealing with the UN": camp from before the head noun,
        affiliation = _AFFILIATION.match(phrase, head.end())  # or "officials of the UN"
        scope = phrase[: affiliation.end() if affiliation else head.end()]
        mentions = find_actors(scope, gazetteer)
    actor = mentions[-1][0] if mentions else ""
    camp = gazetteer.actor(actor).camp if actor else ""
    if not camp:
        demonyms = gazetteer.demonym_camps()
        found = [demonyms[w.lower()] for w in re.findall(r"[\w-]+", scope) if w.lower() in demonyms]
        camp = found[-1] if found else ""
    anonymous = (bool(head) and not person) or bool(
        re.search(r"condition of anonymity", sentence, re.I) and not person
    )
    if anonymous and actor and gazetteer.actor(actor).type == "media":
        actor, camp = "", ""  # "a senior official ... told Al-Monitor": Al-Monitor is the listener
    return _Speaker(phrase, actor if not anonymous else "", camp, int(anonymous), "")


def _resolve(speaker: _Speaker, history: list[_Speaker]) -> _Speaker:
    """Pronouns take the previous speaker; 'the official' takes the last anonymous camp."""
    first = speaker.phrase.split()[0].lower() if speaker.phrase.split() else ""
    if speaker.phrase.lower() in _PRONOUNS and history:
        prev = history[-1]
        return _Speaker(speaker.phrase, prev.actor, prev.camp, prev.anonymous, "pronoun")
    if first == "the" and speaker.anonymous and not speaker.camp:
        for prev in reversed(history):
            if prev.anonymous and prev.camp:
                return _Speaker(speaker.phrase, "", prev.camp, 1, "anaphor")
    return speaker


def unit_attributions(text: str, gazetteer: ActorGazetteer) -> list[dict]:
    """Attributions in one text, in order (without resolution across units)."""
    text = normalise_quotes(text)
    quotes = quote_spans(text)
    cues = [
        c
        for c in finditer_ignoring_case(_CUE, text)
        if not any(a <= c.start() < b for a, b in quotes)
    ]
    sentences = sentence_spans(text) if cues or quotes else []
    rows = []
    for number, cue in enumerate(cues):
        sent = next(((a, b) for a, b in sentences if a <= cue.start() < b), (0, len(text)))
        if cue.group("verb") and _PASSIVE.search(text[sent[0] : cue.start()]):
            continue
        if _introduces_next(text, cue, cues[number + 1 :], sent):
            continue
        before = [b + 1 for a, b in quotes if sent[0] <= b + 1 <= cue.start()]
        clause_start = max([sent[0], *before])
        quote = ""
        if cue.group("according"):
            kind, phrase = "according_to", _after_phrase(text, cue.end())
        else:
            kind, phrase = "reported", _speaker_phrase(text, clause_start, cue.start())
            if not phrase:
                phrase = _after_phrase(text, cue.end())
            after = [(a, b) for a, b in quotes if 0 <= a - cue.end() <= 4]
            if before and text[before[-1] : cue.start()].count(" ") <= 12:
                kind = "direct"
                quote = next(text[a:b] for a, b in quotes if b + 1 == before[-1])
            elif after:
                kind, quote = "direct", text[after[0][0] : after[0][1]]
        if not phrase or (
            rows
            and _is_coordinated(text, clause_start, cue.start())
            and rows[-1]["sentence"] == sent
        ):
            continue
        speaker = classify_speaker(phrase, text[sent[0] : sent[1]], gazetteer)
        rows.append(
            {
                "kind": kind,
                "cue": text[cue.start() : cue.end()],
                "speaker": speaker,
                "quote": " ".join(quote.split()),
                "statement": " ".join((quote or text[sent[0] : sent[1]]).split()),
                "context": " ".join(text[sent[0] : sent[1]].split())[:200],
                "sentence": sent,
            }
        )
    rows += _continuations(text, quotes, sentences, rows)
    return sorted(rows, key=lambda row: row["sentence"][0])  # text order (stable)


def _introduces_next(text: str, cue, later: list, sent: tuple[int, int]) -> bool:
    """'Breitbart Jerusalem reported: The official said ...': a cue followed by a colon and
    another cue in the same sentence only introduces that attribution."""
    if not text[cue.end() : cue.end() + 2].strip().startswith(":"):
        return False
    return any(c.start() < sent[1] and c.group("verb") for c in later)


def _is_coordinated(text: str, clause_start: int, cue_start: int) -> bool:
    """'... pointed out X, but also indicated that ...': a second verb of the same subject."""
    before = text[clause_start:cue_start].rsplit(",", 1)[-1]
    return bool(re.fullmatch(r"\s*(?:and|but|or)(?:\s+also)?\s*", before, re.I))


def _continuations(text, quotes, sentences, rows) -> list[dict]:
    """Quotations of a sentence with no attribution, long enough and ending a sentence, that
    continue the previous speaker (resolved in `attributions`)."""
    taken = {row["sentence"] for row in rows}
    quoted = {row["quote"] for row in rows}
    found = []
    for a, b in quotes:
        words = text[a:b].split()
        sent = next(((s, e) for s, e in sentences if s <= a < e), (0, len(text)))
        if sent in taken or " ".join(words) in quoted or len(words) < CONTINUATION_MIN_WORDS:
            continue
        if not re.search(r"[.!?,]\W*$", text[a:b]):
            continue
        quote = " ".join(words)
        found.append({"kind": "direct", "cue": "", "speaker": None, "quote": quote,
                      "statement": quote, "context": " ".join(text[sent[0]:sent[1]].split())[:200],
                      "sentence": sent})  # fmt: skip
    return found


def attributions(units: pd.DataFrame, gazetteer: ActorGazetteer) -> pd.DataFrame:
    """All attributions in all units (ATTRIBUTION_COLUMNS), speakers resolved per document."""
    require_columns(units, ["segment_id", "doc_id", "group", "text"], "attributions(units)")
    rows, history = [], {}
    for seg, doc, group, text in units[["segment_id", "doc_id", "group", "text"]].itertuples(
        index=False
    ):
        for found in unit_attributions(str(text), gazetteer):
            seen = history.setdefault(doc, [])
            if found["speaker"] is None:  # a continued quotation: the previous speaker
                if not seen:
                    continue
                prev = seen[-1]
                speaker = _Speaker("", prev.actor, prev.camp, prev.anonymous, "continuation")
            else:
                speaker = _resolve(found["speaker"], seen)
            seen.append(speaker)
            rows.append(
                {
                    "segment_id": seg, "doc_id": doc, "group": group, "kind": found["kind"],
                    "cue": found["cue"], "speaker": speaker.phrase, "actor": speaker.actor,
                    "camp": speaker.camp or "Unidentified", "anonymous": speaker.anonymous,
                    "resolved": speaker.resolved, "quote": found["quote"],
                    "statement": found["statement"], "context": found["context"],
                }
            )  # fmt: skip
    return pd.DataFrame(rows, columns=list(ATTRIBUTION_COLUMNS))


def voice_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Share of each camp among the attributions of each group (VOICE_COLUMNS)."""
    counts = table.groupby(["group", "camp"]).agg(
        voices=("kind", "size"), anonymous=("anonymous", "sum")
    )
    counts = counts.reset_index()
    counts["share"] = counts["voices"] / counts.groupby("group")["voices"].transform("sum")
    counts = counts.sort_values(["group", "voices", "camp"], ascending=[True, False, True])
    return counts[list(VOICE_COLUMNS)].reset_index(drop=True)


def anonymity_markers(units: pd.DataFrame) -> pd.DataFrame:
    """Every anonymous-sourcing phrase ("on condition of anonymity", "sources said",
    "a senior official", "according to sources") with context (MARKER_COLUMNS)."""
    rows = []
    for seg, doc, group, text in units[["segment_id", "doc_id", "group", "text"]].itertuples(
        index=False
    ):
        text = normalise_quotes(str(text))
        index = None
        for m in finditer_ignoring_case(_MARKERS, text):
            index = index or word_index(text)
            left, match, right, _ = context_of(text, m.start(), m.end(), 10, index)
            rows.append((seg, doc, group, match, left, right))
    return pd.DataFrame(rows, columns=list(MARKER_COLUMNS))


SOURCING_COLUMNS = {
    "group": "comparison group (source)",
    "attributions": "attributions (direct, reported, according-to) in the group",
    "direct": "of which direct quotations",
    "anonymous": "of which the speaker is anonymous",
    "anonymous_share": "anonymous / attributions",
    "named_actor_share": "share of attributions whose speaker is a gazetteer actor",
    "markers": "anonymous-sourcing phrases found (see the markers table)",
}


def sourcing_summary(table: pd.DataFrame, markers: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """Per group: attributions, direct quotes, anonymous share, anonymity markers."""
    rows = []
    for group in groups:
        part = table[table["group"] == group]
        n = len(part)
        rows.append(
            {
                "group": group,
                "attributions": n,
                "direct": int((part["kind"] == "direct").sum()),
                "anonymous": int(part["anonymous"].sum()),
                "anonymous_share": part["anonymous"].sum() / n if n else float("nan"),
                "named_actor_share": (part["actor"] != "").sum() / n if n else float("nan"),
                "markers": int((markers["group"] == group).sum()),
            }
        )
    return pd.DataFrame(rows, columns=list(SOURCING_COLUMNS))


@dataclass(frozen=True)
class Voices:
    attributions: pd.DataFrame
    shares: pd.DataFrame
    markers: pd.DataFrame
    summary: pd.DataFrame


def quoted_voices(units: pd.DataFrame, gazetteer: ActorGazetteer) -> Voices:
    """Attributions, camp shares, anonymity markers and per-group summary (one step)."""
    table = attributions(units, gazetteer)
    markers = anonymity_markers(units)
    groups = sorted(units["group"].astype(str).unique())
    return Voices(table, voice_shares(table), markers, sourcing_summary(table, markers, groups))


def sourcing_note(summary: pd.DataFrame, shares: pd.DataFrame) -> str:
    """One line per group: attributions, anonymous share and the most quoted camps."""
    lines = []
    for row in summary.itertuples(index=False):
        if not row.attributions:
            lines.append(f"- **{row.group}**: no attributed speech found.")
            continue
        top = shares[(shares["group"] == row.group) & (shares["camp"] != "Unidentified")]
        camps = ", ".join(
            f"{c} {v}" for c, v in list(zip(top["camp"], top["voices"], strict=True))[:3]
        )
        lines.append(
            f"- **{row.group}**: {row.attributions} attributions, {row.anonymous} "
            f"({row.anonymous_share:.0%}) to anonymous speakers, {row.markers} anonymity "
            f"markers; most quoted camps: {camps or 'none identified'}."
        )
    return "\n".join(lines)


# Table schemas: the description and columns each table is saved with.
ATTRIBUTION_SCHEMA = {
    "description": (
        "Every attribution (direct quote, reported speech, according-to) with its speaker, "
        "actor, camp and anonymity."
    ),
    "columns": ATTRIBUTION_COLUMNS,
}

SOURCING_SCHEMA = {
    "description": (
        "Per source: attributions, direct quotes, anonymous share and anonymity markers."
    ),
    "columns": SOURCING_COLUMNS,
}

MARKER_SCHEMA = {
    "description": "Every anonymous-sourcing phrase with its context.",
    "columns": MARKER_COLUMNS,
}

VOICE_SCHEMA = {
    "description": "Share of each camp among the attributions of each source.",
    "columns": VOICE_COLUMNS,
}
