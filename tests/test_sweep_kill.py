"""Kill -9 and resume: a real ``escalation sweep`` process is killed mid-run; ``--resume`` runs
only the missing runs and the final table equals an uninterrupted sweep's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import load_results, sweep

from .conftest import ROOT, run_cli

SPEC = ROOT / "tests" / "specs" / "kill.yaml"


def _rows_on_disk(out):
    return sum(pq.read_metadata(p).num_rows for p in (out / "runs").glob("part-*.parquet"))


@pytest.mark.slow
def test_kill_9_then_resume_equals_an_uninterrupted_sweep(tmp_path):
    out = tmp_path / "killed"
    # the Mesa engine in this process: slow enough to be caught mid-run, parts every 0.3 s
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(SPEC), "--out", str(out),
         "--engine", "mesa", "--chunk-size", "2", "--flush-seconds", "0.3", "--no-progress"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "runs").is_dir() and _rows_on_disk(out) >= 10:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done_before = _rows_on_disk(out)
    assert 10 <= done_before < 120
    # every file on disk is readable: no partial part
    assert len(pd.read_parquet(out / "runs")) == done_before

    res = run_cli("sweep", str(SPEC), "--out", str(out), "--resume", "--no-progress",
                  timeout=120)
    assert res.returncode == 0, res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    last = manifest["sessions"][-1]
    assert last["runs_before"] == done_before and last["runs"] == 120 - done_before
    assert manifest["counts"] == {"ok": 120} and manifest["complete"]

    sweep(SPEC, tmp_path / "whole", progress=False)
    pd.testing.assert_frame_equal(load_results(out), load_results(tmp_path / "whole"))
