#!/usr/bin/env bash
# Installs the Debian packages the project needs outside Python, when they are missing:
#   --npm        npm (fills Solara's offline asset cache: scripts/solara_assets.sh)
#   --chromium   chromium (the browser tests drive it through Playwright; Playwright's own
#                browser download does not work on these machines)
# Checks first and does nothing when all is there. Installs with apt-get as root, or through
# 'sudo -n' (never prompts); otherwise prints one line saying what to install and exits 1.
#
# Environment: ESCALATION_CHROMIUM names the browser binary the tests use (default
# /usr/bin/chromium, which Debian's chromium package installs); APT_GET, SUDO override the
# commands (tests).
set -euo pipefail

chromium="${ESCALATION_CHROMIUM:-/usr/bin/chromium}"
apt_get="${APT_GET:-apt-get}"
want=()
for arg in "$@"; do
    case "$arg" in
        --npm) command -v npm >/dev/null 2>&1 || want+=(npm) ;;
        --chromium) [ -x "$chromium" ] || want+=(chromium) ;;
        *) echo "system_packages: unknown option $arg (use --npm, --chromium)" >&2; exit 2 ;;
    esac
done
[ "${#want[@]}" -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    sudo="${SUDO:-sudo}"
    if ! command -v "$sudo" >/dev/null 2>&1; then
        echo "system_packages: need the Debian package(s) ${want[*]}, but this is not root and there is no sudo: run 'apt-get install -y ${want[*]}' as root, then run this again" >&2
        exit 1
    fi
    as_root=("$sudo" -n)
fi
if ! command -v "$apt_get" >/dev/null 2>&1; then
    echo "system_packages: need ${want[*]} and there is no apt-get (not Debian/Ubuntu?): install them with your package manager${ESCALATION_CHROMIUM:+ (or point ESCALATION_CHROMIUM at a Chromium binary)}" >&2
    exit 1
fi

echo "system_packages: installing ${want[*]} with apt-get${as_root[*]:+ (via ${as_root[*]})}"
log="$(mktemp -t escalation-apt.XXXXXX)"
if ! { "${as_root[@]}" "$apt_get" update -qq \
        && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            "$apt_get" install -y -qq --no-install-recommends "${want[@]}"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "system_packages: 'apt-get install ${want[*]}' failed (output above, full log $log)" >&2
    exit 1
fi
rm -f "$log"
for pkg in "${want[@]}"; do
    case "$pkg" in
        npm) command -v npm >/dev/null 2>&1 \
            || { echo "system_packages: npm installed but not on PATH" >&2; exit 1; } ;;
        chromium) [ -x "$chromium" ] \
            || { echo "system_packages: chromium installed, but $chromium is still missing (ESCALATION_CHROMIUM names another path?)" >&2; exit 1; } ;;
    esac
done
echo "system_packages: installed ${want[*]}"
