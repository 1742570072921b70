"""Checking files before they are stored: size limits, type by content, a clean name.

Every refusal names the file and says why (``AttachmentRejected`` / ``Rejection``). These are
plain blocking functions (a file is read whole, at most the size limit); async code calls them
through ``asyncio.to_thread``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chatdesk.attachments.errors import AttachmentRejected, Rejection
from chatdesk.attachments.names import human_size, sanitize_filename
from chatdesk.attachments.sniff import NotSupported, sniff
from chatdesk.settings import default

MIB = 1024 * 1024
DEFAULT_MAX_FILE_BYTES: int = default("attachments_max_size_bytes")
DEFAULT_MAX_MESSAGE_BYTES: int = default("attachments_max_message_bytes")
DEFAULT_MAX_FILES = 10


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits: per file, per message (all files together), and files per message."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    max_files: int = DEFAULT_MAX_FILES


@dataclass(frozen=True, slots=True)
class PendingFile:
    """A file chosen in the UI and not yet stored: a path on disk, or bytes (a pasted image).

    ``name`` is what the user sees (sanitised again when stored).
    """

    name: str
    path: Path | None = None
    data: bytes | None = None

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> PendingFile:
        p = Path(path)
        return cls(p.name, path=p)

    def size(self) -> int:
        """Bytes now on disk (or held); -1 when the file cannot be read."""
        if self.data is not None:
            return len(self.data)
        try:
            return os.stat(self.path or "").st_size
        except OSError:
            return -1


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file that passed every check, with its bytes and what was found."""

    filename: str
    mime_type: str
    blob_ext: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def check_bytes(name: str, data: bytes, limits: Limits) -> CheckedFile:
    """Check ``data`` named ``name``; raises ``AttachmentRejected`` saying which file and why."""
    import hashlib  # here: it loads OpenSSL (~3 MB), not needed to start

    shown = sanitize_filename(name)
    if not data:
        raise AttachmentRejected([Rejection(shown, "it is empty (0 bytes)")])
    if len(data) > limits.max_file_bytes:
        raise AttachmentRejected([_too_big(shown, len(data), limits)])
    try:
        found = sniff(data, shown)
    except NotSupported as exc:
        raise AttachmentRejected([Rejection(shown, str(exc))]) from None
    clean = sanitize_filename(name, default_ext=found.blob_ext)
    return CheckedFile(
        clean, found.mime_type, found.blob_ext, data, hashlib.sha256(data).hexdigest()
    )


def read_and_check(pending: PendingFile, limits: Limits) -> CheckedFile:
    """Read a pending file (size checked before reading) and check it."""
    if pending.data is not None:
        return check_bytes(pending.name, pending.data, limits)
    shown = sanitize_filename(pending.name)
    path = pending.path
    if path is None:
        raise AttachmentRejected([Rejection(shown, "it has no content")])
    try:
        if path.is_dir():
            raise AttachmentRejected([Rejection(shown, "it is a folder, not a file")])
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise AttachmentRejected([_too_big(shown, size, limits)])
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise AttachmentRejected([Rejection(shown, "the file no longer exists")]) from None
    except PermissionError:
        raise AttachmentRejected([Rejection(shown, "permission to read it was denied")]) from None
    except OSError as exc:
        reason = f"it could not be read ({exc.strerror or exc})"
        raise AttachmentRejected([Rejection(shown, reason)]) from None
    return check_bytes(pending.name, data, limits)


def check_message(sizes: Sequence[tuple[str, int]], limits: Limits) -> None:
    """Per-message limits over ``(name, size)`` pairs, in the order the user added them."""
    if len(sizes) > limits.max_files:
        name = sanitize_filename(sizes[limits.max_files][0])
        reason = f"a message can carry at most {limits.max_files} files"
        raise AttachmentRejected([Rejection(name, reason)])
    total = 0
    for name, size in sizes:
        total += max(size, 0)
        if total > limits.max_message_bytes:
            reason = (
                f"together with the files before it, the message would carry "
                f"{human_size(total)}, more than the {human_size(limits.max_message_bytes)} "
                "a message may carry"
            )
            raise AttachmentRejected([Rejection(sanitize_filename(name), reason)])


def check_all(pending: Sequence[PendingFile], limits: Limits) -> list[CheckedFile]:
    """Check every file and the message limits; one ``AttachmentRejected`` lists every refusal."""
    rejections: list[Rejection] = []
    checked: list[CheckedFile] = []
    for item in pending:
        try:
            checked.append(read_and_check(item, limits))
        except AttachmentRejected as exc:
            rejections.extend(exc.rejections)
    if not rejections:
        try:
            check_message([(c.filename, c.size) for c in checked], limits)
        except AttachmentRejected as exc:
            rejections.extend(exc.rejections)
    if rejections:
        raise AttachmentRejected(rejections)
    return checked


def _too_big(name: str, size: int, limits: Limits) -> Rejection:
    reason = f"it is {human_size(size)}, more than the {human_size(limits.max_file_bytes)} limit"
    return Rejection(name, reason)
