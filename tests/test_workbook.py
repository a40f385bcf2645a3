"""The Excel workbook: the model's numbers exactly, and NPV, ROI and payback as live formulas that a
real spreadsheet recomputes to the model's figures; text from outside never becomes a formula."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

import cx_roi
from cx_roi import PARAMETERS, outputs, reports
from cx_roi.comparison import NOT_ONLY_SPEND, SAME_AS_BASELINE
from cx_roi.reports import workbook

from conftest import ODD_NAME
HOSTILE = '=HYPERLINK("https://evil.example","x")'
QUOTED = "Bob's plan!A1 '"

# openpyxl writes numbers with 16 significant digits ("%.16g"); Excel shows 15. Read back,
# a number is the model's to within a unit in the 16th digit: equal for any reader.
RTOL = 1e-15
# A spreadsheet's recomputation of NPV, ROI and payback against the model's.
RECALC_RTOL = 1e-6


@pytest.fixture(scope="module")
def expected(scenarios):
    kpis = cx_roi.compare(scenarios, baseline="status-quo")
    monthly = {n: cx_roi.simulate(s).monthly for n, s in scenarios.items()}
    return kpis, monthly


@pytest.fixture(scope="module")
def xlsx(scenarios):
    return reports.excel_report(scenarios, baseline="status-quo")


def load(data: bytes, values: bool = False):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), data_only=values)


def same(cell, value) -> bool:
    """A cell read back equals the model's value: NaN is an empty cell, numbers are numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cell is None
    if isinstance(value, (bool, np.bool_)):  # a yes/no column (same_as_baseline) is a boolean cell
        return cell is bool(value)
    return (isinstance(cell, (int, float)) and not isinstance(cell, bool)
            and math.isclose(float(cell), float(value), rel_tol=RTOL, abs_tol=1e-300))


def summary_table(wb) -> dict[str, dict[str, object]]:
    """Summary's figures: scenario name -> header -> cell (value or formula)."""
    ws = wb["Summary"]
    rows = list(ws.iter_rows())
    head = next(i for i, r in enumerate(rows) if r[0].value == "Scenario")
    header = [c.value for c in rows[head]]
    table = {}
    for r in rows[head + 1:]:
        if r[0].value is None:
            break
        table[r[0].value] = dict(zip(header, (c.value for c in r)))
    return table


# ------------------------------------------------------------------ layout and values

def test_excel_sheets_and_layout(xlsx):
    zf = zipfile.ZipFile(io.BytesIO(xlsx))
    assert zf.testzip() is None
    wb = load(xlsx)
    assert wb.sheetnames == ["Summary", "Inputs", "KPIs", "Months - status-quo", "Months - service-boost",
                             "Months - Q3 plan B draft <new>"]
    for name in wb.sheetnames[1:]:
        assert wb[name].freeze_panes in ("B2", "E2")
        assert wb[name]["B1"].font.bold


def test_every_sheet_prints_one_page_wide_and_no_source_is_cut_off(xlsx):
    wb = load(xlsx)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
    ws = wb["Inputs"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for name in ("Source", "Note"):
            cell = row[header.index(name)]
            assert cell.alignment.wrap_text, (cell.coordinate, cell.value)
        width = ws.column_dimensions[row[header.index("Source")].column_letter].width
        lines = len(str(row[header.index("Source")].value or "")) / width
        assert ws.row_dimensions[row[0].row].height >= 15 * lines * 0.9, row[0].row


def test_a_change_in_a_share_is_in_points_and_beyond_spend_counts_inputs():
    assert outputs.output("delta_avg_monthly_churn").unit == "percentage points"
    assert outputs.output("differs_beyond_spend").kind == "count"


@pytest.mark.parametrize("names", [
    ["Current: Revolving door", "Current/ Revolving door", "x" * 40, "x" * 40 + "y", "'quoted'", "[]:*?/\\"],
    ["Summary", "summary", "Months - a", "a", "A"],
])
def test_sheet_names_are_legal_and_unique(names):
    sheets = workbook._sheet_names(names, "Months - ", ("Summary", "Inputs", "KPIs"))
    assert len({s.lower() for s in [*sheets, "summary", "inputs", "kpis"]}) == len(names) + 3
    for s in sheets:
        assert s.startswith("Months - ") and len(s) <= 31 and not re.search(r"[\[\]:*?/\\]", s)
        assert not s.endswith("'") and s == s.strip()


def test_excel_inputs_have_units_sources_and_values(xlsx, scenarios):
    ws = load(xlsx)["Inputs"]
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
            if isinstance(v, tuple):  # what the run spends: the months of the horizon, the last value holding
                months = scenario.horizon_months
                v = (sum(v[:months]) + v[-1] * max(months - len(v), 0)) / months
            assert r[j].value == pytest.approx(v, rel=1e-12), (name, j)
    ad = rows["ad_spend_per_month"]
    assert "monthly schedule in " + ODD_NAME in ad[header.index("Note")].value
    assert ad[4].number_format == '"$"#,##0' and rows["shrinkage"][4].number_format == "0%"


def test_excel_kpis_equal_the_model_under_readable_headers(xlsx, expected):
    kpis, _ = expected
    ws = load(xlsx)["KPIs"]
    header = [c.value for c in ws[1]]
    assert header == ["Scenario", *[outputs.header(c) for c in kpis.columns]]
    assert header[1] == "NPV ($)" and "npv" in ws["B1"].comment.text
    for i, name in enumerate(kpis.index, start=2):
        assert ws.cell(row=i, column=1).value == name
        for j, col in enumerate(kpis.columns, start=2):
            # A change in a share is held in percentage points, as its header says.
            points = col.startswith("delta_") and outputs.output(col).kind in ("share", "rate")
            model = kpis.loc[name, col] * 100 if points else kpis.loc[name, col]
            assert same(ws.cell(row=i, column=j).value, model), (name, col)
    assert ws.cell(row=2, column=header.index(outputs.header("roi")) + 1).value is None  # baseline: undefined
    assert ws["B2"].number_format.startswith('"$"')


def test_excel_kpis_show_as_many_digits_as_the_screen(xlsx, expected):
    columns = list(expected[0].columns)
    ws = load(xlsx)["KPIs"]
    formats = {columns[j - 2]: ws.cell(row=2, column=j).number_format for j in range(2, ws.max_column + 1)}
    assert formats["avg_monthly_churn"] == "0.00%" and formats["cac_paid"] == '"$"#,##0.00'
    assert formats["delta_npv"].startswith("+") and formats["delta_avg_monthly_churn"].startswith('+0.00" pp"')
    assert outputs.header("delta_avg_monthly_churn").endswith("(percentage points)")


def test_excel_monthly_sheets_hold_the_model_and_formulas_for_the_money(xlsx, expected):
    _, monthly = expected
    wb = load(xlsx)
    for sheet, name in zip(wb.sheetnames[3:], monthly):
        ws = wb[sheet]
        m = monthly[name]
        header = [c.value for c in ws[1]]
        assert header[1:len(m.columns) + 1] == [outputs.header(c) for c in m.columns]
        assert header[len(m.columns) + 1:] == [outputs.header(c) for c in workbook._ADDED]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in rows] == list(m.index)
        for j, column in enumerate(m.columns, start=1):
            cells = [r[j] for r in rows]
            if column in workbook._DERIVED:
                assert all(isinstance(c, str) and c.startswith("=") for c in cells), column
            else:
                np.testing.assert_allclose(np.array(cells, dtype=float), m[column].to_numpy(float), rtol=RTOL,
                                           atol=0, err_msg=column)
        assert ws.cell(row=2, column=header.index(outputs.header("service_level")) + 1).number_format == "0.0%"


def test_excel_summary_carries_the_verdict(scenarios):
    data = reports.excel_report(scenarios, baseline="service-boost", verdict=["First line.", "Second line."],
                                title="Board pack")
    ws = load(data)["Summary"]
    assert ws["A1"].value == "Board pack" and "Baseline: service-boost" in ws["A2"].value
    assert [ws["A5"].value, ws["A6"].value] == ["First line.", "Second line."]
    assert list(summary_table(load(data))) == list(scenarios)


def test_undefined_values_become_empty_cells():
    assert workbook._cell_value(float("inf")) is None and workbook._cell_value(float("nan")) is None
    assert workbook._cell_value("a\x01b") == "ab"


def test_every_input_format_has_its_excel_format():
    """An input shown as "12%" or "$1,200" on screen reads the same in the workbook's Inputs sheet."""
    used = {p.fmt for p in PARAMETERS.values() if p.kind != "bool"}
    assert used <= set(reports.EXCEL_OF_PARAM_FORMAT), used - set(reports.EXCEL_OF_PARAM_FORMAT)


# ------------------------------------------------------------------ formulas: only the workbook's own

_QUOTED_SHEET = re.compile(r"'(?:[^']|'')*'!")
_OWN_FUNCTIONS = {"SUM", "SUMPRODUCT", "IF", "MAX", "MIN", "ABS"}
_OWN_WORDS = {SAME_AS_BASELINE, NOT_ONLY_SPEND, "no extra spend", "not within horizon"}


def own_formula(text: str, sheets: list[str]) -> bool:
    """A formula the workbook writes: references to its own sheets (quoted), cells, numbers, the
    functions above and the words for an undefined ROI or payback; nothing else."""
    for ref in _QUOTED_SHEET.findall(text):
        if ref[1:-2].replace("''", "'") not in sheets:
            return False
    bare = _QUOTED_SHEET.sub("", text)
    words = re.findall(r'"([^"]*)"', bare)
    bare = re.sub(r'"[^"]*"', "", bare)
    functions = set(re.findall(r"([A-Z]+)\(", bare))
    return (set(words) <= _OWN_WORDS and functions <= _OWN_FUNCTIONS
            and re.fullmatch(r"=[A-Z0-9$:+\-*/^().,<>E]*", bare) is not None)


@pytest.mark.parametrize("name", [HOSTILE, "=2+2", "=cmd|' /C calc'!A0", "+1+2", "@SUM(A1)", QUOTED])
def test_a_name_like_a_formula_stays_text_and_only_the_workbooks_formulas_are_formulas(name):
    """A saved name such as "=HYPERLINK(...)" must not run as a formula when the workbook is opened."""
    wb = load(reports.excel_report({"a": cx_roi.Scenario(), name: cx_roi.Scenario(shrinkage=0.2)}))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    named = [c for c in cells if c.value == name]
    assert named and all(c.data_type == "s" for c in named)
    formulas = [c for c in cells if c.data_type == "f"]
    assert formulas, "NPV, ROI and payback are formulas"
    assert all(own_formula(c.value, wb.sheetnames) for c in formulas), \
        [c.value for c in formulas if not own_formula(c.value, wb.sheetnames)][:3]
    assert not [c for c in cells if c.hyperlink is not None]
    assert name in [c.value for c in wb["KPIs"]["A"]] and name in summary_table(wb)


def test_the_check_of_own_formulas_can_fail():
    sheets = ["Summary", "Months - a"]
    assert own_formula("=SUM('Months - a'!B2:B13)", sheets)
    assert not own_formula('=HYPERLINK("https://evil.example","x")', sheets)
    assert not own_formula("=SUM('Months - b'!B2:B13)", sheets)
    assert not own_formula('=IF(A1,"click me",1)', sheets)


# ------------------------------------------------------------------ recomputed by a real spreadsheet

def _office() -> str:
    soffice = shutil.which("soffice")
    if soffice is None:
        reason = "LibreOffice (soffice) is not installed (Debian: libreoffice-calc)"
        if os.environ.get("CX_ROI_REQUIRE_OFFICE") == "1":
            pytest.fail(f"CX_ROI_REQUIRE_OFFICE=1 but {reason}")
        pytest.skip(reason)
    return soffice


def recalculated(books: dict[str, bytes], tmp: Path) -> dict[str, bytes]:
    """The workbooks opened, recomputed and saved by LibreOffice, in one run (it takes seconds to start)."""
    soffice = _office()
    src, out = tmp / "src", tmp / "out"
    src.mkdir()
    for key, data in books.items():
        (src / f"{key}.xlsx").write_bytes(data)
    done = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/lo",
                           "--convert-to", "xlsx", "--outdir", str(out), *sorted(str(p) for p in src.iterdir())],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {key: (out / f"{key}.xlsx").read_bytes() for key in books}


def _random_sets(count: int, seed: int = 20261205) -> list[tuple[dict[str, cx_roi.Scenario], str]]:
    """Scenario sets over a random business: a baseline and variants that differ in spend only (plain,
    scheduled, with one-off costs, or less than the baseline), and one that differs in more."""
    rng = np.random.default_rng(seed)
    presets = list(cx_roi.PRESETS)
    sets = []
    for _ in range(count):
        horizon = int(rng.integers(12, 49))
        base = cx_roi.load_preset(presets[rng.integers(len(presets))]).replace(
            horizon_months=horizon, annual_discount_rate=float(rng.choice([0.0, rng.uniform(0.0, 0.4)])),
            include_terminal_value=bool(rng.random() < 0.7))
        ramp = tuple(float(x) for x in rng.uniform(0.0, 600_000.0, horizon))
        spend = base.replace(service_capacity_spend_per_month=float(rng.uniform(50_000, 500_000)),
                             service_quality_spend_per_month=float(rng.uniform(0, 150_000)),
                             quality_one_off_cost=float(rng.choice([0.0, rng.uniform(0, 2e6)])))
        sets.append(({"base": base, "spend": spend, "schedule": base.replace(ad_spend_per_month=ramp,
                                                                             ad_one_off_cost=float(rng.uniform(0, 1e6))),
                      "other": spend.replace(arpu_per_month=base.arpu_per_month * float(rng.uniform(0.8, 1.2)))},
                     "base"))
    return sets


CASES: dict[str, tuple[list | dict, str]] = {
    # ROI and payback defined, and a scenario that differs beyond spend (ROI undefined).
    "presets": (list(cx_roi.PRESETS), "status-quo"),
    # A year is too short for the advertising boost to pay back; ROI is still defined.
    "never_paid_back": ({n: cx_roi.load_preset(n).replace(horizon_months=12)
                         for n in ("status-quo", "service-boost", "ad-boost")}, "status-quo"),
    # Against a baseline that spends more: no extra spend, no ROI. Names the sheets must quote.
    "less_spend": ({HOSTILE: cx_roi.load_preset("service-boost"), QUOTED: cx_roi.load_preset("status-quo"),
                    ODD_NAME: cx_roi.load_preset("ad-boost")}, HOSTILE),
    **{f"random_{i}": case for i, case in enumerate(_random_sets(6))},
}


@pytest.fixture(scope="module")
def recalculated_books(tmp_path_factory) -> dict[str, tuple[bytes, dict]]:
    books = {key: reports.excel_report(named, baseline=baseline) for key, (named, baseline) in CASES.items()}
    done = recalculated(books, tmp_path_factory.mktemp("office"))
    return {key: (done[key], books[key]) for key in CASES}


def _undefined_in_words(cell) -> bool:
    """An undefined ROI or payback: words, never a number or a spreadsheet error (#DIV/0!, Err:502)."""
    return isinstance(cell, str) and cell in _OWN_WORDS


@pytest.mark.parametrize("case", list(CASES))
def test_summary_formulas_recompute_to_the_models_npv_roi_and_payback(case, recalculated_books):
    named, baseline = CASES[case]
    kpis = cx_roi.compare(named, baseline=baseline)
    data, _ = recalculated_books[case]
    table = summary_table(load(data, values=True))
    assert list(table) == list(kpis.index)
    checked = {"roi": 0, "payback_month": 0}
    for name, row in table.items():
        for key in ("npv_operating", "terminal_value", "npv", "delta_npv", "pv_spend", "roi", "payback_month"):
            cell, model = row[outputs.header(key)], kpis.loc[name, key]
            if math.isnan(model):
                assert _undefined_in_words(cell), (case, name, key, cell)
            else:
                assert isinstance(cell, (int, float)) and not isinstance(cell, bool), (case, name, key, cell)
                assert math.isclose(cell, model, rel_tol=RECALC_RTOL, abs_tol=1e-6 * max(1.0, abs(kpis["npv"]).max())
                                    if key == "delta_npv" else 0.0), (case, name, key, cell, model)
                if key in checked:
                    checked[key] += 1
    if case in ("presets", "never_paid_back"):
        assert checked["roi"] >= 2 and checked["payback_month"] >= 1, "the case shows defined figures too"


def test_the_cases_cover_what_they_are_named_for():
    presets = cx_roi.compare(*CASES["presets"])
    assert (presets["differs_beyond_spend"] > 0).any() and presets["roi"].notna().any()
    short = cx_roi.compare(*CASES["never_paid_back"]).loc["ad-boost"]
    assert math.isnan(short["payback_month"]) and not math.isnan(short["roi"])
    table = cx_roi.compare(*CASES["less_spend"])
    less = table.loc[QUOTED]
    assert less["pv_spend"] < table.loc[HOSTILE, "pv_spend"]
    assert math.isnan(less["roi"]) and less["differs_beyond_spend"] == 0 and not less["same_as_baseline"]


@pytest.mark.parametrize("case", list(CASES))
def test_months_recompute_the_models_discounting_and_running_sums(case, recalculated_books):
    named, baseline = CASES[case]
    named = cx_roi.comparison.named_scenarios(named)
    wb = load(recalculated_books[case][0], values=True)
    base = cx_roi.simulate(named[baseline]).monthly["contribution"].to_numpy()
    for sheet, (name, scenario) in zip(wb.sheetnames[3:], named.items()):
        m = cx_roi.simulate(scenario).monthly
        header = [c.value for c in wb[sheet][1]]
        rows = list(wb[sheet].iter_rows(min_row=2, values_only=True))

        def column(key: str) -> np.ndarray:
            return np.array([r[header.index(outputs.header(key))] for r in rows], dtype=float)

        for key in workbook._DERIVED:
            model = m[key].to_numpy(float)
            np.testing.assert_allclose(column(key), model, rtol=1e-9, atol=1e-12 * np.abs(model).max(), err_msg=key)
        np.testing.assert_allclose(column("cumulative_extra_contribution"),
                                   np.cumsum(m["contribution"].to_numpy() - base), rtol=1e-9, atol=1e-3)
        spend = m[["capacity_cost", "quality_cost", "ad_cost"]].sum(axis=1).to_numpy()
        np.testing.assert_allclose(column("spend"), spend, rtol=1e-12)


def test_names_stay_text_after_a_spreadsheet_has_recomputed_the_file(recalculated_books):
    data, _ = recalculated_books["less_spend"]
    wb = load(data)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == HOSTILE]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink is not None]
