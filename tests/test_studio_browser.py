"""The what-if studio in a real browser (Debian's Chromium through Playwright, offline): the run over
its ensemble's fan chart, a branch, a played, saved and replayed session, bad input as a message,
and two sessions playing different seats without seeing each other.

One server serves the module, with its own results root (where sessions are saved) and its own
fan cache (so the first fan is computed in the background, as on a fresh machine).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from dashboards import devtools as D

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEW = {"width": 1400, "height": 1200}
LONG = 180_000  # ms: a fan of 300 runs is computed on a shared 2-core machine


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return tmp_path_factory.mktemp("studio-results")


@pytest.fixture(scope="module")
def server(tmp_path_factory, results):
    log = tmp_path_factory.mktemp("studio-dashboard") / "server.log"
    cache = tmp_path_factory.mktemp("fans")
    try:
        with D.serve(log=log, args=("--results-root", str(results)),
                     env={"ESCALATION_FAN_CACHE": str(cache)}) as url:
            yield url
    finally:
        text = log.read_text() if log.exists() else ""
        for bad in ("Traceback", "raised exception", "Too many renders"):
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
def page(chromium):
    ctx = chromium.new_context(viewport=VIEW)
    yield ctx.new_page()
    ctx.close()


def _percentiles(p) -> dict[str, float]:
    rows = p.locator(".fan-percentiles tr[data-series]")
    return {rows.nth(i).get_attribute("data-series"): float(rows.nth(i).get_attribute("data-percentile"))
            for i in range(rows.count())}


_fill = D.page_fill
_choose = D.page_choose


def test_the_single_run_over_its_fan_chart(page, server):
    D.page_open(page, server + "/")
    page.locator(".fan-chart img").wait_for(timeout=LONG)  # computed in the background
    assert page.locator(".fan-meta").inner_text().startswith("ensemble: 300 runs")
    first = _percentiles(page)
    assert set(first) == {"attacks", "us_killed", "tension", "us_troops", "sentiment"}
    assert all(0.0 <= v <= 100.0 for v in first.values())
    before = page.locator(".fan-chart img").get_attribute("src")
    D.page_step(page, 5)
    deadline = time.monotonic() + 30
    while page.locator(".fan-chart img").get_attribute("src") == before and time.monotonic() < deadline:
        time.sleep(0.3)
    assert page.locator(".fan-chart img").get_attribute("src") != before  # the run's line grew
    # the new actors on screen: tracks, PM, Dialogue, truce, tactics
    assert "military track" in page.locator(".path-line").inner_text()
    world = page.locator(".world-state").inner_text()
    for label in ("Iraqi executive", "Strategic Dialogue", "Militia truce", "Attacks by tactic"):
        assert label in world


def test_branch_marks_the_first_difference(page, server):
    page.goto(server + "/branch")
    page.locator(".branch-run").wait_for(timeout=60_000)
    _fill(page, "Days", "60")
    _fill(page, "Fork at day", "12")
    _choose(page, "Actor", "Iran")
    _choose(page, "Act", "direct_strike")
    page.get_by_role("button", name="force", exact=True).click()
    page.locator(".branch-run").click()
    mark = page.locator(".branch-diverged")
    mark.wait_for(timeout=LONG)
    assert mark.get_attribute("data-fork") == "12"
    assert mark.get_attribute("data-day") == "12"  # a forced strike changes the world that day
    page.locator(".fan-chart img").wait_for(timeout=LONG)
    table = page.locator(".outcomes").inner_text()
    assert "A: as configured" in table and "Iran must direct_strike" in table


def test_branch_bad_input_is_a_message(page, server):
    page.goto(server + "/branch")
    page.locator(".branch-run").wait_for(timeout=60_000)
    _fill(page, "Days", "sixty")
    page.locator(".branch-run").click()
    page.locator(".input-problem").filter(has_text="not a whole number").wait_for(timeout=30_000)
    _fill(page, "Days", "40")
    _fill(page, "Fork at day", "45")
    page.locator(".branch-run").click()
    page.locator(".input-problem").filter(has_text="out of range").wait_for(timeout=30_000)
    _fill(page, "or parameter (dotted path)", "actors.nobody.weight")
    _fill(page, "value", "1")
    _fill(page, "Fork at day", "5")
    page.locator(".branch-run").click()
    page.locator(".input-problem").filter(has_text="actors.nobody").wait_for(timeout=30_000)
    _fill(page, "or parameter (dotted path)", "")
    page.locator(".branch-run").click()  # the page still works
    page.locator(".branch-diverged").wait_for(timeout=LONG)


def _status(p, css: str = ".play-status") -> dict[str, str]:
    el = p.locator(css)
    return {k: el.get_attribute(f"data-{k}") for k in ("day", "seat", "seed", "moves", "path", "done")}


def _wait_day(p, day: int, css: str = ".play-status") -> None:
    D.page_wait_attr(p, css, "data-day", str(day))


def _start(p, server, seat: str, seed: str, days: str) -> None:
    p.goto(server + "/play")
    p.locator(".play-start").wait_for(timeout=60_000)
    _fill(p, "Seed", seed)
    _fill(p, "Days", days)
    if seat != "United States":
        _choose(p, "Seat", seat)
    p.locator(".play-start").click()
    _wait_day(p, 0)


def test_play_save_and_replay_exactly(page, server, results):
    _start(page, server, "United States", "7", "30")
    assert _status(page)["seat"] == "United States"
    assert "model:" in page.locator(".play-acts").inner_text()  # the advice beside each act
    page.get_by_text("strike_militias (model:").click()
    page.locator(".play-day").click()
    _wait_day(page, 1)
    page.locator(".play-week").click()
    _wait_day(page, 8)
    page.locator(".play-save").click()
    page.locator(".play-saved").wait_for(timeout=30_000)
    name = page.locator(".play-saved").get_attribute("data-name")
    played = _status(page)
    saved = json.loads((results / "sessions" / f"{name}.json").read_text())
    assert [m["day"] for m in saved["moves"]] == list(range(8))
    assert "strike_militias" in saved["moves"][0]["acts"]
    assert saved["outcome"]["path"] == played["path"]
    # replay it in a fresh page
    page.goto(server + "/play")
    page.locator(".replay-load").wait_for(timeout=60_000)
    _choose(page, "Saved session", name)
    page.locator(".replay-load").click()
    _wait_day(page, 0, ".replay-status")
    page.locator(".replay-step").click()
    _wait_day(page, 1, ".replay-status")
    assert "strike_militias" in page.locator(".replay-status").inner_text()
    page.locator(".replay-end").click()
    _wait_day(page, 8, ".replay-status")
    assert page.locator(".replay-check").get_attribute("data-same") == "true"
    assert page.locator(".replay-status").get_attribute("data-path") == played["path"]


def test_play_bad_input_is_a_message(page, server):
    page.goto(server + "/play")
    page.locator(".play-start").wait_for(timeout=60_000)
    _fill(page, "Seed", "seven")
    page.locator(".play-start").click()
    page.locator(".input-problem").filter(has_text="not a whole number").wait_for(timeout=30_000)
    _fill(page, "Seed", "3")
    _fill(page, "Days", "0")
    page.locator(".play-start").click()
    page.locator(".input-problem").filter(has_text="out of range").wait_for(timeout=30_000)
    _fill(page, "Days", "10")
    page.locator(".play-start").click()
    _wait_day(page, 0)


def test_two_sessions_play_different_seats_apart(chromium, server):
    a_ctx, b_ctx = chromium.new_context(viewport=VIEW), chromium.new_context(viewport=VIEW)
    try:
        a, b = a_ctx.new_page(), b_ctx.new_page()
        _start(a, server, "United States", "7", "20")
        _start(b, server, "Iran", "9", "20")
        a.locator(".play-day").click()
        _wait_day(a, 1)
        a.locator(".play-day").click()
        _wait_day(a, 2)
        assert _status(b)["day"] == "0" and _status(b)["seat"] == "Iran"
        b.locator(".play-day").click()
        _wait_day(b, 1)
        sa, sb = _status(a), _status(b)
        assert (sa["seat"], sa["seed"], sa["day"], sa["moves"]) == ("United States", "7", "2", "2")
        assert (sb["seat"], sb["seed"], sb["day"], sb["moves"]) == ("Iran", "9", "1", "1")
        assert b.locator(".play-strategy").count() == 1 and a.locator(".play-strategy").count() == 0
    finally:
        a_ctx.close()
        b_ctx.close()
