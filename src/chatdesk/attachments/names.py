"""File names fit to show and to send: no folders, no control characters, bounded length.

A name is only ever displayed and sent to the model; blobs are stored under their sha256, so
no name reaches a path on disk.
"""

from __future__ import annotations

import re
import unicodedata

#: Longest name kept, in characters (the extension is kept whole).
MAX_NAME_CHARS = 120
FALLBACK_NAME = "attachment"

_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def sanitize_filename(name: str, *, default_ext: str = "") -> str:
    """The last path component of ``name``, cleaned: ``../../etc/passwd`` becomes ``passwd``.

    Removes folders (``/`` and ``\\``), control and format characters and characters Windows
    forbids, leading and trailing dots and spaces; prefixes Windows device names (``CON``);
    shortens long names keeping the extension. An empty result becomes ``attachment`` plus
    ``default_ext``.
    """
    name = unicodedata.normalize("NFC", name)
    parts = [p for p in re.split(r"[/\\]+", name) if p.strip(" .")]
    name = parts[-1] if parts else ""
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return FALLBACK_NAME + default_ext
    if _RESERVED.match(name):
        name = "_" + name
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16 and stem:
            name = stem[: MAX_NAME_CHARS - len(ext) - 2].rstrip(" .") + "…." + ext
        else:
            name = name[: MAX_NAME_CHARS - 1].rstrip(" .") + "…"
    return name


def extension(name: str) -> str:
    """The lower-case extension of ``name`` with its dot (``""`` when it has none)."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem and ext else ""


def human_size(size: int) -> str:
    """``1.5 MB``, ``820 KB``, ``12 bytes`` (binary multiples, as file managers show them)."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    raise AssertionError("unreachable")
