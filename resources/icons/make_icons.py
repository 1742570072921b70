"""Render resources/chatdesk.svg into the hicolor sizes ``make install`` puts in place.

Run from the repository root after changing the SVG:
``QT_QPA_PLATFORM=offscreen .venv/bin/python resources/icons/make_icons.py``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    app = QGuiApplication([])
    root = Path(__file__).resolve().parents[1]
    renderer = QSvgRenderer(str(root / "chatdesk.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "chatdesk.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(target))
    del app


if __name__ == "__main__":
    main()
