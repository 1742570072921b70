"""A late title never gives the first message's text back (issue #11, item 8).

The cause was: ``TurnDriver.send`` decided "not stored, give the text back" from the
controller's one ``TurnState.user_stored``, read after the turn's events end, i.e. after the
title. The next send had reset that flag and its own ``TurnStarted`` had not come yet, so the
first turn gave its own text back (``draftRestored``), and the window put it into the empty
composer, in front of what the user typed next. Each send now keeps its own ``SendProgress``.

A deterministic reproduction: the second send is held before its user message is stored (an
"open" task is still running), and the first turn's title is let through meanwhile.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication

from chatdesk.core.models import TurnConfig
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.repository import ChatRepository
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from fakes.openrouter import FakeOpenRouter, Gate, Reply
from qtapp import SignalWaiter


async def test_a_late_title_never_gives_the_first_text_back(
    qapp: QApplication,
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
) -> None:
    title_gate = Gate()
    fake_openrouter.enqueue(
        Reply.stream("answer one"),
        Reply.completion("Title One", hold_headers=title_gate),
        Reply.stream("answer two"),
    )
    runner = TaskRunner()
    controller = ChatController(
        repo,
        lambda: (ChatOrchestrator(repo, provider), provider),
        runner,
        lambda model: TurnConfig(model=model),
        "openai/gpt-4o-mini",
    )
    restored = SignalWaiter(controller.draftRestored)
    busy = SignalWaiter(controller.busyChanged)
    titles = SignalWaiter(controller.titleChanged)
    assert controller.send("first question")
    await busy.wait(2)  # busy, then not busy: the answer is done, the title still pending
    assert not controller.busy
    (first,) = [t for t in asyncio.all_tasks() if t.get_name() == "turn"]  # its title's wait
    hold_second = asyncio.Event()
    runner.spawn(hold_second.wait(), key="open")  # the second send waits before storing
    assert controller.send("second question")
    title_gate.set()
    await titles.wait()
    await asyncio.wait([first])  # the first turn's task ends after its title
    hold_second.set()
    await busy.wait(4)
    await runner.wait_idle()
    assert restored.values == []
