"""Built-in MCP servers, each runnable as ``python -m chatdesk.mcp.servers.<name>`` (stdio).

The servers file names them as ``{"command": "chatdesk", "args": ["mcp-server", NAME]}``
(see :func:`chatdesk.mcp.config.builtin_server`): :func:`launch_command` turns that into this
app's own Python running the module, or, in a frozen app, the app itself with
``mcp-server NAME`` (its ``main`` hands such a command line to :func:`run_builtin`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

#: Built-in server name -> its module.
BUILTINS = {
    "calculator": "chatdesk.mcp.servers.calculator",
    "housekeeping": "chatdesk.mcp.servers.housekeeping",
}


class UnknownBuiltinError(ValueError):
    """The servers file names a built-in server this version does not have."""


def launch_command(name: str, extra_args: Sequence[str] = ()) -> tuple[str, list[str]]:
    """The command and arguments that start built-in server ``name`` over stdio."""
    if name not in BUILTINS:
        known = ", ".join(sorted(BUILTINS))
        raise UnknownBuiltinError(f"there is no built-in server {name!r} (built-ins: {known})")
    if getattr(sys, "frozen", False):
        return sys.executable, ["mcp-server", name, *extra_args]
    return sys.executable, ["-m", BUILTINS[name], *extra_args]


def run_builtin(argv: Sequence[str]) -> int:
    """Serve the built-in named by ``argv[0]`` over stdio (``chatdesk mcp-server NAME``)."""
    if not argv or argv[0] not in BUILTINS:
        known = ", ".join(sorted(BUILTINS))
        sys.stderr.write(f"usage: chatdesk mcp-server NAME  (NAME: {known})\n")
        return 2
    module = importlib.import_module(BUILTINS[argv[0]])
    sys.argv = [argv[0], *argv[1:]]
    module.main()
    return 0
