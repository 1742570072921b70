"""Small file helpers: atomic writes, and keeping a bad file aside under a free name."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves either the old or the new file."""
    import tempfile  # only when saving: keeps it (and random, hashlib) off start-up

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def aside_path(path: Path) -> Path:
    """A free ``<name>.bad-<timestamp>`` next to ``path``, for keeping a file that was bad."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.bad-{stamp}-{n}")
    return target


def move_aside(path: Path, *, copy: bool = False) -> Path:
    """Keep the bad file ``path`` as a free ``<name>.bad-<timestamp>`` (owner-only); returns it.

    ``copy`` leaves ``path`` where it is. Raises ``OSError`` when nothing could be kept.
    """
    target = aside_path(path)
    if copy:
        data = path.read_bytes()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target
    os.replace(path, target)
    with contextlib.suppress(OSError):  # kept either way; the mode is a precaution
        os.chmod(target, 0o600)
    return target
