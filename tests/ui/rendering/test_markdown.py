"""Markdown rendering for Qt rich text, and the streaming block splitter."""

from __future__ import annotations

import itertools
import random

import pytest
from PySide6.QtGui import QTextDocument, QTextList, QTextTable

from chatdesk.ui.rendering.document_html import set_document_html
from chatdesk.ui.rendering.markdown import (
    BlockScanner,
    Rendered,
    remember,
    render_blocks,
    render_key,
    render_markdown,
    split_blocks,
)

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("qapp")]  # documents need fonts

PY = "```python\ndef add(a: int, b: int) -> int:\n    return a + b  # sum\n```\n"


def _doc(html: str) -> QTextDocument:
    doc = QTextDocument()
    set_document_html(doc, html)
    return doc


def test_python_block_is_highlighted_with_inline_styles() -> None:
    html = render_markdown(PY, dark=False)
    assert '<span style="color: #008000; font-weight: bold">def</span>' in html
    assert "<pre" in html and "class=" not in html
    assert ">python<" in html
    assert 'href="copy-code:0"' in html


def test_light_and_dark_use_different_code_styles() -> None:
    light, dark = render_markdown(PY, dark=False), render_markdown(PY, dark=True)
    assert light != dark
    assert "#161b22" in dark and "#161b22" not in light


def test_code_blocks_are_numbered_and_their_source_kept() -> None:
    text = f"{PY}\ntext\n\n~~~\nplain <b>\n~~~\n"
    rendered = render_blocks(text, dark=False, code_index=3)
    assert 'href="copy-code:3"' in rendered.html and 'href="copy-code:4"' in rendered.html
    assert rendered.code_blocks == (
        "def add(a: int, b: int) -> int:\n    return a + b  # sum\n",
        "plain <b>\n",
    )


def test_unknown_language_falls_back_to_plain_text() -> None:
    html = render_markdown("```nosuchlang\nx = <b>1</b>\n```\n", dark=False)
    assert "x = &lt;b&gt;1&lt;/b&gt;" in html
    assert "<span style" not in html
    assert ">nosuchlang<" in html


def test_filename_as_info_string_picks_a_lexer() -> None:
    assert "<span style" in render_markdown("```main.py\nimport os\n```\n", dark=False)


def test_gfm_table_renders_as_a_qt_table() -> None:
    html = render_markdown("| Name | Size |\n|:-----|-----:|\n| a | 1 |\n| b | 22 |\n", dark=False)
    assert "<th" in html and 'align="right"' in html
    doc = _doc(html)
    tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(tables) == 1
    assert (tables[0].rows(), tables[0].columns()) == (3, 2)
    assert tables[0].cellAt(2, 1).firstCursorPosition().block().text() == "22"


def test_raw_html_is_escaped() -> None:
    text = "Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n<div>block</div>\n"
    html = render_markdown(text, dark=False)
    assert "<script" not in html and "<img" not in html and "<div" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in _doc(html).toPlainText()


def test_images_become_links_and_unsafe_links_stay_text() -> None:
    html = render_markdown("![a cat](https://example.com/cat.png)", dark=False)
    assert "<img" not in html
    assert '<a href="https://example.com/cat.png">[a cat]</a>' in html
    unsafe = render_markdown("![p](file:///etc/passwd) [x](javascript:alert(1))", dark=False)
    assert "<img" not in unsafe and "href" not in unsafe


def test_nested_lists_become_nested_qt_lists() -> None:
    doc = _doc(
        render_markdown("1. one\n2. two\n   - inner a\n   - inner b\n3. three\n", dark=False)
    )
    lists: dict[str, QTextList] = {}
    block = doc.begin()
    while block.isValid():
        if block.textList() is not None:
            lists[block.text()] = block.textList()
        block = block.next()
    assert lists["one"] is not None and lists["inner a"] is not None
    assert lists["one"].format().indent() == 1
    assert lists["inner a"].format().indent() == 2
    assert lists["three"].count() == 3


def test_inline_markup_headings_quotes_rules() -> None:
    text = (
        "# Title\n\nSome *em* **strong** ~~gone~~ `code` [link](https://example.com).\n\n"
        "> quoted\n\n---\n\nend\n"
    )
    html = render_markdown(text, dark=False)
    for needle in ("<h1", "<em>em</em>", "<strong>strong</strong>", "<s>gone</s>", "<code"):
        assert needle in html
    assert '<a href="https://example.com">link</a>' in html
    assert "<hr" in html
    doc = _doc(html)
    assert doc.begin().blockFormat().headingLevel() == 1
    assert doc.begin().blockFormat().topMargin() == 0
    assert "quoted" in doc.toPlainText()


# --- split_blocks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "finished"),
    [
        ("para one\n\npara two", "para one\n\n"),
        ("para one\n\n", ""),  # the next block has not begun yet
        ("para\n\n  indented continuation", ""),
        ("```py\na\n\nb\n", ""),  # a blank line inside an open fence is no boundary
        ("```py\na\n\nb\n```\n", "```py\na\n\nb\n```\n"),  # a closed fence is
        ("```py\na\n```\nnext", "```py\na\n```\n"),
        ("~~~\na\n\n```\nstill code\n", ""),  # a backtick line does not close a tilde fence
        ("````\na\n```\n\nb\n````\nafter", "````\na\n```\n\nb\n````\n"),
        ("- a\n\n- b\n\nc\n", "- a\n\n- b\n\n"),  # a loose list stays whole
        ("- a\n\n- b", ""),
        ("text\n```js\nx\n\ny\n", ""),  # a fence may interrupt a paragraph
        ("| a |\n|---|\n| 1 |\n\nafter", "| a |\n|---|\n| 1 |\n\n"),
        ("a\n\nb\n\nc\n\nd", "a\n\nb\n\nc\n\n"),
    ],
)
def test_split_blocks(text: str, finished: str) -> None:
    done, tail = split_blocks(text)
    assert (done, tail) == (finished, text[len(finished) :])


def test_scanner_fed_in_pieces_agrees_with_split_blocks() -> None:
    text = (
        "# T\n\npara\nmore\n\n```python\nx = 1\n\ny = 2\n```\n- a\n- b\n\n  cont\n\n"
        "> q\n\n| h |\n|---|\n| 1 |\n\n~~~\nz\n~~~\nlast line"
    )
    rnd = random.Random(5)
    for _ in range(50):
        scanner = BlockScanner()
        boundary, end = 0, 0
        while end < len(text):
            end = min(len(text), end + rnd.randint(1, 7))
            found = scanner.scan(text[:end])
            boundary = max(boundary, found)
            assert found == 0 or found == len(split_blocks(text[:end])[0])
        assert boundary == len(split_blocks(text)[0])


def test_chunks_split_at_boundaries_render_like_the_whole() -> None:
    text = (
        "# Title\n\nIntro *text*.\n\n1. one\n2. two\n\n   more two\n\n```py\nx\n\ny\n```\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote\n\n---\n\nThe end.\n"
    )
    scanner = BlockScanner(record=True)
    scanner.scan(text)
    cuts = [0, *scanner.boundaries, len(text)]
    chunks = [text[a:b] for a, b in itertools.pairwise(cuts)]
    assert len(chunks) == 8  # title, intro, list, code, table, quote, rule, end
    pieces = [render_blocks(c, dark=False) for c in chunks]
    whole = render_blocks(text, dark=False)
    assert _doc("".join(p.html for p in pieces)).toPlainText() == _doc(whole.html).toPlainText()
    assert tuple(code for p in pieces for code in p.code_blocks) == whole.code_blocks


def test_a_remembered_render_answers_once_and_for_its_palette_only() -> None:
    text = "A *remembered* answer"
    stored = Rendered("<p>stored</p>", ("code",))
    remember(text, dark=False, rendered=stored)

    assert render_blocks(text, dark=True) == render_blocks(text, dark=True)  # not the stored one
    assert "stored" not in render_blocks(text, dark=True).html
    assert render_blocks(text, dark=False, code_index=3).html != stored.html  # numbered anew
    assert render_blocks(text, dark=False) == stored
    again = render_blocks(text, dark=False)  # used up: rendered for real
    assert again != stored and "<em>remembered</em>" in again.html


def test_the_render_key_tells_the_palettes_apart() -> None:
    assert render_key(True) != render_key(False)
    assert render_key(False) == render_key(False)
