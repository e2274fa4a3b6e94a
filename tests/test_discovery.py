"""Scenario discovery (issue 13 item 3): PRIM (EMA Workbench) finds the region a constructed
outcome lives in, finds nothing for an outcome independent of every factor (negative control),
and the report and the spec carry it end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discovery import discover
from sim.errors import UserError
from sim.experiments.spec import load_experiment, parse_condition

from .conftest import ROOT, run_cli
from .sweep_results import spec

FACTORS = [f"f{i}" for i in range(6)]


def synthetic(signal: bool, seed: int, designs: int = 64, replicates: int = 8) -> pd.DataFrame:
    """Runs of a 6-factor design; the outcome has probability 0.3, plus 0.5 where f0 > 0.7 when
    ``signal`` (the known answer), else nothing depends on the factors."""
    rng = np.random.default_rng(seed)
    design = pd.DataFrame(rng.random((designs, len(FACTORS))), columns=FACTORS)
    runs = design.loc[np.repeat(np.arange(designs), replicates)].reset_index(drop=True)
    p = 0.3 + (0.5 * (runs["f0"] > 0.7) if signal else 0.0)
    runs["hit"] = rng.random(len(runs)) < p
    runs["status"], runs["path"] = "ok", "de_escalation"
    return runs


@pytest.mark.parametrize("seed", range(4))
def test_prim_finds_the_known_region(seed):
    d = discover(synthetic(True, seed), FACTORS, "hit")
    assert d.found
    restricted = d.box[d.box["restricted"]]
    assert list(restricted["factor"]) == ["f0"]  # only the factor the outcome depends on
    assert 0.45 < float(restricted["lower"].iloc[0]) < 0.85  # the true edge is 0.7
    dens, lo, _ = d.density
    assert lo > d.base_rate[2] and d.lift > 1.2  # density above the base rate, beyond noise
    assert d.coverage >= 0.5


@pytest.mark.parametrize("seed", range(4))
def test_negative_control_independent_outcome_gives_no_box(seed):
    d = discover(synthetic(False, seed), FACTORS, "hit")
    assert not d.found
    assert d.density == d.base_rate and "does not concentrate" in d.notes[-1]


def test_runs_as_rows_failed_runs_do_not_count():
    runs = synthetic(True, 0)
    runs.loc[:99, "status"] = "failed"
    d = discover(runs, FACTORS, "hit")
    assert d.n == len(runs) - 100


def test_never_or_always_is_said():
    runs = synthetic(True, 0).assign(hit=False)
    d = discover(runs, FACTORS, "hit")
    assert not d.found and "never occurs" in d.notes[-1]


def test_conditions_parse_and_refuse():
    assert parse_condition("us_killed > 10").value == 10.0
    assert parse_condition("all_out_war").value is True
    assert parse_condition("path == s1_major_escalation").column == "path"
    for bad, said in [("path > 3", "path takes"), ("nope > 1", "not path or a metric"),
                      ("us_killed", "give an operator"), ("path == peace", "not a path"),
                      ("us_killed > inf", "finite")]:
        with pytest.raises(UserError, match=said):
            parse_condition(bad)


def test_spec_discovery_list_is_checked_and_not_in_the_fingerprint():
    base = spec("d", replicates=2, days=5,
                factors={"actors.iran.war_weight": {"bounds": [1.0, 3.0]}},
                sampler="latin", samples=4)
    plain = load_experiment(base)
    listed = load_experiment({**base, "discovery": ["us_killed > 2"]})
    assert plain.fingerprint() == listed.fingerprint()
    with pytest.raises(UserError, match="discovery"):
        load_experiment({**base, "discovery": ["us_kiled > 2"]})


def test_seeds_shared_pairs_design_points_and_default_keeps_fingerprints():
    base = spec("s", replicates=3, days=5, factors={"actors.iran.war_weight": [1.0, 2.0]})
    per = load_experiment(base)
    shared = load_experiment({**base, "seeds": "shared"})
    assert "seeds" not in per.spec_dict()  # older results folders keep their fingerprint
    assert per.seed(0, 1) != per.seed(1, 1)
    assert shared.seed(0, 1) == shared.seed(1, 1) != shared.seed(0, 2)
    assert "replicate) (seeds: shared)" in shared.seed_rule
    with pytest.raises(UserError, match="seeds"):
        load_experiment({**base, "seeds": "sometimes"})


@pytest.mark.slow
def test_report_discovery_end_to_end(tmp_path):
    """A tiny version of configs/sweeps/discovery.yaml: the report carries the PRIM section;
    on its real runs, an outcome built from one factor is found, and one that depends only on
    the seed (shared across design points) gives no box."""
    from sim import load_results, sweep

    s = {**spec("tiny_discovery", replicates=6, days=40,
                factors={"actors.iran.war_weight": {"bounds": [1.0, 4.0]},
                         "actors.iran.pressure_weight": {"bounds": [0.6, 2.4]},
                         "actors.united_states.retaliation_weight": {"bounds": [0.45, 1.8]}}),
         "sampler": "latin", "samples": 60, "seeds": "shared", "discovery": ["us_killed > 0"]}
    out = sweep(s, tmp_path / "r", progress=False)
    res = run_cli("report", str(out), "--discover", "path == de_escalation")
    assert res.returncode == 0, res.stderr
    assert "Scenario discovery" in res.stdout and "us_killed > 0" in res.stdout
    md = (out / "report" / "report.md").read_text()
    assert "## Scenario discovery (PRIM)" in md and "prim_tradeoff_0.png" in md
    boxes = pd.read_csv(out / "report" / "discovery_trajectory.csv")
    assert {"coverage", "density", "mass", "outcome"} <= set(boxes.columns)
    runs = load_results(out)
    rng = np.random.default_rng(0)
    w = runs["actors.iran.pressure_weight"]
    known = runs.assign(known=(w > 1.8) & (rng.random(len(runs)) < 0.9))
    d = discover(known, list(s["factors"]), "known")
    assert d.found and list(d.box[d.box["restricted"]]["factor"]) == ["actors.iran.pressure_weight"]
    assert d.density[1] > d.base_rate[2]
    seed_only = runs.assign(by_seed=runs["seed"] % 3 == 0)
    assert not discover(seed_only, list(s["factors"]), "by_seed").found


def test_shipped_discovery_spec_is_valid():
    exp = load_experiment(ROOT / "configs" / "sweeps" / "discovery.yaml")
    assert exp.shared_seeds and exp.n_runs <= 5000 and len(exp.spec.discovery or []) >= 2
    assert 5 <= len(exp.spec.factors) <= 8


def test_categorical_factor_box_and_its_relaxation():
    """A text factor (e.g. a posture): the box keeps the one level the outcome lives in; with
    the outcome independent of it, the restriction is relaxed as a whole."""
    rng = np.random.default_rng(4)
    runs = pd.DataFrame({"g": np.repeat(["a", "b", "c"], 200), "f0": rng.random(600)})
    runs["status"], runs["path"] = "ok", "de_escalation"
    runs["hit"] = rng.random(600) < np.where(runs["g"] == "b", 0.8, 0.2)
    d = discover(runs, ["g", "f0"], "hit")
    box = d.box[d.box["restricted"]]
    assert d.found and list(box["factor"]) == ["g"] and box["lower"].iloc[0] == "b"
    runs["noise"] = rng.random(600) < 0.3
    assert not discover(runs, ["g", "f0"], "noise").found
