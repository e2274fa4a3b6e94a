"""Sweep specs: one-line errors naming file and key, designs, seeds, SALib round trips."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from sim.config import UserError, load_config
from sim.core.draws import seed_for
from sim.experiments.spec import load_experiment

from .conftest import ROOT, SCENARIOS

SPECS = ROOT / "tests" / "specs"
SWEEPS = ROOT / "configs" / "sweeps"
W = ["actors.iran.revenge_weight", "actors.iran.war_weight", "actors.united_states.audience_weight"]


def spec(**kw):
    base = {"name": "t", "base": str(ROOT / "configs" / "baseline.yaml"), "days": 10,
            "replicates": 2, "master_seed": 1}
    return {**base, **kw}


def bounded(sampler, samples, **kw):
    return spec(sampler=sampler, samples=samples,
                factors={p: {"bounds": [0.5, 3.0]} for p in W}, **kw)


@pytest.mark.parametrize("name", ["baseline_distribution", "iran_posture", "sensitivity"])
def test_shipped_specs_load(name):
    exp = load_experiment(SWEEPS / f"{name}.yaml")
    assert exp.days == 365
    if name == "baseline_distribution":
        assert exp.n_runs == 1000 and exp.n_designs == 1
    if name == "sensitivity":
        assert exp.spec.sampler == "sobol" and exp.n_designs == 128 * (len(exp.spec.factors) + 2)


def test_posture_sweep_reproduces_every_preset():
    exp = load_experiment(SWEEPS / "iran_posture.yaml")
    levels = list(exp.design["actors.iran.posture"])
    presets = {load_config(p).actors.iran.posture: load_config(p) for p in SCENARIOS}
    assert set(presets) <= set(levels), "every posture preset is a level of the posture sweep"
    from sim.config import with_overrides

    for d, level in enumerate(levels):
        cfg = with_overrides(exp.base, exp.factor_values(d))
        if level in presets:
            want = presets[level].model_dump()
            got = cfg.model_dump()
            want["meta"].pop("name"), got["meta"].pop("name")
            assert got == want, level


def test_grid_design_ids_seeds_and_tasks():
    exp = load_experiment(SPECS / "small_grid.yaml")
    assert exp.n_designs == 4 and exp.n_runs == 20
    assert list(exp.design.columns) == ["actors.iran.posture", "actors.parliament.quorum"]
    assert exp.factor_values(1) == {"actors.iran.posture": "none", "actors.parliament.quorum": 400}
    for size in (1, 3, 7, 50):
        pieces = [p for t in exp.tasks([], size, "ensemble") for p in t.pieces]
        ids = [i for p in pieces for i in p.run_ids]
        assert ids == list(range(20))
        for p in pieces:
            for r, rid, seed in zip(p.replicates, p.run_ids, p.seeds, strict=True):
                assert rid == exp.run_id(p.design_id, r)
                assert seed == seed_for(11, p.design_id, r)
    left = [i for t in exp.tasks([0, 1, 2, 7, 19], 4, "mesa") for p in t.pieces for i in p.run_ids]
    assert left == [i for i in range(20) if i not in {0, 1, 2, 7, 19}]
    seeds = [s for t in exp.tasks([], 4, "mesa") for p in t.pieces for s in p.seeds]
    assert len(set(seeds)) == 20, "replicates and design points get distinct seeds"


def test_fingerprint_tracks_spec_and_base():
    a = load_experiment(bounded("latin", 4))
    assert a.fingerprint() == load_experiment(bounded("latin", 4)).fingerprint()
    assert a.fingerprint() != load_experiment(bounded("latin", 5)).fingerprint()
    assert a.fingerprint() != load_experiment(
        bounded("latin", 4, overrides={"actors.iran.inertia": 0.4})).fingerprint()


def test_sobol_round_trips_through_salib():
    exp = load_experiment(bounded("sobol", 64, sampler_options={"calc_second_order": False}))
    x = exp.design[W].to_numpy()
    assert x.shape == (64 * (len(W) + 2), 3)
    y = 4.0 * x[:, 0] + 1.0 * x[:, 1] + 0.0 * x[:, 2]
    res = sobol_analyze.analyze(exp.problem, y, calc_second_order=False, seed=1)
    assert res["S1"][0] > res["S1"][1] > abs(res["S1"][2])
    assert res["ST"][0] == pytest.approx(16 / 17, abs=0.1)


def test_morris_round_trips_through_salib():
    exp = load_experiment(bounded("morris", 10, sampler_options={"num_levels": 4}))
    x = exp.design[W].to_numpy()
    assert x.shape == (10 * (len(W) + 1), 3)
    y = 3.0 * x[:, 0] - 1.0 * x[:, 2]
    res = morris_analyze.analyze(exp.problem, x, y, num_levels=4, seed=1)
    # Morris effects are per unit of the scaled range (2.5 here)
    assert res["mu_star"][0] == pytest.approx(3.0 * 2.5)
    assert res["mu_star"][1] == pytest.approx(0.0)
    assert res["mu_star"][2] == pytest.approx(1.0 * 2.5)


@pytest.mark.parametrize("sampler", ["random", "latin"])
def test_random_and_latin_cover_the_bounds(sampler):
    exp = load_experiment(bounded(sampler, 40))
    x = exp.design[W].to_numpy()
    assert x.shape == (40, 3) and (x >= 0.5).all() and (x <= 3.0).all()
    again = load_experiment(bounded(sampler, 40)).design[W].to_numpy()
    assert np.array_equal(x, again), "the sampler's seed comes from master_seed"
    other = load_experiment(bounded(sampler, 40, master_seed=2)).design[W].to_numpy()
    assert not np.array_equal(x, other)
    if sampler == "latin":  # one sample per stratum in every column
        strata = np.floor((x - 0.5) / 2.5 * 40).astype(int)
        assert all(sorted(strata[:, j]) == list(range(40)) for j in range(3))


def test_integer_factor_is_sampled_as_integers():
    exp = load_experiment(SPECS / "latin.yaml")
    col = exp.design["actors.militia_common.unanswered_window"]
    assert str(col.dtype) == "int64" and col.between(5, 60).all()


def test_grid_without_factors_is_one_design_point():
    exp = load_experiment(spec(replicates=3))
    assert exp.n_designs == 1 and exp.n_runs == 3 and exp.factor_values(0) == {}


BAD = [
    (dict(sampler="halton"), "sampler: 'halton' is not allowed"),
    (dict(factors={"actors.iran.courage": [1, 2]}), "factors.actors.iran.courage: not a parameter"),
    (dict(factors={"actors.iran": [1]}), "factors.actors.iran: is a section"),
    (dict(sampler="latin", samples=4, factors={W[0]: {"bounds": [2.0, 1.0]}}),
     "bounds [2.0, 1.0] are reversed"),
    (dict(sampler="latin", samples=4, factors={W[0]: {"bounds": [0.5, 25]}}),
     f"factors.{W[0]}: bounds [0.5, 25.0] are outside the allowed range 0 to 20"),
    (dict(factors={W[0]: [1.0, 30.0]}), f"factors.{W[0]}: 30.0 is out of range; allowed 0 to 20"),
    (dict(factors={W[0]: [1.0, float("nan")]}), "level nan is not allowed"),
    (dict(factors={"actors.iran.posture": ["bluff"]}), "factors.actors.iran.posture: 'bluff'"),
    (dict(replicates=0), "replicates: Input should be greater than or equal to 1"),
    (dict(replicates=-3), "replicates"),
    (dict(sampler="sobol", samples=100, factors={W[0]: {"bounds": [1, 2]}}),
     "samples: 100 is not a power of 2"),
    (dict(sampler="latin", factors={W[0]: {"bounds": [1, 2]}}), "samples: required"),
    (dict(sampler="latin", samples=3, factors={W[0]: [1, 2]}), "needs 'bounds: [low, high]'"),
    (dict(factors={W[0]: {"bounds": [1, 2]}}), "the grid sampler needs 'levels"),
    (dict(overrides={"actors.iran.war_weight": -1}), "overrides.actors.iran.war_weight: -1"),
    (dict(colour="red"), "colour: unknown key"),
    (dict(base="nowhere.yaml"), "base: no such config file"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_specs_are_one_line_errors(tmp_path, change, message):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec(**change)))
    with pytest.raises(UserError) as info:
        load_experiment(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text
