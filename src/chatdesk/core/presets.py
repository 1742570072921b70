"""Presets: named model settings a person switches between from the Presets menu.

A preset holds a model id, sampling parameters, OpenRouter provider routing, a system prompt,
the set of MCP servers whose tools are offered and per-server tool-approval overrides. This
module is plain data and pure functions: validation with messages fit for the user, filtering
parameters against a model's ``supported_parameters``, the ``TurnConfig`` a turn is sent with,
and a snapshot of the current settings. JSON (database columns, export/import) is in
``chatdesk.core.preset_json``, the MCP side (which servers' tools are offered, approval
overrides) in ``chatdesk.core.preset_tools``, storage in ``chatdesk.storage.presets``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, NamedTuple

from chatdesk.core.models import ModelInfo, TurnConfig
from chatdesk.core.tool_approval import APPROVALS
from chatdesk.errors import InputError

MAX_NAME_LENGTH = 60
MAX_MODEL_ID_LENGTH = 200
MAX_PROMPT_LENGTH = 100_000

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high")
DATA_COLLECTION = ("allow", "deny")
SORTS = ("price", "throughput", "latency")
#: max_price keys: USD per million prompt/completion tokens, per request, per image.
PRICE_KEYS = ("prompt", "completion", "request", "image")


class PresetError(InputError):
    """A preset (or a file of presets) cannot be used; the message says what is wrong."""


class _Spec(NamedTuple):
    label: str
    integer: bool
    low: float | None
    high: float | None
    #: Names in a model's ``supported_parameters`` that allow it.
    support: tuple[str, ...]


#: The sampling parameters a preset may set, by wire name (reasoning_effort becomes
#: ``reasoning: {"effort": ...}``), in the order the settings panel shows them.
PARAMETERS: Mapping[str, _Spec] = {
    "temperature": _Spec("Temperature", False, 0.0, 2.0, ("temperature",)),
    "top_p": _Spec("Top P", False, 0.0, 1.0, ("top_p",)),
    "top_k": _Spec("Top K", True, 0, None, ("top_k",)),
    "max_tokens": _Spec("Max tokens", True, 1, None, ("max_tokens", "max_completion_tokens")),
    "frequency_penalty": _Spec("Frequency penalty", False, -2.0, 2.0, ("frequency_penalty",)),
    "presence_penalty": _Spec("Presence penalty", False, -2.0, 2.0, ("presence_penalty",)),
    "repetition_penalty": _Spec("Repetition penalty", False, 0.0, 2.0, ("repetition_penalty",)),
    "seed": _Spec("Seed", True, -(2**63), 2**63 - 1, ("seed",)),
    "reasoning_effort": _Spec("Reasoning effort", False, None, None, ("reasoning",)),
}
ROUTING_FIELDS = (
    "order",
    "only",
    "ignore",
    "allow_fallbacks",
    "data_collection",
    "sort",
    "max_price",
)


@dataclass(frozen=True, slots=True)
class ModelParameters:
    """Sampling parameters; None leaves a parameter to the model's default (not sent)."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_tokens: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None
    seed: int | None = None
    reasoning_effort: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The parameters that are set, by wire name."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


@dataclass(frozen=True, slots=True)
class ProviderRouting:
    """OpenRouter's ``provider`` object; empty/None members are not sent."""

    order: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    allow_fallbacks: bool | None = None
    data_collection: str | None = None
    sort: str | None = None
    #: USD per million prompt/completion tokens, per request, per image (PRICE_KEYS).
    max_price: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The wire object (lists for the provider lists)."""
        out: dict[str, Any] = {}
        for name in ("order", "only", "ignore"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        for name in ("allow_fallbacks", "data_collection", "sort"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.max_price:
            out["max_price"] = {k: self.max_price[k] for k in PRICE_KEYS if k in self.max_price}
        return out


@dataclass(frozen=True, slots=True)
class Preset:
    """A named set of model settings. ``model`` None keeps the model that is chosen."""

    name: str
    model: str | None = None
    parameters: ModelParameters = field(default_factory=ModelParameters)
    routing: ProviderRouting = field(default_factory=ProviderRouting)
    system_prompt: str = ""
    #: Ids of the MCP servers whose tools are offered (empty: no tools).
    mcp_servers: frozenset[str] = frozenset()
    #: Server id, or exposed tool name ``<server>__<tool>``, -> approval policy (APPROVALS),
    #: overriding the servers file.
    tool_approvals: Mapping[str, str] = field(default_factory=dict)
    id: int | None = None
    position: int = 0

    def to_json(self) -> dict[str, Any]:
        """The preset as plain JSON (the export format; no id or position)."""
        return {
            "name": self.name,
            "model": self.model,
            "parameters": self.parameters.as_dict(),
            "provider_routing": self.routing.as_dict(),
            "system_prompt": self.system_prompt,
            "mcp_servers": sorted(self.mcp_servers),
            "tool_approvals": dict(sorted(self.tool_approvals.items())),
        }


# --- validation ------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def parameter_problem(name: str, value: Any) -> str | None:
    """What is wrong with one parameter value (None when it is fine)."""
    spec = PARAMETERS.get(name)
    if spec is None:
        return f"unknown parameter “{name}”"
    if name == "reasoning_effort":
        if value not in REASONING_EFFORTS:
            return f"reasoning effort must be one of {', '.join(REASONING_EFFORTS)} (got {value!r})"
        return None
    kind = "a whole number" if spec.integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{name} must be {kind} (got {value!r})"
    if spec.integer and not isinstance(value, int):
        return f"{name} must be {kind} (got {value!r})"
    if not math.isfinite(value):
        return f"{name} must be a finite number"
    low, high = spec.low, spec.high
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            limits = f"between {_number_text(low)} and {_number_text(high)}"
        else:
            limits = f"at least {_number_text(low)}" if low is not None else f"at most {high}"
        return f"{name} must be {limits} (got {value})"
    return None


def name_problem(name: str) -> str | None:
    """What is wrong with a preset name (None when it is fine)."""
    clean = name.strip()
    if not clean:
        return "A preset needs a name."
    if len(clean) > MAX_NAME_LENGTH:
        return (
            f"Preset names can be at most {MAX_NAME_LENGTH} characters (this one has {len(clean)})."
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in clean):
        return "A preset name cannot contain line breaks or control characters."
    return None


def _model_problem(model: str) -> str | None:
    if not model.strip():
        return "the model id is empty"
    if any(ch.isspace() for ch in model.strip()):
        return f"the model id “{model.strip()}” cannot contain spaces"
    if len(model) > MAX_MODEL_ID_LENGTH:
        return f"the model id is longer than {MAX_MODEL_ID_LENGTH} characters"
    return None


def _routing_problems(routing: ProviderRouting) -> list[str]:
    problems: list[str] = []
    for name in ("order", "only", "ignore"):
        slugs: tuple[str, ...] = getattr(routing, name)
        if any(not s.strip() for s in slugs):
            problems.append(f"provider {name} has an empty provider name")
        dupes = sorted({s for s in slugs if slugs.count(s) > 1})
        if dupes:
            problems.append(f"provider {name} lists {', '.join(dupes)} more than once")
    both = sorted(set(routing.only) & set(routing.ignore))
    if both:
        problems.append(f"{', '.join(both)} cannot be both in “only” and in “ignore”")
    if routing.data_collection is not None and routing.data_collection not in DATA_COLLECTION:
        problems.append(f"data_collection must be allow or deny (got {routing.data_collection!r})")
    if routing.sort is not None and routing.sort not in SORTS:
        problems.append(f"sort must be one of {', '.join(SORTS)} (got {routing.sort!r})")
    for key, price in routing.max_price.items():
        if key not in PRICE_KEYS:
            problems.append(f"max_price has unknown key “{key}” (use {', '.join(PRICE_KEYS)})")
        elif isinstance(price, bool) or not isinstance(price, int | float):
            problems.append(f"max_price {key} must be a number (got {price!r})")
        elif not math.isfinite(price) or price < 0:
            problems.append(f"max_price {key} must be 0 or more (got {price})")
    return problems


def approval_server(key: str, servers: Iterable[str]) -> str | None:
    """The server a tool-approval key belongs to: a server id, or an exposed tool name
    ``<server>__<tool>`` of one of ``servers``; None when it belongs to none."""
    ids = set(servers)
    if key in ids:
        return key
    return next((s for s in sorted(ids, key=len, reverse=True) if key.startswith(f"{s}__")), None)


def preset_problems(preset: Preset) -> list[str]:
    """Everything wrong with ``preset``, each as a short sentence fragment or sentence."""
    problems: list[str] = []
    if (problem := name_problem(preset.name)) is not None:
        problems.append(problem)
    if preset.model is not None and (problem := _model_problem(preset.model)) is not None:
        problems.append(problem)
    for name, value in preset.parameters.as_dict().items():
        if (problem := parameter_problem(name, value)) is not None:
            problems.append(problem)
    problems += _routing_problems(preset.routing)
    if len(preset.system_prompt) > MAX_PROMPT_LENGTH:
        problems.append(f"the system prompt is longer than {MAX_PROMPT_LENGTH:,} characters")
    if any(not s.strip() for s in preset.mcp_servers):
        problems.append("an MCP server id is empty")
    for server, policy in preset.tool_approvals.items():
        if policy not in APPROVALS:
            problems.append(
                f"tool approval for “{server}” must be one of {', '.join(APPROVALS)}"
                f" (got {policy!r})"
            )
        elif approval_server(server, preset.mcp_servers) is None:
            problems.append(f"tool approval for “{server}”, which is not one of its MCP servers")
    return problems


def check_preset(preset: Preset) -> Preset:
    """``preset`` with its name and model trimmed; raises PresetError naming every problem."""
    problems = preset_problems(preset)
    if problems:
        raise PresetError(joined_problems(preset.name, problems))
    model = preset.model.strip() if preset.model else None
    return replace(preset, name=preset.name.strip(), model=model)


def joined_problems(name: str, problems: Sequence[str]) -> str:
    """One message: ``Preset “name”: problem; problem.``"""
    label = f"Preset “{name.strip()}”" if name.strip() else "The preset"
    text = "; ".join(p.rstrip(".") for p in problems)
    return f"{label}: {text}."


def unique_name(base: str, taken: Iterable[str], suffix: str = "copy") -> str:
    """``base``, or ``base (copy)``, ``base (copy 2)``…: the first not in ``taken`` (caseless)."""
    used = {t.strip().casefold() for t in taken}
    if base.strip().casefold() not in used:
        return base.strip()
    n = 1
    while True:
        tail = f" ({suffix})" if n == 1 else f" ({suffix} {n})"
        candidate = base.strip()[: MAX_NAME_LENGTH - len(tail)].rstrip() + tail
        if candidate.casefold() not in used:
            return candidate
        n += 1


# --- filtering against the model --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dropped:
    """A parameter that is not sent, and why."""

    parameter: str
    reason: str


def unsupported_parameters(info: ModelInfo | None) -> dict[str, str]:
    """Parameter -> why it is not sent to this model.

    Empty when the model's support is unknown (not in the catalogue, or a server that lists no
    ``supported_parameters``): then everything is sent.
    """
    if info is None or not info.supported_parameters:
        return {}
    supported = set(info.supported_parameters)
    return {
        name: f"{info.id} does not support {spec.label.lower()} ({name}), so it is not sent."
        for name, spec in PARAMETERS.items()
        if not supported.intersection(spec.support)
    }


class FilteredParameters(NamedTuple):
    parameters: dict[str, Any]
    reasoning: dict[str, Any]
    dropped: tuple[Dropped, ...]


def filter_parameters(params: ModelParameters, info: ModelInfo | None) -> FilteredParameters:
    """The parameters to send to ``info``'s model, its reasoning object, and what was dropped."""
    unsupported = unsupported_parameters(info)
    sent: dict[str, Any] = {}
    dropped: list[Dropped] = []
    for name, value in params.as_dict().items():
        if name in unsupported:
            dropped.append(Dropped(name, unsupported[name]))
        else:
            sent[name] = value
    effort = sent.pop("reasoning_effort", None)
    return FilteredParameters(sent, {"effort": effort} if effort else {}, tuple(dropped))


@dataclass(frozen=True, slots=True)
class TurnDefaults:
    """What applies when no preset says otherwise (from Settings)."""

    system_prompt: str = ""
    title_model: str = ""
    generate_titles: bool = True


def turn_config(
    preset: Preset | None, model: str, info: ModelInfo | None, defaults: TurnDefaults
) -> TurnConfig:
    """The TurnConfig for ``model`` under ``preset`` (None: the defaults alone).

    Unsupported parameters are left out; an empty preset system prompt falls back to the
    default one.
    """
    if preset is None:
        return TurnConfig(
            model=model,
            system_prompt=defaults.system_prompt,
            title_model=defaults.title_model,
            generate_titles=defaults.generate_titles,
        )
    filtered = filter_parameters(preset.parameters, info)
    return TurnConfig(
        model=model,
        system_prompt=preset.system_prompt
        if preset.system_prompt.strip()
        else defaults.system_prompt,
        parameters=filtered.parameters,
        provider_routing=preset.routing.as_dict(),
        reasoning=filtered.reasoning,
        title_model=defaults.title_model,
        generate_titles=defaults.generate_titles,
        preset_id=preset.id,
    )


@dataclass(frozen=True, slots=True)
class PresetApplication:
    """The outcome of choosing a preset: the model to use and what could not be applied."""

    preset: Preset
    model: str
    #: The preset's model when the catalogue lacks it (the picker should open).
    missing_model: str | None
    dropped: tuple[Dropped, ...]

    @property
    def message(self) -> str:
        """One status-bar line, e.g. "Preset “Coder” applied · model x · top_k not sent"."""
        text = f"Preset “{self.preset.name}” applied · {self.model}"
        if self.dropped:
            names = ", ".join(d.parameter for d in self.dropped)
            text += f" · not supported, not sent: {names}"
        if self.missing_model:
            text += (
                f" · its model “{self.missing_model}” is not available: kept {self.model}, "
                "choose a model"
            )
        return text


def apply_preset(
    preset: Preset, *, current_model: str, models: Sequence[ModelInfo]
) -> PresetApplication:
    """Decide how ``preset`` applies: its model if the catalogue has it (or no catalogue is
    loaded), else ``current_model`` with the preset's model reported missing."""
    catalogue = {m.id: m for m in models}
    model = preset.model or current_model
    missing: str | None = None
    if preset.model and catalogue and preset.model not in catalogue:
        missing, model = preset.model, current_model
    dropped = filter_parameters(preset.parameters, catalogue.get(model)).dropped
    return PresetApplication(preset, model, missing, dropped)


def snapshot(
    active: Preset | None,
    *,
    model: str,
    defaults: TurnDefaults,
    servers: Iterable[str] = (),
    taken: Iterable[str] = (),
) -> Preset:
    """The current settings as a new, unsaved preset ("Save current as preset…"): the active
    preset's settings with the chosen ``model``, or the defaults with the enabled ``servers``.
    Its name is free: "<active> (copy)" or "My preset"."""
    if active is None:
        base = Preset(
            "My preset", system_prompt=defaults.system_prompt, mcp_servers=frozenset(servers)
        )
    else:
        base = active
    name = unique_name(base.name, taken, suffix="copy")
    return replace(base, id=None, position=0, name=name, model=model.strip() or None)
