"""The record reader and the facts derived from it (configs/history/)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
import yaml

from sim.analysis.record import HISTORY_DIR, compare, load_facts, load_record
from sim.errors import ConfigError


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def _value(facts, fid):
    f = next(f for f in facts.facts if f.id == fid)
    return f.low, f.high


def test_facts_are_derived_from_the_record(facts):
    # monthly ranges, read from monthly.months
    assert _value(facts, "attacks_2020_01") == (7, 8)
    assert _value(facts, "attacks_2020_04") == (1, 2)
    assert _value(facts, "attacks_h1") == (27, 31)
    # by tactic: the record's own note says 24-26 rocket/mortar attacks and 3-5 convoy IEDs
    assert _value(facts, "rockets_h1") == (24, 26)
    assert _value(facts, "convoy_ieds_h1") == (3, 4)
    # from the events: Taji (H1-041) is the one lethal attack of the window; 2 US + 1 UK killed
    assert _value(facts, "lethal_attacks_h1") == (1, 1)
    assert _value(facts, "us_killed_h1") == (2, 2)
    assert _value(facts, "coalition_killed_h1") == (1, 1)
    # one US strike episode after the airport strike (12 Mar), one day after Taji
    assert _value(facts, "us_strikes_h1") == (1, 1)
    assert _value(facts, "us_strike_lag_h1") == (1, 1)
    assert _value(facts, "nonlethal_answered_h1") == (0, 0)
    # days after 3 January 2020: 8 Jan, 7 May, 11 June
    assert _value(facts, "iran_direct_day") == (5, 5)
    assert _value(facts, "government_day") == (125, 125)
    assert _value(facts, "dialogue_day") == (160, 160)
    assert _value(facts, "failed_designates_h1") == (2, 2)
    assert _value(facts, "legal_2020_06_30") == (1, 1)
    assert _value(facts, "troops_2020_06_30") == (5200, 5200)
    assert facts.days == 180


def test_unknown_event_kind_is_a_one_line_error(tmp_path):
    for name in ("2020h1_events.yaml", "kinds.yaml", "facts_2020h1.yaml"):
        shutil.copy(HISTORY_DIR / name, tmp_path / name)
    data = yaml.safe_load((tmp_path / "2020h1_events.yaml").read_text())
    data["events"][5]["kind"] = "alien landing"
    (tmp_path / "2020h1_events.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as info:
        load_record(tmp_path / "2020h1_events.yaml", tmp_path / "kinds.yaml")
    msg = str(info.value)
    assert "\n" not in msg and "events.5 (H1-006).kind" in msg and "alien landing" in msg


@pytest.mark.parametrize("edit, expect", [
    (lambda f: f["facts"][0].update(record={"monthly": "2031-01", "field": "range"}), "no monthly.months.2031-01"),
    (lambda f: f["facts"][0].update(record={"count": "storm", "exclude": ["H1-999"]}), "no event 'H1-999'"),
    (lambda f: f["facts"][0].update(record={"bogus": 1}), "needs exactly one of"),
    (lambda f: f["facts"][0].update(match={"within": 1, "within_rel": 0.1}), "exactly one of within"),
    (lambda f: f["facts"][0].update(record={"value": 7000, "source": "state.us_troops_in_iraq.0.value"}),
     "does not contain 7000"),
    (lambda f: f["facts"].append(dict(f["facts"][0])), "duplicate fact id"),
])
def test_bad_facts_file(tmp_path, edit, expect):
    for name in ("2020h1_events.yaml", "kinds.yaml"):
        shutil.copy(HISTORY_DIR / name, tmp_path / name)
    data = yaml.safe_load((HISTORY_DIR / "facts_2020h1.yaml").read_text())
    edit(data)
    (tmp_path / "facts.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=expect) as info:
        load_facts(tmp_path / "facts.yaml")
    assert "\n" not in str(info.value) and "facts.yaml" in str(info.value)


def test_compare_percentiles_matches_and_joint_share(facts):
    n = 1000
    stats = {}
    for f in facts.facts:
        mid = 0.5 * (f.low + f.high) if math.isfinite(f.low) else 0.0
        stats[f.statistic] = np.full(n, mid)
    # one statistic spread uniformly over 0..9 against the January range 7-8 (within 2: 5..10)
    stats["monthly.attacks.2020-01"] = np.arange(n) % 10.0
    table, joint = compare(facts, stats)
    row = table.set_index("fact").loc["attacks_2020_01"]
    assert row["median"] == pytest.approx(4.5)
    assert row["record_percentile"] == pytest.approx(100 * (0.7 + 0.5 * 0.2))   # P(X<7) + P(7<=X<=8)/2
    assert row["match_share"] == pytest.approx(0.5)                             # 5, 6, 7, 8, 9
    assert joint == pytest.approx(0.5)
    assert table["inside_90"].all()
    # a run with an undefined statistic never matches
    stats["us_strike_lag_after_lethal"] = np.where(np.arange(n) < 100, np.nan, 1.0)
    _, joint2 = compare(facts, stats)
    assert joint2 == pytest.approx(0.45)


def test_compare_names_a_missing_statistic(facts):
    with pytest.raises(ConfigError, match="statistic 'monthly.attacks.2020-01' is not produced"):
        compare(facts, {})
