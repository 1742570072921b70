"""What a file is, decided by its bytes (magic numbers), never by its name.

Supported: PNG, JPEG, GIF, WebP, PDF, and text (valid UTF-8 without NUL bytes: plain text,
Markdown, code, CSV, JSON; the name only picks the text flavour). Everything else raises
``NotSupported`` with a reason naming what the bytes look like (a program, an archive, ...).
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass

from chatdesk.attachments.names import extension

SUPPORTED_TYPES = "images (PNG, JPEG, GIF, WebP), PDF documents and text files"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class NotSupported(Exception):
    """The bytes are not a supported file, or a damaged one; ``str()`` is the reason."""


@dataclass(frozen=True, slots=True)
class Sniffed:
    """The type found: MIME type and the extension its blob is stored with."""

    mime_type: str
    blob_ext: str


_TEXT_TYPES = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".py": "text/x-python",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".ts": "text/x-typescript",
    ".tsx": "text/x-typescript",
    ".jsx": "text/javascript",
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".xml": "text/xml",
    ".yaml": "text/yaml",
    ".yml": "text/yaml",
    ".toml": "text/x-toml",
    ".sh": "text/x-shellscript",
    ".c": "text/x-c",
    ".h": "text/x-c",
    ".cpp": "text/x-c++",
    ".hpp": "text/x-c++",
    ".cc": "text/x-c++",
    ".java": "text/x-java",
    ".go": "text/x-go",
    ".rs": "text/x-rust",
    ".rb": "text/x-ruby",
    ".sql": "text/x-sql",
}
#: Stored blobs of text keep a harmless extension: opening one never runs it (.js, .bat, .sh).
_TEXT_BLOB_EXT = {
    "text/markdown": ".md",
    "text/csv": ".csv",
    "text/tab-separated-values": ".tsv",
    "application/json": ".json",
}

#: Signatures of files that are not supported, with what to call them.
_KNOWN_BINARY: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program (.exe/.dll)"),
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a program (Mach-O or Java class)"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BM", "a BMP image (convert it to PNG)"),
    (b"II*\x00", "a TIFF image (convert it to PNG or JPEG)"),
    (b"MM\x00*", "a TIFF image (convert it to PNG or JPEG)"),
    (b"\x00\x00\x01\x00", "an icon file (convert it to PNG)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (save it as PDF)"),
    (b"SQLite format 3\x00", "a database file"),
    (b"OggS", "an audio or video file"),
    (b"ID3", "an MP3 audio file"),
    (b"fLaC", "a FLAC audio file"),
)


def sniff(data: bytes, filename: str = "") -> Sniffed:
    """The type of ``data``; ``filename`` only chooses between text flavours.

    Raises ``NotSupported`` for other types and for damaged PNG, JPEG, WebP and PDF files.
    """
    if data.startswith(PNG_MAGIC):
        _check_png(data)
        return Sniffed("image/png", ".png")
    if data.startswith(b"\xff\xd8\xff"):
        _check_jpeg(data)
        return Sniffed("image/jpeg", ".jpg")
    if data.startswith((b"GIF87a", b"GIF89a")):
        if len(data) < 14:
            raise NotSupported("the GIF image is cut short (damaged or not fully downloaded)")
        return Sniffed("image/gif", ".gif")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        _check_webp(data)
        return Sniffed("image/webp", ".webp")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise NotSupported("the PDF is incomplete (it has no end marker): damaged or cut short")
        return Sniffed("application/pdf", ".pdf")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotSupported("it is UTF-16 text; save it as UTF-8 and attach it again")
    text = _as_text(data)
    if text is not None:
        return _text_type(text, filename)
    return _describe_unsupported(data)


def _describe_unsupported(data: bytes) -> Sniffed:
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            raise NotSupported("it is a HEIC/AVIF image; convert it to PNG or JPEG")
        raise NotSupported("it is a video or audio file")
    for magic, what in _KNOWN_BINARY:
        if data.startswith(magic):
            raise NotSupported(f"it is {what}, not a supported type ({SUPPORTED_TYPES})")
    raise NotSupported(f"it is not a supported type ({SUPPORTED_TYPES}) and not UTF-8 text")


def _as_text(data: bytes) -> str | None:
    """The text when ``data`` is valid UTF-8 without NUL bytes."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _text_type(text: str, filename: str) -> Sniffed:
    ext = extension(filename)
    mime = _TEXT_TYPES.get(ext)
    if mime is None:
        stripped = text.lstrip("\ufeff \t\r\n")
        if ext == ".json" or stripped[:1] in ("{", "["):
            try:
                json.loads(text.lstrip("\ufeff"))
            except ValueError:
                pass
            else:
                mime = "application/json"
    mime = mime or "text/plain"
    return Sniffed(mime, _TEXT_BLOB_EXT.get(mime, ".txt"))


# --- damaged images ---------------------------------------------------------------------------

_CUT_SHORT = "the {} is cut short (damaged or not fully downloaded)"


def _check_png(data: bytes) -> None:
    """Walk the chunks: IHDR first, every length and CRC right, IEND reached."""
    pos = len(PNG_MAGIC)
    first = True
    while True:
        if pos + 8 > len(data):
            raise NotSupported(_CUT_SHORT.format("PNG image"))
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise NotSupported(_CUT_SHORT.format("PNG image"))
        if first and kind != b"IHDR":
            raise NotSupported("the PNG image is damaged (it does not start with a header)")
        first = False
        body = data[pos + 4 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(body) != crc:
            raise NotSupported("the PNG image is damaged (a checksum does not match)")
        if kind == b"IEND":
            return
        pos = end


def _check_jpeg(data: bytes) -> None:
    """Walk the segments to the first scan, then look for the end-of-image marker."""
    pos = 2
    size = len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise NotSupported("the JPEG image is damaged")
        while pos < size and data[pos] == 0xFF:
            pos += 1
        if pos >= size:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            continue
        if pos + 2 > size:
            break
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2:
            raise NotSupported("the JPEG image is damaged")
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data never holds FF D9 but at the end
            if data.find(b"\xff\xd9", pos) == -1:
                break
            return
    raise NotSupported(_CUT_SHORT.format("JPEG image"))


def _check_webp(data: bytes) -> None:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if len(data) < 16 or riff_size + 8 > len(data):
        raise NotSupported(_CUT_SHORT.format("WebP image"))
