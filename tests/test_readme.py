"""The README's commands work: every block marked runnable is executed as a user would.

Convention (the line right before a fenced ```bash block):
    <!-- runnable -->               this test runs the block with `bash -e` from the project root
    <!-- runnable: ci -->           CI runs these commands itself (e.g. `make test`); checked to
                                    name real Makefile targets here, never re-run (it would recurse)
    <!-- not runnable: REASON -->   a template the reader adapts (e.g. a placeholder path); the
                                    reason is required, so every unrun command is a visible choice
Every shell block carries one of them.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import shared_corpus

PROJECT_ROOT = Path(__file__).resolve().parents[1]
README = PROJECT_ROOT / "README.md"
MAKEFILE = PROJECT_ROOT / "Makefile"
BLOCK_TIMEOUT_S = 600
SHELL_FENCE = re.compile(r"^\s*```(bash|sh|shell|console)\s*$")
MARKER = re.compile(r"^<!--\s*(runnable(?::\s*ci)?|not runnable:\s*\S.*?)\s*-->$")


@dataclass(frozen=True)
class CommandBlock:
    line: int  # 1-based line of the opening fence
    kind: str  # "runnable", "ci", "not runnable" or "" (unmarked)
    code: str


def command_blocks(text: str) -> list[CommandBlock]:
    """Fenced shell blocks of a Markdown text with the marker on the line before each."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if not SHELL_FENCE.match(lines[i]):
            i += 1
            continue
        start = i
        indent = len(lines[i]) - len(lines[i].lstrip())
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:])
            i += 1
        if i == len(lines):
            raise AssertionError(f"README.md:{start + 1}: code block is never closed")
        marker = MARKER.match(lines[start - 1].strip()) if start else None
        kind = ""
        if marker:
            word = marker.group(1)
            kind = "ci" if word.endswith("ci") else word.split(":")[0]
        blocks.append(CommandBlock(start + 1, kind, "\n".join(body) + "\n"))
        i += 1
    return blocks


def readme_blocks() -> list[CommandBlock]:
    return command_blocks(README.read_text(encoding="utf-8")) if README.is_file() else []


def commands(block: CommandBlock) -> list[str]:
    """Non-empty command lines without trailing comments."""
    out = []
    for raw in block.code.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def makefile_targets() -> set[str]:
    text = MAKEFILE.read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, flags=re.MULTILINE))


# ---------------------------------------------------------------- the parser itself


def test_command_blocks_parser_reads_markers_and_bodies():
    text = (
        "intro\n<!-- runnable -->\n```bash\necho one\n```\n"
        "<!-- runnable: ci -->\n```bash\nmake test  # all\n```\n"
        "<!-- not runnable: placeholder path -->\n```bash\nls my/corpus\n```\n"
        "```bash\necho unmarked\n```\n"
        "```csv\na,b\n```\n"
        "1. item\n\n   <!-- runnable -->\n   ```bash\n   echo nested\n   ```\n"
    )
    blocks = command_blocks(text)
    assert [(b.line, b.kind) for b in blocks] == [
        (3, "runnable"),
        (7, "ci"),
        (11, "not runnable"),
        (14, ""),
        (23, "runnable"),
    ]
    assert blocks[0].code == "echo one\n" and blocks[4].code == "echo nested\n"
    assert commands(blocks[1]) == ["make test"]
    with pytest.raises(AssertionError, match="README.md:2: code block is never closed"):
        command_blocks("x\n```bash\necho open\n")


# ---------------------------------------------------------------- the README


def test_readme_exists_and_has_runnable_blocks():
    assert README.is_file(), f"{README} is missing: the README is the user's only guide"
    blocks = readme_blocks()
    assert any(b.kind == "runnable" for b in blocks), (
        "README.md has no block marked <!-- runnable -->: its commands would go untested"
    )
    assert any(b.kind == "ci" for b in blocks), (
        "README.md has no block marked <!-- runnable: ci --> for the commands CI runs"
    )


def test_every_shell_block_is_marked():
    unmarked = [b.line for b in readme_blocks() if not b.kind]
    assert not unmarked, (
        f"README.md: shell block(s) at line(s) {unmarked} carry no marker; put "
        "<!-- runnable -->, <!-- runnable: ci --> or <!-- not runnable: REASON --> "
        "on the line before the ``` fence"
    )


@pytest.mark.parametrize(
    "block",
    [b for b in readme_blocks() if b.kind == "ci"],
    ids=lambda b: f"README.md:{b.line}",
)
def test_ci_blocks_name_real_make_targets(block):
    targets = makefile_targets()
    for command in commands(block):
        words = command.split()
        assert words[0] == "make" and len(words) > 1, (
            f"README.md:{block.line}: {command!r} in a ci block should be a `make TARGET` "
            "command that CI runs; otherwise mark it <!-- runnable -->"
        )
        target = next(w for w in words[1:] if "=" not in w and not w.startswith("-"))
        assert target in targets, f"README.md:{block.line}: no Makefile target {target!r}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "block",
    [b for b in readme_blocks() if b.kind == "runnable"],
    ids=lambda b: f"README.md:{b.line}",
)
def test_runnable_block_exits_zero(block):
    for corpus in ("state_union", "movie_reviews"):
        if corpus in block.code:
            shared_corpus(corpus)  # skips, with the reason, where ../shared is absent
    try:
        result = subprocess.run(
            ["bash", "-e", "-c", block.code],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"README.md:{block.line}: block did not finish in {BLOCK_TIMEOUT_S} s")
    assert result.returncode == 0, (
        f"README.md:{block.line}: block exited {result.returncode}\n--- block\n{block.code}"
        f"--- stdout (tail)\n{result.stdout[-3000:]}\n--- stderr (tail)\n{result.stderr[-3000:]}"
    )
