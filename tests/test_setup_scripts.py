"""The README's commands on a bare machine: what scripts/system_packages.sh and scripts/setup.sh
do when Chromium or npm are missing, with stub ``apt-get``/``id``/``sudo`` on PATH (the real
packages cannot be removed from a shared machine). The real fresh-clone run is done by hand
(see the README) and by CI on a fresh machine."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

BASH = shutil.which("bash") or "/bin/bash"
SYSTEM_PACKAGES = ROOT / "scripts" / "system_packages.sh"


def _stub(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!" + BASH + "\n" + body + "\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path):
    """A PATH holding every command of this machine except npm, sudo, id and apt-get, plus
    stubs: ``id`` answers $STUB_UID, ``apt-get`` logs its arguments and "installs" (creates the
    Chromium binary named by ESCALATION_CHROMIUM, an ``npm`` on PATH)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    hidden = {"npm", "sudo", "id", "apt-get"}
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        if not Path(folder).is_dir():
            continue
        for exe in Path(folder).iterdir():
            if exe.name not in hidden and not (bin_dir / exe.name).exists():
                (bin_dir / exe.name).symlink_to(exe)
    log = tmp_path / "apt.log"
    chromium = tmp_path / "opt" / "chromium"
    _stub(bin_dir, "id", 'if [ "${1:-}" = "-u" ]; then echo "${STUB_UID:-0}"; else echo stub; fi')
    _stub(bin_dir, "apt-get", f'''echo "apt-get $*" >> "{log}"
[ -n "${{STUB_APT_FAIL:-}}" ] && {{ echo "E: Unable to locate package" >&2; exit 100; }}
case " $* " in *" install "*)
  case " $* " in *" chromium "*) mkdir -p "{chromium.parent}"; touch "{chromium}"; chmod +x "{chromium}";; esac
  case " $* " in *" npm "*) printf '#!{BASH}\\necho 10.0.0\\n' > "{bin_dir}/npm"; chmod +x "{bin_dir}/npm";; esac
esac''')
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "ESCALATION_CHROMIUM": str(chromium),
           "STUB_UID": "0"}
    return {"bin": bin_dir, "log": log, "chromium": chromium, "env": env, "tmp": tmp_path}


def _run(machine, *args, script=SYSTEM_PACKAGES, **env):
    return subprocess.run([BASH, str(script), *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT, env={**machine["env"], **env})


def _apt_calls(machine) -> list[str]:
    log = machine["log"]
    return log.read_text().splitlines() if log.exists() else []


def test_root_installs_missing_chromium_and_npm(machine):
    res = _run(machine, "--chromium", "--npm")
    assert res.returncode == 0, res.stderr
    calls = _apt_calls(machine)
    assert calls[0] == "apt-get update -qq"
    assert calls[1].startswith("apt-get install -y") and set(calls[1].split()[-2:]) == {"npm", "chromium"}
    assert machine["chromium"].exists() and (machine["bin"] / "npm").exists()
    # nothing missing now: no apt-get, no output
    again = _run(machine, "--chromium", "--npm")
    assert again.returncode == 0 and again.stdout == again.stderr == ""
    assert len(_apt_calls(machine)) == 2


def test_only_what_is_missing_is_installed(machine):
    machine["chromium"].parent.mkdir(parents=True)
    machine["chromium"].touch(mode=0o755)
    res = _run(machine, "--chromium", "--npm")
    assert res.returncode == 0, res.stderr
    assert _apt_calls(machine)[-1].split()[-1] == "npm"
    assert "chromium" not in _apt_calls(machine)[-1]


def test_not_root_without_sudo_is_one_line_and_nonzero(machine):
    res = _run(machine, "--chromium", STUB_UID="1000")
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "not root and there is no sudo" in lines[0] and "apt-get install -y chromium" in lines[0]
    assert _apt_calls(machine) == []


def test_not_root_with_sudo_uses_sudo_without_prompting(machine):
    calls = machine["tmp"] / "sudo.log"
    _stub(machine["bin"], "sudo", f'echo "sudo $*" >> "{calls}"\n[ "$1" = "-n" ] && shift\nexec "$@"')
    res = _run(machine, "--chromium", STUB_UID="1000")
    assert res.returncode == 0, res.stderr
    assert calls.read_text().splitlines()[0] == "sudo -n apt-get update -qq"
    assert machine["chromium"].exists()


def test_failed_install_says_so(machine):
    res = _run(machine, "--npm", STUB_APT_FAIL="1")
    assert res.returncode == 1
    assert "E: Unable to locate package" in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("system_packages: 'apt-get install npm' failed")


def test_setup_core_needs_no_npm_and_setup_installs_it_when_assets_are_missing(machine):
    """setup.sh on this checkout (its .venv exists): --core never looks for npm; the full setup
    with an empty asset cache asks for npm, here on a machine that cannot install it."""
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("needs the checkout's .venv (made by scripts/setup.sh)")  # pragma: no cover
    empty = machine["tmp"] / "cdn"
    empty.mkdir()
    core = _run(machine, "--core", script=ROOT / "scripts" / "setup.sh", STUB_UID="1000",
                SOLARA_ASSETS_PROXY_CACHE_DIR=str(empty))
    assert core.returncode == 0, core.stderr
    assert _apt_calls(machine) == []
    full = _run(machine, script=ROOT / "scripts" / "setup.sh", STUB_UID="1000",
                SOLARA_ASSETS_PROXY_CACHE_DIR=str(empty))
    assert full.returncode == 1
    assert full.stderr.strip().splitlines()[-1].startswith(
        "system_packages: need the Debian package(s) npm, but this is not root and there is no "
        "sudo")


def test_ci_is_a_thin_call_of_the_readme_test_command():
    lines = [x for x in (ROOT / ".ci" / "run").read_text().splitlines()
             if x.strip() and not x.startswith("#")]
    assert lines[-1] == 'exec bash scripts/test.sh "$@"'
    assert not any("apt-get" in x or "setup.sh" in x for x in lines)
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/test.sh" in readme.split("\n\n")[1]


@pytest.mark.parametrize("script", ["setup.sh", "test.sh", "main.sh", "system_packages.sh",
                                    "solara_assets.sh"])
def test_scripts_parse(script):
    assert subprocess.run([BASH, "-n", str(ROOT / "scripts" / script)]).returncode == 0
    assert os.access(ROOT / "scripts" / script, os.R_OK)
