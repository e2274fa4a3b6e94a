#!/usr/bin/env bash
# The project's test command (README, CI): sets up .venv if needed, then runs the test suite
# (2 xdist workers; extra arguments go to pytest), ruff, mypy and import-linter. All of them run
# even if one fails; the exit status is non-zero if any failed. pytest finding no tests (exit 5)
# counts as a failure. `--fast` runs the development tier only (pytest -m "not slow", minutes).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

if [ "${1:-}" = "--fast" ]; then
    shift
    set -- -m "not slow" "$@"
fi

bash scripts/setup.sh

export SOLARA_TELEMETRY_MIXPANEL_ENABLE=False
failed=()

rc=0
.venv/bin/python -m pytest -q -n 2 "$@" || rc=$?
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
