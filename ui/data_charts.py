"""Charts of the Your data page: a history against the model fitted to it.

Same rules as :mod:`ui.charts`: plain ``go.Figure``s, no Streamlit, one meaning per colour
(:mod:`ui.chart_style`).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from .chart_style import COLOURS, base_layout

__all__ = ["fitted_vs_actual", "round_months"]


def fitted_vs_actual(monthly: pd.DataFrame, column: str, *, title: str, axis_title: str,
                     holdout: pd.DataFrame | None = None, height: int = 300, big: bool = False) -> go.Figure:
    """A history's ``column`` (markers) against the fitted model (line), by month.

    ``monthly``: ``cx_roi.HistoryFit.monthly`` (``period``, ``<column>``,
    ``<column>_fit``). ``holdout``: ``HistoryFit.holdout.monthly``, the
    forecast of the last months from a fit that never saw them, drawn dotted
    over a shaded band so the out-of-sample check is visible.
    """
    x = monthly["period"].astype(str).to_numpy()
    hover = "%{y:,.1f}" if column == "nps" else "%{y:,.0f}"
    data = [
        go.Scatter(mode="markers", x=x, y=monthly[column].to_numpy(float), name="Your history",
             marker=dict(color=COLOURS["actual"], size=7 if big else 5), hovertemplate=hover),
        go.Scatter(mode="lines", x=x, y=monthly[f"{column}_fit"].to_numpy(float),
             name="Model, fitted to all months", line=dict(color=COLOURS["fit"], width=2.5), hovertemplate=hover),
    ]
    shapes = []
    if holdout is not None and len(holdout) and f"{column}_fit" in holdout:
        hx = holdout["period"].astype(str).to_numpy()
        # Darker and wider than the fitted line, over it: where the two agree (the point of the
        # check) the dots still show.
        data.append(go.Scatter(mode="lines", x=hx, y=holdout[f"{column}_fit"].to_numpy(float),
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
    layout["xaxis"] = {**layout["xaxis"], "type": "category", "tickmode": "array",
                       "tickvals": round_months(list(x))}
    return go.Figure(data=data, layout=layout)


_HELD_OUT = "rgba(0,0,0,0.08)"


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
