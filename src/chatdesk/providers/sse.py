"""Incremental Server-Sent Events decoder (bytes in, events out).

Follows the WHATWG event-stream rules that matter for chat APIs: ``:`` comment lines are
skipped (OpenRouter's ``: OPENROUTER PROCESSING`` keep-alives), several ``data:`` lines of one
event are joined with ``\\n``, ``event:``/``id:``/``retry:`` are kept, a blank line dispatches,
lines may end in CRLF, LF or CR (also split across reads), and ``finish()`` dispatches a last
event that had no trailing blank line. This is the streaming hot path, so ``feed`` works on
whole byte chunks with ``bytes.split`` and allocates one small object per event.
"""

from __future__ import annotations

from typing import Final

#: The data payload OpenAI-compatible servers send as the last event of a stream.
DONE: Final = "[DONE]"


class SSEEvent:
    """One dispatched event. ``data`` is the joined data lines; ``event`` defaults to message."""

    __slots__ = ("data", "event", "id", "retry")

    def __init__(
        self, data: str, event: str = "message", id: str | None = None, retry: int | None = None
    ) -> None:
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry

    @property
    def is_done(self) -> bool:
        """True for the ``data: [DONE]`` sentinel."""
        return self.data == DONE

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SSEEvent):
            return NotImplemented
        return (self.data, self.event, self.id, self.retry) == (
            other.data,
            other.event,
            other.id,
            other.retry,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SSEEvent(data={self.data!r}, event={self.event!r}, id={self.id!r})"


class SSEDecoder:
    """Turns a byte stream into :class:`SSEEvent` objects; feed chunks as they arrive."""

    __slots__ = ("_buf", "_data", "_event", "_last_id", "_retry", "_skip_lf")

    def __init__(self) -> None:
        self._buf = b""
        self._skip_lf = False
        self._data: list[bytes] = []
        self._event: str | None = None
        self._last_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode ``chunk``; returns the events it completed (often one, sometimes none)."""
        if self._skip_lf:
            # The previous chunk ended in CR: a LF starting this one belongs to that CRLF.
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._skip_lf = chunk[-1:] == b"\r"
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if self._buf:
            chunk = self._buf + chunk
        lines = chunk.split(b"\n")
        self._buf = lines.pop()
        if (
            len(lines) == 2
            and not lines[1]
            and not self._data
            and self._event is None
            and lines[0][:6] == b"data: "
        ):
            # Fast path: exactly one complete single-line "data: ..." event.
            event = SSEEvent(lines[0][6:].decode(), "message", self._last_id, self._retry)
            self._retry = None
            return [event]
        events: list[SSEEvent] = []
        for line in lines:
            self._line(line, events)
        return events

    def finish(self) -> list[SSEEvent]:
        """Flush at end of stream: dispatches an event left without a trailing blank line."""
        events: list[SSEEvent] = []
        if self._buf:
            self._line(self._buf, events)
            self._buf = b""
        self._line(b"", events)
        return events

    def _line(self, line: bytes, events: list[SSEEvent]) -> None:
        if not line:
            if self._data:
                data = b"\n".join(self._data) if len(self._data) > 1 else self._data[0]
                events.append(
                    SSEEvent(data.decode(), self._event or "message", self._last_id, self._retry)
                )
                self._data = []
            self._event = None
            self._retry = None
            return
        if line[0] == 0x3A:  # ":" comment / keep-alive
            return
        name, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value)
        elif name == b"event":
            self._event = value.decode()
        elif name == b"id":
            if b"\0" not in value:
                self._last_id = value.decode()
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)
        # Unknown fields are ignored, as the spec says.
