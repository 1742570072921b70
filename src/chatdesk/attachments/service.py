"""AttachmentService: add files, link them to messages, and turn them into request parts.

It is the orchestrator's ``AttachmentResolver``. Files are checked by content and size, stored
in the configured blob store (de-duplicated by sha256) and recorded in the ``attachments``
table; they are linked to the user message when it is stored, and each request built from a
message touches its files (retention counts from the last use). Local files go to the model as
data: URLs; GCS objects as V4 signed URLs, cached in the row and signed again when the cached
one expires within the hour.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from chatdesk.attachments.blobstore import BlobStore
from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.errors import BlobStoreError, UnsupportedAttachmentError
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.attachments.parts import (
    data_url,
    note_part,
    part_for,
    too_long_reason,
    unsupported_reason,
)
from chatdesk.attachments.retention import Reaper, ReapReport
from chatdesk.attachments.validate import CheckedFile, Limits, PendingFile, check_all
from chatdesk.attachments.views import AttachmentView
from chatdesk.core.models import Attachment, ContentPart, Message, ModelInfo
from chatdesk.errors import ChatdeskError
from chatdesk.storage.attachments import AttachmentStore

__all__ = ["AttachmentService", "AttachmentView"]

log = logging.getLogger(__name__)

#: A cached signed URL is signed again when it expires within this many seconds.
RESIGN_MARGIN_S = 3600.0


class AttachmentService:
    """Attachments end to end; see the module docstring."""

    def __init__(
        self,
        db: AttachmentStore,
        stores: Sequence[BlobStore],
        config: AttachmentsConfig,
        *,
        clock: Callable[[], float] = time.time,
        server_parses_pdfs: Callable[[], bool] = lambda: False,
    ) -> None:
        self._db = db
        self._stores: dict[str, BlobStore] = {s.backend: s for s in stores}
        if config.backend not in self._stores:
            raise ValueError(f"no blob store for backend {config.backend!r}")
        self.config = config
        self._clock = clock
        self._server_parses_pdfs = server_parses_pdfs
        self._lock = asyncio.Lock()
        self.reaper = Reaper(
            db, self._stores, self._lock, clock=clock, retention_s=config.retention_s
        )

    @property
    def limits(self) -> Limits:
        return self.config.limits

    @property
    def store(self) -> BlobStore:
        """Where new files go."""
        return self._stores[self.config.backend]

    # --- adding ---------------------------------------------------------------------------

    async def add(
        self,
        pending: Sequence[PendingFile],
        *,
        model: str | None = None,
        info: ModelInfo | None = None,
    ) -> list[Attachment]:
        """Check every file (all refusals in one ``AttachmentRejected``), and with ``model``
        that it can take them, then store them; the rows wait for ``attach``."""
        checked = await asyncio.to_thread(check_all, pending, self.limits)
        if model is not None:
            self._raise_unsupported([self._draft(c) for c in checked], model, info)
        added: list[Attachment] = []
        try:
            for item in checked:
                added.append(await self._store_one(item))
        except BaseException:
            try:
                await asyncio.shield(self.discard(added))
            except ChatdeskError as exc:  # keep the first error; the reaper retries later
                log.warning("could not remove partly added files: %s", exc.user_message)
            raise
        return added

    async def add_bytes(self, name: str, data: bytes) -> Attachment:
        return (await self.add([PendingFile(name, data=data)]))[0]

    async def _store_one(self, item: CheckedFile) -> Attachment:
        store = self.store
        key = store.key_for(item.sha256, item.blob_ext)
        async with self._lock:
            await store.put(key, item.data, item.mime_type)
            return await self._db.insert(
                filename=item.filename,
                mime_type=item.mime_type,
                size_bytes=item.size,
                sha256=item.sha256,
                backend=store.backend,
                blob_key=key,
                now=self._clock(),
            )

    async def discard(self, attachments: Sequence[Attachment]) -> ReapReport:
        """Remove files that were added but will not be sent (never a blob still in use)."""
        unsent = [a for a in attachments if a.message_id is None]
        return await self.reaper.remove(unsent) if unsent else ReapReport()

    # --- AttachmentResolver ---------------------------------------------------------------

    async def check(
        self, attachments: Sequence[Attachment], model: str, info: ModelInfo | None
    ) -> None:
        self._raise_unsupported(attachments, model, info)

    async def attach(
        self, message: Message, attachments: Sequence[Attachment]
    ) -> tuple[Attachment, ...]:
        ids = [a.id for a in attachments]
        await self._db.link(ids, message.id, message.conversation_id)
        await self._db.touch(ids, self._clock())
        return tuple(await self._db.get_many(ids))

    async def copy(self, source_id: int, target: Message) -> tuple[Attachment, ...]:
        """Give ``target`` the files of message ``source_id`` (new rows sharing the stored
        blobs: an edited question keeps its files)."""
        found = (await self._db.for_messages([source_id])).get(source_id, [])
        copies: list[Attachment] = []
        for att in found:
            copies.append(
                await self._db.insert(
                    filename=att.filename,
                    mime_type=att.mime_type,
                    size_bytes=att.size_bytes,
                    sha256=att.sha256,
                    backend=att.backend,
                    blob_key=att.blob_key,
                    now=self._clock(),
                )
            )
        return await self.attach(target, copies) if copies else ()

    async def parts_for(
        self, messages: Sequence[Message], model: str, info: ModelInfo | None
    ) -> Mapping[int, tuple[ContentPart, ...]]:
        """Parts by message id. The newest message's files must all work (errors propagate);
        older files that cannot be sent become short notes."""
        ids = [m.id for m in messages if m.role == "user"]
        by_message = await self._db.for_messages(ids) if ids else {}
        if not by_message:
            return {}
        newest = max(ids)  # the message being answered: its files must all work
        now = self._clock()
        out: dict[int, tuple[ContentPart, ...]] = {}
        used: list[int] = []
        for message_id, attachments in by_message.items():
            parts: list[ContentPart] = []
            for att in attachments:
                reason = self._unsupported(att, model, info)
                if reason is not None:
                    if message_id == newest:
                        raise UnsupportedAttachmentError(
                            self._unsupported_text(model, [(att, reason)])
                        )
                    parts.append(note_part(att, reason))
                    continue
                try:
                    parts.append(await self._part(att, now))
                except BlobStoreError as exc:
                    if message_id == newest:
                        raise
                    log.warning("attachment %d left out of the request: %s", att.id, exc)
                    parts.append(note_part(att, "it could not be read"))
                    continue
                used.append(att.id)
            out[message_id] = tuple(parts)
        await self._db.touch(used, now)
        return out

    # --- reading --------------------------------------------------------------------------

    async def with_attachments(self, messages: Sequence[Message]) -> list[Message]:
        """``messages`` with their ``attachments`` filled in (for showing a conversation)."""
        ids = [m.id for m in messages if m.role == "user"]
        found = await self._db.for_messages(ids) if ids else {}
        return [
            dataclasses.replace(m, attachments=tuple(found[m.id])) if m.id in found else m
            for m in messages
        ]

    async def read(self, attachment: Attachment) -> bytes:
        """The file's bytes (raises ``BlobStoreError``)."""
        return await self._store_of(attachment).get(attachment.blob_key)

    async def views(self, attachments: Sequence[Attachment]) -> list[AttachmentView]:
        """How to show and open each file: a local path, or a signed URL for GCS files."""
        now = self._clock()
        out: list[AttachmentView] = []
        for att in attachments:
            path: Path | None = None
            url: str | None = None
            store = self._stores.get(att.backend)
            try:
                if isinstance(store, LocalBlobStore):
                    path = store.path(att.blob_key)
                elif store is not None:
                    url = await self._signed(att, store, now)
            except BlobStoreError as exc:
                log.warning("no view for attachment %d: %s", att.id, exc)
            out.append(
                AttachmentView(
                    att.id, att.filename, att.mime_type, att.size_bytes, att.kind, path, url
                )
            )
        return out

    async def views_by_id(self, ids: Sequence[int]) -> list[AttachmentView]:
        """``views`` of the rows with these ids (a click on a file whose link expired)."""
        return await self.views(await self._db.get_many(ids))

    def views_now(self, attachments: Sequence[Attachment]) -> list[AttachmentView]:
        """Views without any I/O (for widgets): local paths, and GCS links only while the
        cached one is fresh; a view with neither is resolved later by ``views``."""
        now = self._clock()
        out: list[AttachmentView] = []
        for att in attachments:
            store = self._stores.get(att.backend)
            path: Path | None = None
            url: str | None = None
            if isinstance(store, LocalBlobStore):
                try:
                    path = store.path(att.blob_key)
                except BlobStoreError:
                    path = None
            elif self._fresh(att, now):
                url = att.signed_url
            out.append(
                AttachmentView(
                    att.id, att.filename, att.mime_type, att.size_bytes, att.kind, path, url
                )
            )
        return out

    # --- deleting -------------------------------------------------------------------------

    async def delete_conversation(self, conversation_id: int) -> ReapReport:
        """Delete a conversation's files (call before deleting the conversation itself); a
        blob another message still uses stays."""
        return await self.reaper.remove(await self._db.for_conversation(conversation_id))

    async def reap(self, *, batch_size: int = 200) -> ReapReport:
        return await self.reaper.reap(batch_size=batch_size)

    async def run_reaper(self, stop: asyncio.Event, interval_s: float = 6 * 3600.0) -> None:
        await self.reaper.run(stop, interval_s)

    # --- internals ------------------------------------------------------------------------

    def _store_of(self, attachment: Attachment) -> BlobStore:
        store = self._stores.get(attachment.backend)
        if store is None:
            where = "Google Cloud Storage" if attachment.backend == "gcs" else attachment.backend
            raise BlobStoreError(
                f"{attachment.filename} is stored in {where}, which is not configured now."
            )
        return store

    async def _part(self, att: Attachment, now: float) -> ContentPart:
        store = self._store_of(att)
        if att.kind == "text":
            return part_for(att, data=await store.get(att.blob_key))
        url = await self._signed(att, store, now)
        if url is None:
            url = data_url(att.mime_type, await store.get(att.blob_key))
        return part_for(att, url=url)

    async def _signed(self, att: Attachment, store: BlobStore, now: float) -> str | None:
        """A signed URL valid for at least the margin (cached in the row), or None (local)."""
        if isinstance(store, LocalBlobStore):
            return None
        if self._fresh(att, now):
            return att.signed_url
        ttl = self.config.signed_url_ttl_s
        url = await store.signed_url(att.blob_key, ttl)
        if url is not None:
            await self._db.set_signed_url(att.id, url, now + ttl)
        return url

    def _fresh(self, att: Attachment, now: float) -> bool:
        """Whether the row's cached signed URL stays valid beyond the re-sign margin."""
        margin = min(RESIGN_MARGIN_S, self.config.signed_url_ttl_s / 2)
        expires = att.signed_url_expires_at
        return bool(att.signed_url) and expires is not None and expires - now > margin

    def _unsupported(self, att: Attachment, model: str, info: ModelInfo | None) -> str | None:
        parses = self._server_parses_pdfs()
        return unsupported_reason(att, model, info, server_parses_pdfs=parses) or too_long_reason(
            att, model, info
        )

    def _raise_unsupported(
        self, attachments: Sequence[Attachment], model: str, info: ModelInfo | None
    ) -> None:
        problems = [
            (att, reason)
            for att in attachments
            if (reason := self._unsupported(att, model, info)) is not None
        ]
        if problems:
            raise UnsupportedAttachmentError(self._unsupported_text(model, problems))

    @staticmethod
    def _unsupported_text(model: str, problems: Sequence[tuple[Attachment, str]]) -> str:
        lines = "\n".join(f"• {att.filename}: {reason}" for att, reason in problems)
        return (
            f"Nothing was sent: the model {model} cannot take "
            f"{'this file' if len(problems) == 1 else 'these files'}:\n{lines}\n"
            "Remove the file or choose a model that accepts it."
        )

    def _draft(self, item: CheckedFile) -> Attachment:
        """An unsaved Attachment for checks before storing."""
        now = self._clock()
        return Attachment(
            0, item.filename, item.mime_type, item.size, item.sha256, "", "", now, now
        )
