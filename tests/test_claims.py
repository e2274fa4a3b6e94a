"""The seeds' claims C1-C14 (MODEL_BRIEF) as statistics over seeded batches with 95% CIs.

One shared set of batches (400 runs each, common seeds) serves every claim; a claim passes only
when each of its intervals lies on the required side of its threshold.
"""

import pytest

from sim.analysis.claims import CLAIMS, Batches

RUNS = 400


@pytest.fixture(scope="module")
def batches():
    return Batches(runs=RUNS, days=365, master_seed=2020)


@pytest.mark.slow
@pytest.mark.parametrize("claim", list(CLAIMS))
def test_claim(batches, claim):
    result = CLAIMS[claim](batches)
    assert result.checks, claim
    failing = [f"{c.statistic}: {c.estimate:.4g} {c.interval} needs {c.rule}"
               for c in result.checks if not c.passed]
    assert not failing, f"{claim} fails: " + "; ".join(failing)
