"""Presets: validation, filtering against the model, TurnConfig, export/import, and a turn sent
through the real orchestrator and client to the fake OpenRouter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatdesk import paths
from chatdesk.core.events import TurnDone, TurnEvent
from chatdesk.core.models import ModelInfo, ToolCall, ToolSpec
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.core.ports import ToolResult
from chatdesk.core.preset_json import export_presets, import_presets, preset_from_json
from chatdesk.core.preset_tools import PresetToolHost, approval_overrides, server_plan
from chatdesk.core.presets import (
    ModelParameters,
    Preset,
    PresetError,
    ProviderRouting,
    TurnDefaults,
    apply_preset,
    check_preset,
    filter_parameters,
    preset_problems,
    turn_config,
    unique_name,
    unsupported_parameters,
)
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.presets import PresetStore
from chatdesk.storage.repository import ChatRepository
from fakes.openrouter import FakeOpenRouter

GPT = ModelInfo(
    "openai/gpt-4o-mini",
    supported_parameters=("max_tokens", "temperature", "tools", "tool_choice", "seed"),
)
R1 = ModelInfo("deepseek/deepseek-r1:free", supported_parameters=("reasoning", "max_tokens"))
LOCAL = ModelInfo("llama3")  # an OpenAI-compatible server that lists no supported parameters

FULL = Preset(
    name="Full",
    model="openai/gpt-4o-mini",
    parameters=ModelParameters(
        temperature=0.3,
        top_p=0.8,
        top_k=40,
        max_tokens=500,
        frequency_penalty=0.5,
        presence_penalty=-0.5,
        repetition_penalty=1.1,
        seed=7,
        reasoning_effort="high",
    ),
    routing=ProviderRouting(
        order=("openai", "azure"),
        ignore=("deepinfra",),
        allow_fallbacks=False,
        data_collection="deny",
        sort="price",
        max_price={"prompt": 1.0, "completion": 2.5},
    ),
    system_prompt="Be terse.",
    mcp_servers=frozenset({"calculator"}),
    tool_approvals={"calculator": "allow_all"},
    id=4,
)


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (ModelParameters(temperature=3.0), "temperature must be between 0 and 2 (got 3.0)"),
        (ModelParameters(top_p=-0.1), "top_p must be between 0 and 1 (got -0.1)"),
        (ModelParameters(top_k=-1), "top_k must be at least 0 (got -1)"),
        (ModelParameters(max_tokens=0), "max_tokens must be at least 1 (got 0)"),
        (ModelParameters(presence_penalty=2.5), "presence_penalty must be between -2 and 2"),
        (ModelParameters(seed=1.5), "seed must be a whole number (got 1.5)"),  # type: ignore[arg-type]
        (ModelParameters(reasoning_effort="max"), "reasoning effort must be one of none, minimal"),
    ],
)
def test_out_of_range_parameters_are_named_with_their_limits(
    parameters: ModelParameters, message: str
) -> None:
    problems = preset_problems(Preset("P", parameters=parameters))
    assert len(problems) == 1 and problems[0].startswith(message)


def test_names_routing_and_approvals_are_checked_with_specific_messages() -> None:
    assert preset_problems(Preset("  ")) == ["A preset needs a name."]
    assert "at most 60 characters (this one has 61)" in preset_problems(Preset("x" * 61))[0]
    assert "line breaks" in preset_problems(Preset("a\nb"))[0]
    assert preset_problems(Preset("P", model="open ai/x")) == [
        "the model id “open ai/x” cannot contain spaces"
    ]
    routing = ProviderRouting(only=("openai",), ignore=("openai",), sort="cheapest")
    assert preset_problems(Preset("P", routing=routing)) == [
        "openai cannot be both in “only” and in “ignore”",
        "sort must be one of price, throughput, latency (got 'cheapest')",
    ]
    bad_price = ProviderRouting(max_price={"prompt": -1.0, "tokens": 2.0})
    assert preset_problems(Preset("P", routing=bad_price)) == [
        "max_price prompt must be 0 or more (got -1.0)",
        "max_price has unknown key “tokens” (use prompt, completion, request, image)",
    ]
    approvals = Preset("P", tool_approvals={"web": "allow_all"})
    assert preset_problems(approvals) == [
        "tool approval for “web”, which is not one of its MCP servers"
    ]
    with pytest.raises(PresetError) as raised:
        check_preset(Preset("Coder", parameters=ModelParameters(temperature=9.0)))
    assert raised.value.user_message == (
        "Preset “Coder”: temperature must be between 0 and 2 (got 9.0)."
    )
    assert check_preset(Preset("  Coder ", model=" m/x ")) == Preset("Coder", model="m/x")


def test_unique_name_counts_copies_without_regard_to_case() -> None:
    assert unique_name("Coder", ["other"]) == "Coder"
    assert unique_name("Coder", ["coder"]) == "Coder (copy)"
    assert unique_name("Coder", ["Coder", "CODER (copy)"]) == "Coder (copy 2)"
    long = unique_name("x" * 60, ["x" * 60])
    assert len(long) == 60 and long.endswith(" (copy)")


# --- the model's supported parameters -----------------------------------------------------------


def test_unsupported_parameters_are_dropped_with_the_reason() -> None:
    filtered = filter_parameters(FULL.parameters, GPT)
    assert filtered.parameters == {"temperature": 0.3, "max_tokens": 500, "seed": 7}
    assert filtered.reasoning == {}
    dropped = {d.parameter: d.reason for d in filtered.dropped}
    assert set(dropped) == {
        "top_p",
        "top_k",
        "frequency_penalty",
        "presence_penalty",
        "repetition_penalty",
        "reasoning_effort",
    }
    assert (
        dropped["top_k"] == "openai/gpt-4o-mini does not support top k (top_k), so it is not sent."
    )
    assert set(unsupported_parameters(GPT)) == set(dropped)

    r1 = filter_parameters(FULL.parameters, R1)
    assert r1.parameters == {"max_tokens": 500}
    assert r1.reasoning == {"effort": "high"}


def test_a_model_whose_support_is_unknown_gets_every_parameter() -> None:
    for info in (LOCAL, None):
        filtered = filter_parameters(FULL.parameters, info)
        assert filtered.dropped == ()
        assert len(filtered.parameters) == 8 and filtered.reasoning == {"effort": "high"}
        assert unsupported_parameters(info) == {}


def test_turn_config_from_a_preset_and_the_defaults() -> None:
    defaults = TurnDefaults(
        system_prompt="Default prompt", title_model="t/m", generate_titles=False
    )
    config = turn_config(FULL, "openai/gpt-4o-mini", GPT, defaults)
    assert config.model == "openai/gpt-4o-mini"
    assert config.system_prompt == "Be terse."
    assert dict(config.parameters) == {"temperature": 0.3, "max_tokens": 500, "seed": 7}
    assert dict(config.provider_routing) == {
        "order": ["openai", "azure"],
        "ignore": ["deepinfra"],
        "allow_fallbacks": False,
        "data_collection": "deny",
        "sort": "price",
        "max_price": {"prompt": 1.0, "completion": 2.5},
    }
    assert config.preset_id == 4 and config.title_model == "t/m" and not config.generate_titles

    plain = turn_config(Preset("No prompt"), "x/y", None, defaults)
    assert plain.system_prompt == "Default prompt" and plain.preset_id is None
    assert plain.parameters == {} and plain.provider_routing == {} and plain.reasoning == {}
    assert turn_config(None, "x/y", None, defaults).system_prompt == "Default prompt"


def test_applying_a_preset_whose_model_is_gone_keeps_the_current_model_and_says_so() -> None:
    gone = Preset("Old", model="vendor/retired", parameters=ModelParameters(temperature=0.2))
    applied = apply_preset(gone, current_model="openai/gpt-4o-mini", models=[GPT, R1])
    assert applied.model == "openai/gpt-4o-mini"
    assert applied.missing_model == "vendor/retired"
    assert applied.dropped == ()
    assert "“vendor/retired” is not available: kept openai/gpt-4o-mini" in applied.message

    ok = apply_preset(FULL, current_model="deepseek/deepseek-r1:free", models=[GPT, R1])
    assert ok.model == "openai/gpt-4o-mini" and ok.missing_model is None
    assert ok.message.startswith("Preset “Full” applied · openai/gpt-4o-mini · not supported")
    # No catalogue yet (offline, first start): the preset's model is used as it is.
    unknown = apply_preset(gone, current_model="a/b", models=[])
    assert unknown.model == "vendor/retired" and unknown.missing_model is None
    # A preset without a model keeps the chosen one.
    assert apply_preset(Preset("Any"), current_model="a/b", models=[GPT]).model == "a/b"


def test_server_plan_enables_only_the_presets_servers() -> None:
    plan = server_plan(FULL, ["calculator", "housekeeping", "web"])
    assert plan.enabled == {"calculator"} and plan.overrides is not None
    assert plan.overrides("calculator__add", "calculator") == "allow_all"
    assert plan.missing == ()
    researcher = Preset("R", mcp_servers=frozenset({"calculator", "gone"}))
    assert server_plan(researcher, ["calculator"]).missing == ("gone",)
    assert server_plan(None, ["a", "b"]).enabled == {"a", "b"}
    assert server_plan(Preset("No tools"), ["a"]).enabled == frozenset()


def test_tool_overrides_expand_server_entries_and_a_tools_own_entry_wins() -> None:
    preset = Preset(
        "P",
        mcp_servers=frozenset({"calc", "files"}),
        tool_approvals={"calc": "allow_all", "files__delete": "ask", "files": "allow_read_only"},
    )
    assert preset_problems(preset) == []
    tools = [("calc__add", "calc"), ("files__read", "files"), ("files__delete", "files")]
    tools.append(("web__get", "web"))
    override = approval_overrides(preset)
    assert override is not None
    assert {name: override(name, server) for name, server in tools} == {
        "calc__add": "allow_all",
        "files__read": "allow_read_only",
        "files__delete": "ask",
        "web__get": None,
    }
    assert approval_overrides(None) is None and approval_overrides(Preset("No rules")) is None
    stray = Preset("S", mcp_servers=frozenset({"calc"}), tool_approvals={"web__get": "allow_all"})
    assert preset_problems(stray) == [
        "tool approval for “web__get”, which is not one of its MCP servers"
    ]


class _Tools:
    def __init__(self) -> None:
        self.called: list[str] = []

    def tool_specs(self) -> list[ToolSpec]:
        return [ToolSpec(n, n, {"type": "object"}) for n in ("calc__add", "time__now")]

    async def call_tool(self, call: ToolCall, **kwargs: Any) -> ToolResult:
        self.called.append(call.name)
        return ToolResult("ok", server_id=call.name.split("__")[0])


async def test_the_preset_tool_host_offers_only_its_servers_tools() -> None:
    inner = _Tools()
    host = PresetToolHost(inner, lambda name: name.split("__")[0])
    assert [s.name for s in host.tool_specs()] == ["calc__add", "time__now"]
    host.set_allowed({"calc"})
    assert [s.name for s in host.tool_specs()] == ["calc__add"]
    refused = await host.call_tool(ToolCall("1", "time__now", "{}"))
    assert refused.is_error and "not enabled in the active preset" in refused.content
    assert (await host.call_tool(ToolCall("2", "calc__add", "{}"))).content == "ok"
    assert inner.called == ["calc__add"]
    host.set_allowed(())
    assert host.tool_specs() == []


# --- export and import --------------------------------------------------------------------------


def test_export_then_import_gives_the_same_presets_without_ids() -> None:
    text = export_presets([FULL, Preset("Second", model="m/x")])
    document = json.loads(text)
    assert document["format"] == "chatdesk-presets" and document["version"] == 1
    assert "id" not in document["presets"][0]
    back = import_presets(text)
    assert back[0] == Preset(
        **{**{f: getattr(FULL, f) for f in FULL.__dataclass_fields__}, "id": None}  # type: ignore[arg-type]
    )
    assert back[1] == Preset("Second", model="m/x")


def test_export_never_carries_secrets() -> None:
    secret = "my-deepgram-secret-value"
    leaky = Preset("Leaky", system_prompt=f"key sk-or-v1-abcdef0123456789 and {secret}")
    text = export_presets([leaky], secrets=[secret])
    assert "sk-or-v1-abcdef0123456789" not in text and secret not in text
    assert "[REDACTED]" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "The file is not valid JSON"),
        ("[]", "The file holds no presets"),
        ('{"format": "other", "presets": []}', "not a chatdesk presets file"),
        ('{"version": 9, "presets": [{"name": "A"}]}', "written by a newer chatdesk"),
        (
            '[{"name": "A", "parameters": {"temperature": "hot"}}]',
            "#1: Preset “A”: temperature must be a number (got 'hot').",
        ),
        ('[{"name": "A", "api_key": "sk-1"}]', "“api_key” looks like a secret"),
        ('[{"name": "A", "parameters": {"temprature": 1}}]', "unknown parameter “temprature”"),
        ('[{"name": "A"}, {"name": "a"}]', "the file has two presets named “a”"),
        ('[{"name": "Taken"}]', "a preset named “Taken” already exists"),
        ('[{"name": "B"}, {"name": 5}]', "#2: The preset: “name” must be text"),
    ],
)
def test_an_invalid_import_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PresetError) as raised:
        import_presets(text, existing_names=["taken"])
    assert message in raised.value.user_message


def test_one_preset_object_or_a_bare_list_imports_too() -> None:
    assert import_presets('{"name": "Solo", "model": "a/b"}') == [Preset("Solo", model="a/b")]
    assert [p.name for p in import_presets('[{"name": "X"}, {"name": "Y"}]')] == ["X", "Y"]
    assert preset_from_json({"name": "Ints", "parameters": {"temperature": 1}}).parameters == (
        ModelParameters(temperature=1.0)
    )


def test_the_shipped_presets_are_valid_and_include_a_researcher_with_tools() -> None:
    presets = import_presets((paths.defaults_dir() / "presets.json").read_text())
    by_name = {p.name: p for p in presets}
    assert len(presets) >= 3
    assert by_name["Precise coder"].parameters.temperature is not None
    assert by_name["Precise coder"].parameters.temperature <= 0.2
    assert by_name["Researcher with tools"].mcp_servers == {"calculator", "housekeeping"}


# --- a real turn ---------------------------------------------------------------------------------


async def _turn(orchestrator: ChatOrchestrator, conv: int, text: str, config: object) -> TurnEvent:
    events = [e async for e in orchestrator.send(conv, text, config)]  # type: ignore[arg-type]
    assert isinstance(events[-1], TurnDone), events[-1]
    return events[-1]


async def test_a_preset_turn_sends_exactly_its_settings_and_no_unsupported_parameter(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    models = await provider.list_models()
    catalogue = {m.id: m for m in models}
    defaults = TurnDefaults(system_prompt="Default", generate_titles=False)
    orchestrator = ChatOrchestrator(repo, provider, model_info=catalogue.get)
    conv = await repo.create_conversation()
    stored_full = await PresetStore(repo).create(FULL)
    assert stored_full.id is not None

    applied = apply_preset(stored_full, current_model="deepseek/deepseek-r1:free", models=models)
    config = turn_config(stored_full, applied.model, catalogue.get(applied.model), defaults)
    done = await _turn(orchestrator, conv.id, "Hello", config)

    body = fake_openrouter.requests_to()[-1].json
    assert body["model"] == "openai/gpt-4o-mini"
    assert body["messages"] == [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "Hello"},
    ]
    assert body["provider"] == {
        "order": ["openai", "azure"],
        "ignore": ["deepinfra"],
        "allow_fallbacks": False,
        "data_collection": "deny",
        "sort": "price",
        "max_price": {"prompt": 1.0, "completion": 2.5},
    }
    sampling = {k: v for k, v in body.items() if k in FULL.parameters.as_dict()}
    assert sampling == {"temperature": 0.3, "max_tokens": 500, "seed": 7}
    assert "reasoning" not in body and "top_p" not in body and "top_k" not in body
    assert isinstance(done, TurnDone) and done.message.model == "openai/gpt-4o-mini"
    stored = await repo.get_conversation(conv.id)
    assert (
        stored is not None
        and stored.preset_id == stored_full.id
        and stored.model == "openai/gpt-4o-mini"
    )

    # Switching to another preset mid-conversation: its settings, the same history.
    thinker = Preset(
        "Thinker",
        model="deepseek/deepseek-r1:free",
        parameters=ModelParameters(temperature=1.5, reasoning_effort="low", max_tokens=64),
        system_prompt="Think hard.",
    )
    config2 = turn_config(
        thinker, "deepseek/deepseek-r1:free", catalogue.get(thinker.model or ""), defaults
    )
    await _turn(orchestrator, conv.id, "Again", config2)
    body2 = fake_openrouter.requests_to()[-1].json
    assert body2["model"] == "deepseek/deepseek-r1:free"
    assert body2["reasoning"] == {"effort": "low"} and body2["max_tokens"] == 64
    assert "temperature" not in body2 and "provider" not in body2
    assert [m["content"] for m in body2["messages"]] == ["Think hard.", "Hello", "Hello", "Again"]
    answers = [m for m in await repo.list_messages(conv.id) if m.role == "assistant"]
    assert [m.model for m in answers] == ["openai/gpt-4o-mini", "deepseek/deepseek-r1:free"]
