"""The dashboard in a real browser: ``streamlit run app.py`` driven by headless Chromium.

What AppTest cannot see is checked here: the page a person gets from a link
(including the very first request to a fresh server), the keyboard on a
slider, the address bar after a change, file download and upload through the
browser, presentation mode, and the phone layout. Expected numbers are
computed with ``cx_roi`` in the test and formatted with ``cx_roi.formatting``, as the
page formats them.

Every test waits on conditions, never on fixed sleeps: the app root's
``data-test-script-state`` back at ``notRunning`` after a rerun (seen to
start, or seen in the content), the texts, the address bar. Full-page
screenshots of each state go to ``test-artifacts/browser-*.png``; a failing
test leaves ``browser-failed-<test>.png`` there.

Without a system Chromium these tests skip (``need_chromium``); with
``CX_ROI_REQUIRE_BROWSER=1`` (CI) that is a failure instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

import cx_roi
from cx_roi import PARAMETERS, Scenario
from cx_roi import formatting as fmt
from ui import tables
from conftest import ROOT, free_port, need_chromium, need_playwright, start_streamlit, stop_process

pytestmark = pytest.mark.browser

AD = "ad_spend_per_month"
BASELINE = "status-quo"  # ui.state.DEFAULT_BASELINE: the KPI cards' changes are against it
TIMEOUT_MS = 60_000  # generous: two cores shared with other work; conditions, not speed, are tested

_sync_api = need_playwright()
PlaywrightTimeout = _sync_api.TimeoutError
expect = _sync_api.expect
expect.set_options(timeout=TIMEOUT_MS)

APP = '[data-testid="stApp"]'
KPI = ".st-key-kpis [data-testid='stMetric']"
AD_SLIDER = f".st-key-w-lever-{AD} input[type='range']"
NAV_LINK = "[data-testid='stTopNavLink']"
ALERT = "[data-testid='stAlert']"
CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot"
KPI_VALUE = "[data-testid='stMetricValue']"
TABLE = "[data-testid='stTable']"
# The Explore page's charts, top to bottom and left to right: one y-axis each.
EXPLORE_CHARTS = ["Cumulative contribution vs baseline", "Customers won and lost each month", "Customers at month end",
                  "Sentiment of customers", "Net promoter score", "Service level: answered within 20 s",
                  "Average wait in the queue"]
PAGE_TITLES = {"Explore": "Customer service or advertising?", "Compare": "Compare scenarios",
               "Risk": "How sure is the answer?", "Optimise": "What is the best split of the budget?",
               "Your data": "Your data", "Method": "How the model works"}

# Before an action: count changes of the app root's script state from now on, and keep
# the main area's text. A rerun is over when the state is back to notRunning and either
# it was seen changing, or (React may batch a quick run's "running" and "notRunning"
# into one render, so no change is seen) the page's content shows the run happened.
_ARM = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (window.__cxObserver) window.__cxObserver.disconnect();
  window.__cxChanges = 0;
  window.__cxBefore = document.querySelector('[data-testid="stMain"]').innerText;
  window.__cxObserver = new MutationObserver(records => { window.__cxChanges += records.length; });
  window.__cxObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# Default content sign: the main area's text changed (KPIs, notices, the presentation layout).
_MAIN_CHANGED = "document.querySelector('[data-testid=\"stMain\"]').innerText !== window.__cxBefore"


def _rerun_done(content_sign: str) -> str:
    return f"""() => {{
  const app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  return window.__cxChanges > 0 || Boolean({content_sign});
}}"""


_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && document.querySelector('h1') !== null;
}"""
_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {script: app && app.getAttribute('data-test-script-state'),
          connection: app && app.getAttribute('data-test-connection-state'),
          title: document.querySelector('h1') !== null,
          alerts: Array.from(document.querySelectorAll('[data-testid="stAlert"]')).map(e => e.innerText)};
}"""
# Title, axis titles and each trace's name and y values of every plotly chart on the page.
# Plotly sends numpy arrays as base64 typed arrays ({dtype, bdata}); they are decoded here.
_CHARTS = """() => {
  const types = {f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array,
                 u4: Uint32Array, u2: Uint16Array, u1: Uint8Array};
  const numbers = v => {
    if (!v) return [];
    if (v.bdata !== undefined) {
      const bin = atob(v.bdata);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return Array.from(new types[v.dtype.replace(/^[<>|=]/, '')](bytes.buffer)).map(Number);
    }
    return Array.from(v).map(Number);
  };
  return Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')).map(gd => ({
    title: (gd.layout.title && gd.layout.title.text) || '',
    axes: Object.keys(gd.layout).filter(k => /^[xy]axis\\d*$/.test(k))
                .map(k => [k, (gd.layout[k].title && gd.layout[k].title.text) || '']),
    traces: gd.data.map(t => ({name: t.name || '', y: numbers(t.y)})),
  }));
}"""


# ---------------------------------------------------------------- helpers

def wait_idle(page) -> None:
    """Wait until the app has no run going, is connected and shows its title; a timeout says which
    of these it was still waiting for, so a rare failure explains itself."""
    try:
        page.wait_for_function(_IDLE, timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        raise AssertionError(f"the page did not settle within {TIMEOUT_MS / 1000:.0f} s: "
                             f"{page.evaluate(_STATE)}") from None


def expected_cards(scenario: Scenario) -> dict[str, str]:
    """What the Explore page's KPI cards must read for ``scenario`` against the status quo."""
    base = cx_roi.load_preset(BASELINE)
    if base.horizon_months != scenario.horizon_months:
        base = base.replace(horizon_months=scenario.horizon_months)
    row = cx_roi.compare({"baseline": base, "scenario": scenario}, baseline="baseline").loc["scenario"]
    return {"NPV": fmt.money(row["npv"]), "Customers at the end": fmt.count(row["final_customers"]),
            "Monthly churn": fmt.percent(row["avg_monthly_churn"], 2),
            "Growth from word of mouth": fmt.percent(row["wom_share"], 1),
            "Paid CAC": fmt.money(row["cac_paid"], cents=True, missing="no ad wins"),
            "NPV change": fmt.signed_money(row["delta_npv"])}


def url(base: str, path: str = "/", **query: str) -> str:
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def query_of(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query, keep_blank_values=True).items()}


def assert_query(page, want: dict[str, str]) -> None:
    """The address bar's query is ``want`` (the app writes it at the end of each run: wait for it)."""
    try:
        page.wait_for_function("""want => {
            const q = new URLSearchParams(location.search);
            return Array.from(q.keys()).length === Object.keys(want).length
              && Object.entries(want).every(([k, v]) => q.get(k) === v);
        }""", arg=want, timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        pass  # the assertion below says what differs
    assert query_of(page) == want


def plain(html: str) -> str:
    """A plotly title without its markup (<b>...</b>; a line break reads as a space)."""
    return re.sub(r"<[^>]+>", "", html.replace("<br>", " "))


def open_app(page, address: str) -> None:
    """Go to ``address`` and wait until the first script run is over and a title is drawn."""
    page.goto(address)
    wait_idle(page)


@contextmanager
def rerun(page, content_sign: str = _MAIN_CHANGED) -> Iterator[None]:
    """Do something in the block that makes the app rerun; wait until that run is over.

    ``content_sign`` is a JavaScript expression true once the page shows the run's
    result; it must be false before the action (the default: the main area's text
    changed). It matters only when the state changes are not seen at all.
    """
    page.evaluate(_ARM)
    yield
    page.wait_for_function(_rerun_done(content_sign), timeout=TIMEOUT_MS)


def page_switch(page, title: str) -> None:
    """Click ``title`` in the top navigation and wait for that page's run to be over.

    A page switch empties the main area before the run starts, so "the text changed" is
    no sign of a finished run here; the new page's title is.
    """
    with rerun(page, "Array.from(document.querySelectorAll('h1')).some(h => h.innerText.trim() === "
                     f"{json.dumps(PAGE_TITLES[title])})"):
        nav(page, title).click()


def odds_in(page) -> None:
    """Wait until the margin's odds are shown and their whole-page rerun is over, so that a test
    counting which parts of the page reran counts only its own move's run."""
    expect(page.get_by_text("Weighing the next dollar")).to_have_count(0, timeout=TIMEOUT_MS)
    wait_idle(page)


def cards(page) -> dict[str, str]:
    """KPI card label -> value text, as displayed."""
    page.wait_for_selector(KPI, timeout=TIMEOUT_MS)
    pairs = page.eval_on_selector_all(KPI, """els => els.map(e => [
        e.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
        e.querySelector('[data-testid="stMetricValue"]').innerText.trim()])""")
    return dict(pairs)


def delta(page, label: str) -> str:
    name = re.compile(rf"^\s*{re.escape(label)}\s*$")  # "NPV", not "NPV change vs baseline"
    card = page.locator(KPI).filter(has=page.locator("[data-testid='stMetricLabel']", has_text=name)).first
    return card.locator("[data-testid='stMetricDelta']").inner_text().strip()


def assert_cards(page, want: dict[str, str]) -> None:
    """The cards show ``want`` (retrying until the page settles, then failing with a readable diff)."""
    values = {k: v for k, v in want.items() if k != "NPV change"}  # the change is the NPV card's delta
    try:
        page.wait_for_function(
            """([sel, want]) => {
                const shown = {};
                for (const e of document.querySelectorAll(sel)) {
                  shown[e.querySelector('[data-testid="stMetricLabel"]').innerText.trim()] =
                    e.querySelector('[data-testid="stMetricValue"]').innerText.trim();
                }
                return Object.entries(want).every(([k, v]) => shown[k] === v);
            }""", arg=[KPI, values], timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        pass  # the assertion below says what differs
    shown = cards(page)
    assert {k: shown.get(k) for k in values} == values


def charts(page, count: int) -> list[dict]:
    """The page's plotly charts once ``count`` of them are drawn (each with its axes: plotly
    gives every chart two ``.main-svg`` layers, so counting those counted half the charts)."""
    page.wait_for_function("([sel, n]) => Array.from(document.querySelectorAll(sel))"
                           ".filter(c => c.querySelector('.main-svg .xtick, .main-svg .ytick')).length >= n",
                           arg=[CHART, count], timeout=TIMEOUT_MS)
    return page.evaluate(_CHARTS)


def trace(specs: list[dict], title_start: str, name: str) -> list[float]:
    for spec in specs:
        if plain(spec["title"]).startswith(title_start):
            for t in spec["traces"]:
                if t["name"] == name:
                    return t["y"]
    raise AssertionError(f"no trace {name!r} in a chart titled {title_start!r}: {specs}")


def screenshot(page, path: Path) -> None:
    """A screenshot of everything, not just the viewport.

    Streamlit scrolls inside its main area and sidebar, so a plain full-page
    screenshot stops at the window's height. The window is made as tall as the
    content for the shot, then put back.
    """
    size = page.viewport_size
    # The main area, and the sidebar when it is on screen (a phone's collapsed sidebar is not).
    height = page.evaluate("""() => Math.max(window.innerHeight, ...Array.from(document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stSidebarContent"]'))
        .filter(e => e.getBoundingClientRect().right > 1).map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 20, 12_000)})
    # Let the charts follow the new size (two animation frames), then shoot.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def nav_titles(page) -> list[str]:
    """The top navigation's page titles, in order (the link text after the icon's name)."""
    return [t.strip().split("\n")[-1] for t in page.locator(NAV_LINK).all_inner_texts()]


def expected_nav() -> list[str]:
    """The router's pages whose script exists (more pages are being added), in the router's order."""
    from ui.router import PAGES

    return [title for script, title, _ in PAGES if (ROOT / script).exists()]


def nav(page, title: str):
    return page.locator(NAV_LINK, has_text=title)


# ---------------------------------------------------------------- fixtures

@pytest.fixture()
def fresh_app_url(artifacts: Path) -> Iterator[str]:
    """A server of its own that no browser has talked to yet (for the first-request test)."""
    need_chromium()
    port = free_port()
    proc = start_streamlit(ROOT / "app.py", port, ROOT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


# ---------------------------------------------------------------- tests

def test_link_opens_the_scenario_with_the_models_kpis(page, app_url, artifacts):
    """A preset and a changed ad spend in the link: the cards show what cx_roi computes for them."""
    query = {"preset": "service-boost", AD: "260000"}
    open_app(page, url(app_url, **query))
    scenario = cx_roi.load_preset("service-boost").replace(**{AD: 260_000.0})
    want = expected_cards(scenario)
    assert_cards(page, want)
    assert delta(page, "NPV").endswith(want["NPV change"])
    expect(page.locator(AD_SLIDER)).to_have_attribute("aria-valuetext", "$260,000")
    expect(page.locator(ALERT)).to_have_count(0)  # a clean link gives no notice
    assert_query(page, query)  # the URL is written back unchanged
    specs = charts(page, len(EXPLORE_CHARTS))
    assert [plain(s["title"]) for s in specs] == EXPLORE_CHARTS
    for spec in specs:  # every axis says what it measures
        assert all(text for _, text in spec["axes"]), spec
    # The chart shows the model's numbers for the linked scenario.
    ads = trace(specs, "Customers won", "Won by advertising")
    assert ads == pytest.approx(list(cx_roi.simulate(scenario).monthly["new_from_ads"]))
    screenshot(page, artifacts / "browser-explore.png")
    # The tab's icon is served by the app itself: a dashboard hosted offline still has it.
    icon = page.evaluate("document.querySelector(\"link[rel~='icon']\").href")  # resolved to an address
    assert icon.startswith(app_url) and page.request.get(icon).ok, icon


def test_negative_money_reads_the_same_on_charts_and_cards(page, app_url):
    """Far too much service spend loses money against the baseline: the contribution chart's ticks
    carry the sign before the $ ("-$20M"), as the NPV card's change does, never "$-20M"."""
    open_app(page, url(app_url, service_capacity_spend_per_month="900000"))
    assert delta(page, "NPV").startswith("-$")
    charts(page, len(EXPLORE_CHARTS))
    contribution = page.locator(CHART).filter(has_text="Cumulative contribution vs baseline")
    ticks = contribution.locator(".ytick text").all_text_contents()
    assert any(re.match(r"^[-\u2212]\$\d", t) for t in ticks), ticks
    assert not [t for t in ticks if re.search(r"\$[-\u2212]", t)], ticks


def test_first_request_deep_link_to_compare_gets_navigation_and_selection(page, fresh_app_url, artifacts):
    """The very first request to a fresh server is /compare?...: Streamlit's legacy pages/ mode would run
    pages/compare.py bare; the page guard must still give the top navigation and the link's selection."""
    query = {"preset": "revolving-door", AD: "90000", "baseline": "ad-boost",
             "compare": "service-boost,current"}
    open_app(page, url(fresh_app_url, "/compare", **query))
    expect(page.locator("h1").first).to_have_text("Compare scenarios")
    expect(page.locator(NAV_LINK)).to_have_count(len(expected_nav()))
    assert nav_titles(page) == expected_nav()
    expect(page.locator(APP)).to_have_class(re.compile(r"\bstreamlit-wide\b"))  # the router's wide layout
    assert urlsplit(page.url).path == "/compare"
    assert_query(page, query)  # the shared selection is read, and written back as it came
    chosen = page.locator(".st-key-w-compare")
    expect(chosen).to_contain_text(cx_roi.preset_info("service-boost").title)
    expect(chosen).to_contain_text("Current:")
    current = cx_roi.load_preset("revolving-door").replace(**{AD: 90_000.0})
    table = cx_roi.compare({"base": cx_roi.load_preset("ad-boost"), "sb": cx_roi.load_preset("service-boost"),
                            "cur": current}, baseline="base")
    header = page.locator(f"{TABLE} thead")
    expect(header).to_contain_text(f"{cx_roi.preset_info('ad-boost').title} (baseline)")
    expect(header).to_contain_text(cx_roi.preset_info("service-boost").title)
    expect(header).to_contain_text(f"Current: {cx_roi.preset_info('revolving-door').title} + 1 change")
    body = page.locator(f"{TABLE} tbody")
    for key in ("sb", "cur"):
        expect(body).to_contain_text(f"{fmt.money(table.loc[key, 'npv'])} "
                                     f"({fmt.signed_money(table.loc[key, 'delta_npv'])})")
    charts(page, 3)
    screenshot(page, artifacts / "browser-deeplink.png")
    # The navigation works from there, and Explore shows the linked scenario.
    page_switch(page, "Explore")
    assert_cards(page, expected_cards(current))


def test_keyboard_on_a_slider_updates_kpis_chart_and_link(page, browser, app_url):
    open_app(page, url(app_url))
    assert_cards(page, expected_cards(Scenario()))
    before = cards(page)
    ads_before = trace(charts(page, len(EXPLORE_CHARTS)), "Customers won", "Won by advertising")
    slider = page.locator(AD_SLIDER)
    step = float(slider.get_attribute("step"))
    start = float(slider.get_attribute("value"))
    top = float(slider.get_attribute("max"))

    slider.focus()
    with rerun(page):
        page.keyboard.press("ArrowRight")
    one_step = Scenario().replace(**{AD: start + step})
    assert_cards(page, expected_cards(one_step))
    after = cards(page)
    assert after["NPV"] != before["NPV"] and after["Paid CAC"] != before["Paid CAC"]
    assert_query(page, {AD: f"{start + step:.0f}"})
    # The spends rerun only the answer below them, unless the page around it changes too:
    # the first edit shows in the title and brings the reset button.
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="Status quo + 1 change").first).to_be_visible()
    expect(page.get_by_role("button", name="Reset 1 change to the preset")).to_be_visible()
    ads_after = trace(charts(page, len(EXPLORE_CHARTS)), "Customers won", "Won by advertising")
    assert ads_after != ads_before
    assert ads_after == pytest.approx(list(cx_roi.simulate(one_step).monthly["new_from_ads"]))

    with rerun(page):
        page.keyboard.press("End")
    want = expected_cards(Scenario().replace(**{AD: top}))
    assert_cards(page, want)
    assert delta(page, "NPV").endswith(want["NPV change"])
    assert_query(page, {AD: f"{top:.0f}"})

    # The address bar is the whole view: another browser (no shared session) opening it sees the same.
    other = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        second = other.new_page()
        second.set_default_timeout(TIMEOUT_MS)
        open_app(second, page.url)
        assert_cards(second, want)
        expect(second.locator(AD_SLIDER)).to_have_attribute("value", f"{top:.0f}")
    finally:
        other.close()


def test_key_presses_during_the_odds_rerun_are_all_kept(page, app_url):
    """Presses a quarter of a second apart land while the margin's odds come in and rerun the page:
    every press counts, in the slider, the link and the cards (a run that ended between a press and
    its message used to put the slider back, and the press was lost)."""
    open_app(page, url(app_url, **{AD: "200000"}))
    slider = page.locator(AD_SLIDER)
    step = float(slider.get_attribute("step"))
    start = float(slider.get_attribute("value"))
    presses = 0
    for _ in range(3):
        slider.focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
            presses += 1
            page.wait_for_timeout(250)
        odds_in(page)
        want = start + presses * step
        expect(slider).to_have_attribute("value", f"{want:.0f}")
        assert_query(page, {AD: f"{want:.0f}"})
    assert_cards(page, expected_cards(Scenario().replace(**{AD: start + presses * step})))


def test_spend_and_amount_moves_rerun_only_their_part_and_leave_nothing_stale(page, app_url):
    """After the first edit, a spend move reruns only the answer and the amount only the verdict
    (fragments): the title, the reset button, the verdict, the link and the scenario file all
    still follow."""
    from cx_roi.verdict import verdict

    start = Scenario().replace(**{AD: 200_000.0})
    open_app(page, url(app_url, **{AD: "200000"}))
    assert_cards(page, expected_cards(start))
    slider = page.locator(AD_SLIDER)
    step = float(slider.get_attribute("step"))
    slider.focus()
    for presses in (1, 2):
        with rerun(page):
            page.keyboard.press("ArrowRight")
        now = start.replace(**{AD: 200_000.0 + presses * step})
        assert_cards(page, expected_cards(now))
        assert_query(page, {AD: f"{200_000.0 + presses * step:.0f}"})
        odds_in(page)
    expect(page.locator("[data-testid='stCaptionContainer']", has_text="Status quo + 1 change").first).to_be_visible()
    expect(page.get_by_role("button", name="Reset 1 change to the preset")).to_be_visible()
    sentence = page.locator(".st-key-verdict")
    expect(sentence).to_have_text(verdict(cx_roi.next_dollar(now, 50_000.0), 50_000.0, now.horizon_months))

    amount = page.locator(".st-key-w-extra input[type='range']")
    amount_step = float(amount.get_attribute("step"))
    amount.focus()
    with rerun(page):
        page.keyboard.press("ArrowRight")
    extra = 50_000.0 + amount_step
    expect(sentence).to_have_text(verdict(cx_roi.next_dollar(now, extra), extra, now.horizon_months))
    assert_query(page, {AD: f"{200_000.0 + 2 * step:.0f}", "extra": f"{extra:.0f}"})
    assert_cards(page, expected_cards(now))  # the cards do not depend on the amount

    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download scenario (JSON)").click()
    assert Scenario.from_json(Path(info.value.path()).read_bytes()) == now


def test_back_and_forward_step_through_the_views(page, app_url):
    """Every change writes a new address; Back reopens the one before (the slider and the cards
    with it), across a page switch too, and Forward comes back."""
    open_app(page, url(app_url, **{AD: "200000"}))
    slider = page.locator(AD_SLIDER)
    step = float(slider.get_attribute("step"))
    slider.focus()
    for i in (1, 2):
        entries = page.evaluate("history.length")
        with rerun(page):
            page.keyboard.press("ArrowRight")
        # Each move is a new entry in the browser's history, with the move's address.
        page.wait_for_function(f"history.length === {entries + 1} && new URLSearchParams(location.search)"
                               f".get('{AD}') === '{200_000.0 + i * step:.0f}'", timeout=TIMEOUT_MS)
    # Then a moment, as a person takes, before the page switch: clicked within milliseconds of a
    # spend move's run, Streamlit's page switch could write over that move's history entry (seen
    # under load, one run in five), so Back skipped it.
    wait_idle(page)
    page.wait_for_timeout(300)
    page_switch(page, "Compare")
    assert_query(page, {AD: f"{200_000.0 + 2 * step:.0f}"})

    def at_explore_with(spend: float) -> bool:
        return page.evaluate(f"new URLSearchParams(location.search).get('{AD}') === '{spend:.0f}' && "
                             "location.pathname === '/'")

    def went(action, spend: float) -> None:
        action()
        try:
            page.wait_for_function(f"new URLSearchParams(location.search).get('{AD}') === '{spend:.0f}' && "
                                   "location.pathname === '/'", timeout=TIMEOUT_MS)
        except Exception:
            raise AssertionError(f"expected Explore with {AD}={spend:.0f}, the browser is at {page.url}") from None
        wait_idle(page)
        expect(page.locator(AD_SLIDER)).to_have_value(f"{spend:.0f}", timeout=TIMEOUT_MS)
        assert_cards(page, expected_cards(Scenario().replace(**{AD: spend})))

    # Back over the page switch: the page's bare address in between keeps the view (it is
    # written over with it), and then Back comes to Explore as it was, never to a reset view.
    page.go_back()
    wait_idle(page)
    page.wait_for_timeout(500)
    assert f"{AD}={200_000.0 + 2 * step:.0f}" in page.url, page.url
    if not at_explore_with(200_000.0 + 2 * step):
        went(page.go_back, 200_000.0 + 2 * step)
    went(page.go_back, 200_000.0 + step)
    went(page.go_back, 200_000.0)
    went(page.go_forward, 200_000.0 + step)


def test_bad_link_values_are_named_and_replaced_by_defaults(page, app_url, artifacts):
    query = {AD: "abc", "shrinkage": "5", "preset": "nope", "extra": "-3", "aht_seconds": "420"}
    open_app(page, url(app_url, **query))
    notice = page.locator(ALERT, has_text="This link had values the dashboard cannot use")
    for name in (AD, "shrinkage", "preset", "extra"):
        expect(notice).to_contain_text(f"{name}=")
    expect(notice).to_contain_text(PARAMETERS["shrinkage"].describe_range())
    expect(notice).to_contain_text("status-quo")  # the valid presets are listed
    # Defaults for the bad values, the good value applied, the page whole.
    expect(page.locator(AD_SLIDER)).to_have_attribute("aria-valuetext", "$150,000")
    assert_cards(page, expected_cards(Scenario().replace(aht_seconds=420.0)))
    charts(page, len(EXPLORE_CHARTS))
    assert_query(page, {"aht_seconds": "420"})  # bad values leave the URL
    screenshot(page, artifacts / "browser-bad-url.png")
    with rerun(page):
        page.locator(".st-key-dismiss_notices button").click()
    expect(page.locator(ALERT)).to_have_count(0)


def test_every_page_opens_from_the_top_navigation(page, app_url, artifacts):
    open_app(page, url(app_url, **{AD: "200000"}))
    scenario = Scenario().replace(**{AD: 200_000.0})
    assert_cards(page, expected_cards(scenario))

    page_switch(page, "Compare")
    expect(page.locator("h1").first).to_have_text("Compare scenarios")
    page.wait_for_url(re.compile(r"/compare\?"))
    assert_query(page, {AD: "200000"})  # the scenario travels with the page
    table = cx_roi.compare(["status-quo", "service-boost", "ad-boost"], baseline="status-quo")
    for name in ("service-boost", "ad-boost"):
        expect(page.locator(f"{TABLE} tbody")).to_contain_text(
            f"{fmt.money(table.loc[name, 'npv'])} ({fmt.signed_money(table.loc[name, 'delta_npv'])})")
    titles = [plain(s["title"]) for s in charts(page, 3)]
    assert titles[:2] == ["Customers", "Cumulative contribution vs baseline"]
    assert titles[2] == "+$60k a month into service vs Status quo"  # the bridge names the pair
    screenshot(page, artifacts / "browser-compare.png")

    page_switch(page, "Method")
    expect(page.locator("h1").first).to_have_text("How the model works")
    page.wait_for_url(re.compile(r"/method\?"))
    # Wrapping tables: one per parameter group, the solidity labels and the three output lists.
    expect(page.locator(f"[class*='st-key-parameters_'] {TABLE}")).to_have_count(len(cx_roi.GROUPS))
    expect(page.locator(TABLE)).to_have_count(len(cx_roi.GROUPS) + 4)
    page.locator(".katex").first.wait_for()
    screenshot(page, artifacts / "browser-method.png")

    page_switch(page, "Explore")
    page.wait_for_url(re.compile(r"/\?"))
    assert_cards(page, expected_cards(scenario))  # the edit survived the trip through the pages


def test_presentation_mode_hides_the_controls_but_the_spends(page, app_url, artifacts):
    open_app(page, url(app_url, preset="ad-boost"))
    page.locator(f"[data-testid='stMain'] {AD_SLIDER}").wait_for()
    want = expected_cards(cx_roi.load_preset("ad-boost"))
    with rerun(page):
        page.locator(".st-key-w-present label").click()
    assert_query(page, {"preset": "ad-boost", "present": "1"})
    # The three spends stay, so a what-if is answered without leaving presentation mode; no other slider.
    expect(page.locator("input[type='range']")).to_have_count(3)
    expect(page.locator(".st-key-spends input[type='range']")).to_have_count(3)
    expect(page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']")).to_have_count(0)
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()  # not even an empty panel
    expect(page.locator("[data-testid='stFileUploader']")).to_have_count(0)
    assert_cards(page, want)
    assert len(cards(page)) == 8 and len(charts(page, len(EXPLORE_CHARTS))) == len(EXPLORE_CHARTS)
    size = page.eval_on_selector(KPI_VALUE, "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 40, "KPI numbers are enlarged for the room"
    screenshot(page, artifacts / "browser-present.png")
    with rerun(page):
        page.locator(".st-key-w-present label").click()
    page.locator(f"[data-testid='stMain'] {AD_SLIDER}").wait_for()
    assert_query(page, {"preset": "ad-boost"})


def test_json_download_and_upload(page, app_url):
    open_app(page, url(app_url, **{AD: "210000"}))
    scenario = Scenario().replace(**{AD: 210_000.0})
    want = expected_cards(scenario)
    assert_cards(page, want)

    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="Download scenario (JSON)").click()
    download = info.value
    assert download.suggested_filename == "status-quo+1-change.json"
    data = Path(download.path()).read_bytes()
    assert Scenario.from_json(data) == scenario
    assert json.loads(data)[AD] == 210_000.0  # plain JSON, readable by anything

    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    with rerun(page):
        uploader.set_input_files(files=[{"name": "scenario.json", "mimeType": "application/json",
                                         "buffer": b"hello, I am not JSON"}])
    error = page.locator(ALERT, has_text="was not loaded")
    expect(error).to_contain_text("scenario.json")
    expect(error).to_contain_text("not valid JSON")
    assert_cards(page, want)
    assert_query(page, {AD: "210000"})  # a refused file changes nothing

    # A good file (written by cx_roi, not by the page) is loaded, and the cards follow it.
    other = Scenario().replace(**{AD: 330_000.0, "shrinkage": 0.25})
    with rerun(page):
        uploader.set_input_files(files=[{"name": "plan-b.json", "mimeType": "application/json",
                                         "buffer": other.to_json().encode()}])
    expect(page.locator(ALERT, has_text="Loaded plan-b.json")).to_have_count(1)
    assert_cards(page, expected_cards(other))
    assert_query(page, {AD: "330000", "shrinkage": "0.25"})


def test_phone_layout_has_no_horizontal_overflow(phone, app_url, artifacts):
    open_app(phone, url(app_url, preset="service-boost"))
    assert_cards(phone, expected_cards(cx_roi.load_preset("service-boost")))
    charts(phone, 4)
    sizes = phone.evaluate("""() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        height: window.innerHeight,
        main: [document.querySelector('[data-testid="stMain"]').scrollWidth,
               document.querySelector('[data-testid="stMain"]').clientWidth]})""")
    assert sizes["scroll"] <= sizes["inner"] + 1, sizes
    assert sizes["main"][0] <= sizes["main"][1] + 1, f"the main area scrolls sideways: {sizes}"
    npv = phone.locator(KPI).first
    expect(npv).to_be_visible()
    box = npv.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= sizes["inner"] + 1
    assert box["y"] + box["height"] <= sizes["height"], "the NPV card is on the first screen, unscrolled"
    # Above it, the answer on the margin: the headline, in words, comes first on a phone too.
    answer = phone.locator(".st-key-margin_verdict").get_by_text("On the margin")
    expect(answer.first).to_be_visible()
    assert answer.first.bounding_box()["y"] < box["y"], "the answer on the margin sits above the cards"
    assert clipped_cards(phone) == []
    screenshot(phone, artifacts / "browser-phone.png")
    # Risk's cards carry their likely range under the figure: on a phone it wraps, it is not cut.
    open_app(phone, url(app_url, "/risk", preset="service-boost", draws="200"))
    expect(phone.locator(KPI, has_text="8 in 10 draws").first).to_be_visible()
    assert clipped_cards(phone) == []
    # Its flip table wraps in its cells: every column, flip points included, is on the screen.
    flips = phone.locator(TABLE, has_text=tables.FLIP_COLUMN)
    expect(flips).to_be_visible(timeout=120_000)
    flips.scroll_into_view_if_needed()
    assert flips.evaluate("""t => { const r = t.getBoundingClientRect();
        const cut = Array.from(t.querySelectorAll('th, td')).some(c => c.getBoundingClientRect().right > window.innerWidth + 1
                                                                      || c.scrollWidth > c.clientWidth + 1);
        return r.right <= window.innerWidth + 1 && !cut; }""")
    # The Method page's parameter tables show row by row: each cell on the screen under its column's name.
    open_app(phone, url(app_url, "/method"))
    params = phone.locator(".st-key-parameters_0 " + TABLE)
    params.scroll_into_view_if_needed()
    shown = params.evaluate("""t => { const cells = Array.from(t.querySelectorAll('tbody tr:first-child td'));
        return {right: Math.max(...cells.map(c => c.getBoundingClientRect().right)), width: window.innerWidth,
                labels: cells.map(c => getComputedStyle(c, '::before').content)}; }""")
    assert shown["right"] <= shown["width"] + 1, shown
    assert shown["labels"][1:] == [f'"{c}"' for c in tables.parameter_groups()[0][1].columns[1:]], shown
    # Compare's picked scenarios wrap onto more lines rather than scroll out of sight.
    open_app(phone, url(app_url, "/compare"))
    picker = phone.locator("[data-testid='stMultiSelect']").first
    expect(picker).to_contain_text("+$60k a month into advertising")
    hidden = picker.evaluate("""el => Array.from(el.querySelectorAll('*'))
        .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
        .map(e => e.innerText).filter(t => t)""")
    assert hidden == [], hidden


def card_rows(page, count: int) -> list[list[tuple[int, int]]]:
    """The KPI cards row by row, once ``count`` are drawn on their grid: (left, width) of each, rounded
    to pixels. The page's stylesheet can reach the browser a moment after the cards on a loaded machine
    (Streamlit draws style-only HTML apart from the page's elements); what is measured is the settled page."""
    page.wait_for_function("""([cards, value, n]) => { const c = document.querySelectorAll(cards);
        const box = document.querySelector('.st-key-kpis');
        return c.length === n && Array.from(c).every(e => e.querySelector(value))
            && box && getComputedStyle(box).display === 'grid'; }""", arg=[KPI, KPI_VALUE, count],
                           timeout=TIMEOUT_MS)
    cards = page.eval_on_selector_all(KPI, """els => els.map(e => {
        const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.width), Math.round(r.top)]; })""")
    rows: dict[int, list] = {}
    for left, width, top in cards:
        rows.setdefault(top, []).append((left, width))
    return [rows[t] for t in sorted(rows)]


def test_kpi_cards_fit_every_screen_in_even_rows(page, phone, app_url):
    """Eight cards (the answer and seven KPIs) on a phone, a laptop, a 1,920- and a 2,560-pixel screen:
    none clipped or cut short, all about as wide as each other (no lone card stretched across a
    row), every row but the last full and the last not a lone card, columns lined up."""
    link = url(app_url, preset="service-boost")
    screens = [(page, width) for width in (1440, 1920, 2560)] + [(phone, None)]
    for tab, width in screens:
        if width:
            tab.set_viewport_size({"width": width, "height": 1000})
        open_app(tab, link)
        rows = card_rows(tab, 8)
        where = width or "phone"
        assert clipped_cards(tab) == [], where
        widths = [w for r in rows for _, w in r]
        assert max(widths) <= 1.05 * min(widths), f"cards of one width at {where}: {rows}"
        assert all(len(r) == len(rows[0]) for r in rows[:-1]) and (len(rows) == 1 or len(rows[-1]) >= 2), (where, rows)
        assert [left for left, _ in rows[-1]] == [left for left, _ in rows[0]][:len(rows[-1])], (where, rows)


def clipped_cards(page) -> list[str]:
    """Cards that do not fit across the screen, or whose figure or remark is cut short inside them."""
    return page.eval_on_selector_all(KPI, """els => els.filter(e => {
        const r = e.getBoundingClientRect();
        const cut = Array.from(e.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricDelta"] *'))
            .some(v => v.scrollWidth > v.clientWidth + 1);
        return r.left < -1 || r.right > window.innerWidth + 1 || cut; }).map(e => e.innerText)""")


def test_every_preset_title_fits_its_box_in_the_sidebar(page, app_url):
    """A consultant picks a story by its title: cut to "Young product, open mar..." it says nothing."""
    open_app(page, url(app_url, "/", preset="young-product"))
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.get_by_role("combobox")
    expect(box).to_have_value(cx_roi.preset_info("young-product").title)
    # Each title measured in the box's own font, against the room the box gives its text.
    widths = box.evaluate("""(el, titles) => {
        const cs = getComputedStyle(el), ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return titles.map(t => [t, ctx.measureText(t).width, room]); }""",
                          [cx_roi.preset_info(n).title for n in cx_roi.presets()])
    assert min(room for _, _, room in widths) > 100, widths
    too_long = [(t, round(w), round(room)) for t, w, room in widths if w > room]
    assert too_long == [], too_long


_CHART_BOXES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
    const fl = el._fullLayout, size = fl._size, box = el.getBoundingClientRect();
    const place = sel => { const e = el.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect();
        return [r.left - box.left, r.top - box.top, r.right - box.left, r.bottom - box.top]; };
    return {title: (fl.title.text || '').replace(/<[^>]+>/g, ''), traces: el.data.length,
            plot: [size.l, size.t, size.l + size.w, size.t + size.h], width: box.width, height: box.height,
            legend: place('.legend'), xtitle: place('.g-xtitle'), ytitle: place('.g-ytitle'),
            ticks: el.querySelectorAll('.xtick text').length}; })"""


def test_explore_charts_have_titles_traces_axes_and_a_legend_clear_of_the_plot(page, phone, app_url):
    """On a laptop and on a phone (where legends wrap onto more rows), each chart has its title, its
    traces and titled axes with tick labels, and its legend lies below the plot and the x-axis
    title, inside the figure."""
    for tab in (page, phone):
        open_app(tab, url(app_url, "/", preset="service-boost"))
        charts(tab, len(EXPLORE_CHARTS))
        drawn = tab.evaluate(_CHART_BOXES)
        assert len(drawn) == len(EXPLORE_CHARTS)
        for chart in drawn:
            assert chart["title"] and chart["traces"] >= 1 and chart["ticks"] >= 2, chart
            assert chart["xtitle"] and chart["ytitle"], chart
            assert chart["plot"][2] - chart["plot"][0] > 0.5 * chart["width"], f"the plot keeps most of the width: {chart}"
            if chart["legend"]:
                left, top, right, bottom = chart["legend"]
                assert top >= chart["plot"][3] and top >= chart["xtitle"][3] - 1, f"legend over the plot: {chart}"
                assert bottom <= chart["height"] + 1 and right <= chart["width"] + 1, f"legend cut off: {chart}"


def test_the_margin_verdict_arrives_after_the_cards_without_a_click(page, app_url, artifacts):
    """The odds are worked out beside the page: after a spend move the cards come first, and the
    sentence for the new spends follows by itself."""
    from cx_roi.verdict import margin_verdict

    open_app(page, url(app_url, "/", preset="revolving-door"))
    margin = page.locator(".st-key-margin_verdict")
    expect(margin).to_contain_text("On the margin, service quality (training, tools) wins", timeout=TIMEOUT_MS)
    slider = page.locator(AD_SLIDER)
    slider.focus()
    with rerun(page):
        page.keyboard.press("End")
    top = float(slider.get_attribute("max"))
    moved = cx_roi.load_preset("revolving-door").replace(**{AD: top})
    assert_cards(page, expected_cards(moved))
    want = margin_verdict(cx_roi.lever_odds(moved, draws=300, seed=0))
    expect(margin).to_contain_text(want[:60], timeout=TIMEOUT_MS)
    screenshot(page, artifacts / "browser-margin-verdict.png")
