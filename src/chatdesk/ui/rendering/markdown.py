"""Markdown to the HTML subset Qt's rich text engine understands, and streaming block splitting.

``render_markdown`` turns model output into self-contained HTML (all colours inline, chosen by
``dark``): headings, paragraphs, emphasis, nested lists, blockquotes, GFM tables, inline code,
links, rules and fenced code highlighted by Pygments. Each code block carries a header row with
its language and a ``copy-code:<n>`` link. Raw HTML in the source is escaped, images become
links (a widget must never fetch or read anything to show a message).

``split_blocks`` cuts streaming Markdown at the last safe block boundary so finished blocks can
be rendered once; :class:`BlockScanner` does the same incrementally.

The parser (markdown-it, ~20 ms to import) loads with the first render. At start-up the newest
answers come from the render cache instead (:func:`remember`, keyed by :func:`render_key`), so
the window paints without it.
"""

from __future__ import annotations

import enum
import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chatdesk import __version__

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "BlockScanner",
    "LineKind",
    "Rendered",
    "Theme",
    "remember",
    "render_blocks",
    "render_key",
    "render_markdown",
    "split_blocks",
    "theme",
    "warm_up",
]

COPY_CODE_SCHEME = "copy-code"
LINE_HEIGHT = 130  # percent, for paragraphs and list items


@dataclass(frozen=True, slots=True)
class Theme:
    """Colours baked into rendered HTML (Qt rich text cannot read the palette from CSS)."""

    pygments_style: str
    code_bg: str
    code_header_bg: str
    code_border: str
    code_fg: str
    muted: str
    inline_code_bg: str
    quote_bar: str
    table_border: str
    table_header_bg: str


_LIGHT = Theme(
    pygments_style="default",
    code_bg="#f6f8fa",
    code_header_bg="#eaeef2",
    code_border="#d8dee4",
    code_fg="#1f2328",
    muted="#59636e",
    inline_code_bg="#eceff2",
    quote_bar="#d1d9e0",
    table_border="#d1d9e0",
    table_header_bg="#f6f8fa",
)
_DARK = Theme(
    pygments_style="github-dark",
    code_bg="#161b22",
    code_header_bg="#21262d",
    code_border="#30363d",
    code_fg="#e6edf3",
    muted="#9198a1",
    inline_code_bg="#343a42",
    quote_bar="#3d444d",
    table_border="#3d444d",
    table_header_bg="#1f242b",
)


def theme(dark: bool) -> Theme:
    """The colour set for a light or dark palette."""
    return _DARK if dark else _LIGHT


@dataclass(frozen=True, slots=True)
class Rendered:
    """HTML of some Markdown plus the source of its code blocks, in ``copy-code`` order."""

    html: str
    code_blocks: tuple[str, ...]


# --- rendering -------------------------------------------------------------------------------


# Pygments loads with the first code block (or the idle warm-up), not at start-up.
if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
    from pygments.lexer import Lexer  # type: ignore[import-untyped]


@lru_cache(maxsize=64)
def _lexer(lang: str) -> Lexer | None:
    """The lexer for ``lang`` (a name or a file name); None for plain text."""
    from pygments.lexers import (  # type: ignore[import-untyped]
        get_lexer_by_name,
        get_lexer_for_filename,
    )
    from pygments.lexers.special import TextLexer  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    options = {"stripnl": False, "ensurenl": False}
    lexer: Lexer | None = None
    if lang:
        try:
            lexer = get_lexer_by_name(lang, **options)
        except ClassNotFound:
            try:
                lexer = get_lexer_for_filename(lang, **options)
            except ClassNotFound:
                lexer = None
    return None if isinstance(lexer, TextLexer) else lexer


@lru_cache(maxsize=2)
def _formatter(style: str) -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style, noclasses=True, nowrap=True)


def warm_up(languages: Sequence[str] = ("python", "bash", "javascript", "json")) -> None:
    """Import the lexers of common languages now (the first use of one costs ~50 ms)."""
    for lang in languages:
        _lexer(lang)


def highlight_code(code: str, lang: str, *, dark: bool) -> str:
    """Pygments spans with inline styles for ``code`` (no wrapper element)."""
    lexer = _lexer(lang.lower()) if lang else None
    if lexer is None:
        return html.escape(code, quote=False)
    from pygments import highlight  # type: ignore[import-untyped]

    out: str = highlight(code, lexer, _formatter(theme(dark).pygments_style))
    return out


def _code_block_html(code: str, lang: str, index: int, t: Theme, dark: bool) -> str:
    code = code.expandtabs(4)
    if code.endswith("\n"):
        code = code[:-1]
    body = highlight_code(code, lang, dark=dark)
    if body.endswith("\n"):
        body = body[:-1]
    label = html.escape(lang or "text")
    small = "font-size:small; padding:4px 12px 4px 12px;"
    return (
        f'<table width="100%" border="1" cellspacing="0" cellpadding="0" '
        f'style="border-collapse:collapse; border-style:solid; border-color:{t.code_border}; '
        f'background-color:{t.code_bg}; margin-top:6px; margin-bottom:12px;">'
        f'<tr><td style="background-color:{t.code_header_bg}; padding:0px;">'
        f'<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
        f'<td style="{small} color:{t.muted};">{label}</td>'
        f'<td align="right" style="{small}"><a href="{COPY_CODE_SCHEME}:{index}" '
        f'style="color:{t.muted}; text-decoration:none;">Copy</a></td>'
        f"</tr></table></td></tr>"
        f'<tr><td style="padding:10px 12px 10px 12px;">'
        f'<pre style="margin:0px; white-space:pre-wrap; color:{t.code_fg};">{body}</pre>'
        f"</td></tr></table>\n"
    )


def _env_theme(env: dict[str, Any]) -> Theme:
    return theme(bool(env.get("dark")))


def _add_code(env: dict[str, Any], code: str) -> int:
    codes: list[str] = env["codes"]
    codes.append(code)
    start: int = env["code_start"]
    return start + len(codes) - 1


def _fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    from markdown_it.common.utils import unescapeAll

    info = unescapeAll(token.info).strip() if token.info else ""
    lang = info.split(maxsplit=1)[0] if info else ""
    index = _add_code(env, token.content)
    return _code_block_html(token.content, lang, index, _env_theme(env), bool(env.get("dark")))


def _code_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    index = _add_code(env, token.content)
    return _code_block_html(token.content, "", index, _env_theme(env), bool(env.get("dark")))


def _code_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    t = _env_theme(env)
    content = html.escape(tokens[idx].content, quote=False)
    return f'<code style="background-color:{t.inline_code_bg};">{content}</code>'


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # Never <img>: QTextBrowser would read local files (or nothing) to show it.
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    src = token.attrGet("src") or ""
    return f'<a href="{html.escape(str(src))}">[{html.escape(alt, quote=False)}]</a>'


_HEADING_STYLE = {
    "h1": "font-size:x-large; margin-top:18px; margin-bottom:8px;",
    "h2": "font-size:large; margin-top:16px; margin-bottom:6px;",
    "h3": "font-size:medium; margin-top:14px; margin-bottom:4px;",
}


def _heading_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tag = tokens[idx].tag
    style = _HEADING_STYLE.get(tag, "font-size:medium; margin-top:12px; margin-bottom:4px;")
    return f'<{tag} style="{style}">'


def _paragraph_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].hidden:
        return ""
    return f'<p style="margin-top:0px; margin-bottom:10px; line-height:{LINE_HEIGHT}%;">'


def _list_item_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f'<li style="line-height:{LINE_HEIGHT}%;">'


def _blockquote_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    t = _env_theme(env)
    return (
        '<table cellspacing="0" cellpadding="0" style="margin-top:2px; margin-bottom:10px;">'
        f'<tr><td width="3" style="background-color:{t.quote_bar};"></td>'
        f'<td style="padding-left:12px; color:{t.muted};">'
    )


def _blockquote_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</td></tr></table>\n"


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    t = _env_theme(env)
    return (
        '<table border="1" cellspacing="0" cellpadding="6" '
        f'style="border-collapse:collapse; border-style:solid; border-color:{t.table_border}; '
        'margin-top:4px; margin-bottom:12px;">\n'
    )


def _cell_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    style = str(token.attrGet("style") or "text-align:left")
    align = style.split(":", 1)[1].strip() if ":" in style else "left"
    if token.tag == "th":
        bg = _env_theme(env).table_header_bg
        return f'<th align="{align}" style="background-color:{bg}; padding:6px 10px;">'
    return f'<td align="{align}" style="padding:6px 10px;">'


def _hr(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f'<hr style="background-color:{_env_theme(env).table_border};" />\n'


def _make_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    for name, rule in (
        ("fence", _fence),
        ("code_block", _code_block),
        ("code_inline", _code_inline),
        ("image", _image),
        ("heading_open", _heading_open),
        ("paragraph_open", _paragraph_open),
        ("blockquote_open", _blockquote_open),
        ("blockquote_close", _blockquote_close),
        ("table_open", _table_open),
        ("th_open", _cell_open),
        ("td_open", _cell_open),
        ("hr", _hr),
        ("list_item_open", _list_item_open),
    ):
        md.add_render_rule(name, rule)
    return md


_parser: MarkdownIt | None = None
#: Renders known without the parser, each good for one use: (text, dark) -> the result.
_known: dict[tuple[str, bool], Rendered] = {}
#: Bump when the HTML for the same Markdown changes in a way the key below would miss.
RENDER_FORMAT = 1
try:  # the code that renders in this process, even if the file is edited while it runs
    _SOURCE_STAMP = os.stat(__file__).st_mtime_ns
except OSError:  # a frozen app: the version says it all
    _SOURCE_STAMP = 0


def render_key(dark: bool) -> str:
    """What a stored render must have been made with to be shown as it is: this renderer (its
    format, the app's version, this file's modification time) and the palette."""
    return f"{RENDER_FORMAT}:{__version__}:{_SOURCE_STAMP}:{'dark' if dark else 'light'}"


def remember(text: str, *, dark: bool, rendered: Rendered) -> None:
    """Let the next ``render_blocks(text, dark=dark)`` answer with ``rendered``, a render of the
    same text stored under the current ``render_key(dark)``."""
    _known[(text, dark)] = rendered


def render_blocks(text: str, *, dark: bool, code_index: int = 0) -> Rendered:
    """Render ``text``; its code blocks are numbered from ``code_index`` in ``copy-code`` links."""
    if _known and code_index == 0:
        known = _known.pop((text, dark), None)
        if known is not None:
            return known
    global _parser
    if _parser is None:
        _parser = _make_parser()
    env: dict[str, Any] = {"dark": dark, "codes": [], "code_start": code_index}
    out = _parser.render(text, env).strip()
    return Rendered(out, tuple(env["codes"]))


def render_markdown(text: str, *, dark: bool) -> str:
    """HTML for Qt rich text of a whole Markdown message."""
    return render_blocks(text, dark=dark).html


# --- streaming block boundaries --------------------------------------------------------------

_FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_RE = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")


class LineKind(enum.Enum):
    """What a complete line of streaming Markdown is, for cheap formatting of the tail."""

    TEXT = "text"
    FENCE = "fence"  # a line that opens or closes a code fence
    CODE = "code"  # a line inside a code fence


class BlockScanner:
    """Finds safe block boundaries in growing Markdown, scanning each line once.

    A boundary is the start of a line that begins a new top-level block: the first line after
    blank lines (outside a code fence, not indented, not another item of a list just above), or
    the line after a closing fence that opened at column 0. Markdown before a boundary renders
    the same on its own as inside the whole message (reference-style links aside).

    When ``record`` is true, each complete line scanned is appended to ``lines`` as
    ``(start, end, kind)`` (``end`` excludes the newline) and every boundary found to
    ``boundaries``; the caller clears both lists.
    """

    __slots__ = (
        "_block_is_list",
        "_fence",
        "_fence_indent",
        "_pos",
        "_record",
        "_saw_blank",
        "boundaries",
        "lines",
    )

    def __init__(self, *, record: bool = False) -> None:
        self._pos = 0  # index of the first line not yet scanned
        self._fence = ""  # the open fence's marker ("```", "~~~~"), "" outside a fence
        self._fence_indent = 0
        self._saw_blank = False
        self._block_is_list = False
        self._record = record
        self.lines: list[tuple[int, int, LineKind]] = []
        self.boundaries: list[int] = []

    @property
    def in_fence(self) -> bool:
        """True while a code fence is open (the next text is code)."""
        return bool(self._fence)

    @property
    def position(self) -> int:
        """Index of the first character not yet scanned as part of a complete line."""
        return self._pos

    def scan(self, text: str) -> int:
        """Scan the lines of ``text`` not seen yet; return the last boundary found, or 0."""
        boundary = 0
        pos = self._pos
        while (end := text.find("\n", pos)) >= 0:
            found = self._line(text, pos, end)
            if found > 0:
                boundary = found
                if self._record:
                    self.boundaries.append(found)
            pos = end + 1
        self._pos = pos
        if (
            self._saw_blank
            and not self._fence
            and not self._block_is_list
            and text[pos : pos + 1] not in ("", " ", "\t", "\r")
            and pos > 0
        ):
            boundary = pos  # the next block has begun, so the one before is finished
            if self._record:
                self.boundaries.append(pos)
        return boundary

    def rebase(self, offset: int) -> None:
        """Forget the first ``offset`` characters: the caller cut them off its text."""
        if offset > self._pos:
            raise ValueError("rebase past the scanned position")
        self._pos -= offset

    def _line(self, text: str, start: int, end: int) -> int:
        """Consume the complete line ``text[start:end]``; return a boundary it makes, or -1."""
        line = text[start:end]
        stripped = line.strip()
        if self._fence:
            marker = self._fence
            kind = LineKind.CODE
            boundary = -1
            if stripped.startswith(marker) and stripped == marker[0] * len(stripped):
                kind = LineKind.FENCE
                self._fence = ""
                if self._fence_indent == 0:
                    self._saw_blank = False
                    self._block_is_list = False
                    boundary = end + 1
            if self._record:
                self.lines.append((start, end, kind))
            return boundary
        kind = LineKind.TEXT
        boundary = -1
        if not stripped:
            self._saw_blank = True
        else:
            is_list = _LIST_RE.match(line) is not None
            if self._saw_blank:
                self._saw_blank = False
                if line[:1] not in (" ", "\t") and not (is_list and self._block_is_list):
                    boundary = start
                    self._block_is_list = False
            self._block_is_list = self._block_is_list or is_list
            m = _FENCE_RE.match(line)
            if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
                self._fence = m.group(2)
                self._fence_indent = len(m.group(1))
                kind = LineKind.FENCE
        if self._record:
            self.lines.append((start, end, kind))
        return boundary


def split_blocks(text: str) -> tuple[str, str]:
    """Split streaming Markdown into (finished blocks, unfinished tail) at the last safe point."""
    boundary = BlockScanner().scan(text)
    return text[:boundary], text[boundary:]
