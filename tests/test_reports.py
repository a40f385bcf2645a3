"""Reports read back in their real libraries carry the model's numbers, exactly."""

from __future__ import annotations

import html.parser
import io
import os
import json
import math
import re
import shutil
import subprocess
import zipfile

import numpy as np
import pytest

import cx_roi
from cx_roi import PARAMETERS, reports
from cx_roi.reports import bundle, workbook

ODD_NAME = "Q3: plan/B [draft] <new>"


@pytest.fixture(scope="module")
def scenarios() -> dict[str, cx_roi.Scenario]:
    short = {n: cx_roi.load_preset(n).replace(horizon_months=24) for n in ("status-quo", "service-boost")}
    # A monthly schedule and a name Excel cannot use as a sheet name as it is.
    ramp = tuple(150_000.0 + 5_000.0 * i for i in range(24))
    short[ODD_NAME] = cx_roi.load_preset("ad-boost").replace(horizon_months=24, ad_spend_per_month=ramp)
    return short


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


# openpyxl writes numbers with 16 significant digits ("%.16g"); Excel shows 15. Read back,
# a number is the model's to within a unit in the 16th digit: equal for any reader.
RTOL = 1e-15


def same(cell, value) -> bool:
    """A cell read back equals the model's value: NaN is an empty cell, numbers are numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cell is None
    if isinstance(value, (bool, np.bool_)):  # a yes/no column (same_as_baseline) is a boolean cell
        return cell is bool(value)
    return (isinstance(cell, (int, float)) and not isinstance(cell, bool)
            and math.isclose(float(cell), float(value), rel_tol=RTOL, abs_tol=1e-300))


def valid_ooxml(data: bytes) -> zipfile.ZipFile:
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    names = zf.namelist()
    assert "[Content_Types].xml" in names and len(names) == len(set(names))
    return zf


# ------------------------------------------------------------------ Excel

def test_excel_sheets_and_layout(xlsx):
    from openpyxl import load_workbook

    valid_ooxml(xlsx)
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Summary", "Inputs", "KPIs", "Monthly status-quo", "Monthly service-boost",
                             "Monthly Q3_ plan_B _draft_ <new"]  # 31 characters at most
    assert all(len(n) <= 31 for n in wb.sheetnames)
    for name in wb.sheetnames[1:]:
        assert wb[name].freeze_panes in ("B2", "E2")
        assert wb[name]["B1"].font.bold


def test_excel_inputs_have_units_sources_and_values(xlsx, scenarios):
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx))["Inputs"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Group", "Field", "Label", "Unit"] and header[4:7] == list(scenarios)
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert list(rows) == list(PARAMETERS)
    for name, p in PARAMETERS.items():
        r = rows[name]
        assert r[3].value == (p.unit or None) and r[header.index("Source")].value == p.source
        assert r[header.index("Solidity")].value == p.solidity
        for j, scenario in enumerate(scenarios.values(), start=4):
            v = getattr(scenario, name)
            v = float(np.mean(v)) if isinstance(v, tuple) else v
            assert r[j].value == v, (name, j)
    ad = rows["ad_spend_per_month"]
    assert "monthly schedule in " + ODD_NAME in ad[header.index("Note")].value
    assert ad[4].number_format == '"$"#,##0' and rows["shrinkage"][4].number_format == "0%"


def test_excel_kpis_equal_the_model(xlsx, expected):
    from openpyxl import load_workbook

    kpis, _, _ = expected
    ws = load_workbook(io.BytesIO(xlsx))["KPIs"]
    header = [c.value for c in ws[1]]
    assert header[0] == "Scenario" and header[1] == "npv ($)"
    columns = [h.split(" (")[0] for h in header[1:]]
    assert columns == list(kpis.columns)
    for i, name in enumerate(kpis.index, start=2):
        assert ws.cell(row=i, column=1).value == name
        for j, col in enumerate(columns, start=2):
            assert same(ws.cell(row=i, column=j).value, kpis.loc[name, col]), (name, col)
    assert ws.cell(row=2, column=header.index("roi (ratio)") + 1).value is None  # baseline: undefined
    assert ws["B2"].number_format.startswith('"$"')


def test_excel_kpis_show_as_many_digits_as_the_screen(xlsx):
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx))["KPIs"]
    formats = {str(ws.cell(row=1, column=j).value).split(" (")[0]: ws.cell(row=2, column=j).number_format
               for j in range(2, ws.max_column + 1)}
    assert formats["avg_monthly_churn"] == "0.00%" and formats["cac_paid"] == '"$"#,##0.00'
    assert formats["delta_npv"].startswith("+") and formats["delta_avg_monthly_churn"].startswith("+0.00%")
    headers = [str(c.value) for c in ws[1]]
    assert "delta_avg_monthly_churn (change in share)" in headers


def test_excel_monthly_sheets_equal_the_model(xlsx, expected):
    from openpyxl import load_workbook

    _, monthly, _ = expected
    wb = load_workbook(io.BytesIO(xlsx))
    for sheet, name in zip(wb.sheetnames[3:], monthly):
        ws = wb[sheet]
        m = monthly[name]
        header = [c.value for c in ws[1]]
        assert [h.split(" (")[0] for h in header[1:]] == list(m.columns)
        values = np.array([[c for c in row[1:]] for row in ws.iter_rows(min_row=2, values_only=True)], dtype=float)
        assert values.shape == m.shape
        np.testing.assert_allclose(values, m.to_numpy(dtype=float), rtol=RTOL, atol=0)
        assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == list(m.index)
        assert ws.cell(row=2, column=header.index("service_level (share)") + 1).number_format == "0.0%"


def test_excel_summary_carries_the_verdict(scenarios):
    from openpyxl import load_workbook

    data = reports.excel_report(scenarios, baseline="service-boost", verdict=["First line.", "Second line."],
                                title="Board pack")
    ws = load_workbook(io.BytesIO(data))["Summary"]
    assert ws["A1"].value == "Board pack" and "Baseline: service-boost" in ws["A2"].value
    assert [ws["A5"].value, ws["A6"].value] == ["First line.", "Second line."]


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
    kpis, _, nextd = expected
    verdict = reports.verdict_sentences(scenarios, "status-quo", kpis=kpis, next_dollars=nextd)
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
    from cx_roi.verdict import verdict

    kpis, _, nextd = expected
    lines = reports.verdict_sentences(scenarios, "status-quo", kpis=kpis, next_dollars=nextd)
    for name, s in scenarios.items():
        assert f"{name} — {verdict(nextd[name], reports.DEFAULT_EXTRA_PER_MONTH, s.horizon_months)}" in lines
    assert lines[0].startswith("Of the scenarios compared, ")
    # The scenario on screen leads, under its name, before the standing of the others.
    led = reports.verdict_sentences(scenarios, "status-quo", kpis=kpis, next_dollars=nextd, lead=ODD_NAME)
    assert led[0].startswith(f"{ODD_NAME} — ") and sorted(led) == sorted(lines)


@pytest.mark.parametrize("other, words", [
    (cx_roi.Scenario(), "Twin has the same NPV as Base over 5 years."),
    (cx_roi.Scenario().replace(ad_spend_per_month=0.0), "Twin loses $"),
    (cx_roi.load_preset("service-boost"), "Twin adds {gain} of NPV against Base over 5 years (ROI "),
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
        # The baseline is named so in the legend, as on the dashboard's Compare page.
        np.testing.assert_allclose(y, monthly[trace["name"].removesuffix(" (baseline)")]["customers"], rtol=1e-12)
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
    assert len(prs.slides) == 6 and len(charts) == 4
    pictures = [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]  # 13: picture
    assert pictures == []
    texts = [shape.text_frame.text for shape in prs.slides[0].shapes if shape.has_text_frame]
    assert "Our own verdict, from the dashboard." in texts
    table = next(s.table for s in prs.slides[1].shapes if s.has_table)
    assert table.cell(1, 0).text == "status-quo (baseline)" and table.cell(3, 0).text == ODD_NAME


def test_pptx_chart_values_equal_the_model(pptx, expected):
    kpis, monthly, nextd = expected
    _, charts = _charts(pptx)
    customers, contribution, npv, levers = charts
    for series in customers.plots[0].series:
        assert list(series.values) == pytest.approx(list(monthly[series.name]["customers"]), rel=1e-12)
    base = monthly["status-quo"]["cumulative_contribution"].to_numpy()
    for series in contribution.plots[0].series:
        extra = monthly[series.name]["cumulative_contribution"].to_numpy() - base
        assert list(series.values) == pytest.approx(list(extra), rel=1e-12, abs=1e-6)
    assert list(npv.plots[0].series[0].values) == pytest.approx(list(kpis["npv"]), rel=1e-12)
    assert list(npv.plots[0].categories) == list(kpis.index)
    for series, lever in zip(levers.plots[0].series, cx_roi.LEVERS):
        assert series.name == cx_roi.LEVERS[lever]
        assert list(series.values) == pytest.approx([nextd[n].loc[lever, "delta_npv"] for n in kpis.index],
                                                    rel=1e-12)


def test_undefined_values_become_gaps_not_text():
    assert bundle.none(float("nan")) is None and bundle.none(3) == 3.0
    assert workbook._cell_value(float("inf")) is None and workbook._cell_value("a\x01b") == "ab"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook():
    """A saved name such as "=HYPERLINK(...)" must not run as a formula when the workbook is opened."""
    from openpyxl import load_workbook

    name = '=HYPERLINK("https://example.invalid","x")'
    wb = load_workbook(io.BytesIO(reports.excel_report({"a": cx_roi.Scenario(), name: cx_roi.Scenario(shrinkage=0.2)})))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no formula anywhere"
    assert name in [c.value for c in wb["KPIs"]["A"]]


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
    customers, _, npv, next_dollar = charts
    want = scenario_colours(list(scenarios), "status-quo")
    assert want["status-quo"] == COLOURS["baseline"]
    for series, name in zip(customers.plots[0].series, scenarios):
        assert str(series.format.line.color.rgb) == want[name][1:]
    for series, lever in zip(next_dollar.plots[0].series, LEVER_COLOURS):
        assert str(series.format.fill.fore_color.rgb) == LEVER_COLOURS[lever][1:]
    bars = npv.plots[0].series[0]
    assert [str(bars.points[i].format.fill.fore_color.rgb) for i in range(len(scenarios))] == \
        [want[n][1:] for n in scenarios]
    assert npv.value_axis.minimum_scale == 0.0  # bars start at zero
    assert COLOURS["ads"] in html_text and COLOURS["baseline"] in html_text


def test_every_input_format_has_its_excel_format():
    """An input shown as "12%" or "$1,200" on screen reads the same in the workbook's Inputs sheet."""
    used = {p.fmt for p in PARAMETERS.values() if p.kind != "bool"}
    assert used <= set(reports.EXCEL_OF_PARAM_FORMAT), used - set(reports.EXCEL_OF_PARAM_FORMAT)


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
