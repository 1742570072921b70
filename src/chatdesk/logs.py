"""Logging: a daily-rotating app log and per-conversation debug logs, with secrets redacted.

* ``logs/app/chatdesk.log``, rotated at midnight, 14 days kept.
* ``logs/conversations/YYYY-MM-DD/conversation-<id>.log``: records of the
  ``chatdesk.conversation`` logger that carry ``extra={"conversation_id": ...}``
  (request metadata, timings, tool calls).

Every line passes ``redact``: key-shaped strings (``sk-or-…``, ``Bearer …``, ``Token …``) and
every configured secret, verbatim, become ``[REDACTED]``.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

CONVERSATION_LOGGER = "chatdesk.conversation"
RETENTION_DAYS = 14
MASK = "[REDACTED]"

_KEY_PATTERNS = re.compile(
    r"sk-or-[A-Za-z0-9_\-]{8,}"  # OpenRouter keys
    r"|sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}"  # other OpenAI-style keys
    r"|(?<=Bearer )[A-Za-z0-9._~+/=\-]{6,}"  # Authorization: Bearer …
    r"|(?<=Token )[A-Za-z0-9._~+/=\-]{6,}"  # Deepgram: Token …
    r"|(?<=bearer )[A-Za-z0-9._~+/=\-]{6,}",
)

SecretSource = Callable[[], Iterable[str]]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask key-shaped strings and each given secret (verbatim) in ``text``."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_PATTERNS.sub(MASK, text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output (message, arguments, traceback) is redacted."""

    def __init__(self, fmt: str, secrets: SecretSource = lambda: ()) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets())


class ConversationLogHandler(logging.Handler):
    """Routes records with a ``conversation_id`` to that conversation's file of the day."""

    def __init__(self, root: Path, clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        super().__init__(logging.DEBUG)
        self.root = root
        self._clock = clock

    def path_for(self, conversation_id: object) -> Path:
        """Where today's records of a conversation go."""
        day = self._clock().strftime("%Y-%m-%d")
        return self.root / day / f"conversation-{conversation_id}.log"

    def emit(self, record: logging.LogRecord) -> None:
        conversation_id = getattr(record, "conversation_id", None)
        if conversation_id is None:
            return
        try:
            line = self.format(record)
            path = self.path_for(conversation_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except Exception:  # a logging failure must never break the app
            self.handleError(record)


def prune_old_days(root: Path, keep_days: int, today: dt.date | None = None) -> int:
    """Delete ``YYYY-MM-DD`` folders under ``root`` older than ``keep_days``; returns count."""
    today = today or dt.date.today()
    removed = 0
    if not root.is_dir():
        return 0
    for child in root.iterdir():
        try:
            day = dt.date.fromisoformat(child.name)
        except ValueError:
            continue
        if child.is_dir() and (today - day).days > keep_days:
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
    return removed


def setup_logging(
    logs_root: Path,
    level: str = "INFO",
    secrets: SecretSource = lambda: (),
    *,
    console: bool = False,
) -> list[logging.Handler]:
    """Install the app and conversation handlers on the root logger; returns them."""
    app_dir = logs_root / "app"
    conv_dir = logs_root / "conversations"
    app_dir.mkdir(parents=True, exist_ok=True)
    conv_dir.mkdir(parents=True, exist_ok=True)
    prune_old_days(conv_dir, RETENTION_DAYS)

    fmt = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    app_handler = logging.handlers.TimedRotatingFileHandler(
        app_dir / "chatdesk.log",
        when="midnight",
        backupCount=RETENTION_DAYS,
        encoding="utf-8",
        delay=True,
    )
    app_handler.setLevel(level)
    app_handler.setFormatter(RedactingFormatter(fmt, secrets))

    conv_handler = ConversationLogHandler(conv_dir)
    conv_handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(message)s", secrets))

    handlers: list[logging.Handler] = [app_handler, conv_handler]
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(level)
        stream.setFormatter(RedactingFormatter(fmt, secrets))
        handlers.append(stream)

    root = logging.getLogger()
    root.setLevel(level)
    for handler in handlers:
        root.addHandler(handler)
    # Conversation debug records go to their own files only, not to the app log.
    conv_logger = logging.getLogger(CONVERSATION_LOGGER)
    conv_logger.setLevel(logging.DEBUG)
    conv_logger.propagate = False
    conv_logger.addHandler(conv_handler)
    for noisy in ("httpx", "httpcore", "asyncio", "aiosqlite", "websockets"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handlers


def teardown_logging(handlers: Iterable[logging.Handler]) -> None:
    """Remove and close handlers installed by ``setup_logging``."""
    conv_logger = logging.getLogger(CONVERSATION_LOGGER)
    for handler in handlers:
        logging.getLogger().removeHandler(handler)
        conv_logger.removeHandler(handler)
        handler.close()
