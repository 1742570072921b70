"""LocalBlobStore: content-addressed files under ``<data dir>/attachments``.

Key ``ab/<sha256>.<ext>``: one file per distinct content (sha256 de-duplication), written
atomically (temp file, fsync, rename) and made read-only, so opening it from the chat cannot
change it. Blocking file work runs in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import tempfile
from pathlib import Path

from chatdesk.attachments.blobstore import blob_name, is_blob_name
from chatdesk.attachments.errors import BlobStoreError

log = logging.getLogger(__name__)


class LocalBlobStore:
    """Blobs as files in ``root``."""

    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def key_for(self, sha256: str, ext: str) -> str:
        name = blob_name(sha256, ext)
        return f"{name[:2]}/{name}"

    def path(self, key: str) -> Path:
        """The file of ``key`` (checked: a key from the database never leaves ``root``)."""
        folder, _, name = key.partition("/")
        if not is_blob_name(name) or folder != name[:2]:
            raise BlobStoreError(f"An attachment has an invalid storage key ({key!r}).")
        return self.root / folder / name

    async def put(self, key: str, data: bytes, mime_type: str) -> bool:
        target = self.path(key)
        try:
            return await asyncio.to_thread(_write_once, target, data)
        except OSError as exc:
            raise BlobStoreError(
                f"Could not save the attachment in {self.root}: {exc.strerror or exc}.",
                detail=repr(exc),
            ) from exc

    def put_now(self, key: str, data: bytes) -> bool:
        """``put`` for a worker thread (an import): blocks; raises ``OSError``."""
        return _write_once(self.path(key), data)

    async def get(self, key: str) -> bytes:
        target = self.path(key)
        try:
            return await asyncio.to_thread(target.read_bytes)
        except FileNotFoundError:
            raise BlobStoreError(
                f"The attachment file {target} is missing (it was deleted outside chatdesk)."
            ) from None
        except OSError as exc:
            raise BlobStoreError(
                f"Could not read the attachment file {target}: {exc.strerror or exc}.",
                detail=repr(exc),
            ) from exc

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    async def delete(self, key: str) -> None:
        target = self.path(key)
        try:
            await asyncio.to_thread(_remove, target)
        except OSError as exc:
            raise BlobStoreError(
                f"Could not delete the attachment file {target}: {exc.strerror or exc}.",
                detail=repr(exc),
            ) from exc

    async def signed_url(self, key: str, ttl_s: int) -> str | None:
        return None


def _write_once(target: Path, data: bytes) -> bool:
    if target.is_file() and target.stat().st_size == len(data):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
        if target.exists():  # a damaged copy: Windows cannot replace a read-only file
            _make_writable(target)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True


def _make_writable(target: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(target, stat.S_IRUSR | stat.S_IWUSR)


def _remove(target: Path) -> None:
    if os.name == "nt":
        _make_writable(target)
    try:
        target.unlink()
    except FileNotFoundError:
        return
    with contextlib.suppress(OSError):  # only when empty
        target.parent.rmdir()
