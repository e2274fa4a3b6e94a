"""Shared fixtures: the repository root, the baseline config and a runner for the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "configs" / "scenarios").glob("*.yaml"))


@pytest.fixture(autouse=True, scope="session")
def _fan_cache_outside_home(tmp_path_factory):
    """Fan charts computed by tests are cached in a temporary folder, never in ``~/.cache``."""
    if "ESCALATION_FAN_CACHE" not in os.environ:
        os.environ["ESCALATION_FAN_CACHE"] = str(tmp_path_factory.mktemp("fan_cache"))
    yield


@pytest.fixture(scope="session")
def baseline():
    from sim.config import load_config

    return load_config()


def run_cli(*args: str, timeout: float = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``escalation ARGS`` in a subprocess (the installed console script's module)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True,
        timeout=timeout, cwd=cwd or ROOT, env=env,
    )


def nan_safe(record: dict) -> dict:
    """A run's record with NaN floats replaced by a marker, so two records compare with ``==``.

    Some metrics are NaN by definition (``us_strike_lag_after_lethal`` when no lethal attack was
    answered), and NaN != NaN.
    """
    return {k: ("NaN" if isinstance(v, float) and v != v else v) for k, v in record.items()}
