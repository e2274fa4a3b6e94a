"""The golden record: exact numbers the model produced, kept to catch any change in behaviour.

``compute()`` runs the baseline and every posture preset for ``SEEDS`` seeds x ``DAYS`` days
(paths and every metric) and keeps the event rows of ``EVENT_SEEDS`` seeds x ``EVENT_DAYS``
days. The stored copy lives in ``tests/golden/`` (JSON: floats written with ``repr``, so they
read back bit for bit). ``tests/test_golden.py`` compares; ``scripts/golden.py --update``
rewrites the copy and prints what changed. Regenerate it only on purpose, when a change of the
model's behaviour is intended, and say so in the commit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SEEDS = 50
DAYS = 365
EVENT_SEEDS = 3
EVENT_DAYS = 60
MASTER_SEED = 20260101


def configs() -> dict[str, Path | None]:
    """The configurations in the record: the baseline and every posture preset."""
    root = Path(__file__).resolve().parent.parent / "configs"
    out: dict[str, Path | None] = {"baseline": None}
    for p in sorted((root / "scenarios").glob("*.yaml")):
        out[p.stem] = p
    return out


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    return value


def compute(name: str, path: Path | None) -> dict[str, Any]:
    """Runs and events of one configuration, as plain JSON-able values."""
    from sim.config import load_config
    from sim.core import draws
    from sim.engines.ensemble import run_ensemble

    cfg = load_config(path)
    seeds = draws.spawn_seeds(MASTER_SEED, SEEDS)
    res = run_ensemble(cfg, seeds, DAYS)
    runs = [{k: _plain(v) for k, v in row.items()} for row in res.records()]
    ev = run_ensemble(cfg, seeds[:EVENT_SEEDS], EVENT_DAYS, record_events=True)
    events = [{k: _plain(v) for k, v in row.items()} for row in ev.events]
    return {"config": name, "seeds": SEEDS, "days": DAYS, "runs": runs,
            "event_seeds": EVENT_SEEDS, "event_days": EVENT_DAYS, "events": events}


def file_for(name: str) -> Path:
    """Where the stored record of one configuration lives."""
    return GOLDEN_DIR / f"{name}.json"


def load(name: str) -> dict[str, Any]:
    """The stored record of one configuration."""
    return json.loads(file_for(name).read_text(encoding="utf-8"))


def dump(record: dict[str, Any]) -> str:
    """JSON text of a record (one run or event per line, so diffs are readable)."""
    lines = ["{", f'  "config": {json.dumps(record["config"])},']
    for key in ("seeds", "days", "event_seeds", "event_days"):
        lines.append(f'  "{key}": {record[key]},')
    for key in ("runs", "events"):
        rows = [json.dumps(r, sort_keys=True) for r in record[key]]
        lines.append(f'  "{key}": [')
        lines.extend(f"    {r}{',' if i < len(rows) - 1 else ''}" for i, r in enumerate(rows))
        lines.append("  ]" + ("," if key == "runs" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def differences(stored: dict[str, Any], fresh: dict[str, Any], limit: int = 20) -> list[str]:
    """Readable differences between two records (empty if identical bit for bit)."""
    out: list[str] = []
    for key in ("seeds", "days", "event_seeds", "event_days"):
        if stored[key] != fresh[key]:
            out.append(f"{key}: {stored[key]} -> {fresh[key]}")
    for key in ("runs", "events"):
        a, b = stored[key], fresh[key]
        if len(a) != len(b):
            out.append(f"{key}: {len(a)} rows -> {len(b)} rows")
        for i, (ra, rb) in enumerate(zip(a, b, strict=False)):
            for col in sorted(set(ra) | set(rb)):
                va, vb = ra.get(col, "<absent>"), rb.get(col, "<absent>")
                if not _same(va, vb):
                    out.append(f"{key}[{i}].{col}: {va!r} -> {vb!r}")
                    if len(out) >= limit:
                        return out
    return out
