"""PresetStore: presets in the ``presets`` table, and each conversation's preset.

Built on ``ChatRepository``'s public ``read``/``write``/``execute`` (same connection, same write
lock). Names are unique without regard to case; a clash raises ``PresetError`` with a message
fit for the user. Multi-row changes (reorder, duplicate, import) run in one transaction: they
happen whole or not at all. First-run presets come from ``data/presets.json``
(:func:`seed_first_run`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiosqlite

from chatdesk.core.preset_json import import_presets, parameters_from_json, routing_from_json
from chatdesk.core.presets import Preset, PresetError, check_preset, unique_name
from chatdesk.storage import db
from chatdesk.storage.repository import ChatRepository

__all__ = ["SEED_MARKER", "PresetStore", "seed_first_run"]

log = logging.getLogger(__name__)

#: File in the data dir that records that the first-run presets were offered once.
SEED_MARKER = "presets.seeded"
_COLUMNS = (
    "id, name, position, model, parameters, provider_routing, system_prompt, mcp_servers,"
    " tool_approvals"
)
_GONE = "That preset no longer exists."


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _loads(text: str, preset_id: int, column: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        log.warning("preset %d: unreadable %s, using the default", preset_id, column)
        return None


def _preset(row: sqlite3.Row) -> Preset:
    """A preset from its row; unreadable JSON columns fall back to defaults (logged)."""
    pid = int(row["id"])
    problems: list[str] = []
    parameters = parameters_from_json(_loads(row["parameters"], pid, "parameters"), problems)
    routing = routing_from_json(_loads(row["provider_routing"], pid, "routing"), problems)
    servers = _loads(row["mcp_servers"], pid, "mcp_servers")
    approvals = _loads(row["tool_approvals"], pid, "tool_approvals")
    if problems:
        log.warning("preset %d: ignoring stored values: %s", pid, "; ".join(problems))
    return Preset(
        id=pid,
        name=row["name"],
        position=int(row["position"]),
        model=row["model"] or None,
        parameters=parameters,
        routing=routing,
        system_prompt=row["system_prompt"],
        mcp_servers=frozenset(s for s in servers if isinstance(s, str))
        if isinstance(servers, list)
        else frozenset(),
        tool_approvals={str(k): str(v) for k, v in approvals.items()}
        if isinstance(approvals, dict)
        else {},
    )


def _values(preset: Preset) -> tuple[Any, ...]:
    """name, model, parameters, provider_routing, system_prompt, mcp_servers, tool_approvals."""
    return (
        preset.name,
        preset.model,
        _dumps(preset.parameters.as_dict()),
        _dumps(preset.routing.as_dict()),
        preset.system_prompt,
        _dumps(sorted(preset.mcp_servers)),
        _dumps(dict(preset.tool_approvals)),
    )


async def _check_name_free(
    conn: aiosqlite.Connection, name: str, except_id: int | None = None
) -> None:
    rows = list(
        await conn.execute_fetchall(
            "SELECT name FROM presets WHERE chatdesk_casefold(name) = ? AND id IS NOT ?",
            (name.casefold(), except_id),
        )
    )
    if rows:
        raise PresetError(f"A preset named “{rows[0][0]}” already exists. Choose another name.")


async def _insert(conn: aiosqlite.Connection, preset: Preset, position: int, now: float) -> Preset:
    rows = list(
        await conn.execute_fetchall(
            "INSERT INTO presets (name, model, parameters, provider_routing, system_prompt,"
            " mcp_servers, tool_approvals, position, created_at, updated_at)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (*_values(preset), position, now, now),
        )
    )
    return _preset(rows[0])


async def _next_position(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("SELECT coalesce(max(position), -1) FROM presets"))
    return int(rows[0][0]) + 1


class PresetStore:
    """CRUD, order and import of presets; the preset each conversation uses."""

    def __init__(self, repository: ChatRepository) -> None:
        self._repo = repository

    # --- reading ---------------------------------------------------------------------------

    async def list_presets(self) -> list[Preset]:
        """Every preset in menu order."""
        rows = await self._repo.read(
            "load the presets", f"SELECT {_COLUMNS} FROM presets ORDER BY position, id"
        )
        return [_preset(row) for row in rows]

    async def get(self, preset_id: int) -> Preset | None:
        """The preset, or None when it does not exist."""
        rows = await self._repo.read(
            "load the preset", f"SELECT {_COLUMNS} FROM presets WHERE id = ?", (preset_id,)
        )
        return _preset(rows[0]) if rows else None

    async def names(self) -> list[str]:
        """Every preset name in menu order."""
        rows = await self._repo.read(
            "load the preset names", "SELECT name FROM presets ORDER BY position, id"
        )
        return [str(row[0]) for row in rows]

    # --- changing --------------------------------------------------------------------------

    async def create(self, preset: Preset) -> Preset:
        """Store a new preset at the end of the menu; PresetError if invalid or the name is
        taken."""
        preset = check_preset(preset)
        now = self._repo.now()

        async def op(conn: aiosqlite.Connection) -> Preset:
            async def body() -> Preset:
                await _check_name_free(conn, preset.name)
                return await _insert(conn, preset, await _next_position(conn), now)

            return await db.transaction(conn, body)

        return await self._repo.write("save the preset", op)

    async def update(self, preset: Preset) -> Preset:
        """Replace the stored preset ``preset.id`` (its position is kept)."""
        if preset.id is None:
            raise PresetError(_GONE)
        preset = check_preset(preset)
        now = self._repo.now()

        async def op(conn: aiosqlite.Connection) -> Preset:
            async def body() -> Preset:
                await _check_name_free(conn, preset.name, preset.id)
                rows = list(
                    await conn.execute_fetchall(
                        "UPDATE presets SET name = ?, model = ?, parameters = ?,"
                        " provider_routing = ?, system_prompt = ?, mcp_servers = ?,"
                        f" tool_approvals = ?, updated_at = ? WHERE id = ? RETURNING {_COLUMNS}",
                        (*_values(preset), now, preset.id),
                    )
                )
                if not rows:
                    raise PresetError(_GONE)
                return _preset(rows[0])

            return await db.transaction(conn, body)

        return await self._repo.write("save the preset", op)

    async def rename(self, preset_id: int, name: str) -> Preset:
        """Give a preset a new name; PresetError if it is invalid or taken."""
        current = await self.get(preset_id)
        if current is None:
            raise PresetError(_GONE)
        return await self.update(replace(current, name=name))

    async def duplicate(self, preset_id: int) -> Preset:
        """A copy named "<name> (copy)", placed right after the original."""
        now = self._repo.now()

        async def op(conn: aiosqlite.Connection) -> Preset:
            async def body() -> Preset:
                rows = list(
                    await conn.execute_fetchall(
                        f"SELECT {_COLUMNS} FROM presets WHERE id = ?", (preset_id,)
                    )
                )
                if not rows:
                    raise PresetError(_GONE)
                original = _preset(rows[0])
                names = [r[0] for r in await conn.execute_fetchall("SELECT name FROM presets")]
                copy = replace(original, id=None, name=unique_name(original.name, names))
                await conn.execute(
                    "UPDATE presets SET position = position + 1 WHERE position > ?",
                    (original.position,),
                )
                return await _insert(conn, copy, original.position + 1, now)

            return await db.transaction(conn, body)

        return await self._repo.write("duplicate the preset", op)

    async def delete(self, preset_id: int) -> bool:
        """Delete a preset (conversations that used it keep their model); True if it existed."""
        changed = await self._repo.execute(
            "delete the preset", "DELETE FROM presets WHERE id = ?", (preset_id,)
        )
        return changed > 0

    async def reorder(self, preset_ids: Sequence[int]) -> list[Preset]:
        """Put the presets in this order (ids not given keep their order after them)."""
        now = self._repo.now()

        async def op(conn: aiosqlite.Connection) -> None:
            async def body() -> None:
                rows = await conn.execute_fetchall("SELECT id FROM presets ORDER BY position, id")
                current = [int(r[0]) for r in rows]
                wanted = [i for i in dict.fromkeys(preset_ids) if i in current]
                order = wanted + [i for i in current if i not in wanted]
                await conn.executemany(
                    "UPDATE presets SET position = ?, updated_at = ? WHERE id = ?",
                    [(index, now, pid) for index, pid in enumerate(order)],
                )

            await db.transaction(conn, body)

        await self._repo.write("reorder the presets", op)
        return await self.list_presets()

    async def move(self, preset_id: int, offset: int) -> list[Preset]:
        """Move a preset up (negative ``offset``) or down in the menu."""
        ids = [p.id for p in await self.list_presets() if p.id is not None]
        if preset_id not in ids:
            raise PresetError(_GONE)
        index = ids.index(preset_id)
        target = max(0, min(len(ids) - 1, index + offset))
        ids.insert(target, ids.pop(index))
        return await self.reorder(ids)

    async def import_presets(self, presets: Sequence[Preset]) -> list[Preset]:
        """Add presets at the end, all or none; PresetError when any name is taken."""
        checked = [check_preset(replace(p, id=None)) for p in presets]
        now = self._repo.now()

        async def op(conn: aiosqlite.Connection) -> list[Preset]:
            async def body() -> list[Preset]:
                position = await _next_position(conn)
                added = []
                for offset, preset in enumerate(checked):
                    await _check_name_free(conn, preset.name)
                    added.append(await _insert(conn, preset, position + offset, now))
                return added

            return await db.transaction(conn, body)

        return await self._repo.write("import the presets", op)


def _read_seed(defaults_file: Path, marker: Path) -> str | None:
    if marker.exists():
        return None
    return defaults_file.read_text(encoding="utf-8")


def _write_marker(marker: Path) -> None:
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("The first-run presets were added once.\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not write %s: %s", marker, exc)


async def seed_first_run(store: PresetStore, defaults_file: Path, marker: Path) -> list[Preset]:
    """Store the shipped presets once, on first run; returns those added.

    Nothing is added when ``marker`` exists (presets were offered before: the user may have
    deleted them) or when presets already exist. A broken defaults file is logged and skipped
    (the marker is not written, so a fixed file seeds later).
    """
    try:
        text = await asyncio.to_thread(_read_seed, defaults_file, marker)
        if text is None:
            return []
        presets = import_presets(text)
    except (OSError, PresetError) as exc:
        log.error("could not read the first-run presets %s: %s", defaults_file, exc)
        return []
    added: list[Preset] = []
    if not await store.names():
        added = await store.import_presets(presets)
    await asyncio.to_thread(_write_marker, marker)
    return added
