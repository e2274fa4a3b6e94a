"""Loading configs: YAML, ``extends:``, dotted paths, overrides, error messages, the parameter space.

This module owns the one YAML reader (:func:`read_yaml`), the one formatter of pydantic
validation errors (:func:`describe_validation_error`, one line naming the file, the key path and
what is allowed), the one dotted-path walker (:func:`set_path`, :func:`get_path`,
:func:`index_path`: list items by index or by their ``name``), and the numeric parameter
space (:func:`parameter_space`) that sweeps, calibration and the dashboard take ranges from.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.config.schema import Config
from sim.errors import ConfigError, quote
from sim.ioutil import load_yaml, read_text_file

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "baseline.yaml"


# --------------------------------------------------------------------------------------------
# YAML


def read_yaml(path: Path, kind: str = "config file") -> dict[str, Any]:
    """A YAML file's top-level mapping; a missing, unreadable or malformed file is a one-line error."""
    text = read_text_file(path, kind)  # regular files only (a FIFO would block), size-capped
    try:
        data = load_yaml(text, path)  # refuses alias bombs before building anything
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys, got {type(data).__name__}")
    return data


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a YAML config, resolving ``extends:`` (relative to the file) recursively."""
    p = Path(path).expanduser().resolve()
    if p in _seen:
        raise ConfigError(f"{p}: 'extends' forms a cycle")
    data = read_yaml(p)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(f"{p}: extends: must be a file path, got {parent!r}")
    base = load_raw((p.parent / parent), _seen + (p,))
    return _deep_merge(base, data)


# --------------------------------------------------------------------------------------------
# validation errors


def _describe(err: Mapping[str, Any], ranges: Mapping[str, tuple[float, float]]) -> str:
    loc = ".".join(str(x) for x in err["loc"])
    typ = err["type"]
    got = err.get("input")
    msg = str(err["msg"]).removeprefix("Value error, ")
    if typ == "extra_forbidden":
        return f"{loc}: unknown key"
    if typ == "missing":
        return f"{loc}: required key is missing"
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and loc in ranges:
        lo, hi = ranges[loc]
        return f"{loc}: {quote(got)} is out of range; allowed {lo} to {hi}"
    if typ == "finite_number":
        return f"{loc}: {quote(got)} is not allowed; must be a finite number"
    if typ == "literal_error":
        return f"{loc}: {quote(got)} is not allowed; {msg.lower()}"
    if typ.endswith("_parsing") or typ.endswith("_type"):
        return f"{loc}: {quote(got)} has the wrong type; {msg.lower()}"
    if typ == "value_error" or isinstance(got, (dict, list)) or got is None or "got" in msg:
        return f"{loc}: {msg}"  # our own validators name the value themselves
    return f"{loc}: {msg} (got {quote(got)})"


def describe_validation_error(exc: ValidationError, source: str,
                              ranges: Mapping[str, tuple[float, float]] | None = None) -> str:
    """One line for a pydantic error: ``source: key.path: what is wrong`` (+ how many more).

    ``ranges`` (dotted path -> (min, max)) lets an out-of-range value name its allowed range.
    """
    errors = exc.errors()
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{source}: {_describe(errors[0], ranges or {})}{tail}"


def validate(data: Mapping[str, Any], source: str = "<config>") -> Config:
    """Validate a raw mapping into a :class:`Config`, raising a one-line :class:`ConfigError`."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        ranges = {path: (lo, hi) for path, (lo, hi, _kind) in _ranges_of(data).items()}
        raise ConfigError(describe_validation_error(exc, source, ranges)) from None


# --------------------------------------------------------------------------------------------
# dotted paths


def split_path(path: str) -> list[str]:
    """The parts of a dotted path (``__`` stands for ``.``, as in keyword arguments)."""
    return path.replace("__", ".").split(".")


def _list_index(items: list[Any], part: str) -> int | None:
    if part.lstrip("-").isdigit():
        idx = int(part)
        return idx if 0 <= idx < len(items) else None
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, Mapping) else getattr(item, "name", None)
        if name == part:
            return i
    return None


def _walk(root: Any, path: str) -> Iterator[tuple[str, Any, Any, bool]]:
    """Yield (path so far, container, key or index, is last) along a dotted path; raises on a miss."""
    parts = split_path(path)
    node = root
    for i, part in enumerate(parts):
        here = ".".join(parts[: i + 1])
        last = i == len(parts) - 1
        key: Any
        if isinstance(node, list):
            key = _list_index(node, part)
            if key is None:
                raise ConfigError(f"{here}: no item '{part}' (use an index 0..{len(node) - 1} or a name)")
        elif isinstance(node, Mapping) and part in node:
            key = part
        elif isinstance(node, BaseModel) and part in type(node).model_fields:
            key = part
        else:
            raise ConfigError(f"{here}: unknown key path '{path}'")
        yield here, node, key, last
        node = getattr(node, key) if isinstance(node, BaseModel) else node[key]


def set_path(data: dict[str, Any], path: str, value: Any, source: str = "override") -> None:
    """Set a dotted path in a raw config mapping; unknown paths are one-line errors.

    List items are addressed by index (``actors.militias.0.loyalty``) or by their ``name``
    (``actors.militias.Kataib Hezbollah.loyalty``).
    """
    try:
        for _here, node, key, last in _walk(data, path):
            if not last:
                continue
            old = node[key]
            if isinstance(old, (dict, list)) and not isinstance(value, type(old)):
                raise ConfigError(f"{path}: is a section, not a value; set one of its keys")
            node[key] = value
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def get_path(cfg: Config | Mapping[str, Any], path: str) -> Any:
    """Read a dotted path from a config (or its raw mapping); a section comes back as a mapping."""
    node: Any = cfg
    for _here, parent, key, _last in _walk(cfg, path):
        node = getattr(parent, key) if isinstance(parent, BaseModel) else parent[key]
    if isinstance(node, BaseModel):
        return node.model_dump(mode="python")
    if isinstance(node, list):
        return [x.model_dump(mode="python") if isinstance(x, BaseModel) else x for x in node]
    return node


def index_path(raw: Mapping[str, Any], path: str) -> str:
    """A dotted path with list items named by index (``actors.militias.0.x``); unknown paths unchanged."""
    try:
        return ".".join(str(key) for _here, _node, key, _last in _walk(raw, path))
    except ConfigError:
        return path


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted path -> leaf value for a nested mapping (lists are leaves)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def leaf_paths(raw: Any, prefix: str = "") -> Iterator[str]:
    """Every leaf path of a raw config, list items by index (the paths :func:`set_path` walks)."""
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            yield from leaf_paths(value, f"{prefix}{key}.")
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            yield from leaf_paths(value, f"{prefix}{i}.")
    else:
        yield prefix[:-1]


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The nested mapping of dotted path -> value pairs (the inverse of :func:`flatten`)."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        node = tree
        *parents, leaf = split_path(path)
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


# --------------------------------------------------------------------------------------------
# loading with overrides


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``KEY=VALUE``; the value is parsed as YAML (numbers, booleans, strings)."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. actors.iran.revenge_weight=0.8")
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key:
        raise ConfigError(f"--set {text!r}: empty key")
    try:
        value = load_yaml(raw, f"--set {key}") if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


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


def _item_model(ann: Any) -> type[BaseModel] | None:
    """The section model of an annotation (``Section`` or ``list[Section]``), else None."""
    if getattr(ann, "__origin__", None) is list:
        (ann,) = ann.__args__
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _ranges_of(data: Mapping[str, Any] | Config) -> dict[str, tuple[float, float, str]]:
    """Every numeric leaf path with its allowed range and kind ('float' or 'int')."""
    out: dict[str, tuple[float, float, str]] = {}

    def walk(model: type[BaseModel], node: Any, prefix: str) -> None:
        for name, finfo in model.model_fields.items():
            path = f"{prefix}{name}"
            ann = finfo.annotation
            sub = node.get(name) if isinstance(node, Mapping) else getattr(node, name, None)
            section = _item_model(ann)
            if section is not None and getattr(ann, "__origin__", None) is list:
                for i, item in enumerate(sub or []):
                    walk(section, item, f"{path}.{i}.")
            elif section is not None:
                walk(section, sub if sub is not None else {}, path + ".")
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


def field_info(path: str) -> FieldInfo | None:
    """The schema's field of a dotted config path (list items by index or name); None if unknown."""
    model: type[BaseModel] | None = Config
    info = None
    item_next = False
    for part in split_path(path):
        if item_next:  # a list item (index or name): stay on the item's model
            item_next = False
            continue
        if model is None or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = _item_model(info.annotation)
        item_next = getattr(info.annotation, "__origin__", None) is list
    return info
