"""Actors: who is mentioned where, how often, and with whom.

The gazetteer (analysis/resources/actors.yaml) lists actors with aliases, a type and a
camp. All aliases are matched together, longest first and without overlaps, so
"UN Security Council" counts for the Security Council and not also for the UN.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.core.paths import load_versioned_yaml, project_path
from analysis.corpus.partition_map import reduce_segments
from analysis.corpus.patterns import TermError, TermMatcher, compile_terms
from analysis.corpus.prepare import PartitionedCorpus
from analysis.corpus.tokens import count_words
from analysis.corpus.validate import require_columns
from analysis.framing.partials import join_partials

MENTION_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "actor": "actor id from the gazetteer",
    "camp": "actor's camp (national or organisational side)",
    "alias": "gazetteer alias that matched",
    "matched": "text that matched",
    "start": "character offset of the mention in the unit text",
    "end": "character offset just after the mention",
}
SALIENCE_COLUMNS = {
    "group": "comparison group (source)",
    "actor": "actor id",
    "name": "actor name",
    "camp": "actor's camp",
    "mentions": "mentions of the actor in the group",
    "units": "units mentioning the actor",
    "share_units": "share of the group's units mentioning the actor",
    "per_1000": "mentions per 1,000 running words of the group",
}
COOCCURRENCE_COLUMNS = {
    "group": "comparison group (source)",
    "actor_a": "first actor id (alphabetical)",
    "actor_b": "second actor id",
    "units": "units of the group mentioning both actors",
}


@dataclass(frozen=True)
class Actor:
    actor_id: str
    name: str
    type: str
    camp: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActorGazetteer:
    """Versioned actors with a compiled matcher over all aliases."""

    version: str
    actors: tuple[Actor, ...]
    matcher: TermMatcher
    alias_actor: dict

    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.actor_id == actor_id)

    def names(self) -> dict[str, str]:
        return {a.actor_id: a.name for a in self.actors}

    def camps(self) -> dict[str, str]:
        return {a.actor_id: a.camp for a in self.actors}

    def demonym_camps(self) -> dict[str, str]:
        """Lower-cased demonym -> camp (e.g. "israeli" -> "Israel")."""
        return {d.lower(): a.camp for a in self.actors for d in a.demonyms}


def load_actor_gazetteer(path: str | Path) -> ActorGazetteer:
    """Read and validate the actor gazetteer YAML (see analysis/resources/actors.yaml)."""
    path = project_path(path)
    raw = load_versioned_yaml(path, "actors", "actor gazetteer", "params.framing.actors_file")
    camps, types = set(raw.get("camps") or []), set(raw.get("types") or [])
    actors, alias_actor = [], {}
    for key, spec in raw["actors"].items():
        actor = _parse_actor(path, str(key), spec, camps, types)
        for alias in actor.aliases:
            other = alias_actor.get(alias.lower())
            if other and other != actor.actor_id:
                raise InputError(f"{path}: alias {alias!r} belongs to both {other!r} and {key!r}")
            alias_actor[alias.lower()] = actor.actor_id
        actors.append(actor)
    try:
        matcher = compile_terms([a for actor in actors for a in actor.aliases])
    except TermError as err:
        raise InputError(f"{path}: {err}") from None
    alias_actor = {alias: alias_actor[alias.lower()] for alias in matcher.terms}
    return ActorGazetteer(str(raw["version"]), tuple(actors), matcher, alias_actor)


def _parse_actor(path: Path, key: str, spec: object, camps: set, types: set) -> Actor:
    where = f"{path}: actor {key!r}"
    if not isinstance(spec, dict):
        raise InputError(f"{where}: expected a mapping with name, type, camp, aliases")
    aliases = spec.get("aliases")
    if not isinstance(aliases, list) or not aliases:
        raise InputError(f"{where}: 'aliases:' must be a non-empty list")
    camp, kind = str(spec.get("camp") or ""), str(spec.get("type") or "")
    if not camp or (camps and camp not in camps):
        raise InputError(f"{where}: camp {camp!r} is not listed under 'camps:'")
    if not kind or (types and kind not in types):
        raise InputError(f"{where}: type {kind!r} is not listed under 'types:'")
    return Actor(
        actor_id=key,
        name=str(spec.get("name") or key),
        type=kind,
        camp=camp,
        aliases=tuple(str(a) for a in aliases),
        demonyms=tuple(str(d) for d in spec.get("demonyms") or []),
    )


def find_actors(text: str, gazetteer: ActorGazetteer) -> list[tuple[str, str, int, int, str]]:
    """(actor id, alias, start, end, matched text) for every mention in a text."""
    return [
        (gazetteer.alias_actor[m.term], m.term, m.start, m.end, m.matched)
        for m in gazetteer.matcher.find(text)
    ]


def actor_mentions(units: pd.DataFrame, gazetteer: ActorGazetteer) -> pd.DataFrame:
    """Every actor mention in every unit (MENTION_COLUMNS), in unit and text order."""
    require_columns(units, ["segment_id", "doc_id", "group", "text"], "actor_mentions(units)")
    camps = gazetteer.camps()
    rows = [
        (seg, doc, group, actor, camps[actor], alias, matched, start, end)
        for seg, doc, group, text in units[["segment_id", "doc_id", "group", "text"]].itertuples(
            index=False
        )
        for actor, alias, start, end, matched in find_actors(str(text), gazetteer)
    ]
    return pd.DataFrame(rows, columns=list(MENTION_COLUMNS)).astype({"start": int, "end": int})


def unit_words(units: pd.DataFrame) -> pd.DataFrame:
    """segment_id, group and running words of each unit (the denominators of salience)."""
    words = [count_words(t) for t in units["text"].astype(str)]
    return pd.DataFrame({"segment_id": units["segment_id"], "group": units["group"],
                         "n_words": words}).reset_index(drop=True)  # fmt: skip


def actor_salience(
    units: pd.DataFrame, mentions: pd.DataFrame, gazetteer: ActorGazetteer
) -> pd.DataFrame:
    """Mentions, units mentioning, share of units and rate per 1,000 words, by group
    (`units`: segments with text, or their `unit_words`)."""
    unit_groups = units if "n_words" in units.columns else unit_words(units)
    totals = unit_groups.groupby("group").agg(
        n_units=("segment_id", "size"), words=("n_words", "sum")
    )
    counts = mentions.groupby(["group", "actor"]).agg(
        mentions=("segment_id", "size"), units=("segment_id", "nunique")
    )
    table = counts.reset_index().merge(totals.reset_index(), on="group")
    table["share_units"] = table["units"] / table["n_units"]
    table["per_1000"] = 1000.0 * table["mentions"] / table["words"].clip(lower=1)
    table["name"] = table["actor"].map(gazetteer.names())
    table["camp"] = table["actor"].map(gazetteer.camps())
    table = table.sort_values(["group", "mentions", "actor"], ascending=[True, False, True])
    return table[list(SALIENCE_COLUMNS)].reset_index(drop=True)


def actor_cooccurrence(mentions: pd.DataFrame) -> pd.DataFrame:
    """Pairs of actors mentioned in the same unit, counted per group (COOCCURRENCE_COLUMNS)."""
    rows: dict[tuple[str, str, str], int] = {}
    for (group, _seg), actors in mentions.groupby(["group", "segment_id"])["actor"]:
        for a, b in combinations(sorted(set(actors)), 2):
            rows[(group, a, b)] = rows.get((group, a, b), 0) + 1
    table = pd.DataFrame(
        [(g, a, b, n) for (g, a, b), n in rows.items()], columns=list(COOCCURRENCE_COLUMNS)
    )
    return table.sort_values(
        ["group", "units", "actor_a", "actor_b"], ascending=[True, False, True, True]
    ).reset_index(drop=True)


@dataclass(frozen=True)
class ActorAnalysis:
    gazetteer: ActorGazetteer
    mentions: pd.DataFrame
    salience: pd.DataFrame
    cooccurrence: pd.DataFrame


def analyse_actors(units: pd.DataFrame, actors_file: str | Path) -> ActorAnalysis:
    """Mentions, salience and co-occurrence of the gazetteer's actors (one notebook step)."""
    gazetteer = load_actor_gazetteer(actors_file)
    mentions = actor_mentions(units, gazetteer)
    return ActorAnalysis(
        gazetteer=gazetteer,
        mentions=mentions,
        salience=actor_salience(units, mentions, gazetteer),
        cooccurrence=actor_cooccurrence(mentions),
    )


def corpus_actors(corpus: PartitionedCorpus, params: Params) -> ActorAnalysis:
    """`analyse_actors` over the partitioned corpus, partition by partition on the
    scheduler; `mentions` without the matched text."""
    gazetteer = load_actor_gazetteer(params.framing.actors_file)
    parts = reduce_segments(
        corpus, partition_actors, join_partials, gazetteer, params,
        ["segment_id", "doc_id", "group", "text"], "actors",
    )  # fmt: skip
    mentions = parts["mentions"]
    return ActorAnalysis(
        gazetteer=gazetteer,
        mentions=mentions,
        salience=actor_salience(parts["units"], mentions, gazetteer),
        cooccurrence=actor_cooccurrence(mentions),
    )


def partition_actors(units: pd.DataFrame, gazetteer: ActorGazetteer) -> dict:
    """One partition's actor mentions (no matched text) and words per unit."""
    mentions = actor_mentions(units, gazetteer).drop(columns="matched")
    return {"mentions": mentions, "units": unit_words(units)}


# Table schemas: the description and columns each table is saved with.
SALIENCE_SCHEMA = {
    "description": (
        "Mentions of each actor per source: counts, units mentioning it, share of units and "
        "rate per 1,000 words."
    ),
    "columns": SALIENCE_COLUMNS,
}

COOCCURRENCE_SCHEMA = {
    "description": "Pairs of actors mentioned in the same unit, per source.",
    "columns": COOCCURRENCE_COLUMNS,
}
