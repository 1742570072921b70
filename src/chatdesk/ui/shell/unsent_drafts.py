"""UnsentDrafts: text that was sent but never stored comes back, never into what is typed.

A send that fails before its message is stored gives the text back. Into an empty composer it
goes as it was; while the user is typing something else, it is neither put over nor merged
into that text: it waits in a strip of its own above the composer (other notices do not
replace it, a send does not hide it), with "Insert it" to put it where the cursor is.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.kit.formatting import preview
from chatdesk.ui.shell.banner import Banner

PREVIEW_CHARS = 60


class UnsentDrafts(QObject):
    """Puts unsent text back where it belongs (see the module docstring); ``strip`` is the
    widget that shows what waits."""

    inserted = Signal(str)  # a waiting text went into the composer

    def __init__(
        self,
        composer: Composer,
        focus_composer: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent or composer)
        self._composer = composer
        self._focus = focus_composer
        self._waiting: list[str] = []  # oldest first; the newest is shown
        self._started: set[str] = set()  # of those, texts begun in a new chat (not sent ones)
        self.strip = Banner(parent)
        self.strip.setObjectName("unsentDrafts")

    @property
    def waiting(self) -> list[str]:
        """The texts kept aside, oldest first."""
        return list(self._waiting)

    def restore(self, text: str) -> None:
        """``text`` was not stored: back into an empty composer, else kept aside."""
        current = self._composer.text()
        if text.strip() == current.strip() or text in self._waiting:
            return
        if not current.strip():
            self._composer.set_text(text)
            self._focus()
            return
        self._waiting.append(text)
        self._show()

    def offer_started(self, text: str) -> None:
        """Text begun in a new chat and left there: a new chat starts empty, and this waits
        beside it ("Insert it"), never in it."""
        if text in self._waiting or text.strip() == self._composer.text().strip():
            return
        self._waiting.append(text)
        self._started.add(text)
        self._show()

    def resent(self, text: str) -> None:
        """A restored text is being sent again (Retry): it leaves the composer."""
        if self._composer.text().strip() == text.strip():
            self._composer.clear_after_send()

    def _show(self) -> None:
        if not self._waiting:
            self.strip.hide()
            return
        text = self._waiting[-1]
        more = len(self._waiting) - 1
        others = f" ({more} more waiting)" if more else ""
        if text in self._started:
            said = f"You began “{preview(text, PREVIEW_CHARS)}” in a new chat{others}."
        else:
            said = (
                f"Your message “{preview(text, PREVIEW_CHARS)}” was not sent{others}. It is "
                "kept here, apart from what you are typing."
            )
        self.strip.show_text(
            "info" if text in self._started else "warning",
            said,
            (
                "Insert it",
                self._insert_newest,
            ),
        )

    def _insert_newest(self) -> None:
        text = self._waiting.pop()
        self._started.discard(text)
        self._composer.edit.insertPlainText(text)
        self.inserted.emit(text)
        self._focus()
        self._show()
