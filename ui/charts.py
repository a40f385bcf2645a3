"""Charts of the Explore and Compare pages: pure functions from model DataFrames to plotly Figures.

Nothing here imports Streamlit, so every chart can be built and inspected in a plain test. Each
is a plain ``go.Figure``. Charts are kept lean for the browser: lines and filled areas (one path
each) rather than a bar per month.

Colours come from :data:`COLOURS` only, and each colour keeps one meaning on every chart:
advertising is always orange, word of mouth always green, churn (and the retention it costs)
always vermillion, service always blue. The shared look is in :mod:`ui.chart_style`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cx_roi import formatting as fmt
from cx_roi import outputs, palette
from cx_roi.formatting import signed_money

from .chart_style import COLOURS, MONEY_HOVER, MONEY_TICKS, SCENARIO_COLOURS, base_layout, note_size

__all__ = ["COLOURS", "SCENARIO_COLOURS", "BRIDGE_COLOURS", "customers_by_source", "customer_base",
           "sentiment_mix", "nps_lines", "service_level", "average_wait", "contribution_vs_baseline", "overlay",
           "npv_bridge", "bridge_colour", "outrunner", "few_ticks"]

# A bridge step's colour, by its cause. Retention's colour is set by its sign (:func:`bridge_colour`).
BRIDGE_COLOURS: dict[str, str] = {
    "retention": COLOURS["retention"],
    "word-of-mouth acquisition": COLOURS["wom"],
    "advertising acquisition": COLOURS["ads"],
    "spend": COLOURS["spend"],
    "other": COLOURS["other"],
}


def _months(frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(frame.index, dtype=int)


def _columns(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Columns as a (rows, len(names)) float array, one column at a time.

    ``frame[names]`` would look the names up through pandas' string index,
    which cost a millisecond a call, more than the rest of a chart.
    """
    return np.column_stack([frame[name].to_numpy(float) for name in names])


def customers_by_source(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Customers won by advertising and by word of mouth, and churned out, each month.

    Wins are stacked above zero, churn is drawn below it. The customer base is a chart of its
    own (:func:`customer_base`): on a second axis over the flows its line read as one of them,
    and as a panel of its own on a second axis it was a second chart squeezed into one.
    """
    x = _months(monthly)
    churned = monthly["churned"].to_numpy(float)
    data = [
        go.Scatter(mode="lines", x=x, y=monthly["new_from_ads"].to_numpy(float),
             name=outputs.output("new_from_ads").label, stackgroup="won",
             line=dict(width=0.5, color=COLOURS["ads"]), fillcolor=COLOURS["ads"], hovertemplate="%{y:,.0f}"),
        go.Scatter(mode="lines", x=x, y=monthly["new_from_wom"].to_numpy(float),
             name=outputs.output("new_from_wom").label, stackgroup="won",
             line=dict(width=0.5, color=COLOURS["wom"]), fillcolor=COLOURS["wom"], hovertemplate="%{y:,.0f}"),
        go.Scatter(mode="lines", x=x, y=-churned, customdata=churned, name=outputs.output("churned").label,
             fill="tozeroy", line=dict(width=0.5, color=COLOURS["churn"]), fillcolor=COLOURS["churn"],
             hovertemplate="%{customdata:,.0f}"),
    ]
    layout = base_layout(
        "Customers won and lost each month", height, big, months=len(x),
        yaxis=dict(title=dict(text="Customers per month"), tickformat=".3~s", zeroline=True, zerolinecolor="#888"),
    )
    return go.Figure(data=data, layout=layout)


def customer_base(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Customers at each month's end: the base the flows of :func:`customers_by_source` build."""
    x = _months(monthly)
    data = [go.Scatter(mode="lines", x=x, y=monthly["customers"].to_numpy(float),
                       name=outputs.output("customers").label, line=dict(color=COLOURS["scenario"], width=2.5),
                       hovertemplate="%{y:,.0f}")]
    layout = base_layout("Customers at month end", height, big, months=len(x), showlegend=False,
                         yaxis=dict(title=dict(text="Customers"), tickformat=".3~s", rangemode="tozero"))
    return go.Figure(data=data, layout=layout)


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
    bands = _columns(monthly, ["promoters", "passives", "detractors"])
    total = bands.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total[:, None] > 0, bands / total[:, None], np.nan)
    data = []
    # Detractors at the bottom, promoters on top: the eye reads the top band as "good".
    for i, (name, key) in reversed(list(enumerate(
            [("Promoters (9-10)", "promoters"), ("Passives (7-8)", "passives"),
             ("Detractors (0-6)", "detractors")]))):
        data.append(go.Scatter(mode="lines", x=x, y=shares[:, i], name=name, stackgroup="mix",
                         line=dict(width=0.5, color=COLOURS[key]), fillcolor=COLOURS[key],
                         hovertemplate="%{y:.1%}"))
    layout = base_layout(
        "Sentiment of customers", height, big, months=len(x),
        yaxis=dict(title=dict(text="Share of customers"), tickformat=".0%", range=[0, 1]),
    )
    return go.Figure(data=data, layout=layout)


def nps_lines(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Net promoter score of every customer, and as a post-contact survey reports it, by month.

    The survey hears only answered contacts, so it reads higher; both lines are the scenario's
    (black), told apart by the dotted survey line and their names.
    """
    x = _months(monthly)
    data = [go.Scatter(mode="lines", x=x, y=monthly[column].to_numpy(float), name=outputs.output(column).label,
                       line=dict(color=COLOURS["scenario"], width=2.5, dash=dash), hovertemplate="%{y:.1f}")
            for column, dash in (("nps", None), ("nps_measured", "dot"))]
    layout = base_layout(
        "Net promoter score", height, big, months=len(x),
        yaxis=dict(title=dict(text="NPS"), **few_ticks(_columns(monthly, ["nps", "nps_measured"]).ravel(), most=5)),
    )
    return go.Figure(data=data, layout=layout)


_TOP = 1.02  # the axis runs 2% past its top tick, so a line at 100% is not cut by the frame


def service_level(monthly: pd.DataFrame, target_seconds: float, *, height: int = 340,
                  big: bool = False) -> go.Figure:
    """Service level: the share of contacts answered within the target, by month."""
    x = _months(monthly)
    data = [go.Scatter(mode="lines", x=x, y=monthly["service_level"].to_numpy(float),
                       name=f"Answered within {target_seconds:,.0f} s", line=dict(color=COLOURS["service"], width=2.5),
                       hovertemplate="%{y:.1%}")]
    layout = base_layout(
        f"Service level: answered within {target_seconds:,.0f} s", height, big, months=len(x), showlegend=False,
        yaxis=dict(title=dict(text="Share of contacts"), tickformat=".0%", range=[0, _TOP],
                   tickmode="linear", tick0=0, dtick=0.2),
    )
    return go.Figure(data=data, layout=layout)


def average_wait(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Average wait before a contact is answered, seconds, by month (the service colour, as
    :func:`service_level`: both say how service is doing)."""
    x = _months(monthly)
    data = [go.Scatter(mode="lines", x=x, y=monthly["asa_seconds"].to_numpy(float), name="Average wait",
                       line=dict(color=COLOURS["service"], width=2.5), hovertemplate="%{y:,.0f} s")]
    layout = base_layout(
        "Average wait to be answered", height, big, months=len(x), showlegend=False,
        yaxis=dict(title=dict(text="Seconds"), ticksuffix=" s", rangemode="tozero"),
    )
    return go.Figure(data=data, layout=layout)


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
    data = [go.Scatter(mode="lines", x=x, y=gap, name="Scenario minus baseline",
                 line=dict(color=COLOURS["scenario"], width=2.5), fill="tozeroy",
                 fillcolor="rgba(0,0,0,0.08)", hovertemplate=f"%{{y:{MONEY_HOVER}}}")]
    annotations = []
    scale = max(float(np.abs(gap).max()), 1.0)
    yrange = None
    size = note_size(big)
    end = float(gap[-1])
    # Notes go in the corner the line leaves empty: from zero on the left it heads for the far
    # corner of its sign, so top left is free when it ends up, bottom left when down.
    up = end >= 0.0
    corner = dict(xref="paper", yref="paper", x=0.02, y=0.95 if up else 0.05, showarrow=False, xanchor="left",
                  yanchor="top" if up else "bottom", font=dict(size=size))
    noted = False  # a no-payback note in that corner
    if payback_month is not None and not (isinstance(payback_month, float) and math.isnan(payback_month)):
        m = int(round(payback_month))
        y = float(gap[min(max(m, 1), len(gap)) - 1])
        data.append(go.Scatter(mode="markers", x=[m], y=[y], name="Payback",
                         marker=dict(color=COLOURS["scenario"], size=12, symbol="diamond"),
                         hovertemplate=f"Pays back in month {m}<extra></extra>", showlegend=False))
        annotations.append(dict(x=m, y=y, text=f"Pays back in month {m}", showarrow=True, arrowhead=0,
                                ax=0, ay=-36, font=dict(size=size)))
    else:
        same = scale <= 1.0
        text = ("Same cash as the baseline" if same else
                "Other inputs differ: no payback shown" if other_inputs_differ else
                "No payback within the horizon")
        if same:
            yrange = [-1e6, 1e6]  # a flat zero line; without a range plotly labels it in micro-dollars
        annotations.append({**corner, "text": text})
        noted = True
    if scale > 1.0:
        # The line's last value, said: it is cash, undiscounted, so it ends elsewhere than the NPV
        # change on the card beside it (the card's help says why). Under the note, if there is one.
        shift = round(size * 1.5) if noted else 0
        annotations.append({**corner, "text": f"{signed_money(end)} cash by month {int(x[-1])}",
                            "yshift": -shift if up else shift})
    layout = base_layout(
        "Cumulative contribution vs baseline", height, big, months=len(x),
        yaxis=dict(title=dict(text="$ vs baseline, cumulative"), zeroline=True, zerolinecolor="#888",
                   range=yrange, **MONEY_TICKS),
        annotations=annotations, showlegend=False,
    )
    return go.Figure(data=data, layout=layout)


def overlay(frames: Mapping[str, pd.DataFrame], column: str, *, title: str, axis_title: str,
            money: bool = False, baseline: str | None = None, relative: bool = False, height: int = 340,
            big: bool = False, lead: str | None = None) -> go.Figure:
    """One line per scenario for ``column``; the baseline grey and dashed.

    ``frames`` maps a scenario's display name to its monthly DataFrame; each keeps
    its colour whatever the order (:func:`cx_roi.palette.scenario_colours`), and
    ``lead``, the scenario on screen, is black as on Explore. ``relative`` draws each scenario minus the
    baseline (the baseline becomes the zero line): cumulative cash of similar
    scenarios overlaps when drawn in absolute terms.
    """
    data = []
    ref = (frames[baseline][column].to_numpy(float) if relative and baseline in frames else 0.0)
    colours = palette.scenario_colours(list(frames), baseline, lead)
    hover = f"%{{y:{MONEY_HOVER}}}" if money else "%{y:,.0f}"
    for name, frame in frames.items():
        if name == baseline:
            line = dict(color=COLOURS["baseline"], width=2.5, dash="dash")
            label = f"{name} (baseline)"
        else:
            line = dict(color=colours[name], width=2.5)
            label = name
        data.append(go.Scatter(mode="lines", x=_months(frame), y=frame[column].to_numpy(float) - ref,
                         name=label, line=line, hovertemplate=hover))
    yaxis = dict(title=dict(text=axis_title), **(MONEY_TICKS if money else dict(tickformat=".3~s")))
    if relative:
        shown = {name: frame[column].to_numpy(float) - ref for name, frame in frames.items() if name != baseline}
        runaway = outrunner(shown)
        if runaway is not None:
            # One scenario far beyond the others (a different business, such as the online megaphone's
            # +$95M beside +$8M) would flatten them into the zero line: the axis spans the others, and
            # the runaway line's legend entry says where it ends (a note on the plot lay across it).
            rest = np.concatenate([v for n, v in shown.items() if n != runaway] + [np.zeros(1)])
            lo, hi = float(np.nanmin(rest)), float(np.nanmax(rest))
            pad = 0.12 * (hi - lo) if hi > lo else 1.0
            yaxis["range"] = [lo - pad, hi + pad]
            end = float(shown[runaway][-1])
            said = signed_money(end) if money else f"{end:+,.0f}"
            trace = next(t for t in data if t.name == runaway)
            trace.name = f"{runaway} (off the scale: {said} by month {len(shown[runaway])})"
    layout = base_layout(title, height, big, months=max((len(f) for f in frames.values()), default=0),
                          yaxis=yaxis)
    return go.Figure(data=data, layout=layout)


def outrunner(series: Mapping[str, np.ndarray], factor: float = 4.0) -> str | None:
    """The one series whose largest distance from zero is more than ``factor`` times every other's,
    or None: drawn to its scale, the others would lie flat on the zero line."""
    reach = {name: float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 0.0 for name, v in series.items()}
    if len(reach) < 2:
        return None
    first, second = sorted(reach.values(), reverse=True)[:2]
    if second <= 0 or first <= factor * second:
        return None
    return max(reach, key=reach.get)


def bridge_colour(step: str, value: float) -> str:
    """The colour of one bridge step: its cause's. Retention is the one cause that goes either way
    in one colour's meaning: NPV added by customers kept is retention's indigo, NPV lost to more
    churn is churn's vermillion (a gain in the colour of customers lost read as a loss)."""
    if step == "retention" and value < 0:
        return COLOURS["churn"]
    return BRIDGE_COLOURS.get(step, COLOURS["other"])


def npv_bridge(bridge: pd.DataFrame, *, scenario: str, baseline: str, height: int = 380,
               big: bool = False) -> go.Figure:
    """Waterfall of ``cx_roi.npv_bridge`` output: how each cause moves NPV from the baseline.

    Horizontal bars so long cause names stay readable on a phone. Each cause is
    drawn in its own colour (:func:`bridge_colour`: retention indigo, or vermillion where
    churn costs NPV, word of mouth green, advertising orange, spend dark grey), then the total
    difference in black.
    """
    steps = list(bridge["step"])
    values = bridge["value"].to_numpy(float)
    total = float(bridge.attrs.get("total", values.sum()))
    bases = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    labels = [s[:1].upper() + s[1:] for s in steps] + ["NPV difference"]
    colours = [bridge_colour(s, v) for s, v in zip(steps, values)] + [COLOURS["scenario"]]
    all_values = np.concatenate([values, [total]])
    texts = [signed_money(v) for v in all_values]
    data = [go.Bar(orientation="h", y=labels, x=all_values,
                 base=np.concatenate([bases, [0.0]]), marker=dict(color=colours,
                                                                  line=dict(color="#555", width=0.5)),
                 text=texts, textposition="outside", cliponaxis=False,
                 customdata=texts, hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False)]
    # The page's heading above says why ("Why the NPV differs"); the title names the pair, short
    # enough that two preset names fit one line (a prefix of its own broke it early on a laptop).
    layout = base_layout(
        f"{scenario} vs {baseline}", height, big, wide=True, hovermode="closest",
        xaxis=dict(title=dict(text="Change in NPV"), zeroline=True, zerolinecolor="#888", **MONEY_TICKS),
        yaxis=dict(autorange="reversed", automargin=True),
    )
    # Room on the right for the last bar's value, written outside it ("+$112.0M").
    layout["margin"] = dict(l=8, r=110 if big else 60, t=layout["margin"]["t"], b=8)
    return go.Figure(data=data, layout=layout)
