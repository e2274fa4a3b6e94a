"""The dashboard's web server process: Solara's Starlette app under uvicorn, on a given socket.

``escalation dashboard`` (``sim/cli/dashboard.py``) binds the listening socket itself (so a busy
port is an error before anything is printed, and ``--port 0`` reports the port it got), then
starts ``python -m dashboards.server --fd N`` with that socket inherited. This process:

- serves ``dashboards/app.py`` with Solara's ASGI app on that socket (production mode unless
  ``--no-production``), offline (Solara's asset cache, see ``scripts/solara_assets.sh``);
- when the environment variable :data:`TOKEN_ENV` holds a token, wraps the app in
  :class:`TokenGate`: every page, asset and websocket request must carry it (``?token=`` once,
  then a cookie), anything else gets 403;
- dies with its parent (Linux ``PR_SET_PDEATHSIG``), so even a ``kill -9`` of the command leaves
  no server behind; SIGTERM/SIGINT shut it down through uvicorn (websockets closed, kernels
  closed, exit within :data:`GRACE_SECONDS`).

The results root the sweep page may read comes in :data:`dashboards.sweep.ROOT_ENV`.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hmac
import logging
import os
import signal
import socket
import sys
import urllib.parse
import warnings
from pathlib import Path
from typing import Any

#: The Solara app this server runs.
APP = Path(__file__).resolve().parent / "app.py"
#: Environment variable carrying the access token from the CLI to this process (never argv,
#: which other users of the machine can read with ``ps``).
TOKEN_ENV = "ESCALATION_DASHBOARD_TOKEN"
#: Environment variable naming the process this server must die with.
PARENT_ENV = "ESCALATION_DASHBOARD_PARENT"
#: Query parameter that carries the token on the first request.
TOKEN_PARAM = "token"
#: Seconds uvicorn waits for open connections (websockets) before it cancels them on shutdown.
GRACE_SECONDS = 3.0
#: Solara logs errors only (as ``solara run`` does); uvicorn's access log is off.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"default": {"()": "uvicorn.logging.DefaultFormatter",
                               "fmt": "%(levelprefix)s %(message)s", "use_colors": None}},
    "handlers": {"default": {"formatter": "default", "class": "logging.StreamHandler",
                             "stream": "ext://sys.stderr"}},
    "loggers": {
        "solara": {"handlers": ["default"], "level": "ERROR"},
        "reacton": {"handlers": ["default"], "level": "ERROR"},
        "uvicorn": {"handlers": ["default"], "level": "ERROR"},
        "uvicorn.error": {"level": "ERROR"},
        "uvicorn.access": {"handlers": ["default"], "level": "ERROR", "propagate": False},
    },
}

FORBIDDEN = (b"escalation dashboard: access token missing or wrong. Open the address that "
             b"'escalation dashboard' printed (it ends in ?token=...).\n")


def cookie_name(port: int) -> str:
    """Name of the token cookie (per port: cookies are shared by every port of a host)."""
    return f"escalation_dashboard_token_{port}"


class TokenGate:
    """ASGI middleware: let through only requests that carry the access token.

    The token is accepted from the ``token`` query parameter of an HTTP request (the address
    the CLI prints), which is answered with a redirect to the same address without it and a
    cookie (HttpOnly, SameSite=Strict) that later requests, the page's assets and its websocket
    carry. Anything else is refused: 403 for HTTP, close code 1008 for a websocket. Lifespan
    events pass through.

    Args:
        app: the ASGI app to protect.
        token: the access token (compared in constant time).
        port: the port served, naming the cookie.
    """

    def __init__(self, app: Any, token: str, port: int) -> None:
        if not token:
            raise ValueError("TokenGate needs a non-empty token")
        self.app = app
        self.token = token.encode()
        self.cookie = cookie_name(port)

    def _ok(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.token)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Handle one ASGI connection."""
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        from starlette.requests import HTTPConnection

        conn = HTTPConnection(scope)
        if self._ok(conn.cookies.get(self.cookie)):
            await self.app(scope, receive, send)
            return
        if kind == "http" and self._ok(conn.query_params.get(TOKEN_PARAM)):
            query = [(k, v) for k, v in conn.query_params.multi_items() if k != TOKEN_PARAM]
            location = scope.get("root_path", "") + scope["path"]
            if query:
                location += "?" + urllib.parse.urlencode(query)
            cookie = f"{self.cookie}={self.token.decode()}; Path=/; HttpOnly; SameSite=Strict"
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode()),
                                    (b"set-cookie", cookie.encode()),
                                    (b"cache-control", b"no-store"),
                                    (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(FORBIDDEN)).encode())]})
        await send({"type": "http.response.body", "body": FORBIDDEN})


def die_with_parent() -> None:
    """Ask Linux to send SIGTERM when the parent (the CLI) dies; exit if it is already gone."""
    expected = os.environ.get(PARENT_ENV)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    if expected is not None and str(os.getppid()) != expected:
        sys.exit(0)  # the parent died before prctl took effect


def build_app(port: int, production: bool = True) -> Any:
    """Solara's ASGI app serving :data:`APP`, behind :class:`TokenGate` if a token is set."""
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ["SOLARA_APP"] = str(APP)
    os.environ["SOLARA_MODE"] = "production" if production else "development"
    from solara.server import settings

    settings.main.mode = os.environ["SOLARA_MODE"]
    settings.telemetry.mixpanel_enable = False
    # Solara warns on every page load served over plain http to a host not named "localhost"
    # (its session cookie falls back to SameSite=Lax, which is what a non-embedded page wants)
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import solara.server.starlette

    app: Any = solara.server.starlette.app
    token = os.environ.pop(TOKEN_ENV, "")
    if token:
        app = TokenGate(app, token, port)
    return app


def serve(sock: socket.socket, production: bool = True) -> None:
    """Serve the dashboard on a bound, listening socket until SIGTERM/SIGINT."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    os.environ["SERVER_NAME"] = str(host)
    os.environ["SERVER_PORT"] = str(port)
    app = build_app(int(port), production)
    config = uvicorn.Config(app, log_config=LOG_CONFIG, lifespan="on", access_log=False,
                            timeout_graceful_shutdown=GRACE_SECONDS)
    _server_class()(config).run(sockets=[sock])


def _server_class() -> Any:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, quiet about the connections it cancels when told to stop."""

        async def shutdown(self, sockets: Any = None) -> None:
            # Open websockets past GRACE_SECONDS are cancelled on purpose; uvicorn would log
            # each as "Exception in ASGI application" with a traceback.
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
            await super().shutdown(sockets=sockets)

    return Server


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m dashboards.server --fd N [--no-production]``."""
    ap = argparse.ArgumentParser(description="Serve the dashboard on an inherited socket "
                                             "(started by 'escalation dashboard').")
    ap.add_argument("--fd", type=int, required=True, help="file descriptor of a listening socket")
    ap.add_argument("--production", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args(argv)
    die_with_parent()
    sock = socket.socket(fileno=args.fd)
    serve(sock, args.production)
    return 0


if __name__ == "__main__":
    sys.exit(main())
