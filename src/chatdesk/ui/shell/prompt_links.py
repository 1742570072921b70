"""PromptLinks: the window's side of MCP prompts — the "/" menu lists them, a chosen one with
arguments asks for them in an inline card, and the filled-in text lands in the composer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from chatdesk.mcp.prompts import ServerPrompt

if TYPE_CHECKING:
    from chatdesk.ui.shell.main_window import MainWindow
    from chatdesk.ui.tools.prompt_card import PromptCard

__all__ = ["PromptLinks"]


class PromptLinks(QObject):
    """``requested(prompt, values)`` when a prompt is chosen and its arguments are in."""

    requested = Signal(object, object)  # ServerPrompt, dict[str, str]

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._card: PromptCard | None = None
        window.slash_popup.promptChosen.connect(self._chosen)

    def set_prompts(self, prompts: Sequence[ServerPrompt]) -> None:
        """What the "/" menu offers besides the suggestions."""
        self._window.slash_popup.set_prompts(prompts)

    def put_text(self, text: str) -> None:
        """A prompt's text into the composer (the user reads it and sends it)."""
        self._window.composer.set_text(text)
        self._window.focus_composer()

    def _chosen(self, prompt: ServerPrompt) -> None:
        if not prompt.arguments:
            self.requested.emit(prompt, {})
            return
        from chatdesk.ui.tools.prompt_card import PromptCard

        self._close_card()
        card = self._card = PromptCard(prompt)
        card.submitted.connect(lambda values: self._answered(prompt, values))
        card.cancelled.connect(self._close_card)
        self._window.chat_view.add_inline(card)
        card.focus_first()

    def _answered(self, prompt: ServerPrompt, values: dict[str, str]) -> None:
        self._close_card()
        self.requested.emit(prompt, values)

    def _close_card(self) -> None:
        card, self._card = self._card, None
        if card is not None:
            self._window.chat_view.remove_inline(card)
            card.deleteLater()
            self._window.focus_composer()
