"""files: atomic writes and keeping bad files aside under names that never collide."""

from __future__ import annotations

import stat
from pathlib import Path

from chatdesk.files import move_aside


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_move_aside_never_overwrites_an_earlier_backup(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    kept: list[Path] = []
    for text in ("first bad", "second bad", "third bad"):
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
        target = move_aside(path)
        assert not path.exists()
        assert target.parent == tmp_path and target.name.startswith("state.json.bad-")
        assert _mode(target) == 0o600
        kept.append(target)
    assert [p.read_text(encoding="utf-8") for p in kept] == ["first bad", "second bad", "third bad"]
    assert len(set(kept)) == 3


def test_move_aside_can_copy_and_leave_the_file(tmp_path: Path) -> None:
    path = tmp_path / "servers.json"
    path.write_text('{"token": "x"', encoding="utf-8")
    first = move_aside(path, copy=True)
    second = move_aside(path, copy=True)
    assert path.read_text(encoding="utf-8") == '{"token": "x"'
    assert first != second
    for target in (first, second):
        assert target.read_text(encoding="utf-8") == '{"token": "x"'
        assert _mode(target) == 0o600  # a hand-edited file may hold a token
