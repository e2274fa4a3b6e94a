"""The config schema of the actors: Iran, the United States, the militias, the Iraqi executive
and parliament (``actors.*``), with the numeric types and ranges every section uses.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from sim.config.vocabulary import STRATEGIES


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
Days = Annotated[Real, _f(0.0, 365.0)]


class Strict(BaseModel):
    """Base for all config sections: unknown keys rejected, frozen, no NaN/inf."""

    model_config = _STRICT


# ------------------------------------------------------------------------------------ Iran


class StrategyProfile(Strict):
    """What one Iranian strategy does, scored on the scenario's own terms ([002])."""

    resolve: Unit = Field(description="Resolve it shows (satisfies the demand for revenge)")
    pressure: Unit = Field(description="Pressure it puts on the US presence")
    provocation: Unit = Field(description="How strongly it invites US retaliation and sanctions")
    war_risk: Unit = Field(description="Risk of all-out war it carries")
    rung: Int = Field(ge=0, le=6, description="Escalation rung of Iran's own acts under it (0 calm .. 6 war)")
    relief: Unit = Field(description="Sanctions relief Iran expects from it")
    outside: Unit = Field(description="Daily chance of an Iranian attack on US interests outside Iraq")
    guidance: Signed = Field(description="Militia tempo it calls for (added to log-rates, times loyalty)")
    escalation: Annotated[Real, _f(0, 10, "Shift of the militias' tactic mix to deadly tactics")]
    warn: Unit = Field(description="Chance its direct strike is warned")


class Strategies(Strict):
    """Profiles of Iran's five strategies (one field each, fixed names)."""

    diplomacy: StrategyProfile
    political_pressure: StrategyProfile
    proxy_harassment: StrategyProfile
    middle_ground: StrategyProfile
    major_escalation: StrategyProfile


class Reopen(Strict):
    """Chance that an event reopens Iran's strategy choice the next day."""

    leadership_killing: Unit = Field(description="after a leadership killing")
    direct_strike: Unit = Field(description="after its own direct strike")
    us_strike_iran: Unit = Field(description="after a US strike on Iran")
    deadly_us_strike: Unit = Field(description="after a US strike killing many militia")
    legal_step: Unit = Field(description="after parliament passes a legal step")
    negotiated_drawdown: Unit = Field(description="after a negotiated drawdown")
    us_exit: Unit = Field(description="after the US leaves")
    war: Unit = Field(description="after all-out war breaks out")


class DirectStrike(Strict):
    """Iran's direct strike after a leadership killing (the 8 January act, [002])."""

    resolve: Unit = Field(description="Resolve it shows")
    provocation: Unit = Field(description="How strongly it invites US retaliation")
    war_risk: Unit = Field(description="Risk of all-out war it carries")
    cost: Signed = Field(description="Fixed cost of committing to it")
    rung: Int = Field(ge=0, le=6, description="Escalation rung of the strike")
    missiles: Int = Field(ge=1, le=1000, description="Missiles fired (event record only)")
    lead_min: Int = Field(ge=0, le=60, description="Minimum days of preparation")
    lead_mean: Annotated[Real, _f(0, 60, "Mean extra days of preparation (geometric)")]
    revenge_satisfaction: Unit = Field(description="Share of the revenge demand it satisfies")
    warned_us_killed_mean: Mean = Field(description="Mean US killed by a warned strike")
    warned_us_wounded_mean: Mean = Field(description="Mean US wounded by a warned strike")
    unwarned_us_killed_mean: Mean = Field(description="Mean US killed by an unwarned strike")
    unwarned_us_wounded_mean: Mean = Field(description="Mean US wounded by an unwarned strike")


class Casualties(Strict):
    """Mean casualties of one attack."""

    us_killed_mean: Mean = Field(description="Mean US killed per attack")
    us_wounded_mean: Mean = Field(description="Mean US wounded per attack")


class IranConfig(Strict):
    """Iran's payoff weights, strategy profiles, commitments and direct strike."""

    rationality: Precision = Field(description="Choice precision (logit lambda; 0 = uniform choice)")
    inertia: Weight = Field(description="Bonus for keeping the current strategy at a review")
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
    resupply: Annotated[Real, _f(0, 10, "Advanced weapons supplied per group per day under S3/S1")]
    political_push: Unit = Field(description="Daily rise in pressure on Iraqi politicians under political pressure")
    media_push: Unit = Field(description="Daily rise in Iraqi anger from Iran's media under political pressure")
    review_days: Annotated[Real, _f(1, 3650, "Mean days between slow reviews of the standing strategy")]
    reopen: Reopen
    deadly_strike_killed: Annotated[Real, _f(0, 1000, "Militia killed by one US strike that reopens Iran's choice")]
    strategies: Strategies
    direct_strike: DirectStrike
    outside_attack: Casualties


# ------------------------------------------------------------------------------------ the US


class USCosts(Strict):
    """Fixed cost of each US act against not acting."""

    offer_talks: Weight = Field(description="Cost of offering talks")
    force_protection: Weight = Field(description="Cost of ordering force protection")
    strike_militias: Weight = Field(description="Cost of striking militias in Iraq")
    strike_iran: Weight = Field(description="Cost of striking Iran")
    sanction_iraq: Weight = Field(description="Cost of imposing sanctions on Iraq")
    sanction_iran: Weight = Field(description="Cost of new sanctions on Iran")
    threaten_iraq: Weight = Field(description="Cost of threatening Iraq with sanctions")
    drawdown: Weight = Field(description="Cost of a unilateral troop drawdown")
    warning: Weight = Field(description="Cost of a deterrent warning")
    consolidate: Weight = Field(description="Cost of a base consolidation campaign")
    propose_dialogue: Weight = Field(description="Cost of proposing the Strategic Dialogue")
    offer_drawdown: Weight = Field(description="Cost of offering a negotiated drawdown at a session")


class StrikeMilitias(Strict):
    """Effects of US strikes on militia targets in Iraq."""

    militia_killed_mean: Mean = Field(description="Mean militia killed per US strike, before the grievance term")
    stock_destroyed: Annotated[Real, _f(0, 100, "Advanced weapons destroyed at the struck group per US strike")]
    per_threat_killed: Mean = Field(description="Extra mean militia killed per strike per unit of grievance")
    iraqi_killed_mean: Mean = Field(description="Mean other Iraqis killed per US strike")
    sentiment_shock: Unit = Field(description="Rise in Iraqi anger per US strike in Iraq")
    grievance_relief: Unit = Field(description="Share of the grievance a strike answers")


class StrikeIran(Strict):
    """Effects of US strikes on Iran proper."""

    iranian_killed_mean: Mean = Field(description="Mean Iranians killed per US strike on Iran")
    tension_shock: Unit = Field(description="Rise in tension per US strike on Iran")


class Waiver(Strict):
    """Waivers for Iraqi imports of Iranian electricity and gas."""

    short_min: Days = Field(description="Shortest renewal while a caretaker or hostile government sits")
    short_max: Days = Field(description="Longest such renewal")
    long: Days = Field(description="Renewal with a friendly new government")
    renew_weight: Weight = Field(description="Payoff of renewing against letting it lapse")

    @model_validator(mode="after")
    def _ordered(self) -> Waiver:
        if self.short_min > self.short_max:
            raise ValueError(f"short_min {self.short_min} exceeds short_max {self.short_max}")
        return self


class Dialogue(Strict):
    """The Strategic Dialogue's timing and what an agreement does."""

    lead_min: Days = Field(description="Minimum days from proposal to the first session")
    lead_mean: Days = Field(description="Mean extra days (geometric)")
    interval: Annotated[Real, _f(1, 365, "Days between sessions")]
    cut_share: Unit = Field(description="Share of troops a negotiated drawdown withdraws")
    timetable_days: Annotated[Real, _f(1, 3650, "Days over which it withdraws them")]


class Consolidation(Strict):
    """Base consolidation: handing exposed sites over to Iraqi forces."""

    campaign_days: Days = Field(description="Days a consolidation campaign runs")
    handover_rate: Unit = Field(description="Daily chance of a handover while a campaign runs")
    planned: Signed = Field(description="Long-planned transfers: a standing term of the consolidation payoff")


class UnitedStatesConfig(Strict):
    """The United States' weights, costs and effects on two tracks (military and policy)."""

    rationality: Precision = Field(description="Choice precision (logit lambda; 0 = uniform choice)")
    retaliation_weight: Weight = Field(description="Weight of retaliating for attributed harm")
    audience_weight: Weight = Field(description="Weight of the US price of looking weak")
    war_avoidance_weight: Weight = Field(description="Weight of avoiding another war")
    sovereignty_weight: Weight = Field(description="Weight of Iraqi anger at strikes on Iraqi soil")
    dialogue_weight: Weight = Field(description="Cost of striking while the presence is negotiated")
    mission_weight: Weight = Field(description="Weight of the anti-ISIS mission")
    protection_weight: Weight = Field(description="Weight of protecting US forces under threat")
    drawdown_weight: Weight = Field(description="Weight of the pressure to draw down")
    compliance_weight: Weight = Field(description="Weight of complying with a binding law")
    sanction_iraq_weight: Weight = Field(description="Weight of imposing sanctions on Iraq after expulsion")
    sanction_iran_weight: Weight = Field(description="Weight of sanctioning Iran after harm")
    threaten_weight: Weight = Field(description="Weight of threatening Iraq after an expulsion step")
    talks_weight: Weight = Field(description="Weight of offering talks")
    warning_weight: Weight = Field(description="Weight of deterrent warnings under attack")
    consolidation_weight: Weight = Field(description="Weight of handing over exposed sites under threat")
    dialogue_offer_weight: Weight = Field(description="Weight of proposing the Strategic Dialogue")
    offer_drawdown_weight: Weight = Field(description="Weight of offering a negotiated drawdown")
    review_days: Annotated[Real, _f(1, 365, "Mean days between policy reviews")]
    costs: USCosts
    strike_militias: StrikeMilitias
    strike_iran: StrikeIran
    sanction_step: Unit = Field(description="Rise in sanctions per sanction decision")
    drawdown_step: Real = _f(1, 50_000, "Troops withdrawn per unilateral drawdown")
    exit_threshold: Real = _f(0, 50_000, "Troop level at or below which the US has left")
    protection_decay: Unit = Field(description="Daily decay of force protection when not renewed")
    pause_level: Unit = Field(description="Force protection at which anti-ISIS operations are paused")
    hardening: Unit = Field(description="Share of an attack's lethality full force protection removes")
    talks_step: Unit = Field(description="Opening of the diplomacy channel per offer of talks")
    harm_killed: Weight = Field(description="Harm score per US or coalition killed")
    harm_wounded: Weight = Field(description="Harm score per wounded")
    harm_attack: Weight = Field(description="Harm score per attack")
    threat_memory: Unit = Field(description="Daily persistence of the threat signal")
    grievance_memory: Unit = Field(description="Daily persistence of the grievance against a group")
    deaths_memory: Unit = Field(description="Daily persistence of the memory of US and coalition deaths")
    iran_harm_memory: Unit = Field(description="Daily persistence of unsanctioned harm by Iran and proxies")
    expulsion_memory: Unit = Field(description="Daily persistence of an unanswered expulsion step")
    threat_relief: Unit = Field(description="Share of the expulsion signal a threat answers")
    audience_gain: Weight = Field(description="Rise in US audience cost per unit of harm")
    audience_relief: Unit = Field(description="Share of US audience cost relieved by a US strike")
    audience_decay: Unit = Field(description="Daily decay of US audience cost")
    waiver: Waiver
    dialogue: Dialogue
    consolidation: Consolidation


# ------------------------------------------------------------------------------------ militias


class TacticSpec(Strict):
    """Lethality, casualties and attribution of one tactic (the record's attacks)."""

    lethal: Unit = Field(description="Chance an attack kills US or coalition personnel")
    extra_killed_mean: Mean = Field(description="Mean killed beyond the first, when lethal (geometric)")
    coalition_share: Unit = Field(description="Share of those killed who are coalition (non-US)")
    wounded_mean: Mean = Field(description="Mean US wounded by a non-lethal attack")
    lethal_wounded_mean: Mean = Field(description="Mean US wounded by a lethal attack")
    iraqi_killed_mean: Mean = Field(description="Mean Iraqis killed per attack")
    attribution: Unit = Field(description="Chance the attack is attributed to its group")
    militia_killed_mean: Mean = Field(description="Mean attackers killed per attack")


class Tactics(Strict):
    """The tactics of the record (one field each, fixed names)."""

    rocket_base: TacticSpec
    rocket_green_zone: TacticSpec
    convoy_ied: TacticSpec
    drone: TacticSpec
    missile: TacticSpec
    storm: TacticSpec


class TacticWeights(Strict):
    """A group's relative weights of the tactics."""

    rocket_base: Weight = Field(description="Rocket or mortar salvos on bases")
    rocket_green_zone: Weight = Field(description="Salvos on the Green Zone and the embassy")
    convoy_ied: Weight = Field(description="IEDs on logistics convoys")
    drone: Weight = Field(description="Drone attacks")
    missile: Weight = Field(description="Advanced missile strikes")
    storm: Weight = Field(description="Storming a base or the embassy")


class MilitiaCommon(Strict):
    """Weights shared by all militias."""

    guidance_weight: Weight = Field(description="Weight of Iran's guidance (times loyalty)")
    hostility_weight: Weight = Field(description="Weight of hostility to US forces")
    anger_weight: Weight = Field(description="Weight of Iraqi anger above its baseline")
    fear_weight: Weight = Field(description="Weight of feared US retaliation")
    politics_weight: Weight = Field(description="Weight of pressure while the US presence is negotiated")
    politics_window: Days = Field(description="Days around a Dialogue session that count as negotiating")
    crackdown_weight: Weight = Field(description="Weight of the government's crackdown")
    truce_weight: Weight = Field(description="Weight of a declared truce")
    truce_rate: Unit = Field(description="Daily chance of declaring a truce once a timetable exists")
    excitation_decay: Unit = Field(description="Daily decay of a group's excitation")
    attack_jump: Annotated[Real, _f(0, 10, "Excitation after each own attack")]
    lethal_jump: Annotated[Real, _f(0, 10, "Extra excitation after an own attack that killed")]
    strike_jump: Annotated[Real, _f(0, 10, "Excitation after a US strike on the group")]
    escalation_shift: Annotated[Real, _f(0, 10, "Log-weight shift of deadly tactics per unit of escalation")]
    warning_belief: Unit = Field(description="Belief shift toward 'the US retaliates' after a warning")
    other_strike_belief: Unit = Field(description="Learning from a strike on another group, relative to oneself")
    unanswered_weight: Unit = Field(description="Learning from an unanswered attack, relative to a strike on oneself")
    unanswered_window: Int = Field(ge=1, le=60,
                                   description="Days an attack waits for an answer before it is unanswered")
    attribution_lethal_bonus: Unit = Field(description="Extra chance a lethal attack is attributed")
    front_claim: Unit = Field(description="Chance an unattributed attack is claimed by a front group")
    misattribution: Unit = Field(description="Chance an unattributed attack is blamed on the wrong group")
    tactics: Tactics


class MilitiaRow(Strict):
    """One militia group: its own parameters (heterogeneity comes from config rows)."""

    name: str = Field(min_length=1)
    base_rate: Annotated[Real, _f(0, 10, "Attacks per day at a neutral log-rate")]
    loyalty: Unit = Field(description="Loyalty to Iran's guidance")
    hostility: Unit = Field(description="Hostility to US forces")
    fear: Unit = Field(description="Fear of US retaliation")
    belief_us_retaliation: Unit = Field(description="Initial belief that the US retaliates")
    learning_rate: Unit = Field(description="Speed of belief updates about US retaliation")
    missile_stock: Real = _f(0, 1000, "Advanced weapons held")
    excitation: Annotated[Real, _f(0, 10, "Excitation on day 0")]
    home_site: str = Field(min_length=1)
    tactics: TacticWeights
    fronts: list[str] = Field(default_factory=list, description="Front groups that claim its attacks")


# ------------------------------------------------------------------------------------ Iraq


class ExecutiveConfig(Strict):
    """The Iraqi executive: government formation and the PM's weights."""

    rationality: Precision = Field(description="Choice precision (logit lambda)")
    designation_rate: Unit = Field(description="Daily chance the president names a PM-designate")
    designate_alignment_mean: Signed = Field(description="Mean alignment of a designate (-1 Iran .. +1 US)")
    designate_alignment_spread: Unit = Field(description="Half-width of the designates' alignment")
    window_days: Days = Field(description="Days a designate has to win confirmation")
    prep_days: Days = Field(description="Days before a designate can ask for the confirmation sitting")
    request_rate: Unit = Field(description="Daily chance a ready designate asks for the sitting")
    retry_after_failure: Unit = Field(description="Chance a designate tries again after a failed sitting")
    withdraw_rate: Unit = Field(description="Daily chance a designate gives up without a vote")
    urgency_weight: Weight = Field(description="Blocs' cost of deadlock per 100 days without a government")
    confirmation_base: Signed = Field(description="Blocs' standing support for confirming a designate")
    alignment_weight: Weight = Field(description="Loss of support per unit of distance to the designate")
    confirmation_boycott: Signed = Field(description="Boycott utility at a confirmation sitting (less support)")
    sovereignty_weight: Weight = Field(description="PM's weight of sovereignty")
    training_weight: Weight = Field(description="PM's weight of the US training for the CTS and against ISIS")
    militia_weight: Weight = Field(description="PM's weight of pressure from militias and Iran")
    economic_weight: Weight = Field(description="PM's weight of dependence on Iranian gas and power")
    threat_weight: Weight = Field(description="PM's weight of attacks on coalition forces")
    crackdown_cost: Weight = Field(description="Cost of ordering raids on rocket teams")
    crackdown_decay: Unit = Field(description="Daily decay of the protection a raid gives")
    revoke_cost: Weight = Field(description="Cost of revoking the invitation to the coalition")
    demand_cost: Weight = Field(description="Cost of demanding a drawdown timetable at a session")
    short_waiver_days: Days = Field(description="A waiver with fewer days left is US leverage on the PM")


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
    boycott_bias: Signed = Field(description="Inclination to boycott a vote on the US presence")


class ParliamentConfig(Strict):
    """Council of Representatives: blocs, quorum, the agenda and vote weights."""

    total_seats: Int = Field(ge=1, le=1000, description="Seats in the Council of Representatives")
    quorum: Int = Field(ge=1, le=1000, description="MPs present needed for a valid vote")
    rationality: Precision = Field(description="Choice precision (logit lambda; 0 = uniform choice)")
    cohesion: Unit = Field(description="Share of each bloc's MPs counted (the rest are absent)")
    agenda_decay: Unit = Field(description="Daily fading of the push for a sitting")
    request_rate: Annotated[Real, _f(0, 20, "A bloc leader's request rate per unit of agenda")]
    request_threshold: Annotated[Real, _f(0, 10, "Agenda below which no bloc leader asks for a sitting")]
    schedule_prob: Unit = Field(description="Daily chance the speaker schedules a requested sitting")
    strike_agenda: Annotated[Real, _f(0, 10, "Agenda per US strike on Iraqi soil")]
    killed_agenda: Annotated[Real, _f(0, 10, "Agenda per Iraqi killed by a US strike")]
    iran_agenda: Unit = Field(description="Daily agenda from Iranian pressure on aligned blocs")
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
    united_states: UnitedStatesConfig
    militia_common: MilitiaCommon
    militias: list[MilitiaRow] = Field(min_length=1, max_length=50)
    executive: ExecutiveConfig
    parliament: ParliamentConfig
