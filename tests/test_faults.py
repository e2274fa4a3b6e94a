"""Injected faults (issue 9): results folders that cannot silently hold wrong data, and sweeps
that leave no process behind.

- a second writer is refused while the first runs, naming it; a killed writer's lock is taken
  over; the finished table has every run once;
- a flipped bit, a truncated part and a zero-byte part are detected (report and resume refuse,
  naming the part) and ``--resume --repair`` re-runs exactly their runs, giving the
  uninterrupted table back bit for bit;
- a run id stored twice is refused by the reader;
- ``--resume`` across a change of the model code is refused, and allowed (and recorded) with
  ``--allow-code-change``;
- ``kill -9`` of a ``--workers 2`` sweep leaves no worker and no resource tracker;
- a full disk (a small tmpfs) stops the sweep with one line and leaves a consistent, resumable
  folder; freed space and ``--resume`` finish it with the uninterrupted table.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import load_results, sweep
from sim.config import UserError
from sim.experiments.provenance import code_hash
from sim.experiments.store import open_results

from .conftest import ROOT, run_cli
from .mounts import ROOT_ONLY, remount, tmpfs
from .sweep_results import make_interrupted, spec

KILL = ROOT / "tests" / "specs" / "kill.yaml"
GRID = ROOT / "tests" / "specs" / "small_grid.yaml"


def _one_line_error(res: subprocess.CompletedProcess, *needles: str) -> str:
    assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def _start(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")


def _holder(out: Path) -> dict:
    try:
        return json.loads((out / ".lock").read_text() or "{}")
    except (OSError, ValueError):
        return {}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted table of kill.yaml (120 runs)."""
    out = sweep(KILL, tmp_path_factory.mktemp("ref") / "whole", progress=False)
    return load_results(out)


# ------------------------------------------------------------------ one writer at a time


@pytest.mark.slow
def test_second_writer_is_refused_and_a_killed_writers_lock_is_taken_over(tmp_path, reference):
    out = tmp_path / "res"
    first = _start("sweep", str(KILL), "--out", str(out), "--engine", "mesa", "--chunk-size", "2",
                   "--flush-seconds", "0.2", "--no-progress")
    try:
        _wait_for(lambda: _holder(out).get("pid") == first.pid, 60, "the first sweep's lock")
        second = run_cli("sweep", str(KILL), "--out", str(out), "--resume", "--no-progress",
                         timeout=120)
        msg = _one_line_error(second, "another sweep is writing this folder",
                              f"pid {first.pid} on ")
        assert "started 20" in msg
        forced = run_cli("sweep", str(KILL), "--out", str(out), "--force", "--no-progress",
                         timeout=120)
        _one_line_error(forced, f"pid {first.pid}")  # --force does not break a live lock
        _wait_for(lambda: (out / "runs").is_dir() and len(list((out / "runs").glob("*.parquet")))
                  >= 2, 90, "two parts")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
    assert _holder(out)["pid"] == first.pid  # the dead writer's record is still there
    res = run_cli("sweep", str(KILL), "--out", str(out), "--resume", "--no-progress",
                  timeout=300)
    assert res.returncode == 0, res.stderr
    assert f"took over the lock left by pid {first.pid}" in res.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert any(f"pid {first.pid}" in n for n in manifest["sessions"][-1]["notes"])
    table = load_results(out)
    assert table["run_id"].is_unique and len(table) == 120
    pd.testing.assert_frame_equal(table, reference)
    assert _holder(out) == {}  # released


def test_a_run_id_stored_twice_is_refused(tmp_path):
    """Two writers at once can no longer happen; if the index ever lists a run twice, the
    reader refuses the table rather than count it twice."""
    from sim.experiments.store import file_entry

    out = make_interrupted(tmp_path / "res", tasks=3)
    manifest = json.loads((out / "manifest.json").read_text())
    name, entry = sorted(manifest["parts"].items())[0]
    copy = "part-000000000099.parquet"
    shutil.copy(out / "runs" / name, out / "runs" / copy)
    manifest["parts"][copy] = {**entry, **file_entry(out / "runs" / copy, entry["rows"])}
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match=r"run_id 0 is stored more than once .*--repair"):
        load_results(out)


# ------------------------------------------------------------------ damaged parts


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["bit-flip", "truncated", "zero-byte"])
def test_damaged_part_is_named_and_repair_reruns_exactly_its_runs(tmp_path, damage):
    out = sweep(GRID, tmp_path / "res", progress=False, chunk_size=3, flush_rows=1)
    whole = load_results(out)
    whole_series = load_results(out, series=True)
    manifest = json.loads((out / "manifest.json").read_text())
    name = sorted(manifest["parts"])[2]
    rows = manifest["parts"][name]["rows"]
    part = out / "runs" / name
    if damage == "bit-flip":
        _flip(part)
    elif damage == "truncated":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    else:
        part.write_bytes(b"")
    why = {"bit-flip": "checksum mismatch", "truncated": "truncated", "zero-byte": "zero bytes"}
    for argv in (["report", str(out)], ["sweep", str(GRID), "--out", str(out), "--resume"]):
        _one_line_error(run_cli(*argv, timeout=120), f"{part}: damaged part: {why[damage]}",
                        f"re-run exactly its {rows} runs", "--resume --repair")
    res = run_cli("sweep", str(GRID), "--out", str(out), "--resume", "--repair", "--no-progress",
                  timeout=300)
    assert res.returncode == 0, res.stderr
    assert f"re-running their {rows} runs" in res.stdout
    after = json.loads((out / "manifest.json").read_text())
    session = after["sessions"][-1]
    assert session["repair"] and session["runs"] == rows and session["runs_before"] == 20 - rows
    assert [p.name.split(".parquet")[0] for p in (out / "damaged" / "runs").iterdir()] == [
        name.removesuffix(".parquet")]
    pd.testing.assert_frame_equal(load_results(out), whole)
    pd.testing.assert_frame_equal(load_results(out, series=True), whole_series)


# ------------------------------------------------------------------ model code


def _copy_project(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("sim", "agents", "configs"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


@pytest.mark.slow
def test_resume_across_a_model_code_change_is_refused_unless_allowed(tmp_path):
    out = make_interrupted(tmp_path / "res", tasks=2)
    project = _copy_project(tmp_path / "project")
    assert code_hash(project) == code_hash()  # the hash depends on the code, not its place
    env = dict(os.environ, PYTHONPATH=str(project))
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec()))

    def resume(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sim.cli", "sweep", str(spec_file), "--out",
                               str(out), "--resume", "--no-progress", *extra], cwd=project,
                              env=env, capture_output=True, text=True, timeout=300)

    outcomes = project / "sim" / "core" / "outcomes.py"
    outcomes.write_text(outcomes.read_text() + "\n# an edit between two sessions\n")
    new_hash = code_hash(project)
    assert new_hash != code_hash()
    before = {p.name: p.read_bytes() for p in (out / "runs").iterdir()}
    _one_line_error(resume(), "its rows were made by different model code",
                    f"code hash {code_hash()}, now {new_hash}", "--allow-code-change")
    assert {p.name: p.read_bytes() for p in (out / "runs").iterdir()} == before
    res = resume("--allow-code-change")
    assert res.returncode == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    last = manifest["sessions"][-1]
    assert last["allow_code_change"] and last["code_hash"] == new_hash
    assert manifest["sessions"][0]["code_hash"] == code_hash()
    assert open_results(out).code_hashes == [code_hash(), new_hash]
    report = run_cli("report", str(out), timeout=120)
    assert report.returncode == 0, report.stderr
    assert "MIXED model code: rows from 2 versions" in report.stdout


def test_spec_json_is_a_spec(tmp_path):
    """(The code-change test passes its spec as JSON, which is YAML.)"""
    path = tmp_path / "s.json"
    path.write_text(json.dumps(spec()))
    from sim.experiments.spec import load_experiment

    assert load_experiment(path).n_runs == 60


# ------------------------------------------------------------------ processes


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        nxt = {c for c, p in parents.items() if p in frontier} - found
        found |= nxt
        frontier = nxt
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_kill_9_of_a_two_worker_sweep_leaves_no_process(tmp_path):
    out = tmp_path / "res"
    proc = _start("sweep", str(KILL), "--out", str(out), "--workers", "2", "--engine", "mesa",
                  "--chunk-size", "2", "--no-progress")
    tree: set[int] = set()
    try:
        def workers_running() -> bool:
            tree.update(_children(proc.pid))
            return len(tree) >= 3 and (out / "runs").is_dir() and any(
                (out / "runs").glob("*.parquet"))  # 2 workers + the resource tracker, busy

        _wait_for(workers_running, 120, "two busy workers")
        assert proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)  # the sweep only, as a crash or the OOM killer would
        proc.wait(timeout=30)
        _wait_for(lambda: not any(_alive(p) for p in tree), 15,
                  f"the sweep's processes {sorted(tree)} to exit")
    finally:
        for pid in [proc.pid, *tree]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert not any(_alive(p) for p in tree)


# ------------------------------------------------------------------ full disk


@ROOT_ONLY
@pytest.mark.slow
def test_full_disk_leaves_a_consistent_resumable_folder(tmp_path):
    spec_file = tmp_path / "full.yaml"
    spec_file.write_text(json.dumps(spec("full", replicates=30, days=120, record="series",
                                         factors={"actors.iran.revenge_weight": [0.7, 2.1]})))
    whole = sweep(spec_file, tmp_path / "whole", progress=False)
    with tmpfs(tmp_path / "disk", size="400k") as disk:
        out = disk / "res"
        res = run_cli("sweep", str(spec_file), "--out", str(out), "--chunk-size", "6",
                      "--flush-seconds", "0.001", "--no-progress", timeout=300)
        msg = _one_line_error(res, "No space left on device", "rerun with --resume")
        assert "runs safely stored" in msg
        manifest = json.loads((out / "manifest.json").read_text())  # whole, valid JSON
        stored = open_results(out)  # every indexed part verifies
        assert 0 < len(stored.runs) < 60
        assert sum(manifest["counts"].values()) == len(stored.runs)
        assert sum(pq.read_metadata(out / "runs" / n).num_rows for n in manifest["parts"]) == \
            len(stored.runs)
        assert not list(out.rglob(".*.tmp"))
        still_full = run_cli("sweep", str(spec_file), "--out", str(out), "--resume",
                             "--no-progress", timeout=300)
        _one_line_error(still_full, "No space left on device")
        assert json.loads((out / "manifest.json").read_text())["parts"] == manifest["parts"]
        remount(disk, "size=64m")
        done = run_cli("sweep", str(spec_file), "--out", str(out), "--resume", "--no-progress",
                       timeout=300)
        assert done.returncode == 0, done.stderr
        pd.testing.assert_frame_equal(load_results(out), load_results(whole))
        pd.testing.assert_frame_equal(load_results(out, series=True),
                                      load_results(whole, series=True))


@ROOT_ONLY
@pytest.mark.slow
def test_disk_full_before_the_first_manifest_leaves_a_blank_folder(tmp_path):
    """Too little space for even the manifest: one line, and the folder counts as empty, so the
    same command (or --resume) simply starts once space is free."""
    with tmpfs(tmp_path / "disk", size="12k") as disk:
        out = disk / "res"
        res = run_cli("sweep", str(GRID), "--out", str(out), "--no-progress", timeout=300)
        _one_line_error(res, "No space left on device")
        assert not (out / "manifest.json").exists() and not list(out.glob("*/*.parquet"))
        remount(disk, "size=64m")
        again = run_cli("sweep", str(GRID), "--out", str(out), "--resume", "--no-progress",
                        timeout=300)
        assert again.returncode == 0, again.stderr
        assert open_results(out).complete
