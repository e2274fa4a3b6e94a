"""Replay of the Dec 2019 - Jan 2020 history and its likelihood."""

import numpy as np
import pytest
import yaml

from sim.analysis.history import log_likelihood, replay, rescore
from sim.config import CONFIG_DIR, ConfigError, load_config, with_overrides
from sim.core.draws import seed_for
from sim.engines.ensemble import run_ensemble
from sim.engines.stepper import Stepper

HISTORY = CONFIG_DIR / "history_dec2019.yaml"


@pytest.fixture(scope="module")
def history():
    return load_config(HISTORY)


@pytest.fixture(scope="module")
def replayed(history):
    return replay(history, replicates=4)


def test_stepper_left_alone_equals_the_ensemble():
    cfg = load_config()
    seeds = [seed_for(5, 0, i) for i in range(16)]
    st = Stepper.from_config(cfg, seeds)
    for _ in range(40):
        st.step()
    ens = run_ensemble(cfg, seeds, 40)
    c = st.world.counters
    assert np.array_equal(c.attacks, ens.metrics["militia_attacks"].astype(np.float64))
    for k in ("us_strikes_iraq", "us_killed", "calibrated_strikes"):
        assert np.array_equal(getattr(c, k), ens.metrics[k].astype(np.float64)), k
    assert np.array_equal(st.world.troops, ens.metrics["us_troops_final"])


def test_replay_scores_each_recorded_choice(history, replayed):
    events = [s for s in replayed.steps if s.kind == "event"]
    assert [(str(s.date), s.actor, s.action) for s in events] == [
        ("2019-12-27", "Kataib Hezbollah", "rocket_base"),
        ("2019-12-29", "United States", "strike_militias"),
        ("2019-12-31", "Kataib Hezbollah", "storm"),
        ("2020-01-05", "United States", "force_protection"),
        ("2020-01-05", "Parliament", "resolution"),
        ("2020-01-06", "United States", "threaten_iraq"),
        ("2020-01-08", "Iran", "direct_strike"),
        ("2020-01-08", "United States", "threaten_iraq"),
        ("2020-01-09", "United States", "sanction_iran"),
    ]
    assert all(0.0 < s.prob <= 1.0 for s in replayed.steps)
    # the forced path happened: resolution passed, one direct strike, one US strike in Iraq
    w = replayed.world
    assert (w.legal >= 1).all()
    assert (w.counters.calibrated_strikes == 1).all()
    assert (w.counters.us_strikes_iraq == 1).all()
    assert (w.counters.us_killed == 1).all()  # declared K-1 death, none at the embassy or Jan 8
    assert (w.counters.us_wounded >= 4).all()  # the 4 declared K-1 wounded (outside attacks may add)
    c = w.counters
    assert (c.lethal_attacks >= 1).all()  # the declared K-1 death makes that attack lethal, once
    assert (c.lethal_attacks <= c.attacks + c.storms + c.calibrated_strikes + c.outside_attacks).all()
    ll = log_likelihood(replayed)
    assert np.isfinite(ll) and ll < 0
    # the path likelihood integrates the random draws over replicates (log-mean-exp of each
    # replicate's path), each step's shown probability is its mean over the same replicates
    per_rep = replayed.step_logp.sum(axis=0)
    assert ll == pytest.approx(float(np.log(np.mean(np.exp(per_rep)))))
    for s, row in zip(replayed.steps, replayed.step_logp, strict=True):
        assert s.prob == pytest.approx(float(np.mean(np.exp(row))), rel=1e-9, abs=1e-12)


def test_replay_is_deterministic(history, replayed):
    again = replay(history, replicates=4)
    assert log_likelihood(again) == log_likelihood(replayed)


def test_likelihood_changes_with_parameters(history, replayed):
    other = with_overrides(history, {"actors.united_states.costs.strike_militias": 0.3})
    full = replay(other, replicates=4)
    assert log_likelihood(full) != pytest.approx(log_likelihood(replayed))
    # rescoring the fixed path equals a full replay for payoff weights
    assert log_likelihood(rescore(replayed, other)) == pytest.approx(log_likelihood(full), abs=1e-9)
    strike = [s for s in full.steps if s.action == "strike_militias"][0]
    strike0 = [s for s in replayed.steps if s.action == "strike_militias"][0]
    assert strike.prob > strike0.prob


def _history_with(tmp_path, mutate):
    raw = yaml.safe_load(HISTORY.read_text())
    raw["extends"] = str(CONFIG_DIR / "baseline.yaml")
    mutate(raw["history"])
    p = tmp_path / "h.yaml"
    p.write_text(yaml.safe_dump(raw))
    return p


def test_unknown_action_is_a_one_line_error(tmp_path):
    p = _history_with(tmp_path, lambda h: h["events"][0].update(action="nuke"))
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    msg = str(exc.value)
    assert "\n" not in msg and "history.events.0" in msg and "'nuke'" in msg


def test_action_of_another_actor_is_a_one_line_error(tmp_path):
    p = _history_with(tmp_path, lambda h: h["events"][0].update(action="strike_iran"))
    with pytest.raises(ConfigError, match=r"history\.events\.0\.action: 'strike_iran' is not an "
                                          r"action of Kataib Hezbollah"):
        replay(load_config(p), replicates=1)


def test_unknown_actor_and_strike_target(tmp_path):
    p = _history_with(tmp_path, lambda h: h["events"][1].update(actor="Mars"))
    with pytest.raises(ConfigError, match=r"history\.events\.1\.actor: unknown actor 'Mars'"):
        replay(load_config(p), replicates=1)
    p = _history_with(tmp_path, lambda h: h["events"][1].update(target="Mars"))
    with pytest.raises(ConfigError, match=r"history\.events\.1\.target: a US strike on militias names "
                                          r"the group struck"):
        replay(load_config(p), replicates=1)


def test_replay_needs_a_history():
    with pytest.raises(ConfigError, match="history"):
        replay(load_config(), replicates=1)


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    from sim.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["validate", "--runs", "1"])
    assert exc.value.code == 2
