"""UnsentDrafts: text that was sent but never stored comes back, never into what is typed.

A send that fails before its message is stored gives the text back. Into an empty composer it
goes as it was; while the user is typing something else, it is neither put over nor merged
into that text: the banner keeps it, with "Insert it" to put it where the cursor is.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.shell.banner import Banner

PREVIEW_CHARS = 60


class UnsentDrafts(QObject):
    """Puts unsent text back where it belongs (see the module docstring)."""

    def __init__(
        self,
        composer: Composer,
        banner: Banner,
        focus_composer: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or composer)
        self._composer = composer
        self._banner = banner
        self._focus = focus_composer

    def restore(self, text: str) -> None:
        """``text`` was not stored: back into an empty composer, else kept in the banner."""
        current = self._composer.text()
        if text in current:
            return
        if not current.strip():
            self._composer.set_text(text)
            self._focus()
            return
        self._banner.show_text(
            "warning",
            f"Your message “{_preview(text)}” was not sent. It is kept here, apart from what "
            "you are typing.",
            ("Insert it", lambda: self._insert(text)),
        )

    def resent(self, text: str) -> None:
        """A restored text is being sent again (Retry): it leaves the composer."""
        if self._composer.text().strip() == text.strip():
            self._composer.clear_after_send()

    def _insert(self, text: str) -> None:
        self._composer.edit.insertPlainText(text)
        self._focus()


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"
