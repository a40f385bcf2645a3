"""Take the results with you: Excel, standalone HTML and PowerPoint reports of named scenarios.

Pure functions, no UI: scenarios in, file contents out, so the dashboard, the
command line and a notebook produce the same files.

* :func:`excel_report` -> .xlsx bytes: a Summary sheet (the verdict), Inputs
  (every parameter with unit, default, source and solidity, one column per
  scenario), KPIs (one row per scenario, with deltas and ROI against the
  baseline) and one Monthly sheet per scenario. Numbers are numbers with
  number formats, headers are frozen, columns sized.
* :func:`html_report` -> one self-contained HTML page: the verdict, a KPI
  table, the changed inputs and interactive plotly charts, with plotly.js
  inlined, so it opens offline and loads nothing from the internet.
* :func:`pptx_report` -> .pptx bytes: a title slide with the verdict, a KPI
  table and native, editable PowerPoint charts (not pictures) of customers,
  cumulative contribution, NPV and the next-dollar comparison.

Every figure comes from :func:`cx_roi.compare`, :func:`cx_roi.simulate` and
:func:`cx_roi.next_dollar`; nothing is recomputed here. The verdict is
:func:`verdict_sentences` unless a caller passes its own text.

Scenarios are given as ``{name: Scenario}`` (or anything
:func:`cx_roi.comparison.named_scenarios` accepts: preset names, pairs);
``baseline`` names the one the others are compared with (default: the first).
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .comparison import LEVERS, compare, named_scenarios, next_dollar, no_return_reason
from .formatting import amount, horizon, is_number, money, percent
from .palette import LEVER_COLOURS, scenario_colours
from .outputs import HEADLINE, excel_format, output, show
from .outputs import header as column_header
from .parameters import GROUPS, PARAMETERS, Param
from .scenario import Scenario
from .simulation import simulate
from .verdict import margin_sentences, verdict

__all__ = ["excel_report", "html_report", "pptx_report", "verdict_sentences", "REPORT_KPIS",
           "DEFAULT_EXTRA_PER_MONTH"]

DEFAULT_EXTRA_PER_MONTH = 50_000.0
"""The next-dollar amount the verdict asks about, $ per month (the dashboard's default)."""

REPORT_KPIS = HEADLINE
"""The KPIs the compact tables show (HTML, PowerPoint), in order: :data:`cx_roi.outputs.HEADLINE`."""


# ------------------------------------------------------------------ shared data

@dataclass(frozen=True)
class _Bundle:
    """Everything a report shows, computed once."""

    names: list[str]
    baseline: str
    scenarios: dict[str, Scenario]
    kpis: pd.DataFrame
    monthly: dict[str, pd.DataFrame]
    nextd: dict[str, pd.DataFrame]
    verdict: list[str]
    title: str
    extra: float
    lead: str | None = None  # the scenario drawn in black (the one on screen; see palette.scenario_colours)


def _bundle(scenarios: Any, baseline: str | None, title: str, verdict: str | Sequence[str] | None,
            extra_per_month: float, lead: str | None = None) -> _Bundle:
    named = named_scenarios(scenarios)
    kpis = compare(named, baseline=baseline)  # checks the scenarios and the baseline
    names, baseline = list(named), kpis.attrs["baseline"]
    monthly = {n: simulate(s).monthly for n, s in named.items()}
    nextd = {n: next_dollar(s, extra_per_month) for n, s in named.items()}
    if verdict is None:
        lines = verdict_sentences(named, baseline, extra_per_month=extra_per_month, kpis=kpis, next_dollars=nextd)
    elif isinstance(verdict, str):
        lines = [verdict]
    else:
        lines = [str(v) for v in verdict]
    return _Bundle(names, baseline, dict(named), kpis, monthly, nextd, lines, title, float(extra_per_month), lead)


def verdict_sentences(scenarios: Any, baseline: str | None = None, *, extra_per_month: float = DEFAULT_EXTRA_PER_MONTH,
                      kpis: pd.DataFrame | None = None,
                      next_dollars: Mapping[str, pd.DataFrame] | None = None, lead: str | None = None) -> list[str]:
    """Plain-language findings: how the scenarios stand against the baseline on NPV, and for each
    scenario where the next ``extra_per_month`` dollars do most (service or advertising).

    From :func:`cx_roi.compare` and :func:`cx_roi.next_dollar`. Each scenario's line is its
    name and the dashboard's own sentence (:func:`cx_roi.verdict.verdict`), so a file says
    what the screen says. ``lead``: the scenario on screen, whose line comes first.
    """
    named = named_scenarios(scenarios)
    names = list(named)
    baseline = names[0] if baseline is None else baseline
    kpis = compare(named, baseline=baseline) if kpis is None else kpis
    months = named[baseline].horizon_months
    lines = [line for line in [_standing(kpis, names, baseline, months)] if line]
    per_scenario: dict[str, list[str]] = {}
    for name in names:
        table = next_dollars[name] if next_dollars is not None else next_dollar(named[name], extra_per_month)
        # A dash, not a colon: the dashboard's names have colons of their own ("Current: Status quo").
        # The answer on the margin with its odds leads, as on the dashboard; the larger step follows.
        margin, _ = margin_sentences(named[name])
        per_scenario[name] = [f"{name} — {margin}",
                              f"{name} — {verdict(table, extra_per_month, named[name].horizon_months)}"]
    if lead not in per_scenario:
        return [*lines, *(line for pair in per_scenario.values() for line in pair)]
    return [*per_scenario[lead], *lines, *(line for n, pair in per_scenario.items() if n != lead for line in pair)]


def _standing(kpis: pd.DataFrame, names: list[str], baseline: str, months: int) -> str | None:
    """One sentence on NPV against the baseline: the best scenario's gain, or the closest one's gap."""
    others = [n for n in names if n != baseline]
    if not others:
        return None
    best = max(others, key=lambda n: kpis.loc[n, "npv"] if is_number(kpis.loc[n, "npv"]) else -math.inf)
    gain = kpis.loc[best, "delta_npv"]
    if not is_number(gain):
        return None
    period = f"over {horizon(months)}"
    if money(gain) == "$0":
        return (f"{best} has the same NPV as {baseline} {period}." if len(others) == 1 else
                f"None of the scenarios beats {baseline} on NPV {period}; {best} matches it.")
    roi = kpis.loc[best, "roi"]
    roi_text = f" (ROI {percent(roi, 0)} on its extra spend)" if is_number(roi) and gain > 0 else ""
    if len(others) == 1:
        verb = "adds" if gain > 0 else "loses"
        return f"{best} {verb} {money(abs(gain))} of NPV against {baseline} {period}{roi_text}."
    if gain > 0:
        return (f"Of the scenarios compared, {best} has the highest NPV {period}: {money(gain)} more than "
                f"{baseline}{roi_text}.")
    return f"None of the scenarios beats {baseline} on NPV {period}; the closest, {best}, is {money(-gain)} behind."


# Each input's display format (Param.fmt, a Python format) as an Excel number format; a format
# not listed shows as General (a test keeps every format the parameters use listed).
EXCEL_OF_PARAM_FORMAT = {
    "{:.0%}": "0%", "{:.1%}": "0.0%", "{:.2%}": "0.00%", "${:,.0f}": '"$"#,##0', "${:,.2f}": '"$"#,##0.00',
    "{:.1f}": "0.0", "{:.2f}": "0.00", "{:,.0f}": "#,##0", "{:,.0f} s": '#,##0" s"', "{:,.0f} h": '#,##0" h"',
}


def _param_format(p: Param) -> str:
    return "General" if p.kind == "bool" else EXCEL_OF_PARAM_FORMAT.get(p.fmt, "General")


# ------------------------------------------------------------------ Excel

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean_text(text: Any) -> str:
    """Text safe in XML (OOXML refuses control characters)."""
    return _ILLEGAL_XML.sub("", str(text))


def _sheet_names(names: Sequence[str], prefix: str) -> list[str]:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    out: list[str] = []
    taken = {"summary", "inputs", "kpis"}
    for name in names:
        stem = _BAD_SHEET_CHARS.sub("_", _clean_text(name)).strip("'") or "scenario"
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
    return _clean_text(v)


def _as_text(wb: Any) -> None:
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


def _workbook_as_text(xlsx: bytes) -> bytes:
    """:func:`_as_text` of a workbook's bytes (a PowerPoint chart's embedded data)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    _as_text(wb)
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

    b = _bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DCE6F1")

    def header(ws, labels: Sequence[str], row: int = 1) -> None:
        for j, label in enumerate(labels, start=1):
            c = ws.cell(row=row, column=j, value=_clean_text(label))
            c.font = bold
            c.fill = head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")

    def widths(ws, sizes: Sequence[float]) -> None:
        for j, w in enumerate(sizes, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w

    # Summary
    ws = wb.active
    ws.title = "Summary"
    ws["A1"] = _clean_text(b.title)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Made by cx-roi on {_dt.date.today().isoformat()}. Baseline: {_clean_text(b.baseline)}."
    ws["A4"] = "Verdict"
    ws["A4"].font = bold
    for i, line in enumerate(b.verdict):
        c = ws.cell(row=5 + i, column=1, value=_clean_text(line))
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
        ws.cell(row=i, column=1, value=_clean_text(name)).font = bold if name == b.baseline else Font()
        for j, col in enumerate(cols, start=2):
            c = ws.cell(row=i, column=j, value=_cell_value(b.kpis.loc[name, col]))
            c.number_format = excel_format(col)
    note = len(b.names) + 3
    ws.cell(row=note, column=1, value=f"Baseline: {_clean_text(b.baseline)}. Deltas, ROI and payback are against "
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

    _as_text(wb)
    wb.properties.title = _clean_text(b.title)[:250]
    wb.properties.creator = "cx-roi"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ HTML

def _figures(b: _Bundle) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    def layout(fig, title: str, y: str, y_format: str | None = None) -> Any:
        fig.update_layout(title=title, template="plotly_white", height=420, margin=dict(l=70, r=20, t=60, b=50),
                          legend=dict(orientation="h", y=-0.18), hovermode="x unified",
                          font=dict(family="sans-serif", size=13))
        fig.update_xaxes(title="Month")
        fig.update_yaxes(title=y, tickformat=y_format)
        return fig

    colours = scenario_colours(b.names, b.baseline, b.lead)

    def lines(series: dict, title: str, y: str, y_format: str, hover: str) -> go.Figure:
        fig = go.Figure([go.Scatter(x=list(b.monthly[n].index), y=values, name=n, line=dict(color=colours[n]),
                                    hovertemplate=hover) for n, values in series.items()])
        return layout(fig, title, y, y_format)

    figs = [
        ("customers", lines({n: b.monthly[n]["customers"] for n in b.names},
                            "Customers at the end of each month", "customers", ",.0f", "%{y:,.0f}")),
        ("contribution", lines(_extra_contribution(b), f"Cumulative contribution against {b.baseline} (for a "
                               "scenario that differs in spend alone, payback is where its line crosses zero for "
                               "good)", "$", "$,.0f", "%{y:$,.0f}")),
        ("nps", lines({n: b.monthly[n]["nps"] for n in b.names},
                      "Net promoter score (true, not survey-inflated)", "NPS", ".0f", "%{y:.1f}")),
    ]
    fig = go.Figure(go.Bar(x=b.names, y=[_none(b.kpis.loc[n, "npv"]) for n in b.names],
                           marker_color=[colours[n] for n in b.names], hovertemplate="%{y:$,.0f}<extra></extra>"))
    fig = layout(fig, "Net present value over the horizon", "$", "$,.0f")
    fig.update_xaxes(title="Scenario")
    figs.append(("npv", fig))
    fig = go.Figure()
    for lever, label in LEVERS.items():
        fig.add_trace(go.Bar(x=b.names, y=[_none(b.nextd[n]["delta_npv"].get(lever)) for n in b.names], name=label,
                             marker_color=LEVER_COLOURS[lever], hovertemplate="%{y:$,.0f}"))
    fig = layout(fig, f"What {amount(b.extra)} a month more adds to NPV, by lever", "$ change in NPV", "$,.0f")
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_xaxes(title="Scenario")
    figs.append(("next_dollar", fig))
    return figs


def _extra_contribution(b: _Bundle) -> dict[str, np.ndarray]:
    """Cumulative contribution minus the baseline's, month by month, $ (the baseline's line is zero)."""
    base = b.monthly[b.baseline]["cumulative_contribution"].to_numpy()
    return {n: b.monthly[n]["cumulative_contribution"].to_numpy() - base for n in b.names}


def _none(v: Any) -> float | None:
    return float(v) if is_number(v) else None


def _fmt_kpi(row: pd.Series, col: str, baseline_row: bool = False) -> str:
    """A KPI of :data:`REPORT_KPIS` in a row of :func:`compare`, as the dashboard's table shows it,
    with words for what is undefined."""
    v = row[col]
    if baseline_row and col in ("roi", "payback_month"):
        return "baseline"
    if not is_number(v):
        reason = no_return_reason(row) if col in ("roi", "payback_month") else None
        if reason:
            return reason
        return {"roi": "no extra spend", "payback_month": "not within horizon"}.get(col, "n/a")
    return show(col, v)


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1a1a1a;padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #dde}
.meta{color:#555;margin-top:0}
.verdict{background:#f3f5f8;border-left:5px solid #0072B2;padding:.8rem 1.2rem;font-size:1.08rem}
.verdict p{margin:.4rem 0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}
th,td{border:1px solid #d5dbe3;padding:.35rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left} thead th{background:#e8eef6}
tr.baseline td{font-weight:600}
.note{color:#555;font-size:.9rem}
"""


def html_report(scenarios: Mapping[str, Scenario] | Sequence[Any], baseline: str | None = None, *,
                title: str = "cx-roi scenario report", verdict: str | Sequence[str] | None = None,
                extra_per_month: float = DEFAULT_EXTRA_PER_MONTH, lead: str | None = None) -> str:
    """One self-contained HTML page (a string) of the scenarios.

    The verdict (generated by :func:`verdict_sentences` unless ``verdict`` is
    given), a KPI table against the baseline, the inputs that differ between
    scenarios, and interactive plotly charts: customers, cumulative
    contribution, NPS, NPV, and the next-dollar comparison. plotly.js is
    inlined once, so the page works offline and loads nothing from the web.
    """
    import plotly.io as pio

    b = _bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(b.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{e(b.title)}</h1>",
        f'<p class="meta">Made by cx-roi on {_dt.date.today().isoformat()}. Baseline: <b>{e(b.baseline)}</b>. '
        f"Horizon: {horizon(b.scenarios[b.baseline].horizon_months)}.</p>",
        '<section class="verdict" id="verdict"><h2 style="border:0;margin-top:0">Verdict</h2>',
        *[f"<p>{e(line)}</p>" for line in b.verdict], "</section>",
        "<h2>Key results</h2>", _kpi_table_html(b),
        '<p class="note">NPV includes the value of customers left at the end when the scenario says so. ROI = '
        "(NPV - NPV of the baseline) / present value of the extra spend; payback is the first month from which "
        "cumulative extra contribution stays at or above zero. Both are returns on spend, so they are shown "
        "only for scenarios that differ from the baseline in their spends alone.</p>",
        "<h2>Inputs that differ</h2>", _inputs_table_html(b),
        "<h2>Charts</h2>",
    ]
    config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}
    for i, (key, fig) in enumerate(_figures(b)):
        # The first chart carries plotly.js inline; the others reuse it.
        parts.append(f'<div class="chart" id="chart-{key}">'
                     + pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0), config=config,
                                   div_id=f"plot-{key}", include_mathjax=False)
                     + "</div>")
    parts += ['<p class="note">Every figure comes from the cx-roi model; see its methodology for each equation, '
              "default and source.</p>", "</body>", "</html>"]
    return "\n".join(parts)


def _kpi_table_html(b: _Bundle) -> str:
    e = html.escape
    head = "".join(f"<th>{e(output(k).label)}</th>" for k in REPORT_KPIS)
    body = []
    for n in b.names:
        cells = "".join(f"<td>{e(_fmt_kpi(b.kpis.loc[n], k, n == b.baseline))}</td>" for k in REPORT_KPIS)
        cls = ' class="baseline"' if n == b.baseline else ""
        body.append(f"<tr{cls}><td>{e(n)}{' (baseline)' if n == b.baseline else ''}</td>{cells}</tr>")
    return f'<table id="kpis"><thead><tr><th>Scenario</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _inputs_table_html(b: _Bundle) -> str:
    e = html.escape
    rows = []
    for name, p in PARAMETERS.items():
        values = [getattr(b.scenarios[n], name) for n in b.names]
        if all(v == values[0] for v in values):
            continue
        cells = "".join(f"<td>{e(_param_text(p, v))}</td>" for v in values)
        rows.append(f"<tr><td>{e(p.label)} ({e(p.unit)})</td>{cells}</tr>" if p.unit else
                    f"<tr><td>{e(p.label)}</td>{cells}</tr>")
    if not rows:
        return '<p class="note">All scenarios have the same inputs.</p>'
    head = "".join(f"<th>{e(n)}</th>" for n in b.names)
    return f'<table id="inputs"><thead><tr><th>Input</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _param_text(p: Param, v: Any) -> str:
    if isinstance(v, tuple):
        return f"schedule, average {p.fmt.format(float(np.mean(v)))}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    try:
        return p.fmt.format(v)
    except (ValueError, TypeError):
        return str(v)


# ------------------------------------------------------------------ PowerPoint

def pptx_report(scenarios: Mapping[str, Scenario] | Sequence[Any], baseline: str | None = None, *,
                title: str = "cx-roi scenario report", verdict: str | Sequence[str] | None = None,
                extra_per_month: float = DEFAULT_EXTRA_PER_MONTH, lead: str | None = None) -> bytes:
    """A PowerPoint deck (.pptx bytes) of the scenarios, 16:9.

    Slides: title with the verdict; key results (a native table); then native,
    editable charts (python-pptx chart objects, so the numbers stay in the
    deck's embedded workbook): customers by month, cumulative contribution by
    month, NPV by scenario, and what ``extra_per_month`` more on each lever
    adds to NPV. Undefined values are left as gaps, not zeros.
    """
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    b = _bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank, title_only = prs.slide_layouts[6], prs.slide_layouts[5]
    width = prs.slide_width

    def heading(slide, text: str) -> None:
        box = slide.shapes.title
        box.text = _clean_text(text)
        box.left, box.top, box.width, box.height = Inches(0.5), Inches(0.3), width - Inches(1.0), Inches(0.9)
        for p in box.text_frame.paragraphs:
            p.font.size = Pt(28)

    # Title slide with the verdict.
    slide = prs.slides.add_slide(blank)
    tb = slide.shapes.add_textbox(Inches(0.7), Inches(0.6), width - Inches(1.4), Inches(1.2))
    tb.text_frame.word_wrap = True
    tb.text_frame.text = _clean_text(b.title)
    tb.text_frame.paragraphs[0].font.size = Pt(36)
    tb.text_frame.paragraphs[0].font.bold = True
    sub = slide.shapes.add_textbox(Inches(0.7), Inches(1.8), width - Inches(1.4), Inches(0.6))
    sub.text_frame.text = (f"Baseline: {_clean_text(b.baseline)}. Horizon: "
                           f"{horizon(b.scenarios[b.baseline].horizon_months)}. Made by cx-roi on "
                           f"{_dt.date.today().isoformat()}.")
    sub.text_frame.paragraphs[0].font.size = Pt(16)
    sub.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    body = slide.shapes.add_textbox(Inches(0.7), Inches(2.6), width - Inches(1.4), Inches(4.4))
    tf = body.text_frame
    tf.word_wrap = True
    for i, line in enumerate(b.verdict):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.text = _clean_text(line)
        para.font.size = Pt(18 if len(b.verdict) <= 4 else 14)
        para.alignment = PP_ALIGN.LEFT
        para.space_after = Pt(8)

    # KPI table.
    slide = prs.slides.add_slide(title_only)
    heading(slide, "Key results")
    kpis = list(REPORT_KPIS)
    rows, cols = len(b.names) + 1, len(kpis) + 1
    shape = slide.shapes.add_table(rows, cols, Inches(0.5), Inches(1.4), width - Inches(1.0),
                                   Emu(int(Inches(0.5) * rows)))
    table = shape.table
    table.cell(0, 0).text = "Scenario"
    for j, k in enumerate(kpis, start=1):
        table.cell(0, j).text = output(k).label
    for i, n in enumerate(b.names, start=1):
        table.cell(i, 0).text = _clean_text(n) + (" (baseline)" if n == b.baseline else "")
        for j, k in enumerate(REPORT_KPIS, start=1):
            table.cell(i, j).text = _fmt_kpi(b.kpis.loc[n], k, n == b.baseline)
    for r in range(rows):
        for c in range(cols):
            for para in table.cell(r, c).text_frame.paragraphs:
                para.font.size = Pt(12)

    def chart_slide(heading_text: str, chart_type, categories, series: Mapping[str, Sequence[Any]],
                    number_format: str, axis_title: str | None = None,
                    colours: Sequence[str] | None = None, points: Sequence[str] | None = None) -> Any:
        """A native chart; ``colours`` per series, or ``points`` per category of a single series."""
        slide = prs.slides.add_slide(title_only)
        heading(slide, heading_text)
        data = CategoryChartData(number_format=number_format)
        data.categories = list(categories)
        for name, values in series.items():
            data.add_series(_clean_text(name), [_none(v) for v in values])
        frame = slide.shapes.add_chart(chart_type, Inches(0.5), Inches(1.3), width - Inches(1.0), Inches(5.9), data)
        # python-pptx writes the chart's data with XlsxWriter, which reads a text starting with "="
        # as a formula: the embedded workbook is made text-only, as the Excel report is.
        book = frame.chart_part.chart_workbook
        book.update_from_xlsx_blob(_workbook_as_text(book.xlsx_part.blob))
        chart = frame.chart
        chart.has_legend = len(series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
        chart.font.size = Pt(12)
        value_axis = chart.value_axis
        value_axis.tick_labels.number_format = number_format
        value_axis.tick_labels.number_format_is_linked = False
        value_axis.has_major_gridlines = True
        if axis_title:
            value_axis.has_title = True
            value_axis.axis_title.text_frame.text = axis_title
        if chart_type != XL_CHART_TYPE.LINE:
            # Bars start at zero: a cut axis would make a 4% gap look like a doubling.
            low = min([0.0, *(_none(v) or 0.0 for values in series.values() for v in values)])
            value_axis.minimum_scale = None if low < 0 else 0.0
        for i, plot_series in enumerate(chart.plots[0].series):
            colour = RGBColor.from_string((colours or ["#000000"])[i % len(colours or ["#000000"])][1:])
            if chart_type == XL_CHART_TYPE.LINE:
                plot_series.format.line.color.rgb = colour
                plot_series.format.line.width = Pt(2.25)
                plot_series.smooth = False
            elif points:
                for j, hexcode in enumerate(points):
                    point = plot_series.points[j]
                    point.format.fill.solid()
                    point.format.fill.fore_color.rgb = RGBColor.from_string(hexcode[1:])
            else:
                plot_series.format.fill.solid()
                plot_series.format.fill.fore_color.rgb = colour
        return chart

    months = list(b.monthly[b.baseline].index)
    by_name = scenario_colours(b.names, b.baseline, b.lead)
    lines = [by_name[n] for n in b.names]
    chart_slide("Customers at the end of each month", XL_CHART_TYPE.LINE, months,
                {n: b.monthly[n]["customers"].to_numpy() for n in b.names}, "#,##0", "customers", colours=lines)
    chart_slide(f"Cumulative contribution against {b.baseline}", XL_CHART_TYPE.LINE, months,
                _extra_contribution(b), '"$"#,##0', "$ more than the baseline, cumulative", colours=lines)
    chart_slide("Net present value by scenario", XL_CHART_TYPE.COLUMN_CLUSTERED, b.names,
                {"NPV": [b.kpis.loc[n, "npv"] for n in b.names]}, '"$"#,##0', "$", points=lines)
    chart_slide(f"What {amount(b.extra)} a month more adds to NPV", XL_CHART_TYPE.COLUMN_CLUSTERED, b.names,
                {label: [b.nextd[n]["delta_npv"].get(lever) for n in b.names] for lever, label in LEVERS.items()},
                '"$"#,##0', "$ change in NPV", colours=[LEVER_COLOURS[lever] for lever in LEVERS])

    prs.core_properties.title = _clean_text(b.title)[:250]
    prs.core_properties.author = "cx-roi"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
