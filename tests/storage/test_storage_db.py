"""The SQL helpers of storage/db.py shared by the stores and the start-up reader."""

from __future__ import annotations

import sqlite3

from chatdesk.storage.db import ID_CHUNK, id_chunks, placeholders


def test_id_chunks_drop_repeats_keep_order_and_stay_under_the_limit() -> None:
    assert list(id_chunks([])) == []
    assert list(id_chunks([3, 1, 3, 2, 1])) == [[3, 1, 2]]
    chunks = list(id_chunks(range(ID_CHUNK * 2 + 1)))
    assert [len(c) for c in chunks] == [ID_CHUNK, ID_CHUNK, 1]
    assert list(id_chunks([1, 2, 3, 4, 5], size=2)) == [[1, 2], [3, 4], [5]]


def test_placeholders_bind_one_value_each() -> None:
    assert placeholders([7]) == "?"
    assert placeholders([7, 8, 9]) == "?, ?, ?"
    conn = sqlite3.connect(":memory:")
    ids = [4, 5, 6]
    rows = conn.execute(
        f"SELECT value FROM json_each('[4,6,9]') WHERE value IN ({placeholders(ids)})", ids
    )
    assert [r[0] for r in rows] == [4, 6]
    conn.close()
