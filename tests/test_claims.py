"""The seeds' claims C1-C14 as effect sizes with negative controls (sim/analysis/claims.py).

The slow tier runs every claim and its control at the shipped batch size (``RUNS`` runs per batch,
the default of ``escalation validate``) and asserts each verdict: a claim the model passes passes
and its control makes it fail; a claim the model fails (``MODEL_FAILS``) is asserted to fail, so a
change of verdict is noticed and the failure stays reported, never redefined. The margins of the
verdicts (``Check.flip_z``, in standard errors) are printed in docs/validation.md; ``MIN_MARGIN``
is asserted for every effect whose verdict the test pins, so a verdict that would flip on fresh seeds
with more than ~1% chance fails here rather than at random later.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.claims import CLAIMS, Check, ClaimResult, control_overrides, ratio_ci, run_claims
from sim.config import CONFIG_DIR, get_path, load_config

#: Runs per batch: ``escalation validate``'s default.
RUNS = 400
#: Claims the model fails at the shipped size (reported as failed in docs/validation.md).
MODEL_FAILS: frozenset[str] = frozenset({"C1"})
#: Smallest distance of a pinned verdict from flipping, in standard errors (Phi(-2.3) ~ 1%).
MIN_MARGIN = 2.3


# ------------------------------------------------------------------------------------------ fast


@pytest.mark.parametrize("claim", list(CLAIMS))
def test_control_is_a_config_that_changes_what_it_names(claim):
    """Each control loads on its own, and each setting it makes differs from the baseline."""
    c = CLAIMS[claim]
    path = CONFIG_DIR / "controls" / c.control
    cfg = load_config(path)
    base = load_config(CONFIG_DIR / "baseline.yaml")
    ov = control_overrides(c.control)
    assert ov, c.control
    for key, value in ov.items():
        assert get_path(cfg, key) == value, key
        assert get_path(base, key) != value, f"{c.control}: {key} is the baseline's value"
    text = path.read_text()
    assert "Negative control of" in text and claim in text.split("\n", 1)[0], "first line names the claim"
    assert "[000]" in text or "[002]" in text, "the control cites its seed passage"


def test_every_claim_has_a_control_and_a_seed_passage():
    assert list(CLAIMS) == [f"C{i}" for i in range(1, 15)]
    for c in CLAIMS.values():
        assert c.src in ("000", "002") and len(c.passage) > 40 and c.switched_off


def test_check_verdict_needs_the_whole_interval_past_the_threshold():
    assert Check("x", 0.3, 0.21, 0.39, ">", 0.2).passed
    assert not Check("x", 0.3, 0.19, 0.41, ">", 0.2).passed
    assert Check("x", 0.05, 0.02, 0.09, "<", 0.1).passed
    assert not Check("x", 0.05, 0.02, 0.11, "<", 0.1).passed
    # margin: the bound's distance from the threshold in standard errors (half-width / 1.96)
    c = Check("x", 0.5, 0.3, 0.7, ">", 0.1)
    assert c.flip_z == pytest.approx(0.2 / (0.2 / 1.959964), rel=1e-4)


def test_ratio_interval_covers_the_truth_and_shrinks_with_n():
    rng = np.random.default_rng(7)
    widths = []
    for n in (100, 1600):
        b = rng.poisson(10.0, n).astype(float)
        a = rng.poisson(5.0, n).astype(float)
        r, lo, hi = ratio_ci(a, b)
        assert lo < 0.5 < hi and lo < r < hi
        widths.append(hi - lo)
    assert widths[1] < widths[0] / 3
    assert all(math.isnan(x) for x in ratio_ci(np.ones(3), np.zeros(3)))


def test_a_control_flips_a_claim_on_a_small_batch():
    """C11 at 60 runs: ISIS resurges after a forced exit; with US operations irrelevant it does not."""
    (res,) = run_claims(runs=60, only=["C11"])
    assert res.passed and res.control_failed
    assert res.checks[0].estimate > 0.2 and abs(res.control_checks[0].estimate) < 0.05


# ------------------------------------------------------------------------------------------ slow


def _verdict_problems(res: ClaimResult) -> list[str]:
    """What is wrong with one claim's verdicts (empty when it behaves as pinned)."""
    claim = res.claim
    detail = "; ".join(f"{c.statistic}: {c.estimate:.4g} {c.interval} needs {c.rule} (margin {c.flip_z:.1f})"
                       for c in res.checks)
    control = "; ".join(f"{c.statistic}: {c.estimate:.4g} {c.interval} (margin {c.flip_z:.1f})"
                        for c in res.control_checks)
    if claim in MODEL_FAILS:
        if res.passed:
            return [f"{claim} now passes; update MODEL_FAILS and the docs: {detail}"]
        if min(c.flip_z for c in res.checks if not c.passed) < MIN_MARGIN:
            return [f"{claim}'s failure is not stable: {detail}"]
        return []
    problems = []
    if not res.passed:
        problems.append(f"{claim} fails: {detail}")
    elif min(c.flip_z for c in res.checks) < MIN_MARGIN:
        problems.append(f"{claim} passes by too little: {detail}")
    if not res.control_failed:
        problems.append(f"{claim} still passes with its mechanism off ({res.control}): {control}")
    elif max(c.flip_z for c in res.control_checks if not c.passed) < MIN_MARGIN:
        problems.append(f"{claim}'s control fails by too little: {control}")
    return problems


@pytest.mark.slow
def test_every_claim_and_its_negative_control_at_the_shipped_size():
    """One test for all claims: they share batches (one computation, whatever the xdist workers)."""
    results = run_claims(runs=RUNS)
    assert [r.claim for r in results] == list(CLAIMS)
    problems = [p for r in results for p in _verdict_problems(r)]
    assert not problems, "\n".join(problems)
