"""Configuration: YAML files in ``configs/`` -> validated, frozen config objects.

This package owns the model's vocabulary (:mod:`sim.config.vocabulary`: every option of every
actor, its code and its rung), the schema of every parameter (:mod:`sim.config.schema`: types,
allowed ranges, labels) and loading (:mod:`sim.config.loader`: ``extends:`` inheritance, dotted
paths and overrides such as ``actors.militias.0.loyalty=0.5``, the config hash recorded with
every result, and the one-line :class:`ConfigError` that names the file, the key path and what
is allowed). It imports nothing else from the project but :mod:`sim.errors` (lowest layer).
"""

from sim.config.loader import (
    CONFIG_DIR,
    DEFAULT_CONFIG,
    apply_overrides,
    describe_validation_error,
    field_info,
    flatten,
    get_path,
    index_path,
    leaf_paths,
    load_config,
    load_raw,
    nest,
    parameter_space,
    parse_override,
    read_yaml,
    set_path,
    split_path,
    validate,
    with_overrides,
)
from sim.config.schema import (
    HISTORY_ACTIONS,
    Config,
    History,
    HistoryEvent,
    HistoryShock,
    Intervention,
    Outcomes,
    Shock,
    config_hash,
)
from sim.config.vocabulary import (
    ADVANCED,
    ATTACK_TACTICS,
    BLOC_CHOICES,
    DEADLY,
    EXEC_ACTS,
    LEGAL_STEPS,
    MILITARISED,
    MILITARY_STRATEGIES,
    MILITARY_TRACKS,
    MILITIA_ACTIONS,
    MILITIA_RUNG,
    MOTIONS,
    PM_STATUSES,
    POLITICAL_TRACKS,
    STRATEGIES,
    TACTICS,
    US_ACTS,
    US_IRAN_RUNG,
    US_MILITARY,
    US_POLICIES,
    US_SANCTION_RUNG,
    US_STRIKE_RUNG,
    WAR_RUNG,
    BlocChoice,
    ExecAct,
    LegalStep,
    MilitaryTrack,
    MilitiaAction,
    Motion,
    PMStatus,
    PoliticalTrack,
    Strategy,
    Tactic,
    USPolicy,
)
from sim.errors import ConfigError, UserError

__all__ = [
    "ADVANCED", "ATTACK_TACTICS", "BLOC_CHOICES", "CONFIG_DIR", "DEADLY", "DEFAULT_CONFIG", "EXEC_ACTS",
    "HISTORY_ACTIONS", "LEGAL_STEPS", "MILITARISED", "MILITARY_STRATEGIES", "MILITARY_TRACKS",
    "MILITIA_ACTIONS", "MILITIA_RUNG", "MOTIONS", "PM_STATUSES", "POLITICAL_TRACKS", "STRATEGIES",
    "TACTICS", "US_ACTS", "US_IRAN_RUNG", "US_MILITARY", "US_POLICIES", "US_SANCTION_RUNG",
    "US_STRIKE_RUNG", "WAR_RUNG", "BlocChoice", "Config", "ConfigError", "ExecAct", "History",
    "HistoryEvent", "HistoryShock", "Intervention", "LegalStep", "MilitaryTrack", "MilitiaAction",
    "Motion", "Outcomes", "PMStatus", "PoliticalTrack", "Shock", "Strategy", "Tactic", "USPolicy",
    "UserError", "apply_overrides",
    "config_hash", "describe_validation_error", "field_info", "flatten", "get_path", "index_path", "leaf_paths",
    "load_config", "load_raw", "nest", "parameter_space", "parse_override", "read_yaml", "set_path",
    "split_path", "validate", "with_overrides",
]
