"""Helpers to drive the dashboard in a real browser (tests and ``scripts/screenshots.py``).

:func:`serve` starts ``escalation dashboard`` on a free loopback port in a child process and
waits until it answers (with the access token when one is required); :func:`launch_chromium`
starts Debian's Chromium through Playwright with the flags these machines need (Playwright's
own browser download is not used); the ``page_*`` functions wrap the few page interactions the
tests and the screenshot script share.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("ESCALATION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served(str):
    """Base URL of a running dashboard (``http://127.0.0.1:PORT``), with its process and token."""

    proc: subprocess.Popen[bytes]
    token: str
    output: list[str]

    @property
    def port(self) -> int:
        """The port the server bound."""
        return int(self.rsplit(":", 1)[1])

    def url(self, path: str = "/") -> str:
        """Address of ``path`` with the access token (if any), as the CLI prints it."""
        if not self.token:
            return self + path
        return self + path + ("&" if "?" in path else "?") + "token=" + self.token


URL_LINE = re.compile(r"dashboard: serving on (http://\S+?)/(?:\?token=(\S+))? ")


@contextlib.contextmanager
def serve(port: int = 0, timeout: float = 90.0, log: Path | None = None,
          args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run ``escalation dashboard`` (loopback, ``--port 0`` by default); yield its base URL.

    The URL is read from the line the command prints, so it is the port really bound. Output
    goes to ``log`` (if given) and to ``Served.output``. On exit the command gets SIGTERM (as a
    user's Ctrl-C or a service manager would send), then SIGKILL after 15 s.
    """
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", **(env or {})}
    cmd = [sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port), "--host",
           "127.0.0.1", *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    lines: list[str] = []
    found: list[re.Match[str]] = []
    ready = threading.Event()

    def pump() -> None:
        out = open(log, "w") if log else None  # noqa: SIM115 - closed below
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode(errors="replace")
                lines.append(line)
                if out:
                    out.write(line)
                    out.flush()
                m = URL_LINE.search(line)
                if m and not found:
                    found.append(m)
                    ready.set()
        finally:
            ready.set()
            if out:
                out.close()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + timeout
        ready.wait(timeout)
        if not found:
            proc.poll()
            raise RuntimeError(f"dashboard did not announce its address (status {proc.returncode})"
                               f":\n{''.join(lines)[-2000:]}")
        served = Served(found[0].group(1))
        served.proc, served.token, served.output = proc, found[0].group(2) or "", lines
        headers = {"Cookie": f"escalation_dashboard_token_{served.port}={served.token}"}
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"dashboard server exited early (status {proc.returncode})")
            try:
                req = urllib.request.Request(served + "/", headers=headers)
                with urllib.request.urlopen(req, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"dashboard server not answering on {served} after {timeout}s")
            time.sleep(0.5)
        yield served
    finally:
        stop(proc)
        reader.join(timeout=5)


def stop(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    """SIGTERM the command (only it: it must stop its server itself); SIGKILL its group late."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's Chromium (headless) through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))


def page_open(page: Any, url: str, timeout: float = 60_000) -> None:
    """Load the single-run page and wait until the controls and components are drawn."""
    page.goto(url)
    page.get_by_role("button", name="Step", exact=True).wait_for(timeout=timeout)
    page.locator(".path-line").wait_for(timeout=timeout)
    page.locator(".timeline img").wait_for(timeout=timeout)


def page_day(page: Any) -> int:
    """Day the page's run is on."""
    return int(page.locator(".path-line").get_attribute("data-day"))


def page_wait_day(page: Any, predicate: Any, timeout: float = 60.0) -> int:
    """Wait until ``predicate(day)`` holds for the day shown; return that day."""
    deadline = time.monotonic() + timeout
    while True:
        day = page_day(page)
        if predicate(day):
            return day
        if time.monotonic() > deadline:
            raise TimeoutError(f"day {day} did not reach the expected value in {timeout}s")
        time.sleep(0.2)


def page_step(page: Any, times: int = 1) -> int:
    """Press Step ``times`` times, each time waiting for the next day; return the day."""
    day = page_day(page)
    for _ in range(times):
        page.get_by_role("button", name="Step", exact=True).click()
        day = page_wait_day(page, lambda d, before=day: d > before)
    return day


def page_play_until(page: Any, day: int, timeout: float = 90.0) -> int:
    """Press Play, wait until the run reaches ``day``, press Pause; return the day it stops."""
    page.get_by_role("button", name="▶", exact=True).click()
    page_wait_day(page, lambda d: d >= day, timeout)
    page.get_by_role("button", name="❚❚", exact=True).click()
    page.get_by_role("button", name="Step", exact=True).and_(page.locator(":enabled")).wait_for()
    time.sleep(0.5)
    return page_day(page)


def page_render_every(page: Any, presses: int) -> None:
    """Raise Mesa's "Render Interval" slider by ``presses`` notches (2 steps each)."""
    slider = page.locator(".v-input").filter(has_text="Render Interval").locator(
        ".v-slider__thumb-container")
    slider.focus()
    for _ in range(presses):
        slider.press("ArrowRight")


def page_choose_preset(page: Any, name: str) -> None:
    """Pick a posture preset in the sidebar's select."""
    page.locator(".v-select").filter(has_text="posture preset").click()
    page.locator(".v-menu__content .v-list-item").filter(has_text=name).first.click()


def page_set_seed(page: Any, seed: str) -> None:
    """Type a seed (text, as a user would) into the seed field and commit it."""
    field = page.get_by_label("Seed (whole number, 0 or more)")
    field.fill(seed)
    field.press("Enter")


def page_model(page: Any) -> str:
    """Token of the model the page shows (changes on Reset)."""
    return str(page.locator(".path-line").get_attribute("data-model"))


def page_reset(page: Any, timeout: float = 60.0) -> None:
    """Press Reset and wait until the page shows the new model, on day 0."""
    before = page_model(page)
    page.get_by_role("button", name="Reset", exact=True).click()
    deadline = time.monotonic() + timeout
    while page_model(page) == before or page_day(page) != 0:
        if time.monotonic() > deadline:
            raise TimeoutError(f"Reset did not show a new model in {timeout}s")
        time.sleep(0.2)


def page_nudge(page: Any, label: str = "revenge", right: bool = True) -> None:
    """Move a sidebar slider (found by its label) one notch: a message from browser to server.

    Model parameters apply only on Reset, so this changes nothing in the run; it makes the
    server render the page from the websocket's thread, as any click or slider move does.
    """
    slider = page.locator(".v-input").filter(has_text=label).locator(
        ".v-slider__thumb-container").first
    slider.focus()
    slider.press("ArrowRight" if right else "ArrowLeft")


def page_playing(page: Any) -> bool:
    """Whether the page shows the run playing (the Pause button)."""
    return page.get_by_role("button", name="❚❚", exact=True).count() > 0


def page_fill(page: Any, label: str, text: str) -> None:
    """Type ``text`` into the field labelled exactly ``label`` and commit it (Enter)."""
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")


def page_choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select labelled exactly ``label``."""
    page.locator(".v-select").filter(has=page.locator("label").get_by_text(label, exact=True)).first.click()
    page.locator(".v-menu__content.menuable__content__active .v-list-item").filter(has_text=option).first.click()


def page_wait_attr(page: Any, css: str, attr: str, value: str, timeout: float = 60.0) -> None:
    """Wait until the element ``css`` exists with ``attr`` equal to ``value``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        el = page.locator(css)
        if el.count() and el.first.get_attribute(attr) == value:
            return
        time.sleep(0.2)
    raise TimeoutError(f"{css}[{attr}={value!r}] did not appear in {timeout}s")
