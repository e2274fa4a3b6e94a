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
    Outcomes,
    config_hash,
)
from sim.config.vocabulary import (
    BLOC_CHOICES,
    LEGAL_STEPS,
    MILITARISED,
    MILITIA_ACTIONS,
    MILITIA_RUNG,
    STRATEGIES,
    US_OPTIONS,
    US_RUNG,
    WAR_RUNG,
    BlocChoice,
    LegalStep,
    MilitiaAction,
    Strategy,
    USOption,
)
from sim.errors import ConfigError, UserError

__all__ = [
    "BLOC_CHOICES", "CONFIG_DIR", "DEFAULT_CONFIG", "HISTORY_ACTIONS", "LEGAL_STEPS", "MILITARISED",
    "MILITIA_ACTIONS", "MILITIA_RUNG", "STRATEGIES", "US_OPTIONS", "US_RUNG", "WAR_RUNG",
    "BlocChoice", "Config", "ConfigError", "History", "HistoryEvent", "HistoryShock", "LegalStep",
    "MilitiaAction", "Outcomes", "Strategy", "USOption", "UserError", "apply_overrides",
    "config_hash", "describe_validation_error", "field_info", "flatten", "get_path", "index_path", "leaf_paths",
    "load_config", "load_raw", "nest", "parameter_space", "parse_override", "read_yaml", "set_path",
    "split_path", "validate", "with_overrides",
]
