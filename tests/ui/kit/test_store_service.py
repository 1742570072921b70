"""StoreService: blocking storage calls run in a worker thread, one at a time, in order."""

from __future__ import annotations

import asyncio
import threading

from chatdesk.ui.kit.store_service import StoreService
from chatdesk.ui.kit.task_runner import TaskRunner


async def test_off_loop_calls_run_in_a_thread_one_at_a_time_in_order() -> None:
    service = StoreService(TaskRunner())
    seen: list[tuple[int, bool]] = []
    busy = threading.Lock()

    def work(n: int) -> int:
        overlapping = not busy.acquire(blocking=False)
        try:
            seen.append((n, threading.current_thread() is threading.main_thread()))
        finally:
            if not overlapping:
                busy.release()
        assert not overlapping
        return n * 2

    results = await asyncio.gather(*(service.off_loop(work, n) for n in range(5)))
    assert results == [0, 2, 4, 6, 8]
    assert seen == [(n, False) for n in range(5)]


async def test_a_save_asked_for_finishes_at_shutdown_other_work_is_cancelled() -> None:
    runner = TaskRunner()
    service = StoreService(runner)
    release = threading.Event()
    written: list[str] = []

    def write(text: str) -> None:  # a slow disk
        release.wait(5)
        written.append(text)

    async def save(text: str) -> None:
        await service.off_loop(write, text)

    other = runner.spawn(asyncio.Event().wait(), name="idle work")
    service._spawn(save("first"))
    service._spawn(save("second"))  # queued behind the first
    await asyncio.sleep(0)
    stopping = asyncio.ensure_future(runner.shutdown(grace_s=10))
    await asyncio.sleep(0)
    assert not other.done()  # the saves go first
    release.set()
    await stopping
    assert written == ["first", "second"]
    assert other.cancelled()
