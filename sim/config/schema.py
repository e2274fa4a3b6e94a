"""The config schema: pydantic models for every section, with types, allowed ranges and labels.

Every numeric leaf has an allowed range and a one-line ``description`` (the dashboard shows it as
the control's label). Unknown keys are rejected, values must be finite, and a boolean is never
taken for a number (``revenge_weight: true`` is an error, not 1.0). Loading, overrides and
error messages live in :mod:`sim.config.loader`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.config.vocabulary import LEGAL_STEPS, MILITIA_ACTIONS, STRATEGIES, US_OPTIONS


def _not_a_bool(value: Any) -> Any:
    # pydantic's lax mode reads true/false as 1/0; a boolean for a number is a mistake here
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not allowed; must be a number, not a boolean")
    return value


#: A real number (booleans rejected); every float leaf of the schema is one.
Real = Annotated[float, BeforeValidator(_not_a_bool)]
#: A whole number (booleans rejected); every int leaf of the schema is one.
Int = Annotated[int, BeforeValidator(_not_a_bool)]

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True)


def _f(lo: float, hi: float, desc: str = "") -> Any:
    return Field(ge=lo, le=hi, description=desc)


Unit = Annotated[Real, _f(0.0, 1.0)]
Weight = Annotated[Real, _f(0.0, 20.0)]
Precision = Annotated[Real, _f(0.0, 50.0)]
Mean = Annotated[Real, _f(0.0, 500.0)]
Signed = Annotated[Real, _f(-10.0, 10.0)]


class Strict(BaseModel):
    """Base for all config sections: unknown keys rejected, frozen, no NaN/inf."""

    model_config = _STRICT


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


class StrategyProfile(Strict):
    """What one Iranian strategy does, scored on the scenario's own terms ([002])."""

    resolve: Unit = Field(description="Resolve it shows (satisfies the demand for revenge)")
    pressure: Unit = Field(description="Pressure it puts on the US presence")
    provocation: Unit = Field(description="How strongly it invites US retaliation and sanctions")
    war_risk: Unit = Field(description="Risk of all-out war it carries")
    order: Int = Field(ge=0, le=3, description="Militia action it orders (0 stand down, 1 harass, 2 deadly, 3 storm)")
    rung: Int = Field(ge=0, le=6, description="Escalation rung of Iran's own acts under it (0 calm .. 6 war)")
    relief: Unit = Field(description="Sanctions relief Iran expects from it")
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

    missiles: Int = Field(ge=1, le=1000, description="Missiles fired (event record only)")
    us_killed_mean: Mean = Field(description="Mean US killed per warned strike")
    us_wounded_mean: Mean = Field(description="Mean US wounded per warned strike")
    revenge_satisfaction: Unit = Field(description="Share of the revenge demand a warned strike satisfies")
    repeat_penalty: Weight = Field(description="Payoff lost per warned strike already fired")


class Casualties(Strict):
    """Mean casualties of one attack."""

    us_killed_mean: Mean = Field(description="Mean US killed per attack")
    us_wounded_mean: Mean = Field(description="Mean US wounded per attack")


class IranConfig(Strict):
    """Iran's payoff weights and strategy profiles."""

    rationality: Precision = Field(description="Choice precision (logit lambda; 0 = uniform choice)")
    inertia: Weight = Field(description="Bonus for keeping yesterday's strategy")
    revenge_weight: Weight = Field(description="Weight of the domestic demand for revenge")
    pressure_weight: Weight = Field(description="Weight of pressure on the US presence")
    retaliation_weight: Weight = Field(description="Weight of feared US retaliation")
    war_weight: Weight = Field(description="Weight of the risk of all-out war")
    economic_weight: Weight = Field(description="Weight of economic hardship from sanctions")
    isis_weight: Weight = Field(description="Weight of the ISIS risk of pressing the US")
    diplomacy_weight: Weight = Field(description="Value of the diplomacy track (times the channel's openness)")
    audience_weight: Weight = Field(description="Weight of the price of looking weak")
    iraq_market_share: Unit = Field(description="Share of US sanctions on Iraq that hurt Iran")
    belief_learning_rate: Unit = Field(description="Speed of Iran's belief updates about US retaliation")
    posture: Literal[("none",) + STRATEGIES]  # type: ignore[valid-type]
    posture_bias: Weight = Field(description="Payoff bonus for the posture preset's strategy")
    resupply: Annotated[Real, _f(0, 10, "Missiles supplied per militia per day under middle/major escalation")]
    political_push: Unit = Field(description="Daily rise in pressure on Iraqi politicians under political pressure")
    media_push: Unit = Field(description="Daily rise in Iraqi anger from Iran's media under political pressure")
    strategies: Strategies
    calibrated_strike: CalibratedStrike
    outside_attack: Casualties


class USCosts(Strict):
    """Fixed cost of each US option against holding."""

    offer_talks: Weight = Field(description="Cost of offering talks")
    force_protection: Weight = Field(description="Cost of ordering force protection")
    strike_militias: Weight = Field(description="Cost of striking militias in Iraq")
    strike_iran: Weight = Field(description="Cost of striking Iran")
    sanction_iraq: Weight = Field(description="Cost of sanctioning Iraq")
    sanction_iran: Weight = Field(description="Cost of sanctioning Iran")
    drawdown: Weight = Field(description="Cost of a troop drawdown")


class StrikeMilitias(Strict):
    """Effects of US strikes on militia targets in Iraq."""

    militia_killed_mean: Mean = Field(description="Mean militia killed per US strike, before the threat term")
    stock_destroyed: Annotated[Real, _f(0, 100, "Missiles destroyed at the struck militia per US strike")]
    per_threat_killed: Mean = Field(description="Extra mean militia killed per strike per unit of threat")
    iraqi_killed_mean: Mean = Field(description="Mean Iraqis killed per US strike")
    sentiment_shock: Unit = Field(description="Rise in Iraqi anger per US strike in Iraq")


class StrikeIran(Strict):
    """Effects of US strikes on Iran proper."""

    iranian_killed_mean: Mean = Field(description="Mean Iranians killed per US strike on Iran")
    tension_shock: Unit = Field(description="Rise in tension per US strike on Iran")


class USConfig(Strict):
    """The United States' payoff weights, costs and effects."""

    rationality: Precision = Field(description="Choice precision (logit lambda; 0 = uniform choice)")
    retaliation_weight: Weight = Field(description="Weight of retaliating for harm to US forces")
    audience_weight: Weight = Field(description="Weight of the US price of looking weak")
    war_avoidance_weight: Weight = Field(description="Weight of avoiding another war")
    sovereignty_weight: Weight = Field(description="Weight of Iraqi anger at strikes on Iraqi soil")
    mission_weight: Weight = Field(description="Weight of the anti-ISIS mission")
    protection_weight: Weight = Field(description="Weight of protecting US forces under threat")
    drawdown_weight: Weight = Field(description="Weight of the pressure to draw down")
    compliance_weight: Weight = Field(description="Weight of complying with a binding law")
    sanction_iraq_weight: Weight = Field(description="Weight of sanctioning Iraq over expulsion steps")
    sanction_iran_weight: Weight = Field(description="Weight of sanctioning Iran after harm")
    talks_weight: Weight = Field(description="Weight of offering talks")
    costs: USCosts
    strike_militias: StrikeMilitias
    strike_iran: StrikeIran
    sanction_step: Unit = Field(description="Rise in sanctions per sanction decision")
    drawdown_step: Real = _f(1, 50_000, "Troops withdrawn per drawdown decision")
    exit_threshold: Real = _f(0, 50_000, "Troop level at or below which the US has left")
    protection_decay: Unit = Field(description="Daily decay of force protection when not renewed")
    talks_step: Unit = Field(description="Opening of the diplomacy channel per offer of talks")
    harm_killed: Weight = Field(description="Threat score per US killed")
    harm_wounded: Weight = Field(description="Threat score per US wounded")
    harm_attack: Weight = Field(description="Threat score per attack")
    threat_memory: Unit = Field(description="Daily persistence of the threat signal")
    audience_gain: Weight = Field(description="Rise in US audience cost per unit of harm")
    audience_relief: Unit = Field(description="Share of US audience cost relieved by a US strike")
    audience_decay: Unit = Field(description="Daily decay of US audience cost")


class MilitiaAttack(Strict):
    """Mean casualties of one militia attack."""

    us_killed_mean: Mean = Field(description="Mean US killed per attack")
    us_wounded_mean: Mean = Field(description="Mean US wounded per attack")
    iraqi_killed_mean: Mean = Field(description="Mean Iraqis killed per attack")


class StormAttack(MilitiaAttack):
    """Storming a base or the embassy also costs the attackers."""

    militia_killed_mean: Mean = Field(description="Mean attackers killed per storm")


class ActionWeights(Strict):
    """One number per militia attack type."""

    harass: Weight = Field(description="Harassment (rocket attacks)")
    deadly: Weight = Field(description="Deadly strike (advanced missiles)")
    storm: Weight = Field(description="Storming a base or the embassy")


class MilitiaCommon(Strict):
    """Weights shared by all militias."""

    rationality: Precision = Field(description="Choice precision (logit lambda; 0 = uniform choice)")
    stand_down_value: Signed = Field(description="Value of standing down")
    order_weight: Weight = Field(description="Weight of Iran's order (times loyalty)")
    hostility_weight: Weight = Field(description="Weight of hostility to US forces")
    mood_weight: Weight = Field(description="Weight of Iraqi anger as encouragement to attack")
    fear_weight: Weight = Field(description="Weight of feared US retaliation")
    no_stock_penalty: Weight = Field(description="Penalty on deadly strikes without missiles in stock")
    action_costs: ActionWeights
    retaliation_severity: ActionWeights
    unanswered_window: Int = Field(ge=1, le=60, description="Window (days): attacks with no US strike are unanswered")
    harass: MilitiaAttack
    deadly: MilitiaAttack
    storm: StormAttack


class MilitiaRow(Strict):
    """One militia group: its own parameters (heterogeneity comes from config rows)."""

    name: str = Field(min_length=1)
    loyalty: Unit = Field(description="Loyalty to Iran's orders")
    hostility: Unit = Field(description="Hostility to US forces")
    fear: Unit = Field(description="Fear of US retaliation")
    belief_us_retaliation: Unit = Field(description="Initial belief that the US retaliates")
    learning_rate: Unit = Field(description="Speed of belief updates about US retaliation")
    missile_stock: Real = _f(0, 1000, "Advanced missiles held")
    home_site: str = Field(min_length=1)


class Hurdles(Strict):
    """How hard each legal step is to pass ([000], [002])."""

    resolution: Signed = Field(description="Hurdle to pass the resolution")
    limits: Signed = Field(description="Hurdle to pass limits on US operations")
    binding_law: Signed = Field(description="Hurdle to pass the binding law")


class BlocRow(Strict):
    """One parliamentary bloc (May 2018 seats)."""

    name: str = Field(min_length=1)
    seats: Int = Field(ge=0, le=329, description="Seats held (May 2018 election)")
    bias: Signed = Field(description="Standing support for expelling US forces")
    anger: Unit = Field(description="Anger at the US after strikes on Iraqi soil")
    iran_alignment: Unit = Field(description="Alignment with Iran")
    us_ties: Unit = Field(description="Ties to the US")
    boycott_bias: Signed = Field(description="Inclination to boycott a vote")


class ParliamentConfig(Strict):
    """Council of Representatives: blocs, quorum and vote weights."""

    total_seats: Int = Field(ge=1, le=1000, description="Seats in the Council of Representatives")
    quorum: Int = Field(ge=1, le=1000, description="MPs present needed for a valid vote")
    rationality: Precision = Field(description="Choice precision (logit lambda; 0 = uniform choice)")
    cohesion: Unit = Field(description="Share of each bloc's MPs counted (the rest are absent)")
    session_base: Unit = Field(description="Daily chance of a sitting without pressure")
    session_pressure: Unit = Field(description="Extra daily chance of a sitting per unit of pressure")
    motion_trigger: Unit = Field(description="Pressure needed to table the next legal step")
    min_days_between_votes: Int = Field(ge=0, le=365, description="Days to wait after a sitting before the next")
    anger_weight: Weight = Field(description="Weight of anger at the US (times bloc anger)")
    iran_weight: Weight = Field(description="Weight of Iranian pressure (times bloc alignment)")
    sanction_weight: Weight = Field(description="Weight of the US sanctions threat (times US ties)")
    isis_weight: Weight = Field(description="Weight of the ISIS threat (times US ties)")
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

    sentiment_baseline: Unit = Field(description="Level Iraqi anger relaxes toward")
    sentiment_decay: Unit = Field(description="Daily relaxation of Iraqi anger toward its baseline")
    attack_sentiment_backlash: Unit = Field(description="Fall in Iraqi anger per Iraqi killed by militias")
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
    sites: Sites


class Outcomes(Strict):
    """Thresholds of the path classification (rates are per 100 days of the run)."""

    s1_min_storms: Int = Field(ge=1, le=1000, description="Storms (a count) that make a run S1")
    s3_min_deadly_per_100d: Annotated[Real, _f(0, 100, "Deadly militia strikes per 100 days that make a run S3")]
    s2_min_attacks_per_100d: Annotated[Real, _f(0, 1000, "Militia attacks per 100 days that make a run S2")]
    s4_min_legal_status: Int = Field(ge=1, le=3, description="Legal step that makes a run S4 (3 = binding law)")
    s4_political_margin: Signed = Field(
        description="Political-pressure days minus diplomacy days (shares) above which a run is S4")


#: Every action name a history event may use (actor-specific checks happen in :mod:`sim.analysis.history`).
HISTORY_ACTIONS: tuple[str, ...] = (
    STRATEGIES + US_OPTIONS + MILITIA_ACTIONS + LEGAL_STEPS[1:]
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


class HistoryShock(Strict):
    """An exogenous change of world state on a date (e.g. the 3 January strike)."""

    date: dt.date
    note: str = ""
    set: dict[str, Real] = Field(default_factory=dict)
    add: dict[str, Real] = Field(default_factory=dict)


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


def config_hash(cfg: Config) -> str:
    """Sha256 (first 16 hex digits) of the canonical JSON of a config."""
    blob = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]

