"""The config schema: pydantic models for every section, with types, allowed ranges and labels.

Every numeric leaf has an allowed range and a one-line ``description`` (the dashboard shows it as
the control's label). Unknown keys are rejected, values must be finite, and a boolean is never
taken for a number (``revenge_weight: true`` is an error, not 1.0). Loading, overrides and
error messages live in :mod:`sim.config.loader`; the actors' sections live in
:mod:`sim.config.schema_actors`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.config.schema_actors import (
    Actors as Actors,
)
from sim.config.schema_actors import (
    Int,
    Real,
    Signed,
    Strict,
    Unit,
    UnitedStatesConfig,
    _f,
)
from sim.config.vocabulary import LEGAL_STEPS, STRATEGIES, TACTICS, US_ACTS


class Meta(Strict):
    """Run metadata."""

    name: str = Field(min_length=1)
    start_date: dt.date
    days: Int = Field(ge=1, le=3650, description="Days simulated (one step = one day)")


class Initial(Strict):
    """World state on day 0."""

    us_troops: Real = _f(0, 200_000, "US troops in Iraq")
    us_protection: Unit = Field(description="Force protection on day 0 (1 = anti-ISIS operations paused)")
    sentiment: Unit = Field(description="Iraqi anti-US anger on day 0")
    revenge: Unit = Field(description="Iran's domestic demand for revenge on day 0")
    us_audience_cost: Annotated[Real, _f(0, 10, "US price of looking weak on day 0")]
    iran_audience_cost: Annotated[Real, _f(0, 10, "Iran's price of looking weak on day 0")]
    sanctions_iran: Unit = Field(description="Sanctions on Iran on day 0")
    sanctions_iraq: Unit = Field(description="US sanctions on Iraq on day 0")
    sanction_threat: Unit = Field(description="Threat of US sanctions on Iraq, as MPs see it, on day 0")
    isis_strength: Unit = Field(description="ISIS strength on day 0")
    legal_status: Int = Field(ge=0, le=3, description="Legal step passed by day 0 (0 none .. 3 binding law)")
    diplomacy: Unit = Field(description="Diplomacy channel on day 0 (0 closed, 1 open)")
    tension: Unit = Field(description="Escalation tension on day 0")
    iran_political_pressure: Unit = Field(description="Iran's pressure on Iraqi politicians on day 0")
    iran_strategy: Literal[STRATEGIES]  # type: ignore[valid-type]
    iran_belief_us_retaliation: Unit = Field(description="Iran's initial belief that the US retaliates")
    direct_demand: bool = Field(description="A leadership killing awaits Iran's own answer on day 0")
    us_threat: Annotated[Real, _f(0, 20, "US threat memory on day 0")]
    agenda: Annotated[Real, _f(0, 10, "Parliament's push for a sitting on the US presence on day 0")]
    waiver_days: Annotated[Real, _f(0, 365, "Days left on Iraq's energy waiver on day 0")]
    days_without_government: Annotated[Real, _f(0, 1000, "Days since the last government resigned, on day 0")]
    caretaker_alignment: Signed = Field(description="The caretaker PM's alignment (-1 Iran .. +1 US)")


class Sites(Strict):
    """Named sites (coordinates live in dashboards/)."""

    bases: list[str] = Field(min_length=1)
    exposed: list[str] = Field(default_factory=list)
    embassy: str
    convoys: str
    iran_targets: list[str] = Field(min_length=1)


class World(Strict):
    """World-state dynamics."""

    sentiment_baseline: Unit = Field(description="Level Iraqi anger relaxes toward")
    sentiment_decay: Unit = Field(description="Daily relaxation of Iraqi anger toward its baseline")
    attack_sentiment_backlash: Unit = Field(description="Fall in Iraqi anger per Iraqi killed by militias")
    strike_killed_sentiment: Unit = Field(description="Rise in Iraqi anger per Iraqi killed by a US strike")
    revenge_decay: Unit = Field(description="Daily decay of Iran's demand for revenge")
    revenge_gain: Unit = Field(description="Rise in Iran's demand for revenge per US strike")
    attack_revenge_satisfaction: Unit = Field(description="Share of revenge demand satisfied per unit of attack")
    sanction_relief: Unit = Field(description="Daily easing of Iran sanctions on the diplomacy track")
    iran_audience_gain: Unit = Field(description="Rise in Iran's audience cost per US strike")
    iran_audience_relief: Unit = Field(description="Share of Iran's audience cost relieved by an attack")
    iran_audience_decay: Unit = Field(description="Daily decay of Iran's audience cost")
    political_pressure_decay: Unit = Field(description="Daily decay of Iran's pressure on Iraqi politicians")
    limits_ops_cut: Unit = Field(description="Share of anti-ISIS operations lost under legal limits")
    isis_growth: Unit = Field(description="ISIS regrowth rate")
    isis_suppression: Unit = Field(description="ISIS suppression by US-backed operations")
    iraqi_suppression: Unit = Field(description="ISIS suppression by Iraqi forces alone")
    tension_memory: Unit = Field(description="Daily persistence of tension")
    war_threshold: Unit = Field(description="Tension at which the war hazard is half its maximum")
    war_slope: Annotated[Real, _f(0, 100, "Steepness of the war hazard in tension")]
    war_max_hazard: Unit = Field(description="Maximum daily chance of all-out war")
    diplomacy_decay: Unit = Field(description="Daily closing of the diplomacy channel while Iran is off the track")
    diplomacy_breakdown: Unit = Field(description="Setback to the diplomacy channel per violent act")
    handover_exposure: Unit = Field(
        description="Share of attack opportunities lost when all exposed sites are handed over")
    disclosure_rate: Unit = Field(description="Daily share of undisclosed wounded that is reported")
    initial_disclosure: Unit = Field(description="Share of an act's wounded reported the same day")
    accident_rate: Unit = Field(description="Daily hazard of an accident or misperception")
    accident_tension: Unit = Field(description="Tension an accident adds")
    sites: Sites


class Outcomes(Strict):
    """Thresholds of the path classification (rates are per 100 days of the run)."""

    s2_min_attacks_per_100d: Annotated[Real, _f(0, 1000, "Attacks per 100 days that make the military track S2")]
    s3_min_lethal_per_100d: Annotated[Real, _f(0, 100, "Lethal attacks per 100 days that make it S3")]
    s3_min_advanced_per_100d: Annotated[Real, _f(0, 100, "Drone and missile attacks per 100 days that make it S3")]
    s1_min_storms_per_100d: Annotated[Real, _f(0, 100, "Storms per 100 days that make it S1")]
    s1_min_iran_strikes_per_100d: Annotated[Real, _f(0, 100, "US strikes on Iran per 100 days that make it S1")]
    s4_min_political: Int = Field(ge=1, le=4, description="Political track (2 limits, 3 binding law, "
                                  "4 negotiated drawdown) that makes the path S4")


#: Every action name a history event may use (actor-specific checks happen in :mod:`sim.analysis.history`).
HISTORY_ACTIONS: tuple[str, ...] = (
    STRATEGIES + TACTICS + US_ACTS + LEGAL_STEPS[1:] + ("direct_strike", "hold")
)


class HistoryEvent(Strict):
    """One actual choice of the historical record (replayed and scored by :mod:`sim.analysis.history`)."""

    date: dt.date
    actor: str = Field(min_length=1, description="Iran, United States, Parliament or a militia")
    action: str = Field(min_length=1, description="an option of that actor")
    target: str | None = None
    us_killed: Int | None = Field(default=None, ge=0, le=10_000, description="declared US deaths")
    us_wounded: Int | None = Field(default=None, ge=0, le=10_000, description="declared US wounded")
    counted: bool = Field(default=True, description="scored in the likelihood (else only forced)")
    note: str = ""

    @model_validator(mode="after")
    def _known_action(self) -> HistoryEvent:
        if self.action not in HISTORY_ACTIONS:
            allowed = ", ".join(HISTORY_ACTIONS)
            raise ValueError(f"unknown action {self.action!r}; the model has {allowed}")
        return self


class Shock(Strict):
    """An exogenous change of world state on a date or day (e.g. the 3 January strike).

    ``set`` and ``add`` name world fields (``sentiment``, ``revenge``, ``tension``, ``agenda``,
    ``direct_demand``, ``iran_trigger``, beliefs, ``excitation.<militia>``, ...); the engine
    applies them at the start of the day, before anyone observes it, and records an event row.
    """

    date: dt.date | None = None
    day: Int | None = Field(default=None, ge=0, le=3650, description="day of the run (instead of a date)")
    kind: str = Field(default="shock", min_length=1, description="what the event row calls it")
    actor: str = Field(default="World", min_length=1)
    target: str = ""
    note: str = ""
    set: dict[str, Real] = Field(default_factory=dict)
    add: dict[str, Real] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _when(self) -> Shock:
        if (self.date is None) == (self.day is None):
            raise ValueError("give exactly one of date, day")
        return self


#: The name kept for the replay's shocks.
HistoryShock = Shock


class Intervention(Strict):
    """Force or forbid one actor's act on a date or day (counterfactuals, a human player).

    ``actor``: Iran, United States, Parliament, Executive or a militia's name; ``act``: one of that
    actor's acts (``sim.core.interventions.ACTS``). The intervention replaces the actor's decision
    before the staged transition, so draws stay keyed and paired comparisons share them.
    """

    date: dt.date | None = None
    day: Int | None = Field(default=None, ge=0, le=3650, description="day of the run (instead of a date)")
    actor: str = Field(min_length=1)
    act: str = Field(min_length=1)
    mode: Literal["force", "forbid"] = "force"

    @model_validator(mode="after")
    def _when(self) -> Intervention:
        if (self.date is None) == (self.day is None):
            raise ValueError("give exactly one of date, day")
        return self


class History(Strict):
    """The historical sequence a replay drives the model through (optional section)."""

    end_date: dt.date
    events: list[HistoryEvent] = Field(min_length=1)
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
    exogenous: list[Shock] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    history: History | None = None

    def hash(self) -> str:
        """Short content hash of the resolved configuration (recorded with every result)."""
        return config_hash(self)


def config_hash(cfg: Config) -> str:
    """Sha256 (first 16 hex digits) of the canonical JSON of a config."""
    blob = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


__all__ = ["HISTORY_ACTIONS", "Actors", "Config", "History", "HistoryEvent", "HistoryShock", "Initial",
           "Intervention", "Meta", "Outcomes", "Shock", "Sites", "UnitedStatesConfig", "World", "config_hash"]
