"""JupyterLab as a researcher meets it, in headless Chromium: each notebook opened and run
(Run > Run All Cells) from a copy in notebooks/scratch/ (which also checks that a copy
runs under its own name), the explorers driven through their controls, their layout
checked at 1280x800, and the exported HTML views opened from disk."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import pytest

from analysis.core.paths import PROJECT_ROOT
from tests.browser.chromium import BrowserError, overlapping_boxes
from tests.browser.conftest import screenshot
from tests.test_lab import lab  # noqa: F401 - the server fixture

pytestmark = pytest.mark.slow
RUN_ALL_TIMEOUT_S = 900  # 10_topics sweeps and fits when the cache is cold
# All four by default; a comma-separated subset to debug one (e.g. "10_topics").
NOTEBOOKS = tuple(
    os.environ.get(
        "DISCOURSE_LAB_BROWSER_NOTEBOOKS", "00_corpus,10_topics,20_framing,30_sources"
    ).split(",")
)


@pytest.fixture
def lab_settings(tmp_path, monkeypatch):
    """Fresh JupyterLab settings and workspaces; every cell kept in the DOM (no windowing)."""
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path / "lab-settings"))
    monkeypatch.setenv("JUPYTERLAB_WORKSPACES_DIR", str(tmp_path / "lab-workspaces"))


@pytest.fixture
def scratch_copies():
    """Copies of the notebooks in notebooks/scratch/ (git-ignored); removed afterwards with
    their runs/interactive/ folders."""
    tag = f"browser-{secrets.token_hex(3)}"
    folder = PROJECT_ROOT / "notebooks" / "scratch"
    folder.mkdir(exist_ok=True)
    copies = {}
    for name in NOTEBOOKS:
        copy = folder / f"{tag}-{name}.ipynb"
        shutil.copyfile(PROJECT_ROOT / "notebooks" / f"{name}.ipynb", copy)
        copies[name] = copy
    try:
        yield copies
    finally:
        for copy in copies.values():
            copy.unlink(missing_ok=True)
            shutil.rmtree(run_folder(copy), ignore_errors=True)


def run_folder(copy: Path) -> Path:
    return PROJECT_ROOT / "runs" / "interactive" / f"scratch-{copy.stem}"


def run_all(page, lab_server, copy: Path) -> None:
    """Open the copy in JupyterLab, Run > Run All Cells, wait until every cell has run."""
    rel = copy.relative_to(PROJECT_ROOT).as_posix()
    page.open(f"{lab_server.base}/lab/tree/{rel}?reset&token={lab_server.token}")
    page.wait_for(
        "document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').length > 3"
        " && /idle/i.test((document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)"
        " .jp-Notebook-ExecutionIndicator') || {}).dataset?.status || '')",
        what=f"{rel} open with an idle kernel",
    )
    page.wait_for(
        "/Discourse Lab/.test((document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)"
        " .jp-KernelName') || {}).textContent || '')",
        what=f"{rel} on the Discourse Lab kernel",
    )
    if page.evaluate("!!document.querySelector('#jp-left-stack:not(.lm-mod-hidden)')"):
        page.click(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")  # the notebook wide
    page.click(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell")  # the notebook active
    for attempt in range(3):  # a click that lands before the lab is ready is lost: retry
        page.evaluate(
            "[...document.querySelectorAll('.lm-MenuBar-item')]"
            ".find(e => e.textContent.trim() === 'Run').setAttribute('data-dl-menu', 'run')"
        )
        page.click(".lm-MenuBar-item[data-dl-menu='run']")
        page.click(".lm-Menu-item[data-command='runmenu:run-all']")
        try:
            page.wait_for(
                "[...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden)"
                " .jp-InputPrompt')].some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent))",
                timeout=30,
                what=f"{rel} to start running",
            )
            break
        except BrowserError:
            if attempt == 2:
                raise
    page.wait_for(
        "(() => { const p = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden)"
        " .jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());"
        " return p.length && p.every(t => /^\\[\\d+\\]:$/.test(t)); })()",
        timeout=RUN_ALL_TIMEOUT_S,
        what=f"every cell of {rel} to run",
    )
    errors = page.evaluate(
        "[...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="
        '"application/vnd.jupyter.stderr"], .jp-RenderedText[data-mime-type='
        '"application/vnd.jupyter.error"]\')].map(e => e.textContent.slice(0, 300))'
    )
    errors = [e for e in errors if "%|" not in e]  # a text progress bar is not an error
    assert errors == [], f"{rel}: {errors}"
    echoed = page.evaluate(
        "[...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.textContent)"
        ".filter(t => /Saved(Figure|Table|View)\\(/.test(t)).length"
    )
    assert echoed == 0, f"{rel}: {echoed} outputs echo a Saved...(...) repr"


def select_option(page, selector: str, index: int) -> None:
    page.evaluate(
        f"(() => {{ const s = document.querySelector({json.dumps(selector)});"
        f" s.selectedIndex = {index};"
        " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


def text_of(page, selector: str) -> str:
    return page.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent")


def labels_cut(page, root: str) -> list[str]:
    """Control labels narrower than their text (shown cut, as "window (…")."""
    return page.evaluate(
        f"[...document.querySelectorAll({json.dumps(root + ' .widget-label')})]"
        ".filter(e => e.textContent && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
    )


def output_of(page, source_text: str) -> str:
    """The rendered output (HTML) of the code cell whose source contains `source_text`."""
    return page.evaluate(
        "(() => { const c = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden)"
        f" .jp-CodeCell')].find(c => c.querySelector('.jp-InputArea').textContent.includes("
        f"{json.dumps(source_text)})); return c ? c.querySelector('.jp-OutputArea').innerHTML"
        ".slice(0, 3000) : 'no such cell'; })()"
    )


def check_topic_browser(page) -> None:
    root = ".dl-topic-browser"
    try:
        page.wait_for(f"document.querySelector('{root} .dl-terms table')", what="the browser")
    except BrowserError as err:
        raise BrowserError(f"{err}\n{output_of(page, 'TopicBrowser(')}") from None
    assert labels_cut(page, root) == []
    assert overlapping_boxes(page, [f"{root} .dl-terms", f"{root} .dl-passages"]) == []
    table = page.evaluate(f"document.querySelector('{root} .dl-terms table')"
                          ".getBoundingClientRect().toJSON()")  # fmt: skip
    pane = page.evaluate(f"document.querySelector('{root} .dl-passages')"
                         ".getBoundingClientRect().toJSON()")  # fmt: skip
    beside, below = table["right"] <= pane["left"], table["bottom"] <= pane["top"]
    assert beside or below, f"the terms table {table} spills over the passages {pane}"
    passages = text_of(page, f"{root} .dl-passages")
    select_option(page, f"{root} select", 1)
    page.wait_for(
        f"document.querySelector('{root} .dl-passages').textContent !== {json.dumps(passages)}",
        what="new passages for the chosen topic",
    )
    page.click(f"{root} .noUi-handle")
    page.press("ArrowLeft", "ArrowLeft", 37)
    page.wait_for(
        f"/λ = 0\\.55/.test(document.querySelector('{root} .dl-terms').textContent)",
        what="the terms at λ = 0.55",
    )
    page.evaluate(f"document.querySelector('{root}').scrollIntoView({{block: 'start'}})")
    screenshot(page, "lab-topic-browser")


def check_concordance(page) -> None:
    root = ".dl-concordance"
    try:
        page.wait_for(f"document.querySelector('{root} .dl-lines table')", what="KWIC lines")
    except BrowserError as err:
        raise BrowserError(f"{err}\n{output_of(page, 'concordance_explorer(')}") from None
    assert labels_cut(page, root) == []
    marks = page.evaluate(f"[...document.querySelectorAll('{root} mark')].length")
    rows = page.evaluate(f"[...document.querySelectorAll('{root} .dl-lines tr')].length")
    assert 0 < rows <= 30 and marks == rows  # one highlighted keyword per line, one page
    cut = page.evaluate(
        f"[...document.querySelectorAll('{root} td.dl-match')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert cut == 0, "a keyword is cut off"
    page.click(f"{root} input[type='text']")
    page.evaluate(f"document.querySelector('{root} input[type=\"text\"]').select()")
    page.type_text("the")
    page.press("Enter", "Enter", 13)
    page.wait_for(
        f"/lines for 'the'/.test(document.querySelector('{root} .dl-status').textContent)"
    )
    assert "page 1 of" in text_of(page, f"{root} .dl-status")
    page.click(f"{root} .dl-next")
    page.wait_for(f"/page 2 of/.test(document.querySelector('{root} .dl-status').textContent)")
    select_option(page, f"{root} .dl-sort select", 2)  # word after
    page.wait_for(f"/page 1 of/.test(document.querySelector('{root} .dl-status').textContent)")
    after = page.evaluate(
        f"[...document.querySelectorAll('{root} td.dl-right')].map(e => e.textContent"
        ".trim().toLowerCase())"
    )
    assert after == sorted(after), "lines not sorted by the word after the keyword"
    page.evaluate(f"document.querySelector('{root}').scrollIntoView({{block: 'start'}})")
    screenshot(page, "lab-concordance-explorer")


def check_exported_view(page, copy: Path, view_id: str, ready: str) -> None:
    path = run_folder(copy) / "figures" / f"{view_id}.html"
    assert path.is_file(), f"{view_id}.html was not written to {path.parent}"
    html = path.read_text(encoding="utf-8")
    assert f'"notebook":"notebooks/scratch/{copy.name}"' in html  # the copy cites itself
    page.open(path.as_uri())
    page.wait_for(ready, what=f"{view_id}.html to draw")
    assert page.console == []


def check_topic_map_file(view, copy: Path) -> None:
    drawn = "document.querySelectorAll('#dl-map g.dl-topic').length > 1"
    check_exported_view(view, copy, "topics-map-explorer", drawn)
    view.click("#dl-map g.dl-topic:last-of-type circle")
    view.wait_for("document.querySelector('#dl-topic').selectedIndex > 0")
    screenshot(view, "topic-map")


def check_keyness_file(view, copy: Path) -> None:
    drawn = "document.querySelectorAll('#dl-plot circle').length > 10"
    check_exported_view(view, copy, "sources-keyness-explorer", drawn)
    label = view.evaluate("document.querySelector('#dl-plot text.dl-label').textContent")
    view.hover(f'#dl-plot circle.dl-point[data-term="{label}"]')
    term = "(document.querySelector('#dl-term') || {}).textContent"
    view.wait_for(f"{term} === {json.dumps(label)}")
    assert view.evaluate("document.querySelectorAll('#dl-lines mark').length") > 0
    screenshot(view, "keyness-explorer")


def test_every_notebook_runs_in_jupyterlab_and_its_explorers_respond(
    lab_settings,
    lab,  # noqa: F811 - the fixture imported above
    scratch_copies,
    chromium,
):
    for name in NOTEBOOKS:
        page = chromium.new_page()  # a tab per notebook: leaving a lab tab asks "leave?"
        try:
            run_all(page, lab, scratch_copies[name])
            if name == "10_topics":
                assert page.evaluate("document.querySelector('iframe.dl-view').offsetHeight") > 500
                check_topic_browser(page)
            if name == "30_sources":
                check_concordance(page)
        finally:
            chromium.close_page(page)
    view = chromium.new_page()
    try:
        if "10_topics" in scratch_copies:
            check_topic_map_file(view, scratch_copies["10_topics"])
        if "30_sources" in scratch_copies:
            check_keyness_file(view, scratch_copies["30_sources"])
    finally:
        chromium.close_page(view)
    assert lab.request("POST", "/api/shutdown")[0] == 200
