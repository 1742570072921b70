"""The blob-store interface: content-addressed bytes, local or in a Google Cloud Storage bucket.

A blob's key is derived from its sha256 and the extension of its type, so the same bytes are
stored once however often they are attached. Keys come back from the database, so stores
check them before touching a path or an object name.
"""

from __future__ import annotations

import re
from typing import Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_BLOB_NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")


class BlobStore(Protocol):
    """Where attachment bytes live. Every method may raise ``BlobStoreError``."""

    #: "local" or "gcs": recorded in each row, so old rows find their store.
    backend: str

    def key_for(self, sha256: str, ext: str) -> str:
        """The key bytes with this hash and extension are (or will be) stored under."""
        ...

    async def put(self, key: str, data: bytes, mime_type: str) -> bool:
        """Store ``data`` under ``key`` unless it is there already; True when it was written."""
        ...

    async def get(self, key: str) -> bytes:
        """The bytes; raises ``BlobStoreError`` when the blob is missing."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the blob; a missing blob is not an error."""
        ...

    async def signed_url(self, key: str, ttl_s: int) -> str | None:
        """A URL a model can fetch for ``ttl_s`` seconds; None when the store has none
        (local files go to the model as data: URLs)."""
        ...


def blob_name(sha256: str, ext: str) -> str:
    """``<sha256><ext>``, checked (lower-case hex, a short alphanumeric extension)."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    name = f"{sha256}{ext.lower()}"
    if not _BLOB_NAME.match(name):
        raise ValueError(f"bad blob extension: {ext!r}")
    return name


def is_blob_name(name: str) -> bool:
    return bool(_BLOB_NAME.match(name))
