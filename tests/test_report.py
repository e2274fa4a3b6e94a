"""Tests of sim.analysis.report on synthetic results folders (no model runs)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.report import (
    design_outcomes,
    make_report,
    metric_table,
    path_table,
    sensitivity,
    wilson_interval,
)
from sim.config import UserError
from sim.core.outcomes import PATHS

TRUE_P = np.array([0.40, 0.05, 0.20, 0.15, 0.12, 0.08])


def _runs(rng: np.random.Generator, design: pd.DataFrame, probs: np.ndarray,
          replicates: int) -> pd.DataFrame:
    """A results table: ``design`` rows (factor columns), per-design path probabilities."""
    n_design = len(design)
    design_id = np.repeat(np.arange(n_design), replicates)
    u = rng.random(n_design * replicates)
    cum = np.cumsum(probs, axis=1)[design_id]
    idx = np.minimum((u[:, None] > cum).sum(axis=1), len(PATHS) - 1)
    frame = pd.DataFrame({
        "run_id": np.arange(n_design * replicates),
        "design_id": design_id,
        "replicate": np.tile(np.arange(replicates), n_design),
        "seed": rng.integers(0, 2**63 - 1, n_design * replicates),
        "status": "ok",
        "error": None,
    })
    for col in design.columns:
        frame[col] = design[col].to_numpy()[design_id]
    frame["path"] = np.asarray(PATHS)[idx]
    frame["us_killed"] = rng.poisson(3.0, len(frame))
    frame["militia_attacks"] = rng.poisson(20.0, len(frame))
    frame["max_escalation"] = rng.integers(0, 5, len(frame))
    frame["all_out_war"] = frame["path"] == "all_out_war"
    return frame


def _write(root: Path, runs: pd.DataFrame, spec: dict, parts: int = 2) -> Path:
    (root / "runs").mkdir(parents=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(runs)), parts)):
        runs.iloc[chunk].to_parquet(root / "runs" / f"part-{i:05d}.parquet", index=False)
    counts = runs["status"].value_counts().to_dict()
    (root / "manifest.json").write_text(json.dumps(
        {"spec": spec, "config_hash": "abc123", "counts": counts,
         "master_seed": spec.get("master_seed")}))
    return root


def _spec(sampler: str, factors: dict, replicates: int, **extra) -> dict:
    return {"sampler": sampler, "factors": factors, "replicates": replicates,
            "master_seed": 7, "days": 365, **extra}


# --------------------------------------------------------------------------- statistics


def test_wilson_matches_scipy():
    for k, n in [(0, 10), (3, 10), (10, 10), (1, 1000), (517, 1000), (0, 1)]:
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        lo, hi = wilson_interval(k, n)
        assert lo == pytest.approx(ref.low, abs=1e-12)
        assert hi == pytest.approx(ref.high, abs=1e-12)
    lo, hi = wilson_interval(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def test_path_ci_coverage_over_synthetic_tables():
    """Over 200 synthetic tables, the 95% intervals contain the true share ~95% of the time.

    The 200 tables of 3 design points are stacked as 600 independent design points of one table
    (one ``path_table`` call, for speed).
    """
    rng = np.random.default_rng(20200103)
    tables = 200
    probs = np.vstack([TRUE_P, TRUE_P[::-1], np.full(6, 1 / 6)])
    design = pd.DataFrame({"x": np.tile(np.arange(3.0), tables)})
    table = path_table(_runs(rng, design, np.tile(probs, (tables, 1)), replicates=150))
    table = table.set_index(["design_id", "path"]).reindex(
        pd.MultiIndex.from_product([range(3 * tables), PATHS]))
    lo = table["ci_low"].to_numpy().reshape(tables, 3, 6)
    hi = table["ci_high"].to_numpy().reshape(tables, 3, 6)
    coverage = ((lo <= probs) & (probs <= hi)).mean(axis=0)
    assert coverage.min() >= 0.9, coverage
    assert 0.93 <= coverage.mean() <= 0.97, coverage.mean()


def test_path_table_counts_only_successful_runs():
    rng = np.random.default_rng(1)
    runs = _runs(rng, pd.DataFrame({"x": [1.0]}), TRUE_P[None, :], replicates=50)
    runs.loc[:4, "status"] = "failed"
    runs.loc[:4, "path"] = None
    runs.loc[:4, "error"] = "ValueError: boom"
    table = path_table(runs)
    assert (table["n"] == 45).all()
    assert table["count"].sum() == 45
    assert table["p"].sum() == pytest.approx(1.0)


def test_metric_table_mean_ci_coverage():
    rng = np.random.default_rng(5)
    design = pd.DataFrame({"x": np.arange(200.0)})
    runs = _runs(rng, design, np.tile(TRUE_P, (200, 1)), replicates=40)
    m = metric_table(runs, ["us_killed"])
    inside = (m["ci_low"] <= 3.0) & (3.0 <= m["ci_high"])
    assert inside.mean() >= 0.9
    assert (m["p5"] <= m["median"]).all() and (m["median"] <= m["p95"]).all()


# --------------------------------------------------------------------------- report files


def test_report_files_and_markdown(tmp_path):
    rng = np.random.default_rng(11)
    design = pd.DataFrame({"actors.iran.revenge_weight": [0.2, 0.2, 0.8, 0.8],
                           "actors.us.deterrence_weight": [0.1, 0.9, 0.1, 0.9]})
    probs = np.vstack([TRUE_P, TRUE_P, TRUE_P[::-1], TRUE_P[::-1]])
    runs = _runs(rng, design, probs, replicates=60)
    runs.loc[0, ["status", "path", "error"]] = ["failed", None, "RuntimeError: x"]
    spec = _spec("grid", {"actors.iran.revenge_weight": {"levels": [0.2, 0.8]},
                          "actors.us.deterrence_weight": {"levels": [0.1, 0.9]}}, 60)
    root = _write(tmp_path / "res", runs, spec)
    report_dir, text = make_report(root)
    assert report_dir == root / "report"
    md = (report_dir / "report.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert "paths.png" in images
    assert "path_vs_actors_iran_revenge_weight.png" in images
    assert "path_vs_actors_us_deterrence_weight.png" in images
    for name in images:
        data = (report_dir / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("paths_by_design.csv", "metrics_by_design.csv", "paths_by_factor.csv"):
        assert (report_dir / name).is_file()
    assert not list(report_dir.glob("*.tmp")) and not list(report_dir.glob(".*"))
    for p in PATHS:
        assert p in text and p in md
    assert "failed: 1" in text and "ok: 239" in text
    assert "revenge_weight=0.8" in text
    table = pd.read_csv(report_dir / "paths_by_design.csv")
    assert table.groupby("design_id")["n"].first().tolist() == [59, 60, 60, 60]
    # The printed percentage equals the table's.
    war = table[(table["design_id"] == 2) & (table["path"] == "de_escalation")].iloc[0]
    cell = f"{100 * war['p']:5.1f}% [{100 * war['ci_low']:4.1f}, {100 * war['ci_high']:4.1f}]"
    assert cell in text
    # A second report overwrites cleanly into a chosen folder.
    other, _ = make_report(root, out=tmp_path / "elsewhere")
    assert (other / "report.md").is_file()


def test_report_categorical_and_binned_factors(tmp_path):
    rng = np.random.default_rng(3)
    n = 40
    design = pd.DataFrame({"preset": np.array(["hawk", "dove", "baseline", "hawk"] * 10),
                           "actors.iran.revenge_weight": rng.random(n)})
    runs = _runs(rng, design, np.tile(TRUE_P, (n, 1)), replicates=5)
    spec = _spec("random", {"preset": ["hawk", "dove", "baseline"],
                            "actors.iran.revenge_weight": {"bounds": [0, 1]}}, 5)
    report_dir, text = make_report(_write(tmp_path / "r", runs, spec))
    assert (report_dir / "path_vs_preset.png").is_file()
    assert (report_dir / "path_vs_actors_iran_revenge_weight.png").is_file()
    assert "more design points" in text  # 40 design points: only the first few are printed


# --------------------------------------------------------------------------- sensitivity


def _salib_problem():
    return {"num_vars": 3, "names": ["a.x", "b.y", "c.z"], "bounds": [[0, 1], [0, 1], [0, 1]]}


def _threshold_runs(rng, x: np.ndarray, replicates: int) -> pd.DataFrame:
    """Runs whose path is war iff factor a.x > 0.5, and us_killed = 10 * a.x + noise."""
    design = pd.DataFrame(x, columns=["a.x", "b.y", "c.z"])
    war = (x[:, 0] > 0.5).astype(float)
    probs = np.zeros((len(x), len(PATHS)))
    probs[:, PATHS.index("all_out_war")] = war
    probs[:, PATHS.index("de_escalation")] = 1 - war
    runs = _runs(rng, design, probs, replicates)
    runs["us_killed"] = 10.0 * runs["a.x"] + rng.normal(0.0, 0.1, len(runs))
    return runs


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_indices_recovered(tmp_path, monkeypatch, second_order):
    from SALib.sample import sobol as sobol_sample

    rng = np.random.default_rng(42)
    x = sobol_sample.sample(_salib_problem(), 256, calc_second_order=second_order, seed=1)
    runs = _threshold_runs(rng, x, replicates=3)
    spec = _spec("sobol", {n: {"bounds": [0, 1]} for n in _salib_problem()["names"]}, 3)
    # Shuffle the rows: the analysis must restore design_id (sample) order itself.
    runs = runs.sample(frac=1.0, random_state=np.random.default_rng(0).integers(1 << 31))
    table, notes = sensitivity(runs, spec, seed=7)
    assert not notes
    s = table.set_index(["outcome", "factor", "index"])["value"]
    conf = table.set_index(["outcome", "factor", "index"])["conf"]
    for outcome in ("P(all_out_war)", "mean(us_killed)"):
        assert s[(outcome, "a.x", "S1")] > 0.8
        assert s[(outcome, "a.x", "ST")] > 0.8
        for other in ("b.y", "c.z"):
            assert abs(s[(outcome, other, "S1")]) < 0.1
            assert s[(outcome, other, "ST")] < 0.1
        assert np.isfinite(conf[(outcome, "a.x", "S1")])
    # Paths that never occur are constant: no indices.
    assert "P(s1_major_escalation)" not in set(table["outcome"])
    if not second_order:
        monkeypatch.setattr("sim.analysis.report._save", lambda fig, path: path)  # no drawing: speed
        text = make_report(_write(tmp_path / "p", runs, spec))[1]
        assert "Sobol sensitivity" in text


def test_morris_indices_recovered(tmp_path):
    from SALib.sample import morris as morris_sample

    rng = np.random.default_rng(43)
    x = morris_sample.sample(_salib_problem(), 40, num_levels=4, seed=2)
    runs = _threshold_runs(rng, x, replicates=2)
    spec = _spec("morris", {n: {"bounds": [0, 1]} for n in _salib_problem()["names"]}, 2,
                 num_levels=4)
    table, notes = sensitivity(runs, spec, seed=7)
    assert not notes
    mu = table[table["index"] == "mu_star"].set_index(["outcome", "factor"])["value"]
    assert mu[("mean(us_killed)", "a.x")] == pytest.approx(10.0, rel=0.05)
    assert mu[("P(all_out_war)", "a.x")] > 0.5
    for other in ("b.y", "c.z"):
        assert mu[("mean(us_killed)", other)] < 0.5
        assert mu[("P(all_out_war)", other)] == 0.0
    report_dir, text = make_report(_write(tmp_path / "m", runs, spec))
    assert "Morris sensitivity" in text
    assert (report_dir / "sensitivity.csv").is_file()
    md = (report_dir / "report.md").read_text()
    for name in ("sensitivity_paths.png", "sensitivity_metrics.png"):
        assert (report_dir / name).is_file() and f"({name})" in md



def test_sensitivity_skips_incomplete_designs():
    from SALib.sample import sobol as sobol_sample

    rng = np.random.default_rng(44)
    x = sobol_sample.sample(_salib_problem(), 16, calc_second_order=False, seed=1)
    runs = _threshold_runs(rng, x, replicates=1)
    spec = _spec("sobol", {n: {"bounds": [0, 1]} for n in _salib_problem()["names"]}, 1)
    failed = runs["design_id"] == 3
    runs.loc[failed, ["status", "path"]] = ["failed", None]
    table, notes = sensitivity(runs, spec)
    assert "P(all_out_war)" not in set(table["outcome"])
    assert any("without a successful run" in n for n in notes)
    outcomes = design_outcomes(runs)
    assert np.isnan(outcomes.loc[3, "P(all_out_war)"])
    table, notes = sensitivity(runs[runs["design_id"] != 5], spec)
    assert table.empty and notes


# --------------------------------------------------------------------------- bad input


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_bad_inputs(tmp_path):
    with pytest.raises(UserError) as e:
        make_report(tmp_path / "missing")
    assert "no such results folder" in _one_line(e)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(UserError) as e:
        make_report(a_file)
    assert "is a file" in _one_line(e)
    with pytest.raises(UserError) as e:
        make_report(tmp_path)  # a folder, but not results
    assert "not a results folder" in _one_line(e)
    empty = tmp_path / "empty"
    (empty / "runs").mkdir(parents=True)
    (empty / "manifest.json").write_text("{}")
    with pytest.raises(UserError) as e:
        make_report(empty)
    assert "no runs" in _one_line(e)
    (empty / "runs" / ".part-0.parquet.tmp").write_bytes(b"partial")  # ignored: hidden tmp
    with pytest.raises(UserError) as e:
        make_report(empty)
    assert "no runs" in _one_line(e)
    pd.DataFrame({"design_id": pd.Series([], dtype="int64"),
                  "path": pd.Series([], dtype="str")}).to_parquet(
        empty / "runs" / "part-0.parquet")
    with pytest.raises(UserError) as e:
        make_report(empty)
    assert "no runs" in _one_line(e)
    pd.DataFrame({"x": [1, 2]}).to_parquet(empty / "runs" / "part-0.parquet")
    with pytest.raises(UserError) as e:
        make_report(empty)
    assert "missing column" in _one_line(e)
    (empty / "runs" / "part-0.parquet").write_bytes(b"not parquet")
    with pytest.raises(UserError) as e:
        make_report(empty)
    assert "unreadable" in _one_line(e)
    (empty / "manifest.json").write_text("{not json")
    with pytest.raises(UserError) as e:
        make_report(empty)
    assert "unreadable manifest" in _one_line(e)
    assert not (empty / "report").exists()


def test_all_failed_runs_is_a_user_error(tmp_path):
    rng = np.random.default_rng(9)
    runs = _runs(rng, pd.DataFrame({"x": [1.0]}), TRUE_P[None, :], replicates=4)
    runs["status"], runs["path"], runs["error"] = "failed", None, "boom"
    root = _write(tmp_path / "f", runs, _spec("grid", {"x": [1.0]}, 4))
    with pytest.raises(UserError) as e:
        make_report(root)
    assert "no successful runs" in _one_line(e)


def test_report_of_a_real_sweep(tmp_path, monkeypatch):
    """End to end on a tiny real sweep (ensemble engine): the report reads what sweep writes."""
    from sim import sweep

    spec = {"name": "tiny", "base": str(Path(__file__).resolve().parent.parent / "configs"
                                        / "baseline.yaml"),
            "days": 30, "replicates": 4, "master_seed": 5, "sampler": "morris", "samples": 4,
            "factors": {"actors.iran.revenge_weight": {"bounds": [0.7, 2.8]},
                        "actors.iran.war_weight": {"bounds": [1.0, 4.0]}}}
    out = sweep(spec, tmp_path / "res", progress=False)
    monkeypatch.setattr("sim.analysis.report._save", lambda fig, path: path)  # plots: tested above
    report_dir, text = make_report(out)
    assert "sampler: morris" in text and "runs by status: ok: 48" in text
    md = (report_dir / "report.md").read_text()
    assert "(path_vs_actors_iran_war_weight.png)" in md and "Sensitivity (morris)" in md
