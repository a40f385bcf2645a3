"""Charts of the Compare page: scenarios' lines over the months, and the NPV bridge between two of
them. Pure functions to plotly Figures, in the look of :mod:`ui.charts`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cx_roi import palette
from cx_roi.formatting import chart_text, signed_money

from .charts import BAR_EDGE, COLOURS, MONEY_HOVER, MONEY_TICKS, base_layout, flat_money_range, line_trace

__all__ = ["BRIDGE_COLOURS", "overlay", "outrunner", "bridge_colour", "npv_bridge"]

# A bridge step's colour, by its cause. Retention's colour is set by its sign (:func:`bridge_colour`).
BRIDGE_COLOURS: dict[str, str] = {
    "retention": COLOURS["retention"],
    "word-of-mouth acquisition": COLOURS["wom"],
    "advertising acquisition": COLOURS["ads"],
    "spend": COLOURS["spend"],
    "other": COLOURS["other"],
}


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
    ref = (frames[baseline][column].to_numpy(float) if relative and baseline in frames else 0.0)
    colours = palette.scenario_colours(list(frames), baseline, lead)  # the baseline's is grey
    dashes = palette.scenario_dashes(colours, baseline)
    hover = MONEY_HOVER if money else "%{y:,.0f}"
    lines = {name: frame[column].to_numpy(float) - ref for name, frame in frames.items()}
    names = {name: chart_text(f"{name} (baseline)" if name == baseline else name) for name in frames}
    yaxis = dict(title=dict(text=axis_title), **(MONEY_TICKS if money else dict(tickformat=".3~s")))
    if money:
        yaxis["range"] = flat_money_range(np.concatenate([v.ravel() for v in lines.values()] + [np.zeros(1)]))
    if relative:
        shown = {name: y for name, y in lines.items() if name != baseline}
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
            names[runaway] = chart_text(f"{runaway} (off the scale: {said} by month {len(shown[runaway])})")
    data = [line_trace(np.asarray(frame.index, dtype=int), lines[name], names[name], colours[name], hover,
                       dash=dashes[name]) for name, frame in frames.items()]
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
    return max(reach, key=reach.get) if 0 < second and factor * second < first else None


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
    bases = np.concatenate([[0.0], np.cumsum(values)[:-1], [0.0]])
    labels = [s[:1].upper() + s[1:] for s in steps] + ["NPV difference"]
    colours = [bridge_colour(s, v) for s, v in zip(steps, values)] + [COLOURS["scenario"]]
    all_values = np.concatenate([values, [float(bridge.attrs.get("total", values.sum()))]])
    texts = [signed_money(v) for v in all_values]
    data = [go.Bar(orientation="h", y=labels, x=all_values, base=bases,
                   marker=dict(color=colours, line=BAR_EDGE),
                   text=texts, textposition="outside", cliponaxis=False,
                   customdata=texts, hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False)]
    # The page's heading above says why ("Why the NPV differs"); the title names the pair, short
    # enough that two preset names fit one line (a prefix of its own broke it early on a laptop).
    layout = base_layout(
        chart_text(f"{scenario} vs {baseline}"), height, big, wide=True, hovermode="closest",
        xaxis=dict(title=dict(text="Change in NPV"), zeroline=True, zerolinecolor="#888",
                   range=flat_money_range(all_values), **MONEY_TICKS),
        yaxis=dict(autorange="reversed"),
    )
    # Room on the right for the last bar's value, written outside it ("+$112.0M").
    layout["margin"]["r"] = 110 if big else 60
    return go.Figure(data=data, layout=layout)
