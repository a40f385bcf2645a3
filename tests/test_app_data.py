"""The Your data page and the exports through AppTest.

A history is uploaded, checked, fitted and used as the baseline; the figures
the pages show are compared with ``cx_roi`` run directly on the same file. Every
kind of bad file gives its message on the page and leaves the baseline, the
history already loaded and the link as they were. The export buttons are
pressed through the callables Streamlit would run on a click, and the files
are read back with openpyxl, python-pptx and an HTML parser.
"""

from __future__ import annotations

import io
import math
import re
from html.parser import HTMLParser

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import cx_roi
from cx_roi import formatting as fmt
from cx_roi.calibrate import MIN_MONTHS_TO_FIT
from cx_roi.history import COLUMNS
from apptest import card, messages, run_app
from test_history import HEADER, rows
from test_history import _grid as grid
from test_history import _xlsx as xlsx
from test_history import csv_bytes as csv
from test_history import noisy_history
from ui import exports, state, tables

DATA = "pages/your_data.py"
SAMPLE = cx_roi.sample_history_file()


def data_page(query: dict[str, str] | None = None) -> AppTest:
    return run_app(query, page=DATA)


def read_line(at: AppTest) -> str:
    """What "2. Check what was read" says about the loaded file ("" when none is loaded)."""
    return next((m.value for m in at.markdown if "Optional columns found" in m.value), "")


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    uploader = next(u for u in at.file_uploader if u.key.startswith("w:history:"))
    uploader.upload(name, content, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fitted_sample_app() -> AppTest:
    at = data_page()
    click(at, "use_sample")
    return click(at, "fit")


@pytest.fixture(scope="module")
def sample_fit() -> cx_roi.HistoryFit:
    return cx_roi.fit_history(cx_roi.read_history(SAMPLE, "sample_history.csv"))


@pytest.fixture()
def deferred(monkeypatch) -> dict[str, object]:
    """Every deferred download the run registers: file name -> the callable a click would run."""
    seen: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        seen[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return seen


# ---------------------------------------------------------------- loading and fitting

def test_page_explains_every_column_and_offers_template_and_sample():
    at = data_page()
    table = next(df.value for df in at.dataframe if "Column" in df.value)
    assert list(table["Column"]) == list(COLUMNS)
    assert set(table.loc[table["Required"] == "yes", "Column"]) == set(cx_roi.history.REQUIRED_COLUMNS)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Template (CSV)" in labels and "Sample file (CSV)" in labels  # a file, not "Try the sample history"
    assert "Load your history" in messages(at)


def test_sample_is_read_checked_and_fitted_as_the_package_fits_it(sample_fit):
    at = data_page()
    click(at, "use_sample")
    assert "48 months, 2021-01 to 2024-12" in read_line(at)
    assert not messages(at), "no notice repeats what the page says below"
    assert not [b for b in at.button if b.key == "use_fit"], "no baseline to use before a fit"
    click(at, "fit")
    m, hold = sample_fit.metrics, sample_fit.holdout
    assert card(at, "Customers explained").value == fmt.percent(m["r2_customers"], 0)
    assert card(at, "New customers explained").value == fmt.percent(m["r2_new_customers"], 0)
    assert card(at, f"Forecast miss, last {hold.months} months").value == fmt.percent(hold.mape_customers, 1)
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    for words in ("Customers at month end", "New customers per month", "Churned customers per month",
                  "Net promoter score"):
        assert any(words in t for t in titles), words
    shown = next(t.value for t in at.table if "Standard error" in t.value)
    label = {cx_roi.PARAMETERS[f].label: f for f in cx_roi.PARAMETERS}
    row = shown.set_index("Parameter").loc[cx_roi.PARAMETERS["market_size"].label]
    assert row["Value"] == fmt.param_value(cx_roi.PARAMETERS["market_size"].fmt, sample_fit.fitted["market_size"])
    assert row["How"] == "fitted" and row["95% range"]
    assert {label[p] for p in shown["Parameter"][shown["How"] == "fitted"]} == set(sample_fit.fitted)
    assert "Field" not in shown, "fields are named by their labels"
    kept = next(t.value for t in at.table if "Standard error" not in t.value and "Note" in t.value)
    assert {label[p] for p in kept["Parameter"]} == set(sample_fit.not_fitted)
    assert all(kept["Note"]), "every default kept says why"


def test_use_as_baseline_applies_on_every_page_and_travels_in_the_link(sample_fit):
    at = fitted_sample_app()
    click(at, "use_fit")
    assert "is now the baseline on every page" in messages(at)
    # The fit is the start, and a start is its own baseline: the link needs no baseline= for it.
    assert at.query_params["preset"] == state.FITTED and at.query_params.get("baseline", state.FITTED) == state.FITTED
    link = dict(at.query_params)

    at.switch_page("pages/explore.py").run()
    expected = cx_roi.simulate(sample_fit.scenario).kpis
    assert card(at, "NPV").value == fmt.money(expected["npv"])
    assert card(at, "Customers at the end").value == fmt.count(expected["final_customers"])
    assert at.caption[0].value == "Your data: 48 months to 2024-12 · the baseline itself"
    assert at.sidebar.selectbox(key="w:preset").value == state.FITTED

    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert at.selectbox(key="w:baseline").value == state.FITTED

    # A new session opened from the link sees the same baseline, without the history.
    other = run_app(link)
    assert card(other, "NPV").value == fmt.money(expected["npv"])
    other.switch_page(DATA).run()
    assert "came with the link" in messages(other)


def test_lever_moves_against_the_fitted_baseline_give_a_delta(sample_fit):
    at = fitted_sample_app()
    click(at, "use_fit")
    at.switch_page("pages/explore.py").run()
    quality = "service_quality_spend_per_month"
    at.slider(key=f"w:lever:{quality}").set_value(getattr(sample_fit.scenario, quality) + 20_000).run()
    table = cx_roi.compare({"b": sample_fit.scenario,
                            "s": sample_fit.scenario.replace(**{quality: getattr(sample_fit.scenario, quality)
                                                                + 20_000})}, baseline="b")
    assert card(at, "NPV").delta == fmt.signed_money(table.loc["s", "delta_npv"])


def test_presets_against_a_fitted_baseline_are_flagged_as_another_business():
    """The presets are built on the default company: beside a fit of the user's own business, their
    changes are not what their spend returns, and the pages say so rather than credit the spend."""
    at = fitted_sample_app()
    click(at, "use_fit")
    at.switch_page("pages/explore.py").run()
    hint = " ".join(i.value for i in at.info)
    assert "Move a spend above to see what it does" in hint and "preset" not in hint
    at.switch_page("pages/compare.py").run()
    [warning] = [w.value for w in at.warning]
    for title in (state.start_title("service-boost"), state.start_title("ad-boost")):
        assert f"**{tables.inert(title)}** differs from the baseline in " in warning
    assert "Their changes in NPV, customers and the other figures include those other businesses" in warning


def test_stop_using_the_fit_goes_back_to_the_presets():
    at = fitted_sample_app()
    click(at, "use_fit")
    click(at, "stop_fit")
    assert "baseline" not in dict(at.query_params) and "fitted" not in dict(at.query_params)
    at.switch_page("pages/explore.py").run()
    assert at.sidebar.selectbox(key="w:preset").value == state.DEFAULT_PRESET


@pytest.mark.parametrize("query, words", [
    ({"fitted": "mine~market_size:lots"}, "market_size=lots"),
    ({"preset": state.FITTED}, "preset=your-data"),
    ({"baseline": state.FITTED}, "baseline=your-data"),
    ({"fitted": "mine~no_such_field:3"}, "no_such_field"),
    ({"fitted": ""}, "`fitted=`: carries no fitted values"),
    ({"fitted": "mine", "baseline": state.FITTED}, "`fitted=mine`: carries no fitted values"),
])
def test_bad_fitted_links_get_a_notice_and_defaults(query, words):
    at = run_app(query)
    assert words in messages(at)
    # The link opens as far as it can: the status quo, against itself.
    assert card(at, "NPV").value == fmt.money(cx_roi.simulate(cx_roi.load_preset("status-quo")).kpis["npv"])
    assert at.sidebar.selectbox(key="w:baseline").value == "status-quo"


def test_history_too_short_to_fit_says_so_and_keeps_everything():
    short = MIN_MONTHS_TO_FIT - 2
    at = data_page({"baseline": "ad-boost"})
    upload(at, "short.csv", csv(rows(short)))
    assert f"{short} months" in read_line(at)
    click(at, "fit")
    text = "\n".join(e.value for e in at.error)
    assert f"at least {MIN_MONTHS_TO_FIT}" in text and "unchanged" in text
    assert at.query_params["baseline"] == "ad-boost"


def test_the_template_as_downloaded_says_what_it_needs():
    at = data_page()
    upload(at, "cx-roi-history-template.csv", cx_roi.history_template())
    text = "\n".join(e.value for e in at.error)
    assert "the history has 3 months; at least 6 are needed to read it and 18 to fit the model" in text
    assert "cx_roi" not in text and "month(s)" not in text
    assert not read_line(at), "nothing was loaded"


def test_a_good_file_after_a_bad_one_takes_the_complaint_down():
    at = data_page()
    upload(at, "junk.csv", bytes(range(256)) * 8)
    assert "was not loaded" in messages(at)
    upload(at, "good.csv", SAMPLE)
    assert "was not loaded" not in messages(at) and "48 months" in read_line(at)


def test_several_sheet_workbook_asks_which_sheet_then_reads_it():
    book = xlsx({"Notes": [["made by finance"]], "History": grid(rows(20)), "Other": grid(rows(9))})
    at = data_page()
    upload(at, "book.xlsx", book)
    assert "several sheets" in messages(at)
    picker = at.selectbox(key=state.HISTORY_SHEET_KEY)
    # The sheets that look like a history first, so the picker starts on one; the notes sheet last.
    assert picker.options == ["History", "Other", "Notes"] and picker.value == "History"
    picker.set_value("Other")
    next(b for b in at.button if b.label == "Read this sheet").click().run()
    assert not at.exception
    assert "9 months" in read_line(at) and "(sheet Other)" in read_line(at)
    assert "several sheets" not in messages(at), "the question is gone once answered"


def test_a_workbook_of_empty_sheets_is_refused_as_empty_not_offered_a_sheet():
    at = data_page()
    upload(at, "empty.xlsx", xlsx({"Sheet": [], "Other": []}))
    assert "every sheet of the workbook is empty" in messages(at) and "several sheets" not in messages(at)
    assert all(box.key != state.HISTORY_SHEET_KEY for box in at.selectbox)  # no sheet to pick


# ---------------------------------------------------------------- the customer balance

GAP = "w:balance_tolerance"  # the allowed-gap control
PYTHON = ("read_history", "check_balance", "balance_tolerance", "cx_roi", "(...")


def set_gap(at: AppTest, percent: float) -> AppTest:
    at.number_input(key=GAP).set_value(percent).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    return "\n".join([messages(at), *(m.value for m in at.markdown)])


def test_a_history_whose_counts_disagree_a_little_loads_at_the_default_gap():
    data, _ = noisy_history(months=36)
    at = data_page()
    assert at.number_input(key=GAP).value == pytest.approx(100 * cx_roi.history.BALANCE_TOLERANCE)
    upload(at, "billing.csv", data)
    assert not at.error and "36 months" in read_line(at)
    gap = cx_roi.read_history(data).balance_gap
    assert f"within {fmt.percent(math.ceil(gap * 1000) / 1000, 1)} of the month before's" in read_line(at)


def test_a_refused_balance_says_which_rows_and_how_far_to_move_the_control_then_moving_it_loads_the_file():
    data, _ = noisy_history(months=36)
    at = data_page()
    before = dict(at.query_params)
    set_gap(at, 0.0)
    upload(at, "billing.csv", data)
    with pytest.raises(cx_roi.HistoryError) as info:
        cx_roi.read_history(data, balance_tolerance=0)
    err = info.value
    assert not read_line(at), "nothing was loaded"
    advice = "\n".join(w.value for w in at.warning)
    suggested = cx_roi.history.tolerance_for(err.balance_gap)
    worst = max(err.details, key=lambda p: abs(p.gap))
    assert state.TOLERANCE_LABEL in advice and f"{round(100 * suggested, 1):g}%" in advice, advice
    assert f"in row {worst.row}" in advice and f"{len(err.details)} months" in advice
    assert "Load your history" not in messages(at), "the page follows what happened"
    errors = "\n".join(e.value for e in at.error)
    assert f"row {err.details[0].row}, column customers" in errors
    assert not [w for w in PYTHON if w in page_text(at)], "the dashboard's words, not Python"
    # The control is a way of reading files, not part of the view: the link does not change.
    assert dict(at.query_params) == before

    set_gap(at, 100 * suggested)  # the file that was refused is read again at once
    assert "36 months" in read_line(at)
    assert not at.error and state.TOLERANCE_LABEL not in "\n".join(w.value for w in at.warning)
    assert dict(at.query_params) == before


def test_a_refused_file_leaves_the_loaded_history_and_its_fit_as_they_were():
    at = fitted_sample_app()
    cards = {m.label: m.value for m in at.metric}
    set_gap(at, 0.0)
    upload(at, "billing.csv", noisy_history(months=36)[0])
    assert "still in use" in "\n".join(e.value for e in at.error)
    assert "48 months, 2021-01 to 2024-12" in read_line(at), "the sample is still the history"
    assert {m.label: m.value for m in at.metric} == cards, "and its fit is still shown"
    assert [b for b in at.button if b.key == "use_fit"]


def test_a_gap_beyond_any_allowed_one_says_to_fix_the_row():
    lines = rows(8)
    parts = lines[4].split(",")
    parts[1] = str(int(parts[1]) + 500)  # about 40% of the month before's customers, in row 6
    lines[4] = ",".join(parts)
    at = data_page()
    upload(at, "h.csv", csv(lines))
    advice = "\n".join(w.value for w in at.warning)
    assert "row 6" in advice and "more than any allowed gap" in advice, advice
    assert not [w for w in PYTHON if w in page_text(at)]


def test_a_file_with_other_problems_points_to_the_first_row_to_fix():
    at = data_page()
    upload(at, "h.csv", csv([*rows(7), "2024-08,1400,lots,50,10000,5000"]))
    advice = "\n".join(w.value for w in at.warning)
    assert "the first in row 9" in advice and "Load your history" not in messages(at)
    click(at, "use_sample")
    assert not at.warning and "48 months" in read_line(at), "a file that loads takes the advice down"


# ---------------------------------------------------------------- bad files

def _not_adding_up() -> bytes:
    lines = rows(8)
    parts = lines[4].split(",")
    parts[1] = str(int(parts[1]) + 500)
    lines[4] = ",".join(parts)
    return csv(lines)


BAD_FILES = [
    ("missing columns", "h.csv", csv([r.rsplit(",", 1)[0] for r in rows()], HEADER.rsplit(",", 1)[0]),
     "service_spend"),
    ("non-numeric cell", "h.csv", csv([*rows(7), "2024-08,1400,lots,50,10000,5000"]), "row 9"),
    ("negative count", "h.csv", csv([*rows(7), "2024-08,1400,-100,50,10000,5000"]), "negative"),
    ("duplicated month", "h.csv", csv([*rows(8), rows(8)[-1]]), "2024-08"),
    ("missing month", "h.csv", csv(rows(8)[:3] + rows(8)[4:]), "missing"),
    ("customers do not add up", "h.csv", _not_adding_up(), "off by 500"),
    ("too large", "h.csv", b"month," + b"1" * (cx_roi.history.MAX_BYTES + 10), "MB"),
    ("wrong encoding", "h.csv", "month,customers\n1,2\n".encode("utf-16-le"), "UTF-16"),
    ("binary junk", "h.csv", bytes(range(256)) * 16, "binary"),
    ("a PDF renamed", "h.csv", b"%PDF-1.7\n%\xe2\xe3" + bytes(100), "not a CSV or Excel table"),
    ("empty file", "h.csv", b"", "empty"),
    ("too few months", "h.csv", csv(rows(3)), "at least 6"),
    ("damaged workbook", "h.xlsx", b"PK\x03\x04 this is not a zip", "damaged"),
]


@pytest.mark.parametrize("label, name, content, words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gives_its_message_and_keeps_baseline_history_and_link(label, name, content, words):
    at = data_page({"baseline": "ad-boost"})
    click(at, "use_sample")
    before = dict(at.query_params)
    upload(at, name, content)
    text = "\n".join(e.value for e in at.error)
    assert "was not loaded" in text and words.lower() in text.lower(), text
    assert "still in use" in text and "baseline and scenarios are unchanged" in text
    # What the user had is all still there: the history, the baseline, the link.
    assert "48 months" in "\n".join(m.value for m in at.markdown)
    assert dict(at.query_params) == before
    at.switch_page("pages/explore.py").run()
    assert at.sidebar.selectbox(key="w:baseline").value == "ad-boost"


def test_every_bad_file_message_comes_from_the_package():
    """The page shows read_history's own problem lines, so the API and the page say the same."""
    for _, name, content, _ in BAD_FILES:
        if len(content) > cx_roi.history.MAX_BYTES:
            continue
        with pytest.raises(cx_roi.HistoryError) as info:
            cx_roi.read_history(content, name)
        at = data_page()
        upload(at, name, content)
        text = "\n".join(e.value for e in at.error)
        assert info.value.problems[0][:60] in text.replace("\\", ""), (name, info.value.problems[0])


# ---------------------------------------------------------------- exports

class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.scripts, self.remote = [], 0, 0

    def handle_data(self, data):
        self.text.append(data)

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
            self.remote += "src" in dict(attrs)


def _read_exports(made: dict[str, object], stem: str) -> dict[str, bytes]:
    out = {}
    for kind in exports.KINDS:
        name = exports.file_name(stem, kind)
        assert name in made, f"no {kind} export button: {sorted(made)}"
        out[kind] = made[name]()
    return out


def test_explore_exports_read_back_with_the_numbers_on_screen(deferred):
    from openpyxl import load_workbook
    from pptx import Presentation

    at = run_app({"preset": "service-boost"})
    files = _read_exports(deferred, "service-boost")
    npv = cx_roi.simulate(cx_roi.load_preset("service-boost")).kpis["npv"]

    wb = load_workbook(io.BytesIO(files["xlsx"]))
    assert {"Summary", "Inputs", "KPIs"} <= set(wb.sheetnames)
    kpis = wb["KPIs"]
    header = [c.value for c in kpis[1]]
    npv_col = header.index(next(h for h in header if str(h).lower().startswith("npv")))
    values = [row[npv_col].value for row in kpis.iter_rows(min_row=2)]
    assert any(isinstance(v, float) and math.isclose(v, npv, rel_tol=1e-9) for v in values), values

    deck = Presentation(io.BytesIO(files["pptx"]))
    charts = [s for slide in deck.slides for s in slide.shapes if s.has_chart]
    assert len(deck.slides) >= 4 and len(charts) >= 3

    page = _Text()
    page.feed(files["html"].decode("utf-8"))
    text = " ".join(page.text)
    assert at.markdown and any(m.value in text for m in at.markdown if m.value.startswith("Putting")
                               or m.value.startswith("A step of")), "the on-screen verdict leads"
    assert page.scripts >= 1 and page.remote == 0, "plotly.js is inlined: the report opens offline"
    assert f"Current: {cx_roi.preset_info('service-boost').title}" in text
    assert cx_roi.preset_info("status-quo").title in text


def test_explore_exports_of_a_scenario_that_is_its_own_baseline_hold_it_once(deferred):
    # Status quo against itself: "Status quo" and "Current: Status quo" were two copies of one plan,
    # and every verdict line of the files came twice.
    from openpyxl import load_workbook

    run_app({"preset": "revolving-door"})
    files = _read_exports(deferred, "revolving-door")
    book = load_workbook(io.BytesIO(files["xlsx"]))
    assert [n for n in book.sheetnames if n.startswith("Months - ")] == ["Months - Revolving door"]
    page = _Text()
    page.feed(files["html"].decode("utf-8"))
    assert "Current:" not in " ".join(page.text)


def test_compare_exports_hold_every_compared_scenario(deferred):
    from openpyxl import load_workbook

    at = run_app({"compare": "service-boost,ad-boost,revolving-door"}, page="pages/compare.py")
    assert not at.exception
    files = _read_exports(deferred, "comparison")
    wb = load_workbook(io.BytesIO(files["xlsx"]))
    monthly = [n for n in wb.sheetnames if n.startswith("Months - ")]
    assert len(monthly) == 4
    names = [r[0].value for r in wb["KPIs"].iter_rows(min_row=2)][:4]
    assert names == [cx_roi.preset_info(p).title
                     for p in ("status-quo", "service-boost", "ad-boost", "revolving-door")]


def test_export_names_are_safe():
    assert exports.file_name("Status quo / v2", "xlsx") == "cx-roi-status-quo-v2.xlsx"
    assert exports.file_name("", "pptx") == "cx-roi-report.pptx"
    with pytest.raises(ValueError, match="allowed"):
        exports.export_bytes("pdf", (("a", cx_roi.Scenario()),), "a", title="t", extra_per_month=1.0)


def test_fit_table_ranges_are_the_fits_confidence_intervals(sample_fit):
    table = tables.fit_table(sample_fit).set_index("Field")
    ranges = sample_fit.conf_int(0.05)
    narrow = []
    for field in sample_fit.fitted:
        spec = cx_roi.PARAMETERS[field]
        lo, hi = ranges.loc[field]
        shown, text = (fmt.param_value(spec.fmt, lo), fmt.param_value(spec.fmt, hi)), table.loc[field, "95% range"]
        if shown[0] != shown[1] and not any(v and not re.search("[1-9]", t) for v, t in zip((lo, hi), shown)):
            assert text == " to ".join(shown)  # in the field's format...
        elif shown[0] != shown[1]:  # ...with more decimals where a bound above zero would read as zero
            assert text.split(" to ")[0] != fmt.param_value(spec.fmt, 0.0), text
        else:  # ...or where that format would show one number twice
            narrow.append(field)
            low, high = text.split(" to ")
            assert low != high and float(low) == pytest.approx(lo, rel=0.01) and float(high) == pytest.approx(hi, rel=0.01)
    assert narrow == ["contacts_per_customer_per_month"]  # the sample's one range narrower than its format
    # Worked out on the log scale: never below zero, and further above the value than below it.
    v = sample_fit.fitted["market_size"]
    lo, hi = ranges.loc["market_size"]
    assert 0 < lo < v < hi and hi - v > v - lo
    assert set(table["How"]) <= {"fitted", "from data"}
    assert (table.loc[table["How"] == "from data", "95% range"] == "").all()


def test_fitted_vs_actual_chart_is_valid_and_marks_the_holdout(sample_fit):
    import plotly.graph_objects as go

    from ui import decision_charts
    from ui.charts import COLOURS

    hold = sample_fit.holdout
    fig = decision_charts.fitted_vs_actual(sample_fit.monthly, "new_customers", title="t", axis_title="y",
                                  holdout=hold.monthly)
    assert isinstance(fig, go.Figure)
    history, model, forecast, band = fig.data
    assert list(history.y) == list(sample_fit.monthly["new_customers"])
    assert list(model.y) == list(sample_fit.monthly["new_customers_fit"])
    assert list(forecast.x) == list(hold.monthly["period"].astype(str)) and len(forecast.x) == hold.months
    assert model.line.color == COLOURS["fit"] and forecast.line.color == COLOURS["forecast"]
    assert forecast.line.width > model.line.width, "the dots show where forecast and fit agree"
    assert fig.layout.shapes[0].x0 == forecast.x[0] and fig.layout.shapes[0].x1 == forecast.x[-1]
    # The shaded months have a legend entry in the band's own colour.
    assert band.name == "Months the forecast never saw" and band.marker.color == fig.layout.shapes[0].fillcolor
    # Ticks on Januaries and Julys of the 48 months, not on every k-th row.
    assert list(fig.layout.xaxis.tickvals) == [f"{y}-{m}" for y in range(2021, 2025) for m in ("01", "07")]
    without = decision_charts.fitted_vs_actual(sample_fit.monthly, "customers", title="t", axis_title="y")
    assert len(without.data) == 2 and not without.layout.shapes


@pytest.mark.parametrize("labels, ticks", [
    ([f"{2021 + i // 12}-{i % 12 + 1:02d}" for i in range(3, 20)],
     ["2021-05", "2021-07", "2021-09", "2021-11", "2022-01", "2022-03", "2022-05", "2022-07"]),
    ([f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(400)], [f"{y}-01" for y in range(2000, 2034, 5)]),
    ([str(i) for i in range(1, 49)], [str(i) for i in range(6, 49, 6)]),
    ([str(i) for i in range(1, 8)], [str(i) for i in range(1, 8)]),
    (["Q1", "Q2", "Q3"], ["Q1", "Q2", "Q3"]),
])
def test_month_axes_tick_round_months(labels, ticks):
    from ui import decision_charts

    assert decision_charts.round_months(labels) == ticks


def test_standard_errors_never_read_as_zero_and_warnings_name_fields_by_label():
    from ui.tables import _se_text

    assert _se_text("{:.2f}", 0.0028) == "0.0028"
    assert _se_text("{:.1%}", 0.00004) == "0.004%"
    assert _se_text("{:,.0f}", 22775.4) == "22,775"
    assert _se_text("{:.2f}", 0.0) == "0.00"
    assert tables.with_labels("churn_promoter is weakly identified") == "Monthly churn of promoters is weakly identified"
    assert tables.with_labels("between churn_promoter and churn_detractor") == (
        "Between monthly churn of promoters and monthly churn of detractors")
    assert tables.with_labels("the history has 3 months") == "The history has 3 months"


def test_plan_column_shows_where_the_plan_starts(sample_fit):
    table = tables.fit_table(sample_fit, plan=sample_fit.scenario).set_index("Field")
    spec = cx_roi.PARAMETERS["initial_customers"]
    assert table.loc["initial_customers", "Plan starts from"] == fmt.param_value(
        spec.fmt, sample_fit.scenario.initial_customers)
    assert table.loc["market_size", "Plan starts from"] == table.loc["market_size", "Value"]
    # A starting level is named by where the history has it, not "today", which is the plan's column.
    assert table.loc["initial_customers", "Parameter"] == "Customers at the history's start"
    assert not table["Parameter"].str.contains("today").any()


def test_explore_exports_of_an_edited_scenario_are_named_and_titled_with_its_changes(deferred):
    """The files said "Service boost" (cx-roi-service-boost.*) for "Service boost + 1 change", while the
    scenario file beside them was already service-boost+1-change.json."""
    run_app({"preset": "service-boost", "ad_spend_per_month": "250000"})
    files = _read_exports(deferred, "service-boost+1-change")
    assert set(files) == set(exports.KINDS)
    page = _Text()
    page.feed(files["html"].decode("utf-8"))
    assert f"cx-roi: {cx_roi.preset_info('service-boost').title} + 1 change" in " ".join(page.text)


def test_the_advice_names_the_same_first_row_as_the_list():
    """A month missing (found between rows) listed first used to be passed over: the advice named a later row."""
    lines = rows(8)
    lines[3] = "2024-13" + lines[3][len("2024-04"):]  # an unreadable month: 2024-04 is missing ...
    lines[6] = "2024-02" + lines[6][len("2024-07"):]  # ... and reported (months out of order), listed first
    at = data_page()
    upload(at, "h.csv", csv(lines))
    listed = "\n".join(e.value for e in at.error)
    advice = "\n".join(w.value for w in at.warning)
    first = re.search(r"row (\d+)", listed)
    named = re.search(r"the first in row (\d+)", advice)
    assert first and (named is None or named.group(1) == first.group(1)), (listed, advice)


def test_presenting_with_no_history_offers_the_sample_it_mentions():
    """Present hides the file settings; the page's notice says 'or try the sample', so the sample's
    button stays and loads it."""
    at = data_page({"present": "1"})
    assert any("try the sample" in i.value for i in at.info)
    click(at, "use_sample")
    assert not at.file_uploader and at.button(key="fit")
