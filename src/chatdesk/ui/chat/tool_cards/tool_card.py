"""A tool-call card: one per call, one line until opened, then the arguments and the result.

It shows the tool's name readably (``calculate · calculator`` for the exposed name
``calculator__calculate``), a status (running… / done / failed / denied / no result) and the
duration; a click, Enter or Space opens it to the pretty-printed JSON
arguments and the result text, both selectable and never elided (long ones scroll). Every
colour is mixed from the palette when styled, so light and dark themes both work.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from chatdesk.core.models import ToolCall
from chatdesk.ui.chat.tool_cards.tool_card_parts import DetailText, ElidedLabel, Glyph, Inset
from chatdesk.ui.chat.tool_cards.tool_outcome import (
    ToolOutcome,
    ToolStatus,
    pretty_arguments,
    split_tool_name,
)
from chatdesk.ui.kit.card import Card
from chatdesk.ui.kit.colors import ERROR_RED, is_dark, mix, muted_color
from chatdesk.ui.kit.formatting import format_duration
from chatdesk.ui.kit.icons import icon

__all__ = ["ARGUMENT_LINES", "RESULT_LINES", "ToolCard"]

#: The expanded arguments and result grow with their text up to this many lines, then scroll.
ARGUMENT_LINES = 20
RESULT_LINES = 14


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
        self._chevron = Glyph("closed", self._header)
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
        self._preview = ElidedLabel(" ".join(call.arguments.split()), self._header)
        self._preview.setObjectName("toolPreview")
        row.addWidget(self._preview, 1)
        self._status_glyph = Glyph("spinner", self._header)
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
        self._insets: list[Inset] = []
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
        inset = Inset(parent)
        inset_layout = QVBoxLayout(inset)
        inset_layout.setContentsMargins(8, 5, 4, 5)
        view = DetailText(text, lines, inset)
        view.setObjectName(name)
        inset_layout.addWidget(view)
        self._insets.append(inset)
        column.addWidget(inset)
        return view
