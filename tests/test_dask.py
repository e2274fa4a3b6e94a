"""The Dask path against a real LocalCluster on loopback (scheduler and worker processes)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from sim import load_results, sweep
from sim.config import UserError

from .conftest import ROOT

GRID = ROOT / "tests" / "specs" / "small_grid.yaml"


@pytest.mark.slow
def test_dask_cluster_gives_the_serial_table(tmp_path):
    from distributed import LocalCluster

    sweep(GRID, tmp_path / "serial", progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=40) as cluster:
        sweep(GRID, tmp_path / "dask", scheduler=cluster.scheduler_address, chunk_size=3,
              progress=False)
    want = load_results(tmp_path / "serial")
    for name in ("dask",):
        pd.testing.assert_frame_equal(load_results(tmp_path / name), want)
        pd.testing.assert_frame_equal(load_results(tmp_path / name, series=True),
                                      load_results(tmp_path / "serial", series=True))


def test_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    t0 = time.monotonic()
    with pytest.raises(UserError) as info:
        sweep(GRID, out, scheduler="tcp://127.0.0.1:9", connect_timeout=2, progress=False)
    assert time.monotonic() - t0 < 15
    assert "--scheduler tcp://127.0.0.1:9: cannot connect" in str(info.value)
    assert "\n" not in str(info.value) and not out.exists()
