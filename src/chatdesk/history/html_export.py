"""A chat as one self-contained HTML file: styled like the app (light or dark), code
highlighted, images embedded, reasoning and tool calls collapsible; readable offline (no
script, no remote resource)."""

from __future__ import annotations

import html
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chatdesk.history.markdown_export import active_path, chat_cost, iso, tool_results
from chatdesk.history.reading import ExportedChat

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["to_html"]

_COLORS = {
    False: {
        "bg": "#ffffff",
        "fg": "#1f2328",
        "muted": "#59636e",
        "bubble": "#eef3fb",
        "border": "#d8dee4",
        "code_bg": "#f6f8fa",
        "accent": "#0969da",
        "error": "#d1242f",
        "pygments": "default",
    },
    True: {
        "bg": "#1b1d21",
        "fg": "#e6edf3",
        "muted": "#9198a1",
        "bubble": "#2a3140",
        "border": "#30363d",
        "code_bg": "#161b22",
        "accent": "#4493f8",
        "error": "#f85149",
        "pygments": "github-dark",
    },
}

_CSS = """
:root {{ color-scheme: {scheme}; }}
body {{ background: {bg}; color: {fg}; margin: 0; font: 15px/1.55 system-ui, -apple-system,
  "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }}
main {{ max-width: 820px; margin: 0 auto; padding: 24px 20px 64px; }}
header h1 {{ font-size: 1.5em; margin: 0 0 4px; }}
header p {{ color: {muted}; margin: 0 0 24px; font-size: .9em; }}
.msg {{ margin: 18px 0; }}
.who {{ color: {muted}; font-size: .82em; margin-bottom: 4px; }}
.user .body {{ background: {bubble}; border-radius: 14px; padding: 8px 14px;
  width: fit-content; max-width: 80%; margin-left: auto; }}
.assistant + .assistant {{ margin-top: 6px; }}
.user .who {{ text-align: right; }}
.body > :first-child {{ margin-top: 0; }} .body > :last-child {{ margin-bottom: 0; }}
pre {{ background: {code_bg}; border: 1px solid {border}; border-radius: 8px; padding: 10px 12px;
  overflow-x: auto; font: 13px/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }}
code {{ font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: .92em; }}
:not(pre) > code {{ background: {code_bg}; border-radius: 4px; padding: 1px 4px; }}
details {{ border: 1px solid {border}; border-radius: 8px; padding: 6px 12px; margin: 8px 0; }}
summary {{ cursor: pointer; color: {muted}; font-size: .9em; }}
blockquote {{ border-left: 3px solid {border}; margin: 8px 0; padding: 0 12px; color: {muted}; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid {border}; padding: 4px 8px; }}
img.attachment {{ max-width: 100%; border-radius: 8px; display: block; margin: 6px 0 6px auto; }}
.file {{ color: {muted}; font-size: .88em; text-align: right; }}
.error {{ color: {error}; }}
a {{ color: {accent}; }}
footer {{ color: {muted}; font-size: .8em; margin-top: 40px; }}
"""


@lru_cache(maxsize=2)
def _parser(dark: bool) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from pygments import highlight  # type: ignore[import-untyped]
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped]

    formatter = HtmlFormatter(style=_COLORS[dark]["pygments"], noclasses=True, nowrap=True)

    def code(text: str, lang: str, _attrs: str) -> str:
        try:
            lexer = get_lexer_by_name(lang) if lang else None
        except ClassNotFound:
            lexer = None
        body = highlight(text, lexer, formatter) if lexer else html.escape(text, quote=False)
        return f"<pre><code>{body}</code></pre>"

    md = MarkdownIt("commonmark", {"html": False, "highlight": code}).enable(
        ["table", "strikethrough"]
    )
    return md


def _render(text: str, dark: bool) -> str:
    return str(_parser(dark).render(text))


def _who(message: dict[str, Any]) -> str:
    if message["role"] == "user":
        return "You"
    return f"Assistant · {message['model']}" if message.get("model") else "Assistant"


def _attachments(message: dict[str, Any]) -> str:
    parts: list[str] = []
    for file in message.get("attachments", []):
        name = html.escape(file["filename"])
        data = file.get("data_base64")
        if data and str(file["mime_type"]).startswith("image/"):
            parts.append(
                f'<img class="attachment" alt="{name}"'
                f' src="data:{file["mime_type"]};base64,{data}">'
            )
        else:
            parts.append(f'<div class="file">📎 {name} ({int(file["size_bytes"]):,} bytes)</div>')
    return "".join(parts)


def _message(
    message: dict[str, Any], results: dict[str, str], dark: bool, *, header: bool = True
) -> str:
    if message["role"] == "tool" and message.get("tool_call_id"):
        return ""
    role = "user" if message["role"] == "user" else "assistant"
    out = [f'<section class="msg {role}">']
    if header:
        out.append(
            f'<div class="who">{html.escape(_who(message))} · {iso(message["created_at"])}</div>'
        )
    if role == "user":
        out.append(_attachments(message))
    out.append('<div class="body">')
    if message.get("reasoning"):
        out.append(
            f"<details><summary>Reasoning</summary>{_render(message['reasoning'], dark)}</details>"
        )
    if message["content"]:
        out.append(_render(message["content"], dark))
    for call in message.get("tool_calls", []):
        args = html.escape(str(call.get("arguments", "")))
        result = results.get(str(call.get("id")), "")
        shown = f"<p>Result:</p><pre><code>{html.escape(result)}</code></pre>" if result else ""
        out.append(
            f"<details><summary>Tool call: {html.escape(str(call.get('name', '')))}</summary>"
            f"<pre><code>{args}</code></pre>{shown}</details>"
        )
    if message.get("error"):
        out.append(f'<p class="error">Error: {html.escape(message["error"])}</p>')
    out.append("</div></section>")
    return "".join(out)


def to_html(chat: ExportedChat, *, dark: bool = False) -> str:
    """The chat's HTML file (``dark``: the dark theme)."""
    colors = dict(_COLORS[dark])
    css = _CSS.format(scheme="dark" if dark else "light", **colors)
    path = active_path(chat)
    cost = chat_cost(chat)
    facts = [f"{len(path)} messages", f"started {iso(chat['created_at'])}"]
    if chat.get("model"):
        facts.append(html.escape(chat["model"]))
    if cost is not None:
        facts.append(f"${cost:.4f}")
    title = html.escape(chat["title"])
    results = tool_results(chat)
    shown = [m for m in path if not (m["role"] == "tool" and m.get("tool_call_id"))]
    body = "".join(
        # An answer made of several steps (tool calls, their results) has one header.
        _message(
            m, results, dark, header=i == 0 or shown[i - 1]["role"] == "user" or m["role"] == "user"
        )
        for i, m in enumerate(shown)
    )
    summary = (
        f"<blockquote>{html.escape(chat['summary'])}</blockquote>" if chat.get("summary") else ""
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{css}</style></head>"
        f"<body><main><header><h1>{title}</h1><p>{' · '.join(facts)}</p>{summary}</header>"
        f"{body}<footer>Exported from chatdesk.</footer></main></body></html>\n"
    )
