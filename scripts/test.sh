#!/usr/bin/env bash
# The project's test command (README, CI): sets up everything the tests need on a bare Debian
# machine (Debian's chromium for the browser tests and npm for Solara's offline assets, via
# apt-get as root or sudo: scripts/system_packages.sh; the .venv and the asset cache:
# scripts/setup.sh), then runs the test suite (2 xdist workers; extra arguments go to pytest),
# ruff, mypy (the files listed in pyproject.toml: config, core, agents, engines, experiments, the typed analysis modules) and import-linter. All run even if one fails; the exit status is
# non-zero if any failed. pytest finding no tests (exit 5) counts as a failure.
#   --fast   the development tier: skips tests marked slow or browser (and needs no chromium)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

fast=""
args=()
for arg in "$@"; do
    if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
if [ -n "$fast" ]; then
    bash scripts/setup.sh --core
else
    bash scripts/system_packages.sh --chromium
    bash scripts/setup.sh
fi

export SOLARA_TELEMETRY_MIXPANEL_ENABLE=False
failed=()

rc=0
if [ -n "$fast" ]; then
    .venv/bin/python -m pytest -q -n 2 -m "not slow and not browser" "${args[@]}" || rc=$?
else
    .venv/bin/python -m pytest -q -n 2 "${args[@]}" || rc=$?
fi
if [ "$rc" -eq 5 ]; then
    echo "test: pytest collected no tests (exit 5); treating that as a failure" >&2
    failed+=("pytest (no tests collected)")
elif [ "$rc" -ne 0 ]; then
    failed+=("pytest (exit $rc)")
fi

rc=0
.venv/bin/ruff check . || rc=$?
[ "$rc" -eq 0 ] || failed+=("ruff (exit $rc)")

rc=0
.venv/bin/mypy || rc=$?
[ "$rc" -eq 0 ] || failed+=("mypy (exit $rc)")

rc=0
.venv/bin/lint-imports || rc=$?
[ "$rc" -eq 0 ] || failed+=("import-linter (exit $rc)")

if [ "${#failed[@]}" -gt 0 ]; then
    echo "test: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "test: all checks passed"
