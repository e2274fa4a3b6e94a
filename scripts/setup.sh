#!/usr/bin/env bash
# Sets up .venv/ in the repo root with a Python >= 3.12, installs the project with its
# dashboard and dev extras, and fills Solara's offline asset cache. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

find_python() {
    local cand
    for cand in "${PYTHON:-}" python3.13 python3.12 python3; do
        [ -n "$cand" ] || continue
        if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
            command -v "$cand"; return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        local v
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.|$)' | sort -rV); do
            local p; p="$(pyenv prefix "$v" 2>/dev/null)/bin/python3"
            if [ -x "$p" ]; then echo "$p"; return 0; fi
        done
    fi
    for cand in /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12; do
        [ -x "$cand" ] && { echo "$cand"; return 0; }
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    py="$(find_python)" || {
        echo "setup: no Python >= 3.12 found. Install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv') or set PYTHON=/path/to/python3.12" >&2
        exit 1
    }
    echo "setup: using $py ($("$py" --version))"
    rm -rf .venv
    "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[viz,dev]"
bash scripts/solara_assets.sh
echo "setup: ready ($(.venv/bin/python --version), mesa $(.venv/bin/python -c 'import mesa; print(mesa.__version__)'))"
