"""The results folder: one schema for every part, the parts index with checksums, crash debris,
completeness per design point, and the one reader (load_results / open_results)."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.config import UserError
from sim.experiments.spec import load_experiment
from sim.experiments.store import (
    FORMAT,
    check_target,
    completeness,
    completeness_line,
    done_run_ids,
    load_results,
    open_results,
)
from sim.experiments.writer import ResultStore

from .conftest import ROOT
from .sweep_results import make_interrupted, make_results

GRID = ROOT / "tests" / "specs" / "small_grid.yaml"


@pytest.fixture(scope="module")
def exp():
    return load_experiment(GRID)


@pytest.fixture(scope="module")
def complete(tmp_path_factory):
    return make_results(tmp_path_factory.mktemp("complete") / "res")


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    return make_interrupted(tmp_path_factory.mktemp("interrupted") / "res")


def _header(exp):
    from sim.experiments.runner import _header

    return _header(exp, exp.fingerprint())


def _row(run_id, status="ok"):
    row = {"run_id": run_id, "design_id": run_id // 5, "replicate": run_id % 5, "seed": 7,
           "status": status, "error": None if status == "ok" else "Boom: x",
           "actors.iran.posture": "none", "actors.parliament.quorum": 165}
    if status == "ok":
        row.update({"path": "de_escalation", "days": 30, "us_killed": 1, "all_out_war": False,
                    "us_troops_final": 5200.0})
    return row


def _store(tmp_path, exp, **kw):
    store = ResultStore.create(tmp_path, exp.schema(), kw.pop("series_schema", None),
                               header=_header(exp), resume=False, force=False)
    store.start_session({"engine": "test"})
    return store


def test_parts_share_one_schema_and_the_index_records_each(tmp_path, exp):
    store = _store(tmp_path, exp)
    store.write([_row(3, "failed"), _row(4, "failed")])
    store.write([_row(0), _row(1)])
    store.finish()
    schemas = {pq.read_schema(p) for p in (tmp_path / "runs").glob("*.parquet")}
    assert len(schemas) == 1
    table = load_results(tmp_path)
    assert list(table["run_id"]) == [0, 1, 3, 4]
    assert list(table["status"]) == ["ok", "ok", "failed", "failed"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == FORMAT
    assert manifest["counts"] == {"failed": 2, "ok": 2} and not manifest["complete"]
    entry = manifest["parts"]["part-000000000000.parquet"]
    assert entry["rows"] == 2 and entry["counts"] == {"ok": 2} and entry["session"] == 0
    assert entry["bytes"] == (tmp_path / "runs" / "part-000000000000.parquet").stat().st_size
    assert len(entry["sha256"]) == 64
    assert list(done_run_ids(tmp_path)) == [0, 1, 3, 4]
    assert manifest["sessions"][0]["runs"] == 4 and "finished" in manifest["sessions"][0]


def test_files_follow_the_umask(tmp_path, exp):
    old = os.umask(0o022)
    try:
        store = _store(tmp_path / "a", exp)
        store.write([_row(0)])
    finally:
        os.umask(old)
    for name in ("manifest.json", "runs/part-000000000000.parquet"):
        assert stat.S_IMODE((tmp_path / "a" / name).stat().st_mode) == 0o644, name
    old = os.umask(0o077)
    try:
        _store(tmp_path / "b", exp)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "b" / "manifest.json").stat().st_mode) == 0o600


def test_crash_debris_is_invisible_and_cleaned_on_resume(tmp_path, exp):
    store = ResultStore.create(tmp_path, exp.schema(), exp.series_schema(),
                               header=_header(exp), resume=False, force=False)
    store.start_session({})
    store.write([_row(0)])
    # kill -9 debris: a part, the manifest and the design cut short (never renamed), and a
    # series part whose runs part never landed
    (tmp_path / "runs" / ".part-000000000005.parquet.abc.tmp").write_bytes(b"PAR1 trunc")
    (tmp_path / ".manifest.json.abcd1234.tmp").write_text("{")
    (tmp_path / ".design.parquet.abcd1234.tmp").write_bytes(b"PAR1")
    pd.DataFrame({"run_id": [5]}).to_parquet(tmp_path / "series" / "part-000000000005.parquet")
    assert list(load_results(tmp_path)["run_id"]) == [0]
    resumed = ResultStore.create(tmp_path, exp.schema(), exp.series_schema(),
                                 header=_header(exp), resume=True, force=False)
    assert resumed.audit() == []
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["part-000000000000.parquet"]
    assert list((tmp_path / "series").iterdir()) == []
    assert sorted(p.name for p in tmp_path.glob(".*")) == []


def test_a_failed_write_leaves_no_part(tmp_path, exp):
    store = _store(tmp_path, exp)
    bad = _row(0)
    bad["us_killed"] = "many"  # not an int64: the Arrow conversion fails
    with pytest.raises(Exception):  # noqa: B017 - any Arrow error
        store.write([bad])
    assert list((tmp_path / "runs").iterdir()) == []
    assert json.loads((tmp_path / "manifest.json").read_text())["parts"] == {}


def test_check_target(tmp_path):
    assert check_target(tmp_path / "new", "f", resume=False, force=False) is False
    assert not (tmp_path / "new").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file, expected a folder"):
        check_target(tmp_path / "file", "f", resume=True, force=True)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / ".lock").write_text("")  # a lone lock file: still empty
    assert check_target(tmp_path / "d", "f", resume=False, force=False) is False
    (tmp_path / "d" / "notes.txt").write_text("x")
    with pytest.raises(UserError, match="not empty"):
        check_target(tmp_path / "d", "f", resume=False, force=False)
    with pytest.raises(UserError, match="not a sweep results folder"):
        check_target(tmp_path / "d", "f", resume=True, force=False)
    assert check_target(tmp_path / "d", "f", resume=False, force=True) is False
    (tmp_path / "d" / "manifest.json").write_text(json.dumps({"format": FORMAT,
                                                              "fingerprint": "f"}))
    assert check_target(tmp_path / "d", "f", resume=True, force=False) is True
    with pytest.raises(UserError, match="fingerprint f, now g"):
        check_target(tmp_path / "d", "g", resume=True, force=False)


def test_reader_errors_are_one_line(tmp_path, complete):
    with pytest.raises(UserError, match="no such results folder"):
        load_results(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        load_results(tmp_path / "file")
    with pytest.raises(UserError, match="not a sweep results folder"):
        load_results(tmp_path)
    copy = tmp_path / "copy"
    __import__("shutil").copytree(complete, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))
    with pytest.raises(UserError, match="format 1, this version reads format 2"):
        load_results(copy)
    (copy / "manifest.json").write_text("{nope")
    with pytest.raises(UserError, match="unreadable manifest") as e:
        load_results(copy)
    assert "\n" not in str(e.value)


def test_complete_folder_completeness(complete):
    res = open_results(complete)
    comp = res.completeness
    assert list(comp.columns) == ["design_id", "expected", "present", "ok", "failed", "complete"]
    assert comp["complete"].all() and res.complete and res.incomplete_designs == []
    assert list(comp["present"]) == [10] * 6
    # quorum 400 (design points 1, 3, 5) fails every run
    assert list(comp["ok"]) == [10, 0, 10, 0, 10, 0]
    assert completeness_line(comp) == "runs present: 60 of 60; design points complete: 6 of 6"


def test_interrupted_folder_says_what_is_missing(interrupted):
    res = open_results(interrupted)
    assert len(res.runs) == 14  # two tasks of 7 runs
    comp = res.completeness
    assert list(comp["present"]) == [10, 4, 0, 0, 0, 0]
    assert res.incomplete_designs == [1, 2, 3, 4, 5] and not res.complete
    line = completeness_line(comp)
    assert line == ("runs present: 14 of 60; design points complete: 1 of 6 "
                    "(INCOMPLETE: design 1, 2, 3, 4, 5)")
    manifest = res.manifest
    assert manifest["counts"] == {"failed": 4, "ok": 10} and not manifest["complete"]


def test_completeness_of_an_empty_table():
    comp = completeness({"n_designs": 2, "replicates": 3}, pd.DataFrame())
    assert list(comp["present"]) == [0, 0] and not comp["complete"].any()
    assert np.array_equal(comp["expected"], [3, 3])


def test_resume_rewrites_a_missing_design_and_removes_debris(tmp_path):
    from sim import sweep

    out = make_interrupted(tmp_path / "res", tasks=1)
    design = pd.read_parquet(out / "design.parquet")
    (out / "design.parquet").unlink()
    (out / ".manifest.json.deadbeef.tmp").write_text("{")
    (out / ".design.parquet.deadbeef.tmp").write_bytes(b"PAR1")
    from .sweep_results import spec

    sweep(spec(), out, resume=True, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "design.parquet"), design)
    assert not list(out.glob(".*.tmp")) and open_results(out).complete


def test_sweep_help_states_the_real_chunk_default():
    from sim.cli.main import build_parser
    from sim.experiments.runner import DEFAULT_CHUNK

    sub = build_parser()._subparsers._group_actions[0].choices["sweep"]  # noqa: SLF001
    text = " ".join(sub.format_help().split())
    assert DEFAULT_CHUNK["ensemble"] == 2000
    assert "default: 2,000 ensemble, 8 mesa" in text and "250" not in text
