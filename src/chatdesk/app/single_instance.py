"""One chatdesk per data dir: a second launch hands its command to the running one and exits.

The running app listens on a local socket named after the user and the data dir (two apps on
one database would be a data-integrity risk). A launch first tries to reach it (a short
timeout); if nobody answers, a socket left by a crash is removed and this one listens. The
wire: one JSON line with the command, one line back (``ok``).
"""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from chatdesk.app.command_line import Command, UsageError
from chatdesk.app.instance_client import instance_name

__all__ = ["InstanceServer", "forward", "instance_name"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 400
ANSWER_TIMEOUT_MS = 2000
MAX_LINE = 1_000_000


def forward(name: str, command: Command) -> bool:
    """Hand ``command`` to the running app; False when none answers."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(json.dumps(command.to_wire()).encode() + b"\n")
    socket.waitForBytesWritten(ANSWER_TIMEOUT_MS)  # False when all went out at once
    while not socket.canReadLine() and socket.waitForReadyRead(ANSWER_TIMEOUT_MS):
        pass
    answered = bytes(socket.readLine().data()).strip() == b"ok"
    socket.disconnectFromServer()
    return answered


class InstanceServer(QObject):
    """Listens for later launches; ``commandReceived`` carries what they asked."""

    commandReceived = Signal(object)  # Command

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Start listening; a socket a crashed app left behind is removed first."""
        if self._server.listen(self.name):
            return True
        if self._server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            log.info("removing a stale instance socket %s", self.name)
            QLocalServer.removeServer(self.name)
            if self._server.listen(self.name):
                return True
        log.warning("cannot listen for other launches: %s", self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_LINE:
                socket.abort()
            return
        line = bytes(socket.readLine().data())
        try:
            command = Command.from_wire(json.loads(line))
        except (ValueError, UsageError) as exc:
            log.info("ignored a message on the instance socket: %s", exc)
            socket.write(b"error\n")
            socket.flush()
            return
        socket.write(b"ok\n")
        socket.flush()
        self.commandReceived.emit(command)
