"""Tool-call cards: one per call, one line until opened, then the arguments and the result.

A card is keyed by the call id. It shows the tool's name readably (``calculate · calculator``
for the exposed name ``calculator__calculate``), a status (running… / done / failed / denied /
no result) and the duration; a click, Enter or Space opens it to the pretty-printed JSON
arguments and the result text, both selectable and never elided (long ones scroll). Every
colour is mixed from the palette when styled, so light and dark themes both work.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QShowEvent,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import Message, MessageStatus, ToolCall
from chatdesk.ui.kit.icons import icon
from chatdesk.ui.kit.painted import ERROR_RED, Card, is_dark, mix, muted_color

__all__ = [
    "DENIED_PREFIX",
    "DetailText",
    "ToolCallList",
    "ToolCard",
    "ToolOutcome",
    "ToolRun",
    "ToolStatus",
    "finished_outcome",
    "format_duration",
    "pretty_arguments",
    "split_tool_name",
    "stored_outcome",
    "with_run",
]

#: How a denied call's result begins (chatdesk.mcp.approvals.denied_result).
DENIED_PREFIX = "The user denied this call"
#: The expanded arguments and result grow with their text up to this many lines, then scroll.
ARGUMENT_LINES = 20
RESULT_LINES = 14


class ToolStatus(enum.StrEnum):
    """What a card says about its call."""

    RUNNING = "running…"
    DONE = "done"
    FAILED = "failed"
    DENIED = "denied"
    NO_RESULT = "no result"  # stored without a result (stopped, or the app closed meanwhile)


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """A call's state, result text and duration in seconds (None when unknown)."""

    status: ToolStatus
    result: str = ""
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class ToolRun:
    """What the database recorded about an executed call (its ``tool_calls`` row)."""

    failed: bool
    duration_s: float | None = None


def with_run(outcome: ToolOutcome, run: ToolRun) -> ToolOutcome:
    """A stored result's outcome completed by its recorded run (failed, duration)."""
    if outcome.status in (ToolStatus.RUNNING, ToolStatus.NO_RESULT):
        return outcome
    status = ToolStatus.FAILED if run.failed else outcome.status
    return ToolOutcome(status, outcome.result, run.duration_s)


def finished_outcome(result: str, error: str | None, duration_s: float | None) -> ToolOutcome:
    """The outcome of a call that ended live (``error`` set: it failed)."""
    if error is not None:
        return ToolOutcome(ToolStatus.FAILED, result or error, duration_s)
    if result.startswith(DENIED_PREFIX):
        return ToolOutcome(ToolStatus.DENIED, result, duration_s)
    return ToolOutcome(ToolStatus.DONE, result, duration_s)


def stored_outcome(message: Message) -> ToolOutcome:
    """The outcome a stored ``tool`` message tells (messages carry no duration)."""
    failed = message.status is MessageStatus.ERROR or bool(message.error)
    error = (message.error or "") if failed else None
    return finished_outcome(message.content, error, None)


def format_duration(seconds: float | None) -> str:
    """``<1 ms``, ``12 ms``, ``1.4 s``, ``12 s``, ``2 min 5 s``; "" when unknown."""
    if seconds is None or seconds < 0 or math.isnan(seconds):
        return ""
    ms = seconds * 1000
    if ms < 1:
        return "<1 ms"
    if ms < 999.5:
        return f"{ms:.0f} ms"
    if seconds < 9.95:
        return f"{seconds:.1f} s"
    if seconds < 59.5:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def split_tool_name(exposed: str) -> tuple[str, str]:
    """``("calculate", "calculator")`` for ``calculator__calculate``; no server: ``(name, "")``."""
    server, sep, tool = exposed.partition("__")
    if sep and server and tool:
        return tool, server
    return exposed, ""


def pretty_arguments(arguments: str) -> str:
    """The arguments as indented JSON; text that is not JSON comes back as it is."""
    if not arguments.strip():
        return "{}"
    try:
        value = json.loads(arguments)
    except ValueError:
        return arguments
    return json.dumps(value, indent=2, ensure_ascii=False)


def _error_color(palette: QPalette) -> QColor:
    return mix(ERROR_RED, QColor("white"), 0.3) if is_dark(palette) else ERROR_RED


def _scaled(font: QFont, factor: float) -> QFont:
    out = QFont(font)
    if font.pointSizeF() > 0:
        out.setPointSizeF(max(font.pointSizeF() * factor, 6.0))
    elif font.pixelSize() > 0:
        out.setPixelSize(max(round(font.pixelSize() * factor), 8))
    return out


def _set_text_color(widget: QWidget, color: QColor) -> None:
    pal = widget.palette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        pal.setColor(role, color)
    widget.setPalette(pal)


# --- small painted parts -----------------------------------------------------------------------


class _Glyph(QWidget):
    """A 14 px mark: chevron (open/closed), spinner, check, cross, denied or dash."""

    SIZE = 14

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(self.SIZE, self.SIZE)
        self.kind = kind
        self.color = QColor("gray")
        self._angle = 0
        self._timer = QTimer(self)
        self._timer.setInterval(90)
        self._timer.timeout.connect(self._spin)

    def set_kind(self, kind: str, color: QColor) -> None:
        self.kind, self.color = kind, color
        self._sync_timer()
        self.update()

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        self._sync_timer()

    def hideEvent(self, e: QHideEvent) -> None:
        super().hideEvent(e)
        self._timer.stop()

    def _sync_timer(self) -> None:
        if self.kind == "spinner" and self.isVisible():
            self._timer.start()
        else:
            self._timer.stop()

    def _spin(self) -> None:
        self._angle = (self._angle + 30) % 360
        self.update()

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(self.width() / 16.0, self.height() / 16.0)
        pen = QPen(self.color, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        path = QPainterPath()
        if self.kind == "closed":
            path.moveTo(6, 4)
            path.lineTo(10, 8)
            path.lineTo(6, 12)
        elif self.kind == "open":
            path.moveTo(4, 6)
            path.lineTo(8, 10)
            path.lineTo(12, 6)
        elif self.kind == "check":
            path.moveTo(3.5, 8.5)
            path.lineTo(6.8, 11.8)
            path.lineTo(12.8, 4.8)
        elif self.kind == "cross":
            path.moveTo(4.5, 4.5)
            path.lineTo(11.5, 11.5)
            path.moveTo(11.5, 4.5)
            path.lineTo(4.5, 11.5)
        elif self.kind == "denied":
            p.drawEllipse(QRectF(2.5, 2.5, 11, 11))
            path.moveTo(4.6, 11.4)
            path.lineTo(11.4, 4.6)
        elif self.kind == "dash":
            path.moveTo(4.5, 8)
            path.lineTo(11.5, 8)
        elif self.kind == "spinner":
            faint = QColor(self.color)
            faint.setAlphaF(0.25)
            p.setPen(QPen(faint, 1.8))
            p.drawEllipse(QRectF(3, 3, 10, 10))
            p.setPen(QPen(self.color, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawArc(QRectF(3, 3, 10, 10), -self._angle * 16, 100 * 16)
        p.drawPath(path)


class _ElidedLabel(QLabel):
    """One line of muted text that ends in "…" when it does not fit (the collapsed preview)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = text
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        text = QFontMetrics(self.font()).elidedText(
            self._full, Qt.TextElideMode.ElideRight, self.width()
        )
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        p.drawText(self.rect(), int(align), text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.update()


class _Inset(QFrame):
    """The rounded well the arguments and the result sit in (the view's base colour)."""

    def paintEvent(self, e: QPaintEvent) -> None:
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(mix(base, pal.color(QPalette.ColorRole.Text), 0.12), 1))
        p.setBrush(base)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)


class DetailText(QTextEdit):
    """Read-only, selectable plain text as tall as its content up to ``max_lines``, then it
    scrolls. Wheel turns go to the chat view unless there is something to scroll here."""

    def __init__(self, text: str, max_lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max_lines = max_lines
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setTabChangesFocus(True)  # Tab reaches it (to select and copy) and moves on
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        doc = self.document()
        doc.setUndoRedoEnabled(False)
        doc.setDocumentMargin(2)
        doc.documentLayout().documentSizeChanged.connect(self._fit)
        self.setPlainText(text)

    def set_text(self, text: str) -> None:
        if text != self.toPlainText():
            self.setPlainText(text)

    def wheelEvent(self, e: QWheelEvent) -> None:
        bar = self.verticalScrollBar()
        if bar.maximum() <= bar.minimum():
            e.ignore()  # nothing to scroll here: the chat view scrolls
        else:
            super().wheelEvent(e)

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        content = math.ceil(self.document().size().height())
        cap = self._max_lines * QFontMetrics(self.font()).lineSpacing() + 4
        self.setFixedHeight(max(min(content, cap), 1) + 2 * self.frameWidth())


# --- the card ----------------------------------------------------------------------------------


class ToolCard(Card):
    """One tool call: a line that opens to its arguments and result.

    Keyboard focusable (Tab); Enter or Space opens and closes it, Right opens, Left closes.
    """

    toggled = Signal(bool)

    def __init__(
        self, call: ToolCall, outcome: ToolOutcome | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("tool", parent)
        self.setObjectName("toolCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self._call = call
        self._outcome = outcome or ToolOutcome(ToolStatus.RUNNING)
        self._expanded = False
        self._tool, self._server = split_tool_name(call.name)

        column = QVBoxLayout(self)
        column.setContentsMargins(10, 5, 12, 5)
        column.setSpacing(6)
        self._header = QWidget(self)
        self._header.setObjectName("toolCardHeader")
        self._header.setCursor(Qt.CursorShape.PointingHandCursor)
        row = QHBoxLayout(self._header)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(7)
        self._chevron = _Glyph("closed", self._header)
        row.addWidget(self._chevron)
        self._icon = QLabel(self._header)
        row.addWidget(self._icon)
        self.name_label = QLabel(self._tool or "Tool result", self._header)
        self.name_label.setObjectName("toolName")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.name_label)
        self.server_label = QLabel(f"· {self._server}", self._header)
        self.server_label.setObjectName("toolServer")
        self.server_label.setTextFormat(Qt.TextFormat.PlainText)
        self.server_label.setVisible(bool(self._server))
        row.addWidget(self.server_label)
        # The arguments on one line while closed (it keeps its room open: the stretch).
        self._preview = _ElidedLabel(" ".join(call.arguments.split()), self._header)
        self._preview.setObjectName("toolPreview")
        row.addWidget(self._preview, 1)
        self._status_glyph = _Glyph("spinner", self._header)
        row.addWidget(self._status_glyph)
        self.status_label = QLabel(self._header)
        self.status_label.setObjectName("toolStatus")
        row.addWidget(self.status_label)
        self.duration_label = QLabel(self._header)
        self.duration_label.setObjectName("toolDuration")
        row.addWidget(self.duration_label)
        column.addWidget(self._header)

        self._details: QWidget | None = None  # built when first opened
        self.arguments_view: DetailText | None = None
        self.result_view: DetailText | None = None
        self._result_caption: QLabel | None = None
        self._result_note: QLabel | None = None
        self._captions: list[QLabel] = []
        self._insets: list[_Inset] = []
        self._apply_outcome()
        self.restyle()

    # --- state -----------------------------------------------------------------------------------

    @property
    def call(self) -> ToolCall:
        return self._call

    @property
    def call_id(self) -> str:
        return self._call.id

    @property
    def outcome(self) -> ToolOutcome:
        return self._outcome

    @property
    def status(self) -> ToolStatus:
        return self._outcome.status

    @property
    def expanded(self) -> bool:
        return self._expanded

    def set_call(self, call: ToolCall) -> None:
        """Learn the call's name and arguments (a card made from a result alone lacks them)."""
        if call == self._call:
            return
        self._call = call
        self._tool, self._server = split_tool_name(call.name)
        self.name_label.setText(self._tool or "Tool result")
        self.server_label.setText(f"· {self._server}")
        self.server_label.setVisible(bool(self._server))
        self._preview.set_full_text("" if self._expanded else " ".join(call.arguments.split()))
        if self.arguments_view is not None:
            self.arguments_view.set_text(pretty_arguments(call.arguments))
        self._apply_outcome()

    def set_outcome(self, outcome: ToolOutcome) -> None:
        """Show a new status, duration and result."""
        self._outcome = outcome
        self._apply_outcome()
        self.restyle()

    def set_expanded(self, expanded: bool) -> None:
        """Open (arguments and result) or close to one line."""
        if expanded == self._expanded:
            return
        self._expanded = expanded
        if expanded:
            self._ensure_details()
        if self._details is not None:
            self._details.setVisible(expanded)
        self._preview.set_full_text("" if expanded else " ".join(self._call.arguments.split()))
        self._apply_outcome()
        self.restyle()
        self.toggled.emit(expanded)

    def toggle(self) -> None:
        self.set_expanded(not self._expanded)

    # --- input -----------------------------------------------------------------------------------

    def keyPressEvent(self, e: QKeyEvent) -> None:
        key = e.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.toggle()
        elif key == Qt.Key.Key_Right and not self._expanded:
            self.set_expanded(True)
        elif key == Qt.Key.Key_Left and self._expanded:
            self.set_expanded(False)
        else:
            super().keyPressEvent(e)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if self._on_header(e):
            e.accept()
        else:
            super().mousePressEvent(e)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton and self._on_header(e):
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.toggle()
        else:
            super().mouseReleaseEvent(e)

    def _on_header(self, e: QMouseEvent) -> bool:
        return e.position().y() <= self._header.geometry().bottom() + 5

    # --- looks -----------------------------------------------------------------------------------

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.restyle()

    def restyle(self) -> None:
        """Fonts and colours from the card's own font and palette (after zoom or a theme
        switch, which may have set a plain font on every child)."""
        pal = self.palette()
        muted = muted_color(pal)
        text = pal.color(QPalette.ColorRole.Text)
        base = self.font()
        small = _scaled(base, 0.88)
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        self.name_label.setFont(bold)
        _set_text_color(self.name_label, text)
        for label in (self.server_label, self._preview, self.status_label, self.duration_label):
            label.setFont(base if label is self.server_label else small)
            _set_text_color(label, muted)
        self._icon.setPixmap(icon("tool", muted, 14).pixmap(14, 14))
        self._chevron.set_kind("open" if self._expanded else "closed", muted)
        self._status_glyph.set_kind(self._glyph_kind(), self._status_color())
        _set_text_color(self.status_label, self._status_color())
        for caption in self._captions:
            caption.setFont(small)
            _set_text_color(caption, muted)
        if self._result_note is not None:
            note = QFont(small)
            note.setItalic(True)
            self._result_note.setFont(note)
            _set_text_color(self._result_note, muted)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        size = small.pointSizeF()
        if size > 0:
            mono.setPointSizeF(size)
        for view, color in (
            (self.arguments_view, text),
            (self.result_view, _error_color(pal) if self.status is ToolStatus.FAILED else text),
        ):
            if view is None:
                continue
            view.setFont(mono)
            vp = view.palette()
            vp.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
            vp.setColor(QPalette.ColorRole.Text, color)
            view.setPalette(vp)

    # --- internals -------------------------------------------------------------------------------

    def _status_color(self) -> QColor:
        pal = self.palette()
        if self.status is ToolStatus.FAILED:
            return _error_color(pal)
        if self.status is ToolStatus.RUNNING:
            return pal.color(QPalette.ColorRole.Highlight)
        return muted_color(pal)

    def _glyph_kind(self) -> str:
        return {
            ToolStatus.RUNNING: "spinner",
            ToolStatus.DONE: "check",
            ToolStatus.FAILED: "cross",
            ToolStatus.DENIED: "denied",
        }.get(self.status, "dash")

    def _apply_outcome(self) -> None:
        outcome = self._outcome
        self.status_label.setText(outcome.status.value)
        duration = format_duration(outcome.duration_s)
        self.duration_label.setText(duration)
        self.duration_label.setVisible(bool(duration))
        shown = self._tool + (f" on {self._server}" if self._server else "")
        parts = [outcome.status.value.rstrip("…")] + ([duration] if duration else [])
        self.setAccessibleName(f"Tool call {shown}: {', '.join(parts)}")
        action = "hide" if self._expanded else "show"
        self.setAccessibleDescription(f"Press Enter to {action} the arguments and the result")
        self.setToolTip(f"{self._call.name} — {', '.join(parts)}")
        if self.result_view is None or self._result_caption is None or self._result_note is None:
            return
        has_result = bool(outcome.result) and outcome.status is not ToolStatus.RUNNING
        self._result_caption.setText("Error" if outcome.status is ToolStatus.FAILED else "Result")
        self.result_view.set_text(outcome.result if has_result else "")
        self._insets[-1].setVisible(has_result)
        self._result_note.setText(
            "Waiting for the result…"
            if outcome.status is ToolStatus.RUNNING
            else "No result was stored for this call."
            if outcome.status is ToolStatus.NO_RESULT
            else "The result is empty."
        )
        self._result_note.setVisible(not has_result)

    def _ensure_details(self) -> None:
        if self._details is not None:
            return
        details = QWidget(self)
        details.setObjectName("toolDetails")
        details.setCursor(Qt.CursorShape.ArrowCursor)
        column = QVBoxLayout(details)
        column.setContentsMargins(21, 0, 0, 4)
        column.setSpacing(4)
        arguments = self._call.arguments
        args_caption = self._caption("Arguments" if arguments or self._tool else "", details)
        column.addWidget(args_caption)
        self.arguments_view = self._detail(
            pretty_arguments(arguments), ARGUMENT_LINES, "toolArguments", details, column
        )
        self.arguments_view.setAccessibleName("Tool arguments")
        if not self._tool:  # a result whose call is not known: no arguments to show
            args_caption.hide()
            self._insets[0].hide()
        self._result_caption = self._caption("Result", details)
        column.addWidget(self._result_caption)
        self.result_view = self._detail("", RESULT_LINES, "toolResult", details, column)
        self.result_view.setAccessibleName("Tool result")
        self._result_note = QLabel(details)
        self._result_note.setObjectName("toolResultNote")
        column.addWidget(self._result_note)
        layout = self.layout()
        assert layout is not None
        layout.addWidget(details)
        self._details = details
        self._apply_outcome()

    def _caption(self, text: str, parent: QWidget) -> QLabel:
        caption = QLabel(text, parent)
        caption.setObjectName("toolCaption")
        self._captions.append(caption)
        return caption

    def _detail(
        self, text: str, lines: int, name: str, parent: QWidget, column: QVBoxLayout
    ) -> DetailText:
        inset = _Inset(parent)
        inset_layout = QVBoxLayout(inset)
        inset_layout.setContentsMargins(8, 5, 4, 5)
        view = DetailText(text, lines, inset)
        view.setObjectName(name)
        inset_layout.addWidget(view)
        self._insets.append(inset)
        column.addWidget(inset)
        return view


class ToolCallList(QWidget):
    """The cards of one message, top to bottom, keyed by call id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolCalls")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._cards: dict[str, ToolCard] = {}

    def cards(self) -> list[ToolCard]:
        return list(self._cards.values())

    def card(self, call_id: str) -> ToolCard | None:
        return self._cards.get(call_id)

    def ensure(self, call: ToolCall, outcome: ToolOutcome | None = None) -> ToolCard:
        """The card of ``call`` (made, running unless ``outcome`` says otherwise, if new)."""
        card = self._cards.get(call.id)
        if card is None:
            card = ToolCard(call, outcome, self)
            self._cards[call.id] = card
            layout = self.layout()
            assert layout is not None
            layout.addWidget(card)
            card.show()
        else:
            card.set_call(call)
            if outcome is not None:
                card.set_outcome(outcome)
        return card

    def settle(self) -> None:
        """The message is complete: a card still running will get no result in this view."""
        for card in self._cards.values():
            if card.status is ToolStatus.RUNNING:
                card.set_outcome(ToolOutcome(ToolStatus.NO_RESULT))

    def restyle(self) -> None:
        for card in self._cards.values():
            card.restyle()
