"""Compiles the code highlighters at idle, one language per tick, before an answer needs them."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from chatdesk.ui.rendering.markdown import warm_up

__all__ = ["WARM_LANGUAGES", "HighlighterWarmup"]

WARM_LANGUAGES = ("python", "bash", "javascript", "typescript", "json", "sql", "rust", "go")


class HighlighterWarmup(QTimer):
    """Starts ``delay_ms`` after it is made, then warms one of ``languages`` every ``step_ms``."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        languages: tuple[str, ...] = WARM_LANGUAGES,
        delay_ms: int = 1500,
        step_ms: int = 60,
    ) -> None:
        super().__init__(parent)
        self._left = list(languages)
        self.setInterval(step_ms)
        self.timeout.connect(self._step)
        QTimer.singleShot(delay_ms, self, self.start)

    @property
    def left(self) -> tuple[str, ...]:
        """The languages not warmed yet."""
        return tuple(self._left)

    def _step(self) -> None:
        if self._left:
            warm_up((self._left.pop(0),))
        else:
            self.stop()
