#!/usr/bin/env bash
# The README's main command: set up .venv, run the bundled default sweep
# (configs/sweeps/baseline_distribution.yaml: the baseline, 1,000 replicates, 365 days) and its
# report. Re-running resumes (finished runs are kept, nothing is recomputed). Needs no system
# packages beyond a Python >= 3.12: the dashboard's assets (npm) are set up by
# 'bash scripts/setup.sh' or 'bash scripts/test.sh'.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh --core
out="${1:-results/baseline_distribution}"
resume=()
[ -f "$out/manifest.json" ] && resume=(--resume)
.venv/bin/escalation sweep configs/sweeps/baseline_distribution.yaml --out "$out" "${resume[@]}"
.venv/bin/escalation report "$out"
echo
echo "main: results in $out/runs (Parquet), report in $out/report/report.md, plots in $out/report/*.png"
