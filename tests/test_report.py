"""The sweep report, on folders written by the real writer: files, tables, completeness marks,
the same binning as the dashboard, sensitivity indices, and one-line errors."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from dashboards import sweep as page
from sim.analysis.report import make_report
from sim.analysis.sensitivity import design_outcomes, sensitivity
from sim.config import UserError
from sim.core.outcomes import PATHS

from .sweep_results import make_interrupted, make_results, spec
from .test_stats import synthetic_runs


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("grid") / "res")


@pytest.fixture(scope="module")
def latin(tmp_path_factory):
    """A Latin hypercube: 40 distinct values per factor, so both factors are binned."""
    from sim import sweep

    s = spec("latin", replicates=3, days=20, sampler="latin", samples=40,
             factors={"actors.iran.revenge_weight": {"bounds": [0.7, 2.8]},
                      "actors.militia_common.unanswered_window": {"bounds": [5, 60]}})
    return sweep(s, tmp_path_factory.mktemp("latin") / "res", progress=False)


def _no_plots(monkeypatch):
    monkeypatch.setattr("sim.analysis.report_plots.save", lambda fig, path: path)


def test_report_files_and_markdown(grid):
    report_dir, text = make_report(grid)
    assert report_dir == grid / "report"
    md = (report_dir / "report.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert images == ["paths.png", "path_vs_actors_iran_revenge_weight.png",
                      "path_vs_actors_parliament_quorum.png"]
    for name in images:
        assert (report_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("completeness.csv", "paths_by_design.csv", "metrics_by_design.csv",
                 "paths_by_factor.csv"):
        assert (report_dir / name).is_file()
    assert not list(report_dir.glob(".*"))
    for p in PATHS:
        assert p in text and p in md
    assert "runs present: 60 of 60; design points complete: 6 of 6" in text
    assert "INCOMPLETE" not in text and "INCOMPLETE" not in md
    assert "runs by status: failed: 30, ok: 30" in text
    assert "revenge_weight=2.8, quorum=165" in text
    table = pd.read_csv(report_dir / "paths_by_design.csv")
    assert table.groupby("design_id")["n"].first().tolist() == [10, 0, 10, 0, 10, 0]
    row = table[(table["design_id"] == 4) & (table["path"] == "s4_political_pressure")].iloc[0]
    cell = f"{100 * row['p']:5.1f}% [{100 * row['ci_low']:4.1f}, {100 * row['ci_high']:4.1f}]"
    assert cell in text  # the printed percentage is the table's
    other, _ = make_report(grid, out=grid.parent / "elsewhere")
    assert (other / "report.md").is_file()


def test_incomplete_sweep_is_said_at_the_top_and_marked(tmp_path, monkeypatch):
    _no_plots(monkeypatch)
    folder = make_interrupted(tmp_path / "cut")
    report_dir, text = make_report(folder)
    lines = text.splitlines()
    assert lines[3] == ("runs present: 14 of 60; design points complete: 1 of 6 "
                        "(INCOMPLETE: design 1, 2, 3, 4, 5)")
    assert "all runs [INCOMPLETE: 14 of 60]" in text
    assert "revenge_weight=0.7, quorum=400 [INCOMPLETE: 4 of 10 runs]" in text
    marked = [ln for ln in lines if ln.startswith("0 ")]
    assert marked and all("INCOMPLETE" not in ln for ln in marked)  # design 0 is whole
    md = (report_dir / "report.md").read_text()
    assert "## Completeness" in md and "**INCOMPLETE**: runs present: 14 of 60" in md
    comp = pd.read_csv(report_dir / "completeness.csv")
    assert comp["present"].tolist() == [10, 4, 0, 0, 0, 0]
    paths = pd.read_csv(report_dir / "paths_by_design.csv")
    assert set(paths.loc[~paths["complete"], "design_id"]) <= {1, 2, 3, 4, 5}
    assert paths.loc[paths["design_id"] == 0, "complete"].all()


def test_report_and_dashboard_bin_a_sweep_identically(latin, monkeypatch):
    _no_plots(monkeypatch)
    report_dir, _ = make_report(latin)
    csv = pd.read_csv(report_dir / "paths_by_factor.csv")
    loaded = page.load_sweep(latin)
    for factor in loaded.factors:
        ours = csv[csv["factor"] == factor].reset_index(drop=True)
        theirs = page.by_factor(loaded.runs, factor)
        assert ours["binned"].all() and theirs["binned"].all()
        assert list(ours["level"]) == [str(v) for v in theirs["level"]]
        assert np.allclose(ours["x"], theirs["x"])
        assert list(ours["count"]) == list(theirs["runs"]) and list(ours["n"]) == list(theirs["n"])
        assert np.allclose(ours["ci_low"], theirs["lo"], equal_nan=True)
        assert np.allclose(ours["ci_high"], theirs["hi"], equal_nan=True)
    pooled = page.path_distribution(loaded.runs)
    table = pd.read_csv(report_dir / "paths_by_design.csv")
    assert pooled["n"].iloc[0] == len(loaded.ok) == table.groupby("design_id")["n"].first().sum()


# --------------------------------------------------------------------------- sensitivity


def _problem():
    return {"num_vars": 3, "names": ["a.x", "b.y", "c.z"], "bounds": [[0, 1], [0, 1], [0, 1]]}


def _threshold_runs(rng, x: np.ndarray, replicates: int) -> pd.DataFrame:
    """Runs whose path is war iff factor a.x > 0.5, and us_killed = 10 * a.x + noise."""
    design = pd.DataFrame(x, columns=["a.x", "b.y", "c.z"])
    war = (x[:, 0] > 0.5).astype(float)
    probs = np.zeros((len(x), len(PATHS)))
    probs[:, PATHS.index("all_out_war")] = war
    probs[:, PATHS.index("de_escalation")] = 1 - war
    runs = synthetic_runs(rng, design, probs, replicates)
    runs["us_killed"] = 10.0 * runs["a.x"] + rng.normal(0.0, 0.1, len(runs))
    return runs


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_indices_recovered(second_order):
    from SALib.sample import sobol as sobol_sample

    rng = np.random.default_rng(42)
    x = sobol_sample.sample(_problem(), 256, calc_second_order=second_order, seed=1)
    runs = _threshold_runs(rng, x, replicates=3)
    # shuffled rows: the analysis restores design_id (sample) order itself
    runs = runs.sample(frac=1.0, random_state=np.random.default_rng(0).integers(1 << 31))
    table, notes = sensitivity(runs, "sobol", _problem(),
                               {"calc_second_order": second_order}, seed=7)
    assert not notes
    s = table.set_index(["outcome", "factor", "index"])["value"]
    for outcome in ("P(all_out_war)", "mean(us_killed)"):
        assert s[(outcome, "a.x", "S1")] > 0.8 and s[(outcome, "a.x", "ST")] > 0.8
        for other in ("b.y", "c.z"):
            assert abs(s[(outcome, other, "S1")]) < 0.1 and s[(outcome, other, "ST")] < 0.1
    assert "P(s1_major_escalation)" not in set(table["outcome"])  # never occurs: constant


def test_morris_indices_recovered():
    from SALib.sample import morris as morris_sample

    rng = np.random.default_rng(43)
    x = morris_sample.sample(_problem(), 40, num_levels=4, seed=2)
    runs = _threshold_runs(rng, x, replicates=2)
    table, notes = sensitivity(runs, "morris", _problem(), {"num_levels": 4}, seed=7)
    assert not notes
    mu = table[table["index"] == "mu_star"].set_index(["outcome", "factor"])["value"]
    assert mu[("mean(us_killed)", "a.x")] == pytest.approx(10.0, rel=0.05)
    assert mu[("P(all_out_war)", "a.x")] > 0.5
    for other in ("b.y", "c.z"):
        assert mu[("mean(us_killed)", other)] < 0.5 and mu[("P(all_out_war)", other)] == 0.0


def test_sensitivity_skips_incomplete_designs():
    from SALib.sample import sobol as sobol_sample

    rng = np.random.default_rng(44)
    x = sobol_sample.sample(_problem(), 16, calc_second_order=False, seed=1)
    runs = _threshold_runs(rng, x, replicates=1)
    runs.loc[runs["design_id"] == 3, ["status", "path"]] = ["failed", None]
    table, notes = sensitivity(runs, "sobol", _problem(), {}, seed=1)
    assert "P(all_out_war)" not in set(table["outcome"])
    assert any("without a successful run" in n for n in notes)
    assert np.isnan(design_outcomes(runs).loc[3, "P(all_out_war)"])
    table, notes = sensitivity(runs[runs["design_id"] != 5], "sobol", _problem(), {})
    assert table.empty and "incomplete sweep" in notes[0]


def test_report_of_a_real_morris_sweep(tmp_path, monkeypatch):
    from sim import sweep

    s = spec("morris", replicates=4, sampler="morris", samples=4,
             factors={"actors.iran.revenge_weight": {"bounds": [0.7, 2.8]},
                      "actors.iran.war_weight": {"bounds": [1.0, 4.0]}})
    out = sweep(s, tmp_path / "res", progress=False)
    _no_plots(monkeypatch)
    report_dir, text = make_report(out)
    assert "sampler: morris" in text and "runs by status: ok: 48" in text
    assert "Morris sensitivity" in text
    md = (report_dir / "report.md").read_text()
    assert "(path_vs_actors_iran_war_weight.png)" in md and "Sensitivity (morris)" in md
    assert (report_dir / "sensitivity.csv").is_file()


# --------------------------------------------------------------------------- bad input


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_bad_inputs(tmp_path, grid):
    with pytest.raises(UserError) as e:
        make_report(tmp_path / "missing")
    assert "no such results folder" in _one_line(e)
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UserError) as e:
        make_report(tmp_path / "file.txt")
    assert "is a file" in _one_line(e)
    with pytest.raises(UserError) as e:
        make_report(tmp_path)  # a folder, but not results
    assert "not a sweep results folder" in _one_line(e)
    empty = make_interrupted(tmp_path / "empty", tasks=0)
    with pytest.raises(UserError) as e:
        make_report(empty)
    assert "no runs yet" in _one_line(e)
    failed = make_results(tmp_path / "failed", replicates=2,
                          factors={"actors.parliament.quorum": [400]})
    with pytest.raises(UserError) as e:
        make_report(failed)
    assert "no successful runs to report (failed: 2)" in _one_line(e)
    with pytest.raises(UserError) as e:
        make_report(grid, out=tmp_path / "file.txt")
    assert "is a file, expected a folder for the report" in _one_line(e)
    damaged = tmp_path / "damaged"
    shutil.copytree(grid, damaged, ignore=shutil.ignore_patterns("report"))
    part = next((damaged / "runs").glob("part-*.parquet"))
    part.write_bytes(part.read_bytes()[:100])
    with pytest.raises(UserError) as e:
        make_report(damaged)
    msg = _one_line(e)
    assert f"{part}: damaged part: truncated: 100 bytes" in msg and "--resume --repair" in msg
    assert not (damaged / "report").exists()
