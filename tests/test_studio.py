"""The what-if studio's engine: fan charts and their cache, branches, played sessions and replay."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.analysis import fan as F
from sim.config import load_config, with_overrides
from sim.config.loader import CONFIG_DIR
from sim.core.params import build_thresholds
from sim.core.state import initial_world
from sim.engines import studio as S
from sim.engines.ensemble import simulate
from sim.engines.mesa_model import EscalationModel
from sim.errors import UserError

HISTORY = CONFIG_DIR / "history_dec2019.yaml"


@pytest.fixture(scope="module")
def cfg():
    return load_config(HISTORY)


def test_fan_replicate_is_the_single_run_and_percentiles_are_mid_ranks(cfg):
    values = F.trajectories(cfg, [11, 42], 40)
    m = EscalationModel(cfg, rng=42, days=40)
    rows = [S.series_of(m.world)]
    while m.running:
        m.step()
        rows.append(S.series_of(m.world))
    for name in S.SERIES:
        assert np.array_equal(values[name][:, 1], [r[name][0] for r in rows]), name
    assert F.percentile(np.array([1, 2, 3, 4]), 2) == pytest.approx(37.5)
    assert F.percentile(np.array([1, 2, 3, 4]), 0) == 0.0
    assert F.percentile(np.array([1, 2, 3, 4]), 9) == 100.0


def test_fan_cache_computes_once_and_reads_disk(cfg, tmp_path):
    cache = F.FanCache(tmp_path)
    f1 = cache.get(cfg, 30, runs=40)
    assert cache.computed == 1 and cache.get(cfg, 30, runs=40) is f1
    q = f1.quantiles["attacks"]
    assert q.shape == (len(F.QUANTILES), 31)
    assert np.all(np.diff(q, axis=0) >= 0)  # 5% <= 25% <= median <= 75% <= 95% every day
    files = list(tmp_path.glob("fan-*.npz"))
    assert len(files) == 1 and cfg.hash() in files[0].name
    fresh = F.FanCache(tmp_path)  # another process: reads the file, computes nothing
    f2 = fresh.get(cfg, 30, runs=40)
    assert fresh.computed == 0
    for name in S.SERIES:
        assert np.array_equal(f1.values[name], f2.values[name])
    assert cache.get(cfg, 31, runs=40) is not f1 and cache.computed == 2  # days are part of the key
    files[0].write_bytes(b"not an npz")  # a corrupt file is recomputed, not trusted
    assert F.FanCache(tmp_path).get(cfg, 30, runs=40).runs == 40


def test_branch_shares_the_past_and_marks_the_first_difference(cfg):
    b = S.branch(cfg, 7, 60, 10, S.Change("Iran", "direct_strike", "force"))
    assert b.diverged == 10  # a forced strike changes the world on that very day
    for name in S.SERIES:
        assert b.a.series[name][:11] == b.b.series[name][:11]  # days 0..10 (the state before day 10 is played)
    same = S.branch(cfg, 7, 30, 5, S.Change(overrides={"actors.united_states.retaliation_weight":
                                                      cfg.actors.united_states.retaliation_weight}))
    assert same.diverged is None and same.a.series == same.b.series  # a change that changes nothing


def test_branch_bad_input_is_a_user_error(cfg):
    with pytest.raises(UserError, match="not an act of United States"):
        S.branch(cfg, 1, 20, 3, S.Change("United States", "nuke", "force"))
    with pytest.raises(UserError, match="must be a day of the run"):
        S.branch(cfg, 1, 20, 25, S.Change("Iran", "diplomacy", "force"))
    with pytest.raises(UserError, match="needs a change"):
        S.branch(cfg, 1, 20, 3, S.Change())


def _play(cfg, seat, days, pick):
    p = S.PlaySession(cfg, 5, seat, days, "history_dec2019")
    while not p.done:
        p.play(pick(p))
    return p


@pytest.mark.parametrize("seat", ["United States", "Iran", "Executive"])
def test_a_saved_session_replays_exactly(cfg, tmp_path, seat):
    rng = np.random.default_rng(3)  # the player's choices: not the model's randomness

    def pick(p):
        adv = p.options()
        assert all(0.0 <= v <= 1.0 for v in adv.values())
        if seat == "Iran":
            return [str(rng.choice(list(adv)[:-1]))] + (["direct_strike"] if p.day == 12 else [])
        return [a for a in adv if rng.random() < 0.15]

    played = _play(cfg, seat, 45, pick)
    path = S.save_session(tmp_path, played)
    data = S.load_session(path)
    assert [m["day"] for m in data["moves"]] == list(range(45))
    # 1) the session's config with its moves as interventions, run by the ensemble engine
    _, P = S.replay_config(cfg, data)
    r = simulate(P, initial_world(cfg, 1), np.array([5], dtype=np.uint64), 45, build_thresholds(cfg),
                 record_events=True)
    out = played.track.outcome()
    assert r.paths[0] == out["path"]
    for k, v in r.metrics.items():
        assert np.asarray(v)[0].item() == pytest.approx(out[k], nan_ok=True), k
    strip = [{k: v for k, v in e.items() if k != "replicate"} for e in played.track.events]
    assert [{k: v for k, v in e.items() if k != "replicate"} for e in r.events] == strip
    # 2) stepping through the saved moves one by one
    again = S.PlaySession.from_record(cfg, data)
    for m in data["moves"]:
        again.play(m["acts"])
    assert again.track.series == played.track.series and again.track.events == played.track.events
    assert json.loads(path.read_text())["outcome"]["path"] == out["path"]


def test_the_player_changes_the_run(cfg):
    modal = _play(cfg, "United States", 40, lambda p: [])
    striking = _play(cfg, "United States", 40, lambda p: ["strike_militias"] if p.day in (8, 9, 10) else [])
    assert striking.track.outcome()["us_strikes_iraq"] == modal.track.outcome()["us_strikes_iraq"] + 3


def test_bad_session_files_and_moves(cfg, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UserError, match="not a session file"):
        S.load_session(bad)
    bad.write_text(json.dumps({"version": 1, "config": "x", "config_hash": "h", "seed": 1, "seat": "Russia",
                               "days": 3, "moves": []}))
    with pytest.raises(UserError, match="seat 'Russia'"):
        S.load_session(bad)
    bad.write_text(json.dumps({"version": 1, "config": "x", "config_hash": "h", "seed": "1", "seat": "Iran",
                               "days": 3, "moves": []}))
    with pytest.raises(UserError, match="'seed'"):
        S.load_session(bad)
    p = S.PlaySession(cfg, 1, "Iran", 5)
    with pytest.raises(UserError, match="exactly one strategy"):
        p.play(["diplomacy", "major_escalation"])
    with pytest.raises(UserError, match="not an act of United States"):
        S.PlaySession(cfg, 1, "United States", 5).play(["storm"])
    other = with_overrides(cfg, {"actors.united_states.retaliation_weight": 0.5})  # a changed config
    with pytest.raises(UserError, match="config changed"):
        S.PlaySession.from_record(other, p.record())


def test_fan_figure_and_percentile_table(cfg):
    from dashboards import studio_figures as SF
    from dashboards.studio import config_for, parse_int, parse_value

    fan = F.compute(cfg, 20, runs=30)
    run = S.Track.start(cfg, 3, 20)
    run.run_to(12)
    rows = SF.percentiles(fan, run.series, 12)
    assert [r["series"] for r in rows] == list(S.SERIES)
    for r in rows:
        assert r["percentile"] == pytest.approx(F.percentile(fan.values[r["series"]][12], r["value"]))
        assert r["low"] <= r["median"] <= r["high"]
    html = SF.percentile_html(rows, fan.runs)
    assert html.count("data-percentile=") == len(S.SERIES)
    fig = SF.fan_figure(fan, run.series, 12, other=run.series, fork_day=5, diverged=7)
    assert len(fig.axes) == 6
    assert SF.chance(0.001) == "<1%" and SF.chance(0.0) == "0%" and SF.chance(0.5) == "50%"
    with pytest.raises(UserError, match="not offered"):
        config_for("../../etc/passwd")
    with pytest.raises(UserError, match="not a whole number"):
        parse_int("٣", "days", 1, 10)
    with pytest.raises(UserError, match="out of range"):
        parse_int("11", "days", 1, 10)
    with pytest.raises(UserError, match="not a number"):
        parse_value("abc")
