"""Write the README's dashboard screenshots: docs/img/single_run.png, fan_chart.png, branch.png, play.png, sweep.png.

Usage: ``.venv/bin/python scripts/screenshots.py [--sweep DIR] [--day 75]``

Starts ``escalation dashboard`` on a free loopback port, drives Debian's Chromium (offline: the
Solara asset cache is filled by ``scripts/setup.sh``), plays a single run under the S3 posture
preset to mid-crisis (and its fan chart), branches the historical run (the US forced to strike
KH's home on day 20), plays 36 days in the US seat, and opens the sweep page. Without ``--sweep``
a small demo sweep (two factors x 8 replicates, 90 days) is run with ``sim.sweep`` into a temporary
folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboards import devtools  # noqa: E402
from sim.experiments.runner import sweep  # noqa: E402

DEMO_FACTORS = {
    "actors.iran.revenge_weight": [0.4, 0.9, 1.4, 2.0, 3.0],
    "actors.united_states.retaliation_weight": [0.4, 0.9, 2.0],
}


def demo_sweep(out: Path, replicates: int = 8, days: int = 90, master_seed: int = 2020) -> Path:
    """Run a small grid sweep with ``sim.sweep`` (the real writer) into ``out``."""
    spec = {"name": "demo: revenge vs US retaliation", "base": str(ROOT / "configs" / "baseline.yaml"),
            "days": days, "sampler": "grid", "replicates": replicates, "master_seed": master_seed,
            "factors": {k: {"levels": v} for k, v in DEMO_FACTORS.items()}}
    return sweep(spec, out, progress=False)


def studio_shots(page: Any, url: str, out: Path) -> None:
    """A branch of the historical run and a played session (30 days in the US seat)."""
    page.goto(url + "/branch")
    page.locator(".branch-run").wait_for(timeout=60_000)
    devtools.page_fill(page, "Days", "187")
    devtools.page_fill(page, "Fork at day", "20")
    devtools.page_choose(page, "Act", "strike_militias")
    page.get_by_role("button", name="force", exact=True).click()
    page.locator(".branch-run").click()
    page.locator(".branch-diverged").wait_for(timeout=300_000)
    page.locator(".fan-chart img").wait_for(timeout=300_000)
    time.sleep(1.0)
    page.screenshot(path=str(out / "branch.png"), full_page=True)
    print(f"screenshots: wrote {out / 'branch.png'}")
    page.goto(url + "/play")
    page.locator(".play-start").wait_for(timeout=60_000)
    devtools.page_fill(page, "Days", "187")
    page.locator(".play-start").click()
    devtools.page_wait_attr(page, ".play-status", "data-day", "0")
    for day in range(1, 5):
        page.locator(".play-week").click()
        devtools.page_wait_attr(page, ".play-status", "data-day", str(7 * day))
    page.get_by_text("strike_militias (model:").click()
    page.locator(".play-day").click()
    devtools.page_wait_attr(page, ".play-status", "data-day", "29")
    page.locator(".play-week").click()
    devtools.page_wait_attr(page, ".play-status", "data-day", "36")
    page.locator(".fan-chart img").wait_for(timeout=300_000)
    time.sleep(1.0)
    page.screenshot(path=str(out / "play.png"), full_page=True)
    print(f"screenshots: wrote {out / 'play.png'}")


def main() -> int:
    """Take both screenshots."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", default=None, help="results folder (default: a demo sweep)")
    ap.add_argument("--keep-demo", default=None, metavar="DIR",
                    help="write the demo sweep to DIR (reused if it exists) instead of a temp dir")
    ap.add_argument("--day", type=int, default=60, help="day of the single-run screenshot")
    ap.add_argument("--preset", default="s3_middle_ground", help="posture preset shown")
    ap.add_argument("--seed", default="7", help="seed of the single run shown")
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"), help="output folder")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="escalation-shots-") as tmp:
        if args.sweep:
            sweep_dir = Path(args.sweep)
        elif args.keep_demo and (Path(args.keep_demo) / "manifest.json").is_file():
            sweep_dir = Path(args.keep_demo)
        else:
            t = time.monotonic()
            sweep_dir = demo_sweep(Path(args.keep_demo or Path(tmp) / "demo_sweep"))
            print(f"screenshots: demo sweep written in {time.monotonic() - t:.0f}s")
        sweep_dir = sweep_dir.resolve()
        root = ("--results-root", str(sweep_dir.parent))  # the page reads under its root only
        with devtools.serve(args=root) as url, sync_playwright() as pw:
            browser = devtools.launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1600, "height": 1350})
            devtools.page_open(page, url + "/")
            print(f"screenshots: dashboard up at {url}", flush=True)
            devtools.page_set_seed(page, args.seed)
            devtools.page_choose_preset(page, args.preset)
            devtools.page_reset(page)
            devtools.page_render_every(page, 2)
            day = devtools.page_play_until(page, args.day)
            print(f"screenshots: paused on day {day}", flush=True)
            page.screenshot(path=str(out / "single_run.png"), full_page=True)
            print(f"screenshots: wrote {out / 'single_run.png'}")
            page.locator(".fan-chart img").wait_for(timeout=300_000)
            time.sleep(1.0)
            page.locator(".card-fan").screenshot(path=str(out / "fan_chart.png"))
            print(f"screenshots: wrote {out / 'fan_chart.png'}")
            studio_shots(page, url, out)
            page.goto(f"{url}/sweep?dir={sweep_dir.name}")
            page.locator(".sweep-results img").first.wait_for(timeout=60_000)
            time.sleep(1.0)
            page.screenshot(path=str(out / "sweep.png"), full_page=True)
            print(f"screenshots: wrote {out / 'sweep.png'}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
