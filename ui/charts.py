"""Chart builders: pure functions from model DataFrames to plotly Figures.

Nothing here imports Streamlit, so every chart can be built and inspected in a
plain test. Figures are assembled from plain dicts and wrapped without plotly's
property validation, which is about 80% of the build time and runs again for
every lever move; the tests validate every figure fully instead. Charts are
kept lean for the browser too: lines and filled areas (one path each) rather
than a bar per month.

Colours come from :data:`COLOURS` only, and each colour keeps one meaning on
every chart: advertising is always orange, word of mouth always green, churn
(and the retention it costs) always vermillion, service always blue.
"""

from __future__ import annotations

import base64
import itertools
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cx_roi import formatting as fmt
from cx_roi import palette
from cx_roi.formatting import signed_money

__all__ = ["COLOURS", "SCENARIO_COLOURS", "BRIDGE_COLOURS", "customers_by_source", "sentiment_mix",
           "service_and_wait", "contribution_vs_baseline", "overlay", "npv_bridge", "fitted_vs_actual"]

# The colours and their meanings live in the package (cx_roi.palette), so the
# exported workbook, deck and report use exactly the dashboard's.
COLOURS = palette.COLOURS
SCENARIO_COLOURS = palette.SCENARIO_COLOURS

BRIDGE_COLOURS: dict[str, str] = {
    "retention": COLOURS["churn"],
    "word-of-mouth acquisition": COLOURS["wom"],
    "advertising acquisition": COLOURS["ads"],
    "spend": COLOURS["spend"],
    "other": COLOURS["other"],
}

_MONEY_TICKS = dict(tickformat="$.3~s")  # $1.2M, -$350k (sign before the $, as on the cards), never $217.974k
_MONEY_HOVER = "$,.0f"


# Characters a chart title holds on one line of a phone-wide chart (presenting: larger type).
_TITLE_LINE = {False: 46, True: 36}


def _wrapped(title: str, big: bool = False) -> tuple[str, int]:
    """A long title broken onto two lines at a space (plotly never wraps a title, and on a phone
    it would run off the chart), and how many lines it has."""
    width = _TITLE_LINE[big]
    if len(title) <= width or "<br>" in title:
        return title, title.count("<br>") + 1
    cut = title.rfind(" ", 0, width)
    if cut <= 0:
        return title, 1
    return f"{title[:cut]}<br>{title[cut + 1:]}", 2


def _month_ticks(months: int) -> dict:
    """Ticks on whole years (every 6 months for two years or less), the same on every month chart,
    so charts side by side read alike."""
    step = 6 if months <= 24 else 12 if months <= 132 else 24 if months <= 264 else 60
    return dict(tick0=0, dtick=step)


# ------------------------------------------------------------------ margins plotly keeps
# plotly.js grows a figure's margins to fit its legend and axis labels, and it does so by drawing
# the figure, measuring, and drawing it all again. Where the margins it is given already hold
# everything, it skips that second draw: on Explore at 1,440 px the browser's main thread is then
# busy about 400 ms after a lever move instead of about 550 ms (README, Performance). So month
# charts come with the margins plotly would settle on for a chart as wide as two charts side by
# side on a 1,440-pixel screen: 482 px beside the sidebar, 632 px on a page without one or while
# presenting (the sidebar is hidden). A narrower chart (a phone) needs more legend rows than
# reserved: plotly still grows its margins there, as before, and draws again. A much wider one
# (a 1,920-pixel screen) may need a row fewer, and keeps a row's gap under the x-axis.
RESERVE_WIDTH = {"beside the sidebar": 482, "full width": 632}
_RESERVE = "_cx_reserve_margins"

# Advance widths of the printable ASCII characters (32-126) in Source Sans, the font Streamlit
# gives plotly, in ems (measured in Chromium with a canvas); any other character counts as
# 0.85 em, as wide as the widest of these ("@"), so that an estimate errs towards a row more.
_EM = (0.2, 0.29, 0.43, 0.5, 0.5, 0.82, 0.61, 0.25, 0.3, 0.3, 0.42, 0.5, 0.25, 0.31, 0.25, 0.35, 0.5, 0.5,
       0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 0.42, 0.85, 0.54, 0.59, 0.57, 0.61,
       0.53, 0.49, 0.62, 0.65, 0.26, 0.48, 0.58, 0.49, 0.73, 0.65, 0.66, 0.57, 0.66, 0.57, 0.53, 0.54, 0.64,
       0.51, 0.79, 0.51, 0.48, 0.54, 0.3, 0.35, 0.3, 0.5, 0.5, 0.54, 0.5, 0.55, 0.46, 0.55, 0.5, 0.29, 0.5,
       0.54, 0.25, 0.25, 0.49, 0.25, 0.83, 0.55, 0.54, 0.55, 0.55, 0.35, 0.42, 0.34, 0.54, 0.47, 0.72, 0.45,
       0.47, 0.42, 0.3, 0.24, 0.3, 0.5)


def text_width(text: str, size: float) -> float:
    """Width in pixels of one line of ``text`` at ``size`` px in Source Sans (no kerning)."""
    return size * sum(_EM[ord(c) - 32] if 32 <= ord(c) < 127 else 0.85 for c in text)


def legend_height(entries: list[tuple[str, str]], size: float, width: float) -> float:
    """Height in pixels plotly.js gives a horizontal legend of ``(name, legendgroup)`` entries in
    ``width`` pixels (0 when there are none), by plotly's own rules (legend/draw.js):

    - without groups, the items share one row if they fit side by side; otherwise every item
      takes the widest item's room, and a row holds as many as fit;
    - with groups, each group's items stand one above the other, and groups sit side by side,
      each as wide as its widest item, wrapping onto new rows 10 px apart.

    An item is its symbol (40 px) and its text; items are 5 px apart, rows one line of text
    high, and the legend has 5 px of padding above and below. A row too many would leave a gap
    under the chart, a row too few costs a redraw; text widths come within a pixel of the
    browser's (see :data:`_EM`).
    """
    if not entries:
        return 0.0
    row = max(size * 1.3, 16.0) + 3.0  # plotly's item height for one line of text
    items = [(text_width(name, size) + 40.0, group) for name, group in entries]
    if any(group for _, group in items):
        groups: dict[str, list[float]] = {}
        for i, (w, group) in enumerate(items):
            groups.setdefault(group or f"\0{i}", []).append(w)  # an ungrouped item is a group of its own
        height = line = x = 0.0
        for members in groups.values():
            room = max(members) + 5.0
            if x > 0 and room + x > width:
                height, line, x = height + line + 10.0, 0.0, 0.0
            line, x = max(line, len(members) * row), x + room
        return height + line + 10.0
    if sum(w for w, _ in items) + 5.0 * (len(items) - 1) < width:
        return row + 10.0
    per_row = max(1, int((width + 5.0) // (max(w for w, _ in items) + 5.0)))
    return -(-len(items) // per_row) * row + 10.0


def _reserved_margins(spec: dict, width: float) -> dict:
    """The margins plotly would settle on for a month chart ``width`` pixels wide (see above)."""
    layout = spec["layout"]
    font = layout["font"]["size"]
    right_axis = any(isinstance(v, dict) and v.get("side") == "right" for k, v in layout.items()
                     if k.startswith("yaxis"))
    # Tick labels of up to six characters and the axis title; a wider label (or a right axis
    # wider than its ticks) still gets its room from plotly.
    left = round(7.1 * font)
    right = round(5.7 * font) if right_axis else round(1.4 * font)
    shown = [(t["name"], t.get("legendgroup", "")) for t in spec["data"]
             if t.get("showlegend", True) and t.get("name")]
    if layout.get("showlegend") is False or (len(shown) < 2 and layout.get("showlegend") is not True):
        shown = []
    legend = legend_height(shown, layout["legend"]["font"]["size"], width - left - right)
    # The x-axis: its tick labels and the title below them, 57 px at 13 px type.
    return {**layout["margin"], "l": left, "r": right, "b": round(57 * font / 13) + math.ceil(legend)}


def note_size(big: bool) -> int:
    """Type size of a note written on a chart ("Pays back in month 18"), px: read from across a
    room when presenting, as the tick labels are."""
    return 15 if big else 12


def _base_layout(title: str, height: int, big: bool, months: int | None = None, sidebar: bool = True,
                 **extra) -> dict:
    """The layout every chart starts from. ``months``: the x-axis counts months (and the margins
    are reserved, see RESERVE_WIDTH); ``sidebar``: the chart's page has a sidebar."""
    font = 16 if big else 13
    tick = dict(size=font - 1)
    title, lines = _wrapped(title, big)
    # Presenting, every chart keeps room for two title lines: charts side by side then start their
    # plots at the same height whether or not a title wrapped.
    top = (44 if not big else 56) + (max(lines, 2 if big else 1) - 1) * round((font + 3) * 1.3)
    layout = dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=font + 3)),
        height=height,
        font=dict(size=font),
        margin=dict(l=8, r=8, t=top, b=8),
        # Legend at the foot of the figure (container coordinates), below the
        # x-axis title whatever the plot's height; plotly grows the bottom
        # margin to fit it, also when it wraps onto several lines on a phone.
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, xanchor="left",
                    font=dict(size=font - 1)),
        hovermode="x unified",
        # The title well clear of the tick labels: close to them it read as one more ("20 Month 40").
        xaxis=dict(title=dict(text="Month", standoff=10), showgrid=False, zeroline=False, tickfont=tick,
                   **(_month_ticks(months) if months else {})),
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        # No plotly template: Streamlit's chart theme styles the figure in the browser, and
        # the default template is a large nested dict that every rerun would copy and send.
        template="none",
    )
    if months:
        # Read (and removed) by _figure once the traces are known.
        layout[_RESERVE] = RESERVE_WIDTH["beside the sidebar" if sidebar and not big else "full width"]
    for key, value in extra.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            value = {"tickfont": tick, **value}  # a page's own axis keeps the presenting tick size
        layout[key] = value
    if big:
        # Axis titles as large as the tick labels: Streamlit's chart theme sets them smaller,
        # too small to read from the back of a room.
        for key, axis in layout.items():
            if key.startswith(("xaxis", "yaxis")) and isinstance(axis.get("title"), dict):
                axis["title"] = {"font": dict(size=font - 1), **axis["title"]}
    return layout


# numpy dtypes plotly.js reads as typed arrays, with its short names.
_TYPED = {"float64": "f8", "float32": "f4", "int32": "i4", "int16": "i2", "int8": "i1"}


def _typed(value):
    """A numeric numpy array as plotly.js's typed-array spec ({dtype, bdata}); anything else as it is.

    plotly.py makes the same conversion itself, but by walking the whole figure
    twice (on construction and again when Streamlit asks for its dict); done
    here once, the figure holds small dicts that cost nothing to copy.
    """
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.size:
        if value.dtype.kind in "iu":
            value = value.astype(np.int32) if np.abs(value).max() < 2**31 else value.astype(np.float64)
        dtype = _TYPED.get(str(value.dtype))
        if dtype is not None:
            return {"dtype": dtype, "bdata": base64.b64encode(np.ascontiguousarray(value)).decode("ascii")}
    return value


class LeanFigure(go.Figure):
    """A plotly Figure that builds plotly's object tree only when something asks for it.

    ``st.plotly_chart`` needs nothing but the figure as a dict (``to_dict``),
    which a LeanFigure hands over straight from the spec it was made from:
    building plotly's objects and copying them back out to a dict was most of a
    chart's server time on every lever move. Anything else (``fig.data``,
    ``fig.update_layout``, ``fig.to_json``, ...) builds the full figure first, so
    it behaves as any ``go.Figure``; the tests check both give the same dict.
    """

    def __init__(self, spec: dict):
        # A private name: plotly's __setattr__ lets it through without looking at the figure.
        self._lean_spec = spec

    def _build(self) -> None:
        spec = self.__dict__.pop("_lean_spec")
        go.Figure.__init__(self, spec, _validate=False)

    def __getattr__(self, name: str):
        # Only reached for an attribute not set yet: one of plotly's, before the figure is built.
        if "_lean_spec" not in self.__dict__:
            raise AttributeError(name)
        self._build()
        return getattr(self, name)

    def to_dict(self) -> dict:
        spec = self.__dict__.get("_lean_spec")
        if spec is None:
            return super().to_dict()
        return {"data": [dict(trace) for trace in spec["data"]], "layout": dict(spec["layout"])}


def _figure(spec: dict) -> go.Figure:
    """Wrap a figure dict without re-validating it (see the module docstring)."""
    width = spec.get("layout", {}).pop(_RESERVE, None)
    if width:
        spec["layout"]["margin"] = _reserved_margins(spec, width)
    for trace in spec.get("data", []):
        for key in ("x", "y", "customdata", "base"):
            if key in trace:
                trace[key] = _typed(trace[key])
    return LeanFigure(spec)


def decoded(value) -> np.ndarray:
    """A trace's x or y back as an array (typed-array specs decoded): for tests and exports."""
    if isinstance(value, dict) and "bdata" in value:
        dtypes = {short: np.dtype(long) for long, short in _TYPED.items()}
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtypes[value["dtype"]])
    return np.asarray(value)


def _months(frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(frame.index, dtype=int)


def _columns(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Columns as a (rows, len(names)) float array, one column at a time.

    ``frame[names]`` would look the names up through pandas' string index,
    which cost a millisecond a call, more than the rest of a chart.
    """
    return np.column_stack([frame[name].to_numpy(float) for name in names])


def customers_by_source(monthly: pd.DataFrame, *, height: int = 340, big: bool = False) -> go.Figure:
    """Customers won by advertising and by word of mouth, and churned out, each month (below);
    the customer base at each month's end (above).

    Wins are stacked above zero, churn is drawn below it. The base has its own
    panel on the same month axis: drawn over the flows on a second axis, its line
    ran across the top of the stacked wins and read as one of them.
    """
    x = _months(monthly)
    churned = monthly["churned"].to_numpy(float)
    customers = monthly["customers"].to_numpy(float)
    data = [
        dict(type="scatter", mode="lines", x=x, y=monthly["new_from_ads"].to_numpy(float),
             name="Won by advertising", stackgroup="won", line=dict(width=0.5, color=COLOURS["ads"]),
             fillcolor=COLOURS["ads"], hovertemplate="%{y:,.0f}"),
        dict(type="scatter", mode="lines", x=x, y=monthly["new_from_wom"].to_numpy(float),
             name="Won by word of mouth", stackgroup="won", line=dict(width=0.5, color=COLOURS["wom"]),
             fillcolor=COLOURS["wom"], hovertemplate="%{y:,.0f}"),
        dict(type="scatter", mode="lines", x=x, y=-churned, customdata=churned, name="Churned out",
             fill="tozeroy", line=dict(width=0.5, color=COLOURS["churn"]), fillcolor=COLOURS["churn"],
             hovertemplate="%{customdata:,.0f}"),
        dict(type="scatter", mode="lines", x=x, y=customers, name="Customers at month end", yaxis="y2",
             line=dict(color=COLOURS["scenario"], width=2), hovertemplate="%{y:,.0f}"),
    ]
    layout = _base_layout(
        "Customers won and lost each month", height, big, months=len(x),
        yaxis=dict(title=dict(text="Per month"), tickformat=".3~s", zeroline=True, zerolinecolor="#888",
                   domain=[0, 0.62]),
        yaxis2=dict(title=dict(text="Customers"), tickformat=".3~s", domain=[0.72, 1], anchor="x",
                    **_few_ticks(customers, most=2)),
    )
    return _figure(dict(data=data, layout=layout))


def _few_ticks(values: np.ndarray, most: int = 3) -> dict:
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
    """Promoters, passives and detractors as shares of customers (top); true and survey NPS (below).

    Shares are stacked to 100%. NPS gets its own panel on the same month axis,
    because lines drawn over the coloured bands read as a fourth band.
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
        data.append(dict(type="scatter", mode="lines", x=x, y=shares[:, i], name=name, stackgroup="mix",
                         line=dict(width=0.5, color=COLOURS[key]), fillcolor=COLOURS[key],
                         hovertemplate="%{y:.1%}"))
    data.append(dict(type="scatter", mode="lines", x=x, y=monthly["nps"].to_numpy(float),
                     name="True NPS", yaxis="y2", line=dict(color=COLOURS["scenario"], width=2),
                     hovertemplate="%{y:.1f}"))
    data.append(dict(type="scatter", mode="lines", x=x, y=monthly["nps_measured"].to_numpy(float),
                     name="Survey NPS", yaxis="y2", line=dict(color=COLOURS["scenario"], width=2, dash="dot"),
                     hovertemplate="%{y:.1f}"))
    layout = _base_layout(
        "Sentiment of customers", height, big, months=len(x),
        yaxis=dict(title=dict(text="Share"), tickformat=".0%", range=[0, 1], domain=[0.42, 1]),
        yaxis2=dict(title=dict(text="NPS"), domain=[0, 0.32], anchor="x",
                    **_few_ticks(_columns(monthly, ["nps", "nps_measured"]).ravel())),
    )
    layout["xaxis"]["anchor"] = "y2"
    return _figure(dict(data=data, layout=layout))


_TOP = 1.02  # each axis runs 2% past its top tick, so a line at 100% is not cut by the frame


def service_and_wait(monthly: pd.DataFrame, target_seconds: float, *, height: int = 340,
                     big: bool = False) -> go.Figure:
    """Service level (share answered within the target) and average wait, by month."""
    x = _months(monthly)
    wait = monthly["asa_seconds"].to_numpy(float)
    # Five steps on each axis over the same height, so the wait's ticks sit on the service level's
    # gridlines (20% apart) instead of between them.
    longest = float(np.nanmax(wait)) if np.isfinite(wait).any() else 0.0
    step = next(fmt.round_numbers(longest / 5)) if longest > 0 else 1.0
    data = [
        dict(type="scatter", mode="lines", x=x, y=monthly["service_level"].to_numpy(float),
             name=f"Answered within {target_seconds:,.0f} s", line=dict(color=COLOURS["service"], width=2.5),
             hovertemplate="%{y:.1%}"),
        dict(type="scatter", mode="lines", x=x, y=wait,
             name="Average wait, seconds (right axis)", yaxis="y2",
             line=dict(color=COLOURS["service"], width=2, dash="dot"), hovertemplate="%{y:,.0f} s"),
    ]
    layout = _base_layout(
        "Service level and wait", height, big, months=len(x),
        yaxis=dict(title=dict(text="Service level"), tickformat=".0%", range=[0, _TOP * 5 * 0.2],
                   tickmode="linear", tick0=0, dtick=0.2),
        yaxis2=dict(title=dict(text="Average wait (s)"), overlaying="y", side="right", showgrid=False,
                    range=[0, _TOP * 5 * step], ticksuffix=" s", tickmode="linear", tick0=0, dtick=step),
    )
    return _figure(dict(data=data, layout=layout))


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
    data = [dict(type="scatter", mode="lines", x=x, y=gap, name="Scenario minus baseline",
                 line=dict(color=COLOURS["scenario"], width=2.5), fill="tozeroy",
                 fillcolor="rgba(0,0,0,0.08)", hovertemplate=f"%{{y:{_MONEY_HOVER}}}")]
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
        data.append(dict(type="scatter", mode="markers", x=[m], y=[y], name="Payback",
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
    layout = _base_layout(
        "Cumulative contribution vs baseline", height, big, months=len(x),
        yaxis=dict(title=dict(text="$ vs baseline, cumulative"), zeroline=True, zerolinecolor="#888",
                   range=yrange, **_MONEY_TICKS),
        annotations=annotations, showlegend=False,
    )
    return _figure(dict(data=data, layout=layout))


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
    hover = f"%{{y:{_MONEY_HOVER}}}" if money else "%{y:,.0f}"
    for name, frame in frames.items():
        if name == baseline:
            line = dict(color=COLOURS["baseline"], width=2.5, dash="dash")
            label = f"{name} (baseline)"
        else:
            line = dict(color=colours[name], width=2.5)
            label = name
        data.append(dict(type="scatter", mode="lines", x=_months(frame), y=frame[column].to_numpy(float) - ref,
                         name=label, line=line, hovertemplate=hover))
    yaxis = dict(title=dict(text=axis_title), **(_MONEY_TICKS if money else dict(tickformat=".3~s")))
    layout = _base_layout(title, height, big, months=max((len(f) for f in frames.values()), default=0),
                          sidebar=False, yaxis=yaxis)  # the Compare page has no sidebar
    return _figure(dict(data=data, layout=layout))


def npv_bridge(bridge: pd.DataFrame, *, scenario: str, baseline: str, height: int = 380,
               big: bool = False) -> go.Figure:
    """Waterfall of ``cx_roi.npv_bridge`` output: how each cause moves NPV from the baseline.

    Horizontal bars so long cause names stay readable on a phone. Each cause is
    drawn in its own colour (retention in the churn colour, word of mouth green,
    advertising orange), then the total difference in black.
    """
    steps = list(bridge["step"])
    values = bridge["value"].to_numpy(float)
    total = float(bridge.attrs.get("total", values.sum()))
    bases = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    labels = [s[:1].upper() + s[1:] for s in steps] + ["NPV difference"]
    colours = [BRIDGE_COLOURS.get(s, COLOURS["other"]) for s in steps] + [COLOURS["scenario"]]
    all_values = np.concatenate([values, [total]])
    texts = [signed_money(v) for v in all_values]
    data = [dict(type="bar", orientation="h", y=labels, x=all_values,
                 base=np.concatenate([bases, [0.0]]), marker=dict(color=colours,
                                                                  line=dict(color="#555", width=0.5)),
                 text=texts, textposition="outside", cliponaxis=False,
                 customdata=texts, hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False)]
    # The page's heading above says why ("Why the NPV differs"); the title names the pair, short
    # enough that two preset names fit one line (a prefix of its own broke it early on a laptop).
    layout = _base_layout(
        f"{scenario} vs {baseline}", height, big, hovermode="closest",
        xaxis=dict(title=dict(text="Change in NPV"), zeroline=True, zerolinecolor="#888", **_MONEY_TICKS),
        yaxis=dict(autorange="reversed", automargin=True),
    )
    layout["margin"] = dict(l=8, r=60, t=layout["margin"]["t"], b=8)
    return _figure(dict(data=data, layout=layout))


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
        dict(type="scatter", mode="markers", x=x, y=monthly[column].to_numpy(float), name="Your history",
             marker=dict(color=COLOURS["actual"], size=7 if big else 5), hovertemplate=hover),
        dict(type="scatter", mode="lines", x=x, y=monthly[f"{column}_fit"].to_numpy(float),
             name="Model, fitted to all months", line=dict(color=COLOURS["fit"], width=2.5), hovertemplate=hover),
    ]
    shapes = []
    if holdout is not None and len(holdout) and f"{column}_fit" in holdout:
        hx = holdout["period"].astype(str).to_numpy()
        # Darker and wider than the fitted line, over it: where the two agree (the point of the
        # check) the dots still show.
        data.append(dict(type="scatter", mode="lines", x=hx, y=holdout[f"{column}_fit"].to_numpy(float),
                         name=f"Forecast of the last {len(holdout)} months, fitted without them",
                         line=dict(color=COLOURS["forecast"], width=3.5, dash="dot"), hovertemplate=hover))
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=hx[0], x1=hx[-1], y0=0, y1=1,
                           fillcolor=_HELD_OUT, line=dict(width=0), layer="below"))
        # A shape has no legend entry: an empty trace in its colour gives it one.
        data.append(dict(type="scatter", mode="markers", x=[None], y=[None], name="Months the forecast never saw",
                         marker=dict(symbol="square", size=12, color=_HELD_OUT), hoverinfo="skip"))
    layout = _base_layout(title, height, big, yaxis=dict(title=dict(text=axis_title), tickformat=".3~s"),
                          shapes=shapes)
    # Month labels are the history's own (YYYY-MM or 1..N); keep them as categories, in file order,
    # with a tick on round months rather than every k-th row.
    layout["xaxis"] = {**layout["xaxis"], "type": "category", "tickmode": "array",
                       "tickvals": _round_months(list(x))}
    return _figure(dict(data=data, layout=layout))


_HELD_OUT = "rgba(0,0,0,0.08)"


def _round_months(labels: list[str], most: int = 8) -> list[str]:
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
