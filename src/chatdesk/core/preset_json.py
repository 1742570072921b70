"""Presets as JSON: the database columns, and the export/import file format.

Parsing collects every problem and raises ``PresetError`` naming them all; an export never
carries secrets (key-shaped text and known secrets in prompts are masked, and presets have no
field for keys: an import that holds one is refused).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from chatdesk.core.presets import (
    PARAMETERS,
    ROUTING_FIELDS,
    ModelParameters,
    Preset,
    PresetError,
    ProviderRouting,
    check_preset,
    joined_problems,
    parameter_problem,
    preset_problems,
)
from chatdesk.logs import redact

EXPORT_FORMAT = "chatdesk-presets"
EXPORT_VERSION = 1
_PRESET_FIELDS = (
    "name",
    "model",
    "parameters",
    "provider_routing",
    "system_prompt",
    "mcp_servers",
    "tool_approvals",
)
_SECRET_HINTS = ("key", "token", "secret", "password", "authorization", "credential")


def _strings(value: Any, what: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{what} must be a list of names")
        return ()
    return tuple(v.strip() for v in value)


def _unknown(raw: Mapping[str, Any], known: Iterable[str], where: str) -> list[str]:
    problems = []
    for key in raw:
        if key in known:
            continue
        if any(hint in str(key).lower() for hint in _SECRET_HINTS):
            problems.append(
                f"“{key}” looks like a secret; presets never carry keys or tokens, remove it"
            )
        else:
            problems.append(f"unknown {where} “{key}”")
    return problems


def parameters_from_json(raw: Any, problems: list[str]) -> ModelParameters:
    """ModelParameters from a JSON object; each problem is appended to ``problems``."""
    if raw is None:
        return ModelParameters()
    if not isinstance(raw, dict):
        problems.append("parameters must be an object")
        return ModelParameters()
    found = _unknown(raw, PARAMETERS, "parameter")
    values: dict[str, Any] = {}
    for name in PARAMETERS:
        value = raw.get(name)
        if value is None:
            continue
        problem = parameter_problem(name, value)
        if problem is None:
            values[name] = (
                float(value)
                if not PARAMETERS[name].integer and name != "reasoning_effort"
                else value
            )
        else:
            found.append(problem)
    problems += found
    return ModelParameters(**values)


def routing_from_json(raw: Any, problems: list[str]) -> ProviderRouting:
    """ProviderRouting from a JSON object; each problem is appended to ``problems``."""
    if raw is None:
        return ProviderRouting()
    if not isinstance(raw, dict):
        problems.append("provider_routing must be an object")
        return ProviderRouting()
    found = _unknown(raw, ROUTING_FIELDS, "provider routing field")
    lists = {
        n: _strings(raw[n], f"provider {n}", found) for n in ("order", "only", "ignore") if n in raw
    }
    fallbacks = raw.get("allow_fallbacks")
    if fallbacks is not None and not isinstance(fallbacks, bool):
        found.append("allow_fallbacks must be true or false")
        fallbacks = None
    texts: dict[str, str | None] = {}
    for name in ("data_collection", "sort"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            found.append(f"{name} must be text")
            value = None
        texts[name] = value
    prices = raw.get("max_price") or {}
    if not isinstance(prices, dict):
        found.append("max_price must be an object of prices")
        prices = {}
    routing = ProviderRouting(
        order=lists.get("order", ()),
        only=lists.get("only", ()),
        ignore=lists.get("ignore", ()),
        allow_fallbacks=fallbacks,
        data_collection=texts["data_collection"],
        sort=texts["sort"],
        max_price=dict(prices),
    )
    problems += found
    return routing


def preset_from_json(raw: Any) -> Preset:
    """A preset from its JSON object (export format); raises PresetError naming every problem."""
    if not isinstance(raw, dict):
        raise PresetError("Each preset must be a JSON object with at least a “name”.")
    name = raw.get("name")
    problems = _unknown(raw, _PRESET_FIELDS, "field")
    if not isinstance(name, str):
        problems.append("“name” must be text")
        name = ""
    model = raw.get("model")
    if model is not None and not isinstance(model, str):
        problems.append("“model” must be a model id (text) or null")
        model = None
    prompt = raw.get("system_prompt") or ""
    if not isinstance(prompt, str):
        problems.append("“system_prompt” must be text")
        prompt = ""
    servers = _strings(raw.get("mcp_servers") or [], "mcp_servers", problems)
    approvals = raw.get("tool_approvals") or {}
    if not isinstance(approvals, dict) or not all(isinstance(v, str) for v in approvals.values()):
        problems.append("tool_approvals must be an object of server id -> policy")
        approvals = {}
    preset = Preset(
        name=name,
        model=(model.strip() or None) if model is not None else None,
        parameters=parameters_from_json(raw.get("parameters"), problems),
        routing=routing_from_json(raw.get("provider_routing"), problems),
        system_prompt=prompt,
        mcp_servers=frozenset(servers),
        tool_approvals=dict(approvals),
    )
    problems += [p for p in preset_problems(preset) if p not in problems]
    if problems:
        raise PresetError(joined_problems(name if isinstance(name, str) else "", problems))
    return check_preset(preset)


def export_presets(presets: Iterable[Preset], *, secrets: Iterable[str] = ()) -> str:
    """The presets as a JSON document; key-shaped text and ``secrets`` in prompts are masked."""
    known = list(secrets)
    items = []
    for preset in presets:
        item = preset.to_json()
        item["system_prompt"] = redact(preset.system_prompt, known)
        items.append(item)
    document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "presets": items}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def import_presets(text: str, existing_names: Iterable[str] = ()) -> list[Preset]:
    """Presets from an exported document (or a bare list, or one preset object).

    All or nothing: raises PresetError saying what is wrong (bad JSON, a bad value, a name used
    twice in the file or already taken) and then nothing should be stored.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PresetError(f"The file is not valid JSON ({exc}).") from None
    if isinstance(data, dict) and "presets" in data:
        if data.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
            raise PresetError(
                f"The file is not a chatdesk presets file (format {data['format']!r})."
            )
        version = data.get("version", EXPORT_VERSION)
        if not isinstance(version, int) or version > EXPORT_VERSION:
            raise PresetError(
                "The file was written by a newer chatdesk (presets format version "
                f"{version}); update chatdesk to import it."
            )
        entries = data["presets"]
    elif isinstance(data, dict):
        entries = [data]
    else:
        entries = data
    if not isinstance(entries, list) or not entries:
        raise PresetError("The file holds no presets (expected a “presets” list).")
    presets: list[Preset] = []
    problems: list[str] = []
    for index, entry in enumerate(entries, 1):
        try:
            presets.append(preset_from_json(entry))
        except PresetError as exc:
            problems.append(f"#{index}: {exc.user_message}")
    if problems:
        raise PresetError("Nothing was imported. " + " ".join(problems))
    taken = {n.strip().casefold() for n in existing_names}
    seen: set[str] = set()
    for preset in presets:
        key = preset.name.casefold()
        if key in seen:
            raise PresetError(
                f"Nothing was imported: the file has two presets named “{preset.name}”."
            )
        if key in taken:
            raise PresetError(
                f"Nothing was imported: a preset named “{preset.name}” already exists. "
                "Rename or delete it first, or change the name in the file."
            )
        seen.add(key)
    return presets
