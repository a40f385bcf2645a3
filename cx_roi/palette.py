"""The product's colours: one meaning per colour, on the dashboard and in every export.

Okabe and Ito (2008), "Color Universal Design": distinguishable with the
common colour-vision deficiencies and in greyscale by lightness. Scenario
lines take hues of their own (magenta, brown, violet) that no cause uses and
that stay well clear of every cause colour (:data:`SCENARIO_COLOURS`), so a
scenario is never mistaken for a cause. Hex strings, "#RRGGBB".
"""

from __future__ import annotations

import zlib

__all__ = ["COLOURS", "SCENARIO_COLOURS", "LEVER_COLOURS", "TEXT", "SOFT_TEXT", "GRID", "scenario_colours",
           "scenario_dashes"]

# Text on the charts, the dashboard's and the reports': the page's text colour, and for tick labels
# and notes a softer grey that still reads at 4.5:1 or more on white (WCAG AA; Streamlit's chart
# theme's #808495 is 3.7:1, too faint from the back of a room). Gridlines: faint, they are no text.
TEXT = "#1A1A1A"
SOFT_TEXT = "#4D4D4D"  # 8.5:1 on white
GRID = "#E6E9EF"

COLOURS: dict[str, str] = {
    "ads": "#E69F00",          # orange: anything won or spent through advertising
    "wom": "#009E73",          # bluish green: word of mouth
    "churn": "#D55E00",        # vermillion: customers lost (churn), and NPV lost to it in the bridge
    "retention": "#332288",    # indigo: customers kept by lower churn, and the NPV that adds in the bridge
    "service": "#0072B2",      # blue: service capacity, quality, queue
    "promoters": "#56B4E9",    # sky blue
    "passives": "#BBBBBB",     # neutral grey: neither for nor against
    "detractors": "#CC79A7",   # reddish purple
    "scenario": "#000000",     # black: the scenario on screen, and headline totals
    "baseline": "#999999",     # mid grey, dashed: what the scenario is compared with
    "spend": "#505050",        # dark grey: money spent on the levers (a cost, not a cause)
    "other": "#DDDDDD",        # light grey: what no cause explains
    "actual": "#000000",       # black markers: the user's own history
    "fit": "#999933",          # olive: the model fitted to it
    "forecast": "#4D4D1A",     # dark olive, dotted: its forecast of months the fit never saw
    "quality": "#003F66",      # dark blue: the service-quality lever (the other service lever)
    "input_low": "#DDCC77",    # sand: an uncertain input at its low value (tornado)
    "input_high": "#8C7A1E",   # dark sand: the same input at its high value
    "draws": "#444444",        # dark grey: Monte Carlo draws (at or above a marker, such as break-even)
    "draws_below": "#CACACA",  # light grey, hatched: the draws below that marker
}

# The scenario on screen (the lead) is black, the baseline grey and dashed; every other
# scenario takes one of these hues, picked by its name (see scenario_colours). Each is dark
# enough to read as a line on white and far from every cause colour: Tol's teal read as word
# of mouth, his wine as churn. Compare shows at most three scenarios beside the baseline.
SCENARIO_COLOURS: tuple[str, ...] = ("#000000", "#C51B7D", "#8C510A", "#762A83")

LEVER_COLOURS: dict[str, str] = {
    "service_capacity_spend_per_month": COLOURS["service"],
    "service_quality_spend_per_month": COLOURS["quality"],
    "ad_spend_per_month": COLOURS["ads"],
}


def scenario_colours(names: list[str], baseline: str, lead: str | None = None) -> dict[str, str]:
    """Each scenario's colour, by what it is rather than where it is listed.

    The baseline is grey and ``lead`` (the scenario on screen) black. Every other
    name has a hue of its own from its characters, so a scenario keeps its colour
    on every page, chart and export whatever the order; two names that would share
    a hue in one chart are told apart by giving the later one (in name order, not
    list order) the next free hue. A scenario on its own is compared with nothing: it is black.
    """
    if len(names) == 1:
        return {names[0]: SCENARIO_COLOURS[0]}
    hues = SCENARIO_COLOURS[1:]
    out = {n: COLOURS["baseline"] for n in names if n == baseline}
    if lead in names and lead != baseline:
        out[lead] = SCENARIO_COLOURS[0]
    taken: set[str] = set()
    for n in sorted(n for n in names if n not in out):
        start = zlib.crc32(n.encode("utf-8")) % len(hues)
        free = [hues[(start + k) % len(hues)] for k in range(len(hues))
                if hues[(start + k) % len(hues)] not in taken] or [hues[start]]
        out[n] = free[0]
        taken.add(free[0])
    return {n: out[n] for n in names}


# A report may hold more scenarios than there are hues (every preset at once): a scenario whose hue
# an earlier one has already taken is told apart by its line, in this order (plotly's names).
REPEAT_DASHES: tuple[str, ...] = ("dot", "dashdot", "longdash", "longdashdot")


def scenario_dashes(colours: dict[str, str], baseline: str) -> dict[str, str | None]:
    """Each scenario's line style, for :func:`scenario_colours`' colours: the baseline's dashed, the
    first scenario of each hue solid (None), and each later one of that hue the next of
    :data:`REPEAT_DASHES`. A scenario on its own is solid."""
    seen: dict[str, int] = {}
    out: dict[str, str | None] = {}
    for name, colour in colours.items():
        if name == baseline and len(colours) > 1:
            out[name] = "dash"
            continue
        repeat = seen.get(colour, 0)
        seen[colour] = repeat + 1
        out[name] = None if repeat == 0 else REPEAT_DASHES[(repeat - 1) % len(REPEAT_DASHES)]
    return out
