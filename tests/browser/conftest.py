"""Browser tests: a headless Chromium (Debian's package, installed by .ci/run) per module.

Set DISCOURSE_LAB_SCREENSHOTS=<folder> to save a screenshot of each explorer there
(`make screenshots` writes the README's images this way).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, Chromium

SCREENSHOTS = os.environ.get("DISCOURSE_LAB_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)")
    browser = Chromium()
    try:
        yield browser
    finally:
        browser.stop()


@pytest.fixture
def page(chromium):
    tab = chromium.new_page()
    try:
        yield tab
    finally:
        tab.close()


def screenshot(page, name: str) -> None:
    """Save the page as <DISCOURSE_LAB_SCREENSHOTS>/<name>.png when asked to."""
    if SCREENSHOTS:
        page.screenshot(Path(SCREENSHOTS) / f"{name}.png")
