"""The Excel workbook of named scenarios (:func:`excel_report`)."""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..outputs import excel_format
from ..outputs import header as column_header
from ..parameters import GROUPS, PARAMETERS, Param
from ..scenario import Scenario
from .bundle import DEFAULT_EXTRA_PER_MONTH, bundle, clean_text

EXCEL_OF_PARAM_FORMAT = {
    "{:.0%}": "0%", "{:.1%}": "0.0%", "{:.2%}": "0.00%", "${:,.0f}": '"$"#,##0', "${:,.2f}": '"$"#,##0.00',
    "{:.1f}": "0.0", "{:.2f}": "0.00", "{:,.0f}": "#,##0", "{:,.0f} s": '#,##0" s"', "{:,.0f} h": '#,##0" h"',
}


def _param_format(p: Param) -> str:
    return "General" if p.kind == "bool" else EXCEL_OF_PARAM_FORMAT.get(p.fmt, "General")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(names: Sequence[str], prefix: str) -> list[str]:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    out: list[str] = []
    taken = {"summary", "inputs", "kpis"}
    for name in names:
        stem = _BAD_SHEET_CHARS.sub("_", clean_text(name)).strip("'") or "scenario"
        candidate = f"{prefix}{stem}"[:31]
        i = 2
        while candidate.lower() in taken:
            suffix = f" ({i})"
            candidate = f"{prefix}{stem}"[:31 - len(suffix)] + suffix
            i += 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


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


def as_text(wb: Any) -> None:
    """An openpyxl workbook holds numbers and text, never formulas or links: a name such as
    "=2+2", "=HYPERLINK(...)" or "=cmd|' /C calc'!A0" from a link or a file stays text instead of
    being computed (or run) when the file is opened. ("+", "-" and "@" start a formula only when
    typed into Excel; written as text cells they stay text.)"""
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                cell.hyperlink = None


def workbook_as_text(xlsx: bytes) -> bytes:
    """:func:`_as_text` of a workbook's bytes (a PowerPoint chart's embedded data)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    as_text(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def excel_report(scenarios: Mapping[str, Scenario] | Sequence[Any], baseline: str | None = None, *,
                 title: str = "cx-roi scenario report", verdict: str | Sequence[str] | None = None,
                 extra_per_month: float = DEFAULT_EXTRA_PER_MONTH, lead: str | None = None) -> bytes:
    """An Excel workbook (.xlsx bytes) of the scenarios.

    Sheets: ``Summary`` (title, baseline, verdict), ``Inputs`` (one row per
    parameter: group, field, label, unit, each scenario's value, default,
    plausible range, source, solidity; a monthly spend schedule shows its
    average and is marked), ``KPIs`` (one row per scenario: every column of
    :func:`cx_roi.compare`) and ``Monthly <name>`` per scenario (every column
    of ``cx_roi.MONTHLY_COLUMNS``, month 1 first). Values are numbers with
    number formats ($, %, counts); undefined values (NaN) are empty cells.
    ``verdict`` replaces the generated :func:`verdict_sentences`. ``lead``
    (here and in the other reports): the scenario drawn in black, as on screen.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    b = bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DCE6F1")

    def header(ws, labels: Sequence[str], row: int = 1) -> None:
        for j, label in enumerate(labels, start=1):
            c = ws.cell(row=row, column=j, value=clean_text(label))
            c.font = bold
            c.fill = head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")

    def widths(ws, sizes: Sequence[float]) -> None:
        for j, w in enumerate(sizes, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w

    # Summary
    ws = wb.active
    ws.title = "Summary"
    ws["A1"] = clean_text(b.title)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Made by cx-roi on {_dt.date.today().isoformat()}. Baseline: {clean_text(b.baseline)}."
    ws["A4"] = "Verdict"
    ws["A4"].font = bold
    for i, line in enumerate(b.verdict):
        c = ws.cell(row=5 + i, column=1, value=clean_text(line))
        c.alignment = Alignment(wrap_text=True, vertical="top")
    row = 6 + len(b.verdict)
    ws.cell(row=row, column=1, value="Sheets: Inputs (every parameter, with unit and source), KPIs (one row per "
                                     "scenario, compared with the baseline), and one Monthly sheet per scenario.")
    ws.cell(row=row + 1, column=1, value="Units are in the column headers; money in $, shares as percentages. "
                                         "Empty cells are undefined values (e.g. no payback within the horizon).")
    ws.column_dimensions["A"].width = 120

    # Inputs
    ws = wb.create_sheet("Inputs")
    labels = ["Group", "Field", "Label", "Unit", *b.names, "Default", "Plausible low", "Plausible high",
              "Source", "Solidity", "Note"]
    header(ws, labels)
    for i, (name, p) in enumerate(PARAMETERS.items(), start=2):
        values = [getattr(b.scenarios[n], name) for n in b.names]
        schedules = [n for n, v in zip(b.names, values) if isinstance(v, tuple)]
        shown = [float(np.mean(v)) if isinstance(v, tuple) else v for v in values]
        row_values = [GROUPS[p.group], name, p.label, p.unit, *shown, p.default,
                      p.plausible[0] if p.plausible else None, p.plausible[1] if p.plausible else None,
                      p.source, p.solidity,
                      (f"monthly schedule in {', '.join(schedules)}: the average is shown; every month is in "
                       "the Monthly sheet" if schedules else "")]
        fmt = _param_format(p)
        for j, v in enumerate(row_values, start=1):
            c = ws.cell(row=i, column=j, value=_cell_value(v))
            if 5 <= j <= 4 + len(b.names) + 3 and isinstance(c.value, float):
                c.number_format = fmt
    ws.freeze_panes = "E2"
    widths(ws, [24, 34, 40, 26, *[16] * len(b.names), 14, 14, 14, 60, 12, 40])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{len(PARAMETERS) + 1}"

    # KPIs
    ws = wb.create_sheet("KPIs")
    cols = list(b.kpis.columns)
    header(ws, ["Scenario", *[column_header(c) for c in cols]])
    for i, name in enumerate(b.names, start=2):
        ws.cell(row=i, column=1, value=clean_text(name)).font = bold if name == b.baseline else Font()
        for j, col in enumerate(cols, start=2):
            c = ws.cell(row=i, column=j, value=_cell_value(b.kpis.loc[name, col]))
            c.number_format = excel_format(col)
    note = len(b.names) + 3
    ws.cell(row=note, column=1, value=f"Baseline: {clean_text(b.baseline)}. Deltas, ROI and payback are against "
                                      "it; ROI = (NPV - NPV baseline) / PV of the extra spend. ROI and payback "
                                      "are empty where a scenario differs from the baseline in more than spend "
                                      "(differs_beyond_spend).")
    ws.freeze_panes = "B2"
    widths(ws, [28, *[16] * len(cols)])
    ws.row_dimensions[1].height = 45

    # Monthly, one sheet per scenario
    for sheet, name in zip(_sheet_names(b.names, "Monthly "), b.names):
        ws = wb.create_sheet(sheet)
        m = b.monthly[name]
        columns = list(m.columns)
        header(ws, ["Month", *[column_header(c) for c in columns]])
        formats = [excel_format(c) for c in columns]
        data = m.to_numpy(dtype=float)
        for i, month in enumerate(m.index, start=2):
            ws.cell(row=i, column=1, value=int(month))
            for j, (v, fmt) in enumerate(zip(data[i - 2], formats), start=2):
                c = ws.cell(row=i, column=j, value=_cell_value(v))
                c.number_format = fmt
        ws.freeze_panes = "B2"
        widths(ws, [8, *[14] * len(columns)])
        ws.row_dimensions[1].height = 45

    as_text(wb)
    wb.properties.title = clean_text(b.title)[:250]
    wb.properties.creator = "cx-roi"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
