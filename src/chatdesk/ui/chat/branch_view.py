"""BranchView: showing a new active path, editing and the summary marker, mixed into ChatView.

``show_path`` keeps the widgets of the beginning the old and the new path share (they are not
built or painted again) and rebuilds only what follows: a switch near the end of a long
conversation costs a few widgets, not a whole page. The widgets a switch takes away wait, hidden,
in a small pool, so flipping back to an alternative reuses them instead of building them again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from chatdesk.core.models import Message, Summary
from chatdesk.ui.chat.message_widget import MessageWidget
from chatdesk.ui.chat.summary_marker import SummaryMarker

if TYPE_CHECKING:
    from chatdesk.ui.chat.regenerate_menu import RegenerateChoices
    from chatdesk.ui.chat.scroll_anchor import ScrollAnchor
    from chatdesk.ui.chat.tool_cards.tool_results import ToolResults

__all__ = ["BranchView"]


class BranchView:
    """The branch half of ``ChatView`` (which provides the attributes below)."""

    if TYPE_CHECKING:
        _items: list[QWidget]
        _layout: QVBoxLayout
        _dark: bool
        _widgets: dict[int, MessageWidget]
        _held: list[Message]
        _tools: ToolResults
        _has_older: bool
        undoSummaryRequested: Any

        def message_widgets(self) -> list[MessageWidget]: ...

        def show_conversation(self, messages: Sequence[Message], *, has_older: bool) -> None: ...

        def _append(self, message: Message) -> None: ...

        def _insert(self, index: int, widget: QWidget) -> None: ...

        def _remove(self, widget: QWidget) -> None: ...

        def _reveal_held(self) -> None: ...

        _scroll: ScrollAnchor

    _summary_marker: SummaryMarker | None = None
    _regenerate_choices: RegenerateChoices | None = None
    #: Widgets a path switch took away, by message id, oldest first (reused when their
    #: message comes back unchanged).
    _spare: dict[int, MessageWidget] | None = None
    SPARE_LIMIT = 40

    def reveal_message(self, message_id: int) -> bool:
        """Scroll ``message_id`` into view near the top and make it glow (a search result);
        False when it is not among the messages given."""
        while message_id not in self._widgets and self._held:
            self._reveal_held()
        widget = self._widgets.get(message_id)
        if widget is None:
            return False
        from chatdesk.ui.chat.message_flash import MessageFlash  # on first use, not at start

        self._scroll.hold(widget, 48)
        MessageFlash(widget)
        return True

    def set_regenerate_choices(
        self,
        models: Callable[[], list[tuple[str, str]]],
        presets: Callable[[], list[tuple[int, str]]],
    ) -> None:
        """Where "Answer again with another model / preset" finds its choices."""
        self._regenerate_choices = (models, presets)
        for widget in self._widgets.values():
            widget.regenerate_choices = self.regenerate_choices

    def regenerate_choices(self) -> RegenerateChoices | None:
        """The (models, presets) providers, once the app has set them."""
        return self._regenerate_choices

    # -- paths ---------------------------------------------------------------------------

    def show_path(self, messages: Sequence[Message], *, has_older: bool) -> None:
        """Show a new active path (its end, oldest first), keeping the widgets of the part it
        shares with what is shown."""
        widgets = self.message_widgets()
        ids = [m.id for m in messages]
        if not widgets or widgets[0].message_id not in ids:
            self.show_conversation(messages, has_older=has_older)
            return
        self._tools.learn(messages)
        start = ids.index(widgets[0].message_id)
        if start:  # older messages of the path: shown when the user scrolls up
            self._held = list(messages[:start])
        self._has_older = has_older
        kept = 0
        rest = list(messages[start:])
        while rest:
            message = rest[0]
            if kept < len(widgets) and widgets[kept].message_id == message.id:
                widgets[kept].set_siblings(message.sibling_ids or (message.id,))
                kept += 1
            elif message.id not in self._widgets and not self._shows(message):
                pass  # a tool result on its call's card, or a system message
            else:
                break
            rest.pop(0)
        last = widgets[kept - 1] if kept else None
        self._drop_after(last, keep_spare=True)
        for message in rest:
            if not self._reuse(message):
                self._append(message)

    def _shows(self, message: Message) -> bool:
        """Would ``message`` get a widget of its own?"""
        if message.role == "system":
            return False
        return not (message.role == "tool" and message.tool_call_id in self._tools.names)

    def truncate_after(self, message_id: int | None) -> None:
        """Drop what is shown after message ``message_id`` (None: everything): a new branch
        starts there."""
        if message_id is None:
            self._drop_after(None)
            self._held = []
            return
        widget = self._widgets.get(message_id)
        if widget is not None:
            self._drop_after(widget)

    def _drop_after(self, widget: QWidget | None, *, keep_spare: bool = False) -> None:
        index = self._items.index(widget) + 1 if widget is not None else 0
        for item in self._items[index:]:
            if item is self._summary_marker:
                self._summary_marker = None
            if keep_spare and isinstance(item, MessageWidget) and self._can_spare(item):
                self._set_aside(item)
            else:
                self._remove(item)

    @staticmethod
    def _can_spare(widget: MessageWidget) -> bool:
        """Plain questions and answers (no tool cards, no editor, not streaming)."""
        return not (
            widget.is_compact or widget.tool_cards() or widget.editing or widget.is_streaming
        )

    def _set_aside(self, widget: MessageWidget) -> None:
        """Take ``widget`` off the view but keep it for a switch back."""
        spare = self._spare if self._spare is not None else {}
        self._spare = spare
        self._items.remove(widget)
        self._widgets.pop(widget.message_id, None)
        self._layout.removeWidget(widget)
        widget.hide()
        old = spare.pop(widget.message_id, None)
        if old is not None and old is not widget:
            old.deleteLater()
        spare[widget.message_id] = widget
        while len(spare) > self.SPARE_LIMIT:
            spare.pop(next(iter(spare))).deleteLater()

    def _reuse(self, message: Message) -> bool:
        """Show a spare widget of ``message`` again if it still shows it as it is."""
        widget = self._spare.pop(message.id, None) if self._spare else None
        if widget is None:
            return False
        if (
            widget.source != message.content
            or widget.status is not message.status
            or message.tool_calls
            or message.attachments
        ):
            widget.deleteLater()
            return False
        self._widgets[message.id] = widget
        widget.set_siblings(message.sibling_ids or (message.id,))
        widget.set_dark(self._dark)  # the theme may have changed meanwhile (the zoom: _insert)
        self._insert(len(self._items), widget)
        return True

    def drop_spares(self) -> None:
        """Forget the spare widgets (another conversation is shown)."""
        spare, self._spare = self._spare, None
        for widget in (spare or {}).values():
            widget.deleteLater()

    # -- editing -------------------------------------------------------------------------

    def begin_edit(self, message_id: int) -> bool:
        """Open a question for editing; False when it is not shown."""
        widget = self._widgets.get(message_id)
        if widget is None or widget.role != "user":
            return False
        widget.begin_edit()
        if isinstance(self, QScrollArea):
            self.ensureWidgetVisible(widget)
        return True

    def edit_last_user_message(self) -> bool:
        """Open the last question shown for editing (Up in the empty composer)."""
        last = next((w for w in reversed(self.message_widgets()) if w.role == "user"), None)
        return last is not None and self.begin_edit(last.message_id)

    # -- the summary marker --------------------------------------------------------------

    def show_summary(self, summary: Summary | None) -> None:
        """Mark where a compaction summary stands in for the messages above (None: no
        summary)."""
        marker = self._summary_marker
        if marker is not None and (summary is None or marker.summary != summary):
            self._summary_marker = None
            if marker in self._items:
                self._remove(marker)
            marker = None
        if summary is None or marker is not None:
            return
        anchor = self._widgets.get(summary.through_id)
        if anchor is not None:
            index = self._items.index(anchor) + 1
        else:
            shown = self.message_widgets()
            if not shown or shown[0].message_id < summary.through_id:
                return  # not on the messages shown
            index = 0
        marker = self._summary_marker = SummaryMarker(summary)
        marker.undoRequested.connect(self.undoSummaryRequested)
        self._insert(index, marker)
