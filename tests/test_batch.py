"""Batch form: many parameter rows at once equal one run_model call per row (issue 4)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import run_batch, run_model
from sim.config import UserError, get_path, load_config, parameter_space


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
        assert got == run_model(seed=seed, days=90, **row)


def test_bad_batches_are_user_errors():
    with pytest.raises(UserError, match="2 parameter rows but 1 seeds"):
        run_batch([{}, {}], [1], days=5)
    with pytest.raises(UserError, match="unknown key path"):
        run_batch([{"actors.nope": 1}], [1], days=5)
    with pytest.raises(UserError, match="must be a finite number"):
        run_batch([{"actors.iran.revenge_weight": float("inf")}], [1], days=5)
