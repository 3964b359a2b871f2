"""Actor gazetteer: aliases, longest match, salience by hand, co-occurrence, bad files."""

import pandas as pd
import pytest

from analysis.core.paths import RESOURCES
from analysis.framing.actors import analyse_actors, corpus_actors, load_actor_gazetteer

GAZETTEER = """
version: "t1"
types: [organisation, organ, person, state]
camps: [United Nations, Israel]
actors:
  un: {name: United Nations, type: organisation, camp: United Nations,
       aliases: [United Nations, UN]}
  unsc: {name: Security Council, type: organ, camp: United Nations,
         aliases: [Security Council, UN Security Council]}
  israel: {name: Israel, type: state, camp: Israel, aliases: [Israel], demonyms: [Israeli]}
  netanyahu: {name: Benjamin Netanyahu, type: person, camp: Israel, aliases: [Netanyahu]}
"""


@pytest.fixture
def gazetteer_file(tmp_path):
    path = tmp_path / "actors.yaml"
    path.write_text(GAZETTEER, encoding="utf-8")
    return path


def units():
    return pd.DataFrame(
        {
            "segment_id": ["a:1", "a:2", "b:1"],
            "doc_id": ["a", "a", "b"],
            "group": ["A", "A", "B"],
            "text": [
                "The UN Security Council met; Israel's envoy and Netanyahu objected.",
                "Let us say the United Nations spoke to Israel.",
                "Israeli officials stayed silent.",
            ],
        }
    )


def test_mentions_use_longest_alias_and_skip_demonyms(gazetteer_file):
    result = analyse_actors(units(), gazetteer_file)
    found = list(zip(result.mentions["segment_id"], result.mentions["actor"], strict=True))
    assert found == [
        ("a:1", "unsc"),
        ("a:1", "israel"),
        ("a:1", "netanyahu"),
        ("a:2", "un"),
        ("a:2", "israel"),
    ]


def test_salience_by_hand(gazetteer_file):
    sal = analyse_actors(units(), gazetteer_file).salience.set_index(["group", "actor"])
    israel = sal.loc[("A", "israel")]
    assert (israel["mentions"], israel["units"], israel["share_units"]) == (2, 2, 1.0)
    assert israel["per_1000"] == pytest.approx(1000 * 2 / (10 + 9))
    assert ("B", "israel") not in sal.index


def test_cooccurrence_counts_units(gazetteer_file):
    co = analyse_actors(units(), gazetteer_file).cooccurrence
    pairs = {(a, b): n for _, a, b, n in co.itertuples(index=False)}
    assert pairs[("israel", "netanyahu")] == 1 and pairs[("israel", "un")] == 1
    assert pairs[("israel", "unsc")] == 1 and ("un", "unsc") not in pairs


def test_bad_gazetteer_names_the_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        GAZETTEER.replace("camp: Israel, aliases: [Netanyahu]", "camp: Mars, aliases: [N]")
    )
    with pytest.raises(ValueError, match="Mars"):
        load_actor_gazetteer(path)
    path.write_text(GAZETTEER.replace("aliases: [Netanyahu]", "aliases: [Israel]"))
    with pytest.raises(ValueError, match="belongs to both"):
        load_actor_gazetteer(path)


def test_shipped_gazetteer_names_the_seed_people():
    gazetteer = load_actor_gazetteer(RESOURCES / "actors.yaml")
    ids = {a.actor_id for a in gazetteer.actors}
    assert {"guterres", "trump", "biden", "kerry", "netanyahu", "lavrov", "abbas", "putin",
            "obama", "mogherini", "mills", "maleki", "lykketoft", "unsco", "dppa", "unrwa",
            "quartet", "arab_league", "palestinian_authority", "plo", "hamas"} <= ids  # fmt: skip


def test_actors_of_the_partitioned_corpus_equal_those_of_its_segments(seed_runs, seed_segments):
    reference = analyse_actors(seed_segments, seed_runs["one"][1].framing.actors_file)
    for corpus, params in seed_runs.values():
        actors = corpus_actors(corpus, params)
        pd.testing.assert_frame_equal(actors.salience, reference.salience)
        pd.testing.assert_frame_equal(actors.cooccurrence, reference.cooccurrence)
        pd.testing.assert_frame_equal(actors.mentions, reference.mentions.drop(columns="matched"))
