"""Invariants over many seeded runs (all engines share the rules; checked on the ensemble)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents import build_actors
from sim.config import STRATEGIES, load_config
from sim.core import draws, rules
from sim.core.params import build_params
from sim.core.state import initial_world, observe
from sim.engines.ensemble import run_ensemble
from tests.conftest import SCENARIOS

CUMULATIVE = ["us_killed", "us_wounded", "iraqi_killed", "militia_killed", "iranian_killed",
              "militia_attacks", "us_strikes_iraq", "us_strikes_iran"]


@pytest.mark.parametrize("path", [None, *SCENARIOS], ids=lambda p: "baseline" if p is None else p.stem)
def test_state_invariants_over_seeded_runs(path):
    cfg = load_config(path)
    res = run_ensemble(cfg, draws.spawn_seeds(123, 300), 200, record_series=True)
    s = res.series
    assert (s["us_troops"] >= 0).all()
    assert (np.diff(s["us_troops"], axis=0) <= 0).all()  # troops only leave
    for k in CUMULATIVE:
        assert (s[k] >= 0).all(), k
        assert (np.diff(s[k], axis=0) >= 0).all(), f"{k} decreased"
    for k in ["sentiment", "revenge", "sanctions_iran", "sanctions_iraq", "isis_strength",
              "diplomacy", "tension", "us_protection", "iran_political_pressure"]:
        assert ((s[k] >= 0) & (s[k] <= 1)).all(), k
    assert (np.diff(s["legal_status"], axis=0) >= 0).all()  # legal steps are not undone
    assert set(np.unique(s["legal_status"])) <= {0, 1, 2, 3}
    war = s["all_out_war"]
    assert (np.diff(war.astype(int), axis=0) >= 0).all()  # war is absorbing
    m = res.metrics
    assert (m["lethal_attacks"] <= m["militia_attacks"] + m["calibrated_strikes"] + m["outside_attacks"]).all()
    assert (m["binding_law_passed"] <= m["limits_passed"]).all()
    assert (m["limits_passed"] <= m["resolution_passed"]).all()


def test_bloc_seats_sum_to_329(baseline):
    assert sum(b.seats for b in baseline.actors.parliament.blocs) == 329


def _random_world(baseline, seed, r=64):
    """A baseline world with state variables scrambled within their ranges."""
    rng = np.random.default_rng(seed)
    w = initial_world(baseline, r)
    unit = {k: rng.uniform(0, 1, r) for k in ["sentiment", "revenge", "sanctions_iran", "sanctions_iraq",
                                                "isis", "diplomacy", "tension", "iran_political", "protection"]}
    return w.replace(**unit, troops=rng.uniform(0, 6000, r), threat=rng.exponential(2, r),
                     threat_iran=rng.exponential(1, r), us_audience=rng.exponential(1, r),
                     iran_audience=rng.exponential(1, r), legal=rng.integers(0, 4, r),
                     iran_strategy=rng.integers(0, len(STRATEGIES), r), stock=rng.uniform(0, 5, w.stock.shape))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_choice_probabilities_sum_to_one(baseline, seed):
    P = build_params(baseline)
    obs = observe(_random_world(baseline, seed), P)
    rng = np.random.default_rng(seed)
    actors = {a.key: a for a in build_actors(P, 64)}
    for key in ("iran", "militias"):
        actors[key].restore({"belief": rng.uniform(0, 1, actors[key].belief.shape)})
    iran, us = actors["iran"].probabilities(obs), actors["us"].probabilities(obs)
    mil = actors["militias"].probabilities(obs)
    parl, ex = actors["parliament"].probabilities(obs), actors["executive"].probabilities(obs)
    for choice in (iran.strategy, mil.tactic, parl.bloc):  # distributions over the first axis
        assert (choice >= 0).all()
        np.testing.assert_allclose(choice.sum(axis=0), 1.0, rtol=1e-12)
    for chance in (iran.reopen, iran.commit, mil.attack, us.strike, us.strike_iran, us.protect, us.review,
                   us.policy, parl.request, parl.session, ex.acts):
        assert ((chance >= 0) & (chance <= 1)).all()


@settings(max_examples=50, deadline=None)
@given(utils=st.lists(st.floats(-50, 50), min_size=2, max_size=8), lam=st.floats(0, 50),
       u=st.floats(0, 1, exclude_max=True))
def test_logit_and_choose_agree(utils, lam, u):
    probs = rules.logit_probs([np.array([x]) for x in utils], lam)
    k = int(rules.choose(probs, np.array([u]))[0])
    cum = np.cumsum([p[0] for p in probs])
    assert 0 <= k < len(utils)
    assert u < cum[k] + 1e-12 and (k == 0 or u >= cum[k - 1] - 1e-12)
    if lam == 0:
        np.testing.assert_allclose([p[0] for p in probs], 1 / len(utils))


def test_casualty_counts_have_their_mean():
    u = draws.uniform(np.arange(200_000, dtype=np.uint64), 0, 1, 2)
    for mean in [0.0, 0.03, 0.7, 6.0]:
        k = rules.count_from_uniform(mean, u)
        assert (k >= 0).all() and (k == np.floor(k)).all()
        se = np.sqrt(mean * (1 + mean) / len(u)) + 1e-12
        assert abs(k.mean() - mean) < 5 * se, (mean, k.mean())


def test_keyed_draws_are_uniform_and_independent_of_batching():
    seeds = np.array(draws.spawn_seeds(1, 5000), dtype=np.uint64)
    u = draws.uniform(seeds, 3, draws.IRAN, draws.CHOICE)
    assert 0 < u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.02
    single = [draws.uniform(s, 3, draws.IRAN, draws.CHOICE)[0] for s in seeds[:50]]
    assert single == list(u[:50])
    v = draws.uniform(seeds, 3, draws.IRAN, draws.US_KILLED)
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.05
