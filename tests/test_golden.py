"""The golden record: the model's exact output for the baseline and every posture preset
(paths and metrics of 50 seeds x 365 days, event rows of 3 seeds x 60 days) is unchanged, bit
for bit. Regenerate on purpose with ``python scripts/golden.py --update``."""

from __future__ import annotations

import pytest

from tests import golden_record as G


@pytest.mark.parametrize("name", list(G.configs()))
def test_golden_record_unchanged(name):
    stored = G.load(name)
    fresh = G.compute(name, G.configs()[name])
    diffs = G.differences(stored, fresh)
    assert not diffs, f"{name}: model output changed:\n" + "\n".join(diffs)


def test_differences_are_found():
    stored = G.load("baseline")
    fresh = {**stored, "runs": [dict(r) for r in stored["runs"]]}
    fresh["runs"][3]["us_killed"] = fresh["runs"][3]["us_killed"] + 1
    fresh["runs"][7]["isis_strength_final"] = fresh["runs"][7]["isis_strength_final"] * (1 + 2**-52)
    diffs = G.differences(stored, fresh)
    assert len(diffs) == 2 and "runs[3].us_killed" in diffs[0] and "runs[7].isis_strength_final" in diffs[1]
