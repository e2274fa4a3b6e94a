"""The dashboard in a real browser: Debian's Chromium driven by Playwright, offline.

One server (``escalation dashboard`` on a free loopback port) serves every test of this module;
each test opens its own browser context (a separate Solara session). These tests must run in
CI, not skip: a missing Chromium or Solara asset cache is a failure.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dashboards import devtools as D
from sim.core.outcomes import PATHS
from tests.sweep_results import make_results

pytestmark = pytest.mark.browser

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
        assert "Traceback" not in text, text[-3000:]


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
    old = make_results(results / "old", schema_version=None)
    ctx = chromium.new_context(viewport=VIEW)
    try:
        p = ctx.new_page()
        p.goto(f"{server}/sweep?dir={good}")
        p.locator(".sweep-results img").nth(2).wait_for(timeout=60_000)
        summary = p.locator(".sweep-summary")
        assert summary.get_attribute("data-runs") == "240"
        assert summary.get_attribute("data-factors") == "2"
        assert p.locator(".path-table tr").count() == 1 + len(PATHS)  # header + every path
        assert "Path probability vs actors.iran.revenge_weight" in p.content()
        field = p.get_by_label("Results folder (written by 'escalation sweep')")
        for folder, message in ((results / "nope", "not a results folder under the results root"),
                                (old, "older version")):
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
