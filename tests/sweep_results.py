"""A tiny sweep results folder in the documented layout, written with pandas (test helper)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


def make_results(folder, schema_version=1, n_per=40, seed=0):
    """A tiny results folder in the documented layout, written with pandas."""
    rng = np.random.default_rng(seed)
    rows = []
    for d, (rev, post) in enumerate([(r, p) for r in (0.5, 1.5, 3.0)
                                     for p in ("none", "middle_ground")]):
        for rep in range(n_per):
            p_s3 = 0.1 + 0.2 * rev + (0.3 if post == "middle_ground" else 0)
            path = "s3_middle_ground" if rng.random() < min(p_s3, 0.95) else "de_escalation"
            status = "failed" if rep == 0 and d == 0 else "ok"
            rows.append({"run_id": len(rows), "design_id": d, "replicate": rep, "seed": rep,
                         "status": status, "error": "boom" if status == "failed" else None,
                         "actors.iran.revenge_weight": rev, "actors.iran.posture": post,
                         "path": None if status == "failed" else path,
                         "us_killed": int(rng.integers(0, 5))})
    (folder / "runs").mkdir(parents=True)
    df = pd.DataFrame(rows)
    df.iloc[: len(df) // 2].to_parquet(folder / "runs" / "part-0.parquet", index=False)
    df.iloc[len(df) // 2:].to_parquet(folder / "runs" / "part-1.parquet", index=False)
    manifest = {"spec": {"name": "tiny", "factors": {
        "actors.iran.revenge_weight": {"levels": [0.5, 1.5, 3.0]},
        "actors.iran.posture": {"levels": ["none", "middle_ground"]}}}}
    if schema_version is not None:
        manifest["schema_version"] = schema_version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder
