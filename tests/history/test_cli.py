"""``chatdesk import|export|backup|restore`` as a user runs them: a real process, with
CHATDESK_DATA_DIR, exit status and a one-line reason on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from samples import write_chatgpt_zip

from chatdesk.history.backups import inspect_backup


def chatdesk(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHATDESK_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "chatdesk", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_import_export_backup_restore_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    export = write_chatgpt_zip(tmp_path / "chatgpt.zip")

    first = chatdesk("import", str(export), data_dir=data)
    assert first.returncode == 0, first.stderr
    assert "(ChatGPT): Imported 3 chats with 20 messages, 1 file." in first.stdout
    again = chatdesk("import", str(export), data_dir=data)
    assert "Imported 0 chats with 0 messages, 3 already here." in again.stdout

    out = tmp_path / "out"
    html = chatdesk("export", "--format", "html", "--out", str(out), "--chat", "1", data_dir=data)
    assert html.returncode == 0, html.stderr
    assert [p.suffix for p in out.iterdir()] == [".html"]
    everything = chatdesk("export", "--format", "json", "--out", str(out), data_dir=data)
    assert everything.returncode == 0 and "Exported 3 chats to 1 file" in everything.stdout

    backup = chatdesk("backup", "--out", str(tmp_path / "b.db"), data_dir=data)
    assert backup.returncode == 0 and inspect_backup(tmp_path / "b.db").chats == 3

    unconfirmed = chatdesk("restore", str(tmp_path / "b.db"), data_dir=data)
    assert unconfirmed.returncode == 2 and "add --yes" in unconfirmed.stderr
    restored = chatdesk("restore", str(tmp_path / "b.db"), "--yes", data_dir=data)
    assert restored.returncode == 0 and "Restored 3 chats" in restored.stdout


def test_failures_say_which_file_and_why_on_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    notes = tmp_path / "notes.txt"
    notes.write_text("not an export")

    failed = chatdesk("import", str(notes), data_dir=data)
    assert failed.returncode == 1
    assert failed.stderr.strip().count("\n") == 0
    assert str(notes) in failed.stderr and "not a chat export" in failed.stderr

    bad_backup = chatdesk("restore", str(notes), "--yes", data_dir=data)
    assert bad_backup.returncode == 1 and str(notes) in bad_backup.stderr

    no_chats = chatdesk("export", "--format", "md", "--out", str(tmp_path / "o"), data_dir=data)
    assert no_chats.returncode == 1 and "no chat" in no_chats.stderr.lower()

    usage = chatdesk("export", "--format", "pdf", "--out", "x", data_dir=data)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
