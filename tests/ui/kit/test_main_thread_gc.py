"""MainThreadGC: no automatic collection; the Qt thread collects when the counts say so."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtWidgets import QApplication

from chatdesk.ui.kit.main_thread_gc import MainThreadGC


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_cycles_are_collected_by_the_check_not_automatically(qapp: QApplication) -> None:
    gc.enable()
    collector = MainThreadGC(qapp)
    try:
        assert not gc.isenabled()
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        junk = [[] for _ in range(gc.get_threshold()[0] + 10)]  # counts past the threshold
        assert gone() is not None  # nothing collected on its own
        assert collector.check() >= 2
        assert gone() is None
        del junk
    finally:
        collector.stop()
    assert gc.isenabled()
    gc.disable()  # as the Qt tests run (see qtapp.main_thread_gc_session)


def test_a_check_below_the_threshold_collects_nothing(qapp: QApplication) -> None:
    collector = MainThreadGC(qapp)
    try:
        gc.collect()
        assert collector.check() == 0
    finally:
        collector.stop()
