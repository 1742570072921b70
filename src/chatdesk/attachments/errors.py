"""Errors of the attachments package, each with a message fit to show the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatdesk.errors import InputError, StorageError


@dataclass(frozen=True, slots=True)
class Rejection:
    """One file that was refused, and why (``reason`` reads after "was not attached: ")."""

    filename: str
    reason: str

    def text(self) -> str:
        return f"{self.filename} was not attached: {self.reason}."


class AttachmentRejected(InputError):
    """One or more files cannot be attached; ``rejections`` names each file and the reason."""

    kind = "attachment"

    def __init__(self, rejections: Sequence[Rejection], *, detail: str | None = None) -> None:
        self.rejections = tuple(rejections)
        super().__init__("\n".join(r.text() for r in self.rejections), detail=detail)


class UnsupportedAttachmentError(InputError):
    """The chosen model cannot take some attached files (checked before anything is sent)."""

    kind = "attachment"


class BlobStoreError(StorageError):
    """A blob store (the attachments folder, or a Google Cloud Storage bucket) failed."""

    kind = "attachment_storage"
