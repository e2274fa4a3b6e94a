"""Batch form: many parameter rows at once equal one run_model call per row (issue 4)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import run_batch, run_model
from sim.config import UserError, get_path, load_config, parameter_space, with_overrides
from sim.engines.batch import simulate_configs
from sim.engines.ensemble import run_ensemble
from tests.conftest import nan_safe


def test_rows_equal_run_model_with_mixed_overrides():
    base = load_config()
    space = parameter_space(base)
    rng = np.random.default_rng(5)
    floats = sorted(p for p, v in space.items() if v[2] == "float")
    rows = []
    for i in range(10):
        row = {}
        for p in rng.choice(floats, 4, replace=False):
            lo, hi, _ = space[p]
            row[str(p)] = float(np.clip(get_path(base, p) * rng.uniform(0.5, 1.5), lo, hi))
        row["actors.iran.posture"] = ["none", "middle_ground", "political_pressure"][i % 3]
        row["actors.iran.posture_bias"] = float(i % 3)
        rows.append(row)
    seeds = [1000 + i for i in range(len(rows))]
    out = run_batch(rows, seeds, days=90)
    for row, seed, got in zip(rows, seeds, out, strict=True):
        assert nan_safe(got) == nan_safe(run_model(seed=seed, days=90, **row))


def test_bad_batches_are_user_errors():
    with pytest.raises(UserError, match="2 parameter rows but 1 seeds"):
        run_batch([{}, {}], [1], days=5)
    with pytest.raises(UserError, match="unknown key path"):
        run_batch([{"actors.nope": 1}], [1], days=5)
    with pytest.raises(UserError, match="must be a finite number"):
        run_batch([{"actors.iran.revenge_weight": float("inf")}], [1], days=5)


# ------------------------------------------------------------------------------------------
# Hypothesis: row r of a stacked batch is the single run of row r

_SPACE = parameter_space(load_config())
#: Seats, total seats and quorum must agree with each other: moved together, not at random.
_FREE = sorted(p for p in _SPACE if not p.endswith(("seats", "quorum")))


@st.composite
def _rows(draw):
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row = {}
        for path in draw(st.lists(st.sampled_from(_FREE), max_size=4, unique=True)):
            lo, hi, kind = _SPACE[path]
            row[path] = draw(st.floats(lo, hi) if kind == "float" else st.integers(int(lo), int(hi)))
        rows.append(row)
    return rows


@settings(max_examples=6, deadline=None)
@given(rows=_rows(), seed=st.integers(0, 2**40))
def test_stacked_rows_equal_single_runs(rows, seed):
    base = load_config()
    cfgs = [with_overrides(base, r) for r in rows]
    seeds = [seed + i for i in range(len(rows))]
    batch = simulate_configs(cfgs, [1] * len(cfgs), seeds, 30, record_series=True)
    for r, (cfg, s) in enumerate(zip(cfgs, seeds, strict=True)):
        single = run_ensemble(cfg, [s], 30, record_series=True)
        assert nan_safe(batch.records()[r]) == nan_safe(single.records()[0]), rows[r]
        for col, values in single.series.items():
            np.testing.assert_array_equal(batch.series[col][:, r], values[:, 0], err_msg=col)
