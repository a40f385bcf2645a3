"""How much slower is a rerun of the Explore and Risk pages than of a bare Streamlit page?

Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--reruns N] [--presses N] [--no-browser]
[--against DIR [--rounds N]]``

``--against DIR`` measures this checkout and a second one (for example ``git worktree add
/tmp/before main``) in the same run: each round measures both, one after the other in
alternating order, each in a process of its own; the medians over the rounds and their ratios
(this checkout over DIR) are printed, so the machine's speed cancels out of "now / before".

Three ratios, each against a bare one-slider, one-metric page written to a
temporary file and measured in the same run, so the machine's speed cancels out:

1. Server side (AppTest): the time of a rerun after a slider change, median over
   several reruns. Every rerun moves the advertising slider to a value not seen
   before, so the model really runs (no cache hit). Target: at most 6. For
   information, the two parts such a rerun is made of: a rerun the cache answers
   (the page alone) and the model alone for the same moves (``cx_roi.assess``); and a
   plain page of four plotly charts and four metrics, the kind of page the target was
   set against.
2. Browser (headless system Chromium): the time from an ArrowRight key press on
   the focused slider to the KPI cards showing new values with the run finished
   (the app's ``data-test-script-state`` back to ``notRunning``), median over
   several presses, measured inside the page with ``performance.now()``.
   Target: at most 3. For information, the time to the new cards alone (they are drawn
   before the charts, so they show while the run still draws those). The bare page runs with Streamlit's defaults, as a plain
   page would; the app's own settings (``.streamlit/config.toml``) switch off
   Streamlit's garbage collection after every run, so for information the bare
   page is also measured with those settings, and the ratio against it printed. Also for
   information: how long Explore's main thread stays busy after a press (the charts' drawing,
   which comes after the cards and is not part of the ratio).
3. Risk page with 2,000 draws (AppTest): a rerun of the page once its two
   ensembles are in the cache (the seed moved between two values already seen:
   the page redraws its cards, fan charts, histograms and tornado), median over
   several reruns. Target: at most 10. For information, also a rerun with new
   draws (a seed never seen: both 2,000-draw ensembles run again).

This is a script, not a test: timings depend on the machine and belong in a
report, not in a pass/fail gate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

# The checkout measured: this one, or another one given by --root (how --against measures it).
ROOT = Path(os.environ.get("CX_ROI_BENCH_ROOT") or Path(__file__).resolve().parents[1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM_ARGS, chromium_path, free_port, start_streamlit, stop_process  # noqa: E402

APP = ROOT / "app.py"
AD_KEY = "w:lever:ad_spend_per_month"
BARE = textwrap.dedent('''
    import streamlit as st

    value = st.slider("Value", 0, 1000, 500, key="value")
    st.metric("Twice the value", f"{value * 2:,}")
''')
# For information: the kind of page the target was calibrated on (four plotly charts and four
# metrics, built the usual way with go.Figure, nothing computed), measured in the same run.
FOUR_CHARTS = textwrap.dedent('''
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    value = st.slider("Value", 0, 1000, 500, key="value")
    months = np.arange(1, 61)
    for i, column in enumerate(st.columns(4)):
        column.metric(f"Metric {i + 1}", f"{value * (i + 1):,}", delta=f"{i}%")
    for k, column in enumerate([*st.columns(2), *st.columns(2)]):
        figure = go.Figure()
        for j in range(3):
            figure.add_trace(go.Scatter(x=months, y=np.sin(months / 10 + j) * value + k, name=f"Series {j + 1}"))
        figure.update_layout(height=340, title=f"Chart {k + 1}")
        column.plotly_chart(figure)
''')
SERVER_TARGET, BROWSER_TARGET, RISK_TARGET = 6.0, 3.0, 10.0
RISK_DRAWS = 2_000
SEED_KEY = "w:set:seed"


# ------------------------------------------------------------------ server side

def _rerun_times(script: Path, key: str, values: list, warmup: int, page: str | None = None,
                 query: dict[str, str] | None = None, widget: str = "slider") -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=300)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    times = []
    for i, v in enumerate(values):
        getattr(at, widget)(key=key).set_value(v)
        t = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(f"{script.name} raised: {at.exception[0].value}")
        if i >= warmup:
            times.append(elapsed)
    return times


def server_ratio(bare: Path, reruns: int, warmup: int = 3) -> dict[str, float]:
    n = reruns + warmup
    # Fresh values every rerun: the model runs each time, as when someone drags a slider.
    explore_values = [160_000.0 + 10_000.0 * i for i in range(n)]
    bare_values = [501 + i for i in range(n)]
    explore = statistics.median(_rerun_times(APP, AD_KEY, explore_values, warmup))
    plain = statistics.median(_rerun_times(bare, "value", bare_values, warmup))
    # For information: a rerun that changes nothing in the model (all cached), and the model alone
    # for the same moves: the two parts a fresh rerun is made of.
    cached = statistics.median(_rerun_times(APP, AD_KEY, [explore_values[0], explore_values[1]] * (n // 2 + 1),
                                            warmup))
    model = statistics.median(_model_times(explore_values, warmup))
    four = bare.parent / "four_charts.py"
    four.write_text(FOUR_CHARTS)
    charts = statistics.median(_rerun_times(four, "value", bare_values, warmup))
    return {"explore_s": explore, "bare_s": plain, "ratio": explore / plain, "explore_cached_s": cached,
            "ratio_cached": cached / plain, "model_s": model, "ratio_model": model / plain,
            "four_s": charts, "ratio_four": charts / plain}


def _model_times(ad_values: list[float], warmup: int) -> list[float]:
    """``cx_roi.assess`` (what Explore asks of the model on a spend move) for the default scenario
    with each advertising spend, timed on its own: no Streamlit, no cache."""
    import cx_roi
    from ui.state import DEFAULT_EXTRA

    base = cx_roi.Scenario()
    times = []
    for i, v in enumerate(ad_values):
        scenario = base.replace(ad_spend_per_month=v)
        t = time.perf_counter()
        cx_roi.assess(scenario, base, DEFAULT_EXTRA)
        if i >= warmup:
            times.append(time.perf_counter() - t)
    return times


def risk_ratio(bare: Path, reruns: int, warmup: int = 2) -> dict[str, float]:
    n = reruns + warmup
    query = {"draws": str(RISK_DRAWS)}
    cached = statistics.median(_rerun_times(APP, SEED_KEY, [1, 2] * (n // 2 + 1), warmup, page="pages/risk.py",
                                            query=query, widget="number_input"))
    fresh_n = max(3, reruns // 3)
    fresh = statistics.median(_rerun_times(APP, SEED_KEY, [100 + i for i in range(fresh_n + 1)], 1,
                                           page="pages/risk.py", query=query, widget="number_input"))
    plain = statistics.median(_rerun_times(bare, "value", [501 + i for i in range(n)], warmup))
    return {"risk_s": cached, "fresh_s": fresh, "bare_s": plain, "ratio": cached / plain,
            "ratio_fresh": fresh / plain, "fresh_n": fresh_n}


# ------------------------------------------------------------------ browser

# Installed in the page before each key press: stamps the keydown, then watches
# the DOM until the KPI text differs from before and the script is no longer
# running, and stamps that moment. Both stamps come from the page's own clock.
_ARM = """
([kpiSelector]) => {
  const kpis = () => Array.from(document.querySelectorAll(kpiSelector)).map(e => e.innerText).join('|');
  const app = document.querySelector('[data-testid="stApp"]');
  const before = kpis();
  window.__bench = {t0: null, t1: null, cards: null};
  const done = () => {
    if (window.__bench.t0 === null || window.__bench.t1 !== null) return;
    const changed = kpis() !== before;
    if (changed && window.__bench.cards === null) window.__bench.cards = performance.now();
    if (changed && app.getAttribute('data-test-script-state') === 'notRunning') {
      window.__bench.t1 = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(done);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  document.addEventListener('keydown', () => { if (window.__bench.t0 === null) window.__bench.t0 = performance.now(); },
                            {capture: true, once: true});
  return before;
}
"""


def _open(page, url: str, slider: str, kpis: str) -> None:
    """Load ``url``, wait for the run to end and the charts' first draw, and focus the slider."""
    page.goto(url)
    page.wait_for_selector(kpis, timeout=120_000)
    page.wait_for_function(
        "document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state') === 'notRunning'",
        timeout=120_000)
    page.wait_for_timeout(1500)  # let charts finish their first draw
    page.locator(slider).first.focus()


def _press_times(page, url: str, slider: str, kpis: str, presses: int,
                 warmup: int) -> tuple[list[float], list[float]]:
    """Seconds from each key press to the new cards with the run finished, and to the new cards
    alone (the run may still be drawing the charts below them)."""
    _open(page, url, slider, kpis)
    times, cards = [], []
    for i in range(presses + warmup):
        page.evaluate(_ARM, [kpis])
        page.keyboard.press("ArrowRight")
        page.wait_for_function("window.__bench.t1 !== null", timeout=120_000)
        elapsed, shown = page.evaluate("[window.__bench.t1 - window.__bench.t0, "
                                       "window.__bench.cards - window.__bench.t0]")
        if i >= warmup:
            times.append(elapsed / 1000.0)
            cards.append(shown / 1000.0)
        page.wait_for_timeout(300)  # a person does not press faster than the app answers
    return times, cards


_LONG_TASKS = """() => { window.__busy = []; new PerformanceObserver(list => { for (const e of list.getEntries())
    window.__busy.push([e.startTime, e.duration]); }).observe({type: 'longtask'}); }"""


def _busy_after_press(page, presses: int, settle_ms: int = 2000) -> list[float]:
    """For information: how long the page's main thread is busy (tasks over 50 ms: drawing the
    charts, mostly) in the ``settle_ms`` after a key press, with nothing else going on.
    ``page``: open, its slider focused, as :func:`_press_times` leaves it."""
    page.wait_for_timeout(settle_ms)  # the last timed press's drawing is over
    page.evaluate(_LONG_TASKS)
    busy = []
    for _ in range(presses):
        t0 = page.evaluate("performance.now()")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(settle_ms)
        busy.append(page.evaluate(f"window.__busy.filter(e => e[0] >= {t0}).reduce((a, e) => a + e[1], 0)") / 1000.0)
    return busy


def browser_ratio(bare: Path, presses: int, warmup: int = 2) -> dict[str, float] | None:
    exe = chromium_path()
    if exe is None:
        print("browser ratio skipped: no Chromium on PATH (install the Debian package `chromium`)")
        return None
    from playwright.sync_api import sync_playwright

    # The same bare page, in a folder of its own that has the app's Streamlit settings.
    same = bare.parent / "with_app_settings"
    (same / ".streamlit").mkdir(parents=True, exist_ok=True)
    (same / ".streamlit" / "config.toml").write_text((ROOT / ".streamlit" / "config.toml").read_text())
    (same / bare.name).write_text(bare.read_text())

    # (script, folder it runs in, slider, KPI selector), each served and pressed in turn.
    pages = {
        "explore": (APP, ROOT, ".st-key-w-lever-ad_spend_per_month input", ".st-key-kpis [data-testid='stMetric']"),
        "bare": (bare, bare.parent, ".st-key-value input", "[data-testid='stMetric']"),
        "same": (same / bare.name, same, ".st-key-value input", "[data-testid='stMetric']"),
    }
    procs, ports = [], {}
    times: dict[str, list[float]] = {}
    cards: dict[str, list[float]] = {}
    try:
        for name, (script, cwd, _, _) in pages.items():
            ports[name] = free_port()
            procs.append(start_streamlit(script, ports[name], cwd))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
            try:
                for name, (_, _, slider, kpis) in pages.items():
                    page = browser.new_page(viewport={"width": 1440, "height": 1000})
                    times[name], cards[name] = _press_times(page, f"http://127.0.0.1:{ports[name]}/", slider,
                                                            kpis, presses, warmup)
                    if name == "explore":  # on from where the timed presses left the page
                        busy = _busy_after_press(page, max(5, presses // 2))
                    page.close()
            finally:
                browser.close()
    finally:
        for proc in procs:
            stop_process(proc)
    e, b, t = (statistics.median(times[name]) for name in ("explore", "bare", "same"))
    return {"explore_s": e, "bare_s": b, "ratio": e / b, "bare_same_s": t, "ratio_same": e / t,
            "cards_s": statistics.median(cards["explore"]),
            "busy_s": statistics.median(busy), "busy_n": len(busy)}


# The figures --against compares (seconds), with their labels; a ratio is "now / before".
COMPARED = [("server", "explore_s", "(1) server rerun, Explore"), ("server", "bare_s", "(1) server rerun, bare page"),
            ("server", "ratio", "(1) server ratio"), ("server", "explore_cached_s", "(1) rerun the cache answers"),
            ("browser", "explore_s", "(2) key press, Explore"), ("browser", "bare_s", "(2) key press, bare page"),
            ("browser", "ratio", "(2) browser ratio"),
            ("browser", "cards_s", "(2) key press to new cards (run not over)"),
            ("browser", "busy_s", "(2) main thread busy after a press"),
            ("risk", "risk_s", "(3) Risk rerun, cached"), ("risk", "ratio", "(3) Risk ratio"),
            ("risk", "fresh_s", "(3) Risk rerun, new draws")]


def against(other: Path, args: argparse.Namespace) -> int:
    """Measure this checkout and ``other`` in alternating order, ``args.rounds`` times each, and print
    the medians and their ratios (this over other)."""
    here = Path(__file__).resolve().parents[1]
    runs: dict[Path, list[dict]] = {here: [], other: []}
    flags = ["--reruns", str(args.reruns), "--presses", str(args.presses)] + (["--no-browser"] if args.no_browser else [])
    for i in range(args.rounds):
        for root in ((here, other) if i % 2 == 0 else (other, here)):
            print(f"round {i + 1}/{args.rounds}: measuring {root}", flush=True)
            out = subprocess.run([sys.executable, __file__, "--json", *flags], cwd=root, check=True,
                                 capture_output=True, text=True, env={**os.environ, "CX_ROI_BENCH_ROOT": str(root)})
            runs[root].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"\nmedians over {args.rounds} rounds; now = {here}, before = {other}")
    print(f"{'what':40} {'before':>10} {'now':>10} {'now/before':>11}")
    for part, key, label in COMPARED:
        values = {root: [r[part][key] for r in rs if r.get(part)] for root, rs in runs.items()}
        if not values[here] or not values[other]:
            continue
        now, before = statistics.median(values[here]), statistics.median(values[other])
        shown = (lambda v: f"{v:10.2f}") if key.startswith("ratio") else (lambda v: f"{v * 1000:8.1f}ms")
        print(f"{label:40} {shown(before)} {shown(now)} {now / before:11.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=15, help="measured AppTest reruns per page")
    parser.add_argument("--presses", type=int, default=20, help="measured key presses per page")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser ratio")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="also measure the checkout in DIR, alternating, and print now / before")
    parser.add_argument("--rounds", type=int, default=2, help="with --against: measurements of each checkout")
    parser.add_argument("--json", action="store_true", help="print the figures as one line of JSON at the end")
    args = parser.parse_args()
    if args.against:
        return against(args.against.resolve(), args)

    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_page.py"
        bare.write_text(BARE)
        s = server_ratio(bare, args.reruns)
        print(f"(1) server-side rerun after a slider change (AppTest, median of {args.reruns}):")
        print(f"    Explore {s['explore_s'] * 1000:7.1f} ms   bare page {s['bare_s'] * 1000:6.1f} ms   "
              f"ratio {s['ratio']:5.2f}  (target <= {SERVER_TARGET:g}) "
              f"{'OK' if s['ratio'] <= SERVER_TARGET else 'ABOVE TARGET'}")
        print(f"    for information, a rerun the cache answers: Explore {s['explore_cached_s'] * 1000:.1f} ms, "
              f"ratio {s['ratio_cached']:.2f}")
        print(f"    for information, the model alone for the same moves (cx_roi.assess, no Streamlit): "
              f"{s['model_s'] * 1000:.1f} ms, ratio {s['ratio_model']:.2f}")
        print(f"    for information, a plain page of four go.Figure charts and four metrics: "
              f"{s['four_s'] * 1000:.1f} ms, ratio {s['ratio_four']:.2f}")
        b = None if args.no_browser else browser_ratio(bare, args.presses)
        if b is not None:
            print(f"(2) browser, key press to new KPIs with the run finished (Chromium, median of "
                  f"{args.presses}):")
            print(f"    Explore {b['explore_s'] * 1000:7.1f} ms   bare page {b['bare_s'] * 1000:6.1f} ms   "
                  f"ratio {b['ratio']:5.2f}  (target <= {BROWSER_TARGET:g}) "
                  f"{'OK' if b['ratio'] <= BROWSER_TARGET else 'ABOVE TARGET'}")
            print(f"    for information, the bare page with the app's .streamlit/config.toml (no garbage "
                  f"collection after each run): {b['bare_same_s'] * 1000:.1f} ms, ratio {b['ratio_same']:.2f}")
            print(f"    for information, key press to Explore's new KPIs, the run not over yet (the charts "
                  f"below them still being drawn): {b['cards_s'] * 1000:.1f} ms")
            print(f"    for information, Explore's main thread busy in the 2 s after a press, the charts drawn "
                  f"(median of {b['busy_n']}): {b['busy_s'] * 1000:.0f} ms")
        r = risk_ratio(bare, args.reruns)
        print(f"(3) Risk page with {RISK_DRAWS:,} draws, rerun with both ensembles cached (AppTest, median of "
              f"{args.reruns}):")
        print(f"    Risk    {r['risk_s'] * 1000:7.1f} ms   bare page {r['bare_s'] * 1000:6.1f} ms   "
              f"ratio {r['ratio']:5.2f}  (target <= {RISK_TARGET:g}) "
              f"{'OK' if r['ratio'] <= RISK_TARGET else 'ABOVE TARGET'}")
        print(f"    for information, a rerun with new draws (both ensembles run again, median of {r['fresh_n']}): "
              f"{r['fresh_s'] * 1000:.0f} ms, ratio {r['ratio_fresh']:.1f}")
    print(f"SERVER RATIO {s['ratio']:.2f}   RISK RATIO {r['ratio']:.2f}"
          + (f"   BROWSER RATIO {b['ratio']:.2f}" if b else ""))
    if args.json:
        print(json.dumps({"server": s, "browser": b, "risk": r}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
