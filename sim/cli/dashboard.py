"""``escalation dashboard``: serve the Solara dashboard (``dashboards/app.py``).

This command binds the listening socket itself, so a busy port or a bad host is a one-line
error (exit 2) before anything is announced, and ``--port 0`` prints the port actually bound.
It then starts the server (``python -m dashboards.server``, a child process, so the model
layers never import ``dashboards``) on that socket and stays its parent: SIGTERM, SIGINT and
SIGHUP are passed on to the server's process group, which is given :data:`STOP_SECONDS` to
exit before it is killed; the server itself dies with this process (``PR_SET_PDEATHSIG``).

Binds to loopback by default. Any other host serves to the network: a warning is printed, and
an access token is required on every request (generated unless ``--token off``; the printed
address carries it). The sweep page reads only results folders under ``--results-root``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sim.config import UserError

#: The checkout (``dashboards/`` and ``results/`` live there).
PROJECT = Path(__file__).resolve().parents[2]
#: The Solara app file (next to the ``sim`` package in the source tree).
APP = PROJECT / "dashboards" / "app.py"
#: Default results root: the project's ``results/`` (where ``scripts/main.sh`` writes).
RESULTS_ROOT = PROJECT / "results"
#: Seconds the server gets to stop after a forwarded signal before it is killed.
STOP_SECONDS = 10.0
#: Environment variables read by ``dashboards.server`` and ``dashboards.sweep`` (not imported
#: here: ``dashboards`` is a higher layer).
TOKEN_ENV = "ESCALATION_DASHBOARD_TOKEN"
PARENT_ENV = "ESCALATION_DASHBOARD_PARENT"
ROOT_ENV = "ESCALATION_RESULTS_ROOT"
TOKEN_MODES = ("auto", "on", "off")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--port {text!r}: must be a whole number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"--port {text!r}: must be 0 to 65535")
    return value


def register(sub: Any) -> None:
    """Add the ``dashboard`` subcommand."""
    p = sub.add_parser("dashboard", help="serve the interactive dashboard (Solara)",
                       description="Serve the dashboard: a single run unfolding, and a sweep's "
                                   "results. Open the printed address in a browser.")
    p.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 = any free)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1, this machine only; any other "
                        "address serves to the network and needs the access token)")
    p.add_argument("--results-root", metavar="DIR", default=None,
                   help="the sweep page reads results folders under DIR only "
                        f"(default: the project's results/, {RESULTS_ROOT})")
    p.add_argument("--token", choices=TOKEN_MODES, default="auto",
                   help="access token on every request: auto (default) = required when the "
                        "host is not loopback; on = always; off = never (not advised on a "
                        f"network). The value is random, or taken from ${TOKEN_ENV}")
    p.add_argument("--production", action=argparse.BooleanOptionalAction, default=True,
                   help="Solara production mode (default on; --no-production reloads on edits)")
    p.set_defaults(func=dashboard_command)


def server_command(fd: int, production: bool = True) -> list[str]:
    """Command line of the server process, serving on the inherited socket ``fd``."""
    cmd = [sys.executable, "-m", "dashboards.server", "--fd", str(fd)]
    return cmd + ([] if production else ["--no-production"])


def host_for_url(host: str) -> str:
    """Write a host as in a URL (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def is_loopback(host: str) -> bool:
    """True if every address ``host`` stands for is a loopback address (127/8, ::1)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    addrs = {info[4][0] for info in infos}
    return bool(addrs) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addrs)


def results_root(text: str | None) -> Path:
    """The results root as an absolute, resolved folder (the default one is created)."""
    if text is None:
        RESULTS_ROOT.mkdir(parents=True, exist_ok=True)
        return RESULTS_ROOT.resolve()
    root = Path(text).expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"--results-root {text!r}: no such folder")
    return root


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; a UserError naming the option if impossible."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise UserError(f"--host {host!r}: not an address of this machine "
                        f"({getattr(exc, 'strerror', None) or exc})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        if exc.errno == 98 or "in use" in reason.lower():
            raise UserError(f"--port {port}: {host}:{port} is already in use; choose another "
                            "port, or --port 0 for any free one") from None
        raise UserError(f"--host {host!r} --port {port}: cannot listen there ({reason})") from None
    return sock


def _token(mode: str, loopback: bool) -> str:
    if mode == "off" or (mode == "auto" and loopback):
        return ""
    fixed = os.environ.get(TOKEN_ENV, "").strip()
    if fixed and (len(fixed) < 16 or not fixed.isprintable() or " " in fixed):
        raise UserError(f"${TOKEN_ENV}: the token must be at least 16 printable characters "
                        "without spaces")
    return fixed or secrets.token_urlsafe(24)


def dashboard_command(args: argparse.Namespace) -> int:
    """Handle ``escalation dashboard``: run the server until it stops or we are told to stop."""
    if importlib.util.find_spec("solara") is None:
        raise UserError("the dashboard needs the 'viz' extra: pip install -e '.[viz]' "
                        "(or run 'bash scripts/setup.sh')")
    if not APP.is_file():
        raise UserError(f"{APP}: dashboard app not found (run from a source checkout)")
    root = results_root(args.results_root)
    loopback = is_loopback(args.host)
    token = _token(args.token, loopback)
    sock = bind(args.host, args.port)
    port = sock.getsockname()[1]
    shown = args.host
    if not loopback and _unspecified(args.host):
        shown = socket.gethostname()  # 0.0.0.0 / :: is not an address to open
    url = f"http://{host_for_url(shown)}:{port}/" + (f"?token={token}" if token else "")
    if not loopback:
        print(f"dashboard: WARNING: --host {args.host} serves to the network: anyone who can "
              f"reach this machine on port {port} can "
              + ("use the dashboard (--token off)." if not token else
                 "reach it; the access token in the address below is required.")
              + " Results under the results root can be read. Use --host 127.0.0.1 for this "
              "machine only.", file=sys.stderr, flush=True)
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
           ROOT_ENV: str(root), PARENT_ENV: str(os.getpid())}
    env.pop(TOKEN_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    return _run_server(sock, server_command(sock.fileno(), args.production), env, url, root)


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def _run_server(sock: socket.socket, cmd: list[str], env: dict[str, str], url: str,
                root: Path) -> int:
    """Start the server on ``sock``, announce it, and wait; pass signals on to it."""
    received: list[int] = []
    started: list[subprocess.Popen[bytes]] = []

    def stop() -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(started[0].pid, signal.SIGTERM)

    def forward(signum: int, _frame: Any) -> None:
        received.append(signum)
        if started:
            stop()

    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {s: signal.signal(s, forward) for s in handled}
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=str(PROJECT), pass_fds=(sock.fileno(),),
                                start_new_session=True)
        started.append(proc)
        sock.close()  # the server holds its own copy
        if received:  # a signal came while it was starting
            stop()
        print(f"dashboard: serving on {url} (results root {root}; Ctrl-C stops)", flush=True)
        deadline = None
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if not received:
                    continue
                if deadline is None:
                    deadline = time.monotonic() + STOP_SECONDS
                elif time.monotonic() > deadline:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if received:  # helpers the server may have started in its group go with it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    if received:
        print("dashboard: stopped", file=sys.stderr, flush=True)
        return 128 + received[0]
    return code if code >= 0 else 128 - code


__all__ = ["register", "dashboard_command", "server_command", "bind", "is_loopback",
           "results_root"]
