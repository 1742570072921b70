"""The ``chatdesk`` command: the quick paths first, then the app.

``chatdesk mcp-server NAME`` serves a built-in MCP server; ``chatdesk import|export|backup|
restore`` run the history tools; otherwise, when a chatdesk already runs on this data dir, the
command line's command is handed to it (no Qt imported: a few milliseconds) and this launch
ends; else the app starts (``chatdesk.app.main``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

__all__ = ["main"]

#: How long (in 0.1 s tries) a launch waits for a chatdesk that is still starting.
STARTING_TRIES = 100

STUCK_MESSAGE = (
    "chatdesk: another chatdesk is running on this data directory but does not answer. "
    "Wait a moment and try again, or quit it first (a second one would share its database)."
)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv)
    if args[1:2] == ["mcp-server"]:
        from chatdesk.mcp.servers import run_builtin

        return run_builtin(args[2:])
    if args[1:2] and args[1] in ("import", "export", "backup", "restore"):
        from chatdesk.history.cli import run as run_history_command

        return run_history_command(args[1:])
    from chatdesk import __version__, paths
    from chatdesk.app.command_line import USAGE, UsageError, parse_command

    if "--version" in args[1:]:
        print(f"chatdesk {__version__}")
        return 0
    if "--help" in args[1:] or "-h" in args[1:]:
        print(USAGE)
        return 0
    try:
        command = parse_command(args[1:])
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    from chatdesk.app.instance_client import (
        STUCK,
        forward_quickly,
        hold_instance_lock,
        instance_name,
    )

    data_dir = paths.data_dir()
    name = instance_name(data_dir)
    handed = forward_quickly(name, command)
    if handed is True:
        return 0
    if handed != STUCK and hold_instance_lock(data_dir) is not False:
        from chatdesk.app.main import main as run_app

        return run_app(args)
    # Another chatdesk holds the data dir: still starting (it listens once its window is
    # painted) or not answering. Hand the command over as soon as it listens.
    for _ in range(STARTING_TRIES if handed != STUCK else 0):
        time.sleep(0.1)  # the other process gives no signal to wait on
        handed = forward_quickly(name, command)
        if handed is True:
            return 0
        if handed == STUCK:
            break
    print(STUCK_MESSAGE, file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
