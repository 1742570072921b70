"""Backups in the user's own bucket (a real GCS emulator): another machine restores them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from samples import claude_conversations, write_json

from chatdesk.history.backups import inspect_backup, make_backup, restore_backup
from chatdesk.history.cloud_backup import download_backup, list_cloud_backups, upload_backup
from chatdesk.history.importer import import_file
from chatdesk.settings import Settings
from fakes.gcs import GcsEmulator


@pytest.fixture(scope="module")
def gcs() -> Iterator[GcsEmulator]:
    with GcsEmulator(bucket="chatdesk-backups") as emulator:
        yield emulator


def test_a_backup_uploaded_here_restores_on_another_machine(
    gcs: GcsEmulator, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.host)
    settings = Settings().replace(
        attachments_gcs_bucket="chatdesk-backups", attachments_gcs_prefix="me/"
    )
    here = data_dir / "chatdesk.db"
    import_file(here, write_json(tmp_path / "c.json", claude_conversations()))
    backup = make_backup(here, kind="daily")

    name = upload_backup(backup, settings)

    assert name == f"backups/{backup.name}"
    assert gcs.object_names() == [f"me/backups/{backup.name}"]
    listed = list_cloud_backups(settings)
    assert listed == [(backup.name, backup.stat().st_size)]

    other = tmp_path / "other-machine"
    other.mkdir()
    fetched = download_backup(backup.name, other / backup.name, settings)
    assert inspect_backup(fetched).chats == 2
    restore_backup(other / "chatdesk.db", fetched)
    assert inspect_backup(other / "chatdesk.db").chats == 2
