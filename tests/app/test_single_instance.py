"""One chatdesk per data dir: a second launch hands its command to the running app and
exits; the running app comes forward and does it. A socket left by a crash does not stop a
new start; an unknown option is a clear message."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtWidgets import QApplication

from chatdesk.app.single_instance import instance_name
from fakes.openrouter import FakeOpenRouter
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


async def _launch(data_dir: Path, *args: str) -> tuple[int, str]:
    """``chatdesk ARGS`` as a second launch on ``data_dir``: its exit code and stderr."""
    env = {**os.environ, "CHATDESK_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatdesk",
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        _, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def _listening(app: object) -> None:
    """Until the app listens for later launches (right after its first paint)."""
    window = app.window  # type: ignore[attr-defined]
    if app.instance is None:  # type: ignore[attr-defined]
        await SignalWaiter(window.firstPainted).wait()


async def _launch_code(data_dir: Path, code: str) -> tuple[int, str]:
    env = {**os.environ, "CHATDESK_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, env=env, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(60):
        _, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_a_second_launch_hands_over_and_the_running_app_does_it(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        await _listening(app)
        assert app.instance is not None
        window, edit = app.window, app.window.composer.edit
        edit.setFocus()
        edit.insertPlainText("my own words, not sent")
        window.showMinimized()

        # --send: a new chat, the text sent as given; the composer's draft is not touched.
        received = SignalWaiter(app.instance.commandReceived)
        idle = SignalWaiter(app.controller.busyChanged)
        code, err = await _launch(data_dir, "--send", "hello from the launcher")
        assert (code, err) == (0, "")
        await received.wait()
        await idle.wait(2, limit_s=30)
        sent = [m["content"] for m in app_env.requests_to()[-1].json["messages"]]
        assert sent[-1] == "hello from the launcher"
        assert not window.isMinimized() and window.isVisible()
        assert window.composer.text() == ""  # the sent chat's composer
        assert window.drafts.waiting() == {None: "my own words, not sent"}  # a new chat's
        assert all("my own words" not in str(r.json) for r in app_env.requests_to())

        # --new TEXT: a new chat with TEXT in its composer.
        code, _ = await _launch(data_dir, "--new", "a thought to finish")
        assert code == 0
        await received.wait(2)
        assert app.controller.conversation_id is None
        # The launch's text is in the new chat's composer; what was begun in a new chat
        # before waits beside it, never merged.
        assert window.composer.text() == "a thought to finish"
        assert window.unsent_drafts.waiting == ["my own words, not sent"]

        # A plain second launch: the same window comes forward, no second app.
        code, _ = await _launch(data_dir)
        assert code == 0
        await received.wait(3)
        assert [c.kind for (c,) in received.values] == ["send", "new", "show"]

        # The hand-over needs no Qt: the launch ends before importing it.
        code, err = await _launch_code(
            data_dir,
            "import sys; from chatdesk.launch import main; code = main(['chatdesk']);"
            " print(code, 'PySide6' in sys.modules, file=sys.stderr)",
        )
        assert (code, err.strip()) == (0, "0 False")
        await received.wait(4)


async def test_a_socket_left_by_a_crash_does_not_stop_a_start(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    stale = Path(QDir.tempPath()) / instance_name(data_dir)
    left = socket.socket(socket.AF_UNIX)
    left.bind(str(stale))  # bound, never listening, never removed: as after a crash
    left.close()
    try:
        async with started_app(qapp, data_dir) as app:
            await _listening(app)
            assert app.instance is not None
            received = SignalWaiter(app.instance.commandReceived)
            code, _ = await _launch(data_dir, "--dictate")
            assert code == 0
            await received.wait()
    finally:
        stale.unlink(missing_ok=True)


async def test_an_unknown_option_is_a_clear_message(data_dir: Path) -> None:
    code, err = await _launch(data_dir, "--frobnicate")
    assert code == 2 and err.startswith("chatdesk: unknown option --frobnicate")
    code, err = await _launch(data_dir, "--send")
    assert code == 2 and "--send needs the text to send" in err


async def test_a_running_app_that_does_not_answer_is_not_joined_by_a_second(
    data_dir: Path,
) -> None:
    """Someone holds the socket but never answers (busy, hung): no second app on the same
    database; the launch says why and ends."""
    from chatdesk.app.instance_client import socket_path

    path = socket_path(instance_name(data_dir))
    hung = socket.socket(socket.AF_UNIX)
    hung.bind(str(path))
    hung.listen(1)  # takes connections, never reads or answers
    try:
        code, err = await _launch(data_dir, "--send", "hello")
    finally:
        hung.close()
        path.unlink(missing_ok=True)
    assert code == 1
    assert "another chatdesk is running on this data directory but does not answer" in err
    assert not (data_dir / "logs").exists()  # no second app started


async def test_a_launch_while_another_is_still_starting_waits_for_it(data_dir: Path) -> None:
    """The instance lock is held (another chatdesk is starting, not listening yet): the
    launch waits for it to listen instead of starting a second app; if it never does, it
    says so and ends."""
    from chatdesk.app.instance_client import hold_instance_lock

    assert hold_instance_lock(data_dir) is True  # this test process plays the starting app
    code, err = await _launch_code(
        data_dir,
        "import sys, chatdesk.launch as launch; launch.STARTING_TRIES = 3;"
        " sys.exit(launch.main(['chatdesk', '--send', 'hello']))",
    )
    assert code == 1 and "does not answer" in err
    assert not (data_dir / "logs").exists()  # no second app started
