"""One colour per meaning, on every figure the dashboard and the HTML report draw.

Every chart the app builds (ui.charts, ui.decision_charts) is built on presets,
with the HTML report's (cx_roi.reports.page.report_figures). Each coloured trace, and each bar of
a chart that colours its bars one by one, is given the meaning its name says (a scenario's name,
"Won by advertising", "Retention", "Service capacity (agents)"...). The test fails when a meaning
is drawn in another colour than its palette colour, when one colour stands for two meanings, or
when a scenario's hue lies close to a cause's (Tol's teal beside word of mouth's green).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import cx_roi
from cx_roi import palette
from cx_roi.reports.bundle import bundle
from cx_roi.reports.page import report_figures
from ui import charts, compare_charts, decision_charts

COLOURS = palette.COLOURS
PRESETS = ("status-quo", "service-boost", "ad-boost", "online-megaphone")

# What a name says a trace means, first match wins (lower case). Scenario names are known to each
# figure and looked up before these words: "+$60k a month into advertising" is a scenario.
WORDS: tuple[tuple[str, str], ...] = (
    ("(baseline)", "baseline"), ("baseline:", "baseline"), ("middle of", "scenario"), ("all at likely", "scenario"), ("your history", "actual"), ("fitted to all", "fit"),
    ("forecast of", "forecast"), ("retention", "retention"), ("churn", "churn"), ("word of mouth", "wom"),
    ("word-of-mouth", "wom"), ("service quality", "quality"), ("service capacity", "service"),
    ("answered within", "service"), ("average wait", "service"), ("advertising", "ads"),
    ("promoters", "promoters"), ("passives", "passives"), ("detractors", "detractors"), ("spend", "spend"),
    ("other", "other"), ("low value", "input_low"), ("high value", "input_high"), ("loses money", "draws_below"),
    ("below", "draws_below"), ("money back", "draws"), ("above", "draws"), ("draws", "draws"),
    ("npv difference", "scenario"), ("nps", "scenario"), ("best ", "scenario"), ("customers at month end", "scenario"),
    ("scenario", "scenario"), ("payback", "scenario"),
)
# Black is the scenario on screen, its totals and the user's own history: one meaning, what is.
SAME_MEANING = {"actual": "scenario"}


def meaning(name: str, scenarios: set[str], baseline: str | None) -> str:
    if name == baseline:
        return "baseline"
    if name in scenarios or any(name.startswith(f"{s} (") for s in scenarios):  # "Online megaphone (off the scale...)"
        return "a scenario"
    low = name.lower()
    for words, what in WORDS:
        if words in low:
            return what
    raise AssertionError(f"no meaning known for a trace named {name!r}: name it in WORDS")


def solid(colour: object) -> str | None:
    """``colour`` as "#RRGGBB", or None for a tint (a translucent fill shades, it means nothing
    of its own) or no colour."""
    if not isinstance(colour, str) or not colour:
        return None
    c = colour.strip()
    if c.startswith("rgba"):
        return None
    if c.startswith("#") and len(c) == 4:
        c = "#" + "".join(ch * 2 for ch in c[1:])
    return c.upper()


def coloured(fig: go.Figure, scenarios: set[str], baseline: str | None) -> Iterator[tuple[str, str, str]]:
    """(meaning, colour, name) of every coloured trace, and of every bar of a bar chart coloured
    bar by bar. A halo (white, unnamed, off the legend) is no meaning."""
    for t in fig.data:
        name = t.name or ""
        colour = t.marker.color if t.type == "bar" else None
        if t.type == "bar" and isinstance(colour, (list, tuple, np.ndarray)):
            labels = t.y if t.orientation == "h" else t.x
            values = t.x if t.orientation == "h" else t.y
            for label, value, c in zip(labels, values, colour):
                what = meaning(str(label), scenarios, baseline)
                if what == "retention" and value is not None and float(value) < 0:
                    what = "churn"  # NPV lost to churn
                if solid(c):
                    yield what, solid(c), str(label)
            continue
        found = {solid(c) for c in (getattr(t.line, "color", None) if hasattr(t, "line") else None,
                                    getattr(t, "fillcolor", None), getattr(t.marker, "color", None)
                                    if hasattr(t, "marker") else None)} - {None}
        if found == {"#FFFFFF"} and t.showlegend is False:
            continue
        for c in found:
            yield meaning(name, scenarios, baseline), c, name


def app_figures() -> list[tuple[go.Figure, set[str], str | None]]:
    """Every chart the pages draw, on presets: (figure, its scenario names, its baseline's name)."""
    out: list[tuple[go.Figure, set[str], str | None]] = []
    results = {p: cx_roi.simulate(cx_roi.load_preset(p)) for p in PRESETS}
    base = results["status-quo"]
    for p, r in results.items():
        m = r.monthly
        for big in (False, True):
            out += [(f, set(), None) for f in (
                charts.customers_by_source(m, big=big), charts.customer_base(m, big=big),
                charts.sentiment_mix(m, big=big), charts.nps_lines(m, big=big), charts.service_level(m, 20, big=big),
                charts.average_wait(m, big=big), charts.contribution_vs_baseline(m, base.monthly, 18.0, big=big),
                compare_charts.npv_bridge(cx_roi.npv_bridge(base, r), scenario=p, baseline="status-quo", big=big))]
    titles = {p: cx_roi.preset_info(p).title for p in PRESETS}
    frames = {titles[p]: r.monthly for p, r in results.items()}
    names = set(frames) - {titles["status-quo"]}
    for lead in (None, titles["ad-boost"]):
        for column, money in (("customers", False), ("cumulative_contribution", True)):
            out.append((compare_charts.overlay(frames, column, title="t", axis_title="a", money=money,
                                       baseline=titles["status-quo"], relative=money, lead=lead),
                        names, titles["status-quo"]))
    # Risk: likely ranges, the draws, the tornado.
    ens = cx_roi.simulate_many(cx_roi.load_preset("service-boost"), draws=60, seed=0)
    sq = cx_roi.simulate_many(cx_roi.load_preset("status-quo"), draws=60, seed=0)
    q, bq = ens.monthly_quantiles("customers"), sq.monthly_quantiles("customers")
    npv = ens.kpis["npv"].to_numpy()
    refs = [(float(np.median(npv)), "Middle of the draws: $1", "dash"), (float(npv.mean()), "All at likely values: $1",
                                                                        "solid")]
    out += [(f, set(), None) for f in (
        decision_charts.fan_chart(q, bq, title="t", axis_title="a", scenario_name="Scenario", baseline_name="Baseline"),
        decision_charts.outcome_histogram(npv, title="t", axis_title="a", marker=None, references=refs),
        decision_charts.outcome_histogram(npv - float(np.median(npv)), title="t", axis_title="a", marker=0.0,
                                          marker_label="the baseline", references=refs),
        decision_charts.outcome_histogram(npv / 1e9 - 0.1, title="t", axis_title="a", money_axis=False,
                                          percent_axis=True, side_names=("Below 0%: loses money",
                                                                          "0% or more: money back")),
        decision_charts.tornado(cx_roi.tornado(cx_roi.load_preset("status-quo").replace(horizon_months=12)),
                                title="t", axis_title="a"),
    )]
    # Optimise: the split, the next $1,000, the frontier and its split.
    short = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    alloc = cx_roi.optimize_budget(short, 400_000)
    two = cx_roi.optimize_budget(short, [400_000, 300_000], phases="first_year")
    table = pd.DataFrame({"total_per_month": [300_000.0, 400_000.0], "objective_value": [1e8, 1.2e8],
                          **{lv: [1e5, 1.3e5] for lv in cx_roi.LEVERS}})
    current = {lv: float(getattr(short, lv)) for lv in cx_roi.LEVERS}
    out += [(f, set(), None) for f in (
        decision_charts.allocation_bars(alloc.allocation, cx_roi.LEVERS, current=current),
        decision_charts.marginal_bars(alloc.marginal), decision_charts.marginal_bars(two.marginal),
        decision_charts.frontier(table, cx_roi.LEVERS, chosen=350_000.0),
        decision_charts.frontier_split(table, cx_roi.LEVERS, chosen=350_000.0))]
    # Your data: a history against its fit and the forecast of months it never saw.
    fit = cx_roi.fit_history(cx_roi.sample_history())
    for column in ("new_customers", "nps"):
        if column in fit.monthly:
            out.append((decision_charts.fitted_vs_actual(fit.monthly, column, title="t", axis_title="a",
                                                     holdout=fit.holdout.monthly), set(), None))
    return out


def report_figure_list() -> list[tuple[go.Figure, set[str], str | None]]:
    named = {cx_roi.preset_info(p).title: cx_roi.load_preset(p) for p in PRESETS}
    first = next(iter(named))
    b = bundle(named, first, "t", None, 50_000.0, lead=cx_roi.preset_info("ad-boost").title)
    return [(f.figure, set(named) - {first}, first) for f in report_figures(b)]


@pytest.fixture(scope="module")
def figures() -> list[tuple[go.Figure, set[str], str | None]]:
    return app_figures() + report_figure_list()


def test_every_meaning_keeps_its_colour_and_every_colour_one_meaning(figures):
    meanings_of: dict[str, set[str]] = defaultdict(set)
    wrong = []
    for fig, scenarios, baseline in figures:
        for what, colour, name in coloured(fig, scenarios, baseline):
            if what == "a scenario":
                if colour not in palette.SCENARIO_COLOURS:
                    wrong.append((fig.layout.title.text, name, colour, "not a scenario hue"))
                what = f"scenario hue {colour}"  # each scenario its own hue: the hue is the meaning
                if colour == palette.SCENARIO_COLOURS[0]:
                    what = "scenario"  # the one on screen is black, as on Explore
            elif COLOURS[what] != colour:
                wrong.append((fig.layout.title.text, name, colour, f"{what} is {COLOURS[what]}"))
            meanings_of[colour].add(SAME_MEANING.get(what, what))
    assert wrong == []
    shared = {c: m for c, m in meanings_of.items() if len(m) > 1}
    assert shared == {}, "one colour, one meaning"
    causes = {"ads", "wom", "churn", "retention", "service", "quality", "baseline", "spend"}
    assert causes <= {m for ms in meanings_of.values() for m in ms}, "every cause was drawn"


def _lab(colour: str) -> np.ndarray:
    """CIELAB (D65) of "#RRGGBB": distances in it follow how different two colours look."""
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    rgb = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    f = np.cbrt(np.maximum(xyz / np.array([0.95047, 1.0, 1.08883]), 0.008856 ** 3))
    f = np.where(xyz / np.array([0.95047, 1.0, 1.08883]) > 0.008856, f,
                 7.787 * xyz / np.array([0.95047, 1.0, 1.08883]) + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_scenario_hues_stay_clear_of_every_cause_colour():
    """Tol's teal (#44AA99) lay 19 apart from word of mouth's green: a scenario read as a cause."""
    causes = {k: v for k, v in COLOURS.items() if k not in ("scenario", "actual")}
    for hue in palette.SCENARIO_COLOURS[1:]:
        near = min(causes, key=lambda k: np.linalg.norm(_lab(hue) - _lab(causes[k])))
        assert np.linalg.norm(_lab(hue) - _lab(causes[near])) >= 20, f"{hue} is close to {near}'s {causes[near]}"
    assert np.linalg.norm(_lab("#44AA99") - _lab(COLOURS["wom"])) < 20, "the measure tells the old teal"
    # The public names the workbook and deck read are still there.
    assert set(palette.LEVER_COLOURS) == set(cx_roi.LEVERS) and callable(palette.scenario_colours)


def test_a_scenario_on_its_own_is_drawn_as_the_scenario_not_as_a_baseline():
    # A one-scenario file (Explore's, for a scenario that is its own baseline) drew its only line
    # in the baseline's dashed grey, with no other line to be the baseline of.
    assert palette.scenario_colours(["Plan"], "Plan") == {"Plan": palette.SCENARIO_COLOURS[0]}
    assert palette.scenario_dashes({"Plan": palette.SCENARIO_COLOURS[0]}, "Plan") == {"Plan": None}
    two = palette.scenario_colours(["Base", "Plan"], "Base", lead="Plan")
    assert two["Base"] == palette.COLOURS["baseline"] and palette.scenario_dashes(two, "Base")["Base"] == "dash"
    figures = report_figures(bundle({"Plan": cx_roi.Scenario(horizon_months=12)}, "Plan", "t", None, 50_000.0))
    line = figures[0].figure.data[0]
    assert line.name == "Plan" and line.line.color == palette.SCENARIO_COLOURS[0] and line.line.dash is None
