"""PresetStore on a real SQLite file: CRUD, unique names, order, import, conversations, seeding."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk import paths
from chatdesk.core.presets import ModelParameters, Preset, PresetError, ProviderRouting
from chatdesk.storage import ChatRepository
from chatdesk.storage.presets import SEED_MARKER, PresetStore, seed_first_run

from .support import query

CODER = Preset(
    "Coder",
    model="anthropic/claude-sonnet-4.5",
    parameters=ModelParameters(temperature=0.1, top_k=20, seed=3, reasoning_effort="low"),
    routing=ProviderRouting(only=("anthropic",), allow_fallbacks=False, max_price={"prompt": 3.0}),
    system_prompt="Write code.",
    mcp_servers=frozenset({"calculator", "housekeeping"}),
    tool_approvals={"calculator": "allow_all"},
)


@pytest.fixture
def store(repo: ChatRepository) -> PresetStore:
    return PresetStore(repo)


def _names(presets: list[Preset]) -> list[str]:
    return [p.name for p in presets]


async def test_a_created_preset_comes_back_whole_in_menu_order(
    store: PresetStore, db_path: Path
) -> None:
    coder = await store.create(CODER)
    general = await store.create(Preset("General"))
    assert coder.id is not None and general.id is not None
    assert coder == Preset(**{**_fields(CODER), "id": coder.id})  # type: ignore[arg-type]
    assert _names(await store.list_presets()) == ["Coder", "General"]
    assert await store.get(coder.id) == coder
    assert await store.get(9999) is None
    row = query(db_path, "SELECT parameters, mcp_servers FROM presets WHERE id = ?", (coder.id,))
    assert row == [
        (
            '{"reasoning_effort":"low","seed":3,"temperature":0.1,"top_k":20}',
            '["calculator","housekeeping"]',
        )
    ]


def _fields(preset: Preset) -> dict[str, object]:
    return {name: getattr(preset, name) for name in preset.__dataclass_fields__}


async def test_two_presets_cannot_share_a_name_whatever_the_case(store: PresetStore) -> None:
    await store.create(Preset("Ärzte"))
    for name in ("ärzte", " ÄRZTE "):
        with pytest.raises(PresetError) as raised:
            await store.create(Preset(name))
        assert raised.value.user_message == (
            "A preset named “Ärzte” already exists. Choose another name."
        )
    other = await store.create(Preset("Other"))
    assert other.id is not None
    with pytest.raises(PresetError, match="“Ärzte” already exists"):
        await store.rename(other.id, "ärzte")
    assert _names(await store.list_presets()) == ["Ärzte", "Other"]


async def test_an_invalid_preset_is_refused_and_nothing_is_stored(store: PresetStore) -> None:
    bad = Preset("Hot", parameters=ModelParameters(temperature=5.0))
    with pytest.raises(PresetError, match="temperature must be between 0 and 2"):
        await store.create(bad)
    assert await store.list_presets() == []


async def test_update_rename_and_a_preset_that_is_gone(store: PresetStore) -> None:
    coder = await store.create(CODER)
    assert coder.id is not None
    changed = await store.update(
        Preset("Coder", id=coder.id, parameters=ModelParameters(temperature=0.5))
    )
    assert changed.parameters == ModelParameters(temperature=0.5)
    assert changed.mcp_servers == frozenset() and changed.model is None
    renamed = await store.rename(coder.id, "  Careful coder ")
    assert renamed.name == "Careful coder" and renamed.position == coder.position
    await store.delete(coder.id)
    with pytest.raises(PresetError, match="no longer exists"):
        await store.rename(coder.id, "x")
    with pytest.raises(PresetError, match="no longer exists"):
        await store.update(renamed)
    assert await store.delete(coder.id) is False


async def test_duplicate_places_a_numbered_copy_after_the_original(store: PresetStore) -> None:
    first = await store.create(CODER)
    await store.create(Preset("Last"))
    assert first.id is not None
    copy = await store.duplicate(first.id)
    again = await store.duplicate(first.id)
    assert copy.name == "Coder (copy)" and again.name == "Coder (copy 2)"
    assert copy.parameters == CODER.parameters and copy.mcp_servers == CODER.mcp_servers
    assert _names(await store.list_presets()) == ["Coder", "Coder (copy 2)", "Coder (copy)", "Last"]


async def test_reorder_and_move(store: PresetStore) -> None:
    a, b, c = [await store.create(Preset(n)) for n in "ABC"]
    assert a.id and b.id and c.id
    assert _names(await store.reorder([c.id, a.id])) == ["C", "A", "B"]
    assert _names(await store.move(b.id, -1)) == ["C", "B", "A"]
    assert _names(await store.move(c.id, -5)) == ["C", "B", "A"]
    assert _names(await store.move(c.id, 10)) == ["B", "A", "C"]
    with pytest.raises(PresetError):
        await store.move(999, 1)


async def test_import_is_all_or_nothing(store: PresetStore) -> None:
    await store.create(Preset("Taken"))
    with pytest.raises(PresetError, match="“Taken” already exists"):
        await store.import_presets([Preset("New one"), Preset("taken")])
    assert _names(await store.list_presets()) == ["Taken"]
    added = await store.import_presets([Preset("X", id=77), Preset("Y")])
    assert [p.name for p in added] == ["X", "Y"] and added[0].id != 77
    assert _names(await store.list_presets()) == ["Taken", "X", "Y"]


async def test_each_conversation_remembers_its_preset_and_loses_a_deleted_one(
    store: PresetStore, repo: ChatRepository
) -> None:
    preset = await store.create(CODER)
    assert preset.id is not None
    conv = await repo.create_conversation(preset_id=preset.id)
    stored = await repo.get_conversation(conv.id)
    assert stored is not None and stored.preset_id == preset.id
    await store.delete(preset.id)
    stored = await repo.get_conversation(conv.id)
    assert stored is not None and stored.preset_id is None


async def test_an_unreadable_stored_column_falls_back_to_defaults(
    store: PresetStore, db_path: Path
) -> None:
    preset = await store.create(CODER)
    query(db_path, "UPDATE presets SET parameters = '{oops' WHERE id = ?", (preset.id,))
    query(db_path, "UPDATE presets SET mcp_servers = '7' WHERE id = ?", (preset.id,))
    loaded = (await store.list_presets())[0]
    assert loaded.parameters == ModelParameters() and loaded.mcp_servers == frozenset()
    assert loaded.routing == CODER.routing


async def test_first_run_seeds_the_shipped_presets_once(store: PresetStore, data_dir: Path) -> None:
    marker = data_dir / SEED_MARKER
    defaults = paths.defaults_dir() / "presets.json"
    added = await seed_first_run(store, defaults, marker)
    assert [p.name for p in added][:3] == [
        "General assistant",
        "Precise coder",
        "Researcher with tools",
    ]
    assert marker.exists()
    assert await seed_first_run(store, defaults, marker) == []
    for preset in await store.list_presets():
        assert preset.id is not None
        await store.delete(preset.id)
    assert await seed_first_run(store, defaults, marker) == []  # deleted stays deleted
    assert await store.list_presets() == []


async def test_a_broken_defaults_file_seeds_nothing_and_is_retried(
    store: PresetStore, data_dir: Path
) -> None:
    broken = data_dir / "broken.json"
    broken.write_text("[{")
    marker = data_dir / SEED_MARKER
    assert await seed_first_run(store, broken, marker) == []
    assert not marker.exists()
    await store.create(Preset("Mine"))
    assert await seed_first_run(store, paths.defaults_dir() / "presets.json", marker) == []
    assert marker.exists()  # an existing user's presets are never mixed with the defaults
    assert _names(await store.list_presets()) == ["Mine"]
