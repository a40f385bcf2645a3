"""Charts of the Risk and Optimise pages: pure functions from DataFrames to plotly Figures.

Same rules as :mod:`ui.charts` (no Streamlit, plain ``go.Figure``s, one meaning
per colour, the look of :mod:`ui.chart_style`): the scenario is black, the baseline grey and dashed, each lever in
its cause colour (service capacity and quality blue shades, advertising orange).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cx_roi import palette
from cx_roi.formatting import money, signed_money

from .chart_style import COLOURS, MONEY_HOVER, MONEY_TICKS, base_layout, note_size, type_size

__all__ = ["LEVER_COLOURS", "fan_chart", "outcome_histogram", "tornado", "allocation_bars",
           "marginal_bars", "frontier", "frontier_split"]

LEVER_COLOURS = palette.LEVER_COLOURS


def _band(q: pd.DataFrame, name: str, colour: str, fill: str, dash: str | None, hover: str) -> list[dict]:
    x = np.asarray(q.index, dtype=int)
    lo, mid, hi = (q.iloc[:, i].to_numpy(float) for i in range(3))
    return [
        go.Scatter(mode="lines", x=x, y=hi, line=dict(width=0), showlegend=False,
             hoverinfo="skip", legendgroup=name),
        go.Scatter(mode="lines", x=x, y=lo, line=dict(width=0), fill="tonexty", fillcolor=fill,
             name=f"{name}: 8 in 10 draws (P10 to P90)", hoverinfo="skip", legendgroup=name),
        go.Scatter(mode="lines", x=x, y=mid, name=f"{name}: median",
             line=dict(color=colour, width=2.5, dash=dash), hovertemplate=hover, legendgroup=name),
    ]


def fan_chart(scenario_q: pd.DataFrame, baseline_q: pd.DataFrame | None, *, title: str, axis_title: str,
              money_axis: bool = False, scenario_name: str = "Scenario", baseline_name: str = "Baseline",
              height: int = 340, big: bool = False) -> go.Figure:
    """Median and P10-P90 band of a monthly column across Monte Carlo draws.

    ``*_q``: index month, three columns (P10, P50, P90), as from
    ``Ensemble.monthly_quantiles``.
    """
    hover = f"%{{y:{MONEY_HOVER}}}" if money_axis else "%{y:,.0f}"
    data = []
    data += _band(scenario_q, scenario_name, COLOURS["scenario"], "rgba(0,0,0,0.12)", None, hover)
    if baseline_q is not None:
        # The baseline's median only: two overlapping bands hide each other.
        x = np.asarray(baseline_q.index, dtype=int)
        data.append(go.Scatter(mode="lines", x=x, y=baseline_q.iloc[:, 1].to_numpy(float),
                         name=f"{baseline_name}: median", hovertemplate=hover,
                         line=dict(color=COLOURS["baseline"], width=2.5, dash="dash")))
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
    good = centres >= (marker if marker is not None else -np.inf)
    fmt = (lambda x: f"{x:.0%}") if percent_axis else (money if money_axis else (lambda x: f"{x:,.0f}"))
    labels = [f"{fmt(a)} to {fmt(b)}" for a, b in zip(edges[:-1], edges[1:])]
    data = []
    # Neutral greys: every hue in the palette already means a cause (green is word of mouth,
    # vermillion churn); the side of the marker is told by lightness and a hatch instead.
    below, above = side_names or ("Below " + marker_label, "Above " + marker_label)
    for mask, marker_style, name in ((~good, dict(color=COLOURS["draws_below"],
                                                  pattern=dict(shape="/", fgcolor="#666")), below),
                                     (good, dict(color=COLOURS["draws"]), above)):
        if marker is None:
            mask, marker_style, name = np.ones_like(good), dict(color=COLOURS["draws"]), "Draws"
        data.append(go.Bar(x=centres[mask], y=share[mask], width=(edges[1] - edges[0]) * 0.95,
                         marker=marker_style, name=name, customdata=np.array(labels)[mask],
                         hovertemplate="%{customdata}: %{y:.1%} of draws<extra></extra>"))
        if marker is None:
            break
    top = float(share.max()) if share.size else 0.0
    for value, name, dash in references:
        if np.isfinite(value) and lo <= value <= hi:
            # A white halo under the black line keeps it visible where it crosses the dark bars.
            span = dict(mode="lines", x=[value, value], y=[0.0, top * 1.08], hoverinfo="skip")
            data.append(go.Scatter(**span, line=dict(color="#FFFFFF", width=5), showlegend=False))
            data.append(go.Scatter(**span, name=name, line=dict(color=COLOURS["scenario"], width=2, dash=dash)))
    if percent_axis:
        xaxis = dict(title=dict(text=axis_title), tickformat=".0%")
    elif money_axis:
        xaxis = dict(title=dict(text=axis_title), **MONEY_TICKS)
    else:
        xaxis = dict(title=dict(text=axis_title), tickformat=".3~s")
    layout = base_layout(title, height, big, hovermode="closest", bargap=0.02, xaxis=xaxis,
                          yaxis=dict(title=dict(text="Share of draws"), tickformat=".0%"))
    if marker is not None and lo <= marker <= hi:
        layout["shapes"] = [dict(type="line", x0=marker, x1=marker, yref="paper", y0=0, y1=1,
                                 line=dict(color="#333", width=1.5, dash="dot"))]
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
                         marker=dict(color=colour), name=name, customdata=hover,
                         hovertemplate="%{customdata}<extra></extra>"))
    # The range is set, not left to plotly: on a phone-narrow plot its autorange for bars on a base
    # ran out to zero (-$14M to $333M around bars from $133M to $316M), squeezing them into a sliver.
    ends = np.concatenate([t["metric_low"].to_numpy(float), t["metric_high"].to_numpy(float), [base]])
    ends = ends[np.isfinite(ends)]
    lo, hi = (float(ends.min()), float(ends.max())) if ends.size else (base - 1.0, base + 1.0)
    pad = 0.06 * (hi - lo) if hi > lo else max(abs(base) * 0.05, 1.0)
    xaxis = dict(title=dict(text=axis_title), zeroline=False, range=[lo - pad, hi + pad], autorange=False,
                 **(dict(tickformat=".0%") if percent_axis else MONEY_TICKS if money_axis else {}))
    layout = base_layout(title, height or (110 + 30 * len(t)) * (1.2 if big else 1), big,
                          hovermode="closest", barmode="overlay", xaxis=xaxis,
                          yaxis=dict(automargin=True))
    layout["shapes"] = [dict(type="line", x0=base, x1=base, yref="paper", y0=0, y1=1,
                             line=dict(color="#333", width=1.5))]
    # The line is the figure every bar starts from: say which and how much, above it.
    shown = f"{base:.0%}" if percent_axis else (money(base) if money_axis else f"{base:,.0f}")
    layout["annotations"] = [dict(x=base, y=1, yref="paper", yanchor="bottom", showarrow=False,
                                  text=f"All at likely values: {shown}", font=dict(size=note_size(big)))]
    # The label takes a line of its own between the title and the bars: with the title left
    # where plotly puts it (the middle of the top margin), a title that wraps on a phone
    # ran into the label.
    label_line = round(note_size(big) * 1.6)
    layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + label_line}
    layout["title"] = {**layout["title"], "yref": "container", "y": 1, "yanchor": "top", "pad": dict(t=10)}
    return go.Figure(data=data, layout=layout)


def allocation_bars(allocation: pd.DataFrame, labels: Mapping[str, str], *, current: Mapping[str, float] | None,
                    height: int = 300, big: bool = False) -> go.Figure:
    """The recommended monthly split per phase (stacked), beside today's split."""
    rows = list(allocation.index)
    y = ["Recommended"] if len(rows) == 1 else [f"Recommended, {str(r).lower()}" for r in rows]
    frames = [(y, allocation)]
    if current is not None:
        frames.insert(0, (["Today"], pd.DataFrame([current], columns=allocation.columns)))
    data = []
    totals = np.concatenate([frame.to_numpy(float).sum(axis=1) for _, frame in frames])
    for lever in allocation.columns:
        ys, xs = [], []
        for names, frame in frames:
            ys += names
            xs += list(frame[lever].to_numpy(float))
        # Every segment gets its label; plotly hides those without room for it at a readable size
        # (uniformtext below), so a narrow segment is never labelled sideways or in a tiny font.
        text = [money(v, digits=0) if total > 0 and v > 0 else "" for v, total in zip(xs, totals)]
        data.append(go.Bar(orientation="h", y=ys, x=xs, name=labels[lever],
                         marker=dict(color=LEVER_COLOURS.get(lever, COLOURS["other"])),
                         text=text, textposition="inside", insidetextanchor="middle", textangle=0,
                         hovertemplate="%{y}: %{x:$,.0f} a month<extra>" + labels[lever] + "</extra>"))
    layout = base_layout("Monthly budget split", height, big, barmode="stack", hovermode="closest",
                          xaxis=dict(title=dict(text="$ per month"), **MONEY_TICKS),
                          yaxis=dict(autorange="reversed", automargin=True))
    layout["legend"] = {**layout["legend"], "traceorder": "normal"}  # stacked bars would list it reversed
    layout["uniformtext"] = dict(minsize=type_size(big) if big else 10, mode="hide")
    return go.Figure(data=data, layout=layout)


def marginal_bars(marginal: pd.DataFrame, *, height: int = 300, big: bool = False) -> go.Figure:
    """NPV returned by the next $1,000 a month on each lever at the optimum, per phase.

    One phase: a bar per lever, named on its axis (three bars in one group under one label
    read as a single striped bar). Two phases: a group per phase, the levers in the legend.
    """
    phases = list(dict.fromkeys(marginal["phase"]))
    single = len(phases) == 1
    data = []
    for lever, group in marginal.groupby("lever", sort=False):
        label = group["label"].iloc[0]
        ys = [label] * len(group) if single else [p.capitalize() for p in group["phase"]]
        values = group["marginal_per_1000"].to_numpy(float)
        notes = [f" ({b} limit)" if b else "" for b in group["at_bound"]]
        data.append(go.Bar(orientation="h", y=ys, x=values, name=label,
                         marker=dict(color=LEVER_COLOURS.get(lever, COLOURS["other"])),
                         text=[signed_money(v) + n for v, n in zip(values, notes)], textposition="outside",
                         cliponaxis=False, showlegend=not single,
                         hovertemplate="%{y}: next $1,000 a month returns %{x:$,.0f} of NPV<extra>"
                                       + label + "</extra>"))
    layout = base_layout("What the next $1,000 a month returns", height, big,
                          barmode="relative" if single else "group", hovermode="closest",
                          xaxis=dict(title=dict(text="NPV gained per extra $1,000 a month"), zeroline=True,
                                     zerolinecolor="#888", **MONEY_TICKS),
                          yaxis=dict(autorange="reversed", automargin=True))
    layout["margin"] = dict(l=8, r=70, t=layout["margin"]["t"], b=8)
    return go.Figure(data=data, layout=layout)


def frontier(table: pd.DataFrame, labels: Mapping[str, str], *, chosen: float | None = None,
             objective_label: str = "NPV", height: int = 340, big: bool = False) -> go.Figure:
    """Best objective at each monthly budget. The best split at each budget is a chart of its own
    (:func:`frontier_split`) on the same budget axis: over the line, the top of the stacked split
    read as the objective, and two panels on two y-axes were two charts squeezed into one."""
    x = table["total_per_month"].to_numpy(float)
    data = [go.Scatter(mode="lines+markers", x=x, y=table["objective_value"].to_numpy(float),
                       name=f"Best {objective_label}", line=dict(color=COLOURS["scenario"], width=3),
                       hovertemplate=f"%{{y:{MONEY_HOVER}}}")]
    layout = base_layout(f"Efficient frontier: best {objective_label} for each budget", height, big,
                         showlegend=False,
                         xaxis=dict(title=dict(text="Monthly budget on the levers"), **MONEY_TICKS),
                         yaxis=dict(title=dict(text=f"Best {objective_label}"), **MONEY_TICKS))
    _mark_budget(layout, chosen, big)
    return go.Figure(data=data, layout=layout)


def frontier_split(table: pd.DataFrame, labels: Mapping[str, str], *, chosen: float | None = None,
                   height: int = 300, big: bool = False) -> go.Figure:
    """The best split of each monthly budget of :func:`frontier`, stacked by lever."""
    x = table["total_per_month"].to_numpy(float)
    data = [go.Scatter(mode="lines", x=x, y=table[lever].to_numpy(float), stackgroup="split", name=labels[lever],
                       line=dict(width=0.5, color=LEVER_COLOURS.get(lever, COLOURS["other"])),
                       hovertemplate="%{y:$,.0f} a month")
            for lever in labels if lever in table]
    layout = base_layout("The best split of each budget", height, big,
                         xaxis=dict(title=dict(text="Monthly budget on the levers"), **MONEY_TICKS),
                         yaxis=dict(title=dict(text="$ a month"), rangemode="tozero", **MONEY_TICKS))
    _mark_budget(layout, chosen, big)
    return go.Figure(data=data, layout=layout)


def _mark_budget(layout: dict, chosen: float | None, big: bool) -> None:
    """A dotted line at the budget the page is set to, named "your budget" above the plot."""
    if chosen is None:
        return
    layout["shapes"] = [dict(type="line", x0=chosen, x1=chosen, yref="paper", y0=0, y1=1,
                             line=dict(color="#333", width=1.5, dash="dot"))]
    layout["annotations"] = [dict(x=chosen, yref="paper", y=1, text="your budget", showarrow=False,
                                  yanchor="bottom", font=dict(size=note_size(big)))]
