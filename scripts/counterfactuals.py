"""Counterfactual history: each config in configs/counterfactuals/ against the actual course, paired.

Runs ``sim.compare(history_dec2019, counterfactual)`` on common random numbers (the same seeds,
keyed draws) from 27 December 2019 to 30 June 2020 and writes docs/counterfactuals.md: per
counterfactual, the question and the change (from the config's header comment), the paired
differences B - A with their 95% CIs for the outcomes a reader cares about (path, legal steps,
US exit and drawdown, attacks, deaths, war), the unpaired comparison beside them and the
variance reduction factor. The file is written atomically (temporary file, then rename).

    .venv/bin/python scripts/counterfactuals.py [--runs 1000] [--days 187] [--out docs/counterfactuals.md]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.analysis.compare import Comparison, compare, vrf_summary  # noqa: E402
from sim.ioutil import atomic_write  # noqa: E402

HISTORY = ROOT / "configs" / "history_dec2019.yaml"
FOLDER = ROOT / "configs" / "counterfactuals"
#: Outcomes shown (every row is in the compare table; these are the ones a reader asks about).
BOOLEANS = ("resolution_passed", "limits_passed", "binding_law_passed", "us_exit", "iraq_sanctioned",
            "truce_declared", "all_out_war", "government_final")
METRICS = ("attacks", "lethal_attacks", "attacks_rocket_base", "attacks_rocket_green_zone", "attacks_convoy_ied",
           "us_killed", "coalition_killed", "iraqi_killed", "militia_killed", "us_strikes_iraq", "us_strikes_iran",
           "calibrated_strikes", "legal_status_final", "votes_held", "us_troops_final", "drawdowns",
           "negotiated_drawdowns", "dialogue_sessions", "us_sanction_threats_iraq", "truce_days")


def header_comment(path: Path) -> str:
    """The config's leading comment block, as one paragraph."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(x for x in lines if x)


def _num(x: float, kind: str) -> str:
    if not np.isfinite(x):
        return "-"
    return f"{100 * x:.1f}%" if kind != "metric" else f"{x:.4g}"


def _diff(r: pd.Series, suffix: str = "") -> str:
    d, lo, hi = r[f"diff{suffix}"], r[f"ci_low{suffix}"], r[f"ci_high{suffix}"]
    if not np.isfinite(d):
        return "-"
    if r["kind"] == "metric":
        return f"{d:+.3g} [{lo:+.3g}, {hi:+.3g}]"
    return f"{100 * d:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}] pp"


def _vrf(v: float) -> str:
    if np.isnan(v):
        return "- (no variation)"
    return "inf (identical pairs)" if np.isinf(v) else f"{v:.3g}"


def selected(table: pd.DataFrame) -> pd.DataFrame:
    """The rows shown: every path, the chosen booleans and metrics, in that order."""
    keep = [table[table.kind == "path"]]
    for kind, names in (("boolean", BOOLEANS), ("metric", METRICS)):
        sub = table[table.kind == kind].set_index("outcome")
        keep.append(sub.loc[[n for n in names if n in sub.index]].reset_index())
    return pd.concat(keep, ignore_index=True)


def markdown_table(table: pd.DataFrame) -> str:
    """The selected rows as a Markdown table."""
    head = ["outcome", "actual course (A)", "counterfactual (B)", "B - A paired [95% CI]", "p (test)",
            "B' - A independent [95% CI]", "variance reduction"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in selected(table).iterrows():
        p = r["p_value"]
        pcell = "-" if not np.isfinite(p) else (f"{p:.2g}" if p >= 1e-4 else "<1e-4")
        name = f"path: {r['outcome']}" if r["kind"] == "path" else r["outcome"]
        out.append("| " + " | ".join([name, _num(r["a"], r["kind"]), _num(r["b"], r["kind"]), _diff(r),
                                      f"{pcell} ({r['test']})", _diff(r, "_indep"), _vrf(float(r["vrf"]))]) + " |")
    return "\n".join(out)


def findings(table: pd.DataFrame) -> list[str]:
    """The shown rows whose paired 95% CI excludes zero, as sentences with numbers."""
    out = []
    for _, r in selected(table).iterrows():
        lo, hi = r["ci_low"], r["ci_high"]
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi:
            continue
        name = f"path {r['outcome']}" if r["kind"] == "path" else r["outcome"]
        out.append(f"{name}: {_num(r['a'], r['kind'])} -> {_num(r['b'], r['kind'])} ({_diff(r)})")
    return out


def section(path: Path, c: Comparison, seconds: float) -> str:
    """One counterfactual's section of the report."""
    t = c.table
    identical = int(np.isinf(t["vrf"].to_numpy(dtype=np.float64)).sum())
    found = findings(t)
    lines = [f"## `{path.name}`", "", header_comment(path), "",
             f"B = `configs/counterfactuals/{path.name}` (hash {c.b.config.hash()}), "
             f"{c.runs:,} paired runs, {c.days} days, {seconds:.0f} s.", "",
             f"- {vrf_summary(t)}.",
             f"- rows where every pair is identical: {identical} of {len(t)}.",
             "- paired 95% CI excludes zero: " + ("; ".join(found) if found else "none of the rows shown") + ".",
             "", markdown_table(t), ""]
    return "\n".join(lines)


def commit() -> str:
    """The commit the numbers were measured on (with '+changes' when the worktree is dirty)."""
    try:
        sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+changes" if dirty else "")


INTRO = """# Counterfactual history: paired what-ifs from 27 December 2019

Each what-if is the historical configuration (`configs/history_dec2019.yaml`: the world on
27 December 2019, the 3 January strike on Soleimani and al-Muhandis as an exogenous event, the
actors' own rules after that) with one thing changed: an exogenous event removed or altered, or an
act forbidden through the model's intervention mechanism. A (the actual course) and B (the
counterfactual) run on the **same seeds** (`sim.compare`, common random numbers: every keyed draw
both runs make is the same number, see docs/compare.md), so B - A is the effect of the change
alone, seed by seed. Paths and booleans: difference of paired proportions (Newcombe's method 10
interval, McNemar's test); metrics: mean paired difference (t interval). "B' - A independent" is
the same comparison with B on independent seeds, and the variance reduction factor is how many
times more unpaired runs it would take to match the paired precision.

The runs are the model's, not history's: A is the model's distribution of courses given the
December state and the 3 January strike (the resolution of 5 January passes in most of them,
Iran's direct strike comes when the model's Iran chooses it). The counterfactuals ask how that
distribution moves.

Regenerate (about a minute per what-if at 1,000 runs on one core):

```bash
.venv/bin/python scripts/counterfactuals.py --runs 1000 --days 187
```

"""


def main(argv: list[str] | None = None) -> int:
    """Compare every counterfactual with the actual course and write the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--days", type=int, default=187, help="187 = 27 Dec 2019 to 30 Jun 2020")
    ap.add_argument("--seed", type=int, default=20200103)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "counterfactuals.md")
    args = ap.parse_args(argv)
    sections = []
    for path in sorted(FOLDER.glob("*.yaml")):
        t0 = time.perf_counter()
        c = compare(HISTORY, path, runs=args.runs, days=args.days, seed=args.seed)
        sections.append(section(path, c, time.perf_counter() - t0))
        print(f"{path.name}: {vrf_summary(c.table)}", flush=True)
    meta = (f"Measured on commit {commit()}, {args.runs:,} paired runs per what-if, {args.days} days "
            f"(27 Dec 2019 - {(pd.Timestamp('2019-12-27') + pd.Timedelta(days=args.days - 1)).date()}), "
            f"master seed {args.seed}.\n\n")
    text = INTRO + meta + "\n".join(sections)
    atomic_write(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
