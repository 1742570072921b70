"""The conversation pane: a scrolling column of message widgets that follows the stream.

Only a window of messages is ever instantiated: ``show_conversation`` builds widgets for the last
:attr:`ChatView.WINDOW` messages it is given and keeps the rest as data, revealed a chunk at a
time when the user scrolls to the top; once none are left it asks for older ones
(``loadOlderRequested``). While the user stays at the bottom the view follows new text; once
they scroll up it keeps the message they are reading still, whatever grows above or below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import Attachment, Message, ToolCall
from chatdesk.ui.chat.branch_view import BranchView
from chatdesk.ui.chat.error_card import ErrorCard
from chatdesk.ui.chat.message_widget import MessageWidget
from chatdesk.ui.chat.scroll_anchor import ScrollAnchor
from chatdesk.ui.chat.tool_cards.tool_card import ToolCard
from chatdesk.ui.chat.tool_cards.tool_outcome import ToolRun
from chatdesk.ui.chat.tool_cards.tool_results import ToolResults
from chatdesk.ui.rendering.highlighter_warmup import HighlighterWarmup

if TYPE_CHECKING:
    from chatdesk.attachments.views import AttachmentView

__all__ = ["ChatView"]


class ChatView(BranchView, QScrollArea):
    """Shows one conversation; the controller drives it through the methods below (and those
    of ``BranchView``: paths, editing, the summary marker)."""

    #: Message id of the failed or cancelled assistant message (-1: the error had no message).
    retryRequested = Signal(int)
    editSaved = Signal(int, str)  # a question edited: message id, its new text
    editClosed = Signal()  # an editor closed without sending
    switchTo = Signal(int)  # show the alternative with this id
    regenerateRequested = Signal(int, object)  # message id, None | ("model", id) | ("preset", id)
    branchOffRequested = Signal(int)
    deleteBranchRequested = Signal(int)
    undoSummaryRequested = Signal(int)  # a summary's id
    openSettingsRequested = Signal()
    #: The user scrolled to the top and older messages exist.
    loadOlderRequested = Signal()
    attachmentOpenRequested = Signal(int)  # an attachment id whose link must be made again

    WINDOW = 50  # messages instantiated by show_conversation
    CHUNK = 25  # held-back messages revealed per scroll to the top
    COLUMN_WIDTH = 860  # widest the message column gets

    def __init__(self, parent: QWidget | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setAccessibleName("Conversation")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._dark = dark
        self._zoom = 100
        self._base_font = QFont(self.font())
        self._font: QFont | None = None  # set once zoomed

        self._canvas = QWidget()
        self._canvas.setObjectName("chatCanvas")
        self._canvas.setBackgroundRole(QPalette.ColorRole.Base)
        self._canvas.setAutoFillBackground(True)
        outer = QHBoxLayout(self._canvas)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self._column = QWidget(self._canvas)
        self._column.setObjectName("chatColumn")
        self._column.setMaximumWidth(self.COLUMN_WIDTH)
        self._column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        outer.addStretch(1)
        outer.addWidget(self._column, 1000)
        outer.addStretch(1)
        self._layout = QVBoxLayout(self._column)
        self._layout.setContentsMargins(24, 18, 24, 28)
        self._layout.setSpacing(8)
        self._older_label = QLabel("Loading earlier messages…", self._column)
        self._older_label.setObjectName("olderIndicator")
        self._older_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._older_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._older_label.hide()
        self._layout.addWidget(self._older_label)
        self._layout.addStretch(1)
        self._empty = QLabel(
            "<div style='font-size:x-large; font-weight:600'>What can I help with?</div>"
            "<div style='margin-top:8px'>Type below and press Enter · Shift+Enter adds a line · "
            "Ctrl+N starts a new chat</div>",
            self._column,
        )
        self._empty.setObjectName("emptyState")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(2)
        self.setWidget(self._canvas)

        self._items: list[QWidget] = []  # message widgets and loose error cards, top to bottom
        self._widgets: dict[int, MessageWidget] = {}
        self._held: list[Message] = []  # older messages given but not instantiated
        self._tools = ToolResults()  # the calls' tool names and outcomes
        self._orphans: dict[str, MessageWidget] = {}  # call id -> a result shown without its call
        self._has_older = False
        self._older_requested = False
        #: Views of a message's files, without I/O (set by the app once attachments work).
        self.attachment_views: Callable[[Sequence[Attachment]], Sequence[AttachmentView]] | None = (
            None
        )

        self._scroll = ScrollAnchor(
            self, self._column, lambda: self._items, at_top=self._at_top, short=self._fill_if_short
        )

        # Compile the code highlighters at idle, one language per tick, before they are needed.
        self._warmup = HighlighterWarmup(self)

    # --- the controller's API ---

    def show_conversation(self, messages: Sequence[Message], *, has_older: bool) -> None:
        """Replace everything with ``messages`` (oldest first) and scroll to the bottom.

        A ``tool`` message shows on the card of its call (in the message that made it), not
        as a message of its own, unless that call is not among the messages given."""
        self._remove_all()
        self._tools.clear()
        self._tools.learn(messages)
        split = max(len(messages) - self.WINDOW, 0)
        self._held = list(messages[:split])
        self._has_older = has_older
        self._older_requested = False
        for message in messages[split:]:
            self._append(message)
        self._follow()
        QTimer.singleShot(0, self, self._fill_if_short)

    def prepend_messages(self, messages: Sequence[Message], *, has_older: bool) -> None:
        """Add an older window above, keeping what the user sees where it is."""
        self._older_label.hide()
        self._has_older = has_older
        self._older_requested = False
        self._tools.learn(messages)
        self._held = [*messages, *self._held]
        self._reveal_held()
        QTimer.singleShot(0, self, self._fill_if_short)

    def add_inline(self, widget: QWidget) -> None:
        """Show a widget (an approval card) at the end of the conversation, and follow it."""
        self._insert(len(self._items), widget)
        self._follow()

    def remove_inline(self, widget: QWidget) -> None:
        """Take back a widget given to ``add_inline`` (not there: nothing happens)."""
        if widget in self._items:
            self._remove(widget)

    def add_message(self, message: Message) -> None:
        """Append a complete message; a user's own message brings the view to the bottom."""
        self._drop_loose_errors()
        self._tools.learn((message,))
        existing = self._widgets.get(message.id)
        if existing is not None:
            existing.set_message(
                message, tool_names=self._tools.names, tool_results=self._tools.outcomes
            )
        else:
            self._append(message)
        if message.role == "user":
            self._follow()

    def start_assistant(self, message_id: int, model: str) -> None:
        """Add a streaming placeholder that shows "thinking…" until the first text."""
        self._drop_loose_errors()
        widget = self._widgets.get(message_id)
        if widget is None:
            widget = self._new_widget(message_id, "assistant", model)
            self._insert(len(self._items), widget)
        widget.start_stream(model)

    def append_stream(self, message_id: int, text: str = "", reasoning: str = "") -> None:
        """Add coalesced deltas to a streaming message."""
        widget = self._widgets.get(message_id)
        if widget is None:  # not a message of the conversation shown: ignore
            return
        widget.append_stream(text, reasoning)

    def show_retry(self, message_id: int, delay_s: float, reason: str) -> None:
        """The streaming message's request is tried again in ``delay_s`` seconds."""
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.show_retry(delay_s, reason)

    def tool_started(self, message_id: int, call: ToolCall) -> None:
        """A tool call of a streaming message runs: a card under it, running."""
        self._tools.started(call)
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.tool_started(call)

    def tool_finished(
        self,
        message_id: int,
        call: ToolCall,
        result: str,
        error: str | None,
        duration_s: float,
        denied: bool = False,
    ) -> None:
        """A tool call ended (``error`` set: it failed; ``denied``: the user said no): its card
        shows how, and the result."""
        outcome = self._tools.finished(call, result, error, duration_s, denied=denied)
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.tool_finished(call, outcome)

    def apply_tool_runs(self, runs: Mapping[str, ToolRun]) -> None:
        """What the database recorded about the shown conversation's calls (call id -> run):
        stored results gain their failed status and duration. Call after show_conversation
        or prepend_messages; results not shown yet keep it for when they are."""
        for call_id, stored, outcome in self._tools.apply_runs(runs):
            card = self.tool_card(call_id)
            if card is not None and card.outcome == stored:
                card.set_outcome(outcome)

    def tool_card(self, call_id: str) -> ToolCard | None:
        """The card of a tool call, if an instantiated message shows it."""
        for widget in self._widgets.values():
            card = widget.tool_card(call_id)
            if card is not None:
                return card
        return None

    def finish_message(self, message: Message) -> None:
        """Final render with the footer; also for cancelled messages (partial text stays)."""
        self._tools.learn((message,))
        widget = self._widgets.get(message.id)
        if widget is None:
            self._append(message)
        else:
            widget.finish(message)

    def show_error(
        self,
        message_id: int | None,
        text: str,
        *,
        kind: str,
        partial: Message | None = None,
    ) -> None:
        """Show an inline error card under the message's partial text (Retry; Open settings)."""
        if message_id is None and partial is not None:
            message_id = partial.id
        if message_id is None:
            card = ErrorCard(text, kind, self._column)
            card.retryClicked.connect(lambda: self.retryRequested.emit(-1))
            card.openSettingsClicked.connect(self.openSettingsRequested)
            self._insert(len(self._items), card)
            return
        widget = self._widgets.get(message_id)
        if widget is None:
            model = (partial.model if partial else None) or ""
            widget = self._new_widget(message_id, "assistant", model)
            self._insert(len(self._items), widget)
        widget.show_error(text, kind, partial)

    def clear(self) -> None:
        """Show nothing."""
        self._remove_all()
        self._has_older = False
        self._older_requested = False
        self._follow()

    def set_dark(self, dark: bool) -> None:
        """Re-render messages with the code colours of the theme."""
        if dark == self._dark:
            return
        self._dark = dark
        for widget in self._widgets.values():
            widget.set_dark(dark)

    def set_zoom(self, percent: int) -> None:
        """Scale the fonts of all messages (100 = the application font)."""
        percent = max(50, min(int(percent), 300))
        if percent == self._zoom:
            return
        self._zoom = percent
        font = QFont(self._base_font)
        if self._base_font.pointSizeF() > 0:
            font.setPointSizeF(self._base_font.pointSizeF() * percent / 100)
        else:
            font.setPixelSize(max(round(self._base_font.pixelSize() * percent / 100), 6))
        self._font = font
        self._canvas.setFont(font)
        for widget in self._items:
            self._apply_font(widget)

    def is_following(self) -> bool:
        """True while the view scrolls along with new text."""
        return self._scroll.following

    def message_widget(self, message_id: int) -> MessageWidget | None:
        """The widget of a message, if it is instantiated."""
        return self._widgets.get(message_id)

    # --- introspection (tests, benchmarks) ---

    @property
    def zoom(self) -> int:
        """Current zoom in percent."""
        return self._zoom

    @property
    def held_count(self) -> int:
        """Messages given to the view but not instantiated."""
        return len(self._held)

    def message_widgets(self) -> list[MessageWidget]:
        """Instantiated message widgets, top to bottom."""
        return [w for w in self._items if isinstance(w, MessageWidget)]

    # --- events ----------------------------------------------------------------------------------

    def wheelEvent(self, e: QWheelEvent) -> None:
        """A wheel turn upwards at the top asks for more, even when nothing can scroll."""
        bar = self.verticalScrollBar()
        if e.angleDelta().y() > 0 and bar.value() <= bar.minimum():
            self._at_top()
        super().wheelEvent(e)

    # --- internals -------------------------------------------------------------------------------

    def _new_widget(self, message_id: int, role: str, model: str) -> MessageWidget:
        widget = MessageWidget(
            message_id,
            "user" if role == "user" else "assistant",
            model=model,
            dark=self._dark,
            parent=self._column,
        )
        self._connect(widget)
        return widget

    def _connect(self, widget: MessageWidget) -> None:
        self._widgets[widget.message_id] = widget
        widget.retryRequested.connect(self.retryRequested)
        widget.openSettingsRequested.connect(self.openSettingsRequested)
        widget.editSaved.connect(self.editSaved)
        widget.editClosed.connect(self.editClosed)
        widget.switchTo.connect(self.switchTo)
        widget.regenerateRequested.connect(self.regenerateRequested)
        widget.branchOffRequested.connect(self.branchOffRequested)
        widget.deleteBranchRequested.connect(self.deleteBranchRequested)
        widget.regenerate_choices = self.regenerate_choices

    def _make(self, message: Message) -> MessageWidget | None:
        if message.role == "system":
            return None
        if message.role == "tool" and message.tool_call_id in self._tools.names:
            return None  # its call's card shows it
        widget = MessageWidget.from_message(
            message,
            dark=self._dark,
            tool_names=self._tools.names,
            tool_results=self._tools.outcomes,
            parent=self._column,
        )
        self._connect(widget)
        if message.role == "tool" and message.tool_call_id:
            self._orphans[message.tool_call_id] = widget
        for call in message.tool_calls:  # a result shown alone until now joins its call
            orphan = self._orphans.pop(call.id, None)
            if orphan is not None and orphan in self._items:
                self._remove(orphan)
        self._add_strip(widget, message)
        return widget

    def show_attachments(self, messages: Sequence[Message]) -> None:
        """Add the files of messages already shown (they were painted before the attachment
        store was ready)."""
        for message in messages:
            widget = self._widgets.get(message.id)
            if widget is not None:
                self._add_strip(widget, message)

    def _add_strip(self, widget: MessageWidget, message: Message) -> None:
        if message.attachments and self.attachment_views is not None:
            from chatdesk.ui.chat.attachment_strip import AttachmentStrip  # when files show

            strip = AttachmentStrip(widget)
            if message.role == "user":
                strip.align_end()
            strip.set_views(self.attachment_views(message.attachments))
            strip.openRequested.connect(self.attachmentOpenRequested)
            widget.set_attachment_strip(strip)

    def _append(self, message: Message) -> None:
        widget = self._make(message)
        if widget is not None:
            self._insert(len(self._items), widget)

    def _apply_font(self, widget: QWidget) -> None:
        if self._font is None:
            return
        if isinstance(widget, MessageWidget):
            widget.set_font_everywhere(self._font)
        else:
            widget.setFont(self._font)
            for child in widget.findChildren(QWidget):
                child.setFont(self._font)

    def _insert(self, index: int, widget: QWidget) -> None:
        self._apply_font(widget)
        self._items.insert(index, widget)
        self._layout.insertWidget(index + 1, widget)  # +1: the "loading" label comes first
        widget.show()
        self._empty.hide()

    def _remove(self, widget: QWidget) -> None:
        self._items.remove(widget)
        if isinstance(widget, MessageWidget):
            self._widgets.pop(widget.message_id, None)
            self._orphans = {k: w for k, w in self._orphans.items() if w is not widget}
        self._layout.removeWidget(widget)
        widget.hide()
        widget.deleteLater()
        self._empty.setVisible(not self._items and not self._held)

    def _remove_all(self) -> None:
        self._summary_marker = None
        self.drop_spares()
        for widget in list(self._items):
            self._remove(widget)
        self._held = []
        self._scroll.release()
        self._older_label.hide()
        self._empty.show()

    def _drop_loose_errors(self) -> None:
        for widget in [w for w in self._items if isinstance(w, ErrorCard)]:
            self._remove(widget)

    def _reveal_held(self) -> None:
        """Instantiate the newest chunk of held-back messages above the others."""
        if not self._held:
            return
        self._scroll.hold_unless_following()
        chunk = self._held[-self.CHUNK :]
        del self._held[-self.CHUNK :]
        index = 0
        for message in chunk:
            widget = self._make(message)
            if widget is not None:
                self._insert(index, widget)
                index += 1

    def _at_top(self) -> None:
        if self._held:
            self._scroll.hold_top()
            self._reveal_held()
        elif self._has_older and not self._older_requested:
            self._older_requested = True
            self._older_label.show()
            self.loadOlderRequested.emit()

    def _follow(self) -> None:
        self._scroll.follow()

    def _fill_if_short(self) -> None:
        """Content shorter than the view cannot be scrolled to the top: load older at once.

        Judged by the layout's size hint, not the scroll range, which is also 0 for a moment
        before a new window of messages is laid out.
        """
        if not (self._held or self._has_older):
            return
        if self._layout.sizeHint().height() > self.viewport().height():
            return
        self._at_top()
        if self._held or not self._older_requested:
            QTimer.singleShot(0, self, self._fill_if_short)
