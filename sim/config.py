"""Configuration: YAML files in ``configs/`` -> validated, frozen config objects.

This module owns the schema of every parameter (types, allowed ranges, labels), loading with
``extends:`` inheritance (posture presets extend the baseline), dotted-path overrides
(``actors.iran.revenge_weight=0.8``, ``actors.militias.0.loyalty=0.5``), the config hash
recorded with every result, and the one-line :class:`ConfigError` that names the file, the key
path and what is allowed. It imports nothing else from the project (lowest layer).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "baseline.yaml"

#: Iran's strategies, in the order the rules index them ([002]: diplomacy track, scenarios 4, 2,
#: 3, 1, and the warned 8 January strike).
STRATEGIES: tuple[str, ...] = (
    "diplomacy",
    "political_pressure",
    "proxy_harassment",
    "middle_ground",
    "major_escalation",
    "calibrated_strike",
)
#: The United States' options each day.
US_OPTIONS: tuple[str, ...] = (
    "hold",
    "offer_talks",
    "force_protection",
    "strike_militias",
    "strike_iran",
    "sanction_iraq",
    "sanction_iran",
    "drawdown",
)
#: A militia's options each day, in rising intensity.
MILITIA_ACTIONS: tuple[str, ...] = ("stand_down", "harass", "deadly", "storm")
#: A bloc's options when parliament sits on a motion.
BLOC_CHOICES: tuple[str, ...] = ("boycott", "no", "yes")
#: Legal status of the US presence, graded ([000], [002]).
LEGAL_STEPS: tuple[str, ...] = ("none", "resolution", "limits", "binding_law")


class ConfigError(Exception):
    """A user error in a configuration: one line naming the file, key path and what is allowed."""


#: Any user error (bad input of any kind) is reported the same way: one line, non-zero exit.
UserError = ConfigError


_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True)


def _f(lo: float, hi: float, desc: str = "") -> Any:
    return Field(ge=lo, le=hi, description=desc)


Unit = Annotated[float, _f(0.0, 1.0)]
Weight = Annotated[float, _f(0.0, 20.0)]
Precision = Annotated[float, _f(0.0, 50.0)]
Mean = Annotated[float, _f(0.0, 500.0)]
Signed = Annotated[float, _f(-10.0, 10.0)]


class Strict(BaseModel):
    """Base for all config sections: unknown keys rejected, frozen, no NaN/inf."""

    model_config = _STRICT


class Meta(Strict):
    """Run metadata."""

    name: str = Field(min_length=1)
    start_date: dt.date
    days: int = Field(ge=1, le=3650, description="Days simulated (one step = one day)")


class Initial(Strict):
    """World state on day 0."""

    us_troops: float = _f(0, 200_000, "US troops in Iraq")
    us_protection: Unit
    sentiment: Unit
    revenge: Unit
    us_audience_cost: Annotated[float, _f(0, 10)]
    iran_audience_cost: Annotated[float, _f(0, 10)]
    sanctions_iran: Unit
    sanctions_iraq: Unit
    sanction_threat: Unit
    isis_strength: Unit
    legal_status: int = Field(ge=0, le=3)
    diplomacy: Unit
    tension: Unit
    iran_political_pressure: Unit
    iran_strategy: Literal[STRATEGIES]  # type: ignore[valid-type]
    iran_belief_us_retaliation: Unit


class StrategyProfile(Strict):
    """What one Iranian strategy does, scored on the scenario's own terms ([002])."""

    resolve: Unit
    pressure: Unit
    provocation: Unit
    war_risk: Unit
    order: int = Field(ge=0, le=3)
    rung: int = Field(ge=0, le=6)
    relief: Unit
    outside: Unit = Field(ge=0, le=1, description="Daily chance of an Iranian attack on US interests outside Iraq")


class Strategies(Strict):
    """Profiles of Iran's six strategies (one field each, fixed names)."""

    diplomacy: StrategyProfile
    political_pressure: StrategyProfile
    proxy_harassment: StrategyProfile
    middle_ground: StrategyProfile
    major_escalation: StrategyProfile
    calibrated_strike: StrategyProfile


class CalibratedStrike(Strict):
    """The warned direct missile strike of 8 January ([002])."""

    missiles: int = Field(ge=1, le=1000)
    us_killed_mean: Mean
    us_wounded_mean: Mean
    revenge_satisfaction: Unit
    repeat_penalty: Weight


class Casualties(Strict):
    """Mean casualties of one attack."""

    us_killed_mean: Mean
    us_wounded_mean: Mean


class IranConfig(Strict):
    """Iran's payoff weights and strategy profiles."""

    rationality: Precision
    inertia: Weight
    revenge_weight: Weight
    pressure_weight: Weight
    retaliation_weight: Weight
    war_weight: Weight
    economic_weight: Weight
    isis_weight: Weight
    diplomacy_weight: Weight
    audience_weight: Weight
    iraq_market_share: Unit
    belief_learning_rate: Unit
    posture: Literal[("none",) + STRATEGIES]  # type: ignore[valid-type]
    posture_bias: Weight
    resupply: Annotated[float, _f(0, 10)]
    political_push: Unit
    media_push: Unit
    strategies: Strategies
    calibrated_strike: CalibratedStrike
    outside_attack: Casualties


class USCosts(Strict):
    """Fixed cost of each US option against holding."""

    offer_talks: Weight
    force_protection: Weight
    strike_militias: Weight
    strike_iran: Weight
    sanction_iraq: Weight
    sanction_iran: Weight
    drawdown: Weight


class StrikeMilitias(Strict):
    """Effects of US strikes on militia targets in Iraq."""

    militia_killed_mean: Mean
    stock_destroyed: Annotated[float, _f(0, 100)]
    per_threat_killed: Mean
    iraqi_killed_mean: Mean
    sentiment_shock: Unit


class StrikeIran(Strict):
    """Effects of US strikes on Iran proper."""

    iranian_killed_mean: Mean
    tension_shock: Unit


class USConfig(Strict):
    """The United States' payoff weights, costs and effects."""

    rationality: Precision
    retaliation_weight: Weight
    audience_weight: Weight
    war_avoidance_weight: Weight
    sovereignty_weight: Weight
    mission_weight: Weight
    protection_weight: Weight
    drawdown_weight: Weight
    compliance_weight: Weight
    sanction_iraq_weight: Weight
    sanction_iran_weight: Weight
    talks_weight: Weight
    costs: USCosts
    strike_militias: StrikeMilitias
    strike_iran: StrikeIran
    sanction_step: Unit
    drawdown_step: float = _f(1, 50_000, "Troops withdrawn per drawdown decision")
    exit_threshold: float = _f(0, 50_000, "Troop level at or below which the US has left")
    protection_decay: Unit
    talks_step: Unit
    harm_killed: Weight
    harm_wounded: Weight
    harm_attack: Weight
    threat_memory: Unit
    audience_gain: Weight
    audience_relief: Unit
    audience_decay: Unit


class MilitiaAttack(Strict):
    """Mean casualties of one militia attack."""

    us_killed_mean: Mean
    us_wounded_mean: Mean
    iraqi_killed_mean: Mean


class StormAttack(MilitiaAttack):
    """Storming a base or the embassy also costs the attackers."""

    militia_killed_mean: Mean


class ActionWeights(Strict):
    """One number per militia attack type."""

    harass: Weight
    deadly: Weight
    storm: Weight


class MilitiaCommon(Strict):
    """Weights shared by all militias."""

    rationality: Precision
    stand_down_value: Signed
    order_weight: Weight
    hostility_weight: Weight
    mood_weight: Weight
    fear_weight: Weight
    no_stock_penalty: Weight
    action_costs: ActionWeights
    retaliation_severity: ActionWeights
    unanswered_window: int = Field(ge=1, le=60)
    harass: MilitiaAttack
    deadly: MilitiaAttack
    storm: StormAttack


class MilitiaRow(Strict):
    """One militia group: its own parameters (heterogeneity comes from config rows)."""

    name: str = Field(min_length=1)
    loyalty: Unit
    hostility: Unit
    fear: Unit
    belief_us_retaliation: Unit
    learning_rate: Unit
    missile_stock: float = _f(0, 1000, "Advanced missiles held")
    home_site: str = Field(min_length=1)


class Hurdles(Strict):
    """How hard each legal step is to pass ([000], [002])."""

    resolution: Signed
    limits: Signed
    binding_law: Signed


class BlocRow(Strict):
    """One parliamentary bloc (May 2018 seats)."""

    name: str = Field(min_length=1)
    seats: int = Field(ge=0, le=329)
    bias: Signed
    anger: Unit
    iran_alignment: Unit
    us_ties: Unit
    boycott_bias: Signed


class ParliamentConfig(Strict):
    """Council of Representatives: blocs, quorum and vote weights."""

    total_seats: int = Field(ge=1, le=1000)
    quorum: int = Field(ge=1, le=1000)
    rationality: Precision
    cohesion: Unit
    session_base: Unit
    session_pressure: Unit
    motion_trigger: Unit
    min_days_between_votes: int = Field(ge=0, le=365)
    anger_weight: Weight
    iran_weight: Weight
    sanction_weight: Weight
    isis_weight: Weight
    hurdles: Hurdles
    binding_absolute_majority: bool
    blocs: list[BlocRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _seats_add_up(self) -> ParliamentConfig:
        total = sum(b.seats for b in self.blocs)
        if total != self.total_seats:
            raise ValueError(f"bloc seats sum to {total}, but total_seats is {self.total_seats}")
        if self.quorum > self.total_seats:
            raise ValueError(f"quorum {self.quorum} exceeds total_seats {self.total_seats}")
        return self


class Actors(Strict):
    """All actors."""

    iran: IranConfig
    united_states: USConfig
    militia_common: MilitiaCommon
    militias: list[MilitiaRow] = Field(min_length=1, max_length=50)
    parliament: ParliamentConfig


class Sites(Strict):
    """Named sites (coordinates live in dashboards/)."""

    bases: list[str] = Field(min_length=1)
    embassy: str
    iran_targets: list[str] = Field(min_length=1)


class World(Strict):
    """World-state dynamics."""

    sentiment_baseline: Unit
    sentiment_decay: Unit
    attack_sentiment_backlash: Unit
    revenge_decay: Unit
    revenge_gain: Unit
    attack_revenge_satisfaction: Unit
    sanction_relief: Unit
    iran_audience_gain: Unit
    iran_audience_relief: Unit
    iran_audience_decay: Unit
    political_pressure_decay: Unit
    limits_ops_cut: Unit
    isis_growth: Unit
    isis_suppression: Unit
    iraqi_suppression: Unit
    tension_memory: Unit
    war_threshold: Unit
    war_slope: Annotated[float, _f(0, 100)]
    war_max_hazard: Unit
    diplomacy_decay: Unit
    diplomacy_breakdown: Unit
    sites: Sites


class Outcomes(Strict):
    """Thresholds of the path classification (rates are per 100 days of the run)."""

    s1_min_storms: int = Field(ge=1, le=1000)
    s3_min_deadly_per_100d: Annotated[float, _f(0, 100)]
    s2_min_attacks_per_100d: Annotated[float, _f(0, 1000)]
    s4_min_legal_status: int = Field(ge=1, le=3)
    s4_min_political_share: Unit


#: Every action name a history event may use (actor-specific checks happen in :mod:`sim.replay`).
HISTORY_ACTIONS: tuple[str, ...] = (
    STRATEGIES + US_OPTIONS + MILITIA_ACTIONS + LEGAL_STEPS[1:]
)


class HistoryEvent(Strict):
    """One actual choice of the historical record (replayed and scored by :mod:`sim.replay`)."""

    date: dt.date
    actor: str = Field(min_length=1, description="Iran, United States, Parliament or a militia")
    action: str = Field(min_length=1, description="an option of that actor")
    target: str | None = None
    us_killed: int | None = Field(default=None, ge=0, le=10_000, description="declared US deaths")
    us_wounded: int | None = Field(default=None, ge=0, le=10_000, description="declared US wounded")
    counted: bool = Field(default=True, description="scored in the likelihood (else only forced)")
    note: str = ""

    @model_validator(mode="after")
    def _known_action(self) -> HistoryEvent:
        if self.action not in HISTORY_ACTIONS:
            allowed = ", ".join(HISTORY_ACTIONS)
            raise ValueError(f"unknown action {self.action!r}; the model has {allowed}")
        return self


class HistoryShock(Strict):
    """An exogenous change of world state on a date (e.g. the 3 January strike)."""

    date: dt.date
    note: str = ""
    set: dict[str, float] = Field(default_factory=dict)
    add: dict[str, float] = Field(default_factory=dict)


class History(Strict):
    """The historical sequence a replay drives the model through (optional section)."""

    end_date: dt.date
    events: list[HistoryEvent] = Field(min_length=1)
    shocks: list[HistoryShock] = Field(default_factory=list)
    quiet: dict[str, str] = Field(
        default_factory=dict,
        description="actor -> action it actually chose on days without an event (scored)")
    fill: dict[str, str] = Field(
        default_factory=dict,
        description="actor -> 'modal' or an action, forced but not scored on other days")


class Config(Strict):
    """A whole, validated model configuration."""

    meta: Meta
    initial: Initial
    actors: Actors
    world: World
    outcomes: Outcomes
    history: History | None = None

    def hash(self) -> str:
        """Short content hash of the resolved configuration (recorded with every result)."""
        return config_hash(self)


# --------------------------------------------------------------------------------------------
# loading


def config_hash(cfg: Config) -> str:
    """Sha256 (first 16 hex digits) of the canonical JSON of a config."""
    blob = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ConfigError(f"{path}: no such config file")
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory, expected a YAML config file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys, got {type(data).__name__}")
    return data


def load_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a YAML config, resolving ``extends:`` (relative to the file) recursively."""
    p = Path(path).expanduser().resolve()
    if p in _seen:
        raise ConfigError(f"{p}: 'extends' forms a cycle")
    data = _read_yaml(p)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(f"{p}: extends: must be a file path, got {parent!r}")
    base = load_raw((p.parent / parent), _seen + (p,))
    return _deep_merge(base, data)


def _fmt_loc(loc: Iterable[Any]) -> str:
    return ".".join(str(x) for x in loc)


def _describe_error(err: Mapping[str, Any], field_info: dict[str, tuple[Any, Any]]) -> str:
    loc = _fmt_loc(err["loc"])
    typ = err["type"]
    got = err.get("input")
    if typ == "extra_forbidden":
        return f"{loc}: unknown key"
    if typ == "missing":
        return f"{loc}: required key is missing"
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        lo, hi = field_info.get(loc, (None, None))
        ctx = err.get("ctx", {})
        if lo is not None and hi is not None:
            return f"{loc}: {got!r} is out of range; allowed {lo} to {hi}"
        return f"{loc}: {got!r} is out of range; {err['msg'].lower()} ({ctx})"
    if typ == "finite_number":
        return f"{loc}: {got!r} is not allowed; must be a finite number"
    if typ == "literal_error":
        return f"{loc}: {got!r} is not allowed; {err['msg'].lower()}"
    if typ.endswith("_parsing") or typ.endswith("_type"):
        return f"{loc}: {got!r} has the wrong type; {err['msg'].lower()}"
    if typ == "value_error" or isinstance(got, (dict, list)):
        return f"{loc}: {err['msg'].removeprefix('Value error, ')}"
    return f"{loc}: {err['msg']}" + (f" (got {got!r})" if got is not None else "")


def validate(data: Mapping[str, Any], source: str = "<config>") -> Config:
    """Validate a raw mapping into a :class:`Config`, raising a one-line :class:`ConfigError`."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        ranges = {path: (lo, hi) for path, (lo, hi, _kind) in _ranges_of(data).items()}
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{source}: {_describe_error(first, ranges)}{tail}") from None


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``KEY=VALUE``; the value is parsed as YAML (numbers, booleans, strings)."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. actors.iran.revenge_weight=0.8")
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key:
        raise ConfigError(f"--set {text!r}: empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def _split_path(path: str) -> list[str]:
    return [p for p in path.replace("__", ".").split(".")]


def set_path(data: dict[str, Any], path: str, value: Any, source: str = "override") -> None:
    """Set a dotted path in a raw config mapping; unknown paths are one-line errors.

    List items are addressed by index (``actors.militias.0.loyalty``) or by their ``name``
    (``actors.militias.Kataib Hezbollah.loyalty``).
    """
    parts = _split_path(path)
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = ".".join(parts[: i + 1])
        if isinstance(node, dict):
            if part not in node:
                raise ConfigError(f"{source}: {here}: unknown key path '{path}'")
            if last:
                if isinstance(node[part], (dict, list)) and not isinstance(value, type(node[part])):
                    raise ConfigError(
                        f"{source}: {path}: is a section, not a value; set one of its keys"
                    )
                node[part] = value
                return
            node = node[part]
        elif isinstance(node, list):
            idx = _list_index(node, part)
            if idx is None:
                raise ConfigError(
                    f"{source}: {here}: no item '{part}' (use an index 0..{len(node) - 1} or a name)"
                )
            if last:
                node[idx] = value
                return
            node = node[idx]
        else:
            raise ConfigError(f"{source}: {here}: unknown key path '{path}'")


def _list_index(items: list[Any], part: str) -> int | None:
    if part.lstrip("-").isdigit():
        idx = int(part)
        return idx if 0 <= idx < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    return None


def get_path(cfg: Config | Mapping[str, Any], path: str) -> Any:
    """Read a dotted path from a config (or its raw mapping)."""
    node: Any = cfg.model_dump(mode="python") if isinstance(cfg, Config) else cfg
    for part in _split_path(path):
        if isinstance(node, list):
            idx = _list_index(node, part)
            if idx is None:
                raise ConfigError(f"{path}: no item '{part}'")
            node = node[idx]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise ConfigError(f"{path}: unknown key path")
    return node


def load_config(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Config:
    """Load, merge ``extends``, apply dotted overrides and validate a config file."""
    p = Path(path) if path is not None else DEFAULT_CONFIG
    raw = load_raw(p)
    apply_overrides(raw, overrides, source=str(p))
    return validate(raw, source=str(p))


def apply_overrides(
    raw: dict[str, Any],
    overrides: Mapping[str, Any] | Iterable[str] | None,
    source: str = "override",
) -> None:
    """Apply overrides given as a mapping or as ``KEY=VALUE`` strings, in place."""
    if not overrides:
        return
    items = overrides.items() if isinstance(overrides, Mapping) else map(parse_override, overrides)
    for key, value in items:
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{source}: {key}: {value!r} is not allowed; must be a finite number")
        set_path(raw, key, value, source=source)


def with_overrides(cfg: Config, overrides: Mapping[str, Any] | None) -> Config:
    """A new config: ``cfg`` with dotted-path overrides applied and validated."""
    if not overrides:
        return cfg
    raw = cfg.model_dump(mode="python")
    apply_overrides(raw, overrides)
    return validate(raw, source="override")


# --------------------------------------------------------------------------------------------
# the parameter space (for sweeps, sensitivity analysis and dashboard controls)


def _ranges_of(data: Mapping[str, Any] | Config) -> dict[str, tuple[float, float, str]]:
    """Every numeric leaf path with its allowed range and kind ('float' or 'int')."""
    out: dict[str, tuple[float, float, str]] = {}

    def walk(model: type[BaseModel], node: Any, prefix: str) -> None:
        for name, finfo in model.model_fields.items():
            path = f"{prefix}{name}"
            ann = finfo.annotation
            sub = node.get(name) if isinstance(node, Mapping) else getattr(node, name, None)
            origin = getattr(ann, "__origin__", None)
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, sub if sub is not None else {}, path + ".")
            elif origin is list:
                (item_t,) = ann.__args__  # type: ignore[union-attr]
                if isinstance(item_t, type) and issubclass(item_t, BaseModel):
                    for i, item in enumerate(sub or []):
                        walk(item_t, item, f"{path}.{i}.")
            elif ann in (int, float):
                lo = hi = None
                for m in finfo.metadata:
                    lo = getattr(m, "ge", lo)
                    hi = getattr(m, "le", hi)
                if lo is not None and hi is not None:
                    out[path] = (float(lo), float(hi), "int" if ann is int else "float")

    walk(Config, data, "")
    return out


def parameter_space(cfg: Config) -> dict[str, tuple[float, float, str]]:
    """Numeric parameters of a config: dotted path -> (min, max, kind)."""
    return _ranges_of(cfg)
