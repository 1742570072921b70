"""ComposerDrafts: what is typed belongs to the chat it was typed in.

Leaving a chat keeps its unsent text aside; coming back puts it back; a new chat starts empty
(what was left in a new chat before waits beside it, to be inserted or not). Nothing typed is
ever carried into another chat or merged with another chat's text. The drafts are written to
the window state a moment after each change (so a crash keeps them) and come back after a
restart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

from chatdesk.core.models import Conversation
from chatdesk.ui.composer.composer import Composer

__all__ = ["ComposerDrafts"]

SAVE_DELAY_MS = 800
_NOTHING = object()


class DraftStore(Protocol):
    def drafts(self) -> dict[int | None, str]: ...

    def set_drafts(self, drafts: dict[int | None, str]) -> None: ...


class ComposerDrafts(QObject):
    """See the module docstring. Call :meth:`opened` for every conversation shown and
    :meth:`stored` when a new chat gets its id (its text stays)."""

    def __init__(
        self,
        composer: Composer,
        store: DraftStore,
        parent: QObject | None = None,
        *,
        offer: Callable[[str], None] | None = None,
    ) -> None:
        """``offer`` shows text begun in a new chat beside the empty composer of the next one
        (a new chat starts empty: nothing typed there is merged with old text)."""
        super().__init__(parent or composer)
        self._composer = composer
        self._offer = offer
        self._store = store
        self._drafts = store.drafts()
        self._shown: object = _NOTHING  # the chat the composer's text belongs to
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        composer.edit.textChanged.connect(self._timer.start)

    def opened(self, conversation: Conversation | None) -> None:
        """A conversation (None: a new chat) is shown: swap the composer's text if it is
        another one than the text belongs to."""
        target = conversation.id if conversation is not None else None
        if self._shown is not _NOTHING and target == self._shown:
            return
        if self._shown is not _NOTHING:
            self._keep(self._shown, self._composer.text())  # type: ignore[arg-type]
        returning = self._shown is _NOTHING  # the start: back where the last run left off
        self._shown = target
        if target is None and self._offer is not None and not returning:
            text, begun = "", self._drafts.pop(None, "")
            if begun.strip():
                self._drafts[None] = begun  # kept until it is inserted or replaced
        else:
            text, begun = self._drafts.pop(target, ""), ""
        if text != self._composer.text():
            self._composer.set_text(text)
        if begun.strip() and self._offer is not None:
            self._offer(begun)
        self.save()

    def stored(self, conversation_id: int) -> None:
        """The new chat on screen was stored as ``conversation_id``: its text is its own."""
        if self._shown is None:
            self._shown = conversation_id

    def keep_aside(self) -> None:
        """A message that does not come from the composer (quick ask, ``--send``) is about to
        start a chat: what is typed in the new chat on screen stays a new chat's draft (back
        on the next Ctrl+N), not the text of the chat that message starts."""
        text = self._composer.text()
        if self._shown is None and text.strip():
            self._drafts[None] = text
            self._composer.set_text("")
            self.save()

    def waiting(self) -> dict[int | None, str]:
        """The drafts kept aside (the chat on screen's text is in the composer)."""
        return dict(self._drafts)

    def forget(self, conversation_id: int) -> None:
        """A deleted chat's draft goes with it."""
        if self._drafts.pop(conversation_id, None) is not None:
            self.save()

    def save(self) -> None:
        """Write every draft, the composer's included, to the window state now."""
        self._timer.stop()
        drafts = dict(self._drafts)
        if self._shown is not _NOTHING and self._composer.text().strip():
            drafts[self._shown] = self._composer.text()  # type: ignore[index]
        self._store.set_drafts(drafts)

    def forget_begun(self, text: str) -> None:
        """Text begun in a new chat was inserted into the composer: no longer waiting."""
        if self._drafts.get(None) == text:
            del self._drafts[None]
            self.save()

    def _keep(self, conversation_id: int | None, text: str) -> None:
        if conversation_id is None and not text.strip() and self._offer is not None:
            return  # an empty new chat left: what was begun before still waits
        if text.strip():
            self._drafts[conversation_id] = text
        else:
            self._drafts.pop(conversation_id, None)
