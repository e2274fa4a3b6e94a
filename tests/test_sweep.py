"""Sweeps end to end: identical tables across engines, workers and chunk sizes; failed-run rows;
flat memory; refusing to overwrite or to resume a different spec; the CLI's one-line errors."""

from __future__ import annotations

import json
import time
import tracemalloc

import pandas as pd
import pytest

from sim import load_results, sweep
from sim.config import UserError
from sim.experiments.spec import METRIC_COLUMNS

from .conftest import ROOT, run_cli

SPECS = ROOT / "tests" / "specs"
GRID = SPECS / "small_grid.yaml"


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The reference: small_grid.yaml, ensemble engine, in this process, default chunks."""
    out = tmp_path_factory.mktemp("serial")
    sweep(GRID, out, progress=False)
    return out


def test_table_layout(serial):
    runs = pd.read_parquet(serial / "runs")  # plain pandas, no project code
    cols = list(runs.columns)
    assert cols[:6] == ["run_id", "design_id", "replicate", "seed", "status", "error"]
    assert cols[6:8] == ["actors.iran.posture", "actors.parliament.quorum"]
    assert cols[8] == "path" and cols[9:] == list(METRIC_COLUMNS)
    table = load_results(serial)
    assert list(table["run_id"]) == list(range(20))
    assert table["seed"].nunique() == 20
    series = load_results(serial, series=True)
    ok = table.loc[table["status"] == "ok", "run_id"]
    assert sorted(series["run_id"].unique()) == sorted(ok)
    assert len(series) == len(ok) * 31  # day 0 .. 30
    manifest = json.loads((serial / "manifest.json").read_text())
    assert manifest["counts"] == {"failed": 10, "ok": 10} and manifest["complete"]
    assert manifest["master_seed"] == 11 and manifest["base"]["hash"]
    assert manifest["spec"]["factors"]["actors.iran.posture"] == {
        "levels": ["none", "major_escalation"]}
    session = manifest["sessions"][0]
    assert session["versions"]["numpy"] and "commit" in session["git"] and session["code_hash"]
    assert sorted(manifest["parts"]) == ["part-000000000000.parquet"]


def test_failed_runs_are_rows_and_the_sweep_goes_on(serial):
    table = load_results(serial)
    failed = table[table["status"] == "failed"]
    assert set(failed["actors.parliament.quorum"]) == {400} and len(failed) == 10
    assert failed["error"].str.contains("quorum 400 exceeds total_seats 329").all()
    assert failed["path"].isna().all() and failed["us_killed"].isna().all()
    ok = table[table["status"] == "ok"]
    assert ok["error"].isna().all() and ok["path"].notna().all()


def test_a_run_that_raises_mid_run_is_a_failed_row(tmp_path, monkeypatch):
    """Runtime failures (not config errors) in either engine fail only the runs that raise."""
    import sim.engines.ensemble
    import sim.experiments.runner
    from sim.core.draws import seed_for

    bad = seed_for(11, 2, 3)  # design 2 (major_escalation, quorum 165), replicate 3
    real = sim.engines.ensemble.run_ensemble

    def flaky(cfg, seeds, *a, **kw):
        if bad in [int(s) for s in seeds]:
            raise RuntimeError("simulated crash")
        return real(cfg, seeds, *a, **kw)

    monkeypatch.setattr(sim.experiments.runner, "run_ensemble", flaky)
    sweep(GRID, tmp_path / "ens", progress=False)
    table = load_results(tmp_path / "ens")
    row = table.set_index("run_id").loc[2 * 5 + 3]
    assert row["status"] == "failed" and row["error"] == "RuntimeError: simulated crash"
    assert (table["status"] == "ok").sum() == 9  # the other 4 replicates of design 2 ran

    import sim.engines.mesa_model

    step = sim.engines.mesa_model.EscalationModel.step

    def flaky_step(self):
        if self.seed == bad and self.world.day == 7:
            raise ZeroDivisionError("day 7")
        step(self)

    monkeypatch.setattr(sim.engines.mesa_model.EscalationModel, "step", flaky_step)
    sweep(GRID, tmp_path / "mesa", engine="mesa", progress=False)
    pd.testing.assert_frame_equal(
        load_results(tmp_path / "mesa").drop(columns="error"), table.drop(columns="error"))


@pytest.mark.slow
def test_same_table_for_engines_workers_and_chunk_sizes(serial, tmp_path):
    want = load_results(serial)
    want_series = load_results(serial, series=True)
    t0 = time.perf_counter()
    sweep(GRID, tmp_path / "pool", workers=2, chunk_size=3, progress=False)
    pool_s = time.perf_counter() - t0
    sweep(GRID, tmp_path / "mesa", engine="mesa", chunk_size=7, progress=False)
    sweep(GRID, tmp_path / "one", chunk_size=1, progress=False)
    for name in ("pool", "mesa", "one"):
        pd.testing.assert_frame_equal(load_results(tmp_path / name), want)
        pd.testing.assert_frame_equal(load_results(tmp_path / name, series=True), want_series)
    assert pool_s < 60


def test_memory_stays_flat_with_the_run_count(tmp_path):
    """Rows stream to disk in parts: 8x the runs must not need 8x the memory."""
    def peak(replicates: int) -> tuple[int, int]:
        spec = {"name": "mem", "base": str(ROOT / "configs" / "baseline.yaml"), "days": 5,
                "replicates": replicates, "master_seed": 2}
        out = tmp_path / f"r{replicates}"
        tracemalloc.start()
        sweep(spec, out, chunk_size=100, flush_rows=200, progress=False)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top, len(list((out / "runs").glob("*.parquet")))

    small, parts_small = peak(200)
    large, parts_large = peak(1600)
    assert parts_large == 8 and parts_small == 1
    assert large < 1.5 * small, (small, large)


def test_refuses_a_non_empty_folder_and_a_changed_spec(serial, tmp_path):
    with pytest.raises(UserError, match="folder is not empty; pass --resume"):
        sweep(GRID, serial, progress=False)
    before = {p.name: p.stat().st_mtime_ns for p in (serial / "runs").iterdir()}
    changed = {**__import__("yaml").safe_load(GRID.read_text()), "replicates": 6,
               "base": str(ROOT / "configs" / "baseline.yaml")}
    with pytest.raises(UserError, match="different spec or base config"):
        sweep(changed, serial, resume=True, progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in (serial / "runs").iterdir()} == before
    # resuming a finished sweep runs nothing and changes no part
    sweep(GRID, serial, resume=True, progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in (serial / "runs").iterdir()} == before
    # --force starts over
    forced = tmp_path / "forced"
    sweep(GRID, forced, progress=False)
    sweep(GRID, forced, force=True, progress=False)
    pd.testing.assert_frame_equal(load_results(forced), load_results(serial))


BAD_CLI = [
    (["sweep", "tests/specs/nope.yaml"], "tests/specs/nope.yaml: no such sweep spec"),
    (["sweep", str(GRID), "--engine", "numba"], "argument --engine: invalid choice: 'numba'"),
    (["sweep", str(GRID), "--workers", "0"], "--workers '0': must be 1 or more"),
    (["sweep", str(GRID), "--chunk-size", "-2"], "--chunk-size '-2': must be 1 or more"),
    (["report", "tests/specs/no_results"], "no such results folder"),
]


@pytest.mark.parametrize(("args", "message"), BAD_CLI)
def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch, args,
                                                      message):
    from sim.cli.main import main

    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    argv = [*args, "--out", str(out)] if args[0] == "sweep" else args
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors exit from the parser
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_api_rejects_unknown_engine_and_workers(tmp_path):
    with pytest.raises(UserError, match="--engine 'numba': unknown engine"):
        sweep(GRID, tmp_path / "x", engine="numba")
    with pytest.raises(UserError, match="--workers 0: must be 1 or more"):
        sweep(GRID, tmp_path / "x", workers=0)
    assert not (tmp_path / "x").exists()


def test_cli_bad_spec_values_and_out_file(tmp_path, capsys):
    """The out-file case in a real subprocess (exit status and one-line stderr of the console
    entry point); the bad spec through main() in this process."""
    from sim.cli.main import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(GRID.read_text().replace("replicates: 5", "replicates: 0")
                   .replace("../../configs", str(ROOT / "configs")))
    assert main(["sweep", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert f"{bad}: replicates:" in capsys.readouterr().err
    target = tmp_path / "a_file"
    target.write_text("keep me")
    res = run_cli("sweep", str(GRID), "--out", str(target), timeout=120)
    assert res.returncode == 2 and f"--out {target}: is a file" in res.stderr
    assert target.read_text() == "keep me" and not (tmp_path / "out").exists()
    assert len(res.stderr.strip().splitlines()) == 1


def test_cli_sweep_then_report(tmp_path, capsys):
    from sim.cli.main import main

    out = tmp_path / "res"
    assert main(["sweep", str(GRID), "--out", str(out), "--no-progress"]) == 0
    assert "10 failed, 10 ok" in capsys.readouterr().out
    assert main(["report", str(out)]) == 0
    assert f"wrote {out / 'report'}" in capsys.readouterr().out
    assert (out / "report" / "report.md").is_file()
