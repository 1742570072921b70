"""Sampling and elicitation without a window: what a server's request becomes (the model, the
token cap, the form's fields), what the user's answers are checked against, and the tool
call's deadline held while the user answers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from mcp import types

from chatdesk.core.models import ModelInfo
from chatdesk.mcp.elicitation import (
    ElicitationAnswer,
    ElicitationRequest,
    Elicitor,
    UnsupportedForm,
    check_values,
    form_fields,
)
from chatdesk.mcp.in_flight import UNKNOWN, InFlightCalls
from chatdesk.mcp.request_record import ServerRequestRecord
from chatdesk.mcp.sampling import MAX_SAMPLING_TOKENS, SamplingError, choose_model, sampling_request

CATALOGUE = [
    ModelInfo("anthropic/claude-3.5-sonnet", max_completion_tokens=8192),
    ModelInfo("anthropic/claude-3.5-sonnet:beta"),
    ModelInfo("openai/gpt-4o-mini", max_completion_tokens=16384),
    ModelInfo("meta-llama/llama-3-8b-instruct"),
]


def _params(**fields: Any) -> types.CreateMessageRequestParams:
    raw: dict[str, Any] = {
        "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
        "maxTokens": 100,
        **fields,
    }
    return types.CreateMessageRequestParams.model_validate(raw)


def test_the_model_follows_the_servers_hints_else_the_active_one() -> None:
    assert choose_model(["gpt-4o-mini"], "x/active", CATALOGUE) == (
        "openai/gpt-4o-mini",
        "gpt-4o-mini",
    )
    # Containment prefers the plain model to its variants; hints are tried in order.
    assert choose_model(["nope", "claude-3.5"], "x/active", CATALOGUE)[0] == (
        "anthropic/claude-3.5-sonnet"
    )
    assert choose_model(["gemini"], "x/active", CATALOGUE) == ("x/active", None)
    assert choose_model([], "x/active", CATALOGUE) == ("x/active", None)


def test_a_request_for_a_million_tokens_is_capped_and_says_so() -> None:
    request = sampling_request(
        "srv", 7, _params(maxTokens=1_000_000), active_model="x/active", catalogue=CATALOGUE
    )
    assert request.max_tokens == MAX_SAMPLING_TOKENS and request.asked_max_tokens == 1_000_000
    assert request.notes == ("The server asked for up to 1,000,000 tokens; capped at 16,384.",)
    hinted = sampling_request(
        "srv",
        7,
        _params(maxTokens=50_000, modelPreferences={"hints": [{"name": "claude-3.5-sonnet"}]}),
        active_model="x/active",
        catalogue=CATALOGUE,
    )
    assert hinted.model == "anthropic/claude-3.5-sonnet" and hinted.max_tokens == 8192


def test_what_cannot_be_sampled_is_refused_with_a_reason() -> None:
    with pytest.raises(SamplingError, match="tool use"):
        sampling_request(
            "srv",
            None,
            _params(tools=[{"name": "t", "inputSchema": {"type": "object"}}]),
            active_model="m",
            catalogue=(),
        )
    context = sampling_request(
        "srv", None, _params(includeContext="allServers"), active_model="m", catalogue=()
    )
    assert context.notes == ("The server asked for context from the chat; none is shared.",)


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Name", "minLength": 2},
        "email": {"type": "string", "format": "email"},
        "born": {"type": "string", "format": "date"},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "ok": {"type": "boolean", "default": True},
        "color": {"type": "string", "enum": ["r", "g"], "enumNames": ["Red", "Green"]},
        "hero": {"type": "string", "oneOf": [{"const": "h1", "title": "Superman"}]},
        "tags": {
            "type": "array",
            "items": {"type": "string", "enum": ["a", "b", "c"]},
            "maxItems": 2,
        },
    },
    "required": ["name", "age"],
}


def test_a_form_is_read_and_checked_field_by_field() -> None:
    fields = form_fields(SCHEMA)
    kinds = {f.name: (f.kind, f.required) for f in fields}
    assert kinds == {
        "name": ("string", True),
        "email": ("string", False),
        "born": ("string", False),
        "age": ("integer", True),
        "ok": ("boolean", False),
        "color": ("choice", False),
        "hero": ("choice", False),
        "tags": ("choices", False),
    }
    assert next(f for f in fields if f.name == "color").options == (("r", "Red"), ("g", "Green"))
    content, problems = check_values(
        fields,
        {"name": "A", "email": "nope", "born": "2020-13-01", "age": "7.5", "tags": ["a"] * 3},
    )
    assert problems == {
        "name": "At least 2 characters",
        "email": "Enter an email address, like name@example.com",
        "born": "Enter a date as YYYY-MM-DD",
        "age": "Enter a whole number",
        "tags": "Choose at most 2",
    }
    content, problems = check_values(
        fields, {"name": "Ada", "age": "36", "ok": False, "color": "g", "tags": ["a", "c"]}
    )
    assert problems == {}
    assert content == {"name": "Ada", "age": 36, "ok": False, "color": "g", "tags": ["a", "c"]}
    assert check_values(fields, {"name": "Ada"})[1] == {"age": "Required"}
    assert check_values(fields, {"name": "Ada", "age": "200"})[1] == {"age": "At most 150"}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"properties": {"a": {"type": "object"}}}, "the field 'a' is of type object"),
        ({"properties": {"a": {"type": "array", "items": {"type": "string"}}}}, "free values"),
        ({"properties": {"a": {"type": "string", "format": "ipv4"}}}, "format 'ipv4'"),
        ({"type": "array"}, "not an object"),
    ],
)
def test_a_form_outside_the_spec_is_refused_naming_the_field(
    schema: dict[str, Any], message: str
) -> None:
    with pytest.raises(UnsupportedForm, match=message):
        form_fields(schema)


class _Answers:
    def __init__(self, answer: ElicitationAnswer) -> None:
        self.answer = answer
        self.asked: list[ElicitationRequest] = []

    async def elicit(self, request: ElicitationRequest) -> ElicitationAnswer:
        self.asked.append(request)
        return self.answer


async def test_an_unsupported_form_can_only_be_declined_and_is_recorded() -> None:
    records: list[ServerRequestRecord] = []

    async def record(entry: ServerRequestRecord) -> None:
        records.append(entry)

    asker = _Answers(ElicitationAnswer("accept", {"a": 1}))
    elicitor = Elicitor(asker, record=record)
    params = types.ElicitRequestFormParams(
        message="Where?",
        requested_schema={"type": "object", "properties": {"a": {"type": "object"}}},
    )
    result = await elicitor.serve("srv", 3, params)
    assert result.action == "decline" and result.content is None
    assert asker.asked[0].problem == (
        "chatdesk cannot show this form: the field 'a' is of type object."
    )
    assert [(r.kind, r.status, r.conversation_id) for r in records] == [
        ("elicitation", "declined", 3)
    ]


async def test_a_held_call_outlives_its_timeout_and_ending_it_withdraws_the_card() -> None:
    calls = InFlightCalls()
    assert calls.conversation_of("srv") is UNKNOWN
    abandoned = asyncio.Event()
    answered = asyncio.Event()

    async def user() -> None:  # a card that waits longer than the call's timeout
        with calls.waiting_for_user("srv", abandon=abandoned.set):
            await asyncio.sleep(0.3)
        answered.set()

    async with calls.call("srv", 9, timeout_s=0.1) as handle:
        assert calls.conversation_of("srv") == 9
        waiting = asyncio.ensure_future(user())
        await answered.wait()  # past the timeout, and not cut short
    await waiting
    assert not abandoned.is_set()
    assert handle.held_s >= 0.29  # left out of the call's duration

    # Not held: the timeout ends the call, and a card still waiting is told so.
    started = asyncio.Event()

    async def forgotten() -> None:
        with calls.waiting_for_user("srv", abandon=abandoned.set):
            started.set()
            await asyncio.Event().wait()

    with pytest.raises(TimeoutError):
        async with calls.call("srv", 9, timeout_s=0.1):
            await asyncio.Event().wait()
    async with calls.call("srv", 9, timeout_s=5):
        card = asyncio.ensure_future(forgotten())
        await started.wait()
    assert abandoned.is_set()
    card.cancel()
