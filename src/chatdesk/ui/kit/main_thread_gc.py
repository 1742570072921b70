"""MainThreadGC: Python's garbage collector runs on the Qt thread only.

Left automatic, a collection runs in whichever thread happens to allocate at that moment — a
worker of ``asyncio.to_thread``, an HTTP or websocket thread. A Qt object found in a garbage
cycle is then destroyed in that thread: its timers cannot be stopped from there, stay
registered with the main thread's event loop, and fire on freed memory (a segfault, seen in
the test suite as ``QTimerInfoList::activateTimers``). So automatic collection is switched off
and a timer on the Qt thread collects instead, with the same generation thresholds Python uses.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the counts are checked (a check that collects nothing costs about a microsecond;
#: once a second keeps an idle app from waking more often than that).
CHECK_INTERVAL_MS = 1000


class MainThreadGC(QObject):
    """Turns automatic collection off and collects from a timer on the Qt thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> int:
        """Collect the generations whose counts passed Python's thresholds; returns how many
        objects were collected."""
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c0 <= t0:
            return 0
        generation = 2 if c1 > t1 and c2 > t2 else 1 if c1 > t1 else 0
        return gc.collect(generation)

    def stop(self) -> None:
        """Back to automatic collection (as it was before)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
