"""Where chatdesk keeps its files: the data dir and the resources shipped with the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chatdesk import APP_NAME

DATA_DIR_ENV = "CHATDESK_DATA_DIR"
_XDG_PLATFORM = sys.platform.startswith(("linux", "freebsd", "openbsd"))


def data_dir() -> Path:
    """``$CHATDESK_DATA_DIR``, else the platform's user data dir (e.g. ~/.local/share/chatdesk)."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    if _XDG_PLATFORM:  # the XDG rule, without importing platformdirs (~6 ms)
        xdg = os.environ.get("XDG_DATA_HOME", "").strip()
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
        return base / APP_NAME
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def settings_file(base: Path) -> Path:
    """The settings file inside a data dir."""
    return base / "settings.json"


def database_file(base: Path) -> Path:
    """The SQLite database inside a data dir."""
    return base / "chatdesk.db"


def logs_dir(base: Path) -> Path:
    """The root of the app and conversation logs."""
    return base / "logs"


def cache_dir(base: Path) -> Path:
    """Disposable caches (model catalogue, ...)."""
    return base / "cache"


def package_root() -> Path:
    """The installed ``chatdesk`` package (inside a frozen app: its unpacked bundle)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "chatdesk"
    return Path(__file__).resolve().parent


def resources_dir() -> Path:
    """Icons, style sheets and the desktop file (``resources/`` in a checkout)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return package_root().parent.parent / "resources"


def defaults_dir() -> Path:
    """First-run defaults shipped with the app (``data/`` in a checkout)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "data"
    return package_root().parent.parent / "data"
