"""``chatdesk import|export|backup|restore``: the history tools from a terminal.

They work whether or not the app is running (the database is in WAL mode; the running app
notices the change and refreshes its sidebar) and honour ``CHATDESK_DATA_DIR``. Exit status 0
on success; otherwise 1 with a one-line reason on stderr naming the file (2 for a usage error).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from chatdesk import paths
from chatdesk.errors import ChatdeskError

__all__ = ["COMMANDS", "run"]

COMMANDS = ("import", "export", "backup", "restore")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatdesk",
        description="Import, export, back up and restore your chats.",
        epilog="The data dir is $CHATDESK_DATA_DIR, or the platform's default.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser(
        "import", help="import a ChatGPT export (zip or JSON), a Claude export or chatdesk JSON"
    )
    importing.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    exporting = commands.add_parser("export", help="export chats as Markdown, HTML or JSON")
    exporting.add_argument("--format", choices=("md", "html", "json"), required=True)
    exporting.add_argument("--out", type=Path, required=True, metavar="DIR")
    exporting.add_argument(
        "--chat", type=int, action="append", metavar="ID", help="a chat's id (all chats if none)"
    )
    exporting.add_argument("--dark", action="store_true", help="HTML in the dark theme")
    exporting.add_argument(
        "--with-files", action="store_true", help="JSON: include the attached files' bytes"
    )
    backup = commands.add_parser("backup", help="back up the chat database")
    backup.add_argument(
        "--out", type=Path, metavar="FILE", help="default: backups/ in the data dir"
    )
    restore = commands.add_parser("restore", help="replace every chat with a backup's")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def run(argv: Sequence[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one history command (``argv`` starts with the command's name); the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse printed the usage error
        return int(exc.code or 0)
    db_path = paths.database_file(paths.data_dir())
    try:
        if args.command == "import":
            return _import(db_path, args.paths, out, err)
        if args.command == "export":
            from chatdesk.history.exporter import export_chats

            report = export_chats(
                db_path,
                args.out,
                args.format,
                args.chat,
                dark=args.dark,
                include_files=args.with_files,
            )
            for path in report.files:
                print(path, file=out)
            print(report.summary(), file=out)
            return 0
        if args.command == "backup":
            from chatdesk.history.backups import make_backup

            print(make_backup(db_path, args.out.resolve() if args.out else None), file=out)
            return 0
        return _restore(db_path, args.file, args.yes, out, err)
    except ChatdeskError as exc:
        print(f"chatdesk {args.command}: {exc.user_message}", file=err)
        return 1
    except KeyboardInterrupt:
        print(f"chatdesk {args.command}: interrupted.", file=err)
        return 130


def _import(db_path: Path, files: Sequence[Path], out: TextIO, err: TextIO) -> int:
    from chatdesk.history.importer import import_file

    status = 0
    for path in files:
        started = time.monotonic()
        try:
            report = import_file(db_path, path)
        except ChatdeskError as exc:
            print(f"chatdesk import: {exc.user_message}", file=err)
            status = 1
            continue
        took = time.monotonic() - started
        print(f"{path} ({report.format}): {report.summary()} [{took:.1f} s]", file=out)
        for skipped in report.skipped:
            print(f"  skipped “{skipped.title}”: {skipped.reason}", file=out)
    return status


def _restore(db_path: Path, backup: Path, yes: bool, out: TextIO, err: TextIO) -> int:
    from chatdesk.history.backups import inspect_backup, restore_backup

    info = inspect_backup(backup)
    if not yes:
        if not sys.stdin.isatty():
            print(
                f"chatdesk restore: {backup} holds {info.chats} chats; add --yes to replace "
                f"every chat in {db_path} with them.",
                file=err,
            )
            return 2
        answer = input(
            f"Replace every chat in {db_path} with the {info.chats} chats "
            f"({info.messages} messages) of {backup}? [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was changed.", file=out)
            return 1
    safety = restore_backup(db_path, backup)
    print(
        f"Restored {info.chats} chats from {backup}; the replaced chats are in {safety}.", file=out
    )
    return 0
