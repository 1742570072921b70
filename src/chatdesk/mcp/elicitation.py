"""MCP elicitation: a server asks the user for input (a form) or to open a URL.

:func:`form_fields` reads the requested schema (the spec's flat subset: strings with formats,
numbers, integers, booleans, single and multiple choice, titled or not, defaults, limits and
required fields) and refuses anything else with a message that names the field;
:func:`check_values` validates what the user typed; :class:`Elicitor` asks through the UI and
answers ``accept`` (with the values), ``decline`` or ``cancel`` as the spec says. No Qt.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol
from urllib.parse import urlparse

from mcp import types

from chatdesk.errors import ChatdeskError
from chatdesk.mcp.request_record import Record, ServerRequestRecord

__all__ = [
    "ElicitationAnswer",
    "ElicitationAsker",
    "ElicitationRequest",
    "Elicitor",
    "FormField",
    "UnsupportedForm",
    "check_values",
    "form_fields",
]

log = logging.getLogger(__name__)

FieldKind = Literal["string", "number", "integer", "boolean", "choice", "choices"]
Action = Literal["accept", "decline", "cancel"]
FORMATS = ("email", "uri", "date", "date-time")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UnsupportedForm(ChatdeskError):
    """A schema outside what the spec allows (and chatdesk can show)."""


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of an elicitation form."""

    name: str
    title: str
    kind: FieldKind
    description: str = ""
    required: bool = False
    default: Any = None
    format: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for choice / choices
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None


def _options(spec: Mapping[str, Any], name: str) -> tuple[tuple[str, str], ...] | None:
    """(value, label) pairs of an enum, titled (oneOf/anyOf const+title) or not."""
    if isinstance(spec.get("enum"), list):
        values = [str(v) for v in spec["enum"]]
        names = spec.get("enumNames")
        labels = [str(n) for n in names] if isinstance(names, list) else values
        if len(labels) != len(values):
            labels = values
        return tuple(zip(values, labels, strict=True))
    for key in ("oneOf", "anyOf"):
        items = spec.get(key)
        if isinstance(items, list):
            pairs = []
            for item in items:
                if not isinstance(item, Mapping) or "const" not in item:
                    raise UnsupportedForm(f"the choices of {name!r} are not a list of values")
                pairs.append((str(item["const"]), str(item.get("title") or item["const"])))
            return tuple(pairs)
    return None


def _field(name: str, spec: object, required: bool) -> FormField:
    if not isinstance(spec, Mapping):
        raise UnsupportedForm(f"the field {name!r} has no schema")
    kind = spec.get("type")
    title = str(spec.get("title") or name)
    common: dict[str, Any] = {
        "name": name,
        "title": title,
        "description": str(spec.get("description") or ""),
        "required": required,
        "default": spec.get("default"),
    }
    if kind == "string":
        options = _options(spec, name)
        if options is not None:
            return FormField(kind="choice", options=options, **common)
        fmt = spec.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise UnsupportedForm(f"the field {name!r} has the format {fmt!r}")
        return FormField(
            kind="string",
            format=fmt,
            min_length=spec.get("minLength"),
            max_length=spec.get("maxLength"),
            **common,
        )
    if kind in ("number", "integer"):
        return FormField(
            kind=kind, minimum=spec.get("minimum"), maximum=spec.get("maximum"), **common
        )
    if kind == "boolean":
        return FormField(kind="boolean", **common)
    if kind == "array":
        items = spec.get("items")
        options = _options(items, name) if isinstance(items, Mapping) else None
        if options is None:
            raise UnsupportedForm(f"the field {name!r} is a list of free values")
        return FormField(
            kind="choices",
            options=options,
            min_items=spec.get("minItems"),
            max_items=spec.get("maxItems"),
            **common,
        )
    shown = kind if isinstance(kind, str) else json.dumps(kind)
    raise UnsupportedForm(f"the field {name!r} is of type {shown}")


def form_fields(schema: Mapping[str, Any]) -> tuple[FormField, ...]:
    """The fields of a requested schema, in its order; raises :class:`UnsupportedForm`."""
    if schema.get("type", "object") != "object":
        raise UnsupportedForm("the form is not an object")
    properties = schema.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise UnsupportedForm("the form's fields are not a list")
    required = schema.get("required") or []
    return tuple(_field(str(n), s, n in required) for n, s in properties.items())


def _number(text: str, integer: bool) -> float | int | None:
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return None


def check_value(field: FormField, value: Any) -> tuple[Any, str | None]:
    """The value to send for one field (None: leave it out) and what is wrong with it."""
    empty = value is None or value == "" or value == []
    if empty:
        return None, "Required" if field.required else None
    if field.kind in ("number", "integer"):
        number = value if isinstance(value, int | float) else _number(str(value).strip(), False)
        if number is None:
            return None, "Enter a number"
        if field.kind == "integer":
            if float(number) != int(number):
                return None, "Enter a whole number"
            number = int(number)
        if field.minimum is not None and number < field.minimum:
            return None, f"At least {field.minimum:g}"
        if field.maximum is not None and number > field.maximum:
            return None, f"At most {field.maximum:g}"
        return number, None
    if field.kind == "boolean":
        return bool(value), None
    if field.kind == "choice":
        ok = str(value) in {v for v, _ in field.options}
        return (str(value), None) if ok else (None, "Choose one of the options")
    if field.kind == "choices":
        chosen = [str(v) for v in value]
        if field.min_items is not None and len(chosen) < field.min_items:
            return None, f"Choose at least {field.min_items}"
        if field.max_items is not None and len(chosen) > field.max_items:
            return None, f"Choose at most {field.max_items}"
        return chosen, None
    text = str(value)
    if field.min_length is not None and len(text) < field.min_length:
        return None, f"At least {field.min_length} characters"
    if field.max_length is not None and len(text) > field.max_length:
        return None, f"At most {field.max_length} characters"
    return text, _format_problem(field.format, text.strip())


def _format_problem(fmt: str | None, text: str) -> str | None:
    if fmt == "email" and not _EMAIL.match(text):
        return "Enter an email address, like name@example.com"
    if fmt == "uri":
        parts = urlparse(text)
        if not parts.scheme or not (parts.netloc or parts.path):
            return "Enter a full address, like https://example.com"
    if fmt == "date":
        try:
            date.fromisoformat(text)
        except ValueError:
            return "Enter a date as YYYY-MM-DD"
    if fmt == "date-time":
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return "Enter a date and time as YYYY-MM-DDTHH:MM"
    return None


def check_values(
    fields: Sequence[FormField], values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The content to send, and a message per field that is wrong (empty when all are fine)."""
    content: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in fields:
        value, problem = check_value(field, values.get(field.name))
        if problem is not None:
            problems[field.name] = problem
        elif value is not None:
            content[field.name] = value
    return content, problems


@dataclass(frozen=True, slots=True)
class ElicitationRequest:
    """A form or a URL a server wants the user to see."""

    server_id: str
    conversation_id: int | None
    message: str
    fields: tuple[FormField, ...] = ()
    url: str | None = None
    #: Why the form cannot be shown (the card can only decline or cancel).
    problem: str | None = None
    id: int = 0

    @property
    def url_host(self) -> str:
        return urlparse(self.url or "").netloc


@dataclass(frozen=True, slots=True)
class ElicitationAnswer:
    """What the user answered."""

    action: Action
    content: Mapping[str, Any] | None = None


class ElicitationAsker(Protocol):
    """The UI's side: a form card in the conversation."""

    async def elicit(self, request: ElicitationRequest) -> ElicitationAnswer: ...


def elicitation_request(
    server_id: str, conversation_id: int | None, params: types.ElicitRequestParams, number: int
) -> ElicitationRequest:
    """What the card shows; a schema it cannot show becomes ``problem``."""
    if isinstance(params, types.ElicitRequestURLParams):
        return ElicitationRequest(
            server_id, conversation_id, params.message, url=params.url, id=number
        )
    schema = params.requested_schema
    raw = schema if isinstance(schema, Mapping) else schema.model_dump(by_alias=True)
    try:
        fields = form_fields(raw)
    except UnsupportedForm as exc:
        problem = f"chatdesk cannot show this form: {exc.user_message}."
        return ElicitationRequest(
            server_id, conversation_id, params.message, problem=problem, id=number
        )
    return ElicitationRequest(server_id, conversation_id, params.message, fields, id=number)


class Elicitor:
    """Serves servers' elicitation requests; see the module docstring."""

    def __init__(
        self,
        asker: ElicitationAsker,
        *,
        record: Record | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._asker = asker
        self._record = record
        self._clock = clock
        self._ids = 0

    async def serve(
        self, server_id: str, conversation_id: int | None, params: types.ElicitRequestParams
    ) -> types.ElicitResult:
        started_at = self._clock()
        self._ids += 1
        request = elicitation_request(server_id, conversation_id, params, self._ids)
        answer = await self._asker.elicit(request)
        action: Action = answer.action
        content: dict[str, Any] | None = None
        if action == "accept" and request.url is None:
            if request.problem is not None:  # nothing can be accepted from a form not shown
                action = "decline"
            else:
                content, problems = check_values(request.fields, answer.content or {})
                if problems:  # the card checks first; never send what does not fit
                    action = "cancel"
                    content = None
        await self._keep(request, action, started_at)
        return types.ElicitResult(action=action, content=content)

    async def _keep(self, request: ElicitationRequest, action: Action, started_at: float) -> None:
        if self._record is None:
            return
        about = {
            "message": request.message,
            "url": request.url,
            "fields": [f.name for f in request.fields],
        }
        status = {"accept": "ok", "decline": "declined", "cancel": "cancelled"}[action]
        record = ServerRequestRecord(
            kind="elicitation",
            conversation_id=request.conversation_id,
            server_id=request.server_id,
            request=json.dumps(about, ensure_ascii=False),
            status=status,
            decision=action,
            error=request.problem,
            started_at=started_at,
        )
        try:
            await self._record(record)
        except Exception:
            log.exception("could not record an elicitation request")
