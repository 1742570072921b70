"""Turning attachments into request content parts, and which models can take which files.

Pure functions: no I/O. Images go as ``image_url`` parts, PDFs as OpenRouter ``file`` parts
(data: URL or signed URL), text files inlined with their name as a header.
"""

from __future__ import annotations

import base64
import re

from chatdesk.core.models import Attachment, ContentPart, ModelInfo

#: Fence languages by extension (for inlined code).
_LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".jsx": "jsx",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".html": "html",
    ".css": "css",
    ".xml": "xml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".sh": "bash",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cc": "cpp",
    ".java": "java",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".sql": "sql",
}
_WHAT = {"image": "images", "pdf": "PDF documents"}


def data_url(mime_type: str, data: bytes) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def inline_text(filename: str, data: bytes) -> str:
    """The file as text for the model: ``File: name`` then the content in a code fence."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    stem, dot, ext = filename.rpartition(".")
    language = _LANGUAGES.get(f".{ext.lower()}", "") if dot and stem else ""
    return f"File: {filename}\n{fence}{language}\n{text.rstrip()}\n{fence}"


def part_for(attachment: Attachment, *, url: str = "", data: bytes = b"") -> ContentPart:
    """The part of one attachment: ``url`` (data: or signed) for images and PDFs, ``data``
    for text."""
    kind = attachment.kind
    if kind == "image":
        return ContentPart("image_url", url=url, filename=attachment.filename)
    if kind == "pdf":
        return ContentPart("file", url=url, filename=attachment.filename)
    return ContentPart(
        "text", text=inline_text(attachment.filename, data), filename=attachment.filename
    )


def note_part(attachment: Attachment, why: str) -> ContentPart:
    """A short note in place of a file that cannot be sent (older messages only)."""
    text = f"[Attached file {attachment.filename} ({attachment.mime_type}) is not included: {why}.]"
    return ContentPart("text", text=text, filename=attachment.filename)


def unsupported_reason(
    attachment: Attachment, model: str, info: ModelInfo | None, *, server_parses_pdfs: bool
) -> str | None:
    """Why ``model`` cannot take the file, or None when it can (unknown models are trusted)."""
    kind = attachment.kind
    if info is None or kind == "text":
        return None
    modalities = set(info.input_modalities)
    if kind == "image" and "image" not in modalities:
        return f"{model} does not accept {_WHAT[kind]}"
    if kind == "pdf" and "file" not in modalities and not server_parses_pdfs:
        return f"{model} does not accept {_WHAT[kind]}"
    return None


def too_long_reason(attachment: Attachment, model: str, info: ModelInfo | None) -> str | None:
    """Why an inlined text file cannot fit the model's context (a rough estimate), or None."""
    if info is None or not info.context_length or attachment.kind != "text":
        return None
    estimate = attachment.size_bytes // 4
    if estimate <= info.context_length:
        return None
    return (
        f"it is about {estimate:,} tokens of text, more than the {info.context_length:,} "
        f"{model} can read at once"
    )
