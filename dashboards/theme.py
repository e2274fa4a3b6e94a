"""Visual constants of the dashboard: colours, labels, map coordinates of the sites.

This is the only place these live (the model names sites but never places them). Coordinates
are approximate (decimal degrees, WGS84) and only position markers on the overview map.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

#: Country outlines (Natural Earth 1:50m, public domain, via the world-atlas npm package).
BORDERS_FILE = Path(__file__).with_name("borders.json")

#: Map window: (lon_min, lon_max, lat_min, lat_max) around Iraq and its neighbours.
MAP_EXTENT: tuple[float, float, float, float] = (37.0, 50.5, 28.0, 38.5)

#: (lat, lon) of every site the config names (bases, the embassy, Iran's targets, militia homes).
SITE_COORDS: dict[str, tuple[float, float]] = {
    "Ain al-Asad": (33.80, 42.44),
    "Erbil": (36.24, 43.96),
    "Taji": (33.52, 44.26),
    "Balad": (33.94, 44.36),
    "K-1 Kirkuk": (35.52, 44.28),
    "Baghdad airport": (33.26, 44.23),
    "al-Qaim": (34.37, 41.09),
    "Basmaya": (33.25, 44.62),
    "Q-West": (35.77, 43.12),
    "Mosul": (36.34, 43.13),
    "al-Taqaddum": (33.34, 43.60),
    "Highway 1 convoys": (32.70, 44.60),
    "Baghdad embassy": (33.30, 44.40),
    "Baghdad": (33.34, 44.40),
    "Jurf al-Sakhar": (32.89, 44.12),
    "Diyala": (33.75, 44.61),
}

#: Where US strikes on Iran proper are drawn (no site is named by the model).
IRAN_STRIKE_POINT: tuple[float, float] = (33.5, 48.5)
#: Where Iran's attacks on US interests outside Iraq are drawn (Gulf, off the map's edge).
OUTSIDE_IRAQ_POINT: tuple[float, float] = (29.2, 49.6)
#: Where an Iranian launch is drawn from (western Iran, Kermanshah area).
IRAN_LAUNCH_POINT: tuple[float, float] = (34.3, 47.1)

#: Country name labels on the map: name -> (lat, lon).
COUNTRY_LABELS: dict[str, tuple[float, float]] = {
    "IRAQ": (32.2, 43.2),
    "IRAN": (32.0, 49.0),
    "SYRIA": (35.6, 38.6),
    "TURKEY": (38.0, 40.0),
    "SAUDI ARABIA": (29.0, 41.5),
    "JORDAN": (31.0, 37.6),
    "KUWAIT": (29.35, 47.6),
}

ACTOR_COLOURS: dict[str, str] = {
    "Iran": "#2e7d32",
    "United States": "#1f4e9c",
    "Militias": "#c0392b",
    "Parliament": "#7b3f98",
    "War": "#000000",
}

#: Marker style of each event type on the map and the timeline: (colour, marker, label).
EVENT_STYLE: dict[str, tuple[str, str, str]] = {
    "harass": ("#f39c12", "^", "Rocket harassment"),
    "deadly": ("#c0392b", "X", "Deadly missile/drone strike"),
    "storm": ("#6e0b0b", "*", "Attempt to overrun a site"),
    "calibrated_strike": ("#2e7d32", "D", "Iranian missile strike"),
    "attack_outside_iraq": ("#66bb6a", "P", "Iranian attack outside Iraq"),
    "strike_militias": ("#1f4e9c", "v", "US strike on a militia"),
    "strike_iran": ("#0b1f4e", "s", "US strike on Iran"),
    "vote": ("#7b3f98", "o", "Parliament vote"),
    "all_out_war": ("#000000", "*", "All-out war"),
}

#: Intensity of each US option on the timeline's 0-6 escalation scale.
US_INTENSITY: dict[str, int] = {
    "hold": 0,
    "offer_talks": 0,
    "force_protection": 1,
    "drawdown": 1,
    "sanction_iran": 2,
    "sanction_iraq": 2,
    "strike_militias": 4,
    "strike_iran": 6,
}
#: Intensity of each militia action on the same scale.
MILITIA_INTENSITY: dict[str, int] = {"stand_down": 0, "harass": 2, "deadly": 4, "storm": 5,
                                     "rocket_base": 2, "rocket_green_zone": 2, "convoy_ied": 2,
                                     "drone": 4, "missile": 4}
#: Map and timeline style of each militia tactic (the record's kinds).
TACTIC_STYLE: dict[str, str] = {"rocket_base": "harass", "rocket_green_zone": "harass", "convoy_ied": "harass",
                                "drone": "deadly", "missile": "deadly", "storm": "storm"}

RUNG_LABELS: tuple[str, ...] = (
    "0 calm", "1 political", "2 harassment", "3 calibrated", "4 deadly", "5 overrun", "6 war",
)

PATH_LABELS: dict[str, str] = {
    "de_escalation": "De-escalation (the diplomacy track holds)",
    "s1_major_escalation": "S1 major escalation (overrunning bases)",
    "s2_going_through_motions": "S2 going through the motions (harassment)",
    "s3_middle_ground": "S3 middle ground (deadly strikes, no overrun)",
    "s4_political_pressure": "S4 political pressure (through parliament)",
    "all_out_war": "All-out war",
}
PATH_COLOURS: dict[str, str] = {
    "de_escalation": "#4caf50",
    "s1_major_escalation": "#b71c1c",
    "s2_going_through_motions": "#ffb300",
    "s3_middle_ground": "#e64a19",
    "s4_political_pressure": "#7b1fa2",
    "all_out_war": "#212121",
}

STRATEGY_LABELS: dict[str, str] = {
    "diplomacy": "diplomacy",
    "political_pressure": "political pressure (S4)",
    "proxy_harassment": "proxy harassment (S2)",
    "middle_ground": "middle ground (S3)",
    "major_escalation": "major escalation (S1)",
    "calibrated_strike": "calibrated strike",
}
LEGAL_LABELS: tuple[str, ...] = (
    "no legal step", "non-binding resolution", "limits on US operations", "binding expulsion law",
)
VOTE_COLOURS: dict[str, str] = {
    "yes": "#c0392b", "no": "#1f4e9c", "boycott": "#9e9e9e", "not voted": "#e0e0e0",
}
#: Names of config sections on control labels.
SECTION_LABELS: dict[str, str] = {
    "iran": "Iran",
    "united_states": "US",
    "militia_common": "Militias",
    "parliament": "Parliament",
}

#: Preset shown first in the posture selector.
DEFAULT_PRESET = "baseline"


@cache
def borders() -> dict[str, list[list[tuple[float, float]]]]:
    """Country outlines: name -> rings of (lon, lat)."""
    data: dict[str, Any] = json.loads(BORDERS_FILE.read_text(encoding="utf-8"))
    return {k: [[(float(x), float(y)) for x, y in ring] for ring in v]
            for k, v in data["countries"].items()}


def humanize(name: str) -> str:
    """``war_avoidance_weight`` -> ``war avoidance weight``."""
    return name.replace("_", " ")
