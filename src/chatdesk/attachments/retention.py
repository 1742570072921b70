"""Deleting attachments: blob and row together, and never a blob another row still uses.

The reaper removes, in batches, rows without a message (never sent, or their message was
deleted) once unused for ``ORPHAN_GRACE_S``, and, when a retention is set, every row unused for
that long. Deleting a conversation removes its rows the same way. A blob goes only when no
remaining row names it; when deleting a blob fails, its rows stay so a later run can retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from chatdesk.attachments.blobstore import BlobStore
from chatdesk.attachments.errors import BlobStoreError
from chatdesk.core.models import Attachment
from chatdesk.errors import ChatdeskError
from chatdesk.storage.attachments import AttachmentStore

log = logging.getLogger(__name__)

#: Rows without a message are kept this long (a send in progress, an undo).
ORPHAN_GRACE_S = 24 * 3600.0
DEFAULT_BATCH = 200
#: The most ids ``AttachmentStore.blobs_only_in`` takes at once.
_MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class ReapReport:
    """What one pass deleted, and how many rows stayed because their blob could not go."""

    rows: int = 0
    blobs: int = 0
    kept: int = 0

    def __add__(self, other: ReapReport) -> ReapReport:
        return ReapReport(self.rows + other.rows, self.blobs + other.blobs, self.kept + other.kept)


class Reaper:
    """Removes attachments; shares the service's lock so no add races a delete of its blob."""

    def __init__(
        self,
        db: AttachmentStore,
        blobs: Mapping[str, BlobStore],
        lock: asyncio.Lock,
        *,
        clock: Callable[[], float],
        retention_s: float | None,
        orphan_grace_s: float = ORPHAN_GRACE_S,
    ) -> None:
        self._db = db
        self._blobs = blobs
        self._lock = lock
        self._clock = clock
        self.retention_s = retention_s
        self.orphan_grace_s = orphan_grace_s

    async def remove(self, attachments: Sequence[Attachment]) -> ReapReport:
        """Delete these rows and the blobs only they use (in chunks)."""
        report = ReapReport()
        items = list(attachments)
        for start in range(0, len(items), _MAX_BATCH):
            report += await self._remove_batch(items[start : start + _MAX_BATCH])
        return report

    async def reap(self, *, batch_size: int = DEFAULT_BATCH) -> ReapReport:
        """One pass over everything due now, ``batch_size`` rows at a time."""
        size = max(1, min(batch_size, _MAX_BATCH))
        now = self._clock()
        orphans_before = now - self.orphan_grace_s
        linked_before = now - self.retention_s if self.retention_s is not None else None
        report = ReapReport()
        after: tuple[float, int] | None = None
        while True:
            batch = await self._db.unused(
                orphans_before=orphans_before,
                linked_before=linked_before,
                limit=size,
                after=after,
            )
            if not batch:
                break
            report += await self._remove_batch(batch)
            after = (batch[-1].last_used_at, batch[-1].id)
            if len(batch) < size:
                break
            await asyncio.sleep(0)  # let the UI breathe between batches
        if report.rows or report.kept:
            log.info(
                "attachments reaped: %d rows, %d blobs, %d kept",
                report.rows,
                report.blobs,
                report.kept,
            )
        return report

    async def run(self, stop: asyncio.Event, interval_s: float = 6 * 3600.0) -> None:
        """Reap now and every ``interval_s`` until ``stop`` is set; failures are logged."""
        while not stop.is_set():
            try:
                await self.reap()
            except ChatdeskError as exc:
                log.warning("attachment clean-up failed: %s", exc.user_message)
            try:
                await asyncio.wait_for(stop.wait(), interval_s)
            except TimeoutError:
                continue

    async def _remove_batch(self, batch: Sequence[Attachment]) -> ReapReport:
        async with self._lock:
            ids = [a.id for a in batch]
            unused = await self._db.blobs_only_in(ids)
            failed: set[tuple[str, str]] = set()
            blobs = 0
            for backend, key in sorted(unused):
                store = self._blobs.get(backend)
                if store is None:
                    log.warning(
                        "cannot delete %s blob %s: that storage is not configured", backend, key
                    )
                    failed.add((backend, key))
                    continue
                try:
                    await store.delete(key)
                except BlobStoreError as exc:
                    log.warning("could not delete attachment blob %s: %s", key, exc.user_message)
                    failed.add((backend, key))
                    continue
                blobs += 1
            doomed = [a.id for a in batch if (a.backend, a.blob_key) not in failed]
            rows = await self._db.delete(doomed)
        return ReapReport(rows, blobs, len(batch) - len(doomed))
