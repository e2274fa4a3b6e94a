"""The historical record of January-June 2020 and the facts the model is held against.

This module owns reading the sourced record (``configs/history/2020h1_events.yaml``: dated events
with casualties, monthly ranges of reported attacks, state facts), mapping each event kind to the
model's observables (``configs/history/kinds.yaml``: an unknown kind is a one-line error), and the
facts file (``configs/history/facts_2020h1.yaml``): each fact's value (a [low, high] range) is
*derived* from the record by a named rule, never typed in, except ``value`` facts whose source
text in the record must exist (and contain the number).

:func:`compare` puts the facts beside a model distribution (one value per run for each statistic):
median, 90% interval, the record's percentile (mid-p: P(X < low) + P(low <= X <= high) / 2), whether
the record lies inside the central 90%, the share of runs that match each fact, and the share of
runs that match all of them jointly. The model side (which statistics a run produces) lives in the
engines; this module only reads the record and compares numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config import CONFIG_DIR, describe_validation_error, read_yaml
from sim.errors import ConfigError

HISTORY_DIR = CONFIG_DIR / "history"
DEFAULT_FACTS = HISTORY_DIR / "facts_2020h1.yaml"
#: Observables that are militia attacks in the record's definition (monthly.definition).
ATTACKS: tuple[str, ...] = ("attack_rocket_base", "attack_rocket_green_zone", "attack_convoy_ied", "attack_drone")
#: Event groups a ``sum`` rule may add casualties over.
GROUPS: dict[str, tuple[str, ...]] = {
    "attacks": ATTACKS,
    "attacks_and_iran": (*ATTACKS, "storm", "iran_direct_strike"),
}
RULES: tuple[str, ...] = ("monthly", "monthly_sum", "total", "count", "sum", "lethal_attacks", "lag",
                          "answered_share", "first_day", "designates_failed", "legal_step", "value")


# ------------------------------------------------------------------------------------------
# the record


@dataclass(frozen=True)
class Event:
    """One dated event of the record, with the observables its kind maps to."""

    id: str
    date: dt.date
    kind: str
    observables: tuple[str, ...]
    high_only: bool
    us_killed: float
    coalition_killed: float
    vote_result: str


@dataclass(frozen=True)
class Record:
    """The record: events (with observables), the monthly section and the state section."""

    path: Path
    events: tuple[Event, ...]
    monthly: Mapping[str, Any]
    state: Mapping[str, Any]
    raw: Mapping[str, Any]

    def between(self, start: dt.date, end: dt.date) -> list[Event]:
        """Events dated within [start, end]."""
        return [e for e in self.events if start <= e.date <= end]


def _kinds(path: Path) -> dict[str, tuple[tuple[str, ...], bool]]:
    data = read_yaml(path, "kinds file")
    table = data.get("kinds")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{path}: kinds: must be a mapping of event kind -> {{observable: ...}}")
    out: dict[str, tuple[tuple[str, ...], bool]] = {}
    for kind, spec in table.items():
        if not isinstance(spec, dict) or "observable" not in spec or set(spec) - {"observable", "counted"}:
            raise ConfigError(f"{path}: kinds.{kind}: expected {{observable: NAME, counted: high_only}}")
        obs = spec["observable"]
        names = tuple(obs) if isinstance(obs, list) else (str(obs),)
        if spec.get("counted", "always") not in ("always", "high_only"):
            raise ConfigError(f"{path}: kinds.{kind}.counted: {spec['counted']!r} is not allowed; "
                              "use always or high_only")
        out[str(kind)] = (names, spec.get("counted") == "high_only")
    return out


def _num(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def load_record(path: str | Path, kinds_path: str | Path) -> Record:
    """Read the record and map every event kind to observables (unknown kinds are errors)."""
    p = Path(path)
    data = read_yaml(p, "record file")
    kinds = _kinds(Path(kinds_path))
    events = data.get("events")
    if not isinstance(events, list):
        raise ConfigError(f"{p}: events: must be a list of dated events")
    out: list[Event] = []
    for i, e in enumerate(events):
        where = f"{p}: events.{i}" + (f" ({e.get('id')})" if isinstance(e, dict) and e.get("id") else "")
        if not isinstance(e, dict) or not {"id", "date", "kind"} <= set(e):
            raise ConfigError(f"{where}: each event needs id, date and kind")
        if e["kind"] not in kinds:
            raise ConfigError(f"{where}.kind: unknown event kind {str(e['kind'])[:80]!r}; add it to "
                              f"{kinds_path} with the observable it is")
        try:
            date = dt.date.fromisoformat(str(e["date"]))
        except ValueError:
            raise ConfigError(f"{where}.date: {str(e['date'])[:40]!r} is not a date (YYYY-MM-DD)") from None
        cas = e.get("casualties") or {}
        vote = e.get("vote") or {}
        names, high_only = kinds[e["kind"]]
        out.append(Event(id=str(e["id"]), date=date, kind=str(e["kind"]), observables=names,
                         high_only=high_only, us_killed=_num(cas.get("us_killed")),
                         coalition_killed=_num(cas.get("coalition_killed")),
                         vote_result=str(vote.get("result", ""))))
    return Record(path=p, events=tuple(out), monthly=data.get("monthly") or {},
                  state=data.get("state") or {}, raw=data)


# ------------------------------------------------------------------------------------------
# facts


class Match(BaseModel):
    """When a run's value matches a fact: within ``within`` of the range, or ``within_rel`` of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    within: float | None = Field(default=None, ge=0)
    within_rel: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> Match:
        if (self.within is None) == (self.within_rel is None):
            raise ValueError("give exactly one of within, within_rel")
        return self


class FactSpec(BaseModel):
    """One fact of the facts file (see configs/history/facts_2020h1.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    statistic: str = Field(min_length=1)
    record: dict[str, Any]
    match: Match

    @model_validator(mode="after")
    def _one_rule(self) -> FactSpec:
        rules = [k for k in self.record if k in RULES]
        extra = set(self.record) - set(RULES) - {"field", "exclude", "of", "source"}
        if len(rules) != 1 or extra:
            raise ValueError(f"record: needs exactly one of {', '.join(RULES)}; got {sorted(self.record)}")
        return self


class FactsFile(BaseModel):
    """The facts file: the record, the kinds table, the window and the facts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    record: str
    kinds: str
    start: dt.date
    end: dt.date
    facts: list[FactSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Fact:
    """A fact with its value read from the record: the range [low, high] a run is compared to."""

    id: str
    label: str
    statistic: str
    low: float
    high: float
    within: float | None
    within_rel: float | None

    def matches(self, x: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Which values match the fact (NaN, an undefined statistic, never matches)."""
        v = np.asarray(x, dtype=np.float64)
        tol = self.within if self.within is not None else (self.within_rel or 0.0) * max(abs(self.high), 1.0)
        with np.errstate(invalid="ignore"):
            return np.asarray((v >= self.low - tol - 1e-9) & (v <= self.high + tol + 1e-9))


@dataclass(frozen=True)
class Facts:
    """All facts of a facts file, with the window they describe."""

    path: Path
    start: dt.date
    end: dt.date
    facts: tuple[Fact, ...]
    record: Record

    @property
    def days(self) -> int:
        """Days from the start to the end of the window, inclusive (the run length to compare)."""
        return (self.end - self.start).days + 1

    @property
    def statistics(self) -> list[str]:
        """The model statistics the facts need."""
        return [f.statistic for f in self.facts]


def _range(value: Any, where: str) -> tuple[float, float]:
    if isinstance(value, bool):
        raise ConfigError(f"{where}: {value!r} is not a count")
    if isinstance(value, (int, float)):
        return float(value), float(value)
    if isinstance(value, list) and len(value) == 2:
        return float(value[0]), float(value[1])
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?(?:\s+\w.*)?", str(value))
    if m is None:
        raise ConfigError(f"{where}: cannot read a count or range from {str(value)[:60]!r}")
    lo = float(m.group(1))
    return lo, float(m.group(2)) if m.group(2) else lo


def _months(rec: Record, start: dt.date, end: dt.date) -> list[str]:
    months = rec.monthly.get("months") or {}
    return [m for m in months if start.strftime("%Y-%m") <= m <= end.strftime("%Y-%m")]


def _state_text(rec: Record, source: str, where: str) -> str:
    node: Any = rec.raw
    for part in source.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise ConfigError(f"{where}.source: {source!r} is not in the record {rec.path}")
    return str(node)


def _has_number(text: str, value: float) -> bool:
    n = int(round(value))
    forms = {str(n), f"{n:,}"}
    return any(re.search(rf"(?<![\d,]){re.escape(f)}(?![\d,])", text) for f in forms)


def _lethal(e: Event) -> bool:
    return bool(set(e.observables) & set(ATTACKS)) and (e.us_killed + e.coalition_killed) > 0


def _days_to(events: Sequence[Event], after: Event, to: str, max_days: int) -> int | None:
    lags = [(x.date - after.date).days for x in events if to in x.observables]
    ok = [d for d in lags if 1 <= d <= max_days]
    return min(ok) if ok else None


def record_value(spec: FactSpec, rec: Record, start: dt.date, end: dt.date, where: str) -> tuple[float, float]:
    """The [low, high] value of one fact, derived from the record by the fact's rule."""
    r = spec.record
    ev = rec.between(start, end)
    excl = set(r.get("exclude", []))
    unknown = excl - {e.id for e in rec.events}
    if unknown:
        raise ConfigError(f"{where}.exclude: no event {sorted(unknown)[0]!r} in the record")
    ev = [e for e in ev if e.id not in excl]
    if "monthly" in r:
        month = str(r["monthly"])
        months = rec.monthly.get("months") or {}
        if month not in months or r.get("field") not in months[month]:
            raise ConfigError(f"{where}: the record has no monthly.months.{month}.{r.get('field')}")
        return _range(months[month][r["field"]], where)
    if "monthly_sum" in r:
        months = rec.monthly.get("months") or {}
        parts = [_range(months[m].get(r["monthly_sum"], "x"), f"{where} ({m})") for m in _months(rec, start, end)]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if "total" in r:
        return _range((rec.monthly.get("totals_jan_jun") or {}).get(str(r["total"]), "x"), where)
    if "count" in r:
        hits = [e for e in ev if r["count"] in e.observables]
        return float(sum(not e.high_only for e in hits)), float(len(hits))
    if "sum" in r:
        group = GROUPS.get(str(r.get("of")))
        if group is None or r["sum"] not in ("us_killed", "coalition_killed"):
            raise ConfigError(f"{where}: sum needs a casualty field (us_killed, coalition_killed) and "
                              f"of: one of {', '.join(GROUPS)}")
        total = sum(getattr(e, r["sum"]) for e in ev if set(e.observables) & set(group))
        return total, total
    if "lethal_attacks" in r:
        n = float(sum(_lethal(e) for e in ev))
        return n, n
    if "lag" in r:
        lag = r["lag"]
        lags = [_days_to(ev, e, lag["to"], int(lag["max_days"])) for e in ev if _lethal(e)]
        got = [x for x in lags if x is not None]
        mean = float(np.mean(got)) if got else math.nan
        return mean, mean
    if "answered_share" in r:
        a = r["answered_share"]
        pool = [e for e in ev if set(e.observables) & set(ATTACKS) and not e.high_only and not _lethal(e)]
        answered = [_days_to(ev, e, a["to"], int(a["max_days"])) is not None for e in pool]
        share = float(np.mean(answered)) if answered else math.nan
        return share, share
    if "first_day" in r:
        hits = [e for e in ev if r["first_day"] in e.observables]
        day = float((hits[0].date - start).days) if hits else math.inf
        return day, day
    if "designates_failed" in r:
        n = float(sum("pm_designated" in e.observables for e in ev)
                  - sum("government_formed" in e.observables for e in ev))
        return n, n
    if "legal_step" in r:
        n = float(min(3, sum("parliament_vote_us_presence" in e.observables
                             and e.vote_result.startswith("passed") for e in ev)))
        return n, n
    value = float(r["value"])
    text = _state_text(rec, str(r.get("source", "")), where)
    if value != 0 and not _has_number(text, value):
        raise ConfigError(f"{where}.source: the record's text at {r['source']!r} does not contain {value:g}")
    return value, value


def load_facts(path: str | Path = DEFAULT_FACTS) -> Facts:
    """Read a facts file and derive every fact's value from the record it names."""
    p = Path(path)
    raw = read_yaml(p, "facts file")
    try:
        spec = FactsFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, str(p))) from None
    rec = load_record(p.parent / spec.record, p.parent / spec.kinds)
    facts = []
    seen: set[str] = set()
    for i, f in enumerate(spec.facts):
        where = f"{p}: facts.{i} ({f.id})"
        if f.id in seen:
            raise ConfigError(f"{where}.id: duplicate fact id")
        seen.add(f.id)
        lo, hi = record_value(f, rec, spec.start, spec.end, where)
        facts.append(Fact(id=f.id, label=f.label, statistic=f.statistic, low=lo, high=hi,
                          within=f.match.within, within_rel=f.match.within_rel))
    return Facts(path=p, start=spec.start, end=spec.end, facts=tuple(facts), record=rec)


# ------------------------------------------------------------------------------------------
# the model beside the record


def _percentile(x: npt.NDArray[np.float64], lo: float, hi: float) -> float:
    if len(x) == 0:
        return math.nan
    below = np.mean(x < lo)
    inside = np.mean((x >= lo) & (x <= hi))
    return float(100.0 * (below + 0.5 * inside))


def _quantiles(x: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    """5%, 50% and 95% quantiles (linear interpolation), ``inf`` where one falls among the runs in
    which a first day never came (``inf - inf`` would make them NaN).
    """
    finite = x[np.isfinite(x)]
    top = float(finite.max()) if len(finite) else 0.0
    filled = np.where(np.isposinf(x), top + 1.0, x)
    q = np.quantile(filled, [0.05, 0.5, 0.95])
    return tuple(math.inf if v > top and np.isposinf(x).any() else float(v) for v in q)  # type: ignore[return-value]


def compare(facts: Facts, stats: Mapping[str, npt.ArrayLike]) -> tuple[pd.DataFrame, float]:
    """Each fact beside the model's distribution, and the share of runs matching all facts.

    ``stats`` maps every statistic the facts name to one value per run (NaN where a run leaves
    it undefined, e.g. the lag after a lethal attack in a run without one; ``inf`` for "never").
    Returns the table (one row per fact) and the joint match share.
    """
    missing = [s for s in facts.statistics if s not in stats]
    if missing:
        raise ConfigError(f"{facts.path}: statistic {missing[0]!r} is not produced by the model "
                          f"(it produces {', '.join(sorted(stats))[:300]})")
    rows = []
    joint: npt.NDArray[np.bool_] | None = None
    for f in facts.facts:
        x = np.asarray(stats[f.statistic], dtype=np.float64)
        ok = f.matches(x)
        joint = ok if joint is None else joint & ok
        defined = x[~np.isnan(x)]
        q05, q50, q95 = _quantiles(defined) if len(defined) else (math.nan,) * 3
        rows.append({
            "fact": f.id, "label": f.label, "statistic": f.statistic,
            "record_low": f.low, "record_high": f.high, "runs": int(len(defined)),
            "median": float(q50), "q05": float(q05), "q95": float(q95),
            "record_percentile": _percentile(defined, f.low, f.high),
            "inside_90": bool(len(defined)) and not (f.high < q05 or f.low > q95),
            "match_share": float(np.mean(ok)) if len(ok) else math.nan,
        })
    share = float(np.mean(joint)) if joint is not None and len(joint) else math.nan
    return pd.DataFrame(rows), share
