"""Compare a Mesa run with one replicate of an ensemble run; name the first difference."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.core.events import SERIES_COLUMNS
from sim.engines.ensemble import EnsembleResult
from sim.engines.mesa_model import EscalationModel


def first_difference(model: EscalationModel, ens: EnsembleResult, r: int) -> str | None:
    """None if Mesa run and replicate ``r`` agree on events, series and metrics; else where."""
    mesa_ev: dict[int, list[dict[str, Any]]] = {}
    for e in model.events:
        mesa_ev.setdefault(e["day"], []).append(e)
    ens_ev: dict[int, list[dict[str, Any]]] = {}
    for e in ens.events:
        if e["replicate"] == r:
            ens_ev.setdefault(e["day"], []).append(dict(e, replicate=0))
    timeline = model.timeline()
    for day in range(model.days + 1):
        a, b = mesa_ev.get(day, []), ens_ev.get(day, [])
        for i in range(max(len(a), len(b))):
            ea = a[i] if i < len(a) else None
            eb = b[i] if i < len(b) else None
            if ea != eb:
                if ea is None or eb is None:
                    who = (ea or eb)["actor"]
                    return f"day {day}, actor {who}: event only in {'mesa' if eb is None else 'ensemble'}"
                field = next(k for k in ea if ea[k] != eb.get(k))
                return f"day {day}, actor {ea['actor']}, field {field}: mesa {ea[field]!r} != ensemble {eb[field]!r}"
        if ens.series is not None:
            for col in SERIES_COLUMNS:
                x = timeline[col].iloc[day]
                y = ens.series[col][day, r]
                if not (x == y or (np.isnan(x) and np.isnan(y))):
                    return f"day {day}, series, field {col}: mesa {x!r} != ensemble {y!r}"
    mm = model.metrics()
    em = ens.records()[r]
    for k, v in mm.items():
        both_nan = isinstance(v, float) and isinstance(em[k], float) and np.isnan(v) and np.isnan(em[k])
        if em[k] != v and not both_nan:  # NaN: e.g. no lethal attack answered in either engine
            return f"end of run, metrics, field {k}: mesa {v!r} != ensemble {em[k]!r}"
    return None
