"""The Mesa model: determinism, independence of runs, Mesa tooling, run_model, agents."""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
import pandas as pd

import agents
from sim import EscalationModel, run_model
from sim.core.outcomes import METRICS, PATHS
from tests.conftest import ROOT, nan_safe


def _run(seed, days=90, **kw):
    m = EscalationModel(rng=seed, days=days, **kw)
    m.run()
    return m


def test_same_seed_same_everything():
    a, b = _run(11), _run(11)
    assert a.events == b.events
    assert nan_safe(a.metrics()) == nan_safe(b.metrics())
    pd.testing.assert_frame_equal(a.timeline(), b.timeline())


def test_different_seeds_differ():
    runs = [_run(s) for s in range(1, 9)]
    assert len({str(r.events) for r in runs}) == len(runs)


def test_runs_independent_within_a_process():
    first = _run(5).events
    _run(6)
    _run(7, overrides={"actors.iran.revenge_weight": 3.0})
    assert _run(5).events == first


def test_constructible_with_no_arguments_and_mesa_rng():
    m = EscalationModel()
    assert m.days == m.config.meta.days
    assert isinstance(m.seed, int)
    m.step()
    assert m.world.day == 1
    g = EscalationModel(rng=np.random.default_rng(3), days=5)
    h = EscalationModel(rng=np.random.default_rng(3), days=5)
    assert g.seed == h.seed
    # Mesa's own generators are seeded from the run seed too
    assert EscalationModel(rng=9).random.random() == EscalationModel(rng=9).random.random()


def test_keyword_overrides_change_the_config():
    m = EscalationModel(rng=1, days=5, **{"actors.iran.revenge_weight": 0.8}, actors__iran__war_weight=3.0)
    assert m.config.actors.iran.revenge_weight == 0.8
    assert m.config.actors.iran.war_weight == 3.0


def test_mesa_batch_run_returns_daily_series():
    rows = mesa.batch_run(EscalationModel, parameters={"rng": [1, 2, 3]}, max_steps=60,
                          number_processes=1, data_collection_period=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert set(df["rng"]) == {1, 2, 3}
    assert {"us_troops", "sentiment", "us_killed", "legal_status"} <= set(df.columns)
    assert df.groupby("rng")["Step"].max().eq(60).all()
    # the swept rng really seeds each run
    one = df[df["rng"] == 2].sort_values("Step")["sentiment"].to_numpy()
    direct = EscalationModel(rng=2, days=60).run().timeline()["sentiment"].to_numpy()
    np.testing.assert_array_equal(one, direct)
    rows2 = mesa.batch_run(EscalationModel, parameters={}, rng=[2], max_steps=60, data_collection_period=1,
                           number_processes=1, display_progress=False)
    np.testing.assert_array_equal(pd.DataFrame(rows2)["sentiment"].to_numpy(), direct)


def test_run_model_returns_flat_path_and_metrics():
    out = run_model(seed=4, days=60, **{"actors.iran.revenge_weight": 1.0})
    assert out["path"] in PATHS
    for k in METRICS:
        assert k in out and np.isscalar(out[k]), k
    assert out["days"] == 60
    assert nan_safe(out) == nan_safe(run_model(seed=4, days=60, actors__iran__revenge_weight=1.0))


def test_agents_have_their_own_parameters():
    m = EscalationModel(rng=1, days=3)
    militias = m.actor("militias")
    assert len(set(militias.loyalty[:, 0])) > 1
    assert militias.names == [r.name for r in m.config.actors.militias]
    assert militias.belief.shape == (len(m.config.actors.militias), 1)
    kinds = {type(a.actor).__name__ for a in m.agents}
    assert kinds == {"UnitedStates", "Iran", "Militias", "Executive", "Parliament"}
    assert all(isinstance(a, mesa.Agent) for a in m.agents)


def test_agents_package_is_ours():
    assert Path(agents.__file__).resolve().parent == ROOT / "agents"
    assert [cls.key for cls in agents.ACTORS] == ["us", "iran", "militias", "executive", "parliament"]


def test_one_actor_class_serves_one_or_many_replicates(baseline):
    from sim.core import draws
    from sim.core.params import build_params
    from sim.core.state import initial_world, observe

    P = build_params(baseline)
    seeds = np.array(draws.spawn_seeds(3, 8), dtype=np.uint64)
    many = agents.build_actors(P, len(seeds))
    obs = observe(initial_world(baseline, len(seeds)), P)
    together = agents.decide_all(many, obs, draws.Stream(seeds))
    for r in range(len(seeds)):
        one = agents.build_actors(P, 1)
        alone = agents.decide_all(one, observe(initial_world(baseline, 1), P), draws.Stream(seeds[r:r + 1]))
        for name in ("iran", "iran_direct", "us_strike", "us_strike_iran", "us_protect", "request", "sitting",
                     "exec_alignment"):
            assert getattr(alone, name)[0] == getattr(together, name)[r], name
        for name in ("militia", "us_policy", "exec_acts", "bloc_choice"):
            assert (getattr(alone, name)[:, 0] == getattr(together, name)[:, r]).all(), name


def test_event_record_rows():
    m = _run(3, days=120)
    df = m.events_frame()
    assert list(df.columns[:4]) == ["day", "date", "actor", "kind"]
    assert (df["day"].diff().dropna() >= 0).all()
    assert set(df["actor"]) <= {"Iran", "United States", "Parliament", "World", "Executive", "Militias",
                                "United States and Iraq",
                                *[r.name for r in m.config.actors.militias],
                                *[b.name for b in m.config.actors.parliament.blocs]}
    votes = df[df["kind"] == "bloc_vote"]
    sittings = df[df["kind"] == "parliament"]
    assert len(votes) == len(sittings) * len(m.config.actors.parliament.blocs)
    for _, sit in sittings.iterrows():  # the bloc rows add up to the tally
        day = votes[votes["day"] == sit["day"]]
        assert day.loc[day["action"] == "yes", "detail"].sum() == sit["detail"]
