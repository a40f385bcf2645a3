"""The Excel workbook of named scenarios (:func:`excel_report`)."""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

from ..comparison import NO_EXTRA_SPEND, NO_PAYBACK, NOT_ONLY_SPEND, SAME_AS_BASELINE
from ..outputs import excel_format, excel_value, output
from ..outputs import header as column_header
from ..parameters import GROUPS, PARAMETERS, Param
from ..scenario import Scenario
from .bundle import DEFAULT_EXTRA_PER_MONTH, bundle, clean_text

# Each input's display format (Param.fmt, a Python format) as an Excel number format; a format
# not listed shows as General (a test keeps every format the parameters use listed).
EXCEL_OF_PARAM_FORMAT = {
    "{:.0%}": "0%", "{:.1%}": "0.0%", "{:.2%}": "0.00%", "${:,.0f}": '"$"#,##0', "${:,.2f}": '"$"#,##0.00',
    "{:.1f}": "0.0", "{:.2f}": "0.00", "{:,.0f}": "#,##0", "{:,.0f} s": '#,##0" s"', "{:,.0f} h": '#,##0" h"',
}


def _param_format(p: Param) -> str:
    return "General" if p.kind == "bool" else EXCEL_OF_PARAM_FORMAT.get(p.fmt, "General")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\s]+")
SHEET_NAME_LENGTH = 31  # Excel's limit


def _sheet_names(names: Sequence[str], prefix: str, taken: Sequence[str] = ()) -> list[str]:
    """Excel sheet names, ``prefix`` + the name: at most 31 characters, none of []:*?/\\ (each run of
    them and of spaces becomes one space), no apostrophe at either end, unique ignoring case
    (among themselves and ``taken``)."""
    out: list[str] = []
    used = {t.lower() for t in taken}
    for name in names:
        stem = _BAD_SHEET_CHARS.sub(" ", clean_text(name)).strip(" '") or "scenario"
        candidate, i = f"{prefix}{stem}"[:SHEET_NAME_LENGTH].rstrip(" '"), 2
        while candidate.lower() in used:
            suffix = f" ({i})"
            candidate = f"{prefix}{stem}"[:SHEET_NAME_LENGTH - len(suffix)].rstrip(" '") + suffix
            i += 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


def sheet_ref(sheet: str, cell: str) -> str:
    """A reference to ``cell`` on ``sheet`` inside a formula: the name quoted, its apostrophes doubled,
    so no name can end the reference and add formula text of its own."""
    return "'" + sheet.replace("'", "''") + "'!" + cell


def _cell_value(v: Any) -> Any:
    """A value openpyxl writes as a number, boolean or text; NaN/inf become empty cells."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if v is None:
        return None
    return clean_text(v)


def as_text(wb: Any, keep: Collection[tuple[str, str]] = ()) -> None:
    """An openpyxl workbook holds numbers and text, never formulas or links, except the formulas at
    ``keep`` ((sheet title, coordinate) pairs: the workbook's own). A name such as "=2+2",
    "=HYPERLINK(...)" or "=cmd|' /C calc'!A0" from a link or a file stays text instead of being
    computed (or run) when the file is opened. ("+", "-" and "@" start a formula only when typed
    into Excel; written as text cells they stay text.)"""
    from openpyxl.cell.cell import MergedCell

    keep = set(keep)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):  # no value of its own: its range's first cell has it
                    continue
                if cell.data_type == "f" and (sheet.title, cell.coordinate) not in keep:
                    cell.data_type = "s"
                cell.hyperlink = None


def workbook_as_text(xlsx: bytes) -> bytes:
    """:func:`as_text` of a workbook's bytes (a PowerPoint chart's embedded data): no formula kept."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    as_text(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# Monthly columns the workbook writes as formulas over the others, and the columns it adds after
# the model's on the way to NPV, ROI and payback (labels in cx_roi.outputs).
_DERIVED = ("revenue", "contribution", "cumulative_contribution", "discount_factor", "discounted_contribution")
_ADDED = ("spend", "cumulative_extra_contribution", "last_month_below_baseline")
# The Summary's columns after the scenario's name and its sheet, in order.
_SUMMARY = ("annual_discount_rate", "monthly_discount_rate", "npv_operating", "customer_value_at_horizon",
            "terminal_value", "npv", "delta_npv",
            "pv_spend", "delta_pv_spend", "differs_beyond_spend", "same_as_baseline", "roi", "payback_month")
# Below this share of the baseline's spend (present value), extra spend is rounding (economics.roi).
_NO_EXTRA_SPEND = 1e-9
# A cumulative sum this close to zero, relative to its largest size, counts as zero (economics.payback_month).
_ZERO = 1e-9


def _number(x: float) -> str:
    """A number as a formula writes it: "1E-09"."""
    return f"{x:.15G}"


class _Book:
    """An openpyxl workbook that remembers which cells hold its own formulas, so that everything
    else (names, titles, verdict text) can be turned into text at the end (:func:`as_text`)."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = Workbook()
        self.formulas: set[tuple[str, str]] = set()
        self.plain = Font(name="Calibri", size=11)  # the workbook's own font, which Font() leaves unnamed
        self.bold = Font(name="Calibri", size=11, bold=True)
        self.head_fill = PatternFill("solid", fgColor="DCE6F1")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")

    def formula(self, ws: Any, row: int, column: int, text: str, number_format: str) -> None:
        """Write formula ``text`` (starting "=") at (row, column)."""
        c = ws.cell(row=row, column=column, value=text)
        self.formulas.add((ws.title, c.coordinate))
        c.number_format = number_format

    def sheet(self, title: str, labels: Sequence[str], notes: Sequence[str | None] = (),
              widths: Sequence[float] = (), row: int = 1, freeze: str | None = "B2", height: float | None = 45) -> Any:
        """The sheet ``title`` (made if new) with a bold, shaded header row at ``row``, ``height`` points high,
        frozen above and left of ``freeze``; ``notes``: a comment per column (what it means), or None; ``widths``:
        the columns' widths, characters."""
        from openpyxl.comments import Comment
        from openpyxl.utils import get_column_letter

        ws = self.wb[title] if title in self.wb.sheetnames else self.wb.create_sheet(title)
        for j, label in enumerate(labels, start=1):
            c = ws.cell(row=row, column=j, value=clean_text(label))
            c.font, c.fill, c.alignment = self.bold, self.head_fill, self.wrap
            note = notes[j - 1] if j <= len(notes) else None
            if note:
                c.comment = Comment(clean_text(note), "cx-roi", width=300, height=110)
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        ws.row_dimensions[row].height = height
        ws.freeze_panes = freeze
        return ws

    def values(self, ws: Any, row: int, values: Sequence[Any], formats: Sequence[str | None], name: str = "",
               baseline: str = "") -> None:
        """A row of values (:func:`_cell_value`) from column 1 at ``row``, each in its number format (None: left
        as it is); a scenario's ``name`` first (bold for the ``baseline``) where one is given."""
        if name:
            ws.cell(row=row, column=1, value=clean_text(name)).font = self.bold if name == baseline else self.plain
        for j, (v, fmt) in enumerate(zip(values, formats, strict=True), start=2 if name else 1):
            c = ws.cell(row=row, column=j, value=_cell_value(v))
            if fmt:
                c.number_format = fmt

    @staticmethod
    def lines(text: Any, width: float) -> int:
        """How many lines ``text`` wraps to in a column ``width`` characters wide (generous: an
        office suite does not grow a row for wrapped text by itself)."""
        return max(1, math.ceil(len(str(text or "")) / (0.9 * width)))

    def paragraph(self, ws: Any, row: int, text: str, widths: Sequence[float]) -> None:
        """``text`` across the columns of ``widths`` (characters) at ``row``, wrapped, the row as high
        as its lines (a merged cell does not grow by itself)."""
        ws.cell(row=row, column=1, value=text).alignment = self.wrap
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
        ws.row_dimensions[row].height = 15 * self.lines(text, sum(widths))

    def save(self, title: str) -> bytes:
        as_text(self.wb, self.formulas)
        for ws in self.wb.worksheets:  # printed (or made a PDF) one landscape page wide, each table whole
            ws.page_setup.orientation = "landscape"
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        self.wb.properties.title = clean_text(title)[:250]
        self.wb.properties.creator = "cx-roi"
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()


def _meaning(name: str) -> str:
    """A column's comment: what it means, and the model's field name (as in docs/methodology.md)."""
    return f"{output(name).meaning} [{name}]"


def excel_report(scenarios: Mapping[str, Scenario] | Sequence[Any], baseline: str | None = None, *,
                 title: str = "cx-roi scenario report", verdict: str | Sequence[str] | None = None,
                 extra_per_month: float = DEFAULT_EXTRA_PER_MONTH, lead: str | None = None) -> bytes:
    """An Excel workbook (.xlsx bytes) of the scenarios, whose headline figures are live formulas.

    Sheets: ``Summary`` (title, baseline, verdict, and one row per scenario
    whose NPV, ROI and payback are formulas over that scenario's Months sheet,
    equal to :func:`cx_roi.compare`'s), ``Inputs`` (one row per parameter:
    group, field, label, unit, each scenario's value, default, plausible
    range, source, solidity; a monthly spend schedule shows its average and is
    marked), ``KPIs`` (one row per scenario: every column of
    :func:`cx_roi.compare`, as values) and ``Months - <name>`` per scenario
    (every column of ``cx_roi.MONTHLY_COLUMNS``, month 1 first; revenue,
    contribution, its running sum, the discount factor and discounted
    contribution as formulas; then the workings of
    :data:`cx_roi.outputs.WORKINGS`). Headers are labels with
    units (:func:`cx_roi.outputs.header`), each with a comment saying what it
    means. Values are numbers with number formats ($, %, counts); undefined
    values (NaN) are empty cells, or words where a formula finds no ROI or
    payback. Text from outside (names, title, verdict) is never a formula.
    ``verdict`` replaces the generated :func:`verdict_sentences`. ``lead``
    (here and in the other reports): the scenario drawn in black, as on screen.
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    b = bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    book = _Book()
    sheets = dict(zip(b.names, _sheet_names(b.names, "Months - ", ("Summary", "Inputs", "KPIs"))))
    months = len(b.monthly[b.baseline])
    first, last = 2, months + 1  # the rows of month 1 and of the last month on a Months sheet
    monthly_columns = [*b.monthly[b.baseline].columns, *_ADDED]
    letter = {c: get_column_letter(j) for j, c in enumerate(monthly_columns, start=2)}

    # Summary: the verdict, then the figures, each a formula over the Months sheets.
    ws = book.wb.active
    ws.title = "Summary"
    ws["A1"] = clean_text(b.title)
    ws["A1"].font = Font(name="Calibri", bold=True, size=14)
    ws["A2"] = f"Made by cx-roi on {_dt.date.today().isoformat()}. Baseline: {clean_text(b.baseline)}."
    ws["A4"] = "Verdict"
    ws["A4"].font = book.bold
    widths = [30, 28, *[15] * (len(_SUMMARY) - 2), 20, 20]  # ROI and payback may be words
    for i, line in enumerate(b.verdict):
        book.paragraph(ws, 5 + i, clean_text(line), widths)
    top = 6 + len(b.verdict)
    ws.cell(row=top, column=1, value="NPV, ROI and payback, computed by this workbook's formulas from each "
                                     "scenario's Months sheet").font = book.bold
    head = top + 1
    rate = PARAMETERS["annual_discount_rate"]
    book.sheet("Summary", ["Scenario", "Months sheet", f"{rate.label} ({rate.unit})" if rate.unit else rate.label,
                           *[column_header(k) for k in _SUMMARY[1:]]],
               [None, "the sheet of the scenario's months, where the sums run", rate.help or rate.label,
                *[_meaning(k) for k in _SUMMARY[1:]]], widths, row=head, freeze=None)
    col = {k: get_column_letter(j) for j, k in enumerate(_SUMMARY, start=3)}
    row_of = {name: head + 1 + i for i, name in enumerate(b.names)}

    def input_cell(field: str, scenario: int) -> str:
        """The Inputs cell of a (scalar) input of the scenario at position ``scenario``."""
        return sheet_ref("Inputs", f"${get_column_letter(5 + scenario)}${list(PARAMETERS).index(field) + 2}")

    base_row = row_of[b.baseline]
    for i, name in enumerate(b.names):
        r, m = row_of[name], sheets[name]
        kpi, last_month = b.kpis.loc[name], b.monthly[name].iloc[-1]

        def on_sheet(column: str, row: int) -> str:
            return sheet_ref(m, f"{letter[column]}{row}")

        def span(column: str) -> str:
            return sheet_ref(m, f"{letter[column]}{first}:{letter[column]}{last}")

        def at(key: str, row: int = r) -> str:
            return f"{col[key]}{row}"

        # What the model values a customer left at the horizon at, then ($): its terminal value per customer
        # left, undiscounted from the last month; 0 where there is no terminal value (not included, or no one
        # left), so that customers x this x the last discount factor is the terminal value.
        customers, factor = float(last_month["customers"]), float(last_month["discount_factor"])
        terminal = float(kpi["terminal_value"])
        left = terminal != 0.0 and customers > 0.0 and factor > 0.0
        # ROI and payback are a return on spend only for the same business with other spends.
        not_a_return = (f'IF({at("same_as_baseline")},"{SAME_AS_BASELINE}",'
                        f'IF({at("differs_beyond_spend")}>0,"{NOT_ONLY_SPEND}",')
        no_extra = f"{_number(_NO_EXTRA_SPEND)}*MAX(1,ABS({at('pv_spend', base_row)}))"
        payback = f"{on_sheet('last_month_below_baseline', last)}+1"
        # A formula (text starting "="), or a figure of the model's where the workbook cannot derive it.
        cells: dict[str, str | float | int | bool] = {
            "annual_discount_rate": f"={input_cell('annual_discount_rate', i)}",
            "monthly_discount_rate": f"=(1+{at('annual_discount_rate')})^(1/12)-1",
            "npv_operating": f"=SUM({span('discounted_contribution')})",
            "customer_value_at_horizon": terminal / (customers * factor) if left else 0.0,
            "terminal_value": f"={on_sheet('customers', last)}*{at('customer_value_at_horizon')}*"
                              f"{on_sheet('discount_factor', last)}",
            "npv": f"={at('npv_operating')}+{at('terminal_value')}",
            "delta_npv": f"={at('npv')}-{at('npv', base_row)}",
            "pv_spend": f"=SUMPRODUCT({span('spend')},{span('discount_factor')})",
            "delta_pv_spend": f"={at('pv_spend')}-{at('pv_spend', base_row)}",
            "differs_beyond_spend": int(kpi["differs_beyond_spend"]),
            "same_as_baseline": bool(kpi["same_as_baseline"]),
            "roi": f'={not_a_return}IF({at("delta_pv_spend")}>{no_extra},{at("delta_npv")}/{at("delta_pv_spend")},'
                   f'"{NO_EXTRA_SPEND}")))',
            "payback_month": f'={not_a_return}IF({payback}>{sheet_ref(m, f"A{last}")},"{NO_PAYBACK}",'
                             f'{payback})))',
        }
        book.values(ws, r, [m], [None], name, b.baseline)
        for j, key in enumerate(_SUMMARY, start=3):
            fmt = _param_format(rate) if key == "annual_discount_rate" else excel_format(key)
            if isinstance(cells[key], str):
                book.formula(ws, r, j, cells[key], fmt)
            else:
                ws.cell(row=r, column=j, value=cells[key]).number_format = fmt
        for key in ("roi", "payback_month"):  # a number or words, lined up alike
            ws[at(key)].alignment = Alignment(horizontal="right")
    notes = head + len(b.names) + 2
    for i, line in enumerate([
        f"Baseline: {clean_text(b.baseline)}. The model's figures are in KPIs; these are the same figures recomputed.",
        "Discount factor of month t = (1 + monthly rate)^-t, every cash flow being paid at its month's end. "
        "NPV = the sum of discounted contribution + the terminal value.",
        "Terminal value = customers left at the horizon x the value of a customer left (the model's, at the final "
        "churn and margin) x the last month's discount factor; zero where it is not included.",
        "ROI = NPV change / PV of the extra spend; words where it is no return on spend (the baseline itself, or "
        "a scenario that differs from it in more than spend) or no extra is spent.",
        "Payback = the month after the last one whose cumulative contribution vs baseline is below zero "
        f"(zero: within {_ZERO:g} of its largest size); words where it is not reached within the horizon.",
        "Sheets: Inputs (every parameter, with unit and source), KPIs (one row per scenario, compared with the "
        "baseline), and one Months sheet per scenario. Units are in the column headers; each header's comment "
        "says what it means.",
    ]):
        book.paragraph(ws, notes + i, line, widths)

    # Inputs
    labels = ["Group", "Field", "Label", "Unit", *b.names, "Default", "Plausible low", "Plausible high",
              "Source", "Solidity", "Note"]
    ws = book.sheet("Inputs", labels, widths=[24, 34, 40, 26, *[16] * len(b.names), 14, 14, 14, 60, 12, 40],
                    freeze="E2", height=None)
    for i, (name, p) in enumerate(PARAMETERS.items(), start=2):
        values = [getattr(b.scenarios[n], name) for n in b.names]
        schedules = [n for n, v in zip(b.names, values) if isinstance(v, tuple)]
        # The scenarios' values (a schedule's average), the default and the plausible range: in the input's
        # format where they are numbers.
        numbers = [*(b.scenarios[n].mean_value(name) for n in b.names), p.default,
                   *(p.plausible or (None, None))]
        formats = [None] * 4 + [_param_format(p) if isinstance(_cell_value(v), float) else None for v in numbers]
        formats += [None] * 3
        book.values(ws, i, [GROUPS[p.group], name, p.label, p.unit, *numbers, p.source, p.solidity,
                            (f"monthly schedule in {', '.join(schedules)}: the average over the horizon is shown; "
                             "every month is in its Months sheet" if schedules else "")], formats)
        # Long sources and notes wrap in their columns, each row as tall as its longest.
        wrapped = [cell for cell in ws[i] if labels[cell.column - 1] in ("Source", "Note")]
        for cell in ws[i]:
            cell.alignment = book.wrap if cell in wrapped else book.top
        ws.row_dimensions[i].height = 15 * max(
            book.lines(cell.value, ws.column_dimensions[cell.column_letter].width) for cell in wrapped)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{len(PARAMETERS) + 1}"

    # KPIs: the model's figures, as values
    cols = list(b.kpis.columns)
    ws = book.sheet("KPIs", ["Scenario", *[column_header(c) for c in cols]], [None, *[_meaning(c) for c in cols]],
                    [28, *[16] * len(cols)])
    for i, name in enumerate(b.names, start=2):
        book.values(ws, i, [excel_value(c, v) for c, v in b.kpis.loc[name, cols].items()],
                    [excel_format(c) for c in cols], name, b.baseline)
    ws.cell(row=len(b.names) + 3, column=1,
            value=f"Baseline: {clean_text(b.baseline)}. The model's figures, as values (Summary recomputes NPV, ROI "
                  "and payback with formulas). Deltas, ROI and payback are against the baseline; ROI = (NPV - NPV "
                  "baseline) / PV of the extra spend. ROI and payback are empty where a scenario differs from the "
                  "baseline in more than spend, or is the same as it.")

    # Months, one sheet per scenario: the model's columns, with the money's last steps as formulas.
    base_sheet = sheets[b.baseline]
    formats = {c: excel_format(c) for c in monthly_columns}
    for k, name in enumerate(b.names):
        m = b.monthly[name]
        ws = book.sheet(sheets[name], ["Month", *[column_header(c) for c in monthly_columns]],
                        [None, *[_meaning(c) for c in monthly_columns]], [8, *[14] * len(monthly_columns)])
        rate_cell = sheet_ref("Summary", f"${col['monthly_discount_rate']}${row_of[name]}")
        extras = f"${letter['cumulative_extra_contribution']}${first}:${letter['cumulative_extra_contribution']}${last}"
        zero = f"{_number(_ZERO)}*MAX(1,MAX({extras}),-MIN({extras}))"
        for i, (month, data) in enumerate(zip(m.index, m.to_numpy(dtype=float)), start=first):
            # The model's columns as values, but for those the formulas below derive.
            book.values(ws, i, [int(month), *(None if c in _DERIVED else v for c, v in zip(m.columns, data))],
                        [None, *(None if c in _DERIVED else formats[c] for c in m.columns)])

            def here(c_name: str, row: int = i) -> str:
                return f"{letter[c_name]}{row}"

            def put(c_name: str, text: str) -> None:
                book.formula(ws, i, monthly_columns.index(c_name) + 2, text, formats[c_name])

            before = i > first
            # In the model's order: revenue at the month's end, then margin minus every cost.
            put("revenue", f"={input_cell('arpu_per_month', k)}*{here('customers')}")
            put("contribution", f"={input_cell('gross_margin', k)}*{here('revenue')}-{here('capacity_cost')}"
                                f"-{here('quality_cost')}-{here('ad_cost')}-{here('onboarding_cost')}")
            put("cumulative_contribution", f"={here('cumulative_contribution', i - 1)}+{here('contribution')}"
                if before else f"={here('contribution')}")
            put("discount_factor", f"=(1+{rate_cell})^(-A{i})")
            put("discounted_contribution", f"={here('contribution')}*{here('discount_factor')}")
            put("spend", f"={here('capacity_cost')}+{here('quality_cost')}+{here('ad_cost')}")
            # Added month by month, as the model adds the difference of the two contributions.
            extra = f"({here('contribution')}-{sheet_ref(base_sheet, here('contribution'))})"
            put("cumulative_extra_contribution",
                f"={here('cumulative_extra_contribution', i - 1)}+{extra}" if before else f"={extra}")
            put("last_month_below_baseline", f"=IF({here('cumulative_extra_contribution')}<-{zero},A{i},"
                                             f"{here('last_month_below_baseline', i - 1) if before else 0})")

    return book.save(b.title)
