"""Logs: daily app log, per-conversation logs, and redaction of every secret."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.logs import (
    CONVERSATION_LOGGER,
    MASK,
    prune_old_days,
    redact,
    setup_logging,
    teardown_logging,
)

SECRET = "my-very-own-configured-secret-value"


@pytest.fixture
def logs_root(data_dir: Path) -> Iterator[Path]:
    root = data_dir / "logs"
    handlers = setup_logging(root, "DEBUG", lambda: [SECRET])
    yield root
    teardown_logging(handlers)


@pytest.mark.parametrize(
    "text",
    [
        "key sk-or-v1-0123456789abcdef0123456789abcdef in a message",
        "Authorization: Bearer abc.def-ghi_jkl",
        "Authorization: Token 0123456789abcdef",
        f"configured {SECRET} verbatim",
        "openai sk-proj-ABCDEFGHIJKLMNOPQRSTUV",
    ],
)
def test_redact_masks_key_shaped_strings(text: str) -> None:
    out = redact(text, [SECRET])
    assert MASK in out
    for secret in ("0123456789abcdef", "abc.def-ghi_jkl", SECRET, "ABCDEFGHIJKLMNOPQRSTUV"):
        assert secret not in out


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "The token budget is 4096; ask the skeptic."
    assert redact(text, []) == text


def test_app_log_is_redacted_including_arguments_and_tracebacks(logs_root: Path) -> None:
    log = logging.getLogger("chatdesk.test")
    log.warning("sending with key %s", "sk-or-v1-deadbeefdeadbeefdeadbeef")
    try:
        raise RuntimeError(f"boom {SECRET}")
    except RuntimeError:
        log.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (logs_root / "app" / "chatdesk.log").read_text()
    assert "sending with key" in text and "RuntimeError" in text
    assert "deadbeef" not in text
    assert SECRET not in text


def test_conversation_records_go_to_their_own_dated_file(logs_root: Path) -> None:
    clog = logging.getLogger(CONVERSATION_LOGGER)
    clog.info(
        "request: model=%s auth=Bearer %s", "x/y", "secret-token-123", extra={"conversation_id": 7}
    )
    day = dt.date.today().isoformat()
    path = logs_root / "conversations" / day / "conversation-7.log"
    text = path.read_text()
    assert "request: model=x/y" in text
    assert "secret-token-123" not in text
    app_log = logs_root / "app" / "chatdesk.log"
    assert not app_log.exists() or "request: model" not in app_log.read_text()


def test_prune_old_days(tmp_path: Path) -> None:
    tmp_path = tmp_path / "conversations"
    tmp_path.mkdir()
    today = dt.date(2026, 11, 21)
    for days in (0, 3, 14, 15, 40):
        (tmp_path / (today - dt.timedelta(days=days)).isoformat()).mkdir()
    (tmp_path / "not-a-date").mkdir()
    assert prune_old_days(tmp_path, 14, today) == 2
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["2026-11-07", "2026-11-18", "2026-11-21", "not-a-date"]
