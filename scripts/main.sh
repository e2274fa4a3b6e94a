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
spec=configs/sweeps/baseline_distribution.yaml
out="${1:-results/baseline_distribution}"
resume=()
if [ -f "$out/manifest.json" ]; then
    # Resume only into rows made by this spec, config and model code; a folder made by other
    # code (an older checkout) is kept aside, never mixed into or deleted.
    if .venv/bin/python - "$out" "$spec" <<'PY'
import sys
from sim.errors import UserError
from sim.experiments.provenance import code_hash
from sim.experiments.spec import load_experiment
from sim.experiments.store import read_manifest
try:
    m = read_manifest(sys.argv[1])
    same = (m.get("fingerprint") == load_experiment(sys.argv[2]).fingerprint()
            and m["sessions"][-1].get("code_hash") == code_hash())
except (UserError, KeyError, IndexError, TypeError):
    same = False
sys.exit(0 if same else 1)
PY
    then
        resume=(--resume)
    else
        stale="$out.previous-$(date +%Y%m%d-%H%M%S)"
        mv "$out" "$stale"
        echo "main: $out was made by another model code or config; kept as $stale, running afresh"
    fi
fi
.venv/bin/escalation sweep "$spec" --out "$out" "${resume[@]}"
.venv/bin/escalation report "$out"
echo
echo "main: results in $out/runs (Parquet), report in $out/report/report.md, plots in $out/report/*.png"
