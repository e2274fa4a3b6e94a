"""The results folder: atomic parts, one schema for every part, crash debris, load_results."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.config import UserError
from sim.experiments.spec import load_experiment
from sim.experiments.store import ResultStore, check_target, done_run_ids, load_results

from .conftest import ROOT

GRID = ROOT / "tests" / "specs" / "small_grid.yaml"


@pytest.fixture(scope="module")
def exp():
    return load_experiment(GRID)


def _row(exp, run_id, status="ok"):
    row = {"run_id": run_id, "design_id": run_id // 5, "replicate": run_id % 5, "seed": 7,
           "status": status, "error": None if status == "ok" else "Boom: x",
           "actors.iran.posture": "none", "actors.parliament.quorum": 165}
    if status == "ok":
        row.update({"path": "de_escalation", "days": 30, "us_killed": 1, "all_out_war": False,
                    "us_troops_final": 5200.0})
    return row


def test_parts_share_one_schema_even_when_all_failed(tmp_path, exp):
    store = ResultStore.create(tmp_path, exp.schema(), resume=False, force=False)
    store.write([_row(exp, 3, "failed"), _row(exp, 4, "failed")])
    store.write([_row(exp, 0), _row(exp, 1)])
    schemas = {pq.read_schema(p) for p in (tmp_path / "runs").glob("*.parquet")}
    assert len(schemas) == 1
    (tmp_path / "manifest.json").write_text("{}")
    table = load_results(tmp_path)
    assert list(table["run_id"]) == [0, 1, 3, 4]
    assert list(table["status"]) == ["ok", "ok", "failed", "failed"]
    assert sorted((tmp_path / "runs").iterdir()) == [
        tmp_path / "runs" / "part-000000000000.parquet",
        tmp_path / "runs" / "part-000000000003.parquet"]
    assert store.counts() == {"failed": 2, "ok": 2}
    assert list(done_run_ids(tmp_path)) == [0, 1, 3, 4]


def test_crash_debris_is_invisible_and_cleaned_on_resume(tmp_path, exp):
    store = ResultStore.create(tmp_path, exp.schema(), exp.series_schema(),
                               resume=False, force=False)
    store.write([_row(exp, 0)])
    (tmp_path / "manifest.json").write_text("{}")
    # a part cut short by kill -9 (never renamed) and a series part whose runs part never landed
    (tmp_path / "runs" / ".part-000000000005.parquet.abc.tmp").write_bytes(b"PAR1 trunc")
    pd.DataFrame({"run_id": [5]}).to_parquet(tmp_path / "series" / "part-000000000005.parquet")
    assert list(pd.read_parquet(tmp_path / "runs")["run_id"]) == [0]
    assert list(done_run_ids(tmp_path)) == [0]
    ResultStore.create(tmp_path, exp.schema(), exp.series_schema(), resume=True, force=False)
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["part-000000000000.parquet"]
    assert list((tmp_path / "series").iterdir()) == []


def test_a_failed_write_leaves_no_part(tmp_path, exp):
    store = ResultStore.create(tmp_path, exp.schema(), resume=False, force=False)
    bad = _row(exp, 0)
    bad["us_killed"] = "many"  # not an int64: the Arrow conversion fails
    with pytest.raises(Exception):  # noqa: B017 - any Arrow error
        store.write([bad])
    assert list((tmp_path / "runs").iterdir()) == []


def test_check_target(tmp_path):
    assert check_target(tmp_path / "new", "f", resume=False, force=False) is False
    assert not (tmp_path / "new").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file, expected a folder"):
        check_target(tmp_path / "file", "f", resume=True, force=True)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "notes.txt").write_text("x")
    with pytest.raises(UserError, match="not empty"):
        check_target(tmp_path / "d", "f", resume=False, force=False)
    with pytest.raises(UserError, match="not a sweep results folder"):
        check_target(tmp_path / "d", "f", resume=True, force=False)
    assert check_target(tmp_path / "d", "f", resume=False, force=True) is False
    (tmp_path / "d" / "manifest.json").write_text('{"fingerprint": "f"}')
    assert check_target(tmp_path / "d", "f", resume=True, force=False) is True
    with pytest.raises(UserError, match="fingerprint f, now g"):
        check_target(tmp_path / "d", "g", resume=True, force=False)


def test_load_results_errors(tmp_path):
    with pytest.raises(UserError, match="no such results folder"):
        load_results(tmp_path / "missing")
    with pytest.raises(UserError, match="not a sweep results folder"):
        load_results(tmp_path)
    (tmp_path / "manifest.json").write_text("{}")
    assert load_results(tmp_path).empty
