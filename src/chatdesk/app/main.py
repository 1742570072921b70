"""The entry point of ``chatdesk`` and ``python -m chatdesk``.

Turns the garbage collector off for start-up, imports every Qt-free module the first paint
needs before PySide6 (see below), makes the QApplication, installs the signal handlers and the
excepthook, paints the window from ``ChatdeskApp.show_window()`` and only then starts the qasync
loop, which runs ``ChatdeskApp.start()`` and waits for a quit request.
"""

from __future__ import annotations

import gc

# Start-up allocates many long-lived objects and frees few: no collections while it runs
# (~4% of the time to the first paint). Back on at the end of the imports, and after the paint.
_GC_ON = gc.isenabled()
gc.disable()

import logging
import signal
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

# The pre-Qt block: every Qt-free module the window needs is imported here, before Qt.
from chatdesk import APP_NAME, __version__, paths
from chatdesk.app import backend as _backend  # noqa: F401
from chatdesk.app import context as _context  # noqa: F401
from chatdesk.app.command_line import USAGE, Command, UsageError, parse_command
from chatdesk.core import model_catalogue as _model_catalogue  # noqa: F401
from chatdesk.core import models as _models  # noqa: F401
from chatdesk.core import preset_tools as _preset_tools  # noqa: F401
from chatdesk.core import suggestions as _suggestions  # noqa: F401
from chatdesk.core import turn_state as _turn_state  # noqa: F401
from chatdesk.errors import ChatdeskError
from chatdesk.logs import setup_logging as _setup_logging  # noqa: F401
from chatdesk.mcp import host as _host  # noqa: F401
from chatdesk.secrets import SecretStore as _SecretStore  # noqa: F401
from chatdesk.settings import SettingsStore as _SettingsStore  # noqa: F401
from chatdesk.storage import snapshot as _snapshot  # noqa: F401
from chatdesk.ui.chat.tool_cards import tool_outcome as _tool_outcome  # noqa: F401
from chatdesk.ui.chat.tool_cards import tool_results as _tool_results  # noqa: F401
from chatdesk.ui.kit import formatting as _formatting  # noqa: F401
from chatdesk.ui.rendering import markdown as _markdown  # noqa: F401
from chatdesk.ui.rendering import start_renders as _start_renders  # noqa: F401

# isort: split
# Qt comes last on purpose: once PySide6 is imported, its __feature__ import hook reads the
# source of every module imported after it, which costs ~50 ms of start-up for the modules above.
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from chatdesk.app.root import ChatdeskApp
from chatdesk.ui.kit.main_thread_gc import MainThreadGC
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

if _GC_ON:
    gc.enable()

log = logging.getLogger(__name__)


async def _run(app: ChatdeskApp, command: Command) -> int:
    """Finish starting, do what the command line asked, wait for a quit request, shut down;
    returns the exit code."""
    import asyncio

    loop = asyncio.get_running_loop()
    _install_asyncgen_hooks(loop)
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, app.request_quit)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(signum, lambda *_: app.request_quit())
    try:
        await app.start()
    except Exception as exc:
        _report_start_failure(exc)
        await app.shutdown()
        return 1
    if command.kind != "show":
        from chatdesk.app.launch_commands import carry_out

        carry_out(app, command)
    assert app.quit_event is not None
    await app.quit_event.wait()
    await app.shutdown()
    return 0


def _report_start_failure(exc: Exception) -> None:
    message = exc.user_message if isinstance(exc, ChatdeskError) else f"{exc}"
    log.error("could not start: %s", message, exc_info=not isinstance(exc, ChatdeskError))
    QMessageBox.critical(None, "chatdesk cannot start", message)


def _install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """qasync never installs asyncio's async-generator hooks on Unix: without them an HTTP
    stream left early warns "async generator ignored GeneratorExit" at exit."""
    first = getattr(loop, "_asyncgen_firstiter_hook", None)
    final = getattr(loop, "_asyncgen_finalizer_hook", None)
    if first is not None and final is not None:
        sys.set_asyncgen_hooks(firstiter=first, finalizer=final)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``chatdesk`` and ``python -m chatdesk``; ``chatdesk mcp-server NAME``
    serves a built-in MCP server over stdio instead, and ``chatdesk import|export|backup|
    restore`` run the history tools (chatdesk.history.cli)."""
    args = list(argv if argv is not None else sys.argv)
    if args[1:2] == ["mcp-server"]:
        from chatdesk.mcp.servers import run_builtin

        return run_builtin(args[2:])
    if args[1:2] and args[1] in ("import", "export", "backup", "restore"):
        from chatdesk.history.cli import run as run_history_command

        return run_history_command(args[1:])
    try:
        command = parse_command(args[1:])
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    if "--version" in args[1:] or "--help" in args[1:] or "-h" in args[1:]:
        print(f"chatdesk {__version__}" if "--version" in args else USAGE)
        return 0
    qapp = QApplication.instance() or QApplication(list(argv if argv is not None else sys.argv))
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationDisplayName("chatdesk")
    qapp.setApplicationVersion(__version__)
    qapp.setDesktopFileName("chatdesk")
    qapp.setStyle("Fusion")
    qapp.setWindowIcon(QIcon(str(paths.resources_dir() / "chatdesk.png")))
    qapp.setQuitOnLastWindowClosed(False)
    if _handed_over(command):
        return 0
    sys.excepthook = _report_unexpected
    gc.disable()  # until the first paint (see the top of this module)
    app = ChatdeskApp(qapp)
    for signum in (signal.SIGINT, signal.SIGTERM):  # until the loop's own handlers take over
        signal.signal(signum, lambda *_: app.request_quit())
    try:
        app.show_window()
    except Exception as exc:
        _report_start_failure(exc)
        return 1
    app.wait_for_first_paint()
    gc.freeze()  # what start-up made lives as long as the app: keep it out of collections
    collector = MainThreadGC(qapp)  # collections from now on run on the Qt thread only

    # Only now the event loop: asyncio (with ssl) and qasync cost ~35 ms and ~12 MB, which the
    # first paint does not need.
    import asyncio

    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        return int(loop.run_until_complete(_run(app, command)))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        collector.stop()


def _handed_over(command: Command) -> bool:
    """True when a chatdesk already running on this data dir took the command (it comes
    forward); this launch then ends."""
    from chatdesk.app.instance_client import forward_quickly, instance_name

    name = instance_name(paths.data_dir())
    quick = forward_quickly(name, command)  # None where it cannot tell: ask through Qt
    if quick == "stuck":
        from chatdesk.launch import STUCK_MESSAGE

        QMessageBox.warning(None, "chatdesk is already running", STUCK_MESSAGE)
        return True
    if quick is None:  # not Unix: QtNetwork's client (not needed on the way to the paint)
        from chatdesk.app.single_instance import forward

        quick = forward(name, command)
    if quick:
        log.info("handed %s to the running chatdesk", command.kind)
        return True
    return False


def _report_unexpected(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """An exception escaped a Qt slot: log it (a windowed app has no stderr) and say so."""
    log.error("unexpected error", exc_info=(kind, exc, tb))
    app = QApplication.instance()
    for widget in app.topLevelWidgets() if isinstance(app, QApplication) else ():
        if isinstance(widget, MainWindow):
            widget.notify("error", f"Something went wrong ({kind.__name__}: {exc}).")


if __name__ == "__main__":
    raise SystemExit(main())
