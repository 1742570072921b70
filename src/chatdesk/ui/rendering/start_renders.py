"""The render cache at start and quit: the window paints the newest answers from stored HTML.

At start the snapshot brings the cached renders of the messages it shows, and each is handed to
the Markdown renderer for its first use. At quit the open conversation's newest answers are
stored again, reusing the renders from the start where neither the text nor the palette changed
(so a session that rendered nothing never loads the Markdown parser).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chatdesk.errors import ChatdeskError
from chatdesk.ui.rendering.markdown import Rendered, remember, render_blocks, render_key

if TYPE_CHECKING:
    from chatdesk.storage.render_cache import CachedRender
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.storage.snapshot import StartSnapshot

log = logging.getLogger(__name__)


class StartRenders:
    """Cached renders used at start, and the saving of new ones at quit."""

    def __init__(self) -> None:
        self._key = ""
        self._used: dict[int, tuple[str, CachedRender]] = {}  # message id -> (text, render)

    def use(self, snapshot: StartSnapshot, dark: bool) -> None:
        """Have the snapshot's cached renders (made under ``render_key(dark)``) shown."""
        self._key = render_key(dark)
        for message in snapshot.messages:
            cached = snapshot.renders.get(message.id)
            if cached is not None:
                remember(
                    message.content, dark=dark, rendered=Rendered(cached.html, cached.code_blocks)
                )
                self._used[message.id] = (message.content, cached)

    async def save(
        self, repo: ChatRepository, conversation_id: int | None, page: int, dark: bool
    ) -> None:
        """Store the renders of the newest ``page`` answers of ``conversation_id``; a failure
        is only logged (the next start renders them instead)."""
        from chatdesk.storage.render_cache import CachedRender, save_render_cache

        key = render_key(dark)
        try:
            messages = (
                await repo.list_messages(conversation_id, limit=page)
                if conversation_id is not None
                else []
            )
            renders = []
            for m in messages:
                if m.role != "assistant" or not m.content:
                    continue
                text, cached = self._used.get(m.id, ("", None))
                if cached is None or text != m.content or key != self._key:
                    rendered = render_blocks(m.content, dark=dark)
                    cached = CachedRender(m.id, rendered.html, rendered.code_blocks)
                renders.append(cached)
            await save_render_cache(repo, key, renders)
        except ChatdeskError as exc:
            log.warning("could not save the render cache: %s", exc)
