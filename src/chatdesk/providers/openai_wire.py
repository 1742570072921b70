"""The OpenAI-compatible wire format: request bodies out, typed events and models in.

Pure functions and one incremental parser, no I/O; dicts from the wire stop here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chatdesk.core.events import (
    Finished,
    ReasoningDelta,
    StreamEvent,
    StreamStarted,
    TextDelta,
    ToolCallsRequested,
    UsageReported,
)
from chatdesk.core.models import (
    ChatRequest,
    ContentPart,
    ModelInfo,
    RequestMessage,
    ToolCall,
    Usage,
)
from chatdesk.errors import ProviderConnectionError, StreamError
from chatdesk.providers.http_errors import DROPPED_MESSAGE
from chatdesk.providers.sse import DONE, SSEDecoder

log = logging.getLogger(__name__)
_json_decode = json.JSONDecoder().decode  # json.loads minus its per-call checks (hot path)

# --- requests ---------------------------------------------------------------------------------


def part_json(part: ContentPart) -> dict[str, Any]:
    """One content part: ``text``, ``image_url`` {url}, or OpenRouter's ``file`` {filename,
    file_data} (a data: URL or an https: URL)."""
    if part.type == "image_url":
        return {"type": "image_url", "image_url": {"url": part.url}}
    if part.type == "file":
        return {"type": "file", "file": {"filename": part.filename, "file_data": part.url}}
    return {"type": "text", "text": part.text}


def content_json(message: RequestMessage) -> str | list[dict[str, Any]]:
    """``content`` of a message: a string, or a content array when it has image or file parts.

    Text-only parts (inlined text files) are joined into the string, which every
    OpenAI-compatible server accepts; the text prompt comes first, then the parts.
    """
    if not message.parts:
        return message.content
    if all(p.type == "text" for p in message.parts):
        return "\n\n".join(t for t in (message.content, *(p.text for p in message.parts)) if t)
    head = [{"type": "text", "text": message.content}] if message.content else []
    return head + [part_json(p) for p in message.parts]


def message_json(message: RequestMessage) -> dict[str, Any]:
    """One chat message in OpenAI's shape (assistant tool_calls, role tool with tool_call_id)."""
    out: dict[str, Any] = {"role": message.role, "content": content_json(message)}
    if message.tool_calls:
        out["content"] = message.content or None
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in message.tool_calls
        ]
    if message.tool_call_id is not None:
        out["tool_call_id"] = message.tool_call_id
    if message.name:
        out["name"] = message.name
    return out


def chat_body(request: ChatRequest, *, stream: bool, openrouter: bool) -> dict[str, Any]:
    """The JSON body of POST /chat/completions for ``request``.

    Sampling parameters are merged in first, so they cannot override model, messages or stream.
    Usage in streams is asked for the OpenRouter way (``usage.include``) or the OpenAI way
    (``stream_options.include_usage``: Ollama, llama.cpp, vLLM, LM Studio). Provider routing
    and reasoning are OpenRouter fields, sent only to OpenRouter and only when not empty.
    """
    body: dict[str, Any] = dict(request.parameters)
    body["model"] = request.model
    body["messages"] = [message_json(m) for m in request.messages]
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": dict(tool.parameters),
                },
            }
            for tool in request.tools
        ]
    body["stream"] = stream
    if stream:
        if openrouter:
            body["usage"] = {"include": True}
        else:
            body["stream_options"] = {"include_usage": True}
    if openrouter:
        if request.provider_routing:
            body["provider"] = dict(request.provider_routing)
        if request.reasoning:
            body["reasoning"] = dict(request.reasoning)
    return body


# --- responses --------------------------------------------------------------------------------


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def optional_float(value: Any) -> float | None:
    """A number from JSON (numbers or numeric strings); None when absent or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_usage(raw: Mapping[str, Any]) -> Usage:
    """Usage from a usage object; missing fields are 0 (cost None when the server gives none)."""
    prompt_details = raw.get("prompt_tokens_details")
    completion_details = raw.get("completion_tokens_details")
    prompt = _int(raw.get("prompt_tokens"))
    completion = _int(raw.get("completion_tokens"))
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=_int(raw.get("total_tokens")) or prompt + completion,
        cost=optional_float(raw.get("cost")),
        cached_tokens=_int(prompt_details.get("cached_tokens"))
        if isinstance(prompt_details, dict)
        else 0,
        reasoning_tokens=_int(completion_details.get("reasoning_tokens"))
        if isinstance(completion_details, dict)
        else 0,
    )


def error_text(error: Any) -> tuple[str, str | int | None]:
    """(message, code) of an ``error`` member (object or plain string)."""
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        return (
            str(message) if message else "unknown error",
            code if isinstance(code, str | int) and not isinstance(code, bool) else None,
        )
    return (str(error) if error else "unknown error", None)


class _ToolCallBuffer:
    """Tool-call fragments accumulated by index: id and name first seen, arguments joined."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls: dict[int, tuple[list[str], list[str]]] = {}

    def add(self, fragments: list[Any]) -> None:
        for fragment in fragments:
            if not isinstance(fragment, dict):
                continue
            index = fragment.get("index")
            frag_id = fragment.get("id")
            if not isinstance(index, int):
                # Servers that omit the index: a new id starts a new call.
                last = max(self.calls, default=None)
                if last is None:
                    index = 0
                else:
                    last_id = self.calls[last][0][0]
                    index = last + 1 if frag_id and last_id and frag_id != last_id else last
            slot = self.calls.get(index)
            if slot is None:
                slot = self.calls[index] = (["", ""], [])
            ident = slot[0]
            if frag_id and not ident[0]:
                ident[0] = str(frag_id)
            function = fragment.get("function")
            if isinstance(function, dict):
                name = function.get("name")
                if name and not ident[1]:
                    ident[1] = str(name)
                arguments = function.get("arguments")
                if isinstance(arguments, str):
                    if arguments:
                        slot[1].append(arguments)
                elif arguments is not None:  # some servers send an object, not JSON text
                    slot[1].append(json.dumps(arguments))

    def take(self) -> tuple[ToolCall, ...]:
        calls = tuple(
            ToolCall(
                id=ident[0] or f"call_{index}",
                name=ident[1],
                arguments="".join(parts) or "{}",
            )
            for index, (ident, parts) in sorted(self.calls.items())
        )
        self.calls.clear()
        return calls


class StreamParser:
    """Turns the bytes of a chat-completions SSE stream into typed events.

    ``feed`` returns the events each network chunk completed; ``finish`` returns the last ones
    at end of stream. Guarantees for a stream that ends well: one StreamStarted first, tool calls
    once (before Finished), exactly one Finished (the first finish_reason; synthesized when the
    server ends with [DONE] but sent none), then UsageReported when the server sent usage.
    Raises StreamError for a mid-stream error chunk and ProviderConnectionError when the stream
    ends without [DONE] and without a finish_reason.
    """

    def __init__(
        self,
        *,
        model: str,
        generation_id: str | None = None,
        redact: Callable[[str], str] = str,
    ) -> None:
        self.model = model
        self.generation_id = generation_id
        self.done = False
        self.started = False
        self._redact = redact
        self._decoder = SSEDecoder()
        self._finished = False
        self._tools = _ToolCallBuffer()
        self._usage: dict[str, Any] | None = None

    def feed(self, raw: bytes) -> list[StreamEvent]:
        """Events completed by this chunk of the response body."""
        out: list[StreamEvent] = []
        if not self.done:
            for event in self._decoder.feed(raw):
                data = event.data
                if data == DONE:
                    self.done = True
                    break
                self._chunk(data, out)
        return out

    def finish(self) -> list[StreamEvent]:
        """Events due at end of stream; raises if the stream was cut short."""
        out: list[StreamEvent] = []
        if not self.done:
            for event in self._decoder.finish():
                if event.data == DONE:
                    self.done = True
                    break
                self._chunk(event.data, out)
        if not self.done and not self._finished:
            raise ProviderConnectionError(DROPPED_MESSAGE, detail="stream ended without [DONE]")
        if self._tools.calls:
            out.append(ToolCallsRequested(self._tools.take()))
        if not self._finished:
            self._finished = True
            out.append(Finished("stop"))
        if self._usage is not None:
            out.append(UsageReported(parse_usage(self._usage)))
            self._usage = None
        return out

    def completion(self, payload: Any) -> list[StreamEvent]:
        """Events for a whole (non-streamed) completion object, as if it had been streamed."""
        if not isinstance(payload, dict):
            raise StreamError("The server sent an answer chatdesk cannot read.")
        self._check_error(payload)
        out: list[StreamEvent] = [self._started(payload)]
        choice = _first_choice(payload)
        message = choice.get("message") if choice else None
        if isinstance(message, dict):
            reasoning = message.get("reasoning") or message.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning:
                out.append(ReasoningDelta(reasoning))
            content = message.get("content")
            if isinstance(content, str) and content:
                out.append(TextDelta(content))
            calls = message.get("tool_calls")
            if isinstance(calls, list):
                self._tools.add(
                    [dict(c, index=i) for i, c in enumerate(calls) if isinstance(c, dict)]
                )
        if self._tools.calls:
            out.append(ToolCallsRequested(self._tools.take()))
        reason = choice.get("finish_reason") if choice else None
        self._finished = True
        self.done = True
        out.append(Finished(str(reason) if reason else "stop"))
        usage = payload.get("usage")
        if isinstance(usage, dict):
            out.append(UsageReported(parse_usage(usage)))
        return out

    # --- internals -------------------------------------------------------------------------------

    def _started(self, chunk: dict[str, Any]) -> StreamStarted:
        self.started = True
        chunk_id = chunk.get("id")
        model = chunk.get("model")
        return StreamStarted(
            generation_id=self.generation_id or (str(chunk_id) if chunk_id else None),
            model=str(model) if model else self.model,
        )

    def _check_error(self, chunk: dict[str, Any]) -> None:
        error = chunk.get("error")
        if error is None and chunk.get("object") == "error":  # vLLM's shape
            error = chunk
        if error is not None:
            message, code = error_text(error)
            raise StreamError(
                f"The answer stopped with an error from the server: {self._redact(message)}",
                detail=self._redact(json.dumps(chunk)[:2000]),
                code=code,
            )

    def _chunk(self, data: str, out: list[StreamEvent]) -> None:
        try:
            chunk = _json_decode(data)
        except ValueError:
            log.debug("skipping a data line that is not JSON: %.80r", data)
            return
        if not isinstance(chunk, dict):
            return
        if "error" in chunk or chunk.get("object") == "error":
            self._check_error(chunk)
        if not self.started:
            out.append(self._started(chunk))
        choices = chunk.get("choices")
        if choices:
            choice = choices[0]
            delta = choice.get("delta")
            if delta:
                reasoning = delta.get("reasoning")
                if reasoning is None:
                    reasoning = delta.get("reasoning_content")
                if reasoning:
                    out.append(ReasoningDelta(reasoning))
                content = delta.get("content")
                if content:
                    out.append(TextDelta(content))
                tool_calls = delta.get("tool_calls")
                if tool_calls:
                    self._tools.add(tool_calls)
            reason = choice.get("finish_reason")
            if reason and not self._finished:
                self._finished = True
                if self._tools.calls:
                    out.append(ToolCallsRequested(self._tools.take()))
                out.append(Finished(str(reason)))
        usage = chunk.get("usage")
        if usage:
            self._usage = usage


def _first_choice(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    choices = payload.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    return None


def completion_text(payload: Any) -> str:
    """``choices[0].message.content`` of a non-streamed completion, stripped ("" if none)."""
    choice = _first_choice(payload) if isinstance(payload, dict) else None
    message = choice.get("message") if choice else None
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):  # content parts
        content = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return content.strip() if isinstance(content, str) else ""


# --- catalogue and key ------------------------------------------------------------------------


def _strings(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str))
    return default


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _price(value: Any) -> float | None:
    price = optional_float(value)
    return price if price is not None and price >= 0 else None  # "-1" means variable pricing


def parse_model(raw: Mapping[str, Any]) -> ModelInfo | None:
    """One catalogue entry in OpenRouter's shape, or the minimal OpenAI/Ollama ``{"id"}``."""
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    architecture = raw.get("architecture")
    arch = architecture if isinstance(architecture, dict) else {}
    pricing_raw = raw.get("pricing")
    pricing = pricing_raw if isinstance(pricing_raw, dict) else {}
    top_raw = raw.get("top_provider")
    top = top_raw if isinstance(top_raw, dict) else {}
    params = raw.get("supported_parameters")
    name = raw.get("name")
    return ModelInfo(
        id=model_id,
        name=name if isinstance(name, str) and name else model_id,
        context_length=_optional_int(raw.get("context_length")),
        max_completion_tokens=_optional_int(top.get("max_completion_tokens")),
        input_modalities=_strings(arch.get("input_modalities"), ("text",)),
        output_modalities=_strings(arch.get("output_modalities"), ("text",)),
        prompt_price=_price(pricing.get("prompt")),
        completion_price=_price(pricing.get("completion")),
        supported_parameters=_strings(params, ()),
    )


def parse_models(payload: Any) -> list[ModelInfo]:
    """The model list of GET /models (``{"data": [...]}``; a bare list is accepted too)."""
    entries = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(entries, list):
        entries = payload.get("models") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        return []
    models = (parse_model(e) for e in entries if isinstance(e, dict))
    return [m for m in models if m is not None]


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What GET /key says about the API key (amounts in USD; None limit means unlimited)."""

    label: str
    usage: float
    limit: float | None
    limit_remaining: float | None
    is_free_tier: bool

    def describe(self) -> str:
        """One line for the Settings dialog, e.g. "Key works (label): $1.20 used of $10.00"."""
        name = f" ({self.label})" if self.label else ""
        text = f"Key works{name}: ${self.usage:.2f} used"
        if self.limit is not None:
            text += f" of ${self.limit:.2f}"
        if self.is_free_tier:
            text += " · free tier"
        return text


def parse_key(payload: Any) -> KeyInfo:
    """KeyInfo from ``{"data": {label, usage, limit, limit_remaining, is_free_tier}}``."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        data = {}
    label = data.get("label")
    return KeyInfo(
        label=label if isinstance(label, str) else "",
        usage=optional_float(data.get("usage")) or 0.0,
        limit=optional_float(data.get("limit")),
        limit_remaining=optional_float(data.get("limit_remaining")),
        is_free_tier=bool(data.get("is_free_tier")),
    )
