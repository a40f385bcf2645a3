"""Take the README's picture of Explore (docs/explore.png), or of any page and link, in Chromium.

Run from the repository root (needs Chromium, ``apt-get install chromium``, and the dev
requirements)::

    python scripts/screenshot.py                                  # docs/explore.png
    python scripts/screenshot.py --path /compare --query present=true --out /tmp/compare.png

It starts ``streamlit run app.py`` on a free loopback port, opens the page in headless
Chromium at 1,440 x 1,100 pixels, waits until the run is over and the answer's odds are in,
and saves the screenshot.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import ARTIFACTS, CHROMIUM_ARGS, free_port, start_streamlit, stop_process  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--path", default="/", help="the page's path (default /, Explore)")
    ap.add_argument("--query", action="append", default=[], metavar="NAME=VALUE",
                    help="a link field, repeatable (e.g. present=true)")
    ap.add_argument("--width", type=int, default=1440, help="viewport width, px (default 1440)")
    ap.add_argument("--height", type=int, default=1100, help="viewport height, px (default 1100)")
    ap.add_argument("--full-page", action="store_true", help="the whole page, not one screen")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "explore.png", help="the PNG to write")
    args = ap.parse_args(argv)
    query = []
    for item in args.query:
        name, sep, value = item.partition("=")
        if not sep or not name:
            ap.error(f"--query {item!r}: write NAME=VALUE, such as present=true")
        query.append((name, value))
    chromium = shutil.which("chromium")
    if chromium is None:
        ap.error("no chromium on PATH: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    proc = start_streamlit(ROOT / "app.py", port, ROOT)
    try:
        url = f"http://127.0.0.1:{port}{args.path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url)
            page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)  # the page has drawn
            # The run is over (no "running" man in the corner) and, on Explore, the odds are in.
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                   timeout=60_000)
            if args.path in ("/", "/explore"):
                page.wait_for_selector(".st-key-margin_verdict strong", timeout=60_000)
            page.wait_for_timeout(1500)  # the charts' last layout pass
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=args.full_page)
            browser.close()
    finally:
        stop_process(proc)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
