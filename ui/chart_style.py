"""The look every chart shares: colours, money ticks, titles and the base layout.

Used by :mod:`ui.charts`, :mod:`ui.decision_charts` and :mod:`ui.data_charts`. Nothing here
imports Streamlit. Margins are left to plotly: axes have ``automargin`` and the legend sits
at the foot of the figure, so plotly grows the margins to fit labels and legend at any width.
"""

from __future__ import annotations

from cx_roi import palette

__all__ = ["COLOURS", "SCENARIO_COLOURS", "MONEY_TICKS", "MONEY_HOVER", "TEXT", "SOFT_TEXT", "type_size",
           "note_size", "wrapped_title", "month_ticks", "base_layout"]

# The colours and their meanings live in the package (cx_roi.palette), so the exported workbook,
# deck and report use exactly the dashboard's.
COLOURS = palette.COLOURS
SCENARIO_COLOURS = palette.SCENARIO_COLOURS

MONEY_TICKS = dict(tickformat="$.3~s")  # $1.2M, -$350k (sign before the $, as on the cards), never $217.974k
MONEY_HOVER = "$,.0f"

# Text colours (cx_roi.palette), the page's own rather than Streamlit's chart theme's faint grey ticks.
TEXT = palette.TEXT
SOFT_TEXT = palette.SOFT_TEXT

# Characters a chart title holds on one line: of a phone-wide chart (presenting: larger type), and
# of a chart as wide as the page (``wide``), where a title broken early left a half-empty line.
_TITLE_LINE = {(False, False): 46, (True, False): 36, (False, True): 90, (True, True): 72}


def type_size(big: bool) -> int:
    """Type size of a chart's tick labels, legend and axis titles, px: presenting, 20 px, what a
    room reads from the back on a 1,920-pixel screen."""
    return 20 if big else 12


def note_size(big: bool) -> int:
    """Type size of a note written on a chart ("Pays back in month 18"), px: read from across a
    room when presenting, as the tick labels are."""
    return 20 if big else 12


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
    tick = dict(size=type_size(big), color=SOFT_TEXT)
    title, lines = wrapped_title(title, big, wide)
    # Presenting, every chart keeps room for two title lines: charts side by side then start their
    # plots at the same height whether or not a title wrapped.
    top = (44 if not big else 56) + (max(lines, 2 if big else 1) - 1) * round((font + 3) * 1.3)
    layout = dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=font + (4 if big else 3), color=TEXT)),
        height=height,
        font=dict(size=font, color=TEXT),
        # Small fixed margins; plotly grows them for tick labels, axis titles and the legend.
        # Presenting, the right margin holds half of the last month's 20-pixel tick label ("60"),
        # which plotly otherwise drops.
        margin=dict(l=8, r=24 if big else 8, t=top, b=8),
        # Legend at the foot of the figure (container coordinates), below the x-axis title whatever
        # the plot's height; plotly grows the bottom margin to fit it, also when it wraps on a phone.
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, xanchor="left",
                    font=dict(size=type_size(big), color=TEXT)),
        hovermode="x unified",
        # The title well clear of the tick labels: close to them it read as one more ("20 Month 40").
        xaxis=dict(title=dict(text="Month", standoff=10), showgrid=False, zeroline=False, tickfont=tick,
                   automargin=True, **(month_ticks(months) if months else {})),
        yaxis=dict(tickfont=tick, automargin=True),
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        # No plotly template: Streamlit's chart theme styles the figure in the browser.
        template="none",
    )
    for key, value in extra.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            value = {"tickfont": tick, "automargin": True, **value}
        layout[key] = value
    # Axis titles as large as the tick labels and in the text colour: Streamlit's chart theme sets
    # them smaller and grey, too faint to read from the back of a room.
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis.get("title"), dict):
            axis["title"] = {"font": dict(size=type_size(big), color=TEXT), **axis["title"]}
    return layout
