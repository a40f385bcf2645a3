"""Charts of the Risk, Optimise and Your data pages: pure functions from DataFrames to plotly Figures.

Same rules and look as :mod:`ui.charts` (no Streamlit, plain ``go.Figure``s, one meaning
per colour): the scenario is black, the baseline grey and dashed, each lever in its cause colour
(service capacity and quality blue shades, advertising orange), a user's own history black
against the model fitted to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cx_roi import palette
from cx_roi.formatting import chart_text, money, signed_money

from .charts import BAR_EDGE, COLOURS, MONEY_HOVER, MONEY_TICKS, base_layout, line_trace, note_size, type_size

__all__ = ["LEVER_COLOURS", "fan_chart", "outcome_histogram", "tornado", "allocation_bars",
           "marginal_bars", "frontier", "frontier_split", "fitted_vs_actual", "round_months"]

LEVER_COLOURS = palette.LEVER_COLOURS


def _vline(x: float, dash: str | None = None) -> dict:
    """A dark grey line across the plot at ``x``, as a layout shape."""
    return dict(type="line", x0=x, x1=x, yref="paper", y0=0, y1=1, line=dict(color="#333", width=1.5, dash=dash))


def fan_chart(scenario_q: pd.DataFrame, baseline_q: pd.DataFrame | None, *, title: str, axis_title: str,
              money_axis: bool = False, scenario_name: str = "Scenario", baseline_name: str = "Baseline",
              height: int = 340, big: bool = False) -> go.Figure:
    """Median and P10-P90 band of a monthly column across Monte Carlo draws.

    ``*_q``: index month, three columns (P10, P50, P90), as from
    ``Ensemble.monthly_quantiles``.
    """
    hover = MONEY_HOVER if money_axis else "%{y:,.0f}"
    scenario_name, baseline_name = chart_text(scenario_name), chart_text(baseline_name)
    x = np.asarray(scenario_q.index, dtype=int)
    lo, mid, hi = (scenario_q.iloc[:, i].to_numpy(float) for i in range(3))
    data = [  # the band: P90, then P10 filled up to it
        go.Scatter(mode="lines", x=x, y=hi, line=dict(width=0), showlegend=False, hoverinfo="skip",
                   legendgroup=scenario_name),
        go.Scatter(mode="lines", x=x, y=lo, line=dict(width=0), fill="tonexty", fillcolor="rgba(0,0,0,0.12)",
                   name=f"{scenario_name}: 8 in 10 draws (P10 to P90)", hoverinfo="skip", legendgroup=scenario_name),
        line_trace(x, mid, f"{scenario_name}: median", COLOURS["scenario"], hover, legendgroup=scenario_name),
    ]
    if baseline_q is not None:
        # The baseline's median only: two overlapping bands hide each other.
        data.append(line_trace(np.asarray(baseline_q.index, dtype=int), baseline_q.iloc[:, 1].to_numpy(float),
                               f"{baseline_name}: median", COLOURS["baseline"], hover, dash="dash"))
    # Four to six ticks, not plotly's two or three: the band's edges should land near a labelled value
    # (plotly halves nticks when it rounds the step, so ask for ten).
    yaxis = dict(title=dict(text=axis_title), nticks=10,
                 **(MONEY_TICKS if money_axis else dict(tickformat=".3~s")))
    return go.Figure(data=data, layout=base_layout(title, height, big, months=len(scenario_q), yaxis=yaxis))


def outcome_histogram(values: np.ndarray, *, title: str, axis_title: str, money_axis: bool = True,
                      percent_axis: bool = False, height: int = 320, big: bool = False,
                      marker: float | None = 0.0, marker_label: str = "break-even",
                      side_names: tuple[str, str] | None = None,
                      references: Sequence[tuple[float, str, str]] = ()) -> go.Figure:
    """Distribution of one outcome across draws, bars coloured by side of ``marker``.

    ``side_names``: the legend's names for the bars below ``marker`` and from it on
    (default "Below <marker_label>" and "Above <marker_label>").

    ``references``: (value, name, dash) of vertical lines named in the legend, such as the
    middle of the draws and the outcome at the likely values, which the page's text compares.

    Binned here (40 bins) rather than in the browser: a histogram trace would
    send every draw; two bar traces send 40 numbers each.
    """
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        v = np.zeros(1)
    lo, hi = float(v.min()), float(v.max())
    if v.size > 20:
        # Every draw, unless a tail runs far out (past half the central 99% range beyond it): then the
        # axis stops at the 0.5% or 99.5% quantile and the far draws are left off.
        q_lo, q_hi = np.quantile(v, [0.005, 0.995])
        reach = 0.5 * (q_hi - q_lo)
        lo = lo if lo >= q_lo - reach else float(q_lo)
        hi = hi if hi <= q_hi + reach else float(q_hi)
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    # The far tails stay off the axis rather than being piled into the end bars, where they
    # would read as a cluster of extreme outcomes; a note says how many draws that is.
    counts, edges = np.histogram(v, bins=40, range=(lo, hi))
    beyond = int(v.size - counts.sum())
    centres = (edges[:-1] + edges[1:]) / 2
    share = counts / max(v.size, 1)
    fmt = (lambda x: f"{x:.0%}") if percent_axis else (money if money_axis else (lambda x: f"{x:,.0f}"))
    labels = np.array([f"{fmt(a)} to {fmt(b)}" for a, b in zip(edges[:-1], edges[1:])])
    # Neutral greys: every hue in the palette already means a cause (green is word of mouth,
    # vermillion churn); the side of the marker is told by lightness and a hatch instead.
    if marker is None:
        sides = [(np.ones(centres.size, bool), dict(color=COLOURS["draws"]), "Draws")]
    else:
        good = centres >= marker
        below, above = side_names or ("Below " + marker_label, "Above " + marker_label)
        sides = [(~good, dict(color=COLOURS["draws_below"], pattern=dict(shape="/", fgcolor="#666")), below),
                 (good, dict(color=COLOURS["draws"]), above)]
    data = [go.Bar(x=centres[mask], y=share[mask], width=(edges[1] - edges[0]) * 0.95, marker=style, name=name,
                   customdata=labels[mask], hovertemplate="%{customdata}: %{y:.1%} of draws<extra></extra>")
            for mask, style, name in sides]
    top = float(share.max()) if share.size else 0.0
    for value, name, dash in references:
        if np.isfinite(value) and lo <= value <= hi:
            # A white halo under the black line keeps it visible where it crosses the dark bars.
            span = dict(mode="lines", x=[value, value], y=[0.0, top * 1.08], hoverinfo="skip")
            data.append(go.Scatter(**span, line=dict(color="#FFFFFF", width=5), showlegend=False))
            data.append(go.Scatter(**span, name=name, line=dict(color=COLOURS["scenario"], width=2, dash=dash)))
    ticks = dict(tickformat=".0%") if percent_axis else MONEY_TICKS if money_axis else dict(tickformat=".3~s")
    layout = base_layout(title, height, big, hovermode="closest", bargap=0.02,
                         xaxis=dict(title=dict(text=axis_title), **ticks),
                         yaxis=dict(title=dict(text="Share of draws"), tickformat=".0%"))
    if marker is not None and lo <= marker <= hi:
        layout["shapes"] = [_vline(marker, "dot")]
    if beyond:
        layout["annotations"] = [dict(text=f"{beyond / v.size:.1%} of draws lie beyond the axis", xref="paper",
                                      yref="paper", x=1, y=1, xanchor="right", yanchor="bottom", showarrow=False,
                                      font=dict(size=note_size(big), color="#555"))]
    return go.Figure(data=data, layout=layout)


def tornado(table: pd.DataFrame, *, title: str, axis_title: str, money_axis: bool = True,
            percent_axis: bool = False, top: int = 10, height: int | None = None,
            big: bool = False) -> go.Figure:
    """Bars from the metric at each input's low value to its high value, around the base.

    ``table``: ``cx_roi.tornado`` output (columns label, low, high, metric_low,
    metric_high, base, swing; sorted by swing).
    """
    t = table.head(top).iloc[::-1]  # largest swing on top
    base = float(table["base"].iloc[0])
    labels = list(t["label"])
    fmt = (lambda x: f"{x:.0%}") if percent_axis else (signed_money if money_axis else (lambda x: f"{x:+,.0f}"))
    data = []
    for end, colour, name in (("low", COLOURS["input_low"], "Input at its low value"),
                              ("high", COLOURS["input_high"], "Input at its high value")):
        values = t[f"metric_{end}"].to_numpy(float)
        inputs = t[end].to_numpy(float)
        hover = [f"{lab}: {inp:,.4g} gives {fmt(v - base)} vs likely"
                 for lab, inp, v in zip(labels, inputs, values)]
        data.append(go.Bar(orientation="h", y=labels, x=values - base, base=base,
                         marker=dict(color=colour, line=BAR_EDGE), name=name, customdata=hover,
                         hovertemplate="%{customdata}<extra></extra>"))
    # The range is set, not left to plotly: on a phone-narrow plot its autorange for bars on a base
    # ran out to zero (-$14M to $333M around bars from $133M to $316M), squeezing them into a sliver.
    ends = np.concatenate([t["metric_low"].to_numpy(float), t["metric_high"].to_numpy(float), [base]])
    ends = ends[np.isfinite(ends)]
    lo, hi = (float(ends.min()), float(ends.max())) if ends.size else (base - 1.0, base + 1.0)
    pad = 0.06 * (hi - lo) if hi > lo else max(abs(base) * 0.05, 1.0)
    xaxis = dict(title=dict(text=axis_title), zeroline=False, range=[lo - pad, hi + pad], autorange=False,
                 **(dict(tickformat=".0%") if percent_axis else MONEY_TICKS if money_axis else {}))
    # A row's height grows with its type: presenting, 1.2 times the height for 1.67 times the type
    # left too little room per label and plotly dropped every other one.
    layout = base_layout(title, height or (110 + 30 * len(t)) * type_size(big) / type_size(False), big,
                         hovermode="closest", barmode="overlay", xaxis=xaxis)
    layout["shapes"] = [_vline(base)]
    # The line is the figure every bar starts from: say which and how much, above it.
    shown = f"{base:.0%}" if percent_axis else (money(base) if money_axis else f"{base:,.0f}")
    layout["annotations"] = [dict(x=base, y=1, yref="paper", yanchor="bottom", showarrow=False,
                                  text=f"All at likely values: {shown}", font=dict(size=note_size(big)))]
    # The label takes a line of its own between the title and the bars: with the title left
    # where plotly puts it (the middle of the top margin), a title that wraps on a phone
    # ran into the label.
    layout["margin"]["t"] += round(note_size(big) * 1.6)
    layout["title"] = {**layout["title"], "yref": "container", "y": 1, "yanchor": "top", "pad": dict(t=10)}
    return go.Figure(data=data, layout=layout)


def allocation_bars(allocation: pd.DataFrame, labels: Mapping[str, str], *, current: Mapping[str, float] | None,
                    height: int = 300, big: bool = False) -> go.Figure:
    """The recommended monthly split per phase (stacked), beside today's split."""
    splits = allocation.set_axis(["Recommended"] if len(allocation) == 1 else
                                 [f"Recommended, {str(r).lower()}" for r in allocation.index])
    if current is not None:
        splits = pd.concat([pd.DataFrame([current], index=["Today"], columns=allocation.columns), splits])
    totals = splits.to_numpy(float).sum(axis=1)
    data = []
    for lever in allocation.columns:
        xs = list(splits[lever].to_numpy(float))
        # Every segment gets its label; plotly hides those without room for it at a readable size
        # (uniformtext below), so a narrow segment is never labelled sideways or in a tiny font.
        text = [money(v, digits=0) if total > 0 and v > 0 else "" for v, total in zip(xs, totals)]
        data.append(go.Bar(orientation="h", y=list(splits.index), x=xs, name=labels[lever],
                           marker=dict(color=LEVER_COLOURS.get(lever, COLOURS["other"]), line=BAR_EDGE),
                           text=text, textposition="inside", insidetextanchor="middle", textangle=0,
                           hovertemplate="%{y}: %{x:$,.0f} a month<extra>" + labels[lever] + "</extra>"))
    layout = base_layout("Monthly budget split", height, big, barmode="stack", hovermode="closest",
                         xaxis=dict(title=dict(text="$ per month"), **MONEY_TICKS), yaxis=dict(autorange="reversed"))
    layout["legend"] = {**layout["legend"], "traceorder": "normal"}  # stacked bars would list it reversed
    layout["uniformtext"] = dict(minsize=type_size(big) if big else 10, mode="hide")
    return go.Figure(data=data, layout=layout)


def marginal_bars(marginal: pd.DataFrame, *, what: str = "NPV", height: int = 300, big: bool = False) -> go.Figure:
    """``what`` (the objective, short: "NPV", "Cautious NPV") returned by the next $1,000 a month on each
    lever at the optimum, per phase.

    One phase: a bar per lever, named on its axis (three bars in one group under one label
    read as a single striped bar), a lever at its limit saying so under its name, so the value
    beside its bar stays short. Two phases: a group per phase, the levers in the legend, the
    limit beside the value.
    """
    single = len(dict.fromkeys(marginal["phase"])) == 1
    data, labels = [], []
    for lever, group in marginal.groupby("lever", sort=False):
        label = group["label"].iloc[0]
        bounds = list(group["at_bound"])
        ys = ([label + (f"<br>at its {b} limit" if b else "") for b in bounds] if single
              else [p.capitalize() for p in group["phase"]])
        values = group["marginal_per_1000"].to_numpy(float)
        texts = [signed_money(v) + (f" ({b} limit)" if b and not single else "") for v, b in zip(values, bounds)]
        labels += zip(values, texts)
        data.append(go.Bar(orientation="h", y=ys, x=values, name=label,
                           marker=dict(color=LEVER_COLOURS.get(lever, COLOURS["other"]), line=BAR_EDGE),
                           text=texts, textposition="outside", textfont=dict(size=note_size(big)),
                           cliponaxis=False, showlegend=not single,
                           hovertemplate="%{y}: next $1,000 a month returns %{x:$,.0f} of NPV<extra>"
                                         + label + "</extra>"))
    # Each value is written beyond its bar's end, which plotly does not make room for. A gain's label
    # runs into the right margin, widened by the label's length in pixels (about 0.6 of the type size
    # a character), which holds at any chart width, a phone's too. A loss's label runs left, towards
    # the lever names, so the axis itself reaches past the bars by about the share of the plot's width
    # that label takes (a plot is 30-60 characters across at the body size: its narrow end is taken).
    shown = np.append(marginal["marginal_per_1000"].to_numpy(float), 0.0)
    lo, hi = float(np.nanmin(shown)), float(np.nanmax(shown))

    def longest(negative: bool) -> int:  # a zero's label is written to the right, as a gain's
        return max((len(t) for v, t in labels if np.isfinite(v) and (v < 0) == negative), default=0)

    left = min(0.45, longest(True) / (24 if big else 32))
    hi = hi if hi > lo else lo + 1.0  # nothing but zeros (or no values): still an axis to read
    width = (hi - lo) / (1.0 - left)
    layout = base_layout("What the next $1,000 a month returns", height, big,
                         barmode="relative" if single else "group", hovermode="closest",
                         xaxis=dict(title=dict(text=f"{what} gained per extra $1,000 a month"), zeroline=True,
                                    zerolinecolor="#888", range=[lo - left * width, hi], **MONEY_TICKS),
                         yaxis=dict(autorange="reversed"))
    layout["margin"]["r"] += round(0.62 * note_size(big) * longest(False)) + 6
    return go.Figure(data=data, layout=layout)


def frontier(table: pd.DataFrame, labels: Mapping[str, str], *, chosen: float | None = None,
             objective_label: str = "NPV", height: int = 340, big: bool = False) -> go.Figure:
    """Best objective at each monthly budget. The best split at each budget is a chart of its own
    (:func:`frontier_split`) on the same budget axis: over the line, the top of the stacked split
    read as the objective, and two panels on two y-axes were two charts squeezed into one."""
    x = table["total_per_month"].to_numpy(float)
    data = [go.Scatter(mode="lines+markers", x=x, y=table["objective_value"].to_numpy(float),
                       name=f"Best {objective_label}", line=dict(color=COLOURS["scenario"], width=3),
                       hovertemplate=MONEY_HOVER)]
    return go.Figure(data=data, layout=_budget_layout(
        f"Efficient frontier: best {objective_label} for each budget", chosen, height, big, showlegend=False,
        yaxis=dict(title=dict(text=f"Best {objective_label}"), **MONEY_TICKS)))


def frontier_split(table: pd.DataFrame, labels: Mapping[str, str], *, chosen: float | None = None,
                   height: int = 300, big: bool = False) -> go.Figure:
    """The best split of each monthly budget of :func:`frontier`, stacked by lever."""
    x = table["total_per_month"].to_numpy(float)
    data = [go.Scatter(mode="lines", x=x, y=table[lever].to_numpy(float), stackgroup="split", name=labels[lever],
                       line=dict(width=0.5, color=LEVER_COLOURS.get(lever, COLOURS["other"])),
                       hovertemplate="%{y:$,.0f} a month")
            for lever in labels if lever in table]
    return go.Figure(data=data, layout=_budget_layout(
        "The best split of each budget", chosen, height, big,
        yaxis=dict(title=dict(text="$ a month"), rangemode="tozero", **MONEY_TICKS)))


def _budget_layout(title: str, chosen: float | None, height: int, big: bool, **extra) -> dict:
    """The layout of a chart over the monthly budget, with a dotted line at the budget the page
    is set to, named "your budget" above the plot."""
    layout = base_layout(title, height, big, xaxis=dict(title=dict(text="Monthly budget on the levers"), **MONEY_TICKS),
                         **extra)
    if chosen is not None:
        layout["shapes"] = [_vline(chosen, "dot")]
        layout["annotations"] = [dict(x=chosen, yref="paper", y=1, text="your budget", showarrow=False,
                                      yanchor="bottom", font=dict(size=note_size(big)))]
    return layout


_HELD_OUT = "rgba(0,0,0,0.08)"  # the shade of the months a holdout forecast never saw


def fitted_vs_actual(monthly: pd.DataFrame, column: str, *, title: str, axis_title: str,
                     holdout: pd.DataFrame | None = None, height: int = 300, big: bool = False) -> go.Figure:
    """A history's ``column`` (markers) against the fitted model (line), by month.

    ``monthly``: ``cx_roi.HistoryFit.monthly`` (``period``, ``<column>``,
    ``<column>_fit``). ``holdout``: ``HistoryFit.holdout.monthly``, the
    forecast of the last months from a fit that never saw them, drawn dotted
    over a shaded band so the out-of-sample check is visible.
    """
    x = monthly["period"].astype(str).to_numpy()
    fit = f"{column}_fit"
    hover = "%{y:,.1f}" if column == "nps" else "%{y:,.0f}"
    data = [
        go.Scatter(mode="markers", x=x, y=monthly[column].to_numpy(float), name="Your history",
                   marker=dict(color=COLOURS["actual"], size=7 if big else 5), hovertemplate=hover),
        line_trace(x, monthly[fit].to_numpy(float), "Model, fitted to all months", COLOURS["fit"], hover),
    ]
    shapes = []
    if holdout is not None and len(holdout) and fit in holdout:
        hx = holdout["period"].astype(str).to_numpy()
        # Darker and wider than the fitted line, over it: where the two agree (the point of the
        # check) the dots still show.
        data.append(go.Scatter(mode="lines", x=hx, y=holdout[fit].to_numpy(float),
                               name=f"Forecast of the last {len(holdout)} months, fitted without them",
                               line=dict(color=COLOURS["forecast"], width=3.5, dash="dot"), hovertemplate=hover))
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=hx[0], x1=hx[-1], y0=0, y1=1,
                           fillcolor=_HELD_OUT, line=dict(width=0), layer="below"))
        # A shape has no legend entry: an empty trace in its colour gives it one.
        data.append(go.Scatter(mode="markers", x=[None], y=[None], name="Months the forecast never saw",
                               marker=dict(symbol="square", size=12, color=_HELD_OUT), hoverinfo="skip"))
    layout = base_layout(title, height, big, yaxis=dict(title=dict(text=axis_title), tickformat=".3~s"),
                         shapes=shapes)
    # Month labels are the history's own (YYYY-MM or 1..N); keep them as categories, in file order,
    # with a tick on round months rather than every k-th row.
    layout["xaxis"].update(type="category", tickmode="array", tickvals=round_months(list(x)))
    return go.Figure(data=data, layout=layout)


def round_months(labels: list[str], most: int = 8) -> list[str]:
    """The labels to tick on a month axis: Januaries (and Julys when there is room) for YYYY-MM
    months, multiples of 6 or 12 for numbered ones; at most about ``most`` of them."""
    def month_of(label: str) -> int | None:
        if len(label) == 7 and label[4] == "-" and label[:4].isdigit() and label[5:].isdigit():
            return int(label[5:])
        return int(label) if label.isdigit() else None

    months = [month_of(label) for label in labels]
    if not labels or any(m is None for m in months):
        step = max(1, math.ceil(len(labels) / most))
        return labels[::step]
    dated = "-" in labels[0]
    for every in (1, 2, 3, 6, 12, 24, 60, 120):
        if not dated:
            picks = [lab for lab, m in zip(labels, months) if m % every == 0]
        elif every <= 12:
            picks = [lab for lab, m in zip(labels, months) if (m - 1) % every == 0]
        else:  # Januaries of every second, fifth, tenth year
            picks = [lab for lab, m in zip(labels, months) if m == 1 and int(lab[:4]) % (every // 12) == 0]
        if len(picks) <= most:
            return picks or labels[:1]
    return labels[:: math.ceil(len(labels) / most)]
