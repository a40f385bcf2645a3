"""The look every chart shares: colours, money ticks, titles and the base layout.

Used by :mod:`ui.charts`, :mod:`ui.decision_charts` and :mod:`ui.data_charts`. Nothing here
imports Streamlit. Margins are left to plotly: axes have ``automargin`` and the legend sits
at the foot of the figure, so plotly grows the margins to fit labels and legend at any width.
"""

from __future__ import annotations

from cx_roi import palette

__all__ = ["COLOURS", "SCENARIO_COLOURS", "MONEY_TICKS", "MONEY_HOVER", "note_size", "wrapped_title",
           "month_ticks", "base_layout"]

# The colours and their meanings live in the package (cx_roi.palette), so the exported workbook,
# deck and report use exactly the dashboard's.
COLOURS = palette.COLOURS
SCENARIO_COLOURS = palette.SCENARIO_COLOURS

MONEY_TICKS = dict(tickformat="$.3~s")  # $1.2M, -$350k (sign before the $, as on the cards), never $217.974k
MONEY_HOVER = "$,.0f"

# Characters a chart title holds on one line of a phone-wide chart (presenting: larger type).
_TITLE_LINE = {False: 46, True: 36}


def note_size(big: bool) -> int:
    """Type size of a note written on a chart ("Pays back in month 18"), px: read from across a
    room when presenting, as the tick labels are."""
    return 15 if big else 12


def wrapped_title(title: str, big: bool = False) -> tuple[str, int]:
    """A long title broken onto two lines at a space (plotly never wraps a title, and on a phone
    it would run off the chart), and how many lines it has."""
    width = _TITLE_LINE[big]
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


def base_layout(title: str, height: float, big: bool, months: int | None = None, **extra) -> dict:
    """The layout every chart starts from, as a dict for ``go.Figure(layout=...)``.

    ``months``: the x-axis counts that many months (year ticks). ``extra``: more layout keys; an
    axis given here keeps the presenting tick size and automargin."""
    font = 16 if big else 13
    tick = dict(size=font - 1)
    title, lines = wrapped_title(title, big)
    # Presenting, every chart keeps room for two title lines: charts side by side then start their
    # plots at the same height whether or not a title wrapped.
    top = (44 if not big else 56) + (max(lines, 2 if big else 1) - 1) * round((font + 3) * 1.3)
    layout = dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=font + 3)),
        height=height,
        font=dict(size=font),
        # Small fixed margins; plotly grows them for tick labels, axis titles and the legend.
        margin=dict(l=8, r=8, t=top, b=8),
        # Legend at the foot of the figure (container coordinates), below the x-axis title whatever
        # the plot's height; plotly grows the bottom margin to fit it, also when it wraps on a phone.
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, xanchor="left",
                    font=dict(size=font - 1)),
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
    if big:
        # Axis titles as large as the tick labels: Streamlit's chart theme sets them smaller,
        # too small to read from the back of a room.
        for key, axis in layout.items():
            if key.startswith(("xaxis", "yaxis")) and isinstance(axis.get("title"), dict):
                axis["title"] = {"font": dict(size=font - 1), **axis["title"]}
    return layout
