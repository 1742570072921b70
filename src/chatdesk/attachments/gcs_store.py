"""GcsBlobStore: attachments in the user's own Google Cloud Storage bucket.

Objects are written without an ACL, so they stay as private as the bucket (chatdesk never
makes them public); models get V4 signed URLs instead. Credentials: the service-account JSON
named by GOOGLE_APPLICATION_CREDENTIALS (it also signs the URLs), else Google's application
default credentials (which can read and write but usually cannot sign). With
STORAGE_EMULATOR_HOST the client talks to that emulator anonymously, and the key file (if
any) still signs. google-cloud-storage is blocking: every call runs in a worker thread, one
at a time, so the event loop never waits on the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from chatdesk.attachments.blobstore import blob_name, is_blob_name
from chatdesk.attachments.errors import BlobStoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"
NO_SIGNER = (
    "Google Cloud Storage needs a service-account key to sign the links a model reads "
    "attachments from: set GOOGLE_APPLICATION_CREDENTIALS to the service account's JSON key "
    "file and restart chatdesk."
)


class GcsBlobStore:
    """Blobs as objects ``<prefix><sha256>.<ext>`` in one bucket."""

    backend = "gcs"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        credentials_file: str = "",
        emulator_host: str = "",
        project: str | None = None,
        timeout_s: float = 60.0,
        retry_timeout_s: float = 20.0,
    ) -> None:
        self.bucket_name = bucket
        self.prefix = prefix
        self._credentials_file = credentials_file
        self._emulator_host = emulator_host
        self._project = project
        self._timeout = timeout_s
        self._retry_timeout = retry_timeout_s
        self._lock = threading.Lock()
        self._client: Any = None
        self._bucket: Any = None
        self._signer: Any = None
        self._retry: Any = None

    # --- keys -----------------------------------------------------------------------------

    def key_for(self, sha256: str, ext: str) -> str:
        return self.prefix + blob_name(sha256, ext)

    def _check_key(self, key: str) -> str:
        if not key.startswith(self.prefix) or not is_blob_name(key[len(self.prefix) :]):
            raise BlobStoreError(
                f"An attachment's object name ({key!r}) does not belong to "
                f"gs://{self.bucket_name}/{self.prefix}."
            )
        return key

    # --- the blocking side ----------------------------------------------------------------

    def _connect(self) -> None:
        """Build the client once (reading credentials may touch the disk or the network)."""
        if self._bucket is not None:
            return
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage
        from google.cloud.storage.retry import DEFAULT_RETRY

        credentials: Any = None
        project = self._project
        if self._credentials_file:
            credentials, file_project = _load_key(self._credentials_file)
            project = project or file_project
        if self._emulator_host:
            client = storage.Client(
                project=project or "chatdesk",
                credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                client_options={"api_endpoint": self._emulator_host},
            )
        elif credentials is not None:
            client = storage.Client(project=project, credentials=credentials)
        else:
            client = storage.Client(project=project)
            credentials = client._credentials
        self._signer = credentials
        self._retry = DEFAULT_RETRY.with_timeout(self._retry_timeout)
        self._client = client
        self._bucket = client.bucket(self.bucket_name)

    def _blob(self, key: str) -> Any:
        self._connect()
        return self._bucket.blob(self._check_key(key))

    def _run(self, action: str, fn: Callable[[], T]) -> T:
        with self._lock, _gcs_errors(action, self.bucket_name):
            return fn()

    async def _call(self, action: str, fn: Callable[[], T]) -> T:
        return await asyncio.to_thread(self._run, action, fn)

    # --- whole files (backups), blocking: for a worker thread ------------------------------

    def upload_file(self, name: str, path: Path) -> None:
        """Upload ``path`` as the object ``<prefix>/<name>``."""

        def op() -> None:
            self._connect()
            blob = self._bucket.blob(self._full_name(name))
            blob.upload_from_filename(str(path), timeout=max(self._timeout, 600))

        self._run(f"upload {path.name}", op)

    def list_files(self, folder: str) -> list[tuple[str, int]]:
        """Names (below ``<prefix>/<folder>/``) and sizes of the objects there."""

        def op() -> list[tuple[str, int]]:
            self._connect()
            start = self._full_name(folder.strip("/") + "/")
            blobs = self._client.list_blobs(self._bucket, prefix=start, timeout=self._timeout)
            return [(b.name[len(start) :], int(b.size or 0)) for b in blobs]

        return self._run("list the backups", op)

    def download_file(self, name: str, path: Path) -> None:
        """Download the object ``<prefix>/<name>`` to ``path``."""

        def op() -> None:
            self._connect()
            blob = self._bucket.blob(self._full_name(name))
            blob.download_to_filename(str(path), timeout=max(self._timeout, 600))

        self._run(f"download {name}", op)

    def _full_name(self, name: str) -> str:
        return f"{self.prefix.strip('/')}/{name}" if self.prefix.strip("/") else name

    # --- BlobStore ------------------------------------------------------------------------

    async def put(self, key: str, data: bytes, mime_type: str) -> bool:
        def op() -> bool:
            blob = self._blob(key)
            if blob.exists(timeout=self._timeout, retry=self._retry):
                return False
            blob.upload_from_string(data, content_type=mime_type, timeout=self._timeout)
            return True

        return await self._call("upload the attachment", op)

    async def get(self, key: str) -> bytes:
        def op() -> bytes:
            data = self._blob(key).download_as_bytes(timeout=self._timeout, retry=self._retry)
            return bytes(data)

        return await self._call("download the attachment", op)

    async def exists(self, key: str) -> bool:
        def op() -> bool:
            return bool(self._blob(key).exists(timeout=self._timeout, retry=self._retry))

        return await self._call("look for the attachment", op)

    async def delete(self, key: str) -> None:
        from google.api_core.exceptions import NotFound

        def op() -> None:
            with contextlib.suppress(NotFound):
                self._blob(key).delete(timeout=self._timeout, retry=self._retry)

        await self._call("delete the attachment", op)

    async def signed_url(self, key: str, ttl_s: int) -> str | None:
        def op() -> str:
            blob = self._blob(key)
            if not hasattr(self._signer, "sign_bytes"):
                raise BlobStoreError(NO_SIGNER)
            url = blob.generate_signed_url(
                version="v4",
                expiration=datetime.timedelta(seconds=ttl_s),
                method="GET",
                credentials=self._signer,
            )
            return str(url)

        return await self._call("sign a link to the attachment", op)

    async def check_bucket(self) -> None:
        """Raise ``BlobStoreError`` unless the bucket exists and can be reached."""

        def op() -> None:
            self._connect()
            if not self._bucket.exists(timeout=self._timeout, retry=self._retry):
                raise BlobStoreError(
                    f"The Google Cloud Storage bucket {self.bucket_name!r} does not exist "
                    "(or these credentials cannot see it)."
                )

        await self._call("check the bucket", op)


def _load_key(path: str) -> tuple[Any, str | None]:
    """Service-account credentials from a JSON key file (other credential types, which could
    make chatdesk run commands or call arbitrary URLs, are refused)."""
    from google.oauth2 import service_account

    try:
        with open(path, encoding="utf-8") as handle:
            info = json.load(handle)
    except (OSError, ValueError) as exc:
        raise BlobStoreError(
            f"Could not read the Google credentials file {path} (GOOGLE_APPLICATION_CREDENTIALS): "
            f"{getattr(exc, 'strerror', None) or exc}.",
            detail=repr(exc),
        ) from exc
    if not isinstance(info, dict) or info.get("type") != "service_account":
        kind = info.get("type") if isinstance(info, dict) else None
        raise BlobStoreError(
            f"The Google credentials file {path} is not a service-account key (its type is "
            f"{kind!r}). Create a JSON key for a service account and point "
            "GOOGLE_APPLICATION_CREDENTIALS at it."
        )
    try:
        credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=[SCOPE]
        )
    except (ValueError, KeyError) as exc:
        raise BlobStoreError(
            f"The service-account key {path} is damaged or incomplete ({exc}).", detail=repr(exc)
        ) from exc
    project = info.get("project_id")
    return credentials, str(project) if project else None


@contextlib.contextmanager
def _gcs_errors(action: str, bucket: str) -> Iterator[None]:
    """Turn google-cloud and transport exceptions into ``BlobStoreError`` for the user."""
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth
    from requests import exceptions as http

    where = f"Google Cloud Storage (bucket {bucket!r})"
    try:
        yield
    except BlobStoreError:
        raise
    except api.NotFound as exc:
        raise BlobStoreError(
            f"Could not {action}: {where} has no such object or bucket.", detail=repr(exc)
        ) from exc
    except (api.Forbidden, api.Unauthorized) as exc:
        raise BlobStoreError(
            f"Could not {action}: {where} refused access ({exc.message}). Check that the "
            "service account may read and write objects in the bucket.",
            detail=repr(exc),
        ) from exc
    except api.GoogleAPICallError as exc:
        raise BlobStoreError(
            f"Could not {action}: {where} answered {exc.code}: {exc.message}.", detail=repr(exc)
        ) from exc
    except auth.DefaultCredentialsError as exc:
        raise BlobStoreError(
            f"Could not {action}: no usable Google credentials ({exc}). Set "
            "GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON key file.",
            detail=repr(exc),
        ) from exc
    except (auth.RefreshError, auth.TransportError) as exc:
        raise BlobStoreError(
            f"Could not {action}: signing in to Google Cloud failed ({exc}).", detail=repr(exc)
        ) from exc
    except (http.ConnectionError, http.Timeout, api.RetryError, TimeoutError) as exc:
        raise BlobStoreError(
            f"Could not {action}: {where} could not be reached. Check the network and try again.",
            detail=repr(exc),
        ) from exc
    except (AttributeError, ValueError, TypeError) as exc:  # signing without a private key
        log.warning("GCS %s failed: %r", action, exc)
        raise BlobStoreError(f"Could not {action}: {exc}", detail=repr(exc)) from exc
