"""AttachmentView: what the chat needs to show and open a file (kept light for the UI)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class AttachmentView:
    """A file as the chat shows it: a local ``path`` to open, else a (signed) ``url``."""

    id: int
    filename: str
    mime_type: str
    size_bytes: int
    kind: str
    path: Path | None = None
    url: str | None = None
