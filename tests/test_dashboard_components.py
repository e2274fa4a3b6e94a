"""In-process tests of the dashboard: inputs, figures and every component rendered to widgets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ipyvuetify as v
import ipywidgets as w
import numpy as np
import pandas as pd
import pytest

solara = pytest.importorskip("solara")

from dashboards import figures, single_run, sweep, theme  # noqa: E402
from dashboards.single_run import DashboardModel  # noqa: E402
from sim.config import Config, parameter_space  # noqa: E402
from sim.engines.mesa_model import EscalationModel  # noqa: E402
from tests.sweep_results import make_interrupted, make_results  # noqa: E402


def _html(rc) -> str:
    return "\n".join(x.unsafe_innerHTML or "" for x in rc.find(solara.widgets.HTML).widgets)


def _images(rc) -> list[bytes]:
    return [bytes(x.value) for x in rc.find(w.Image).widgets]


@pytest.fixture(scope="module")
def crisis() -> DashboardModel:
    """A run under the S1 posture 80 days in: attacks, strikes and votes have happened."""
    m = DashboardModel(seed="3", preset="s1_major_escalation", days=150)
    for _ in range(80):
        m.step()
    assert any(e["kind"] == "militia" for e in m.events)
    assert any(e["kind"] == "parliament" for e in m.events)
    return m


# ------------------------------------------------------------------------------ inputs
def test_seed_text_is_coerced_and_same_run_as_int_seed():
    a = DashboardModel(seed=" 7 ", preset="baseline", days=40).run()
    b = EscalationModel(None, rng=7, days=40).run()
    assert a.seed == 7 and a.input_problems == []
    assert a.events == b.events


@pytest.mark.parametrize("bad", ["abc", "4.5", "-3", "", True])
def test_bad_seed_is_a_message_not_a_crash(bad):
    m = DashboardModel(seed=bad, days=5)
    assert m.seed == single_run.DEFAULT_SEED
    assert len(m.input_problems) == 1 and "seed" in m.input_problems[0]


@pytest.mark.parametrize("bad", ["no_such_posture", "../baseline", "", "/etc/passwd"])
def test_missing_preset_is_a_message(bad):
    m = DashboardModel(seed="1", preset=bad, days=5)
    assert m.preset == "baseline"
    assert "does not exist" in m.input_problems[0]


def test_preset_is_applied():
    m = DashboardModel(seed="1", preset="s4_political_pressure", days=5)
    assert m.input_problems == []
    assert m.config.actors.iran.posture == "political_pressure"


def test_weight_overrides_only_when_changed_and_validated():
    m = DashboardModel(seed="1", days=5, **{"actors.iran.revenge_weight": 2.5,
                                           "actors.iran.war_weight": 2.0})
    assert m.config.actors.iran.revenge_weight == 2.5
    assert m.overrides == {"actors.iran.revenge_weight": 2.5}  # 2.0 is the baseline value
    bad = DashboardModel(seed="1", days=5, **{"actors.iran.revenge_weight": 99.0})
    assert "out of range" in bad.input_problems[0]
    assert bad.config.actors.iran.revenge_weight == 1.4


def test_bad_days_is_a_message():
    m = DashboardModel(seed="1", days="ten")
    assert m.days == 365 and "days" in m.input_problems[0]


def test_mesa_scenario_keyword_is_accepted():
    m = DashboardModel(seed="1", days=3, scenario=object())
    assert m.input_problems == []


def test_controls_come_from_the_schema():
    params = single_run.model_params()
    space = parameter_space(single_run._baseline())
    assert params["days"]["label"] == Config.model_fields["meta"].annotation.model_fields[
        "days"].description
    assert (params["days"]["min"], params["days"]["max"]) == (space["meta.days"][0],
                                                              space["meta.days"][1])
    for path in single_run.MAIN_WEIGHTS:
        lo, hi, _ = space[path]
        assert (params[path]["min"], params[path]["max"]) == (lo, hi)
        assert params[path]["label"] == single_run.control_label(path)
    assert params["seed"]["type"] == "InputText" and isinstance(params["seed"]["value"], str)
    assert set(params["preset"]["values"]) >= {"baseline", "s1_major_escalation"}


# ------------------------------------------------------------------------------ data and figures
def test_actor_intensity_and_marks(crisis):
    inten = figures.actor_intensity(crisis)
    assert len(inten) == crisis.world.day + 1
    assert inten.to_numpy().max() <= 6 and inten["Militias"].max() >= 2
    marks = figures.marked_events(crisis)
    assert any(mk["style"] == "vote" for mk in marks)


def test_map_places_every_attack(crisis):
    placed = figures.map_events(crisis)
    militia_attacks = [e for e in crisis.events if e["kind"] == "militia"]
    assert sum(p["style"] in theme.TACTIC_STYLES for p in placed) == len(militia_attacks)
    assert {p["style"] for p in placed if p["style"] in theme.TACTIC_STYLES} == \
        {e["action"] for e in militia_attacks}  # each tactic its own style
    assert sum(p["unattributed"] for p in placed) == sum(e["attributed"] == 0 for e in militia_attacks)
    x0, x1, y0, y1 = theme.MAP_EXTENT
    assert all(x0 <= p["x"] <= x1 and y0 <= p["y"] <= y1 for p in placed)


def test_tactics_have_distinct_markers():
    from sim.config import TACTICS

    styles = [theme.EVENT_STYLE[t] for t in TACTICS if t != "stand_down"]
    assert len({(c, m) for c, m, _ in styles}) == len({m for _, m, _ in styles}) == len(styles)


def test_world_state_shows_the_new_actors(crisis):
    rows = dict(figures.world_state(crisis))
    for label in ("Iraqi executive", "PM's stance", "Strategic Dialogue", "Militia truce", "Attribution",
                  "Attacks by tactic", "US military track", "US policy track"):
        assert label in rows
    st = figures.path_status(crisis)
    assert st["military"] in theme.MILITARY_TRACK_LABELS.values()
    assert st["political"] in theme.POLITICAL_TRACK_LABELS.values()


def test_every_configured_site_has_coordinates(crisis):
    cfg = crisis.config
    names = [*cfg.world.sites.bases, cfg.world.sites.embassy, *cfg.world.sites.iran_targets,
             *cfg.world.sites.exposed, cfg.world.sites.convoys, *(m.home_site for m in cfg.actors.militias)]
    assert [n for n in names if n not in theme.SITE_COORDS] == []


def test_event_log_newest_first(crisis):
    log = figures.event_log(crisis)
    assert [r["day"] for r in log] == sorted((r["day"] for r in log), reverse=True)
    assert log[0]["text"].startswith(f"Day {crisis.events[-1]['day']} ")


def test_latest_vote_against_quorum(crisis):
    vote = figures.latest_vote(crisis)
    assert vote is not None and vote["present"] > 0
    assert len(vote["choices"]) == len(crisis.config.actors.parliament.blocs)


def test_world_state_rows(crisis):
    rows = dict(figures.world_state(crisis))
    assert rows["US troops in Iraq"] == f"{float(crisis.world.troops[0]):,.0f}"
    assert "Iraqi anti-US sentiment" in rows and "ISIS strength" in rows
    assert rows["Legal status of US presence"] in theme.LEGAL_LABELS


# ------------------------------------------------------------------------------ components
@pytest.mark.parametrize("component", [single_run.Timeline, single_run.MapView,
                                       single_run.ParliamentView])
def test_figure_components_render_png(component, crisis):
    box, rc = solara.render(component(crisis), handle_error=False)
    (img,) = _images(rc)
    assert img.startswith(b"\x89PNG")
    rc.close()


def test_figure_component_redraws_after_a_step():
    m = DashboardModel(seed="5", preset="s3_middle_ground", days=60)
    box, rc = solara.render(single_run.Timeline(m), handle_error=False)
    before = _images(rc)[0]
    for _ in range(10):
        m.step()
    from mesa.visualization.utils import force_update

    force_update()
    assert _images(rc)[0] != before
    rc.close()


def test_event_log_component(crisis):
    box, rc = solara.render(single_run.EventLog(crisis), handle_error=False)
    text = _html(rc)
    assert 'class="event-log"' in text and f'data-count="{len(crisis.events)}"' in text
    rc.close()


def test_world_state_component(crisis):
    box, rc = solara.render(single_run.WorldState(crisis), handle_error=False)
    assert "US troops in Iraq" in _html(rc) and "Iran&#x27;s revenge demand" in _html(rc)
    rc.close()


def test_path_status_tracks_then_classifies():
    m = DashboardModel(seed="2", days=20)
    box, rc = solara.render(single_run.PathStatus(m), handle_error=False)
    assert "Tracking:" in _html(rc) and 'data-final="false"' in _html(rc)
    rc.close()
    m.run()
    box, rc = solara.render(single_run.PathStatus(m), handle_error=False)
    text = _html(rc)
    assert "Final classification:" in text and f'data-path="{m.metrics()["path"]}"' in text
    rc.close()


def test_path_status_shows_input_problems():
    m = DashboardModel(seed="abc", days=5)
    box, rc = solara.render(single_run.PathStatus(m), handle_error=False)
    alerts = rc.find(v.Alert).widgets
    assert any("not a whole number" in str(a.children) for a in alerts)
    rc.close()


@solara.component
def _Wrapped():
    with solara.AppLayout():
        single_run.SingleRunPage()


def _day(rc) -> int:
    import re

    return int(re.search(r'data-day="(\d+)"', _html(rc)).group(1))


def test_single_run_page_step_and_reset():
    box, rc = solara.render(_Wrapped(), handle_error=False)
    labels = [b.children[0] for b in rc.find(v.Btn).widgets if b.children]
    assert {"Reset", "▶", "Step"} <= set(labels)
    step = rc.find(v.Btn, children=["Step"]).widget
    step.click()
    step.click()
    assert _day(rc) == 2
    assert len(_images(rc)) in (3, 4)  # timeline, map, parliament (+ the fan chart once its ensemble is ready)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _day(rc) == 0
    rc.close()


def test_two_pages_have_their_own_models():
    _, rc1 = solara.render(_Wrapped(), handle_error=False)
    _, rc2 = solara.render(_Wrapped(), handle_error=False)
    rc1.find(v.Btn, children=["Step"]).widget.click()
    assert _day(rc1) == 1 and _day(rc2) == 0
    rc1.close()
    rc2.close()


# ------------------------------------------------------------------------------ sweep page
def test_wilson_known_values():
    p, lo, hi = sweep.wilson(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert np.allclose(p, [0, 0.5, 1])
    assert np.allclose(lo, [0.0, 0.2366, 0.7225], atol=1e-4)
    assert np.allclose(hi, [0.2775, 0.7634, 1.0], atol=1e-4)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("r") / "r")


def test_load_and_summarise(results):
    s = sweep.load_sweep(results)
    assert s.factors == ["actors.iran.revenge_weight", "actors.parliament.quorum"]
    assert len(s.runs) == 60 and len(s.ok) == 30  # quorum 400 fails every run
    assert s.complete and s.completeness.startswith("runs present: 60 of 60")
    dist = sweep.path_distribution(s.runs)
    assert dist["runs"].sum() == 30 and np.isclose(dist["share"].sum(), 1.0)
    assert (dist["lo"] <= dist["share"]).all() and (dist["share"] <= dist["hi"]).all()
    tab = sweep.by_factor(s.runs, "actors.iran.revenge_weight")
    assert list(pd.unique(tab["level"])) == [0.7, 1.4, 2.8] and not tab["binned"].any()
    assert (tab.groupby("level")["runs"].sum() == 10).all()
    assert sweep.distribution_figure(s) is not None
    for f in s.factors:
        assert sweep.factor_figure(s, f) is not None


def test_many_numeric_levels_are_binned():
    levels, binned = sweep.factor_levels(pd.Series(np.linspace(0, 1, 100)))
    assert binned and levels.nunique() == 10


def test_incomplete_sweep_is_marked(tmp_path, monkeypatch):
    monkeypatch.setenv(sweep.ROOT_ENV, str(tmp_path))
    folder = make_interrupted(tmp_path / "cut")
    s = sweep.load_sweep(folder)
    assert not s.complete and "INCOMPLETE: design 1, 2, 3, 4, 5" in s.completeness
    assert "[INCOMPLETE]" in sweep.distribution_figure(s).axes[0].get_title()
    box, rc = solara.render(sweep.SweepView(str(folder)), handle_error=False)
    assert any("runs present: 14 of 60" in str(a.children) for a in rc.find(v.Alert).widgets)
    rc.close()


@pytest.mark.parametrize("case,expect", [
    ("missing", "no such results folder"), ("file", "is a file"),
    ("empty", "not a sweep results folder"), ("format", "format 1, this version reads format 2"),
    ("badjson", "unreadable manifest"), ("damaged", "damaged part"), ("norows", "no runs yet"),
    ("", "no results folder given"),
])
def test_bad_folders_are_messages(tmp_path, monkeypatch, results, case, expect):
    import json
    import shutil

    monkeypatch.setenv(sweep.ROOT_ENV, str(tmp_path))
    target = tmp_path / "x"
    if case == "file":
        target.write_text("hi")
    elif case == "empty":
        target.mkdir()
    elif case == "norows":
        make_interrupted(target, tasks=0)
    elif case in ("format", "badjson", "damaged"):
        shutil.copytree(results, target)
        manifest = json.loads((target / "manifest.json").read_text())
        if case == "format":
            (target / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))
        elif case == "badjson":
            (target / "manifest.json").write_text("{nope")
        else:
            part = next((target / "runs").glob("*.parquet"))
            part.write_bytes(b"")
    with pytest.raises(sweep.SweepError, match=expect):
        sweep.load_sweep("" if case == "" else target)
    # the page: what is not a results folder gets the one message (no probing of the disk)
    shown = sweep.outside_message("x", tmp_path) if case in ("missing", "file", "empty") \
        else expect
    box, rc = solara.render(sweep.SweepView("" if case == "" else "x"), handle_error=False)
    assert any(shown in str(a.children) for a in rc.find(v.Alert).widgets)
    rc.close()


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A results root holding one results folder, ``good``, with a world outside it."""
    r = tmp_path / "root"
    make_results(r / "good")
    make_results(tmp_path / "outside")
    (tmp_path / "secret.txt").write_text("secret")
    monkeypatch.setenv(sweep.ROOT_ENV, str(r))
    return r


def test_folders_inside_the_root_are_read(root):
    assert sweep.confine("good") == (root / "good").resolve()
    assert sweep.confine(str(root / "good")) == (root / "good").resolve()
    assert sweep.confine("./good/../good/") == (root / "good").resolve()
    (root / "link").symlink_to(root / "good")  # a symlink inside the root, to inside: fine
    assert sweep.confine("link") == (root / "good").resolve()


def test_everything_else_gets_one_identical_message(root, tmp_path):
    (root / "a_file").write_text("x")
    (root / "no_manifest").mkdir()
    (root / "escape").symlink_to(tmp_path / "outside")
    (root / "loop").symlink_to(root / "loop")
    (root / "fake" / "runs").mkdir(parents=True)
    (root / "fake" / "manifest.json").symlink_to(tmp_path / "secret.txt")
    (root / "fake_runs").mkdir()
    (root / "fake_runs" / "manifest.json").write_text("{}")
    (root / "fake_runs" / "runs").symlink_to(tmp_path / "outside" / "runs")
    cases = ["../outside", str(tmp_path / "outside"), "/etc", "../../../../etc", "missing",
             "a_file", "no_manifest", "escape", "loop", "fake", "fake_runs", "~",
             "../secret.txt", "nul\x00byte", "x" * 5000]
    for text in cases:
        with pytest.raises(sweep.SweepError) as info:
            sweep.confine(text)
        assert str(info.value) == sweep.outside_message(text, root.resolve()), text
        shown = sweep._load_and_draw(text)
        assert shown == sweep.outside_message(text, root.resolve()), text


def test_sweep_page_escapes_names_from_the_folder(tmp_path, monkeypatch):
    # the sweep's name comes from its spec; the real writer stores it as given
    monkeypatch.setenv(sweep.ROOT_ENV, str(tmp_path))
    xss = '<img src=x onerror="window.__xss=1">'
    make_results(tmp_path / "evil", name=xss, replicates=1)
    box, rc = solara.render(sweep.SweepView("evil"), handle_error=False)
    text = _html(rc)
    assert "<img" not in text and "<script" not in text
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in text
    assert len(_images(rc)) == 3
    rc.close()


def test_path_status_escapes_what_it_shows():
    m = DashboardModel(seed="2", days=5)
    m.preset = '"><img src=x onerror=alert(1)>'
    box, rc = solara.render(single_run.PathStatus(m), handle_error=False)
    text = _html(rc)
    assert "<img" not in text and 'data-preset="&quot;&gt;&lt;img' in text
    rc.close()


def test_mathtext_in_names_does_not_break_the_figures(tmp_path):
    odd = sweep.load_sweep(make_results(tmp_path / "r", name="$\\frac{", replicates=1))
    sweep._png(sweep.distribution_figure(odd))
    sweep._png(sweep.factor_figure(odd, odd.factors[0]))


def test_sweep_view_renders(results, monkeypatch):
    monkeypatch.setenv(sweep.ROOT_ENV, str(results.parent))
    box, rc = solara.render(sweep.SweepView(str(results)), handle_error=False)
    assert len(_images(rc)) == 3  # distribution + one per factor
    assert 'data-runs="60"' in _html(rc) and 'data-ok="30"' in _html(rc)
    rc.close()


def test_reads_a_folder_written_by_escalation_sweep(tmp_path):
    spec = Path(__file__).parent / "specs" / "small_grid.yaml"
    res = subprocess.run([sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out",
                          str(tmp_path / "s")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    s = sweep.load_sweep(tmp_path / "s")
    assert s.factors == ["actors.iran.posture", "actors.parliament.quorum"]
    assert len(s.runs) == 20 and 0 < len(s.ok) < 20
    sweep.distribution_figure(s)
    for f in s.factors:
        sweep.factor_figure(s, f)


def test_candidate_folders(tmp_path):
    make_results(tmp_path / "a" / "sweep1", replicates=1)
    make_results(tmp_path / "b", replicates=1)
    assert sweep.candidate_folders(tmp_path) == ["a/sweep1", "b"]


# ------------------------------------------------------------------------------ CLI, layering
def test_cli_registers_dashboard():
    from sim.cli.dashboard import RESULTS_ROOT, is_loopback, server_command
    from sim.cli.main import build_parser

    args = build_parser().parse_args(["dashboard"])
    assert (args.port, args.host, args.token, args.results_root) == (8765, "127.0.0.1", "auto",
                                                                       None)
    assert server_command(5) == [sys.executable, "-m", "dashboards.server", "--fd", "5"]
    assert server_command(5, production=False)[-1] == "--no-production"
    assert RESULTS_ROOT == sweep.DEFAULT_ROOT
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("192.0.2.1")


def test_cli_rejects_bad_port():
    res = subprocess.run([sys.executable, "-m", "sim.cli", "dashboard", "--port", "x"],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "--port 'x'" in res.stderr


def test_model_layer_never_imports_dashboards():
    code = ("import sys, sim.engines.mesa_model, sim.cli.main, sim.cli.dashboard, sim.core.events, sim.core.outcomes; "
            "sim.cli.main.build_parser(); "
            "print([m for m in sys.modules if m.split('.')[0] == 'dashboards'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------ play pacing
def _in_thread(fn):
    import threading

    out = {}
    t = threading.Thread(target=lambda: out.setdefault("value", fn()), daemon=True)
    t.start()
    return t, out


def test_pacer_waits_for_the_page_to_show_the_last_update():
    import threading
    import time

    from mesa.visualization.utils import update_counter

    pacer = single_run.Pacer(timeout=10)
    assert pacer.wait() is True  # no page attached yet: no wait
    pacer.shown(update_counter.value)
    assert pacer.wait() is True  # the page shows the last update
    update_counter.value += 1  # an update asked for and not shown yet
    t, out = _in_thread(pacer.wait)
    time.sleep(0.3)
    assert t.is_alive(), "the step went ahead of the page"
    pacer.shown(update_counter.value)
    t.join(2)
    assert out == {"value": True}
    # a render in progress (its lock held by another thread) holds the step too
    lock = threading.Lock()

    class Context:
        thread_lock = lock
        _lock_thread = None

    pacer.shown(update_counter.value, Context())
    lock.acquire()
    t, out = _in_thread(pacer.wait)
    time.sleep(0.3)
    assert t.is_alive(), "the step ran during a render"
    lock.release()
    t.join(2)
    assert out == {"value": True}


def test_pacer_gives_up_after_its_timeout_and_on_close():
    import time

    from mesa.visualization.utils import update_counter

    pacer = single_run.Pacer(timeout=0.3)
    pacer.shown(update_counter.value - 1)
    t0 = time.monotonic()
    assert pacer.wait() is True  # a render that never came does not stop the run
    assert 0.25 <= time.monotonic() - t0 < 5
    pacer.timeout = 30
    t, out = _in_thread(pacer.wait)
    time.sleep(0.2)
    pacer.close()
    t.join(2)
    assert out == {"value": False}


def test_closed_page_stops_the_run_and_steps_take_the_model_lock():
    import time

    m = DashboardModel(seed="1", days=30)
    m.step()
    assert m.world.day == 1
    with m.lock:  # a component reading the model: no step meanwhile
        t, _ = _in_thread(m.step)
        time.sleep(0.3)
        assert t.is_alive() and m.world.day == 1
    t.join(5)
    assert m.world.day == 2
    m.pacer.close()
    m.step()
    assert m.world.day == 2 and not m.running


def test_page_reports_what_it_shows_and_closes_the_pacer_on_reset(monkeypatch):
    made = []

    class Recorded(single_run.Pacer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(single_run, "Pacer", Recorded)
    box, rc = solara.render(_Wrapped(), handle_error=False)
    (first,) = made
    assert first.attached and not first.closed
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _day(rc) == 1
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _day(rc) == 0 and len(made) == 2
    assert first.closed, "the replaced model's play loop would go on"
    assert made[1].attached and not made[1].closed
    rc.close()
