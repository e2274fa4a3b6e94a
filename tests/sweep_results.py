"""Results folders for tests, written by the real writer (``sim.sweep``), never by hand.

:func:`make_results` runs a small grid sweep (ensemble engine, 30 days): 3 levels of Iran's
revenge weight x 2 parliament quorums; quorum 400 exceeds the 329 seats, so those design points
are all failed rows, as a real sweep writes them. :func:`make_interrupted` stops the same
sweep after a few tasks the way Ctrl-C does (the runner keeps what finished), giving a folder
with whole design points missing and one cut short.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
LEVELS = {"actors.iran.revenge_weight": [0.7, 1.4, 2.8], "actors.parliament.quorum": [165, 400]}


def spec(name: str = "tiny", replicates: int = 10, days: int = 30,
         factors: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A sweep spec mapping over the baseline config (grid of ``LEVELS`` by default)."""
    return {"name": name, "base": str(ROOT / "configs" / "baseline.yaml"), "days": days,
            "replicates": replicates, "master_seed": 7,
            "factors": dict(LEVELS if factors is None else factors), **extra}


def make_results(folder: Path, name: str = "tiny", replicates: int = 10, **kw: Any) -> Path:
    """A complete results folder written by ``sim.sweep``."""
    from sim import sweep

    return sweep(spec(name, replicates, **kw), folder, progress=False)


def make_interrupted(folder: Path, tasks: int = 2, chunk_size: int = 7, **kw: Any) -> Path:
    """The sweep of :func:`make_results`, interrupted (KeyboardInterrupt) after ``tasks`` tasks."""
    from sim import sweep
    from sim.experiments import executors

    real = executors.serial

    def stop_early(source: Any, run: Any) -> Any:
        for i, result in enumerate(real(source, run)):
            if i == tasks:
                raise KeyboardInterrupt
            yield result

    with mock.patch.object(executors, "serial", stop_early):
        try:
            sweep(spec(**kw), folder, progress=False, chunk_size=chunk_size, flush_rows=1)
        except KeyboardInterrupt:
            pass
    return folder
