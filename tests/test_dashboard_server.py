"""``escalation dashboard`` as a process: the port it reports, a busy port, stopping it with a
signal, the access token, the results root. Each test starts the real command (no browser)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dashboards import devtools as D
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.slow


def _listening(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def _pids_in_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def _server_pids(cli_pid: int) -> list[int]:
    """Children of the CLI process (the server), from /proc."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == cli_pid:
                    kids.append(int(entry.name))
    return kids


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    """GET without following redirects: status, headers, body."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
            return False
    return True


# ------------------------------------------------------------------------------ ports
def test_port_0_prints_the_real_port(tmp_path):
    with D.serve(port=0, log=tmp_path / "log") as url:
        assert url.port > 0
        assert _listening(url.port)
        (line,) = [x for x in url.output if "serving on" in x]
        assert f":{url.port}/" in line and ":0/" not in line


def test_busy_port_is_one_line_error_before_serving():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        res = run_cli("dashboard", "--port", str(port), timeout=60)
    assert res.returncode == 2
    assert "serving on" not in res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert f"--port {port}" in lines[0] and "already in use" in lines[0]


@pytest.mark.parametrize("args,expect", [
    (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid'"),
    (["--host", "192.0.2.1"], "--host '192.0.2.1'"),  # TEST-NET: not an address of this machine
    (["--results-root", "/no/such/folder"], "--results-root '/no/such/folder'"),
    (["--port", "70000"], "--port '70000'"),
    (["--token", "maybe"], "--token"),
])
def test_bad_options_are_one_line_errors(args, expect):
    res = run_cli("dashboard", *args, timeout=60)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "serving on" not in res.stdout
    assert expect in res.stderr.strip().splitlines()[-1]


def test_short_fixed_token_is_refused():
    env = {**os.environ, "ESCALATION_DASHBOARD_TOKEN": "short"}
    res = subprocess.run([sys.executable, "-m", "sim.cli", "dashboard", "--port", "0",
                          "--token", "on"], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env=env)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "ESCALATION_DASHBOARD_TOKEN" in res.stderr


# ------------------------------------------------------------------------------ signals
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_server_and_leaves_no_process(sig, tmp_path):
    with D.serve(log=tmp_path / "log") as url:
        cli = url.proc
        (server,) = _server_pids(cli.pid)
        assert _listening(url.port)
        t0 = time.monotonic()
        os.kill(cli.pid, sig)  # the command only, as a service manager or Ctrl-C would
        code = cli.wait(timeout=20)
        took = time.monotonic() - t0
        deadline = time.monotonic() + 5
        while (_alive(server) or _pids_in_group(server)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server), "the Solara server survived the command"
        assert _pids_in_group(server) == [], "a process of the server's group survived"
        assert not _listening(url.port), "the port is still open"
        assert code == 128 + sig
        assert took < 15, f"stopping took {took:.1f}s"


def test_kill_9_of_the_command_takes_the_server_with_it(tmp_path):
    with D.serve(log=tmp_path / "log") as url:
        (server,) = _server_pids(url.proc.pid)
        os.kill(url.proc.pid, signal.SIGKILL)
        url.proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server), "the server outlived a kill -9 of its command"
        assert not _listening(url.port)


# ------------------------------------------------------------------------------ token
def test_token_mode_guards_pages_assets_and_websocket(tmp_path):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with D.serve(log=tmp_path / "log", args=("--token", "on")) as url:
        assert len(url.token) >= 16
        cookie_name = f"escalation_dashboard_token_{url.port}"
        # no token: refused, and the answer says what to do
        for path in ("/", "/sweep", "/readyz", "/static/assets/favicon.svg"):
            status, _, body = _get(url + path)
            assert status == 403, path
            assert b"access token" in body
        assert _get(url + "/?token=wrong" + url.token)[0] == 403
        # the printed address: a redirect that drops the token from the URL and sets a cookie
        status, headers, _ = _get(url.url("/sweep?dir=x"))
        assert status == 303
        assert headers["location"] == "/sweep?dir=x"
        assert f"{cookie_name}={url.token}" in headers["set-cookie"]
        assert "HttpOnly" in headers["set-cookie"] and "SameSite=Strict" in headers["set-cookie"]
        # with the cookie: served
        status, _, body = _get(url + "/", cookie=f"{cookie_name}={url.token}")
        assert status == 200 and b"solara" in body.lower()
        assert _get(url + "/", cookie=f"{cookie_name}=nope")[0] == 403
        # the websocket the page talks through: refused without the cookie, accepted with it
        ws_url = f"ws://127.0.0.1:{url.port}/jupyter/api/kernels/k1/channels?session_id=s1"
        with pytest.raises(InvalidStatus) as info:
            connect(ws_url, open_timeout=10, proxy=None)
        assert info.value.response.status_code == 403
        with connect(ws_url, open_timeout=10, proxy=None,
                     additional_headers={"Cookie": f"{cookie_name}={url.token}"}):
            pass


def test_loopback_default_needs_no_token(tmp_path):
    with D.serve(log=tmp_path / "log") as url:
        assert url.token == ""
        assert _get(url + "/")[0] == 200
        assert not [x for x in url.output if "WARNING" in x]


def test_non_loopback_host_warns_and_requires_a_token(tmp_path):
    cmd = [sys.executable, "-m", "sim.cli", "dashboard", "--host", "0.0.0.0", "--port", "0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        warning = proc.stderr.readline()
        line = proc.stdout.readline()
        assert "WARNING" in warning and "--host 0.0.0.0" in warning and "network" in warning
        assert "?token=" in line
        port = int(line.split("?token=")[0].rsplit(":", 1)[1].strip("/"))
        token = line.split("?token=")[1].split()[0]
        deadline = time.monotonic() + 90
        while True:  # the port listens at once; the server answers once Solara is loaded
            with contextlib.suppress(OSError):
                if _get(f"http://127.0.0.1:{port}/")[0] == 403:
                    break
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.5)
        status, headers, _ = _get(f"http://127.0.0.1:{port}/?token={token}")
        assert status == 303 and token in headers["set-cookie"]
    finally:
        D.stop(proc)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ results root
def test_results_root_is_passed_to_the_page(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    with D.serve(log=tmp_path / "log", args=("--results-root", str(root))) as url:
        assert any(f"results root {root.resolve()}" in x for x in url.output)
