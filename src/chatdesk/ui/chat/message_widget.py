"""One chat message: header, rich-text body, collapsible reasoning, footer, error card.

User messages sit in a tinted rounded bubble on the right; assistant messages are plain
Markdown on the view's background, like modern chat apps. All colours come from the palette
(recomputed when it changes) except code highlighting, which the Markdown renderer bakes in.
Its parts live in message_parts/ (text, header, footer, reasoning, thinking indicator, bubble,
copy button), tool_cards/ and error_card; the kit paints the bubble and the avatar.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.models import Message, MessageStatus, Role, ToolCall
from chatdesk.ui.chat.error_card import ErrorCard
from chatdesk.ui.chat.message_parts.branch_actions import BranchActions
from chatdesk.ui.chat.message_parts.copy_button import copy_button
from chatdesk.ui.chat.message_parts.message_body import MessageBody
from chatdesk.ui.chat.message_parts.message_footer import MessageFooter
from chatdesk.ui.chat.message_parts.message_header import MessageHeader
from chatdesk.ui.chat.message_parts.message_text import MessageText
from chatdesk.ui.chat.message_parts.reasoning_pane import ReasoningPane, reasoning_toggle
from chatdesk.ui.chat.message_parts.thinking_indicator import ThinkingIndicator
from chatdesk.ui.chat.message_parts.user_bubble import UserBubble
from chatdesk.ui.chat.tool_cards.tool_call_list import ToolCallList
from chatdesk.ui.chat.tool_cards.tool_card import ToolCard
from chatdesk.ui.chat.tool_cards.tool_outcome import ToolOutcome, ToolStatus
from chatdesk.ui.kit.colors import muted_color
from chatdesk.ui.kit.icons import icon
from chatdesk.ui.rendering.stream_renderer import StreamRenderer

__all__ = ["MessageWidget"]


class MessageWidget(BranchActions, QFrame):
    """One message of the chat view (its edit and branch actions: ``BranchActions``)."""

    retryRequested = Signal(int)
    openSettingsRequested = Signal()
    editSaved = Signal(int, str)  # message id, the edited text
    editClosed = Signal()  # the editor closed without a change
    switchTo = Signal(int)  # the alternative to show
    regenerateRequested = Signal(int, object)  # message id, None | ("model", id) | ("preset", id)
    branchOffRequested = Signal(int)
    deleteBranchRequested = Signal(int)

    def __init__(
        self,
        message_id: int,
        role: Role,
        *,
        model: str = "",
        dark: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("messageWidget")
        self.setProperty("role", role)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._id = message_id
        self._role: Role = role
        self._model = model
        self._status = MessageStatus.COMPLETE
        self._compact = False

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 16, 0, 0)  # the view's spacing is small: tool cards
        self._layout.setSpacing(6)
        self._header = MessageHeader(role, model, self)
        self._layout.addWidget(self._header)

        self._reasoning: ReasoningPane | None = None  # made with the first reasoning

        # A long streamed answer continues in more bodies below the first (see StreamRenderer).
        self._text = MessageText(dark=dark, boxed=role != "user", parent=self)
        self.body = self._text.body
        self.copy_button = copy_button(self, lambda: self.source, self._restyle)
        self._bubble: UserBubble | None = None
        if role == "user":
            self._bubble = UserBubble(self.body, self)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(6)
            row.addStretch(1)
            row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignBottom)
            row.addWidget(self._bubble)
            self._layout.addLayout(row)
            self._bubble_row = row
            self._text.hide()  # a user's message is one plain-text body in the bubble
        else:
            self._layout.addWidget(self._text)

        self._thinking = ThinkingIndicator(self)
        self._thinking.stepped.connect(self._on_thinking_step)
        self._layout.addWidget(self._thinking)

        self._tool_box: ToolCallList | None = None
        self.error_card: ErrorCard | None = None

        self._footer = MessageFooter(self.copy_button if role != "user" else None, self)
        self._footer.retryClicked.connect(lambda: self.retryRequested.emit(self._id))
        self.retry_button = self._footer.retry_button
        self.regenerate_button = self._footer.regenerate_button
        self.meta_label = self._footer.meta_label
        self.status_label = self._footer.status_label
        self._layout.addWidget(self._footer)
        if role == "user":
            self._footer.hide()
        self._init_branch_actions()
        self._restyle()

    def set_attachment_strip(self, strip: QWidget) -> None:
        """Show a message's files (thumbnails) under its text."""
        self._layout.insertWidget(self._layout.indexOf(self._thinking), strip)

    # --- construction from data ----------------------------------------------------------------

    @classmethod
    def from_message(
        cls,
        message: Message,
        *,
        dark: bool = False,
        tool_names: Mapping[str, str] | None = None,
        tool_results: Mapping[str, ToolOutcome] | None = None,
        parent: QWidget | None = None,
    ) -> MessageWidget:
        """A widget showing a stored message; ``tool_names`` (call id -> tool) and
        ``tool_results`` (call id -> outcome) fill in its tool cards."""
        widget = cls(message.id, message.role, model=message.model or "", dark=dark, parent=parent)
        widget.set_message(message, tool_names=tool_names, tool_results=tool_results)
        return widget

    # --- read-only state -------------------------------------------------------------------------

    @property
    def message_id(self) -> int:
        """Id of the message shown."""
        return self._id

    @property
    def role(self) -> Role:
        """Role of the message shown."""
        return self._role

    @property
    def source(self) -> str:
        """The message's Markdown source (what Copy copies)."""
        return self._text.source

    @property
    def code_blocks(self) -> tuple[str, ...]:
        """Source of the rendered code blocks, indexed like their ``copy-code`` links."""
        return self._text.code_blocks

    @property
    def status(self) -> MessageStatus:
        """Lifecycle state shown."""
        return self._status

    @property
    def is_streaming(self) -> bool:
        """True between start_stream and finish."""
        return self._text.is_streaming

    @property
    def stream_renderer(self) -> StreamRenderer | None:
        """The renderer of the streamed text, until the message is rendered anew."""
        return self._text.stream_renderer

    @property
    def is_rendering(self) -> bool:
        """True while streamed text still waits for its final render (a few event-loop passes)."""
        return self._text.is_rendering

    @property
    def is_compact(self) -> bool:
        """True when the message shows nothing but tool cards."""
        return self._compact

    def tool_cards(self) -> list[ToolCard]:
        """The message's tool-call cards, top to bottom."""
        return self._tool_box.cards() if self._tool_box is not None else []

    def tool_card(self, call_id: str) -> ToolCard | None:
        """The card of one tool call, if this message shows it."""
        return self._tool_box.card(call_id) if self._tool_box is not None else None

    @property
    def reasoning_text(self) -> str:
        """Reasoning shown in the collapsible section ("" when none)."""
        return self._reasoning.text if self._reasoning is not None else ""

    @property
    def reasoning_toggle(self) -> QToolButton | None:
        """The Reasoning expander, once there is reasoning."""
        return self._reasoning.toggle if self._reasoning is not None else None

    @property
    def reasoning_expanded(self) -> bool:
        """Whether the reasoning is shown."""
        return self._reasoning is not None and self._reasoning.expanded

    @property
    def thinking_visible(self) -> bool:
        """Whether the "thinking…" indicator is shown."""
        return not self._thinking.isHidden()

    @property
    def thinking_text(self) -> str:
        """What the indicator says ("Thinking…", or why a retry waits)."""
        return self._thinking.text()

    # --- content ---------------------------------------------------------------------------------

    def set_message(
        self,
        message: Message,
        *,
        tool_names: Mapping[str, str] | None = None,
        tool_results: Mapping[str, ToolOutcome] | None = None,
    ) -> None:
        """Show a complete stored message (its tool calls as cards, with their results)."""
        self.set_siblings(message.sibling_ids or (message.id,))
        self._stop_thinking()
        self._text.discard()
        self._status = message.status
        if message.model:
            self._set_model(message.model)
        if message.role == "tool" or (
            message.role == "assistant" and message.tool_calls and not message.content.strip()
        ):
            self._show_compact(message, tool_names or {}, tool_results or {})
            return
        self._set_source(message.content)
        self._set_reasoning(message.reasoning)
        if message.role == "assistant" and message.tool_calls:
            self._ensure_tool_box().sync(message.tool_calls, tool_results or {})
        self._apply_status(message)

    def tool_started(self, call: ToolCall) -> None:
        """A call of this (streaming) message runs: its card appears, running."""
        self._stop_thinking()
        self._ensure_tool_box().ensure(call, ToolOutcome(ToolStatus.RUNNING))

    def tool_finished(self, call: ToolCall, outcome: ToolOutcome) -> None:
        """A call of this message ended: its card shows the status, duration and result."""
        self._ensure_tool_box().ensure(call, outcome)

    def _update_regenerate(self) -> None:
        self.regenerate_button.setVisible(
            self._role == "assistant"
            and self._status is MessageStatus.COMPLETE
            and not self._text.is_streaming
            and bool(self.source)
        )

    def start_stream(self, model: str) -> None:
        """Become a streaming placeholder with a "thinking…" indicator."""
        self._set_model(model)
        self._text.start_stream()  # a stored partial is cleared, when the stream is re-attached
        if self._reasoning is not None:
            self._reasoning.clear()
        self._status = MessageStatus.STREAMING
        self._show_body(False)
        self._footer.hide()
        if self.error_card is not None:
            self.error_card.hide()
        self._thinking.setVisible(self._reasoning is None)
        self._thinking.start()

    def append_stream(self, text: str = "", reasoning: str = "") -> None:
        """Add coalesced streamed text and/or reasoning."""
        if not self._text.is_streaming:
            self.start_stream(self._model)
        if reasoning:
            pane = self._ensure_reasoning()
            self._thinking.hide()  # the Reasoning toggle says "Thinking…" instead
            pane.append(reasoning)
        if text:
            if self._thinking.active:
                self._stop_thinking()
                self._show_body(True)
            self._text.append(text)

    def finish(self, message: Message, *, error_card: bool = True) -> None:
        """Final render of a streamed (or cancelled) message, with its footer."""
        self._stop_thinking()
        if message.role == "assistant" and message.tool_calls and not message.content.strip():
            self.set_message(message)
            return
        self._status = message.status
        if message.model:
            self._set_model(message.model)
        self._end_stream(message.content)
        if self._reasoning is not None:
            self._reasoning.end_stream()
        if message.reasoning != self.reasoning_text:
            self._set_reasoning(message.reasoning)
        if self._reasoning is not None:
            self._reasoning.update_toggle()
        if message.tool_calls:
            self._ensure_tool_box().sync(message.tool_calls, {})
        self._apply_status(message, error_card=error_card)

    def show_error(self, text: str, kind: str, partial: Message | None = None) -> None:
        """Stop streaming, keep any partial text and show an inline error card under it."""
        self._stop_thinking()
        if partial is not None:
            self.finish(partial, error_card=False)
        else:
            self._end_stream(None)
        self._status = MessageStatus.ERROR
        self._footer.hide_status()
        self._set_error(text, kind)
        self._footer.setVisible(bool(self.source))

    def set_dark(self, dark: bool) -> None:
        """Re-render with the code colours of the theme."""
        if dark == self._text.dark:
            return
        self._text.set_dark(dark, markdown=self._role == "assistant" and not self._compact)
        self._restyle()

    def set_font_everywhere(self, font: QFont) -> None:
        """Use ``font`` (the zoomed one) in every part. Setting it on the parent alone is not
        enough: with an application style sheet Qt stops passing fonts down to children."""
        self.setFont(font)
        for child in self.findChildren(QWidget):
            child.setFont(font)
        self._restyle()

    def set_reasoning_expanded(self, expanded: bool) -> None:
        """Show or hide the reasoning text."""
        if self._reasoning is not None:
            self._reasoning.toggle.setChecked(expanded)

    def bodies(self) -> list[MessageBody]:
        """The bodies showing the message, top to bottom (one unless a long stream)."""
        return self._text.bodies()

    def plain_text(self) -> str:
        """The text shown, as the one document it would be."""
        return self._text.plain_text()

    # --- events ----------------------------------------------------------------------------------

    def changeEvent(self, e: QEvent) -> None:
        """Follow palette and font changes (theme switch, zoom)."""
        super().changeEvent(e)
        if e.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._restyle()

    def resizeEvent(self, e: QResizeEvent) -> None:
        """Size a user bubble to its text, up to a share of the width."""
        super().resizeEvent(e)
        if self._bubble is not None:
            self._fit_bubble()

    # --- internals -------------------------------------------------------------------------------

    def _set_model(self, model: str) -> None:
        if not model or model == self._model:
            return
        self._model = model
        self._header.show_model(model)

    def _end_stream(self, content: str | None) -> None:
        """Render the streamed text for good (``content`` replaces it when it differs)."""
        if not self._text.is_streaming:
            if content is not None and content != self._text.source:
                self._set_source(content)
            return
        self._show_body(bool(self._text.finish_stream(content)))

    def _show_body(self, visible: bool) -> None:
        (self.body if self._bubble is not None else self._text).setVisible(visible)

    def _set_reasoning(self, text: str) -> None:
        if not text and self._reasoning is None:
            return
        self._ensure_reasoning().set_text(text)

    def _set_source(self, text: str) -> None:
        if self._role == "user":
            self._text.set_plain(text)
            self._fit_bubble(measure=True)
        else:
            self._text.set_markdown(text)
        self._show_body(bool(text) or self._role == "user")

    def _apply_status(self, message: Message, *, error_card: bool = True) -> None:
        self._footer.setVisible(self._role != "user")
        if self._role == "assistant":
            self._footer.show_meta(message, self._model)
        self.copy_button.setVisible(bool(self.source))
        self._update_regenerate()
        status = message.status
        self._footer.show_status(status, can_retry=self._role == "assistant")
        if status is MessageStatus.ERROR and error_card:
            self._set_error(message.error or "Something went wrong.", "error")
        elif self.error_card is not None:
            self.error_card.hide()

    def _set_error(self, text: str, kind: str) -> None:
        if self.error_card is not None:
            self._layout.removeWidget(self.error_card)
            self.error_card.hide()
            self.error_card.deleteLater()
        card = ErrorCard(text, kind, self)
        card.retryClicked.connect(lambda: self.retryRequested.emit(self._id))
        card.openSettingsClicked.connect(self.openSettingsRequested)
        self.error_card = card
        self._layout.insertWidget(self._layout.indexOf(self._footer), card)
        card.show()

    def _ensure_reasoning(self) -> ReasoningPane:
        if self._reasoning is None:
            pane = ReasoningPane(reasoning_toggle(self), lambda: self._thinking.active, self)
            pane.place(self._layout, self._layout.indexOf(self._header) + 1)
            self._reasoning = pane
            self._restyle()
        return self._reasoning

    def _show_compact(
        self,
        message: Message,
        tool_names: Mapping[str, str],
        tool_results: Mapping[str, ToolOutcome],
    ) -> None:
        self._compact = True
        self._text.keep_source(message.content)
        self._show_body(False)
        self._header.hide()
        self._footer.setVisible(len(self.sibling_ids) > 1)  # only to reach the alternatives
        self._layout.setSpacing(2)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._ensure_tool_box().show_stored(message, tool_names, tool_results)

    def _ensure_tool_box(self) -> ToolCallList:
        if self._tool_box is None:
            box = ToolCallList(self)
            self._tool_box = box
            self._layout.insertWidget(self._layout.indexOf(self._thinking) + 1, box)
            box.show()
        return self._tool_box

    def show_retry(self, delay_s: float, reason: str) -> None:
        """The request is tried again in ``delay_s`` seconds: say why, counting down, in place
        of "Thinking" (until the answer starts)."""
        self._thinking.show_retry(delay_s, reason)

    def _on_thinking_step(self, text: str) -> None:
        if self._reasoning is not None and not self._text.source:
            self._reasoning.toggle.setText(text)

    def _stop_thinking(self) -> None:
        self._thinking.stop()
        if self._reasoning is not None:
            self._reasoning.update_toggle()

    def _fit_bubble(self, *, measure: bool = False) -> None:
        if self._bubble is not None:
            if measure:
                self._bubble.forget_width()
            self._bubble.fit(self.width(), self._text.source)

    def _restyle(self) -> None:
        """Fonts and colours derived from the current palette and font."""
        pal = self.palette()
        muted = muted_color(pal)
        base = self.font()
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() * 0.88, 6.0))
        self._footer.restyle(small, muted)
        self.restyle_branch(small, muted)
        self._thinking.restyle(small, muted)
        self._header.restyle(base, small, pal.color(QPalette.ColorRole.Text), muted)
        self.copy_button.setIcon(icon("copy", muted))
        self.copy_button.setToolTip(self.copy_button.accessibleName())
        if self._reasoning is not None:
            self._reasoning.restyle(small, muted)
        if self._tool_box is not None:
            self._tool_box.restyle()
        if self._bubble is not None:
            self._fit_bubble(measure=True)
