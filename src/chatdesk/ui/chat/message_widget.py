"""One chat message: header, rich-text body, collapsible reasoning, footer, error card.

User messages sit in a tinted rounded bubble on the right; assistant messages are plain
Markdown on the view's background, like modern chat apps. All colours come from the palette
(recomputed when it changes) except code highlighting, which the Markdown renderer bakes in.
Its parts live beside it: message_body (the text), message_footer, reasoning_pane,
thinking_indicator, error_card and tool_cards/; the kit paints the bubble and the avatar.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPalette,
    QResizeEvent,
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
from chatdesk.ui.chat.message_footer import MessageFooter
from chatdesk.ui.chat.reasoning_pane import ReasoningPane, reasoning_toggle
from chatdesk.ui.chat.thinking_indicator import ThinkingIndicator
from chatdesk.ui.chat.tool_cards.tool_call_list import ToolCallList
from chatdesk.ui.chat.tool_cards.tool_card import ToolCard
from chatdesk.ui.chat.tool_cards.tool_outcome import ToolOutcome, ToolStatus, stored_outcome
from chatdesk.ui.kit.avatar import Avatar
from chatdesk.ui.kit.bubble import Bubble
from chatdesk.ui.kit.colors import muted_color
from chatdesk.ui.kit.flat_button import flat_button
from chatdesk.ui.kit.formatting import format_cost
from chatdesk.ui.kit.icons import icon
from chatdesk.ui.rendering.markdown import render_blocks
from chatdesk.ui.rendering.stream_renderer import StreamRenderer, set_document_html

__all__ = ["MessageWidget", "format_cost"]  # format_cost: for main_window until it moves

_USER_BUBBLE_SHARE = 0.82  # widest a user bubble gets, as a share of the message width


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
        self._ideal_width = -1.0
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

        self._reasoning: ReasoningPane | None = None  # made with the first reasoning

        # A long streamed answer continues in more bodies below the first (see StreamRenderer).
        self._body_box = QWidget(self)
        self._body_box.setObjectName("messageBodies")
        box_layout = QVBoxLayout(self._body_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(0)
        self._extra_bodies: list[MessageBody] = []
        self.body = MessageBody(self._body_box)
        self.body.copyCodeRequested.connect(self._copy_code)
        self.copy_button = flat_button(self, "Copy", "Copy message", "copyMessageButton")
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
        self._can_regenerate = False
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
        if self._reasoning is not None:
            self._reasoning.clear()
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
        self._thinking.setVisible(self._reasoning is None)
        self._thinking.start()

    def append_stream(self, text: str = "", reasoning: str = "") -> None:
        """Add coalesced streamed text and/or reasoning."""
        if not self._streaming:
            self.start_stream(self._model)
        if reasoning:
            pane = self._ensure_reasoning()
            self._thinking.hide()  # the Reasoning toggle says "Thinking…" instead
            pane.append(reasoning)
        if text:
            assert self._renderer is not None
            if self._thinking.active:
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
        if self._reasoning is not None:
            self._reasoning.end_stream()
        if message.reasoning != self.reasoning_text:
            self._set_reasoning(message.reasoning)
        if self._reasoning is not None:
            self._reasoning.update_toggle(thinking=self._thinking.active)
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
        self._footer.hide_status()
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
        if self._reasoning is not None:
            self._reasoning.toggle.setChecked(expanded)

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
        if not text and self._reasoning is None:
            return
        self._ensure_reasoning().set_text(text)

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
        if self._reasoning is not None:
            return self._reasoning
        toggle = reasoning_toggle(self)
        toggle.toggled.connect(self._on_reasoning_toggled)
        pane = ReasoningPane(toggle, self)
        index = self._layout.indexOf(self._header) + 1
        self._layout.insertWidget(index, toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.insertWidget(index + 1, pane)
        toggle.show()
        self._reasoning = pane
        pane.update_toggle(thinking=self._thinking.active)
        self._restyle()
        return pane

    def _on_reasoning_toggled(self, expanded: bool) -> None:
        if self._reasoning is not None:
            self._reasoning.set_expanded(expanded, thinking=self._thinking.active)

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
        self._thinking.show_retry(delay_s, reason)

    def _on_thinking_step(self, text: str) -> None:
        if self._reasoning is not None and not self._source:
            self._reasoning.toggle.setText(text)

    def _stop_thinking(self) -> None:
        self._thinking.stop()
        if self._reasoning is not None:
            self._reasoning.update_toggle(thinking=False)

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
        self._footer.restyle(small, muted)
        self._thinking.restyle(small, muted)
        self._role_label.setFont(role_font)
        rp = self._role_label.palette()
        role_color = muted if self._role == "user" else pal.color(QPalette.ColorRole.Text)
        rp.setColor(QPalette.ColorRole.WindowText, role_color)
        rp.setColor(QPalette.ColorRole.Text, role_color)
        self._role_label.setPalette(rp)
        self.copy_button.setIcon(icon("copy", muted))
        self.copy_button.setToolTip(self.copy_button.accessibleName())
        if self._reasoning is not None:
            self._reasoning.restyle(small, muted)
        if self._tool_box is not None:
            self._tool_box.restyle()
        if self._bubble is not None:
            self._ideal_width = -1.0
            self._fit_bubble()
