"""Reports read back in their real libraries carry the model's numbers, exactly (the Excel workbook:
tests/test_workbook.py)."""

from __future__ import annotations

import html.parser
import io
import os
import json
import re
import shutil
import subprocess
import zipfile

import numpy as np
import pytest

import cx_roi
from cx_roi import reports
from cx_roi.reports import bundle

from conftest import ODD_NAME


@pytest.fixture(scope="module")
def expected(scenarios):
    kpis = cx_roi.compare(scenarios, baseline="status-quo")
    monthly = {n: cx_roi.simulate(s).monthly for n, s in scenarios.items()}
    nextd = {n: cx_roi.next_dollar(s) for n, s in scenarios.items()}
    return kpis, monthly, nextd


@pytest.fixture(scope="module")
def xlsx(scenarios):
    return reports.excel_report(scenarios, baseline="status-quo")


@pytest.fixture(scope="module")
def html_text(scenarios):
    return reports.html_report(scenarios, baseline="status-quo")


@pytest.fixture(scope="module")
def pptx(scenarios):
    return reports.pptx_report(scenarios, baseline="status-quo", verdict="Our own verdict, from the dashboard.")


def valid_ooxml(data: bytes) -> zipfile.ZipFile:
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    names = zf.namelist()
    assert "[Content_Types].xml" in names and len(names) == len(set(names))
    return zf


# ------------------------------------------------------------------ HTML

class _Scan(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.links: list[dict] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append({"attrs": dict(attrs), "body": ""})
            self._in_script = True
        if tag in ("link", "img", "iframe"):
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1]["body"] += data
        else:
            self.text.append(data)


def test_html_is_standalone_with_plotly_inline(html_text):
    scan = _Scan()
    scan.feed(html_text)
    assert html_text.startswith("<!DOCTYPE html>")
    assert not [s for s in scan.scripts if "src" in s["attrs"]]  # nothing loaded from anywhere
    assert not [a for a in scan.links if re.match(r"(https?:)?//", a.get("href", "") + a.get("src", ""))]
    bundles = [s for s in scan.scripts if "plotly.js v" in s["body"][:2000]]
    assert len(bundles) == 1 and len(bundles[0]["body"]) > 1_000_000
    assert html_text.count("Plotly.newPlot(") == 5


def test_html_contains_the_verdict_and_escapes_names(html_text, scenarios, expected):
    _, _, nextd = expected
    verdict = reports.verdict_sentences(scenarios, "status-quo", next_dollars=nextd)  # the report's own draws
    scan = _Scan()
    scan.feed(html_text)
    text = " ".join(scan.text)
    for line in verdict:
        assert line in text
    assert "<new>" not in html_text.replace("&lt;new&gt;", "")
    assert "Q3: plan/B [draft] &lt;new&gt;" in html_text


def _plot_data(html_text: str, div: str) -> list[dict]:
    """The data array passed to Plotly.newPlot for one chart div."""
    m = re.search(r'Plotly\.newPlot\(\s*"' + re.escape(div) + r'",\s*', html_text)
    data, _ = json.JSONDecoder().raw_decode(html_text[m.end():])
    return data


def test_each_scenario_gets_the_dashboards_own_sentence(scenarios, expected):
    from cx_roi.verdict import compare_headline, verdict

    kpis, _, nextd = expected
    lines = reports.verdict_sentences(scenarios, "status-quo", kpis=kpis, next_dollars=nextd)
    for name, s in scenarios.items():
        lead = cx_roi.lever_odds(s, draws=0).best  # the lever the answer on the margin leads with
        assert f"{name} — {verdict(nextd[name], reports.DEFAULT_EXTRA_PER_MONTH, s.horizon_months, lead)}" in lines
    months = scenarios["status-quo"].horizon_months
    assert lines[0] == compare_headline(kpis, months)  # the headline of the table given
    # The scenario on screen leads, under its name, before the standing of the others.
    led = reports.verdict_sentences(scenarios, "status-quo", kpis=kpis, next_dollars=nextd, lead=ODD_NAME)
    assert led[0].startswith(f"{ODD_NAME} — ") and sorted(led) == sorted(lines)


@pytest.mark.parametrize("other, words", [
    (cx_roi.Scenario(), "Twin has the same NPV as Base over 5 years."),
    (cx_roi.Scenario().replace(ad_spend_per_month=0.0), "Twin loses $"),
    (cx_roi.load_preset("service-boost"), "Twin adds {gain} of NPV against Base over 5 years at the likely values (ROI "),
])
def test_one_scenario_against_the_baseline_reads_as_one(other, words):
    gain = cx_roi.simulate(other).kpis["npv"] - cx_roi.simulate(cx_roi.Scenario()).kpis["npv"]
    words = words.format(gain=cx_roi.formatting.money(gain))
    lines = reports.verdict_sentences({"Base": cx_roi.Scenario(), "Twin": other}, "Base")
    assert lines[0].startswith(words), lines
    assert not any("Of the scenarios" in line or "$0 behind" in line for line in lines)


def test_report_tables_read_as_the_dashboards_table(html_text, expected):
    from cx_roi import formatting as fmt

    kpis = expected[0]
    scan = _Scan()
    scan.feed(html_text)
    text = " ".join(scan.text)
    boost = kpis.loc["service-boost"]
    for shown in (fmt.signed_money(boost["delta_npv"]), fmt.percent(boost["avg_monthly_churn"], 2),
                  fmt.percent(boost["roi"], 0), fmt.money(boost["npv"]), fmt.count(boost["final_customers"])):
        assert shown in text, shown
    assert html_text.count("<td>baseline</td>") == 2, "the baseline's ROI and payback read 'baseline', as on screen"
    assert f"<td>{fmt.month(boost['payback_month']).capitalize()}</td>" in html_text


def test_html_chart_data_equals_the_model(html_text, expected):
    kpis, monthly, nextd = expected
    npv = _plot_data(html_text, "plot-npv")
    assert npv[0]["y"] == pytest.approx(list(kpis["npv"]), rel=1e-12)
    customers = _plot_data(html_text, "plot-customers")
    for trace in customers:
        y = trace["y"]
        if isinstance(y, dict):  # plotly 6 may send arrays as base64 typed arrays
            import base64

            y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
        # The baseline is named so in the legend, as on the dashboard's Compare page; names go to plotly
        # as entities (it reads tags and entities in a name).
        name = html.unescape(trace["name"]).removesuffix(" (baseline)")
        np.testing.assert_allclose(y, monthly[name]["customers"], rtol=1e-12)
    levers = _plot_data(html_text, "plot-next_dollar")
    assert [t["name"] for t in levers] == list(cx_roi.LEVERS.values())


# ------------------------------------------------------------------ PowerPoint

def _charts(data: bytes):
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    charts = [shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart]
    return prs, charts


def test_pptx_slides_and_native_charts(pptx):
    valid_ooxml(pptx)
    prs, charts = _charts(pptx)
    assert len(prs.slides) == 7 and len(charts) == 5
    pictures = [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]  # 13: picture
    assert pictures == []
    # The caller's verdict is what the presenter says over the first slide.
    assert "Our own verdict, from the dashboard." in prs.slides[0].notes_slide.notes_text_frame.text
    table = next(s.table for slide in prs.slides for s in slide.shapes if s.has_table)
    assert table.cell(0, 1).text == "status-quo (baseline)" and table.cell(0, 3).text == ODD_NAME


def test_pptx_chart_values_equal_the_model(pptx, expected, scenarios):
    kpis, monthly, nextd = expected
    _, charts = _charts(pptx)
    margin, npv_change, contribution, customers, levers = charts
    per_dollar = {n: cx_roi.lever_odds(s, draws=0).per_dollar for n, s in scenarios.items()}
    assert list(margin.plots[0].categories) == list(kpis.index)
    for series, lever in zip(margin.plots[0].series, cx_roi.LEVERS):
        assert series.name == cx_roi.LEVERS[lever]
        assert list(series.values) == pytest.approx([per_dollar[n][lever] for n in kpis.index], rel=1e-12)
    others = [n for n in kpis.index if n != "status-quo"]
    assert list(npv_change.plots[0].categories) == others
    assert list(npv_change.plots[0].series[0].values) == pytest.approx(list(kpis.loc[others, "delta_npv"]),
                                                                        rel=1e-12)
    for series in customers.plots[0].series:
        assert list(series.values) == pytest.approx(list(monthly[series.name]["customers"]), rel=1e-12)
    base = monthly["status-quo"]["cumulative_contribution"].to_numpy()
    for series in contribution.plots[0].series:
        extra = monthly[series.name]["cumulative_contribution"].to_numpy() - base
        assert list(series.values) == pytest.approx(list(extra), rel=1e-12, abs=1e-6)
    assert list(levers.plots[0].categories) == list(kpis.index)
    for series, lever in zip(levers.plots[0].series, cx_roi.LEVERS):
        assert series.name == cx_roi.LEVERS[lever]
        assert list(series.values) == pytest.approx([nextd[n].loc[lever, "delta_npv"] for n in kpis.index],
                                                    rel=1e-12)


def test_undefined_values_become_gaps_not_text():
    assert bundle.none(float("nan")) is None and bundle.none(3) == 3.0


def test_reports_reject_an_unknown_baseline(scenarios):
    with pytest.raises(cx_roi.ScenarioError, match="baseline 'nope'"):
        reports.excel_report(scenarios, baseline="nope")


# ------------------------------------------------------------------ a real office suite, when there is one

def test_libreoffice_opens_both_files(xlsx, pptx, tmp_path):
    if shutil.which("soffice") is None:
        reason = "LibreOffice (soffice) is not installed (Debian: libreoffice-calc, libreoffice-impress)"
        if os.environ.get("CX_ROI_REQUIRE_OFFICE") == "1":
            pytest.fail(f"CX_ROI_REQUIRE_OFFICE=1 but {reason}")
        pytest.skip(reason)
    for name, data in (("report.xlsx", xlsx), ("report.pptx", pptx)):
        (tmp_path / name).write_bytes(data)
        done = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                               "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / name)],
                              capture_output=True, text=True, timeout=240)
        pdf = tmp_path / name.replace(name.rsplit(".", 1)[1], "pdf")
        assert done.returncode == 0 and pdf.exists() and pdf.stat().st_size > 10_000, done.stderr


def test_deck_and_page_use_the_dashboards_colour_meanings(scenarios, pptx, html_text):
    from pptx import Presentation

    from cx_roi.palette import COLOURS, LEVER_COLOURS, scenario_colours

    charts = [sh.chart for slide in Presentation(io.BytesIO(pptx)).slides for sh in slide.shapes if sh.has_chart]
    margin, npv, _, customers, next_dollar = charts
    want = scenario_colours(list(scenarios), "status-quo")
    others = [n for n in scenarios if n != "status-quo"]
    assert want["status-quo"] == COLOURS["baseline"]
    for series, name in zip(customers.plots[0].series, scenarios):
        assert str(series.format.line.color.rgb) == want[name][1:]
    for chart in (margin, next_dollar):
        for series, lever in zip(chart.plots[0].series, LEVER_COLOURS, strict=True):
            assert str(series.format.fill.fore_color.rgb) == LEVER_COLOURS[lever][1:]
    bars = npv.plots[0].series[0]
    assert [str(bars.points[i].format.fill.fore_color.rgb) for i in range(len(others))] == \
        [want[n][1:] for n in others]
    assert npv.value_axis.minimum_scale == 0.0  # bars start at zero
    assert COLOURS["ads"] in html_text and COLOURS["baseline"] in html_text


def test_html_chart_titles_fit_one_phone_line_and_notes_say_the_rest():
    """A plotly title never wraps: a long one was cut ("...payback is where its line cros"). Titles
    hold about 40 characters of 18-pixel type on a phone-wide chart; the explanation is a note under
    the chart, as plain text."""
    from cx_roi.reports.bundle import bundle
    from cx_roi.reports.page import html_report, report_figures

    named = {"status-quo": cx_roi.load_preset("status-quo"), "<b>Plan & co</b>": cx_roi.load_preset("ad-boost")}
    figures = report_figures(bundle(named, "status-quo", "t", None, 50_000.0))
    assert [f.key for f in figures] == ["customers", "contribution", "nps", "npv", "next_dollar"]
    for f in figures:
        title = f.figure.layout.title.text
        assert len(title) <= 40 and "<br>" not in title, title
    page = html_report(named, "status-quo")
    notes = [f.note for f in figures if f.note]
    assert notes and "payback is where its line crosses zero" in " ".join(notes)
    assert "&lt;b&gt;Plan &amp; co&lt;/b&gt;" in page and "<b>Plan & co</b>" not in page
    # Plotly reads tags and entities in trace names and category labels: the name goes in escaped,
    # so the chart draws it as written, not in bold.
    labels = [str(v) for f in figures for trace in f.figure.data
              for v in [trace.name, *(trace.x if trace.type == "bar" else ())] if v is not None]
    assert any("&lt;b&gt;Plan &amp; co&lt;/b&gt;" in v for v in labels)
    assert not any("<b>" in v or "& " in v for v in labels), labels


def test_an_undefined_figure_reads_the_same_words_in_the_reports_as_on_screen():
    # No advertising at all: no paid CAC, no payback, and (spending less) no ROI.
    from ui import tables  # noqa: PLC0415
    no_ads = cx_roi.Scenario().replace(ad_spend_per_month=0.0)
    table = cx_roi.compare({"base": cx_roi.Scenario(), "no ads": no_ads}, baseline="base")
    screen = tables.comparison_table(table)
    row = table.loc["no ads"]
    undefined = [k for k in bundle.REPORT_KPIS if not np.isfinite(row[k])]
    assert {"roi", "payback_month", "cac_paid"} <= set(undefined)
    for k in undefined:
        words = bundle.fmt_kpi(row, k)
        assert words == screen.loc[cx_roi.outputs.output(k).label, "no ads"], k
        assert words == cx_roi.comparison.why_undefined(row, k) and "nan" not in words.lower()


def test_an_html_report_of_one_scenario_measures_nothing_against_a_baseline():
    # Explore's files for a scenario that is its own baseline: "NPV, change $0", ROI "baseline" and a
    # flat contribution line against itself said nothing.
    from cx_roi.reports.bundle import bundle as make_bundle
    from cx_roi.reports.page import report_figures

    page = reports.html_report({"Revolving door": cx_roi.load_preset("revolving-door")})
    text = re.sub(r"<[^>]+>", " ", page.split("<h2>Charts</h2>")[0])
    for label in ("NPV, change", "ROI vs baseline", "Payback vs baseline", "Inputs that differ", "(baseline)",
                  "Baseline:"):
        assert label not in text, label
    assert cx_roi.outputs.output("npv").label in text and "Revolving door" in text
    keys = [f.key for f in report_figures(make_bundle({"x": cx_roi.Scenario()}, None, "t", None, 50_000.0))]
    assert "contribution" not in keys and "customers" in keys


def test_the_files_say_when_the_best_differs_from_the_baseline_in_more_than_spend():
    """The Compare page and the deck warned that another business's gap is not what spending returns;
    the workbook's and the HTML report's verdict left it out."""
    named = {"Status quo": cx_roi.load_preset("status-quo"), "Young": cx_roi.load_preset("young-product"),
             "Boost": cx_roi.load_preset("service-boost")}
    lines = reports.verdict_sentences(named, "Status quo")
    assert lines[0].startswith("Young") and "more than spend" in lines[0]


def test_the_standing_is_against_the_baseline_given_even_after_a_copy_of_it():
    """A copy of the baseline listed before it was taken for the baseline, and the baseline for the runner-up."""
    base, boost = cx_roi.Scenario(), cx_roi.load_preset("service-boost")
    line = reports.verdict_sentences({"Copy": base, "Base": base, "Boost": boost}, "Base")[0]
    assert line.startswith("Boost adds the most") and "against Base" in line and "next, Copy" in line, line


@pytest.mark.parametrize("schedule,horizon", [((100_000.0, 300_000.0), 60), ((100_000.0,) * 12 + (500_000.0,) * 12, 12)])
def test_a_schedule_reads_as_what_the_run_spends_on_average(schedule, horizon):
    """A schedule's average is over the horizon's months: a short one's last month holds, a long one is cut."""
    base = cx_roi.load_preset("status-quo").replace(horizon_months=horizon)
    ramp = base.replace(ad_spend_per_month=schedule)
    spent = float(cx_roi.simulate(ramp).monthly["ad_cost"].mean())
    page = cx_roi.html_report({"base": base, "ramp": ramp})
    assert f"schedule, average ${spent:,.0f}" in page
    from openpyxl import load_workbook
    inputs = load_workbook(io.BytesIO(cx_roi.excel_report({"base": base, "ramp": ramp})))["Inputs"]
    rows = {r[1].value: r for r in inputs.iter_rows()}
    assert rows["ad_spend_per_month"][5].value == pytest.approx(spent, rel=1e-12)


@pytest.mark.parametrize("report", ["excel_report", "html_report", "pptx_report"])
@pytest.mark.parametrize("settings, words", [({"title": "a\ud800b"}, "title"), ({"title": "a\x1bb"}, "title"),
                                             ({"verdict": 5}, "verdict"), ({"verdict": [None]}, "verdict"),
                                             ({"verdict": ["fine", "bell\x07"]}, "sentence 2"),
                                             ({"lead": "nope"}, "lead"), ({"lead": ["a"]}, "lead"),
                                             ({"verdict": b"abc"}, "verdict")])
def test_a_report_names_a_title_verdict_or_lead_it_cannot_use(report, settings, words):
    """Each was a crash deep in the file writers, a raw control character in the HTML, 'None' in the
    verdict, or a lead silently ignored."""
    with pytest.raises(cx_roi.ScenarioError, match=words):
        getattr(cx_roi, report)({"a": cx_roi.load_preset("status-quo")}, **settings)


def test_a_title_and_verdict_may_break_lines_and_hold_tabs():
    """Every report file carries a tab or a line break; they were refused with the names' rule."""
    base = {"a": cx_roi.load_preset("status-quo")}
    for report in (cx_roi.excel_report, cx_roi.html_report, cx_roi.pptx_report):
        assert report(base, title="Board pack\tQ3", verdict=["Line one.\nLine two."])
