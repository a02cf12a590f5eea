"""Remake the README's screenshot of the results page (docs/results.png).

    python scripts/screenshot.py [--out docs/results.png] [--case examples/cases/fentanyl-oxycodone-782-2013.yaml]

Serves the app on a free loopback port, opens it in headless Chromium (the system's /usr/bin/chromium, driven by
Playwright; nothing is downloaded), uploads the case file, types a caption (the example's story names the
defendant; the file has no caption fields) and photographs the results at laptop width (1280 px).
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SENTCALC_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    from sentcalc.web.app import create_app
    from sentcalc.web.serve import Background

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "results.png")
    p.add_argument("--case", type=Path, default=ROOT / "examples" / "cases" / "fentanyl-oxycodone-782-2013.yaml")
    p.add_argument("--today", default="2026-11-25", help="the date taken as today (fixed, so the picture is stable)")
    p.add_argument("--height", type=int, default=1500, help="how much of the page to photograph (px)")
    p.add_argument("--defendant", default="Erik Lindqvist")
    p.add_argument("--court", default="United States District Court for the District of Minnesota")
    p.add_argument("--docket", default="0:12-cr-00144")
    a = p.parse_args()
    with Background(create_app(date.fromisoformat(a.today))) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": a.height}, device_scale_factor=1)
        page.goto(url + "/")
        page.set_input_files("#case-file", str(a.case))
        page.click("form.upload button")
        page.wait_for_selector("#results")
        for name, value in (("defendant", a.defendant), ("court", a.court), ("docket", a.docket)):
            if value:  # the caption a lawyer would add (the bundled cases have none)
                page.fill(f'[name="{name}"]', value)
        page.click("#compute")
        page.wait_for_selector("#results")
        a.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(a.out), full_page=False)
        browser.close()
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
