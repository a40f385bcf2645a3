"""The standalone HTML report of named scenarios (:func:`html_report`): one file that opens offline."""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple


from ..comparison import LEVERS
from ..formatting import amount, chart_text, horizon, param_value, short_names
from ..outputs import output
from ..palette import GRID, LEVER_COLOURS, SOFT_TEXT, TEXT, scenario_colours, scenario_dashes
from ..parameters import PARAMETERS
from ..scenario import Scenario
from .bundle import DEFAULT_EXTRA_PER_MONTH, Bundle, bundle, extra_contribution, fmt_kpi, none, table_kpis

class ReportFigure(NamedTuple):
    """One chart of the HTML report: its key (the page's element ids), the figure, and the note
    printed under it (plain text), where what a title would be too long to hold is said."""

    key: str
    figure: Any
    note: str


# The report's chart look, the dashboard's (ui.charts): its fonts and text colours, a legend
# at the foot, no plotly template (the default one's grey plot area is not the dashboard's).
_FONT = '"Source Sans Pro", "Source Sans 3", system-ui, sans-serif'
_MONEY_TICKS = "$.3~s"  # $1.2M, -$350k, as the dashboard's money axes


def report_figures(b: Bundle) -> list[ReportFigure]:
    """The charts of :func:`html_report` for a :func:`~cx_roi.reports.bundle.bundle`: customers,
    cumulative contribution against the baseline, NPS, NPV and the next-dollar comparison, in the
    dashboard's colours (:mod:`cx_roi.palette`) and type. Titles are short enough for one line
    on a phone-wide page; the rest is each chart's note."""
    import plotly.graph_objects as go

    def layout(fig, title: str, y: str, y_format: str | None = None, x: str = "Month") -> Any:
        axis = dict(tickfont=dict(size=13, color=SOFT_TEXT), gridcolor=GRID, zerolinecolor="#888", automargin=True)
        fig.update_layout(title=dict(text=title, x=0, xanchor="left", font=dict(size=18, color=TEXT)),
                          template="none", height=420, margin=dict(l=8, r=16, t=56, b=8),
                          legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0,
                                      xanchor="left", font=dict(size=13, color=TEXT)),
                          hovermode="x unified", font=dict(family=_FONT, size=13, color=TEXT),
                          plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)")
        fig.update_xaxes(title=dict(text=x, font=dict(size=13, color=TEXT), standoff=10), showgrid=False, **axis)
        fig.update_yaxes(title=dict(text=y, font=dict(size=13, color=TEXT)), tickformat=y_format, **axis)
        return fig

    colours = scenario_colours(b.names, b.baseline, b.lead)
    dashes = scenario_dashes(colours, b.baseline)
    # On an axis or in a legend; the tables wrap the full names.
    short = {n: chart_text(s) for n, s in short_names(b.names).items()}

    def lines(series: dict, title: str, y: str, y_format: str, hover: str) -> go.Figure:
        months = max(len(b.monthly[n]) for n in b.names)
        fig = go.Figure([go.Scatter(x=list(b.monthly[n].index), y=values,
                                    name=short[n] + b.baseline_mark(n),
                                    line=dict(color=colours[n], width=2.5, dash=dashes[n]),
                                    hovertemplate=hover) for n, values in series.items()])
        # Whole years, as the dashboard ticks its month axes.
        return layout(fig, title, y, y_format).update_xaxes(tick0=0, dtick=6 if months <= 24 else 12)

    npv = go.Figure(go.Bar(x=[short[n] for n in b.names], y=[none(b.kpis.loc[n, "npv"]) for n in b.names],
                           marker_color=[colours[n] for n in b.names], hovertemplate="%{y:$,.0f}<extra></extra>"))
    step = go.Figure([go.Bar(x=[short[n] for n in b.names], y=[none(b.nextd[n]["delta_npv"].get(lever)) for n in b.names],
                             name=label, marker_color=LEVER_COLOURS[lever], hovertemplate="%{y:$,.0f}")
                      for lever, label in LEVERS.items()])
    step = layout(step, f"What {amount(b.extra)} a month more adds to NPV", "$ change in NPV", _MONEY_TICKS,
                  x="Scenario")
    return [
        ReportFigure("customers", lines({n: b.monthly[n]["customers"] for n in b.names},
                                        output("customers").label, "Customers", ",.0f", "%{y:,.0f}"), ""),
        *([] if b.alone else [  # alone, a flat zero line against itself
            ReportFigure("contribution", lines(extra_contribution(b), "Cumulative contribution vs baseline",
                                               "$ vs baseline, cumulative", _MONEY_TICKS, "%{y:$,.0f}"),
                         f"Each scenario's cumulative cash minus that of {b.baseline}, the baseline. For a "
                         "scenario that differs from it in spend alone, payback is where its line crosses zero "
                         "for good.")]),
        ReportFigure("nps", lines({n: b.monthly[n]["nps"] for n in b.names}, output("nps").label, "NPS", ".0f",
                                  "%{y:.1f}"),
                     "The net promoter score of every customer, not as a post-contact survey reports it: the "
                     "survey hears answered contacts only and reads higher."),
        ReportFigure("npv", layout(npv, "Net present value over the horizon", "$", _MONEY_TICKS, x="Scenario"), ""),
        ReportFigure("next_dollar", step.update_layout(barmode="group", hovermode="closest"),
                     f"For each scenario, {amount(b.extra)} a month more on one lever at a time, the others as "
                     "they are."),
    ]


# The dashboard's look: its font, text colour (TEXT), secondary background and service blue.
_CSS = """
body{font-family:"Source Sans Pro","Source Sans 3",system-ui,sans-serif;margin:2rem auto;max-width:1100px;
color:#1A1A1A;padding:0 1rem;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #dde}
.meta{color:#555;margin-top:0}
.verdict{background:#f3f5f8;border-left:5px solid #0072B2;padding:.8rem 1.2rem;font-size:1.08rem}
.verdict p{margin:.4rem 0}
table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}
th,td{border:1px solid #d5dbe3;padding:.35rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left} thead th{background:#e8eef6}
#kpis td:first-child,#inputs thead th{overflow-wrap:anywhere;min-width:7rem}
tr.baseline td{font-weight:600}
.note{color:#4D4D4D;font-size:.9rem}
.chart .note{margin:.2rem 0 1.5rem}
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

    b = bundle(scenarios, baseline, title, verdict, extra_per_month, lead)
    kpis = table_kpis(b)  # a scenario alone has no change, ROI or payback
    e = html.escape
    differ = []  # the inputs that differ between scenarios, a monthly schedule by its average
    for name, p in PARAMETERS.items():
        values = [getattr(b.scenarios[n], name) for n in b.names]
        if not all(v == values[0] for v in values):
            differ.append([f"{p.label} ({p.unit})" if p.unit else p.label,
                           *(f"schedule, average {p.fmt.format(b.scenarios[n].mean_value(name))}"
                             if isinstance(v, tuple) else param_value(p.fmt, v) for n, v in zip(b.names, values))])
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(b.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{e(b.title)}</h1>",
        f'<p class="meta">Made by cx-roi on {_dt.date.today().isoformat()}. '
        + ("" if b.alone else f"Baseline: <b>{e(b.baseline)}</b>. ")
        + f"Horizon: {horizon(b.scenarios[b.baseline].horizon_months)}.</p>",
        '<section class="verdict" id="verdict"><h2 style="border:0;margin-top:0">Verdict</h2>',
        *[f"<p>{e(line)}</p>" for line in b.verdict], "</section>",
        "<h2>Key results</h2>",
        _table("kpis", ["Scenario", *(output(k).label for k in kpis)],
               [[n + b.baseline_mark(n), *(fmt_kpi(b.kpis.loc[n], k, n == b.baseline) for k in kpis)]
                for n in b.names],
               bold=None if b.alone else b.names.index(b.baseline)),
        '<p class="note">NPV includes the value of customers left at the end when the scenario says so.'
        + ("" if b.alone else " ROI = (NPV - NPV of the baseline) / present value of the extra spend; payback is "
           "the first month from which cumulative extra contribution stays at or above zero. Both are returns "
           "on spend, so they are shown only for scenarios that differ from the baseline in their spends "
           "alone.") + "</p>",
        *([] if b.alone else ["<h2>Inputs that differ</h2>",
                            _table("inputs", ["Input", *b.names], differ) if differ else
                            '<p class="note">All scenarios have the same inputs.</p>']),
        "<h2>Charts</h2>",
    ]
    config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}
    for i, (key, fig, note) in enumerate(report_figures(b)):
        # The first chart carries plotly.js inline; the others reuse it.
        parts.append(f'<div class="chart" id="chart-{key}">'
                     + pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0), config=config,
                                   div_id=f"plot-{key}", include_mathjax=False)
                     + (f'<p class="note">{e(note)}</p>' if note else "")
                     + "</div>")
    parts += ['<p class="note">Every figure comes from the cx-roi model; see its methodology for each equation, '
              "default and source.</p>", "</body>", "</html>"]
    return "\n".join(parts)


def _table(key: str, head: Sequence[str], rows: Sequence[Sequence[str]], bold: int | None = None) -> str:
    """A table of text, every cell escaped: ``head`` its header, ``rows`` its rows, the one at ``bold``
    (the baseline's) in bold type."""
    e = html.escape
    cells = ["".join(f"<td>{e(text)}</td>" for text in row) for row in rows]
    body = "".join(f'<tr class="baseline">{r}</tr>' if i == bold else f"<tr>{r}</tr>" for i, r in enumerate(cells))
    head_cells = "".join(f"<th>{e(text)}</th>" for text in head)
    return f'<table id="{key}"><thead><tr>{head_cells}</tr></thead><tbody>{body}</tbody></table>'
