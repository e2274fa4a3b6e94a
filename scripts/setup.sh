#!/usr/bin/env bash
# Sets up .venv/ in the repo root with Python 3.12, installs the project with its dashboard
# and dev extras, and fills Solara's offline asset cache (installing Debian's npm first if it is
# missing: scripts/system_packages.sh). Idempotent; quiet when all is there.
# Why 3.12 exactly: the calibration library ELFI pins matplotlib 3.8.4, which has wheels for
# 3.12 but only a source tarball for 3.13 (its build downloads freetype from outside the package
# registries, which CI cannot reach). A .venv of another Python version is rebuilt.
#   --core   the venv only: no Solara assets, no npm (all that scripts/main.sh needs)
set -euo pipefail
core=""
for arg in "$@"; do
    case "$arg" in
        --core) core=1 ;;
        *) echo "setup: unknown option $arg (use --core)" >&2; exit 2 ;;
    esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
# One setup at a time (parallel test runs, CI + a developer): lock this script's own file.
if command -v flock >/dev/null 2>&1; then exec 9<"$here/scripts/setup.sh"; flock 9; fi

want='import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)'
find_python() {
    local cand
    for cand in "${PYTHON:-}" python3.12 python3; do
        [ -n "$cand" ] || continue
        if command -v "$cand" >/dev/null 2>&1 && "$cand" -c "$want" 2>/dev/null; then
            command -v "$cand"; return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        local v
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$)' | sort -rV); do
            local p; p="$(pyenv prefix "$v" 2>/dev/null)/bin/python3"
            if [ -x "$p" ] && "$p" -c "$want" 2>/dev/null; then echo "$p"; return 0; fi
        done
    fi
    for cand in /usr/bin/python3.12 /usr/local/bin/python3.12; do
        [ -x "$cand" ] && "$cand" -c "$want" 2>/dev/null && { echo "$cand"; return 0; }
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "$want" 2>/dev/null; then
    [ -x .venv/bin/python ] && echo "setup: .venv has $(.venv/bin/python --version 2>&1); rebuilding it with Python 3.12"
    py="$(find_python)" || {
        echo "setup: no Python 3.12 found (3.12 is required: ELFI's pinned matplotlib has no wheels for 3.13). Install it (e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv') or set PYTHON=/path/to/python3.12" >&2
        exit 1
    }
    echo "setup: using $py ($("$py" --version))"
    rm -rf .venv
    "$py" -m venv .venv
fi
# Re-install only when pyproject.toml or the interpreter changed since the last successful
# install (stamp in .venv/), so repeat runs are fast and print nothing. pip's chatter (build
# warnings, index notices) goes to .venv/setup.log and is shown only if pip fails.
stamp=.venv/.setup-stamp
key="$(cat pyproject.toml; .venv/bin/python -c 'import sys; print(sys.version)')"
key="$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$key" ] \
    || ! .venv/bin/python -c 'import importlib.metadata as m; m.version("escalation-sim")' 2>/dev/null; then
    echo "setup: installing the project and its dependencies into .venv (log: .venv/setup.log)"
    rm -f "$stamp"
    if ! { .venv/bin/python -m pip install --quiet --upgrade pip \
        && .venv/bin/python -m pip install --quiet -e ".[viz,dev]"; } >.venv/setup.log 2>&1; then
        cat .venv/setup.log >&2
        echo "setup: pip install failed (see above, or .venv/setup.log)" >&2
        exit 1
    fi
    installed=1
fi
if [ -z "$core" ]; then
    rc=0
    bash scripts/solara_assets.sh --check || rc=$?
    if [ "$rc" -eq 3 ]; then
        bash scripts/system_packages.sh --npm
        bash scripts/solara_assets.sh
    elif [ "$rc" -ne 0 ]; then
        exit "$rc"
    fi
fi
if [ -n "${installed:-}" ]; then
    echo "$key" >"$stamp"
    echo "setup: ready ($(.venv/bin/python --version), mesa $(.venv/bin/python -c 'import mesa; print(mesa.__version__)'))"
fi
