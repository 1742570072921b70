"""One chat message: header, rich-text body, collapsible reasoning, footer, error card.

User messages sit in a tinted rounded bubble on the right; assistant messages are plain
Markdown on the view's background, like modern chat apps. All colours come from the palette
(recomputed when it changes) except code highlighting, which the Markdown renderer bakes in.
Its parts live beside it: message_body (the text), error_card, tool_cards, painted (colours,
bubble, avatar, cards) and icons.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPalette,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import Message, MessageStatus, Role, ToolCall
from chatdesk.ui.chat.error_card import ErrorCard
from chatdesk.ui.chat.message_body import MessageBody
from chatdesk.ui.chat.tool_cards.tool_call_list import ToolCallList
from chatdesk.ui.chat.tool_cards.tool_card import ToolCard
from chatdesk.ui.chat.tool_cards.tool_outcome import ToolOutcome, ToolStatus, stored_outcome
from chatdesk.ui.kit.formatting import format_cost, format_meta, format_token_split
from chatdesk.ui.kit.icons import icon
from chatdesk.ui.kit.painted import Avatar, Bubble, ReasoningPane, muted_color
from chatdesk.ui.rendering.markdown import render_blocks
from chatdesk.ui.rendering.stream_renderer import StreamRenderer, set_document_html

__all__ = ["MessageWidget", "format_cost"]  # format_cost: for main_window until it moves

_USER_BUBBLE_SHARE = 0.82  # widest a user bubble gets, as a share of the message width


# --- small helpers ------------------------------------------------------------------------------


def _flat_button(
    parent: QWidget, text: str, accessible: str, object_name: str, *, icon_only: bool = True
) -> QToolButton:
    button = QToolButton(parent)
    button.setObjectName(object_name)
    button.setText(text)
    button.setToolTip(accessible)
    button.setAccessibleName(accessible)
    button.setAutoRaise(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    button.setIconSize(QSize(15, 15))
    style = (
        Qt.ToolButtonStyle.ToolButtonIconOnly
        if icon_only
        else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    )
    button.setToolButtonStyle(style)
    return button


# --- the message -------------------------------------------------------------------------------


class MessageWidget(QFrame):
    """One message of the chat view."""

    retryRequested = Signal(int)
    openSettingsRequested = Signal()

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
        self._dark = dark
        self._source = ""
        self._codes: tuple[str, ...] = ()
        self._status = MessageStatus.COMPLETE
        self._renderer: StreamRenderer | None = None  # from a stream's start until re-rendered
        self._streaming = False
        self._reasoning_cursor: QTextCursor | None = None
        self._ideal_width = -1.0
        self._thinking_timer: QTimer | None = None
        self._retry: tuple[float, str] | None = None  # (monotonic deadline, why) of a retry
        self._thinking_step = 0
        self._compact = False

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 16, 0, 0)  # the view's spacing is small: tool cards
        self._layout.setSpacing(6)
        self._header = QWidget(self)
        header = QHBoxLayout(self._header)
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(8)
        self._role_label = QLabel(self._header)
        self._role_label.setObjectName("roleLabel")
        self._avatar: Avatar | None = None
        if role == "user":
            header.addStretch(1)
            self._role_label.setText("You")
        else:
            self._avatar = Avatar(self._short_model() or "A", self._header)
            header.addWidget(self._avatar)
            self._role_label.setText(self._short_model() or "Assistant")
        header.addWidget(self._role_label)
        if role != "user":
            header.addStretch(1)
        self._layout.addWidget(self._header)

        self._reasoning_toggle: QToolButton | None = None
        self._reasoning_pane: ReasoningPane | None = None
        self._reasoning_body: MessageBody | None = None

        # A long streamed answer continues in more bodies below the first (see StreamRenderer).
        self._body_box = QWidget(self)
        self._body_box.setObjectName("messageBodies")
        box_layout = QVBoxLayout(self._body_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(0)
        self._extra_bodies: list[MessageBody] = []
        self.body = MessageBody(self._body_box)
        self.body.copyCodeRequested.connect(self._copy_code)
        self._footer = QWidget(self)
        footer = QHBoxLayout(self._footer)
        footer.setContentsMargins(0, 0, 0, 0)
        footer.setSpacing(2)
        self.copy_button = _flat_button(self, "Copy", "Copy message", "copyMessageButton")
        self.copy_button.clicked.connect(self._copy_message)
        self._bubble: Bubble | None = None
        if role == "user":
            self._bubble = Bubble(self)
            bubble_layout = QVBoxLayout(self._bubble)
            bubble_layout.setContentsMargins(14, 9, 14, 9)
            bubble_layout.addWidget(self.body)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(6)
            row.addStretch(1)
            row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignBottom)
            row.addWidget(self._bubble)
            self._layout.addLayout(row)
            self._body_box.hide()  # a user's message is one plain-text body in the bubble
        else:
            self._layout.addWidget(self._body_box)
            box_layout.addWidget(self.body)

        self._thinking = QLabel("Thinking", self)
        self._thinking.setObjectName("thinkingIndicator")
        self._thinking.setAccessibleName("Thinking")
        self._thinking.hide()
        self._layout.addWidget(self._thinking)

        self._tool_box: ToolCallList | None = None
        self.error_card: ErrorCard | None = None

        if role != "user":
            footer.addWidget(self.copy_button)
        self.retry_button = _flat_button(self._footer, "Retry", "Retry", "retryMessageButton")
        self.retry_button.clicked.connect(lambda: self.retryRequested.emit(self._id))
        self.retry_button.hide()
        footer.addWidget(self.retry_button)
        # On the last complete answer only (the chat view decides): answer the question again.
        self.regenerate_button = _flat_button(
            self._footer, "Regenerate", "Answer again", "regenerateButton"
        )
        self.regenerate_button.clicked.connect(lambda: self.retryRequested.emit(self._id))
        self.regenerate_button.hide()
        self._can_regenerate = False
        footer.addWidget(self.regenerate_button)
        footer.addSpacing(6)
        self.meta_label = QLabel(self._footer)
        self.meta_label.setObjectName("messageMeta")
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label.hide()
        footer.addWidget(self.meta_label)
        self.status_label = QLabel(self._footer)
        self.status_label.setObjectName("statusNote")
        self.status_label.hide()
        footer.addSpacing(6)
        footer.addWidget(self.status_label)
        footer.addStretch(1)
        self._layout.addWidget(self._footer)
        if role == "user":
            self._footer.hide()
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
        if self._streaming and self._renderer is not None:
            return self._renderer.text
        return self._source

    @property
    def code_blocks(self) -> tuple[str, ...]:
        """Source of the rendered code blocks, indexed like their ``copy-code`` links."""
        if self._renderer is not None:
            return self._renderer.code_blocks
        return self._codes

    @property
    def status(self) -> MessageStatus:
        """Lifecycle state shown."""
        return self._status

    @property
    def is_streaming(self) -> bool:
        """True between start_stream and finish."""
        return self._streaming

    @property
    def stream_renderer(self) -> StreamRenderer | None:
        """The renderer of the streamed text, until the message is rendered anew."""
        return self._renderer

    @property
    def is_rendering(self) -> bool:
        """True while streamed text still waits for its final render (a few event-loop passes)."""
        return self._renderer is not None and not self._renderer.done

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
        if self._reasoning_body is None:
            return ""
        return self._reasoning_body.toPlainText()

    @property
    def reasoning_toggle(self) -> QToolButton | None:
        """The Reasoning expander, once there is reasoning."""
        return self._reasoning_toggle

    @property
    def reasoning_expanded(self) -> bool:
        """Whether the reasoning is shown."""
        return self._reasoning_pane is not None and not self._reasoning_pane.isHidden()

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
        self._stop_thinking()
        self._discard_renderer()
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
            self._sync_tool_calls(message.tool_calls, tool_results or {})
        self._apply_status(message)

    def tool_started(self, call: ToolCall) -> None:
        """A call of this (streaming) message runs: its card appears, running."""
        self._stop_thinking()
        self._ensure_tool_box().ensure(call, ToolOutcome(ToolStatus.RUNNING))

    def tool_finished(self, call: ToolCall, outcome: ToolOutcome) -> None:
        """A call of this message ended: its card shows the status, duration and result."""
        self._ensure_tool_box().ensure(call, outcome)

    def set_can_regenerate(self, can: bool) -> None:
        """Offer "Answer again" (the chat view allows it on the last answer only)."""
        self._can_regenerate = can
        self._update_regenerate()

    def _update_regenerate(self) -> None:
        self.regenerate_button.setVisible(
            self._can_regenerate
            and self._role == "assistant"
            and self._status is MessageStatus.COMPLETE
            and not self._streaming
            and bool(self.source)
        )

    def start_stream(self, model: str) -> None:
        """Become a streaming placeholder with a "thinking…" indicator."""
        self._set_model(model)
        self._discard_renderer()
        self.body.document().clear()  # a stored partial, when the stream is re-attached
        if self._reasoning_body is not None:
            self._reasoning_body.clear()
        self._reasoning_cursor = None
        self._status = MessageStatus.STREAMING
        self._source = ""
        self._renderer = StreamRenderer(
            self.body.document(), dark=self._dark, host=self, parent=self.body
        )
        self._streaming = True
        self._show_body(False)
        self._footer.hide()
        if self.error_card is not None:
            self.error_card.hide()
        self._thinking.setVisible(self._reasoning_toggle is None)
        if self._thinking_timer is None:
            self._thinking_timer = QTimer(self)
            self._thinking_timer.setInterval(420)
            self._thinking_timer.timeout.connect(self._tick_thinking)
        self._thinking_timer.start()

    def append_stream(self, text: str = "", reasoning: str = "") -> None:
        """Add coalesced streamed text and/or reasoning."""
        if not self._streaming:
            self.start_stream(self._model)
        if reasoning:
            self._ensure_reasoning()
            assert self._reasoning_body is not None
            self._thinking.hide()  # the Reasoning toggle says "Thinking…" instead
            if self._reasoning_cursor is None:
                self._reasoning_cursor = QTextCursor(self._reasoning_body.document())
            self._reasoning_cursor.movePosition(QTextCursor.MoveOperation.End)
            self._reasoning_cursor.insertText(reasoning)
        if text:
            assert self._renderer is not None
            if self._thinking_timer_active():
                self._stop_thinking()
                self._show_body(True)
            self._renderer.append(text)

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
        self._reasoning_cursor = None
        if message.reasoning != self.reasoning_text:
            self._set_reasoning(message.reasoning)
        self._update_reasoning_toggle()
        if message.tool_calls:
            self._sync_tool_calls(message.tool_calls, {})
        self._apply_status(message, error_card=error_card)

    def show_error(self, text: str, kind: str, partial: Message | None = None) -> None:
        """Stop streaming, keep any partial text and show an inline error card under it."""
        self._stop_thinking()
        if partial is not None:
            self.finish(partial, error_card=False)
        else:
            self._end_stream(None)
        self._status = MessageStatus.ERROR
        self.status_label.hide()
        self.retry_button.hide()
        self._set_error(text, kind)
        self._footer.setVisible(bool(self.source))

    def set_dark(self, dark: bool) -> None:
        """Re-render with the code colours of the theme."""
        if dark == self._dark:
            return
        self._dark = dark
        if self._renderer is not None and not self._renderer.done:
            self._renderer.set_dark(dark)
        elif self._role == "assistant" and not self._compact and self._source:
            self._render_markdown()
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
        if self._reasoning_toggle is not None:
            self._reasoning_toggle.setChecked(expanded)

    # --- more bodies for long answers (DocumentHost) ----------------------------------------

    def add_document(self) -> QTextDocument:
        """A new body below the last one; returns its document."""
        body = MessageBody(self._body_box)
        body.setFont(self.body.font())
        body.copyCodeRequested.connect(self._copy_code)
        layout = self._body_box.layout()
        assert layout is not None
        layout.addWidget(body)
        body.show()
        self._extra_bodies.append(body)
        return body.document()

    def remove_extra_documents(self) -> None:
        """Back to the one body."""
        layout = self._body_box.layout()
        for body in self._extra_bodies:
            if layout is not None:
                layout.removeWidget(body)
            body.hide()
            body.deleteLater()
        self._extra_bodies.clear()

    def bodies(self) -> list[MessageBody]:
        """The bodies showing the message, top to bottom (one unless a long stream)."""
        return [self.body, *self._extra_bodies]

    def plain_text(self) -> str:
        """The text shown, as the one document it would be."""
        return "\n".join(body.toPlainText() for body in self.bodies())

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

    def _short_model(self) -> str:
        return self._model.rsplit("/", 1)[-1]

    def _set_model(self, model: str) -> None:
        if not model or model == self._model:
            return
        self._model = model
        if self._role == "assistant":
            self._role_label.setText(self._short_model())
            self._role_label.setToolTip(model)
            if self._avatar is not None:
                self._avatar.set_text(self._short_model())

    def _end_stream(self, content: str | None) -> None:
        """Render the streamed text for good (``content`` replaces it when it differs)."""
        renderer = self._renderer
        if not self._streaming or renderer is None:
            if content is not None and content != self._source:
                self._set_source(content)
            return
        self._streaming = False
        source = renderer.text if content is None else content
        self._source = source
        renderer.finish(source)
        self._show_body(bool(source))

    def _discard_renderer(self) -> None:
        """Forget the stream renderer: the document is about to be replaced."""
        if self._renderer is not None:
            self._renderer.abandon()
            self._renderer.deleteLater()
            self._renderer = None
        self._streaming = False
        self.remove_extra_documents()

    def _show_body(self, visible: bool) -> None:
        (self.body if self._bubble is not None else self._body_box).setVisible(visible)

    def _set_reasoning(self, text: str) -> None:
        if not text and self._reasoning_body is None:
            return
        self._ensure_reasoning()
        assert self._reasoning_body is not None
        self._reasoning_body.setPlainText(text)
        if self._reasoning_toggle is not None:
            self._reasoning_toggle.setVisible(bool(text))

    def _set_source(self, text: str) -> None:
        self._discard_renderer()
        self._source = text
        if self._role == "user":
            self.body.setPlainText(text)
            self._ideal_width = -1.0
            self._fit_bubble()
        else:
            self._render_markdown()
        self._show_body(bool(text) or self._role == "user")

    def _render_markdown(self) -> None:
        self._discard_renderer()
        rendered = render_blocks(self._source, dark=self._dark)
        self._codes = rendered.code_blocks
        set_document_html(self.body.document(), rendered.html)

    def _apply_status(self, message: Message, *, error_card: bool = True) -> None:
        self._footer.setVisible(self._role != "user")
        if self._role == "assistant":
            meta = format_meta(
                message.model or self._model,
                message.prompt_tokens,
                message.completion_tokens,
                message.cost,
            )
            self.meta_label.setText(meta)
            self.meta_label.setVisible(bool(meta))
            split = format_token_split(message.prompt_tokens, message.completion_tokens)
            if split:
                self.meta_label.setToolTip(split)
        self.copy_button.setVisible(bool(self.source))
        self._update_regenerate()
        status = message.status
        if status in (MessageStatus.CANCELLED, MessageStatus.STREAMING):
            self.status_label.setText(
                "Stopped" if status is MessageStatus.CANCELLED else "Interrupted"
            )
            self.status_label.show()
            self.retry_button.setVisible(self._role == "assistant")
        else:
            self.status_label.hide()
            self.retry_button.hide()
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

    def _ensure_reasoning(self) -> None:
        if self._reasoning_toggle is not None:
            return
        toggle = _flat_button(
            self, "Reasoning", "Show reasoning", "reasoningToggle", icon_only=False
        )
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.setCheckable(True)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        # Looks like a link, not a button; no colours here (they come from the palette).
        toggle.setStyleSheet("QToolButton { border: none; background: transparent; padding: 1px; }")
        toggle.toggled.connect(self._on_reasoning_toggled)
        pane = ReasoningPane(self)
        pane.setObjectName("reasoningPane")
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(14, 2, 0, 8)
        body = MessageBody(pane)
        body.setObjectName("reasoningBody")
        body.setAccessibleName("Reasoning")
        pane_layout.addWidget(body)
        pane.hide()
        index = self._layout.indexOf(self._header) + 1
        self._layout.insertWidget(index, toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.insertWidget(index + 1, pane)
        toggle.show()
        self._reasoning_toggle, self._reasoning_pane, self._reasoning_body = toggle, pane, body
        self._update_reasoning_toggle()
        self._restyle()

    def _update_reasoning_toggle(self) -> None:
        toggle = self._reasoning_toggle
        if toggle is None:
            return
        expanded = toggle.isChecked()
        toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        toggle.setText("Thinking…" if self._thinking_timer_active() else "Reasoning")
        toggle.setAccessibleName("Hide reasoning" if expanded else "Show reasoning")
        toggle.setToolTip(toggle.accessibleName())

    def _thinking_timer_active(self) -> bool:
        return self._thinking_timer is not None and self._thinking_timer.isActive()

    def _on_reasoning_toggled(self, expanded: bool) -> None:
        if self._reasoning_pane is not None:
            self._reasoning_pane.setVisible(expanded)
        self._update_reasoning_toggle()

    def _show_compact(
        self,
        message: Message,
        tool_names: Mapping[str, str],
        tool_results: Mapping[str, ToolOutcome],
    ) -> None:
        self._compact = True
        self._source = message.content
        self._show_body(False)
        self._header.hide()
        self._footer.hide()
        self._layout.setSpacing(2)
        self._layout.setContentsMargins(0, 0, 0, 0)
        if message.role == "tool":  # a result whose call is not shown: a card of its own
            call_id = message.tool_call_id or ""
            call = ToolCall(call_id, tool_names.get(call_id, ""), "")
            self._ensure_tool_box().ensure(call, stored_outcome(message))
        else:
            self._sync_tool_calls(message.tool_calls, tool_results)

    def _ensure_tool_box(self) -> ToolCallList:
        if self._tool_box is None:
            box = ToolCallList(self)
            self._tool_box = box
            self._layout.insertWidget(self._layout.indexOf(self._thinking) + 1, box)
            box.show()
        return self._tool_box

    def _sync_tool_calls(
        self, calls: tuple[ToolCall, ...], results: Mapping[str, ToolOutcome]
    ) -> None:
        self._ensure_tool_box().sync(calls, results)

    def _copy_message(self) -> None:
        QGuiApplication.clipboard().setText(self.source)
        self._flash_copied(self.copy_button)

    def _copy_code(self, index: int) -> None:
        codes = self.code_blocks
        if 0 <= index < len(codes):
            QGuiApplication.clipboard().setText(codes[index])

    def _flash_copied(self, button: QToolButton) -> None:
        button.setIcon(icon("check", muted_color(self.palette())))
        button.setToolTip("Copied")
        QTimer.singleShot(1400, self, self._restyle)

    def show_retry(self, delay_s: float, reason: str) -> None:
        """The request is tried again in ``delay_s`` seconds: say why, counting down, in place
        of "Thinking" (until the answer starts)."""
        if not self._thinking_timer_active():
            return
        self._retry = (time.monotonic() + delay_s, reason)
        self._thinking.show()
        self._tick_thinking()

    def _tick_thinking(self) -> None:
        self._thinking_step = (self._thinking_step + 1) % 4
        dots = "." * self._thinking_step
        if self._retry is not None:
            deadline, reason = self._retry
            left = deadline - time.monotonic()
            if left > 0.5:
                self._thinking.setText(f"{reason}. Trying again in {left:.0f} s{dots}")
                return
            self._retry = None
        self._thinking.setText("Thinking" + dots)
        if self._reasoning_toggle is not None and not self._source:
            self._reasoning_toggle.setText("Thinking" + dots)

    def _stop_thinking(self) -> None:
        self._retry = None
        if self._thinking_timer is not None:
            self._thinking_timer.stop()
        self._thinking.hide()
        if self._reasoning_toggle is not None:
            self._update_reasoning_toggle()

    def _fit_bubble(self) -> None:
        bubble = self._bubble
        if bubble is None:
            return
        layout = bubble.layout()
        margins = layout.contentsMargins() if layout is not None else None
        pad = margins.left() + margins.right() if margins is not None else 0
        limit = max(int(self.width() * _USER_BUBBLE_SHARE), 120)
        if self._ideal_width < 0:
            metrics = QFontMetricsF(self.body.font())
            lines = self._source.splitlines() or [""]
            self._ideal_width = max(metrics.horizontalAdvance(line) for line in lines[:400]) + 2
        width = min(limit, math.ceil(self._ideal_width) + pad)
        if bubble.width() != width:
            bubble.setFixedWidth(width)

    def _restyle(self) -> None:
        """Fonts and colours derived from the current palette and font."""
        pal = self.palette()
        muted = muted_color(pal)
        base = self.font()
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() * 0.88, 6.0))
        role_font = QFont(base)
        role_font.setWeight(QFont.Weight.DemiBold)
        if self._role == "user":
            role_font = QFont(small)
        for label in (self.meta_label, self.status_label, self._thinking):
            label.setFont(small)
            lp = label.palette()
            lp.setColor(QPalette.ColorRole.WindowText, muted)
            lp.setColor(QPalette.ColorRole.Text, muted)
            label.setPalette(lp)
        self._role_label.setFont(role_font)
        rp = self._role_label.palette()
        role_color = muted if self._role == "user" else pal.color(QPalette.ColorRole.Text)
        rp.setColor(QPalette.ColorRole.WindowText, role_color)
        rp.setColor(QPalette.ColorRole.Text, role_color)
        self._role_label.setPalette(rp)
        italic = QFont(small)
        italic.setItalic(True)
        self._thinking.setFont(italic)
        for button, name in (
            (self.copy_button, "copy"),
            (self.retry_button, "retry"),
            (self.regenerate_button, "retry"),
        ):
            button.setIcon(icon(name, muted))
            button.setToolTip(button.accessibleName())
        if self._reasoning_toggle is not None:
            self._reasoning_toggle.setFont(small)
            tp = self._reasoning_toggle.palette()
            tp.setColor(QPalette.ColorRole.ButtonText, muted)
            self._reasoning_toggle.setPalette(tp)
        if self._reasoning_body is not None:
            self._reasoning_body.setFont(small)
            bp = self._reasoning_body.palette()
            bp.setColor(QPalette.ColorRole.Text, muted)
            self._reasoning_body.setPalette(bp)
        if self._tool_box is not None:
            self._tool_box.restyle()
        if self._bubble is not None:
            self._ideal_width = -1.0
            self._fit_bubble()
