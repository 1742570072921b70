"""How the chat view scrolls: it follows new text while the user stays at the bottom; once they
scroll up it keeps the item they are reading still, whatever grows above or below."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QScrollArea, QWidget

__all__ = ["ScrollAnchor"]


class ScrollAnchor(QObject):
    """Follows the bottom of ``view`` or holds an item of ``items()`` (children of ``column``)
    in place. ``at_top`` runs when the user reaches the top; ``short`` runs (on the next loop
    pass) when the content stops being scrollable."""

    FOLLOW_SLACK = 24  # px from the bottom that still count as "at the bottom"

    def __init__(
        self,
        view: QScrollArea,
        column: QWidget,
        items: Callable[[], Sequence[QWidget]],
        *,
        at_top: Callable[[], None],
        short: Callable[[], None],
    ) -> None:
        super().__init__(view)
        self._view = view
        self._column = column
        self._items = items
        self._at_top = at_top
        self._short = short
        self._following = True
        self._anchor: tuple[QWidget, int] | None = None
        self._adjusting = False
        bar = view.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_value_changed)

    @property
    def following(self) -> bool:
        """True while the view scrolls along with new text."""
        return self._following

    def follow(self) -> None:
        """Go to the bottom and stay there."""
        self._following = True
        self._set_anchor(None)
        self._set_value(self._view.verticalScrollBar().maximum())

    def hold_top(self) -> None:
        """Stop following; keep the item now at the top where it is."""
        self._following = False
        self._set_anchor(self._capture())

    def hold_unless_following(self) -> None:
        """Before items are added above: keep the item at the top still (if not yet held)."""
        if self._anchor is None and not self._following:
            self._set_anchor(self._capture())

    def hold(self, widget: QWidget, offset: int) -> None:
        """Stop following and keep ``widget`` ``offset`` px below the top of the view."""
        self._following = False
        self._set_anchor((widget, offset))
        self._apply_anchor()

    def release(self) -> None:
        """Hold nothing (the items are gone)."""
        self._set_anchor(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Move
            and self._anchor is not None
            and watched is self._anchor[0]
        ):
            self._apply_anchor()
        return super().eventFilter(watched, event)

    def _set_value(self, value: int) -> None:
        self._adjusting = True
        try:
            self._view.verticalScrollBar().setValue(value)
        finally:
            self._adjusting = False

    def _capture(self) -> tuple[QWidget, int] | None:
        """The first item still visible at the top, and its offset from the viewport top."""
        value = self._view.verticalScrollBar().value()
        top = self._column.y()
        for widget in self._items():
            y = top + widget.y()
            if y + widget.height() > value:
                return widget, y - value
        return None

    def _on_range_changed(self, minimum: int, maximum: int) -> None:
        if maximum <= minimum:
            QTimer.singleShot(0, self._view, self._short)
        if self._following:
            self._set_value(maximum)
        else:
            self._apply_anchor()

    def _set_anchor(self, anchor: tuple[QWidget, int] | None) -> None:
        """Hold ``anchor`` in place; watch it, since it can move without the range changing."""
        old = self._anchor[0] if self._anchor is not None else None
        new = anchor[0] if anchor is not None else None
        if old is not new:
            if old is not None:
                old.removeEventFilter(self)
            if new is not None:
                new.installEventFilter(self)
        self._anchor = anchor

    def _apply_anchor(self) -> None:
        if self._anchor is None or self._following:
            return
        widget, offset = self._anchor
        if widget in self._items():
            self._set_value(self._column.y() + widget.y() - offset)

    def _on_value_changed(self, value: int) -> None:
        if self._adjusting:
            return
        bar = self._view.verticalScrollBar()
        self._following = value >= bar.maximum() - self.FOLLOW_SLACK
        self._set_anchor(None if self._following else self._capture())
        if value <= bar.minimum() and bar.maximum() > bar.minimum():
            self._at_top()
