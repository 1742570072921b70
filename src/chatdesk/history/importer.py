"""Import a file of chats: a ChatGPT export (the zip or its ``conversations.json``), a Claude
export (the zip or its ``conversations.json``) or chatdesk's own JSON export.

The file is read as a stream (memory stays that of the largest conversation), each
conversation is written in its own transaction, and conversations already imported are
counted, not added. A file that turns out to be broken part-way (cut short, invalid JSON) is
taken back as a whole: nothing of it stays. Cancelling keeps the conversations already written
(importing the file again adds only the rest).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from chatdesk.attachments.factory import attachments_dir
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.history import chatgpt, claude, native
from chatdesk.history.database import open_database
from chatdesk.history.json_stream import JsonArrayReader, JsonShapeError
from chatdesk.history.model import (
    ImportedConversation,
    ImportedFile,
    ImportError_,
    ImportReport,
    Skip,
    Skipped,
)
from chatdesk.history.writer import ConversationWriter

__all__ = ["MAX_IMAGE_BYTES", "ImportError_", "ImportProgress", "import_file"]

#: Images inside an export zip larger than this are left out.
MAX_IMAGE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far an import has got."""

    conversations: int
    messages: int
    bytes_read: int
    total_bytes: int
    started: float

    def rate(self, now: float) -> float:
        """Conversations per second so far."""
        elapsed = now - self.started
        return self.conversations / elapsed if elapsed > 0 else 0.0


class _ZipFiles:
    """The files of an export zip, found by the id an export's message gives them."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._names = [
            info
            for info in archive.infolist()
            if not info.is_dir() and "/" not in info.filename.strip("/").split("/")[-1]
        ]

    def __call__(self, file_id: str) -> ImportedFile | None:
        if not file_id:
            return None
        for info in self._names:
            base = info.filename.rsplit("/", 1)[-1]
            if base.startswith(file_id) and not base.endswith(".json"):
                if info.file_size > MAX_IMAGE_BYTES:
                    return None
                try:
                    data = self._archive.read(info)
                except (zipfile.BadZipFile, OSError, EOFError):
                    return None
                name = base[len(file_id) :].lstrip("-_") or base
                return ImportedFile(name, "", data, len(data))
        return None


@contextlib.contextmanager
def _open_export(
    path: Path,
) -> Iterator[tuple[IO[bytes], int, Callable[[str], ImportedFile | None] | None]]:
    """The JSON stream of ``path``, its size in bytes and the zip's file lookup (if a zip)."""
    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as exc:
        raise ImportError_(f"Could not read {path}: {exc.strerror or exc}.") from exc
    if not is_zip:
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise ImportError_(f"Could not read {path}: {exc.strerror or exc}.") from exc
        with handle:
            head = handle.read(4096)
            if head[:2] == b"PK":
                raise ImportError_(f"{path} is a damaged or cut-short zip file.")
            if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"[", b"{"):
                raise ImportError_(f"{path} is not a chat export: expected a zip or a JSON file.")
            handle.seek(0)
            yield handle, path.stat().st_size, None
        return
    try:
        archive = zipfile.ZipFile(path)
        members = [
            i for i in archive.infolist() if i.filename.rsplit("/", 1)[-1] == "conversations.json"
        ]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportError_(f"{path} is a damaged or cut-short zip file ({exc}).") from exc
    with archive:
        if not members:
            raise ImportError_(
                f"{path} has no conversations.json: it is not a ChatGPT or Claude export."
            )
        member = min(members, key=lambda i: len(i.filename))
        try:
            stream = archive.open(member)
        except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
            raise ImportError_(f"{path} is a damaged zip file ({exc}).") from exc
        with stream:
            yield stream, member.file_size, _ZipFiles(archive)


def _converter(
    path: Path,
    reader: JsonArrayReader,
    first: Any,
    files: Callable[[str], ImportedFile | None] | None,
) -> tuple[str, Callable[[Any], ImportedConversation]]:
    if reader.opening == "{":
        return native.check_header(path, reader.header), native.convert
    if chatgpt.looks_like(first):
        return "ChatGPT", lambda raw: chatgpt.convert(raw, files)
    if claude.looks_like(first):
        return "Claude", claude.convert
    raise ImportError_(
        f"{path} is JSON of another shape: its entries are not ChatGPT or Claude conversations."
    )


def _title(raw: Any) -> str:
    if isinstance(raw, dict):
        for key in ("title", "name"):
            if isinstance(raw.get(key), str) and raw[key].strip():
                return str(raw[key]).strip()
    return "(untitled)"


def import_file(
    db_path: Path,
    path: Path,
    *,
    progress: Callable[[ImportProgress], None] | None = None,
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.time,
) -> ImportReport:
    """Import every conversation of ``path`` into the database at ``db_path``.

    Raises ``ImportError_`` (naming the file) when the file cannot be imported; nothing of it
    is kept then. Conversations that cannot be imported are listed in the report's ``skipped``.
    """
    report = ImportReport(path=str(path))
    with contextlib.ExitStack() as stack:
        stream, total, files = stack.enter_context(_open_export(path))
        reader = JsonArrayReader(stream, array_key="conversations")
        convert: Callable[[Any], ImportedConversation] | None = None
        items: Iterable[Any] = reader
        try:
            if reader.start() == "{" and reader.whole and chatgpt.looks_like(reader.header):
                items = [reader.header]  # one conversation, as the API returns it
                report.format, convert = "ChatGPT", lambda raw: chatgpt.convert(raw, files)
            elif reader.opening == "{":  # checked before the database is touched
                if reader.whole and "format" not in reader.header:
                    raise ImportError_(
                        f"{path} is JSON of another shape: it is not a ChatGPT, Claude or "
                        "chatdesk export."
                    )
                report.format, convert = native.check_header(path, reader.header), native.convert
        except JsonShapeError as exc:
            raise ImportError_(f"Could not import {path}: {exc}.") from exc
        conn = open_database(db_path)
        stack.callback(conn.close)
        writer = ConversationWriter(
            conn, LocalBlobStore(attachments_dir(db_path.parent)), clock=clock
        )
        try:
            _run(path, reader, items, convert, (total, files), writer, report, progress, cancel)
        except (
            ImportError_,
            JsonShapeError,
            sqlite3.Error,
            OSError,
            zipfile.BadZipFile,
            EOFError,
        ) as exc:
            _take_back(conn, report)
            if isinstance(exc, ImportError_):
                raise
            reason = str(exc) if isinstance(exc, JsonShapeError) else f"{type(exc).__name__}: {exc}"
            raise ImportError_(
                f"Could not import {path}: {reason}. Nothing of it was kept."
            ) from exc
    return report


def _run(
    path: Path,
    reader: JsonArrayReader,
    items: Iterable[Any],
    convert: Callable[[Any], ImportedConversation] | None,
    source: tuple[int, Callable[[str], ImportedFile | None] | None],
    writer: ConversationWriter,
    report: ImportReport,
    progress: Callable[[ImportProgress], None] | None,
    cancel: threading.Event | None,
) -> None:
    started = time.monotonic()
    total, files = source
    for raw in items:
        if convert is None:
            report.format, convert = _converter(path, reader, raw, files)
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            return
        try:
            conversation = convert(raw)
            if writer.already_imported(conversation):
                report.already += 1
            else:
                written = writer.write(conversation)
                report.imported += 1
                report.messages += written.messages
                report.files += written.files
                report.conversation_ids.append(written.conversation_id)
        except Skip as exc:
            report.skipped.append(Skipped(_title(raw), str(exc)))
        if progress is not None:
            done = report.imported + report.already + len(report.skipped)
            read = min(reader.bytes_read, total)
            progress(ImportProgress(done, report.messages, read, total, started))


def _take_back(conn: sqlite3.Connection, report: ImportReport) -> None:
    """Delete what this import wrote (the file turned out to be broken)."""
    ids = report.conversation_ids
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        with contextlib.suppress(sqlite3.Error):
            conn.execute(
                f"DELETE FROM conversations WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            )
    report.conversation_ids = []
    report.imported = report.messages = report.files = 0
