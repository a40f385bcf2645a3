"""Risk, Optimise and Your data in a real browser, and the exports a consultant takes away.

The same server and headless Chromium as ``test_browser`` (its helpers are
reused). Expected figures are computed with ``cx_roi`` in the test; files the
browser downloads are read back with openpyxl, python-pptx and an HTML parser.
Screenshots go to ``test-artifacts/browser-*.png``.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cx_roi
from cx_roi import formatting as fmt
from cx_roi.risk import paired_outcomes, risk_summary
from test_browser import (ALERT, KPI, TIMEOUT_MS, PlaywrightTimeout, assert_cards, assert_query, cards, charts,
                          expect, open_app, page_switch, plain, query_of, rerun, screenshot, url)
from test_history import noisy_history
from ui import exports
from ui.settings import rounded_split
from ui.uploads import TOLERANCE_LABEL

pytestmark = pytest.mark.browser

UPLOAD = "[data-testid='stFileUploaderDropzoneInput']"


def download(page, button: str) -> tuple[str, bytes]:
    """Click the download button labelled ``button``; the file's suggested name and bytes."""
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name=button, exact=True).click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.remote_scripts = [], 0

    def handle_starttag(self, tag, attrs):
        self.remote_scripts += tag == "script" and "src" in dict(attrs)

    def handle_data(self, data):
        self.text.append(data)


def check_exports(page, stem: str, scenario_names: list[str], npv: float) -> None:
    """Download Excel, HTML and PowerPoint from the page and read each back."""
    from openpyxl import load_workbook
    from pptx import Presentation

    name, data = download(page, "Excel")
    assert name == exports.file_name(stem, "xlsx")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["KPIs"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value in scenario_names}
    assert set(rows) == set(scenario_names)
    npvs = [r[header.index(cx_roi.outputs.header("npv"))].value for r in rows.values()]
    assert any(abs(v - npv) <= 1e-6 * abs(npv) for v in npvs), (npvs, npv)

    name, data = download(page, "HTML report")
    assert name == exports.file_name(stem, "html")
    scan = _Scan()
    scan.feed(data.decode("utf-8"))
    text = " ".join(scan.text)
    assert scan.remote_scripts == 0 and all(n in text for n in scenario_names)

    name, data = download(page, "PowerPoint")
    assert name == exports.file_name(stem, "pptx")
    deck = Presentation(io.BytesIO(data))
    assert sum(1 for s in deck.slides for sh in s.shapes if sh.has_chart) >= 3


def test_an_html_report_with_a_long_unbroken_name_fits_the_window(page, tmp_path, artifacts):
    name = "x" * 200
    report = tmp_path / "report.html"
    report.write_text(cx_roi.reports.html_report({"Status quo": cx_roi.load_preset("status-quo"),
                                                  name: cx_roi.load_preset("service-boost")}), encoding="utf-8")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(report.as_uri())
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 5", timeout=TIMEOUT_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
    assert name in page.inner_text("#kpis")  # the table keeps the whole name, wrapped
    screenshot(page, artifacts / "browser-report-long-name.png")


# ---------------------------------------------------------------- Risk

def test_risk_page_shows_paired_chances_fans_and_tornado(page, app_url, artifacts):
    open_app(page, url(app_url, "/risk", preset="service-boost", draws="300", seed="7"))
    scenario, base = cx_roi.load_preset("service-boost"), cx_roi.load_preset("status-quo")
    summary = risk_summary(paired_outcomes(cx_roi.simulate_many(scenario, draws=300, seed=7),
                                           cx_roi.simulate_many(base, draws=300, seed=7)))
    assert_cards(page, {"Chance it beats the baseline": fmt.chance(summary.prob_beats_baseline),
                        "NPV, middle outcome": fmt.money(summary.npv_p50)})
    titles = [plain(c["title"]) for c in charts(page, 5)]
    assert "Customers: the likely range" in titles and any(t.startswith("Contribution to date") for t in titles)
    assert "NPV, one assumption at a time" in titles, titles
    top = cx_roi.tornado(scenario, metric="npv").iloc[0]
    expect(page.get_by_text(f"{top['label']} moves the NPV most", exact=False)).to_be_visible()
    screenshot(page, artifacts / "browser-risk.png")


def test_risk_page_with_bad_settings_names_them_and_runs_with_defaults(page, app_url, artifacts):
    open_app(page, url(app_url, "/risk", draws="0", seed="minus-one", tornado="profit"))
    notice = page.locator(ALERT, has_text="This link had values")
    expect(notice).to_contain_text("draws=0")
    expect(notice).to_contain_text("seed=minus-one")
    expect(notice).to_contain_text("tornado=profit")
    assert set(cards(page)) >= {"Chance it beats the baseline", "Chance it pays back"}
    screenshot(page, artifacts / "browser-risk-bad.png")


def test_streamlits_own_colour_emoji_and_icon_codes_in_a_link_read_as_written(page, app_url):
    """A value from a link with ":red[...]", ":smile:" or ":material/...:" used to turn colour, an
    emoji and an icon, outside and inside the notice's code span; it reads as typed."""
    codes = ":red[boom] :smile: :material/check_circle:"
    open_app(page, url(app_url, "/your_data", ad_spend_per_month=codes, fitted="label"))
    notice = page.locator(ALERT, has_text="This link had values")
    expect(notice).to_contain_text("boom")
    text = notice.inner_text().replace("\u200b", "")
    assert codes in text and ":red[boom] :smile:" in text.replace(codes, "", 1)  # the code span and the words
    assert "label~field:value~" in text
    assert notice.locator(".stMarkdownColoredText, del, [data-testid='stIconMaterial']").count() == 0
    assert "\U0001f604" not in text  # the smile emoji


@pytest.mark.parametrize("width", [390, 768, 1024])
def test_method_tables_fit_their_room_at_every_width(page, app_url, width):
    """Seven columns of sources and notes were 908 px wide in 734 at 768 px (cut off, a hidden
    sideways scroll), and the outputs' tables 420 px in 358: each now fits the room it has."""
    page.set_viewport_size({"width": width, "height": 900})
    open_app(page, url(app_url, "/method"))
    page.locator("[data-testid='stTable']").last.scroll_into_view_if_needed()
    sizes = page.evaluate("""() => [...document.querySelectorAll("[data-testid='stTable']")].map(
        t => [t.clientWidth, t.querySelector('table').scrollWidth])""")
    assert len(sizes) >= 10
    assert all(inner <= room + 1 for room, inner in sizes), sizes


# ---------------------------------------------------------------- Optimise

def test_optimise_recommends_a_split_and_applies_it_to_explore(page, app_url, artifacts):
    open_app(page, url(app_url, "/optimise", horizon_months="36", budget="450000"))
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=36)
    best = cx_roi.optimize_budget(scenario, 450_000.0)
    assert_cards(page, {"NPV with the best split": fmt.money(best.kpis["npv"])})
    expect(page.get_by_text(re.compile(r"^Recommended:"))).to_be_visible()
    charts(page, 2)
    screenshot(page, artifacts / "browser-optimise.png")
    with rerun(page, "Array.from(document.querySelectorAll('h1')).some(h => h.innerText.trim() === "
                     "'Customer service or advertising?')"):
        page.get_by_role("button", name="Apply this split to the scenario").click()
    expect(page.locator(ALERT, has_text="Applied the optimised split")).to_be_visible()
    screenshot(page, artifacts / "browser-optimise-applied.png")
    applied = scenario.replace(**rounded_split(best))  # each spend to the nearest $1,000
    assert_cards(page, {"NPV": fmt.money(cx_roi.simulate(applied).kpis["npv"])})
    q = query_of(page)
    assert q["horizon_months"] == "36" and "ad_spend_per_month" in q
    # The move to Explore is one step of the browser's history: the first Back leaves Explore.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/optimise\?"))


def test_optimise_budget_below_the_levers_minimums_is_explained(page, app_url):
    open_app(page, url(app_url, "/optimise", bounds="service_capacity_spend_per_month:500000:", budget="300000"))
    error = page.locator(ALERT, has_text="cannot be split")
    expect(error).to_contain_text("$500,000")
    expect(page.locator("h1").first).to_have_text("What is the best split of the budget?")


# ---------------------------------------------------------------- Your data and exports

def test_upload_fit_use_as_baseline_and_download_every_export(page, app_url, artifacts):
    open_app(page, url(app_url, "/your_data"))
    # A bad file first: its problems are listed and nothing is loaded.
    with rerun(page):
        page.locator(UPLOAD).set_input_files(files=[{"name": "junk.csv", "mimeType": "text/csv",
                                                     "buffer": bytes(range(256)) * 8}])
    # The notice and the page's advice under the uploader both say so.
    expect(page.locator(ALERT, has_text="was not loaded").first).to_contain_text("junk.csv")

    sample = cx_roi.sample_history_file()
    with rerun(page):
        page.locator(UPLOAD).set_input_files(files=[{"name": "our-history.csv", "mimeType": "text/csv",
                                                     "buffer": sample}])
    expect(page.get_by_text("our-history.csv: 48 months")).to_be_visible()
    expect(page.locator(ALERT, has_text="was not loaded")).to_have_count(0)  # the complaint went with the bad file
    with rerun(page):
        page.get_by_role("button", name="Fit the model to this history").click()
    fit = cx_roi.fit_history(cx_roi.read_history(sample, "our-history.csv"))
    assert_cards(page, {"Customers explained": fmt.percent(fit.metrics["r2_customers"], 0),
                        f"Forecast miss, last {fit.holdout.months} months":
                            fmt.percent(fit.holdout.mape_customers, 1)})
    titles = [plain(c["title"]) for c in charts(page, 4)]
    assert titles[:3] == ["Customers at month end", "New customers per month", "Churned customers per month"]
    screenshot(page, artifacts / "browser-your-data.png")

    with rerun(page):
        page.get_by_role("button", name="Use as my baseline").click()
    expect(page.locator(ALERT, has_text="is now the baseline on every page")).to_be_visible()
    # The fit is the start, and a start is its own baseline: no baseline= needed for it.
    assert query_of(page).get("baseline", "your-data") == "your-data" and query_of(page)["preset"] == "your-data"
    assert "our-history" not in page.url, "the file's name stays out of the link"

    page_switch(page, "Explore")
    kpis = cx_roi.simulate(fit.scenario).kpis
    assert_cards(page, {"NPV": fmt.money(kpis["npv"]), "Customers at the end": fmt.count(kpis["final_customers"])})
    expect(page.get_by_text("Your data: 48 months to 2024-12 · the baseline itself")).to_be_visible()
    screenshot(page, artifacts / "browser-explore-your-data.png")
    # The fit is its own baseline: the files hold it once.
    check_exports(page, "your-data", ["Your data: 48 months to 2024-12"], kpis["npv"])

    # The link reopens the same view in a new browser session, without the file.
    link = page.url
    other = page.context.browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    try:
        open_app(other, link)
        assert_cards(other, {"NPV": fmt.money(kpis["npv"])})
    finally:
        other.context.close()


def test_a_file_refused_for_its_customer_balance_loads_once_the_gap_is_raised(page, app_url, artifacts):
    data, _ = noisy_history(months=36)
    open_app(page, url(app_url, "/your_data"))
    gap = page.get_by_label(TOLERANCE_LABEL, exact=True)
    with rerun(page):
        gap.fill("0.0")
        gap.press("Enter")
    with rerun(page):
        page.locator(UPLOAD).set_input_files(files=[{"name": "billing.csv", "mimeType": "text/csv", "buffer": data}])
    expect(page.locator(ALERT, has_text="customers do not add up within the allowed gap of 0%")).to_be_visible()
    screenshot(page, artifacts / "browser-your-data-refused.png")
    with rerun(page):
        gap.fill("2.5")
        gap.press("Enter")
    expect(page.get_by_text("billing.csv: 36 months")).to_be_visible()
    expect(page.locator(ALERT, has_text="was not loaded")).to_have_count(0)


def test_compare_exports_every_compared_scenario(page, app_url):
    open_app(page, url(app_url, "/compare", compare="service-boost,ad-boost"))
    expect(page.locator("[data-testid='stTable']")).to_be_visible()
    names = [cx_roi.preset_info(p).title for p in ("status-quo", "service-boost", "ad-boost")]
    check_exports(page, "comparison", names, cx_roi.simulate(cx_roi.load_preset("ad-boost")).kpis["npv"])
    assert page.locator(KPI).count() == 0


def _edit_first_low(page, text: str, now: str) -> None:
    """Type ``text`` into the Low cell of the ranges table's first row, which reads ``now``.

    The grid is a canvas, driven by keys: click the first cell, two steps right to
    Low, Enter to open its editor. A key can land before the grid has focus, so the
    editor that opened is checked (editable, showing ``now``) and the steps are
    tried again if it is not the Low cell's.
    """
    grid = page.locator(".st-key-risk_ranges [data-testid='stDataFrameResizable']")
    grid.locator("canvas").first.wait_for()
    editor = page.locator("#portal input, #portal textarea").first
    for _ in range(4):
        grid.click(position={"x": 40, "y": 50})  # first row, first column (placed when clicked)
        for key in ("ArrowRight", "ArrowRight", "Enter"):
            page.keyboard.press(key, delay=80)
        try:
            editor.wait_for(timeout=5_000)
            if editor.is_editable() and editor.input_value() == now:
                break
        except PlaywrightTimeout:
            pass
        page.keyboard.press("Escape", delay=80)
    else:
        raise AssertionError("the Low cell's editor of the ranges table did not open")
    page.keyboard.press("Control+A", delay=60)
    page.keyboard.type(text, delay=40)
    with rerun(page):
        page.keyboard.press("Enter", delay=60)


def test_ranges_are_editable_in_the_table_and_travel_in_the_link(page, app_url, artifacts):
    open_app(page, url(app_url, "/risk", draws="200"))
    first = cx_roi.default_ranges(cx_roi.load_preset("status-quo"))["agent_cost_per_month"]
    with rerun(page):
        page.get_by_text("Uncertain assumptions: the ranges behind every figure").click()
    _edit_first_low(page, "5500", f"{first.low:g}")
    assert_query(page, {"draws": "200", "ranges": f"agent_cost_per_month:5500:{first.high:g}"})
    screenshot(page, artifacts / "browser-risk-ranges.png")
    # A low above the high is refused with a reason, and the range stays as it was.
    _edit_first_low(page, "99000", "5500")
    expect(page.locator(ALERT, has_text="Some ranges were not changed")).to_contain_text("is above high")
    assert_query(page, {"draws": "200", "ranges": f"agent_cost_per_month:5500:{first.high:g}"})
    # A low above the scenario's own value: kept in the link, the range widened to hold the likely value,
    # and said; the earlier complaint gives way to it instead of piling up.
    likely = cx_roi.load_preset("status-quo").agent_cost_per_month
    _edit_first_low(page, f"{likely + 500:g}", "5500")
    expect(page.locator(ALERT, has_text="leaves out the scenario's own value")).to_contain_text(f"{likely:,.0f}")
    expect(page.locator(ALERT, has_text="Some ranges were not changed")).to_have_count(0)
    assert_query(page, {"draws": "200", "ranges": f"agent_cost_per_month:{likely + 500:g}:{first.high:g}"})
