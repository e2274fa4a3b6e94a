"""``escalation dashboard``: serve the Solara dashboard (``solara run dashboards/app.py``).

Binds to loopback by default; ``--host 0.0.0.0`` (or another address) is an explicit choice.
The server runs as a child process so the model layer never imports ``dashboards``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sim.config import UserError

#: The Solara app file (next to the ``sim`` package in the source tree).
APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"


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
                   help="address to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--production", action=argparse.BooleanOptionalAction, default=True,
                   help="Solara production mode (default on; --no-production reloads on edits)")
    p.set_defaults(func=dashboard_command)


def solara_command(port: int, host: str, production: bool = True) -> list[str]:
    """Build the command line that serves the app."""
    cmd = [sys.executable, "-m", "solara", "run", str(APP), "--port", str(port), "--host", host,
           "--no-open"]
    return cmd + (["--production"] if production else [])


def dashboard_command(args: argparse.Namespace) -> int:
    """Handle ``escalation dashboard``: run the Solara server until interrupted."""
    if importlib.util.find_spec("solara") is None:
        raise UserError("the dashboard needs the 'viz' extra: pip install -e '.[viz]' "
                        "(or run 'bash scripts/setup.sh')")
    if not APP.is_file():
        raise UserError(f"{APP}: dashboard app not found (run from a source checkout)")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    print(f"dashboard: serving on http://{host_for_url(args.host)}:{args.port} (Ctrl-C stops)",
          flush=True)
    try:
        return subprocess.call(solara_command(args.port, args.host, args.production), env=env,
                               cwd=str(APP.parent.parent))
    except KeyboardInterrupt:
        return 130


def host_for_url(host: str) -> str:
    """Write a host as in a URL (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


__all__ = ["register", "dashboard_command", "solara_command"]
