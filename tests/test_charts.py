"""The charts as figures, without Streamlit: colours, panels, ticks, titles, notes and data.

Each builder returns a plain ``go.Figure``; how it draws (titles, legend clear of the plot, no
clipped labels) is checked in a real browser (tests/test_browser.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from hypothesis import example, given
from hypothesis import strategies as st

import cx_roi
from cx_roi import Scenario
from cx_roi import formatting as fmt
from cx_roi import palette
from ui import charts, compare_charts, decision_charts

AD = "ad_spend_per_month"


def test_each_colour_means_one_thing_on_every_chart():
    result = cx_roi.simulate(Scenario())
    boost = cx_roi.simulate(cx_roi.load_preset("ad-boost"))
    customers = charts.customers_by_source(result.monthly)
    colour = {t.name: t.fillcolor for t in customers.data if t.fillcolor}
    assert colour["Won by advertising"] == charts.COLOURS["ads"]
    assert colour["Won by word of mouth"] == charts.COLOURS["wom"]
    assert colour["Churned out"] == charts.COLOURS["churn"]
    bridge = compare_charts.npv_bridge(cx_roi.npv_bridge(result, boost), scenario="b", baseline="a")
    bar_colours = dict(zip(bridge.data[0].y, bridge.data[0].marker.color))
    assert bar_colours["Advertising acquisition"] == charts.COLOURS["ads"]
    assert bar_colours["Word-of-mouth acquisition"] == charts.COLOURS["wom"]
    # Customers kept add NPV in retention's colour; churn's colour is for customers lost.
    kept = float(cx_roi.npv_bridge(result, boost).set_index("step").loc["retention", "value"])
    assert bar_colours["Retention"] == charts.COLOURS["retention" if kept >= 0 else "churn"]
    assert compare_charts.bridge_colour("retention", 1.0) == charts.COLOURS["retention"]
    assert compare_charts.bridge_colour("retention", -1.0) == charts.COLOURS["churn"]
    for service in (charts.service_level(result.monthly, 20), charts.average_wait(result.monthly)):
        assert {t.line.color for t in service.data} == {charts.COLOURS["service"]}
    semantic = {v for k, v in charts.COLOURS.items() if k not in ("scenario", "actual")}
    assert not semantic & set(charts.SCENARIO_COLOURS[1:]), "scenario lines never borrow a cause colour"
    assert len(semantic) == len([k for k in charts.COLOURS if k not in ("scenario", "actual")]), \
        "no two meanings share a colour"
    assert set(palette.LEVER_COLOURS.values()) <= {charts.COLOURS[k] for k in ("service", "quality", "ads")}


def test_a_scenario_keeps_its_colour_whatever_the_order_or_page():
    names = ["Baseline", "Current: Status quo + 2 changes", "+$60k a month into advertising", "Saved: Plan B"]
    first = palette.scenario_colours(names, "Baseline", lead=names[1])
    for order in (names[::-1], [names[0], names[3], names[2], names[1]]):
        assert palette.scenario_colours(order, "Baseline", lead=names[1]) == first
    assert first["Baseline"] == charts.COLOURS["baseline"] and first[names[1]] == charts.COLOURS["scenario"]
    assert len(set(first.values())) == len(names), "one chart, one colour each"
    # The same preset keeps its hue beside other company, as long as the hues do not collide.
    alone = palette.scenario_colours(["Baseline", names[2]], "Baseline")
    assert alone[names[2]] == first[names[2]]
    # On the Compare overlay the scenario on screen is black, as on Explore's chart.
    frames = {n: cx_roi.simulate(Scenario()).monthly for n in names}
    fig = compare_charts.overlay(frames, "customers", title="t", axis_title="a", baseline="Baseline", lead=names[1])
    assert {t.name: t.line.color for t in fig.data}[names[1]] == charts.COLOURS["scenario"]


def test_every_chart_has_one_y_axis():
    # Two y-axes on one figure, stacked as panels or overlaid left and right, made two charts
    # read as one: the base's line ran across the top of the stacked wins, the wait's right-hand
    # ticks read against the service level's gridlines.
    monthly = cx_roi.simulate(cx_roi.load_preset("service-boost")).monthly
    table = pd.DataFrame({"total_per_month": [300_000.0, 400_000.0], "objective_value": [1e8, 1.2e8],
                          **{lv: [1e5, 1.3e5] for lv in cx_roi.LEVERS}})
    figures = [charts.customers_by_source(monthly), charts.customer_base(monthly), charts.sentiment_mix(monthly),
               charts.nps_lines(monthly), charts.service_level(monthly, 20), charts.average_wait(monthly),
               decision_charts.frontier(table, cx_roi.LEVERS, chosen=350_000.0),
               decision_charts.frontier_split(table, cx_roi.LEVERS, chosen=350_000.0)]
    for fig in figures:
        spec = fig.to_dict()
        assert [k for k in spec["layout"] if k.startswith("yaxis")] == ["yaxis"], spec["layout"]["title"]
        assert all(t.get("yaxis", "y") == "y" for t in spec["data"])
    names = {t.name for t in charts.customers_by_source(monthly).data}
    assert names == {"Won by advertising", "Won by word of mouth", "Churned out"}
    assert [t.name for t in charts.customer_base(monthly).data] == ["Customers at month end"]


def test_month_charts_tick_whole_years_alike():
    # Charts side by side read alike: ticks every 12 months on a five-year run, every 6 on a short one.
    base = cx_roi.simulate(Scenario())
    figures = [charts.customers_by_source(base.monthly), charts.sentiment_mix(base.monthly),
               charts.nps_lines(base.monthly), charts.service_level(base.monthly, 20), charts.average_wait(base.monthly),
               charts.contribution_vs_baseline(base.monthly, base.monthly, None),
               compare_charts.overlay({"a": base.monthly}, "customers", title="t", axis_title="y", baseline="a")]
    for fig in figures:
        axis = fig.to_dict()["layout"]["xaxis"]
        assert (axis["dtick"], axis["tick0"], axis["title"]["text"]) == (12, 0, "Month")
        assert axis["title"]["standoff"] >= 10, "the title clear of the tick labels"
    short = cx_roi.simulate(Scenario().replace(horizon_months=18))
    assert charts.customers_by_source(short.monthly).to_dict()["layout"]["xaxis"]["dtick"] == 6
    bars = compare_charts.npv_bridge(cx_roi.npv_bridge(base, base), scenario="b", baseline="a").to_dict()["layout"]["xaxis"]
    assert "dtick" not in bars, "a chart with its own x-axis keeps it"


def test_short_panels_label_at_least_two_values():
    monthly = cx_roi.simulate(Scenario()).monthly
    nps = charts.nps_lines(monthly).to_dict()["layout"]["yaxis"]
    values = monthly[["nps", "nps_measured"]].to_numpy().ravel()
    low, high = nps["range"]
    assert low <= values.min() and values.max() <= high
    assert 2 <= round((high - low) / nps["dtick"]) + 1 <= 6


def test_sentiment_bands_are_each_groups_share_of_customers():
    monthly = cx_roi.simulate(cx_roi.load_preset("revolving-door")).monthly
    traces = {t.name: np.asarray(t.y) for t in charts.sentiment_mix(monthly).data}
    total = (monthly["promoters"] + monthly["passives"] + monthly["detractors"]).to_numpy()
    for name, column in (("Promoters (9-10)", "promoters"), ("Passives (7-8)", "passives"),
                         ("Detractors (0-6)", "detractors")):
        np.testing.assert_allclose(traces[name], monthly[column].to_numpy() / total, rtol=1e-12)
    lines = {t.name: np.asarray(t.y) for t in charts.nps_lines(monthly).data}
    assert set(lines) == {"NPS, all customers", "NPS as surveyed"}  # plain words, not "true" and "survey"
    np.testing.assert_allclose(lines["NPS, all customers"], monthly["nps"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(lines["NPS as surveyed"], monthly["nps_measured"].to_numpy(), rtol=1e-12)


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=60), st.integers(2, 4))
@example(values=[2.0, -5e-324], most=2)  # -5e-324 / 2 underflows to -0.0
def test_few_ticks_cover_the_values_with_two_to_most_plus_one_round_ticks(values, most):
    axis = charts.few_ticks(np.array(values), most)
    low, high = axis["range"]
    step = axis["dtick"]
    assert step > 0 and low <= min(values) and max(values) <= high
    assert 1 <= round((high - low) / step) <= most
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5)), "a round step"


def test_long_chart_titles_wrap_instead_of_running_off_a_phone():
    title = "Plan B: more agents, better tools and less advertising vs Status quo"  # a saved name
    layout = charts.base_layout(title, 300, False)
    first, second = layout["title"]["text"].split("<br>")
    assert len(first) <= 46 and f"{first} {second}" == title
    assert layout["margin"]["t"] > charts.base_layout("Short", 300, False)["margin"]["t"]  # room for it
    assert charts.base_layout("Customers won and lost each month", 300, False)["title"]["text"].count("<br>") == 0


def test_presenting_charts_side_by_side_start_their_plots_at_one_height():
    short = charts.base_layout("Customers won and lost each month", 440, True)
    wrapped = charts.base_layout("Cumulative contribution against the baseline", 440, True)
    assert wrapped["title"]["text"].count("<br>") == 1 and short["margin"]["t"] == wrapped["margin"]["t"]
    # An axis a chart sets itself keeps the presenting tick size.
    layout = charts.base_layout("t", 440, True, xaxis=dict(title=dict(text="$ per month")))
    assert layout["xaxis"]["tickfont"]["size"] > charts.base_layout("t", 440, False)["xaxis"]["tickfont"]["size"]


def test_every_chart_is_a_plotly_figure_with_a_title_traces_and_named_axes():
    base = cx_roi.simulate(Scenario())
    boost = cx_roi.simulate(cx_roi.load_preset("service-boost"))
    figures = [
        charts.customers_by_source(base.monthly, big=True), charts.sentiment_mix(base.monthly),
        charts.customer_base(base.monthly), charts.nps_lines(base.monthly), charts.service_level(base.monthly, 20),
        charts.average_wait(base.monthly), charts.contribution_vs_baseline(boost.monthly, base.monthly, 18.0),
        charts.contribution_vs_baseline(base.monthly, base.monthly, None),
        compare_charts.overlay({"a": base.monthly, "b": boost.monthly}, "customers", title="t", axis_title="y", baseline="a"),
        compare_charts.overlay({"a": base.monthly, "b": boost.monthly}, "cumulative_contribution", title="t",
                       axis_title="y", money=True, baseline="a", relative=True),
        compare_charts.npv_bridge(cx_roi.npv_bridge(base, boost), scenario="b", baseline="a"),
    ]
    for fig in figures:
        assert isinstance(fig, go.Figure) and fig.layout.title.text and fig.data
        # Every value axis is named; the bridge's bars are named on their own (category) axis.
        assert fig.layout.xaxis.title.text and (fig.layout.yaxis.title.text or fig.data[0].orientation == "h")
        go.Figure(fig.to_dict())  # what Streamlit sends reads back as a valid figure


def test_contribution_chart_marks_payback_or_says_why_not():
    base = cx_roi.simulate(Scenario())
    boost = cx_roi.simulate(cx_roi.load_preset("service-boost"))
    payback = cx_roi.compare(["status-quo", "service-boost"]).loc["service-boost", "payback_month"]
    fig = charts.contribution_vs_baseline(boost.monthly, base.monthly, payback)
    assert fig.layout.annotations[0].text == f"Pays back in month {int(payback)}"
    same = charts.contribution_vs_baseline(base.monthly, base.monthly, None)
    assert same.layout.annotations[0].text == "Same cash as the baseline"
    worse = cx_roi.simulate(Scenario().replace(**{AD: 900_000.0}))
    never = charts.contribution_vs_baseline(worse.monthly, base.monthly, float("nan"))
    assert never.layout.annotations[0].text == "No payback within the horizon"
    megaphone = cx_roi.simulate(cx_roi.load_preset("online-megaphone"))
    other = charts.contribution_vs_baseline(megaphone.monthly, base.monthly, float("nan"), other_inputs_differ=True)
    assert other.layout.annotations[0].text == "Other inputs differ: no payback shown"  # as the cards say
    # The note sits in the corner the line leaves empty: top left when it ends above zero
    # (it rises from zero there), bottom left when it ends below.
    assert never.layout.annotations[0].y < 0.5 and never.layout.annotations[0].yanchor == "bottom"
    ends_up = (megaphone.monthly["cumulative_contribution"].iloc[-1]
               >= base.monthly["cumulative_contribution"].iloc[-1])
    assert (other.layout.annotations[0].y > 0.5) == ends_up
    # The line's last value is said as cash, in the same corner, under (or over) the note.
    cash = never.layout.annotations[1]
    end = float((worse.monthly["cumulative_contribution"] - base.monthly["cumulative_contribution"]).iloc[-1])
    assert cash.text == f"{fmt.signed_money(end)} cash by month 60" and cash.y == never.layout.annotations[0].y
    assert cash.yshift > 0, "above the note at the bottom"
    paid = fig.layout.annotations[1]
    assert paid.text.endswith("cash by month 60") and paid.text.startswith("+$") and paid.y > 0.5 and paid.yshift < 0
    # The payback is said in the corner too: beside its marker the rising line ran into the words.
    assert fig.layout.annotations[0].xref == "paper" and fig.layout.annotations[0].y == paid.y
    assert len(same.layout.annotations) == 1, "no cash line when there is no difference"


def test_chart_data_are_the_models_monthly_columns_exactly():
    monthly = cx_roi.simulate(Scenario()).monthly
    wins, word, churned = charts.customers_by_source(monthly).data
    base, = charts.customer_base(monthly).data
    np.testing.assert_array_equal(wins.x, monthly.index)
    np.testing.assert_array_equal(wins.y, monthly["new_from_ads"])  # bit for bit
    np.testing.assert_array_equal(word.y, monthly["new_from_wom"])
    np.testing.assert_array_equal(churned.y, -monthly["churned"])
    np.testing.assert_array_equal(churned.customdata, monthly["churned"])
    np.testing.assert_array_equal(base.y, monthly["customers"])


def test_margins_are_left_to_plotly():
    """Every axis grows its margin to fit its labels (automargin), and the legend sits at the foot of
    the figure, where plotly grows the bottom margin to fit it at any width."""
    base = cx_roi.simulate(Scenario())
    m = base.monthly
    q = cx_roi.simulate_many(Scenario().replace(horizon_months=24), draws=50).monthly_quantiles("customers")
    figures = [charts.customers_by_source(m), charts.sentiment_mix(m, big=True), charts.service_level(m, 20),
               charts.contribution_vs_baseline(m, m, None), compare_charts.npv_bridge(cx_roi.npv_bridge(base, base),
                                                                              scenario="b", baseline="a"),
               decision_charts.fan_chart(q, q, title="t", axis_title="a"),
               decision_charts.outcome_histogram(np.arange(100.0), title="t", axis_title="a")]
    for fig in figures:
        layout = fig.to_dict()["layout"]
        axes = [v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))]
        assert axes and all(axis.get("automargin") is True for axis in axes), layout["title"]["text"]
        legend = layout["legend"]
        assert (legend["orientation"], legend["yref"], legend["y"], legend["yanchor"]) == ("h", "container", 0, "bottom")


def test_a_runaway_scenario_does_not_flatten_the_others_on_compare():
    """The online megaphone (another business) ends some $95M above the baseline beside the service
    boost's $8M: drawn to its scale the service boost lay flat on the zero line. The axis spans the
    others, and the runaway line's legend entry says where it ends."""
    base = cx_roi.simulate(cx_roi.load_preset("status-quo")).monthly
    boost = cx_roi.simulate(cx_roi.load_preset("service-boost")).monthly
    mega = cx_roi.simulate(cx_roi.load_preset("online-megaphone")).monthly
    frames = {"Status quo": base, "Online megaphone": mega, "Service boost": boost}
    fig = compare_charts.overlay(frames, "cumulative_contribution", title="t", axis_title="a", money=True,
                         baseline="Status quo", relative=True)
    gap = (boost["cumulative_contribution"] - base["cumulative_contribution"]).to_numpy()
    low, high = fig.layout.yaxis.range
    assert low <= gap.min() and gap.max() <= high and high - low < 2 * (gap.max() - min(gap.min(), 0.0))
    end = float((mega["cumulative_contribution"] - base["cumulative_contribution"]).iloc[-1])
    assert end > high, "the megaphone's line runs off the top"
    names = [t.name for t in fig.data]
    assert names[1] == f"Online megaphone (off the scale: {fmt.signed_money(end)} by month 60)", names
    # Scenarios of one scale keep plotly's own range, with no note.
    close = compare_charts.overlay({"Status quo": base, "Service boost": boost, "Ad boost": cx_roi.simulate(
        cx_roi.load_preset("ad-boost")).monthly}, "cumulative_contribution", title="t", axis_title="a", money=True,
        baseline="Status quo", relative=True)
    assert close.layout.yaxis.range is None and [t.name for t in close.data][1] == "Service boost"


def test_a_month_charts_hover_says_month_and_reads_in_the_text_colour():
    """The hover's heading was a bare "26", in a faint 12-pixel grey (3.7:1 on white)."""
    from cx_roi import palette
    from ui.charts import base_layout, type_size

    for big in (False, True):
        layout = go.Figure(layout=base_layout("t", 300, big, months=60)).layout
        assert layout.xaxis.unifiedhovertitle.text == "Month %{x}"
        assert layout.hoverlabel.font.color == palette.TEXT and layout.hoverlabel.font.size == type_size(big)


def test_a_money_axis_of_nothing_but_zeros_is_not_labelled_in_milli_dollars():
    """Scenarios the same as the baseline drew axes of "-$500m" to "$500m" (plotly's -1 to 1 in
    milli-dollars, read as half a billion): such an axis spans a million either side."""
    base = cx_roi.simulate(Scenario())
    bridge = compare_charts.npv_bridge(cx_roi.npv_bridge(base, base), scenario="b", baseline="a").to_dict()["layout"]
    lines = compare_charts.overlay({"a": base.monthly, "b": base.monthly}, "cumulative_contribution", title="t",
                           axis_title="y", baseline="a", relative=True, money=True).to_dict()["layout"]
    for axis in (bridge["xaxis"], lines["yaxis"]):
        low, high = axis["range"]
        assert low <= -1e5 and high >= 1e5
    apart = compare_charts.overlay({"a": base.monthly, "b": cx_roi.simulate(cx_roi.load_preset("ad-boost")).monthly},
                           "cumulative_contribution", title="t", axis_title="y", baseline="a", relative=True,
                           money=True).to_dict()["layout"]["yaxis"]
    assert "range" not in apart, "scenarios that differ keep plotly's own range"


def test_the_returns_chart_names_the_objective_it_measures():
    alloc = cx_roi.optimize_budget(Scenario(), 300_000)
    axis = decision_charts.marginal_bars(alloc.marginal, what="Cautious NPV").to_dict()["layout"]["xaxis"]
    assert axis["title"]["text"].startswith("Cautious NPV gained")
