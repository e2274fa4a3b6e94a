"""Typed parameters of the actors: frozen dataclasses built from ``actors.*`` of the config.

A field holds a number shared by all replicates or, after stacking several configs
(:func:`sim.engines.batch.stack_params`), an array (R,) with one value per replicate. The
rules broadcast either way. :mod:`sim.core.params` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: A number shared by all replicates, or one per replicate (R,) once rows are stacked.
type Num = float | npt.NDArray[np.float64]
#: A whole number shared by all replicates, or one per replicate (R,).
type Whole = int | npt.NDArray[np.int64]


# ------------------------------------------------------------------------------------ Iran


@dataclass(frozen=True, slots=True)
class StrategyParams:
    """What one Iranian strategy does ([002]; ``actors.iran.strategies.<s>``)."""

    resolve: Num
    pressure: Num
    provocation: Num
    war_risk: Num
    rung: Whole
    relief: Num
    outside: Num
    guidance: Num
    escalation: Num
    warn: Num


@dataclass(frozen=True, slots=True)
class ReopenParams:
    """Chance that an event reopens Iran's strategy choice (``actors.iran.reopen``)."""

    leadership_killing: Num
    direct_strike: Num
    us_strike_iran: Num
    deadly_us_strike: Num
    legal_step: Num
    negotiated_drawdown: Num
    us_exit: Num
    war: Num


@dataclass(frozen=True, slots=True)
class DirectStrikeParams:
    """The direct strike after a leadership killing (``actors.iran.direct_strike``)."""

    resolve: Num
    provocation: Num
    war_risk: Num
    cost: Num
    rung: Whole
    missiles: Whole
    lead_min: Whole
    lead_mean: Num
    revenge_satisfaction: Num
    warned_us_killed_mean: Num
    warned_us_wounded_mean: Num
    unwarned_us_killed_mean: Num
    unwarned_us_wounded_mean: Num


@dataclass(frozen=True, slots=True)
class CasualtyParams:
    """Mean US casualties of one act (``actors.iran.outside_attack``)."""

    us_killed_mean: Num
    us_wounded_mean: Num


@dataclass(frozen=True, slots=True)
class IranParams:
    """Iran's payoff weights, strategy profiles, commitments and direct strike (``actors.iran``)."""

    rationality: Num
    inertia: Num
    revenge_weight: Num
    pressure_weight: Num
    retaliation_weight: Num
    war_weight: Num
    economic_weight: Num
    isis_weight: Num
    diplomacy_weight: Num
    audience_weight: Num
    iraq_market_share: Num
    belief_learning_rate: Num
    posture_index: Whole  # the preset's strategy, -1 for none
    posture_bias: Num
    resupply: Num
    political_push: Num
    media_push: Num
    review_days: Num
    reopen: ReopenParams
    deadly_strike_killed: Num
    profiles: tuple[StrategyParams, ...]  # STRATEGIES order
    direct: DirectStrikeParams
    outside: CasualtyParams
    initial_belief: Num

    @property
    def rungs(self) -> list[Whole]:
        """The escalation rung of Iran's own acts under each strategy."""
        return [pr.rung for pr in self.profiles]

    @property
    def outside_prob(self) -> list[Num]:
        """Daily chance of an attack outside Iraq under each strategy."""
        return [pr.outside for pr in self.profiles]

    @property
    def guidance(self) -> list[Num]:
        """The militia tempo each strategy calls for."""
        return [pr.guidance for pr in self.profiles]

    @property
    def escalation(self) -> list[Num]:
        """The shift of the tactic mix each strategy calls for."""
        return [pr.escalation for pr in self.profiles]

    @property
    def warn(self) -> list[Num]:
        """The chance a direct strike is warned under each strategy."""
        return [pr.warn for pr in self.profiles]


# ------------------------------------------------------------------------------------ the US


@dataclass(frozen=True, slots=True)
class USCostParams:
    """Fixed cost of each US act (``actors.united_states.costs``)."""

    offer_talks: Num
    force_protection: Num
    strike_militias: Num
    strike_iran: Num
    sanction_iraq: Num
    sanction_iran: Num
    threaten_iraq: Num
    drawdown: Num
    warning: Num
    consolidate: Num
    propose_dialogue: Num
    offer_drawdown: Num


@dataclass(frozen=True, slots=True)
class StrikeMilitiaParams:
    """Effects of a US strike on militias in Iraq (``actors.united_states.strike_militias``)."""

    militia_killed_mean: Num
    stock_destroyed: Num
    per_threat_killed: Num
    iraqi_killed_mean: Num
    sentiment_shock: Num
    grievance_relief: Num


@dataclass(frozen=True, slots=True)
class StrikeIranParams:
    """Effects of a US strike on Iran (``actors.united_states.strike_iran``)."""

    iranian_killed_mean: Num
    tension_shock: Num


@dataclass(frozen=True, slots=True)
class WaiverParams:
    """Energy waivers for Iraq (``actors.united_states.waiver``)."""

    short_min: Num
    short_max: Num
    long: Num
    renew_weight: Num


@dataclass(frozen=True, slots=True)
class DialogueParams:
    """The Strategic Dialogue (``actors.united_states.dialogue``)."""

    lead_min: Num
    lead_mean: Num
    interval: Num
    cut_share: Num
    timetable_days: Num


@dataclass(frozen=True, slots=True)
class ConsolidationParams:
    """Base consolidation (``actors.united_states.consolidation``)."""

    campaign_days: Num
    handover_rate: Num
    planned: Num


@dataclass(frozen=True, slots=True)
class USParams:
    """The United States' weights, costs and effects (``actors.united_states``)."""

    rationality: Num
    retaliation_weight: Num
    audience_weight: Num
    war_avoidance_weight: Num
    sovereignty_weight: Num
    dialogue_weight: Num
    mission_weight: Num
    protection_weight: Num
    drawdown_weight: Num
    compliance_weight: Num
    sanction_iraq_weight: Num
    sanction_iran_weight: Num
    threaten_weight: Num
    talks_weight: Num
    warning_weight: Num
    consolidation_weight: Num
    dialogue_offer_weight: Num
    offer_drawdown_weight: Num
    review_days: Num
    costs: USCostParams
    strike_militias: StrikeMilitiaParams
    strike_iran: StrikeIranParams
    sanction_step: Num
    drawdown_step: Num
    exit_threshold: Num
    protection_decay: Num
    pause_level: Num
    hardening: Num
    talks_step: Num
    harm_killed: Num
    harm_wounded: Num
    harm_attack: Num
    threat_memory: Num
    grievance_memory: Num
    deaths_memory: Num
    iran_harm_memory: Num
    expulsion_memory: Num
    threat_relief: Num
    audience_gain: Num
    audience_relief: Num
    audience_decay: Num
    waiver: WaiverParams
    dialogue: DialogueParams
    consolidation: ConsolidationParams
    initial_troops: Num  # ``initial.us_troops``: presence is measured against it


# ------------------------------------------------------------------------------------ militias


@dataclass(frozen=True, slots=True)
class TacticParams:
    """Lethality, casualties and attribution of one tactic (``militia_common.tactics.<t>``)."""

    lethal: Num
    extra_killed_mean: Num
    coalition_share: Num
    wounded_mean: Num
    lethal_wounded_mean: Num
    iraqi_killed_mean: Num
    attribution: Num
    militia_killed_mean: Num


@dataclass(frozen=True, slots=True)
class MilitiaRowParams:
    """One militia group's own parameters (``actors.militias.<i>``)."""

    name: str
    base_rate: Num
    loyalty: Num
    hostility: Num
    fear: Num
    belief_us_retaliation: Num
    learning_rate: Num
    missile_stock: Num
    excitation: Num
    home_site: str
    weights: tuple[Num, ...]  # TACTICS order without stand_down
    fronts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MilitiaParams:
    """Weights shared by all militias, the tactics, and the groups' rows."""

    guidance_weight: Num
    hostility_weight: Num
    anger_weight: Num
    fear_weight: Num
    politics_weight: Num
    politics_window: Num
    crackdown_weight: Num
    truce_weight: Num
    truce_rate: Num
    excitation_decay: Num
    attack_jump: Num
    lethal_jump: Num
    strike_jump: Num
    escalation_shift: Num
    warning_belief: Num
    other_strike_belief: Num
    unanswered_weight: Num
    unanswered_window: Whole
    attribution_lethal_bonus: Num
    front_claim: Num
    misattribution: Num
    tactics: tuple[TacticParams, ...]  # TACTICS order without stand_down
    rows: tuple[MilitiaRowParams, ...]

    @property
    def names(self) -> list[str]:
        """The groups' names, in row order."""
        return [m.name for m in self.rows]


# ------------------------------------------------------------------------------------ Iraq


@dataclass(frozen=True, slots=True)
class ExecutiveParams:
    """The Iraqi executive (``actors.executive``) and the caretaker on day 0."""

    rationality: Num
    designation_rate: Num
    designate_alignment_mean: Num
    designate_alignment_spread: Num
    window_days: Num
    prep_days: Num
    request_rate: Num
    retry_after_failure: Num
    withdraw_rate: Num
    urgency_weight: Num
    confirmation_base: Num
    alignment_weight: Num
    confirmation_boycott: Num
    sovereignty_weight: Num
    training_weight: Num
    militia_weight: Num
    economic_weight: Num
    threat_weight: Num
    crackdown_cost: Num
    crackdown_decay: Num
    revoke_cost: Num
    demand_cost: Num
    short_waiver_days: Num
    caretaker_alignment: Num  # ``initial.caretaker_alignment``: who governs between designates


@dataclass(frozen=True, slots=True)
class HurdleParams:
    """How hard each legal step is to pass (``actors.parliament.hurdles``)."""

    resolution: Num
    limits: Num
    binding_law: Num

    def by_step(self) -> tuple[Num, ...]:
        """The hurdles in ``LEGAL_STEPS`` order (0 for none)."""
        return (0.0, self.resolution, self.limits, self.binding_law)


@dataclass(frozen=True, slots=True)
class BlocParams:
    """One parliamentary bloc (``actors.parliament.blocs.<i>``)."""

    name: str
    seats: Num
    bias: Num
    anger: Num
    iran_alignment: Num
    us_ties: Num
    boycott_bias: Num


@dataclass(frozen=True, slots=True)
class ParliamentParams:
    """The Council of Representatives (``actors.parliament``)."""

    total_seats: Whole
    quorum: Whole
    rationality: Num
    cohesion: Num
    agenda_decay: Num
    request_rate: Num
    request_threshold: Num
    schedule_prob: Num
    strike_agenda: Num
    killed_agenda: Num
    iran_agenda: Num
    anger_weight: Num
    iran_weight: Num
    sanction_weight: Num
    isis_weight: Num
    hurdles: HurdleParams
    binding_absolute_majority: bool | npt.NDArray[np.bool_]
    blocs: tuple[BlocParams, ...]

    @property
    def names(self) -> list[str]:
        """The blocs' names, in row order."""
        return [b.name for b in self.blocs]

    @property
    def seats(self) -> list[Num]:
        """The blocs' seats, in row order."""
        return [b.seats for b in self.blocs]
