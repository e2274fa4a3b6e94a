"""Every configuration parameter is live: changing it changes some run (no dead parameters).

For each parameter, the value is moved within its allowed range and small seeded batches are
run under the baseline and, if needed, under each posture preset (some parameters only act in
some postures, e.g. storm casualties); some difference in metrics, path or events must appear.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim import draws
from sim.config import get_path, load_config, parameter_space, with_overrides
from sim.ensemble import run_ensemble
from tests.conftest import ROOT, SCENARIOS

SEEDS = draws.spawn_seeds(99, 48)
DAYS = 150
BASE = load_config()
CONFIGS = [BASE, *[load_config(p) for p in SCENARIOS]]
#: Parameters that only label a run (they do not and should not change behaviour).
LABELS = {"meta.name"} | {f"actors.parliament.blocs.{i}.name" for i in range(len(BASE.actors.parliament.blocs))}


def _fingerprint(cfg):
    res = run_ensemble(cfg, SEEDS, DAYS, record_events=True)
    return (tuple(res.paths), {k: v.tobytes() for k, v in res.metrics.items()}, repr(res.events))


_CACHE: dict[str, object] = {}


def _base_fp(i):
    key = str(i)
    if key not in _CACHE:
        _CACHE[key] = _fingerprint(CONFIGS[i])
    return _CACHE[key]


def _moved(value, lo, hi, kind):
    if kind == "int":
        return value + 1 if value + 1 <= hi else value - 1
    return value + 0.5 * (hi - value) if (hi - value) >= (value - lo) else value - 0.5 * (value - lo)


def _non_numeric():
    """String/bool/date parameters and their alternative values."""
    return {
        "actors.iran.posture": "major_escalation",
        "actors.parliament.binding_absolute_majority": False,
        "meta.start_date": dt.date(2020, 1, 4),
        "world.sites.embassy": "US embassy compound",
        "world.sites.bases.0": "Al Asad",
        "world.sites.iran_targets.0": "Al Asad",
        "actors.militias.0.name": "KH",
        "initial.iran_strategy": "political_pressure",
    }


NUMERIC = sorted(p for p in parameter_space(BASE) if p not in LABELS)
OTHER = _non_numeric()


def _is_live(path, value):
    for i, cfg in enumerate(CONFIGS):
        if path == "actors.iran.posture" and i > 0:
            continue
        changed = with_overrides(cfg, {path: value})
        if _fingerprint(changed) != _base_fp(i):
            return True
    return False


@pytest.mark.parametrize("path", NUMERIC)
def test_numeric_parameter_is_live(path):
    lo, hi, kind = parameter_space(BASE)[path]
    value = _moved(get_path(BASE, path), lo, hi, kind)
    assert _is_live(path, value), f"{path}: moving it from {get_path(BASE, path)} to {value} changed no run"


@pytest.mark.parametrize("path", sorted(OTHER))
def test_other_parameter_is_live(path):
    assert _is_live(path, OTHER[path]), f"{path} changed no run"


def test_every_leaf_is_covered():
    """Each leaf of the config is tested above (numeric, other) or declared a label."""
    def leaves(node, prefix=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, f"{prefix}{k}.")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from leaves(v, f"{prefix}{i}.")
        else:
            yield prefix[:-1]

    raw = BASE.model_dump(mode="python")
    missing = []
    for leaf in leaves(raw):
        if leaf in NUMERIC or leaf in LABELS or leaf in OTHER:
            continue
        # names/sites of further rows behave like the first one tested
        generic = ".".join("0" if part.isdigit() else part for part in leaf.split("."))
        if generic in OTHER or leaf.endswith(".name") or leaf.startswith("world.sites.") or leaf.endswith("home_site"):
            continue
        missing.append(leaf)
    assert not missing, missing
    assert (ROOT / "configs" / "baseline.yaml").exists()
    assert np.isfinite(len(NUMERIC))
