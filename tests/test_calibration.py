"""Calibration by SMC-ABC (ELFI): the range distance, the batched simulator, the checkpoint and
resume, the spec's checks, and recovery of known parameters from data the model simulated."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from sim.analysis.calibration import load_spec
from sim.analysis.calibration.engine import (
    BatchSimulator,
    DirStore,
    RangeDistance,
    rows_to_configs,
    run_smc,
    scales,
    simulate_statistics,
    statistic_names,
    weighted_quantiles,
)
from sim.analysis.record import Fact, Facts
from sim.config import ConfigError, UserError, load_config, with_overrides
from sim.engines.batch import simulate_configs

from .conftest import ROOT

SMALL = ROOT / "tests" / "specs" / "calibration_small.yaml"
SHIPPED = ROOT / "configs" / "calibration.yaml"


def test_range_distance_is_zero_inside_and_scaled_outside() -> None:
    d = RangeDistance(low=(3.0, 0.0, 5.0, float("nan")), high=(5.0, 0.0, 5.0, float("nan")),
                      scale=(2.0, 0.5, 1.0, 1.0), never=181.0, nan_penalty=2.0)
    e = d.errors([[4.0, 0.0, 5.0, 9.0], [1.0, 1.0, 5.0, 0.0], [6.0, 0.0, np.nan, 1.0], [5.0, 0.0, np.inf, 3.0]])
    assert e[0].tolist() == [0.0, 0.0, 0.0, 0.0]  # inside every range; the NaN fact is not scored
    assert e[1].tolist() == [1.0, 2.0, 0.0, 0.0]  # (3 - 1) / 2 and (1 - 0) / 0.5
    assert e[2].tolist() == [0.5, 0.0, 2.0, 0.0]  # undefined where the record defines it: the penalty
    assert e[3][2] == pytest.approx(176.0)  # "never" counts as the day after the window
    assert d([np.array([[4.0, 0.0, 5.0, 0.0], [1.0, 1.0, 5.0, 0.0]])]).tolist() == pytest.approx([0.0, 5 ** 0.5])


def test_scales_use_mad_then_sd_then_one() -> None:
    pilot = np.column_stack([np.arange(100.0), np.r_[np.zeros(98), 1.0, 1.0], np.zeros(100)])
    s = scales(pilot, never=181.0)
    assert s[0] == pytest.approx(1.4826 * 25.0, rel=0.02)
    assert s[1] == pytest.approx(np.std(pilot[:, 1]))
    assert s[2] == 1.0


def test_weighted_quantiles() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert weighted_quantiles(x, np.ones(4), [0.5])[0] == pytest.approx(2.5)
    assert weighted_quantiles(x, np.array([0.0, 0.0, 0.0, 1.0]), [0.05, 0.95]) == [4.0, 4.0]


def test_dir_store_round_trip(tmp_path) -> None:
    s = DirStore(tmp_path / "b")
    s[3] = np.arange(6.0).reshape(2, 3)
    assert 3 in s and 2 not in s and len(s) == 1
    assert s[3].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert not list((tmp_path / "b").glob("*.tmp"))  # written through a temporary file
    with pytest.raises(KeyError):
        s[2]


def test_rows_equal_single_runs_and_fast_configs_equal_overrides() -> None:
    cfg = load_config()
    names = ["actors.militias.0.base_rate", "actors.militia_common.tactics.rocket_base.lethal"]
    theta = np.array([[0.05, 0.1], [0.12, 0.25]])
    fast = rows_to_configs(cfg, names, theta)
    slow = [with_overrides(cfg, dict(zip(names, row, strict=True))) for row in theta]
    assert [c.model_dump() for c in fast] == [c.model_dump() for c in slow]
    stats = ["militia_attacks", "monthly.attacks.2020-03", "lethal_attacks"]
    batch = simulate_statistics(cfg, names, theta, [11, 12], 180, stats)
    for r in range(2):
        one = simulate_configs([slow[r]], [1], [11 + r], 180).statistics()
        assert batch[r].tolist() == [float(one[s][0]) for s in stats]


def test_batch_simulator_is_reproducible_from_elfi_random_state() -> None:
    sim = BatchSimulator(load_config(), ["actors.militias.0.base_rate"], 60, ["militia_attacks"])
    a = sim(np.array([0.05, 0.1, 0.14]), batch_size=3, random_state=np.random.RandomState(4))
    b = sim(np.array([0.05, 0.1, 0.14]), batch_size=3, random_state=np.random.RandomState(4))
    assert a.shape == (3, 1) and np.array_equal(a, b)


def test_shipped_spec_is_valid() -> None:
    spec = load_spec(SHIPPED)
    base = spec.baseline_values
    for n, lo, hi in zip(spec.names, spec.lows, spec.highs, strict=True):
        assert lo <= base[n] <= hi
    assert len(spec.facts.facts) == 33


KH = "actors.militias.0.base_rate"


@pytest.mark.parametrize("change,key", [
    ({"parameters": {"actors.iran.nope": {"prior": [0, 1]}}}, "parameters.actors.iran.nope"),
    ({"parameters": {KH: {"prior": [0.1, 0.2]}}}, f"parameters.{KH}.prior"),  # excludes the baseline 0.07
    ({"parameters": {KH: {"prior": [-1.0, 0.2]}}}, f"parameters.{KH}.prior"),  # leaves the allowed range
    ({"statistics": ["attacks_2020_01", "no_such_fact"]}, "statistics.1"),
    ({"smc": {"quantiles": [0.1, 1.5]}}, "smc.quantiles"),
])
def test_bad_spec_is_one_line_naming_file_and_key(change, key) -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(SMALL, change)
    msg = str(err.value)
    assert str(SMALL) in msg and key in msg and "\n" not in msg


def _posterior(out) -> pd.DataFrame:
    return pd.read_parquet(out / "posterior.parquet")


@pytest.mark.slow
def test_resumed_calibration_equals_uninterrupted(tmp_path) -> None:
    from sim.analysis.calibration.run import calibrate

    full = calibrate(SMALL, tmp_path / "full", progress=False, log=lambda s: None)
    with pytest.raises(KeyboardInterrupt):
        calibrate(SMALL, tmp_path / "cut", progress=False, stop_after_batches=3, log=lambda s: None)
    assert not (tmp_path / "cut" / "posterior.parquet").exists()
    kept = len(list((tmp_path / "cut" / "checkpoint" / "batches").glob("batch_*.npy")))
    assert kept >= 3
    resumed = calibrate(SMALL, tmp_path / "cut", progress=False, log=lambda s: None)
    assert resumed.smc.resumed_batches == kept
    pd.testing.assert_frame_equal(_posterior(tmp_path / "full"), _posterior(tmp_path / "cut"))
    assert full.smc.thresholds == resumed.smc.thresholds
    # the outputs a reader needs
    summary = json.loads((tmp_path / "full" / "summary.json").read_text())
    assert summary["simulations"] == full.smc.simulations > 0
    assert (tmp_path / "full" / "pairplot.png").stat().st_size > 1000
    assert set(pd.read_csv(tmp_path / "full" / "predictive.csv")["fact"]) == {f.id for f in full.spec.facts.facts}
    cal = load_config(tmp_path / "full" / "calibrated.yaml")
    med = dict(zip(full.marginals["parameter"], full.marginals["median"], strict=True))
    assert cal.actors.militias[0].base_rate == pytest.approx(med["actors.militias.0.base_rate"], rel=1e-3)
    assert cal.actors.militias[1].base_rate == load_config().actors.militias[1].base_rate


def test_checkpoint_of_another_spec_is_refused(tmp_path) -> None:
    from sim.analysis.calibration.engine import open_checkpoint

    spec = load_spec(SMALL)
    folder = open_checkpoint(tmp_path / "ck", spec)
    (folder / "batches").mkdir()
    (folder / "batches" / "batch_000000.npy").write_bytes(b"kept")
    other = load_spec(SMALL, {"master_seed": 8})
    with pytest.raises(UserError) as err:
        open_checkpoint(folder, other)
    assert "spec.json" in str(err.value) and "fingerprint" in str(err.value)
    assert (folder / "batches" / "batch_000000.npy").read_bytes() == b"kept"


def _synthetic(spec, theta: np.ndarray, seed: int) -> Facts:
    """Facts whose values are one run of the model at ``theta`` (the record's role), as ranges."""
    stats = statistic_names(spec.facts)
    x = simulate_statistics(spec.config, spec.names, theta[None, :], [seed], spec.facts.days, stats)[0]
    facts = tuple(Fact(id=f.id, label=f.label, statistic=f.statistic, low=float(x[stats.index(f.statistic)]),
                       high=float(x[stats.index(f.statistic)]), within=f.within, within_rel=f.within_rel)
                  for f in spec.facts.facts)
    return dataclasses.replace(spec.facts, facts=facts)


#: Repetitions of the recovery test (each a full SMC-ABC run on data simulated at known parameters).
RECOVERY_REPS = 5


@pytest.mark.slow
def test_known_parameters_are_recovered(tmp_path) -> None:
    """Coverage of the 90% posterior intervals over repetitions: parameters drawn from the prior,
    data simulated from them by the same pipeline, SMC-ABC run on those data."""
    base = load_spec(SMALL)
    rng = np.random.default_rng(99)
    inside = []
    for rep in range(RECOVERY_REPS):
        truth = np.asarray(base.lows) + (np.asarray(base.highs) - np.asarray(base.lows)) * rng.random(2)
        spec = dataclasses.replace(base, facts=_synthetic(base, truth, 1000 + rep))
        res = run_smc(spec, tmp_path / f"rep{rep}", progress=False, log=lambda s: None)
        for j in range(len(spec.names)):
            lo, hi = weighted_quantiles(res.samples[:, j], res.weights, [0.05, 0.95])
            inside.append(lo <= truth[j] <= hi)
    coverage = float(np.mean(inside))
    print(f"recovery: {sum(inside)} of {len(inside)} true values inside the 90% intervals ({coverage:.0%})")
    # nominal 90%: P(7 or fewer of 10 inside) = 7% if the intervals are exact
    assert sum(inside) >= len(inside) - 3, inside


@pytest.mark.slow
def test_calibration_on_a_dask_scheduler_equals_the_local_run(tmp_path) -> None:
    """``--scheduler``: ELFI's dask client on a connected scheduler runs the batches on its workers
    (in another process: everything ELFI sends must pickle) and gives the local run's posterior."""
    from distributed import LocalCluster

    spec = load_spec(SMALL)
    local = run_smc(spec, tmp_path / "local", progress=False, log=lambda s: None)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_smc(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False,
                         log=lambda s: None)
    assert remote.simulations > 0
    assert np.array_equal(local.samples, remote.samples)
    assert local.thresholds == remote.thresholds
