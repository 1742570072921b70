"""Reaching the running chatdesk from a new launch, before Qt is imported (Qt-free).

The running app's ``QLocalServer`` is, on Unix, a socket file in the temporary folder that
plain ``socket`` can talk to: a second launch hands its command over in a few milliseconds
instead of after importing the whole app. Elsewhere this returns None and the Qt client in
``single_instance`` is used.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from pathlib import Path

from chatdesk.app.command_line import Command

__all__ = ["STUCK", "forward_quickly", "hold_instance_lock", "instance_name"]

#: A chatdesk runs on this data dir (it took the connection) but did not answer.
STUCK = "stuck"

CONNECT_TIMEOUT_S = 0.4
ANSWER_TIMEOUT_S = 2.0


def instance_name(data_dir: Path) -> str:
    """The socket's name: one per user and data dir."""
    key = f"{getpass.getuser()}\0{data_dir.expanduser().resolve()}"
    return "chatdesk-" + hashlib.sha256(key.encode()).hexdigest()[:20]


LOCK_FILE = ".instance.lock"
_held: list[object] = []  # the lock's open file, kept for the life of the process


def hold_instance_lock(data_dir: Path) -> bool | None:
    """Take the data dir's instance lock for the life of this process: True when taken, False
    when another chatdesk holds it (running, or still starting), None where there is no such
    lock (not Unix). The system lets go of it when the process ends, crashed or not: it is
    never stale."""
    try:
        import fcntl
    except ImportError:
        return None
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / LOCK_FILE).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    _held.append(handle)
    return True


def socket_path(name: str) -> Path:
    """Where Qt puts a local server's socket on Unix (``QDir::tempPath()``)."""
    return Path(os.environ.get("TMPDIR") or "/tmp") / name


def forward_quickly(name: str, command: Command) -> bool | str | None:
    """Hand ``command`` to the running app: True when it took it, False when none runs,
    :data:`STUCK` when one took the connection but did not answer (starting another would put
    two apps on one database), None where this cannot tell (not Unix)."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    path = socket_path(name)
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as peer:
        try:
            peer.settimeout(CONNECT_TIMEOUT_S)
            peer.connect(str(path))
        except OSError:  # refused: a socket left by a crash, nobody listens
            return False
        answer = b""
        try:
            peer.settimeout(ANSWER_TIMEOUT_S)
            peer.sendall(json.dumps(command.to_wire()).encode() + b"\n")
            while not answer.endswith(b"\n"):
                chunk = peer.recv(64)
                if not chunk:
                    break
                answer += chunk
        except OSError:  # timed out: it is there, and busy or hung
            return STUCK
    return True if answer.strip() == b"ok" else STUCK
