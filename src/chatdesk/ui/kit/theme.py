"""Light, dark or system colours for the whole app (Fusion style, explicit palettes)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from chatdesk.paths import resources_dir
from chatdesk.ui.kit.colors import is_dark

_system_palette: QPalette | None = None

STYLE_SHEET = """
QWidget#banner, QWidget#unsentDrafts {
    background: palette(alternate-base); border-top: 1px solid palette(mid); }
QWidget#banner[level="error"] { background: rgba(220, 60, 60, 40); }
QWidget#banner[level="warning"], QWidget#unsentDrafts[level="warning"] {
    background: rgba(230, 170, 40, 45); }
QWidget#composerPanel { border-top: 1px solid palette(midlight); }
QPlainTextEdit#composer { border: 1px solid palette(mid); border-radius: 10px; padding: 4px 6px;
    background: palette(base); }
QPlainTextEdit#composer:focus { border: 1px solid palette(highlight); }
QPushButton#sendButton, QPushButton#stopButton { min-width: 72px; min-height: 30px;
    border-radius: 8px; padding: 4px 12px; }
QPushButton#sendButton:enabled { background: palette(highlight); color: palette(highlighted-text);
    border: none; }
QPushButton#sendButton:disabled { background: palette(button); color: palette(mid);
    border: 1px solid palette(midlight); }
QPushButton#stopButton { background: palette(button); color: palette(button-text);
    border: 1px solid palette(mid); }
QPushButton#stopButton:hover { border: 1px solid palette(highlight); }
QPushButton#newChatButton { text-align: left; padding: 7px 10px; border-radius: 8px; }
QListWidget#sessionList { border: none; background: palette(window); }
QListWidget#sessionList::item { padding: 7px 8px; border-radius: 6px; }
QListWidget#sessionList::item:selected { background: palette(highlight);
    color: palette(highlighted-text); }
QLineEdit#sessionSearch { padding: 5px 8px; border-radius: 6px; }
QFrame#firstRunCard { border: 1px solid palette(mid); border-radius: 14px;
    background: palette(base); }
QComboBox#modelPicker { border: 1px solid palette(mid); border-radius: 6px; padding: 3px 8px;
    background: palette(base); }
QComboBox#modelPicker:focus { border: 1px solid palette(highlight); }
QComboBox#modelPicker::drop-down { border: none; width: 22px; }
QComboBox#modelPicker::down-arrow { image: url("@CHEVRON@"); width: 10px; height: 10px; }
QToolBar#mainToolbar { spacing: 6px; padding: 4px; border-bottom: 1px solid palette(midlight); }
QToolBar#mainToolbar::separator { background: palette(mid); width: 1px; margin: 5px 4px; }
"""


def dark_palette() -> QPalette:
    """A calm dark palette."""
    p = QPalette()
    window = QColor(32, 33, 36)
    base = QColor(24, 25, 27)
    text = QColor(230, 230, 232)
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(40, 42, 46))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor(48, 50, 54))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(140, 142, 148))
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, QColor(44, 46, 50))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor(255, 90, 90))
    p.setColor(QPalette.ColorRole.Light, QColor(70, 72, 78))
    p.setColor(QPalette.ColorRole.Midlight, QColor(56, 58, 62))
    p.setColor(QPalette.ColorRole.Mid, QColor(66, 68, 74))
    p.setColor(QPalette.ColorRole.Dark, QColor(20, 20, 22))
    p.setColor(QPalette.ColorRole.Shadow, QColor(0, 0, 0))
    p.setColor(QPalette.ColorRole.Highlight, QColor(74, 128, 230))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.Link, QColor(120, 170, 255))
    p.setColor(QPalette.ColorRole.LinkVisited, QColor(170, 140, 255))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 122, 128))
    return p


def light_palette() -> QPalette:
    """Fusion's light palette with a blue accent."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    p = app.style().standardPalette()
    p.setColor(QPalette.ColorRole.Highlight, QColor(46, 104, 214))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(244, 245, 247))
    return p


def apply_theme(app: QApplication, theme: str) -> bool:
    """Apply "light", "dark" or "system"; returns whether the result is dark."""
    global _system_palette
    if _system_palette is None:
        _system_palette = QPalette(app.palette())
    if theme == "dark":
        palette = dark_palette()
    elif theme == "light":
        palette = light_palette()
    else:
        hints = QGuiApplication.styleHints()
        scheme = hints.colorScheme()
        dark = scheme.name == "Dark"
        palette = dark_palette() if dark else light_palette()
    app.setPalette(palette)
    dark = is_dark(palette)
    chevron = resources_dir() / "icons" / f"chevron-down-{'dark' if dark else 'light'}.png"
    app.setStyleSheet(STYLE_SHEET.replace("@CHEVRON@", chevron.as_posix()))
    return dark
