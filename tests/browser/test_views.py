"""The exported HTML views opened from disk in headless Chromium: they draw, respond to the
mouse and the slider, keep their panes apart at 1280x800, and need nothing but the file."""

from __future__ import annotations

import json

import pytest

from analysis.corpus.counts import segment_term_counts
from analysis.output.keyness_view import keyness_explorer_view
from analysis.output.topic_browser import topic_view
from analysis.output.topic_map import topic_map_view
from analysis.sources.keyness import KeynessSettings, keyness_table
from analysis.topics.comparison import intertopic_map, overall_prevalence
from analysis.topics.model import TopicSettings, fit_topic_model, topic_data
from tests.browser.chromium import overlapping_boxes
from tests.output.test_explore import topic_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def planted():
    """Alpha writes a-words, Beta b-words, Mixed both; "common" everywhere (see topic_corpus)."""
    corpus = topic_corpus()
    data = topic_data(corpus)
    fit = fit_topic_model(data.bow, data.dictionary, 2, TopicSettings(passes=20), seed=5)
    view = topic_view(fit, corpus, data=data)
    return corpus, view


def write(tmp_path, name: str, page: str):
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    return path.as_uri()


def texts(page, selector: str) -> list[str]:
    return page.evaluate(
        f"[...document.querySelectorAll({json.dumps(selector)})].map(e => e.textContent)"
    )


def bar_terms(page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#dl-bars g.dl-bar')].map(g => g.dataset.term)"
    )


def test_topic_map_links_map_bars_slider_and_passages(planted, page, tmp_path):
    corpus, view = planted
    topic_map = intertopic_map(view.topic_word, overall_prevalence(view.doc_topic, view.units))
    html = topic_map_view(view, topic_map, lam=1.0, n_terms=8).page({"notebook": "test"})
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    page.open(write(tmp_path, "topic-map.html", html))
    page.wait_for("document.querySelectorAll('#dl-map g.dl-topic').length === 2", what="2 topics")
    assert overlapping_boxes(page, ["#dl-map-panel", "#dl-bars-panel", "#dl-passages"]) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scroll

    # λ = 1: the most probable term of either topic is "common" (in every unit)
    assert bar_terms(page)[0] == "common"
    first = page.evaluate("document.querySelector('#dl-selected').textContent")
    # λ = 0 ranks by lift: "common" drops out, the topic's own letter leads
    page.evaluate(
        "(() => { const s = document.querySelector('#dl-lambda'); s.value = '0';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    page.wait_for("document.querySelector('#dl-lambda-value').textContent === '0.00'")
    bars = bar_terms(page)
    letter = bars[0][0]
    assert "common" not in bars and all(b[0] == letter for b in bars)
    source = {"a": "Alpha", "b": "Beta"}[letter]
    shares = {  # the passages of each source, with their share of the selected topic
        m.split(" · ")[0]: float(m.rsplit(" ", 1)[1]) for m in texts(page, "#dl-passages .dl-meta")
    }
    other_source = {"Alpha": "Beta", "Beta": "Alpha"}[source]
    assert shares[source] > 0.9 and shares[other_source] < 0.1, shares

    # clicking the other circle selects the other topic: new label, bars and passages
    other = page.evaluate(
        "[...document.querySelectorAll('#dl-map g.dl-topic')]"
        ".find(g => g.querySelector('circle').getAttribute('fill') !== '#D55E00')"
        ".dataset.topic"
    )
    page.click(f'#dl-map g.dl-topic[data-topic="{other}"] circle')
    page.wait_for(
        f"document.querySelector('#dl-selected').textContent !== {json.dumps(first)}",
        what="the clicked topic to be selected",
    )
    bars = bar_terms(page)
    assert all(b[0] != letter for b in bars)
    assert page.evaluate("document.querySelector('#dl-topic').value") == other

    # pointing at a term resizes the circles by p(topic | term)
    radius = "[...document.querySelectorAll('#dl-map circle')].map(c => +c.getAttribute('r'))"
    page.hover("#dl-bars g.dl-bar rect")
    page.wait_for(f"(r => Math.max(...r) / Math.min(...r) > 2)({radius})", what="resized circles")
    assert page.console == []


def test_keyness_explorer_hover_shows_kwic_and_search_finds_terms(planted, page, tmp_path):
    corpus, _ = planted
    keyness = keyness_table(segment_term_counts(corpus.segments), KeynessSettings(min_freq=1))
    html = keyness_explorer_view(keyness, corpus.segments, window=3).page({"notebook": "t"})
    page.open(write(tmp_path, "keyness.html", html))
    page.wait_for("document.querySelectorAll('#dl-plot circle.dl-point').length > 10")
    assert overlapping_boxes(page, ["#dl-plot-panel", "#dl-lines"]) == []

    # Beta against the rest: its own words are coloured, at the top
    page.evaluate(
        "(() => { const s = document.querySelector('#dl-group'); s.value = 'Beta';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    page.wait_for("document.querySelector('#dl-plot-panel h2').textContent.startsWith('Beta')")
    top = page.evaluate(
        "[...document.querySelectorAll('#dl-plot circle.dl-point')]"
        ".sort((a, b) => a.getAttribute('cy') - b.getAttribute('cy'))[0].dataset.term"
    )
    assert top.startswith("b")
    page.hover(f'#dl-plot circle.dl-point[data-term="{top}"]')
    page.wait_for(f"(document.querySelector('#dl-term') || {{}}).textContent === {json.dumps(top)}")
    marks = texts(page, "#dl-lines mark")
    assert marks and all(m == top for m in marks)  # the keyword, whole and highlighted
    assert page.evaluate("document.querySelector('#dl-tip').style.display") == "block"
    groups = texts(page, "#dl-lines td.dl-meta")
    assert any(g.startswith("Beta") for g in groups)

    # typing a term finds it
    page.click("#dl-search")
    page.type_text("a3")
    page.wait_for("(document.querySelector('#dl-term') || {}).textContent === 'a3'")
    assert page.console == []
