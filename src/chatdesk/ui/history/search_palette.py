"""SearchPalette (Ctrl+K): search every chat and branch as you type, then Enter lands on the
message.

The palette never awaits: it says what to search (``searchRequested``) and shows what it is
given (``show_results``); results for a query that is no longer typed are ignored.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import Role
from chatdesk.history.model import count
from chatdesk.storage.search import HIGHLIGHT_END, HIGHLIGHT_START, SearchFilter, SearchHit

__all__ = ["SearchPalette", "SearchRequest"]

_DAY = 24 * 3600
_PERIODS = (
    ("Any time", 0),
    ("Today", 1),
    ("Past 7 days", 7),
    ("Past 30 days", 30),
    ("Past year", 365),
)
_WHO: tuple[tuple[str, Role | None], ...] = (
    ("Anyone", None),
    ("Me", "user"),
    ("The model", "assistant"),
)
_MESSAGE_ROLE = Qt.ItemDataRole.UserRole
_HIT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What to search: the text as typed and the filters."""

    text: str
    where: SearchFilter


def snippet_html(snippet: str, highlight: str, ink: str) -> str:
    """A search snippet as rich text, its matched words marked (``ink`` on ``highlight``,
    readable on a selected row too)."""
    escaped = html.escape(" ".join(snippet.split()))
    mark = f"<span style='background:{highlight}; color:{ink}; font-weight:600'>"
    return escaped.replace(html.escape(HIGHLIGHT_START), mark).replace(
        html.escape(HIGHLIGHT_END), "</span>"
    )


def when(created_at: float, now: float) -> str:
    """A result's date: the time today, the day this year, the full date before."""
    local, today = time.localtime(created_at), time.localtime(now)
    if local[:3] == today[:3]:
        return time.strftime("%H:%M", local)
    if local.tm_year == today.tm_year:
        return time.strftime("%d %b", local).lstrip("0")
    return time.strftime("%d %b %Y", local).lstrip("0")


class _ResultDelegate(QStyledItemDelegate):
    """Paints a result without widgets (20 rows of labels cost ~20 ms a keystroke): the chat's
    title and the date, then who wrote it and two lines of the snippet, matches marked."""

    PAD = 8

    def __init__(self, highlight: tuple[str, str], parent: QObject) -> None:
        super().__init__(parent)
        self._highlight = highlight
        self._docs: dict[tuple[int, int, bool], QTextDocument] = {}

    def forget(self) -> None:
        """New results: drop the laid-out snippets of the old ones."""
        self._docs.clear()

    def _lines(self, option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.lineSpacing()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(option.rect.width(), 3 * self._lines(option) + 2 * self.PAD)

    def _doc(
        self, hit: SearchHit, width: int, selected: bool, option: QStyleOptionViewItem
    ) -> QTextDocument:
        key = (hit.message_id, width, selected)
        doc = self._docs.get(key)
        if doc is None:
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            color = option.palette.color(role).name()
            who = "You" if hit.role == "user" else "Model" if hit.role == "assistant" else hit.role
            doc = QTextDocument()
            doc.setDefaultFont(option.font)
            doc.setDocumentMargin(0)
            doc.setTextWidth(width)
            doc.setHtml(
                f"<span style='color:{color}'><b>{who}:</b> "
                f"{snippet_html(hit.snippet, *self._highlight)}</span>"
            )
            self._docs[key] = doc
        return doc

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        hit = index.data(_HIT_ROLE)
        if not isinstance(hit, SearchHit):
            return
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect.adjusted(self.PAD + 2, self.PAD, -self.PAD - 2, -self.PAD)
        line = self._lines(option)
        painter.save()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        date = when(hit.created_at, time.time())
        date_width = option.fontMetrics.horizontalAdvance(date) + self.PAD
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        title = QFontMetrics(bold).elidedText(
            hit.conversation_title or "Untitled chat",
            Qt.TextElideMode.ElideRight,
            rect.width() - date_width,
        )
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width() - date_width, line),
            Qt.AlignmentFlag.AlignLeft,
            title,
        )
        painter.setFont(option.font)
        if not selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignRight, date
        )
        doc = self._doc(hit, rect.width(), selected, option)
        painter.translate(rect.left(), rect.top() + line)
        painter.setClipRect(QRect(0, 0, rect.width(), 2 * line))
        doc.drawContents(painter)
        painter.restore()


class SearchPalette(QDialog):
    """The search palette; ``openRequested(message_id)`` when a result is chosen."""

    searchRequested = Signal(object)  # SearchRequest
    openRequested = Signal(int)
    #: Results for what is typed now are on screen (how many).
    resultsShown = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("searchPalette")
        self.setWindowTitle("Search all chats")
        self.setAccessibleName("Search all chats")
        self.setWindowFlags(Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.setModal(False)
        self._current_chat: int | None = None

        frame = QFrame(self)
        frame.setObjectName("paletteFrame")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.field = QLineEdit(frame)
        self.field.setObjectName("paletteField")
        self.field.setPlaceholderText("Search every chat and branch…")
        self.field.setAccessibleName("Search text")
        self.field.setClearButtonEnabled(True)
        font = self.field.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.field.setFont(font)

        self.scope = QComboBox(frame)
        self.scope.setAccessibleName("Where to search")
        self.scope.addItem("All chats", "all")
        self.scope.addItem("This chat", "this")
        self.who = QComboBox(frame)
        self.who.setAccessibleName("Who wrote it")
        for label, role in _WHO:
            self.who.addItem(label, role)
        self.period = QComboBox(frame)
        self.period.setAccessibleName("When")
        for label, days in _PERIODS:
            self.period.addItem(label, days)
        self.order = QComboBox(frame)
        self.order.setAccessibleName("Order")
        self.order.addItem("Newest first", "newest")
        self.order.addItem("Best match", "best")
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for combo in (self.scope, self.who, self.period, self.order):
            combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            combo.currentIndexChanged.connect(self._changed)
            filters.addWidget(combo)
        filters.addStretch(1)

        self.results = QListWidget(frame)
        self.results.setObjectName("paletteResults")
        self.results.setAccessibleName("Results")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setUniformItemSizes(True)
        self._delegate = _ResultDelegate(
            ("#6b5a00", "#ffffff") if dark else ("#fff1a8", "#1f2328"), self.results
        )
        self.results.setItemDelegate(self._delegate)
        self.results.itemActivated.connect(self._open_item)
        self.results.itemClicked.connect(self._open_item)
        self.state = QLabel("Type to search your chats.", frame)
        self.state.setObjectName("paletteState")
        self.state.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        hint = QLabel("↑↓ choose · Enter open · Esc close", frame)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        bottom = QHBoxLayout()
        bottom.addWidget(self.state, 1)
        bottom.addWidget(hint)

        inner = QVBoxLayout(frame)
        inner.setContentsMargins(12, 12, 12, 8)
        inner.setSpacing(8)
        inner.addWidget(self.field)
        inner.addLayout(filters)
        inner.addWidget(self.results, 1)
        inner.addLayout(bottom)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

        self.field.textChanged.connect(self._changed)
        self.field.installEventFilter(self)
        self._pending = QTimer(self)  # coalesce a burst of keystrokes into one search
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self._request)

    # -- what the app calls -------------------------------------------------------------------

    def open_over(self, window: QWidget, conversation_id: int | None) -> None:
        """Show over the top of ``window``, ready to type (the last search selected)."""
        self._current_chat = conversation_id
        self.scope.model().item(1).setEnabled(conversation_id is not None)  # type: ignore[attr-defined]
        if conversation_id is None and self.scope.currentIndex() == 1:
            self.scope.setCurrentIndex(0)
        width = min(720, max(420, window.width() - 80))
        height = min(520, max(300, window.height() - 120))
        self.resize(width, height)
        top_left = window.mapToGlobal(window.rect().topLeft())
        self.move(top_left.x() + (window.width() - width) // 2, top_left.y() + 60)
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text().strip():
            self._request()

    def request(self) -> SearchRequest:
        """What the palette asks for now."""
        days = int(self.period.currentData() or 0)
        since = None
        if days:
            start = time.localtime()
            midnight = time.mktime((*start[:3], 0, 0, 0, 0, 0, -1))
            since = midnight - (days - 1) * _DAY
        where = SearchFilter(
            conversation_id=self._current_chat if self.scope.currentData() == "this" else None,
            role=self.who.currentData(),
            since=since,
            order=str(self.order.currentData()),
        )
        return SearchRequest(self.field.text(), where)

    def show_results(self, request: SearchRequest, hits: Sequence[SearchHit]) -> None:
        """Show ``hits`` for ``request`` (ignored when the palette now asks something else)."""
        if request != self.request():
            return
        self.results.clear()
        self._delegate.forget()
        for hit in hits:
            item = QListWidgetItem(self.results)
            item.setData(_MESSAGE_ROLE, hit.message_id)
            item.setData(_HIT_ROLE, hit)
            item.setToolTip(f"{hit.conversation_title}\n{hit.plain_snippet}")
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{hit.conversation_title}: {hit.plain_snippet}"
            )
        if hits:
            self.results.setCurrentRow(0)
        many = "20+ results" if len(hits) >= 20 else count(len(hits), "result")
        self.state.setText(many if hits else "No messages match.")
        self.resultsShown.emit(len(hits))

    def show_problem(self, text: str) -> None:
        """The search failed: say why (the results stay as they were)."""
        self.state.setText(text)

    # -- typing -----------------------------------------------------------------------------

    def _changed(self) -> None:
        if not self.field.text().strip():
            self.results.clear()
            self.state.setText("Type to search your chats.")
            return
        self._pending.start()

    def _request(self) -> None:
        if self.field.text().strip():
            self.searchRequested.emit(self.request())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                self._move(key)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.results.currentItem()
                if item is not None:
                    self._open_item(item)
                return True
        return super().eventFilter(watched, event)

    def _move(self, key: int) -> None:
        count = self.results.count()
        if not count:
            return
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -5}.get(key, 5)  # type: ignore[call-overload]
        row = min(max(self.results.currentRow() + step, 0), count - 1)
        self.results.setCurrentRow(row)
        self.results.scrollToItem(self.results.currentItem())

    def _open_item(self, item: QListWidgetItem) -> None:
        message_id = item.data(_MESSAGE_ROLE)
        if message_id is not None:
            self.hide()
            self.openRequested.emit(int(message_id))
