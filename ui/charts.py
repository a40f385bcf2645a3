"""Charts of the Explore page, and the look every chart shares: pure functions from model
DataFrames to plotly Figures.

Nothing here imports Streamlit, so every chart can be built and inspected in a plain test. Each
is a plain ``go.Figure``. Charts are kept lean for the browser: lines and filled areas (one path
each) rather than a bar per month. Margins are left to plotly: axes have ``automargin`` and the
legend sits at the foot of the figure, so plotly grows the margins to fit labels and legend at
any width.

Colours come from :data:`COLOURS` only, and each colour keeps one meaning on every chart:
advertising is always orange, word of mouth always green, churn (and the retention it costs)
always vermillion, service always blue. :mod:`ui.compare_charts` and :mod:`ui.decision_charts`
draw in the same look.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cx_roi import formatting as fmt
from cx_roi import outputs, palette
from cx_roi.formatting import signed_money

__all__ = ["COLOURS", "SCENARIO_COLOURS", "MONEY_TICKS", "MONEY_HOVER", "BAR_EDGE", "type_size", "note_size",
           "flat_money_range", "wrapped_title", "month_ticks", "base_layout", "line_trace", "customers_by_source",
           "customer_base", "sentiment_mix", "nps_lines", "service_level", "average_wait", "contribution_vs_baseline",
           "few_ticks"]

# The colours and their meanings live in the package (cx_roi.palette), so the exported workbook,
# deck and report use exactly the dashboard's.
COLOURS = palette.COLOURS
SCENARIO_COLOURS = palette.SCENARIO_COLOURS

MONEY_TICKS = dict(tickformat="$.3~s")  # $1.2M, -$350k (sign before the $, as on the cards), never $217.974k
# The range a money axis gets when everything on it is zero: plotly's own, -1 to 1, is labelled in
# milli-dollars ("$500m", which reads as half a billion).
FLAT_MONEY_RANGE = [-1e6, 1e6]


def flat_money_range(values: Any) -> list[float] | None:
    """:data:`FLAT_MONEY_RANGE` for a money axis whose values are all within a dollar of zero, else None
    (plotly's own range)."""
    v = np.asarray(values, dtype=float)
    return FLAT_MONEY_RANGE if not np.any(np.abs(v[np.isfinite(v)]) >= 1.0) else None
MONEY_HOVER = "%{y:$,.0f}"
# The edge of a bar in a solid fill: 7.5:1 on white, so a light fill (the sand of an input's low
# value, advertising's orange) still stands out from the page by its outline. (The histogram's
# light bars are hatched in dark grey instead.)
BAR_EDGE = dict(color="#555", width=0.5)

# Characters a chart title holds on one line: of a phone-wide chart (presenting: larger type), and
# of a chart as wide as the page (``wide``), where a title broken early left a half-empty line.
_TITLE_LINE = {(False, False): 46, (True, False): 36, (False, True): 90, (True, True): 72}


def type_size(big: bool) -> int:
    """Type size of a chart's tick labels, legend and axis titles, px: presenting, 20 px, what a
    room reads from the back on a 1,920-pixel screen."""
    return 20 if big else 12


# A note written on a chart ("Pays back in month 18") is read from across a room when presenting,
# as the tick labels are: the same size.
note_size = type_size


def wrapped_title(title: str, big: bool = False, wide: bool = False) -> tuple[str, int]:
    """A long title broken onto two lines at a space (plotly never wraps a title, and on a phone
    it would run off the chart), and how many lines it has. ``wide``: the chart spans the page."""
    width = _TITLE_LINE[big, wide]
    if len(title) <= width or "<br>" in title:
        return title, title.count("<br>") + 1
    cut = title.rfind(" ", 0, width)
    if cut <= 0:
        return title, 1
    return f"{title[:cut]}<br>{title[cut + 1:]}", 2


def month_ticks(months: int) -> dict:
    """Ticks on whole years (every 6 months for two years or less), the same on every month chart,
    so charts side by side read alike."""
    step = 6 if months <= 24 else 12 if months <= 132 else 24 if months <= 264 else 60
    return dict(tick0=0, dtick=step)


def base_layout(title: str, height: float, big: bool, months: int | None = None, wide: bool = False,
                **extra) -> dict:
    """The layout every chart starts from, as a dict for ``go.Figure(layout=...)``.

    ``months``: the x-axis counts that many months (year ticks). ``wide``: the chart spans the
    page, so its title has a longer line. ``extra``: more layout keys; an axis given here keeps
    the tick size, colour and automargin."""
    font = 20 if big else 13  # body text; ticks and legend take type_size
    # Text colours (cx_roi.palette), the page's own rather than Streamlit's chart theme's faint grey ticks.
    tick = dict(size=type_size(big), color=palette.SOFT_TEXT)
    title, lines = wrapped_title(title, big, wide)
    # Presenting, every chart keeps room for two title lines: charts side by side then start their
    # plots at the same height whether or not a title wrapped.
    top = (44 if not big else 56) + (max(lines, 2 if big else 1) - 1) * round((font + 3) * 1.3)
    layout = dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=font + (4 if big else 3), color=palette.TEXT)),
        height=height,
        font=dict(size=font, color=palette.TEXT),
        # Small fixed margins; plotly grows them for tick labels, axis titles and the legend.
        # Presenting, the right margin holds half of the last month's 20-pixel tick label ("60"),
        # which plotly otherwise drops.
        margin=dict(l=8, r=24 if big else 8, t=top, b=8),
        # Legend at the foot of the figure (container coordinates), below the x-axis title whatever
        # the plot's height; plotly grows the bottom margin to fit it, also when it wraps on a phone.
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, xanchor="left",
                    font=dict(size=type_size(big), color=palette.TEXT)),
        hovermode="x unified",
        # Hover text in the text colour at the tick labels' size (Streamlit's theme left it a faint
        # grey at 12 px, presenting too), on white.
        hoverlabel=dict(font=dict(size=type_size(big), color=palette.TEXT), bgcolor="white"),
        # The title well clear of the tick labels: close to them it read as one more ("20 Month 40").
        # The hover's heading says what its number is: "Month 26", not "26".
        xaxis=dict(title=dict(text="Month", standoff=10), showgrid=False, zeroline=False,
                   unifiedhovertitle=dict(text="Month %{x}"), **(month_ticks(months) if months else {})),
        yaxis={},
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        # No plotly template: Streamlit's chart theme styles the figure in the browser.
        template="none",
    )
    layout.update(extra)
    for key in ("xaxis", "yaxis"):
        axis = layout[key] = {"tickfont": tick, "automargin": True, **layout[key]}
        # Axis titles as large as the tick labels and in the text colour: Streamlit's chart theme sets
        # them smaller and grey, too faint to read from the back of a room.
        if isinstance(axis.get("title"), dict):
            axis["title"] = {"font": dict(size=type_size(big), color=palette.TEXT), **axis["title"]}
    return layout


def line_trace(x, y, name: str, colour: str, hover: str, dash: str | None = None, **trace) -> go.Scatter:
    """The line every chart draws a series with: 2.5 px in ``colour``, hover text ``hover``."""
    return go.Scatter(mode="lines", x=x, y=y, name=name, line=dict(color=colour, width=2.5, dash=dash),
                      hovertemplate=hover, **trace)


def _area(x, y, name: str, colour: str, hover: str, **trace) -> go.Scatter:
    """A filled band in ``colour``, edged by a hairline of the same colour."""
    return go.Scatter(mode="lines", x=x, y=y, name=name, line=dict(width=0.5, color=colour), fillcolor=colour,
                      hovertemplate=hover, **trace)


def _months(frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(frame.index, dtype=int)


def _one_line(monthly: pd.DataFrame, column: str, name: str, colour: str, hover: str, *, title: str,
              yaxis: dict, height: int, big: bool) -> go.Figure:
    """One series over the months, with no legend: the title names it."""
    x = _months(monthly)
    return go.Figure(data=[line_trace(x, monthly[column].to_numpy(float), name, colour, hover)],
                     layout=base_layout(title, height, big, months=len(x), showlegend=False, yaxis=yaxis))


def customers_by_source(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Customers won by advertising and by word of mouth, and churned out, each month.

    Wins are stacked above zero, churn is drawn below it. The customer base is a chart of its
    own (:func:`customer_base`): on a second axis over the flows its line read as one of them,
    and as a panel of its own on a second axis it was a second chart squeezed into one.
    """
    x = _months(monthly)
    churned = monthly["churned"].to_numpy(float)
    data = [_area(x, monthly[column].to_numpy(float), outputs.output(column).label, COLOURS[key], "%{y:,.0f}",
                  stackgroup="won") for column, key in (("new_from_ads", "ads"), ("new_from_wom", "wom"))]
    data.append(_area(x, -churned, outputs.output("churned").label, COLOURS["churn"], "%{customdata:,.0f}",
                      customdata=churned, fill="tozeroy"))
    return go.Figure(data=data, layout=base_layout(
        "Customers won and lost each month", height, big, months=len(x),
        yaxis=dict(title=dict(text="Customers per month"), tickformat=".3~s", zeroline=True, zerolinecolor="#888")))


def customer_base(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Customers at each month's end: the base the flows of :func:`customers_by_source` build."""
    return _one_line(monthly, "customers", outputs.output("customers").label, COLOURS["scenario"], "%{y:,.0f}",
                     title="Customers at month end", height=height, big=big,
                     yaxis=dict(title=dict(text="Customers"), tickformat=".3~s", rangemode="tozero"))


def few_ticks(values: np.ndarray, most: int = 3) -> dict:
    """Axis range and tick step for a short panel: round ticks, at most ``most`` steps apart
    end to end and at least two, spanning the values. In a panel a few lines high plotly's
    own choice is often a single tick, which labels no scale at all."""
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo <= 1e-4 * max(abs(lo), abs(hi), 1.0):  # flat to the eye: a band of 10% around it
        half = max(abs(hi), 1.0) * 0.05
        lo, hi = lo - half, hi + half
    # At most eight candidates: with most=1 and values either side of zero no step fits.
    for step in itertools.islice(fmt.round_numbers((hi - lo) / most), 8):
        low, high = math.floor(lo / step) * step, math.ceil(hi / step) * step
        # A value too small to divide (lo / step underflows to -0.0) still lies below low.
        low, high = (low - step if low > lo else low), (high + step if high < hi else high)
        if round((high - low) / step) <= most:
            break
    if round((high - low) / step) < 1:
        high = low + step
    return dict(range=[low, high], dtick=step, tick0=0, tickmode="linear")


def sentiment_mix(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Promoters, passives and detractors as shares of customers, stacked to 100%.

    NPS is a chart of its own (:func:`nps_lines`): lines drawn over the coloured bands read as
    a fourth band, and a panel of its own on a second axis was a second chart squeezed into one.
    """
    x = _months(monthly)
    total = sum(monthly[key].to_numpy(float) for key in ("promoters", "passives", "detractors"))
    with np.errstate(divide="ignore", invalid="ignore"):
        # Detractors at the bottom, promoters on top: the eye reads the top band as "good".
        data = [_area(x, np.where(total > 0, monthly[key].to_numpy(float) / total, np.nan), name, COLOURS[key],
                      "%{y:.1%}", stackgroup="mix")
                for key, name in (("detractors", "Detractors (0-6)"), ("passives", "Passives (7-8)"),
                                  ("promoters", "Promoters (9-10)"))]
    return go.Figure(data=data, layout=base_layout(
        "Sentiment of customers", height, big, months=len(x),
        yaxis=dict(title=dict(text="Share of customers"), tickformat=".0%", range=[0, 1])))


def nps_lines(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Net promoter score of every customer, and as a post-contact survey reports it, by month.

    The survey hears only answered contacts, so it reads higher; both lines are the scenario's
    (black), told apart by the dotted survey line and their names.
    """
    x = _months(monthly)
    lines = {column: monthly[column].to_numpy(float) for column in ("nps", "nps_measured")}
    data = [line_trace(x, y, outputs.output(column).label, COLOURS["scenario"], "%{y:.1f}",
                       dash="dot" if column == "nps_measured" else None) for column, y in lines.items()]
    return go.Figure(data=data, layout=base_layout(
        "Net promoter score", height, big, months=len(x),
        yaxis=dict(title=dict(text="NPS"), **few_ticks(np.concatenate(list(lines.values())), most=5))))


def service_level(monthly: pd.DataFrame, target_seconds: float, *, height: int = 340,
                  big: bool = False) -> go.Figure:
    """Service level: the share of contacts answered within the target, by month."""
    # The axis runs 2% past its top tick, so a line at 100% is not cut by the frame.
    return _one_line(monthly, "service_level", f"Answered within {target_seconds:,.0f} s", COLOURS["service"],
                     "%{y:.1%}", title=f"Service level: answered within {target_seconds:,.0f} s", height=height,
                     big=big, yaxis=dict(title=dict(text="Share of contacts"), tickformat=".0%", range=[0, 1.02],
                                         tickmode="linear", tick0=0, dtick=0.2))


def average_wait(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Average wait in the queue over all contacts, those who hang up included, seconds, by month
    (the service colour, as :func:`service_level`: both say how service is doing)."""
    return _one_line(monthly, "asa_seconds", "Average wait", COLOURS["service"], "%{y:,.0f} s",
                     title="Average wait in the queue", height=height, big=big,
                     yaxis=dict(title=dict(text="Seconds"), ticksuffix=" s", rangemode="tozero"))


def contribution_vs_baseline(monthly: pd.DataFrame, baseline_monthly: pd.DataFrame,
                             payback_month: float | None, *, height: int = 340,
                             big: bool = False, other_inputs_differ: bool = False) -> go.Figure:
    """Cumulative contribution of the scenario minus the baseline's, with the payback point.

    Above zero the scenario has earned more cash than the baseline so far.
    ``payback_month`` (from ``cx_roi.compare``; NaN when there is none) is
    marked with a point and a label. ``other_inputs_differ``: the scenario
    differs from the baseline in more than spend, so no payback is read
    (``cx_roi.comparison.beyond_spend``), and the chart says so.
    """
    x = _months(monthly)
    gap = (monthly["cumulative_contribution"].to_numpy(float)
           - baseline_monthly["cumulative_contribution"].to_numpy(float))
    data = [line_trace(x, gap, "Scenario minus baseline", COLOURS["scenario"], MONEY_HOVER, fill="tozeroy",
                       fillcolor="rgba(0,0,0,0.08)")]
    size = note_size(big)
    end = float(gap[-1])
    # Notes go in the corner the line leaves empty: from zero on the left it heads for the far
    # corner of its sign, so top left is free when it ends up, bottom left when down.
    up = end >= 0.0
    corner = dict(xref="paper", yref="paper", x=0.02, y=0.95 if up else 0.05, showarrow=False, xanchor="left",
                  yanchor="top" if up else "bottom", font=dict(size=size))
    same = float(np.abs(gap).max()) <= 1.0
    paid = bool(pd.notna(payback_month))  # else a no-payback note in that corner
    if paid:
        m = int(round(payback_month))
        y = float(gap[min(max(m, 1), len(gap)) - 1])
        data.append(go.Scatter(mode="markers", x=[m], y=[y], name="Payback",
                               marker=dict(color=COLOURS["scenario"], size=12, symbol="diamond"),
                               hovertemplate=f"Pays back in month {m}<extra></extra>", showlegend=False))
    # The payback's words in the corner, not beside its marker: there the line climbs into them, and
    # on a phone plotly widened the month axis to hold them.
    annotations = [{**corner, "text": f"Pays back in month {m}" if paid else "Same cash as the baseline" if same
                    else "Other inputs differ: no payback shown" if other_inputs_differ
                    else "No payback within the horizon"}]
    if not same:
        # The line's last value, said: it is cash, undiscounted, so it ends elsewhere than the NPV
        # change on the card beside it (the card's help says why). Under the note.
        shift = round(size * 1.5)
        annotations.append({**corner, "text": f"{signed_money(end)} cash by month {int(x[-1])}",
                            "yshift": -shift if up else shift})
    # A flat zero line is given a range: without one plotly labels it in micro-dollars.
    return go.Figure(data=data, layout=base_layout(
        "Cumulative contribution vs baseline", height, big, months=len(x),
        yaxis=dict(title=dict(text="$ vs baseline, cumulative"), zeroline=True, zerolinecolor="#888",
                   range=flat_money_range(gap), **MONEY_TICKS),
        annotations=annotations, showlegend=False))
