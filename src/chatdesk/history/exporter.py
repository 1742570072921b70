"""Export chats from the database: Markdown or HTML (one file per chat) or JSON (one lossless
file, ``docs/export-format.md``). Files are written whole or not at all (``.partial``, then
renamed)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from chatdesk import __version__
from chatdesk.attachments.factory import attachments_dir
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.errors import ChatdeskError
from chatdesk.history import native
from chatdesk.history.database import open_database
from chatdesk.history.html_export import to_html
from chatdesk.history.markdown_export import to_markdown
from chatdesk.history.model import count
from chatdesk.history.paths_out import chat_file_name, unique_path
from chatdesk.history.reading import ExportedChat, chat_ids, read_chats
from chatdesk.history.writer import database_id

__all__ = ["FORMATS", "ExportError", "ExportReport", "Format", "export_chats", "write_json"]

Format = Literal["md", "html", "json"]
FORMATS: tuple[Format, ...] = ("md", "html", "json")


class ExportError(ChatdeskError):
    """The export could not be written; the message names the file or folder."""


@dataclass(slots=True)
class ExportReport:
    """What an export wrote."""

    files: list[Path] = field(default_factory=list)
    chats: int = 0
    cancelled: bool = False

    def summary(self) -> str:
        where = self.files[0].parent if self.files else ""
        text = (
            f"Exported {count(self.chats, 'chat')} to {count(len(self.files), 'file')} in {where}"
        )
        return text + (" (cancelled)." if self.cancelled else ".")


def _header(origin: str, include_files: bool) -> dict[str, object]:
    return {
        "format": native.FORMAT,
        "version": native.VERSION,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "app_version": __version__,
        "database_id": origin,
        "files_included": include_files,
    }


def write_json(
    out: IO[str],
    chats: Iterable[ExportedChat],
    header: dict[str, object],
    *,
    on_chat: Callable[[], bool] | None = None,
) -> int:
    """Stream the JSON export: the header's keys, then ``conversations`` one by one.
    ``on_chat`` runs after each and returns False to stop. Returns how many were written."""
    out.write("{\n")
    for key, value in header.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write('"conversations": [')
    count = 0
    for chat in chats:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(chat, ensure_ascii=False, separators=(",", ":")))
        count += 1
        if on_chat is not None and not on_chat():
            break
    out.write("\n]}\n")
    return count


def export_chats(
    db_path: Path,
    out_dir: Path,
    fmt: Format,
    ids: Sequence[int] | None = None,
    *,
    dark: bool = False,
    include_files: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Export the chats ``ids`` (all when None) into ``out_dir`` as ``fmt``."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}: use md, html or json.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Could not create the folder {out_dir}: {exc.strerror or exc}.") from exc
    conn = open_database(db_path, create=False)
    report = ExportReport()
    try:
        wanted = chat_ids(conn, ids)
        if not wanted and ids is None:
            raise ExportError(f"There are no chats to export in {db_path}.")
        if ids is not None and len(wanted) < len(set(ids)):
            missing = sorted(set(ids) - set(wanted))
            raise ExportError(f"There is no chat with id {', '.join(map(str, missing))}.")
        origin = database_id(conn)
        blobs = LocalBlobStore(attachments_dir(db_path.parent))
        with_files = fmt == "html" or include_files
        chats = read_chats(conn, wanted, origin=origin, blobs=blobs if with_files else None)

        def step() -> bool:
            report.chats += 1
            if progress is not None:
                progress(report.chats, len(wanted))
            stopped = cancel is not None and cancel.is_set()
            report.cancelled = stopped
            return not stopped

        if fmt == "json":
            name = (
                chat_file_name(*_title_and_date(conn, wanted[0]), ".json")
                if len(wanted) == 1
                else time.strftime("chatdesk-export-%Y%m%d-%H%M%S.json")
            )
            target = unique_path(out_dir, name)
            _atomic(
                target, lambda f: write_json(f, chats, _header(origin, include_files), on_chat=step)
            )
            report.files.append(target)
        else:

            def render(chat: ExportedChat) -> str:
                return to_markdown(chat) if fmt == "md" else to_html(chat, dark=dark)

            for chat in chats:
                target = unique_path(
                    out_dir, chat_file_name(chat["title"], chat["created_at"], f".{fmt}")
                )
                text = render(chat)
                _atomic(target, _writer(text))
                report.files.append(target)
                if not step():
                    break
    finally:
        conn.close()
    return report


def _writer(text: str) -> Callable[[IO[str]], object]:
    return lambda handle: handle.write(text)


def _title_and_date(conn: sqlite3.Connection, conversation_id: int) -> tuple[str, float]:
    row = conn.execute(
        "SELECT title, created_at FROM conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    return (str(row[0]), float(row[1])) if row else ("chat", time.time())


def _atomic(target: Path, write: Callable[[IO[str]], object]) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as handle:
            write(handle)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"Could not write {target}: {exc.strerror or exc}.") from exc
