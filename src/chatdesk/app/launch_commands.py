"""What a launch asked for, carried out in the running app (see ``command_line``).

A text given with ``--new`` never replaces what is being typed in the new chat: it waits
beside it ("Insert it"), as any given-back text does. ``--send`` never touches the composer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.app.command_line import Command

if TYPE_CHECKING:
    from chatdesk.app.root import ChatdeskApp

__all__ = ["carry_out"]


def carry_out(app: ChatdeskApp, command: Command) -> None:
    """Bring the window forward and do ``command`` there."""
    window, controller = app.window, app.controller
    if window is None or controller is None:
        return
    if command.kind == "quick" and app.quick_ask is not None:
        app.quick_ask.open()
        return
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    if command.kind in ("new", "send"):
        controller.new_conversation()
        window.focus_composer()
    if command.kind == "new" and command.text:
        window.unsent_drafts.restore(command.text)  # into an empty composer, else beside it
    elif command.kind == "send":
        window.drafts.keep_aside()  # what is typed in the new chat stays a draft of its own
        controller.send(command.text)
    elif command.kind == "dictate":
        window.dictate_action.trigger()
