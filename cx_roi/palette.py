"""The product's colours: one meaning per colour, on the dashboard and in every export.

Okabe and Ito (2008), "Color Universal Design": distinguishable with the
common colour-vision deficiencies and in greyscale by lightness. Scenario
lines take Paul Tol's "muted" hues, chosen to stay clear of the cause
colours, so a scenario is never mistaken for a cause. Hex strings, "#RRGGBB".
"""

from __future__ import annotations

__all__ = ["COLOURS", "SCENARIO_COLOURS", "LEVER_COLOURS", "scenario_colours"]

COLOURS: dict[str, str] = {
    "ads": "#E69F00",          # orange: anything won or spent through advertising
    "wom": "#009E73",          # bluish green: word of mouth
    "churn": "#D55E00",        # vermillion: customers lost, and retention in the bridge
    "service": "#0072B2",      # blue: service capacity, quality, queue
    "promoters": "#56B4E9",    # sky blue
    "passives": "#BBBBBB",     # neutral grey: neither for nor against
    "detractors": "#CC79A7",   # reddish purple
    "scenario": "#000000",     # black: the scenario on screen, and headline totals
    "baseline": "#999999",     # mid grey, dashed: what the scenario is compared with
    "spend": "#F0E442",        # yellow: money spent on the levers
    "other": "#DDDDDD",        # light grey: what no cause explains
    "actual": "#000000",       # black markers: the user's own history
    "fit": "#999933",          # olive: the model fitted to it (and its forecast, dotted)
}

# After the baseline, which is always grey: the first compared scenario black, then Tol's muted hues.
SCENARIO_COLOURS: tuple[str, ...] = ("#000000", "#882255", "#44AA99", "#332288")

LEVER_COLOURS: dict[str, str] = {
    "service_capacity_spend_per_month": COLOURS["service"],
    "service_quality_spend_per_month": COLOURS["promoters"],  # the lighter blue: the other service lever
    "ad_spend_per_month": COLOURS["ads"],
}


def scenario_colours(names: list[str], baseline: str) -> dict[str, str]:
    """Each scenario's colour: the baseline grey, the others in :data:`SCENARIO_COLOURS` order."""
    others = [n for n in names if n != baseline]
    return {n: COLOURS["baseline"] if n == baseline else SCENARIO_COLOURS[others.index(n) % len(SCENARIO_COLOURS)]
            for n in names}
