"""The dashboard in a real browser: Debian's Chromium driven by Playwright, offline.

One server (``escalation dashboard`` on a free loopback port) serves every test of this module;
each test opens its own browser context (a separate Solara session). These tests must run in
CI, not skip: a missing Chromium or Solara asset cache is a failure.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from dashboards import devtools as D
from dashboards.sweep import outside_message
from sim.core.outcomes import PATHS
from tests.sweep_results import make_results

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # full tier: a real browser and a server

VIEW = {"width": 1400, "height": 1100}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The results root the test server reads (``--results-root``)."""
    return tmp_path_factory.mktemp("results")


@pytest.fixture(scope="module")
def server(tmp_path_factory, results):
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    try:
        with D.serve(log=log, args=("--results-root", str(results))) as url:
            yield url
    finally:
        text = log.read_text() if log.exists() else ""
        for bad in ("Traceback", "raised exception", "Too many renders", "error in step"):
            assert bad not in text, text[-3000:]


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(D.CHROMIUM).exists(), f"{D.CHROMIUM} missing: apt-get install -y chromium"
    with sync_playwright() as pw:
        b = D.launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture
def run_page(chromium, server):
    ctx = chromium.new_context(viewport=VIEW)
    p = ctx.new_page()
    D.page_open(p, server + "/")
    yield p
    ctx.close()


def _src(page, css: str) -> str:
    return page.locator(f"{css} img").get_attribute("src")


def _log_count(page) -> int:
    return int(page.locator(".event-log").get_attribute("data-count"))


def test_step_and_play_change_timeline_log_and_map(run_page):
    page = run_page
    D.page_set_seed(page, "7")
    D.page_choose_preset(page, "s3_middle_ground")
    D.page_reset(page)
    assert page.locator(".path-line").get_attribute("data-preset") == "s3_middle_ground"
    assert page.locator(".path-line").get_attribute("data-seed") == "7"
    before = {c: _src(page, c) for c in (".timeline", ".map")}
    assert _log_count(page) == 0
    assert D.page_step(page, 2) == 2
    day = D.page_play_until(page, 12)
    assert day >= 12
    time.sleep(1.0)  # the last render after Pause
    for css, src in before.items():
        assert _src(page, css) != src, f"{css} did not change"
    assert _log_count(page) > 0
    assert page.locator(".event-log li").count() > 0
    first = page.locator(".event-log li").first.inner_text()
    assert first.startswith("Day ")
    assert page.get_by_text("Tracking:").count() == 1


def test_posture_change_and_reset(run_page):
    page = run_page
    D.page_step(page, 3)
    D.page_choose_preset(page, "s1_major_escalation")
    D.page_reset(page)
    line = page.locator(".path-line")
    assert line.get_attribute("data-preset") == "s1_major_escalation"
    assert line.get_attribute("data-day") == "0"
    assert _log_count(page) == 0
    assert D.page_step(page, 1) == 1


def test_bad_seed_shows_a_message_and_page_keeps_working(run_page):
    page = run_page
    D.page_set_seed(page, "forty-two")
    D.page_reset(page)
    warn = page.locator(".input-problem")
    warn.wait_for(timeout=30_000)
    assert "not a whole number" in warn.inner_text()
    assert D.page_step(page, 1) == 1
    D.page_set_seed(page, "5")
    D.page_reset(page)
    assert page.locator(".input-problem").count() == 0


def test_two_sessions_are_independent(chromium, server):
    a_ctx, b_ctx = chromium.new_context(viewport=VIEW), chromium.new_context(viewport=VIEW)
    try:
        a, b = a_ctx.new_page(), b_ctx.new_page()
        D.page_open(a, server + "/")
        D.page_open(b, server + "/")
        assert D.page_model(a) != D.page_model(b)
        assert D.page_step(a, 3) == 3
        assert D.page_day(b) == 0
        assert D.page_step(b, 1) == 1
        assert D.page_day(a) == 3
        D.page_choose_preset(b, "s4_political_pressure")
        D.page_reset(b)
        assert a.locator(".path-line").get_attribute("data-preset") == "baseline"
        assert D.page_day(a) == 3
    finally:
        a_ctx.close()
        b_ctx.close()


def test_sweep_page(chromium, server, results):
    good = make_results(results / "good")
    old = make_results(results / "old", replicates=1)
    manifest = json.loads((old / "manifest.json").read_text())
    (old / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))
    ctx = chromium.new_context(viewport=VIEW)
    try:
        p = ctx.new_page()
        p.goto(f"{server}/sweep?dir={good}")
        p.locator(".sweep-results img").nth(2).wait_for(timeout=60_000)
        summary = p.locator(".sweep-summary")
        assert summary.get_attribute("data-runs") == "60"
        assert summary.get_attribute("data-factors") == "2"
        assert p.locator(".path-table tr").count() == 1 + len(PATHS)  # header + every path
        assert "Path probability vs actors.iran.revenge_weight" in p.content()
        field = p.get_by_label("Results folder (written by 'escalation sweep')")
        for folder, message in ((results / "nope", "not a results folder under the results root"),
                                (old, "this version reads format 2")):
            field.fill(str(folder))
            field.press("Enter")
            p.locator(".sweep-error").filter(has_text=message).wait_for(timeout=30_000)
        field.fill(str(good))
        field.press("Enter")
        p.locator(".sweep-results img").nth(2).wait_for(timeout=60_000)
        # the server still serves other sessions after the bad folders
        other = ctx.new_page()
        D.page_open(other, server + "/")
        assert D.page_step(other, 1) == 1
    finally:
        ctx.close()


# ------------------------------------------------------------------------------ hardening
XSS = '<img src=x onerror="window.__xss=1">'


def test_sweep_names_from_a_folder_are_shown_as_text(chromium, server, results):
    import json

    import pandas as pd

    from sim.experiments.store import sha256_file

    folder = make_results(results / "evil")
    mf = json.loads((folder / "manifest.json").read_text())
    mf["spec"]["name"] = XSS
    # Hostile path labels written the way a crafted folder would carry them: each part rewritten
    # in place with its checksum re-recorded (a folder that fails its checksums never renders).
    for name, entry in mf["parts"].items():
        part = folder / "runs" / name
        runs = pd.read_parquet(part)
        runs.loc[runs.index[:3], "path"] = "<script>window.__xss=2</script>"
        runs.to_parquet(part, index=False)
        entry["sha256"], entry["bytes"] = sha256_file(part), part.stat().st_size
    (folder / "manifest.json").write_text(json.dumps(mf))
    ctx = chromium.new_context(viewport=VIEW)
    try:
        p = ctx.new_page()
        p.goto(f"{server}/sweep?dir=evil")
        p.locator(".sweep-results img").nth(2).wait_for(timeout=60_000)
        time.sleep(1.0)
        assert p.evaluate("window.__xss") is None
        assert p.locator(".sweep-name").inner_text() == XSS
        assert p.locator(".sweep-summary img").count() == 0
        assert "<script>window.__xss=2</script>" in p.locator(".path-table").inner_text()
    finally:
        ctx.close()


def test_folders_outside_the_results_root_get_one_message(chromium, server, results, tmp_path):
    make_results(tmp_path / "outside")
    (results / "link_out").symlink_to(tmp_path / "outside")
    (results / "plain_file").write_text("x")
    ctx = chromium.new_context(viewport=VIEW)
    root = results.resolve()
    try:
        p = ctx.new_page()
        for typed in ("../../../../etc", "/etc", str(tmp_path / "outside"), "link_out",
                      "no_such_folder", "plain_file", "/etc/passwd"):
            p.goto(f"{server}/sweep?dir={typed}")
            err = p.locator(".sweep-error")
            err.wait_for(timeout=60_000)
            assert err.inner_text().strip() == outside_message(typed, root), typed
            assert p.locator(".sweep-results").count() == 0
        # and the page still works for a folder inside the root
        make_results(results / "fine")
        p.goto(f"{server}/sweep?dir=fine")
        p.locator(".sweep-results img").nth(2).wait_for(timeout=60_000)
    finally:
        ctx.close()


def test_token_is_required_when_forced_on_loopback(chromium, tmp_path_factory):
    log = tmp_path_factory.mktemp("dashboard-token") / "server.log"
    with D.serve(log=log, args=("--token", "on")) as url:
        assert url.token
        ctx = chromium.new_context(viewport=VIEW)
        try:
            p = ctx.new_page()
            resp = p.goto(url + "/")
            assert resp.status == 403 and "access token" in p.content()
            assert p.locator(".v-btn").count() == 0
            D.page_open(p, url.url("/"))  # the address as printed: redirect, cookie, the app
            assert "token=" not in p.url
            assert D.page_step(p, 1) == 1
            other = chromium.new_context(viewport=VIEW)  # another browser: no cookie
            try:
                q = other.new_page()
                assert q.goto(url + "/").status == 403
                assert q.goto(url + "/?token=" + "x" * len(url.token)).status == 403
            finally:
                other.close()
        finally:
            ctx.close()


def test_five_sessions_playing_all_advance_while_the_page_is_used(chromium, server):
    """Five sessions play at once while each page keeps sending the server messages.

    Before the fix a page froze on a day in "playing" state (1 in 3 trials of the issue's
    probe): a render started by a browser message ran in the websocket's thread and never
    committed while Mesa's play thread stepped on, unwaited (see dashboards/single_run.py).
    The nudges are spaced: each message costs a render of the whole page, and uvicorn stops
    reading a websocket (pongs included) until the app took its last message, so a page that
    sends faster than an overloaded server renders is disconnected by the keepalive timeout.
    """
    n, duration = 5, 75.0
    contexts = [chromium.new_context(viewport=VIEW) for _ in range(n)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:
            D.page_open(p, server + "/")
        assert len({D.page_model(p) for p in pages}) == n
        for p in pages:
            p.get_by_role("button", name="▶", exact=True).click()
        changed = [time.monotonic()] * n
        last = [D.page_day(p) for p in pages]
        longest = [0.0] * n
        t0 = time.monotonic()
        nudged = 0.0
        while time.monotonic() - t0 < duration:
            if time.monotonic() - nudged > 8:  # now and then, as a user would; more often
                nudged = time.monotonic()       # floods an overloaded server (see below)
                for p in pages:
                    D.page_nudge(p, right=int(nudged) % 2 == 0)
            for i, p in enumerate(pages):
                day, now = D.page_day(p), time.monotonic()
                if day != last[i]:
                    last[i], changed[i] = day, now
                longest[i] = max(longest[i], now - changed[i])
            time.sleep(0.5)
        now = time.monotonic()
        longest = [max(s, now - c) for s, c in zip(longest, changed, strict=True)]
        assert all(D.page_playing(p) for p in pages)
        assert min(last) >= 3, f"days shown: {last}"
        assert max(longest) < 30, f"a page showed the same day for {max(longest):.0f}s: {longest}"
        # Pause is handled at once by every page, and the day shown then stays put
        for p in pages:
            p.get_by_role("button", name="❚❚", exact=True).click()
        for p in pages:
            p.get_by_role("button", name="▶", exact=True).wait_for(timeout=30_000)
        time.sleep(3.0)
        paused = [D.page_day(p) for p in pages]
        time.sleep(3.0)
        assert [D.page_day(p) for p in pages] == paused
        assert all(p.locator(".v-alert").filter(has_text="error").count() == 0 for p in pages)
    finally:
        for c in contexts:
            c.close()
