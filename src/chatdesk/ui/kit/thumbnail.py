"""Small pictures of files: a thumbnail decoded at its size, or a type badge."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, Qt
from PySide6.QtGui import QImageReader, QPixmap

__all__ = ["badge", "thumbnail"]

_BADGES = {"application/pdf": "PDF", "text/markdown": "MD", "text/csv": "CSV"}


def badge(mime_type: str) -> str:
    """A short type label for a file without a thumbnail: ``PDF``, ``MD``, ``IMG``..."""
    if mime_type in _BADGES:
        return _BADGES[mime_type]
    if mime_type == "application/json":
        return "JSON"
    return "IMG" if mime_type.startswith("image/") else "TXT"


def thumbnail(source: Path | bytes, size: int) -> QPixmap | None:
    """A pixmap at most ``size`` pixels square, decoded at that size (cheap for big photos)."""
    buffer: QBuffer | None = None
    if isinstance(source, bytes):
        buffer = QBuffer()
        buffer.setData(QByteArray(source))
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
    else:
        reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and (full.width() > size or full.height() > size):
        reader.setScaledSize(full.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if buffer is not None:
        buffer.close()
    return None if image.isNull() else QPixmap.fromImage(image)
