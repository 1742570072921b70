"""Read the elements of a big JSON array one at a time, in memory bounded by the largest element.

Real exports are one JSON array (ChatGPT's and Claude's ``conversations.json``) or an object
whose last key holds the array (chatdesk's own JSON). ``JsonArrayReader`` decodes the array's
elements with ``json.JSONDecoder.raw_decode`` as bytes arrive, so a 5 GB file takes the memory
of its largest conversation. Text must be UTF-8 (a BOM is allowed).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["MAX_ELEMENT_CHARS", "JsonArrayReader", "JsonShapeError"]

#: One array element may not be bigger than this (characters).
MAX_ELEMENT_CHARS = 256 * 1024 * 1024
_CHUNK = 256 * 1024
_WHITESPACE = " \t\n\r"


class JsonShapeError(ValueError):
    """The bytes are not JSON of the expected shape; ``str()`` says what is wrong and where."""


class JsonArrayReader:
    """Iterate over the elements of the top-level array of ``stream``, or of the array under
    the top-level object's ``array_key`` (the keys before it are kept in ``header``)."""

    def __init__(self, stream: IO[bytes], *, array_key: str | None = None) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self._json = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._bytes_read = 0
        self._array_key = array_key
        #: The top-level object's keys read before the array (only with ``array_key``).
        self.header: dict[str, Any] = {}
        #: How many array elements were read.
        self.count = 0
        #: The document is an object without ``array_key``: ``header`` holds all of it.
        self.whole = False
        #: The first non-space character of the document ("[" or "{"), once known.
        self.opening = ""

    @property
    def bytes_read(self) -> int:
        """How many bytes of the stream were consumed so far."""
        return self._bytes_read

    # -- reading -----------------------------------------------------------------------------

    def _more(self, size: int = _CHUNK) -> bool:
        if self._eof:
            return False
        data = self._stream.read(max(size, _CHUNK))
        self._bytes_read += len(data)
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            offset = self._bytes_read - len(data) + exc.start
            raise JsonShapeError(f"it is not UTF-8 text (bad byte at offset {offset})") from None
        if not data:
            self._eof = True
        if self._pos > _CHUNK // 2:
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf += text
        return bool(data) or bool(text)

    def _peek(self) -> str:
        """The next non-space character ("" at the end), without consuming it."""
        while True:
            buf, pos = self._buf, self._pos
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            self._pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self._more():
                return ""

    def _expect(self, chars: str, what: str) -> str:
        found = self._peek()
        if not found or found not in chars:
            shown = repr(found) if found else "the end of the file"
            raise JsonShapeError(f"expected {what} but found {shown} (the file may be cut short)")
        self._pos += 1
        return found

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._json.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                pending = len(self._buf) - self._pos
                if pending > MAX_ELEMENT_CHARS:
                    raise JsonShapeError(
                        f"one entry is larger than {MAX_ELEMENT_CHARS // (1 << 20)} MB"
                    ) from None
                if self._more(pending):  # the entry may go on in the bytes not read yet
                    continue
                if exc.pos >= len(self._buf) - 1 or "Unterminated" in exc.msg:
                    raise JsonShapeError("it ends in the middle of an entry (cut short?)") from None
                raise JsonShapeError(f"invalid JSON in entry {self.count + 1}: {exc.msg}") from None
            # A number at the very end of the buffer may continue in the next chunk.
            if end >= len(self._buf) and not self._eof and self._more():
                continue
            self._pos = end
            return value

    # -- the document ------------------------------------------------------------------------

    def start(self) -> str:
        """Read up to the first element; returns "[" or "{" (the document's opening)."""
        if self.opening:
            return self.opening
        self.opening = self._expect("[{", "a JSON array or object")
        if self.opening == "{" and self._array_key is None:
            raise JsonShapeError("it is a JSON object, not a list")
        if self.opening == "{":
            self._read_header()
        return self.opening

    def _read_header(self) -> None:
        if self._peek() == "}":
            raise JsonShapeError("it is an empty JSON object")
        while True:
            key = self._value()
            if not isinstance(key, str):
                raise JsonShapeError("invalid JSON object")
            self._expect(":", "':'")
            if key == self._array_key:
                self._expect("[", f"a list under {key!r}")
                return
            self.header[key] = self._value()
            if self._expect(",}", "',' or '}'") == "}":
                self.whole = True  # an object without the list: ``header`` is all of it
                return

    def __iter__(self) -> Iterator[Any]:
        self.start()
        if self.whole:
            if self._peek():
                raise JsonShapeError("there is more data after the end of the JSON document")
            return
        if self._peek() == "]":
            self._pos += 1
        else:
            while True:
                value = self._value()
                self.count += 1
                yield value
                if self._expect(",]", "',' or ']'") == "]":
                    break
        if self.opening == "{":
            self._trailing_keys()
        if self._peek():
            raise JsonShapeError("there is more data after the end of the JSON document")

    def _trailing_keys(self) -> None:
        while self._expect(",}", "',' or '}'") == ",":
            key = self._value()
            self._expect(":", "':'")
            self.header[str(key)] = self._value()
