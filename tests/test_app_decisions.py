"""The Risk and Optimise pages through AppTest: figures match the package, settings live in the URL,
bad settings give a clear message and never a traceback.

Expected figures are computed with ``cx_roi`` directly, so a test fails when a
page shows anything other than what the model says for its settings.
"""

from __future__ import annotations

import math
import re
import threading

import numpy as np
import pandas as pd
import pytest

import cx_roi
from cx_roi import formatting as fmt
from cx_roi.risk import paired_outcomes, risk_summary
from apptest import card, chart_specs, messages, run_app
from ui import decision_charts, tables, views

RISK, OPTIMISE = "pages/risk.py", "pages/optimise.py"


def risk_app(query: dict[str, str] | None = None):
    return run_app({"draws": "200", **(query or {})}, page=RISK)


# ---------------------------------------------------------------- Risk

def test_risk_cards_match_the_paired_ensembles():
    at = risk_app({"preset": "service-boost"})
    scenario, base = cx_roi.load_preset("service-boost"), cx_roi.load_preset("status-quo")
    ens = cx_roi.simulate_many(scenario, draws=200, seed=0)
    b = cx_roi.simulate_many(base, draws=200, seed=0)
    summary = risk_summary(paired_outcomes(ens, b))
    assert card(at, "Chance it beats the baseline").value == fmt.chance(summary.prob_beats_baseline)
    assert card(at, "Chance it pays back").value == fmt.chance(summary.prob_payback)
    assert card(at, "NPV, middle outcome").value == fmt.money(summary.npv_p50)
    assert card(at, "NPV gain, middle outcome").value == fmt.signed_money(summary.delta_npv_p50)
    assert card(at, "NPV, middle outcome").delta == (
        f"8 in 10 draws: {fmt.money(summary.npv_p10)} to {fmt.money(summary.npv_p90)}")
    assert card(at, "NPV gain, middle outcome").delta == (
        f"8 in 10 draws: {fmt.signed_money(summary.delta_npv_p10)} to {fmt.signed_money(summary.delta_npv_p90)}")
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    for start in ("Customers: the likely range", "Contribution to date: likely range",
                  "NPV gain on the baseline", "ROI of the extra spend", "NPV, one assumption at a time"):
        assert any(t.startswith(start) for t in titles), (start, titles)
    # The ROI histogram's key says which side loses money.
    roi = next(s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith("ROI of the extra spend"))
    assert [t["name"] for t in roi["data"] if t["type"] == "bar"] == ["Below 0%: loses money",
                                                                       "0% or more: money back"]
    # The histogram marks the card's middle outcome and the likely values' gain the caption compares.
    gain = next(s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith("NPV gain"))
    lines = {t["name"]: t["x"] for t in gain["data"] if t.get("mode") == "lines" and t.get("name")}
    likely = cx_roi.simulate(scenario).kpis["npv"] - cx_roi.simulate(base).kpis["npv"]
    assert lines == {f"Middle of the draws: {fmt.signed_money(summary.delta_npv_p50)}": [summary.delta_npv_p50] * 2,
                     f"All at likely values: {fmt.signed_money(likely)}": [pytest.approx(likely)] * 2}


@pytest.mark.parametrize("present", [{}, {"present": "1"}])
@pytest.mark.parametrize("page, query", [("pages/explore.py", {"preset": "service-boost"}),
                                         (RISK, {"preset": "service-boost"}), (RISK, {"tornado": "roi"}),
                                         (OPTIMISE, {})])
def test_fixed_chart_titles_take_one_line_even_on_a_phone(page, query, present):
    """A title wraps by its length, for a phone-wide chart; one that wrapped also broke early on a
    laptop or a projector, half its chart empty beside it. Only titles with a scenario's name in
    them may wrap (Compare's bridge)."""
    query = {**query, **present}
    at = run_app({"draws": "200", **query} if page == RISK else query, page=page)
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    assert titles and all("<br>" not in t for t in titles), titles


def test_fan_bands_are_ordered():
    at = risk_app({"preset": "ad-boost"})
    spec = next(s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith("Customers"))
    from apptest import values

    scen = [t for t in spec["data"] if t.get("legendgroup") == "Scenario"]
    hi, lo, mid = (np.array(values(t["y"])) for t in scen)
    assert np.all(lo <= mid + 1e-6) and np.all(mid <= hi + 1e-6)


def test_seed_and_draws_come_from_the_link_and_go_back_into_it():
    at = risk_app({"preset": "service-boost", "seed": "7"})
    assert at.slider(key="w:set:draws").value == 200
    assert at.number_input(key="w:set:seed").value == 7
    before = card(at, "NPV, middle outcome").value
    at.number_input(key="w:set:seed").set_value(8).run()
    assert not at.exception
    assert at.query_params["seed"] in ("8", ["8"])
    after = card(at, "NPV, middle outcome").value
    ens = cx_roi.simulate_many(cx_roi.load_preset("service-boost"), draws=200, seed=8)
    assert after == fmt.money(ens.kpis["npv"].median())
    assert before != after


def test_same_scenario_as_baseline_says_so():
    at = risk_app()
    assert card(at, "Chance it beats the baseline").value == fmt.MISSING
    assert "baseline itself" in messages(at)


@pytest.mark.parametrize("query,words", [
    ({"draws": "0"}, ["draws=0", "100 to 10,000"]),
    ({"draws": "1e9"}, ["draws=1e9", "100 to 10,000"]),
    ({"seed": "abc"}, ["seed=abc", "whole number"]),
    ({"tornado": "everything"}, ["tornado=everything", "npv or roi"]),
    ({"ranges": "online_audience:9:1"}, ["ranges=", "above high"]),
    ({"ranges": "market_size:1:2"}, ["ranges=", "not an uncertain input"]),
    ({"ranges": "online_audience:-5:100"}, ["ranges=", "leaves the allowed"]),
])
def test_bad_risk_settings_in_the_link_get_a_notice_and_defaults(query, words):
    at = run_app(query, page=RISK)
    text = messages(at)
    for w in words:
        assert w in text, (w, text)
    assert at.metric, "the page did not render its cards"


def test_edited_range_from_the_link_drives_the_tornado():
    at = risk_app({"ranges": "online_audience:200:400"})
    spec = next(s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith("NPV, one assumption"))
    ranges = cx_roi.default_ranges(cx_roi.load_preset("status-quo"))
    ranges["online_audience"] = cx_roi.Range(200.0, 300.0, 400.0, False)
    table = cx_roi.tornado(cx_roi.load_preset("status-quo"), ranges=ranges)
    labels = spec["data"][0]["y"]
    # the tornado's top bar (drawn last) is the largest swing; the narrowed input lost its first place
    assert labels[-1] == table["label"].iloc[0]
    assert table["label"].iloc[0] != cx_roi.PARAMETERS["online_audience"].label
    assert at.query_params["ranges"] in ("online_audience:200:400", ["online_audience:200:400"])


def test_a_range_from_the_link_that_is_not_finite_or_given_twice_is_said_in_words():
    at = risk_app({"ranges": "churn_passive:nan:0.04~fcr_floor:-inf:inf~online_audience:200:400~"
                             "online_audience:250:350"})
    notice = " ".join(w.value for w in at.warning)
    label = cx_roi.PARAMETERS["churn_passive"].label
    assert f"{label}: low and high must be numbers within the allowed" in notice
    assert "nan" not in notice.replace("`", " ").split(), "no echo of a code tuple"
    assert "`online_audience` is given more than once; the last entry was used" in notice
    assert cx_roi.PARAMETERS["fcr_floor"].label in notice


def test_a_presented_tornado_gives_each_label_room_for_its_type():
    """Presenting, the type is 1.67 times larger; at 1.2 times the height plotly dropped every other label."""
    from ui.charts import type_size

    table = cx_roi.tornado(cx_roi.load_preset("status-quo"))
    for big in (False, True):
        layout = decision_charts.tornado(table, title="t", axis_title="NPV", big=big).layout
        rows = min(len(table), 10)
        plot = layout.height - layout.margin.t - layout.margin.b
        assert plot / rows >= 2.2 * type_size(big), (big, layout.height)


def test_the_tornado_says_what_its_centre_line_is():
    table = cx_roi.tornado(cx_roi.load_preset("status-quo"))
    npv = decision_charts.tornado(table, title="t", axis_title="NPV").to_dict()["layout"]
    base = float(table["base"].iloc[0])
    assert [a["text"] for a in npv["annotations"]] == [f"All at likely values: {fmt.money(base)}"]
    assert npv["annotations"][0]["x"] == npv["shapes"][0]["x0"] == base
    roi = decision_charts.tornado(table.assign(base=1.5), title="t", axis_title="ROI", percent_axis=True)
    assert roi.to_dict()["layout"]["annotations"][0]["text"] == "All at likely values: 150%"


@pytest.mark.parametrize("metric", ["npv", "roi"])
def test_the_tornado_spans_its_bars_and_not_zero(metric):
    """plotly's own range for bars on a base ran out to zero on a phone, squeezing the bars."""
    scenario = cx_roi.load_preset("service-boost")
    table = cx_roi.tornado(scenario, metric=metric, baseline=cx_roi.load_preset("status-quo") if metric == "roi" else None)
    xaxis = decision_charts.tornado(table, title="t", axis_title=metric, percent_axis=metric == "roi").to_dict()[
        "layout"]["xaxis"]
    lo, hi = xaxis["range"]
    top = table.head(10)
    ends = np.concatenate([top["metric_low"], top["metric_high"], table["base"].iloc[:1]]).astype(float)
    assert xaxis["autorange"] is False
    assert lo < ends.min() and ends.max() < hi, "every bar inside"
    assert (hi - lo) <= 1.2 * (ends.max() - ends.min()), "and little else"


@pytest.mark.parametrize("big", [False, True])
def test_the_tornado_keeps_its_centre_label_clear_of_a_wrapped_title(big):
    table = cx_roi.tornado(cx_roi.load_preset("status-quo"))
    title = "NPV when one assumption moves to its low or high value, the rest at their likely values"
    layout = decision_charts.tornado(table, title=title, axis_title="NPV", big=big).to_dict()["layout"]
    lines = layout["title"]["text"].count("<br>") + 1
    assert lines == 2, "a title this long wraps on a phone-wide chart"
    # The title hangs from the top of the figure; below its lines the label needs a line of its own.
    assert (layout["title"]["yref"], layout["title"]["y"], layout["title"]["yanchor"]) == ("container", 1, "top")
    title_px = layout["title"]["pad"]["t"] + lines * layout["title"]["font"]["size"] * 1.3
    label_px = layout["annotations"][0]["font"]["size"] * 1.3
    assert layout["margin"]["t"] >= title_px + label_px

def test_roi_tornado_from_the_link():
    at = risk_app({"preset": "service-boost", "tornado": "roi"})
    spec = next(s for s in chart_specs(at) if s["layout"]["title"]["text"].startswith("ROI, one assumption at a time"))
    assert spec["layout"]["xaxis"]["title"]["text"] == "ROI against the baseline"


def test_clicking_the_chosen_measure_again_keeps_it():
    # A segmented control reports None when its chosen option is clicked again; the page kept
    # None as the measure and stopped with an error.
    at = risk_app({"tornado": "roi", "preset": "service-boost"})
    at.segmented_control(key="w:set:tornado").set_value(None).run()
    assert not at.exception
    assert at.segmented_control(key="w:set:tornado").value == "roi"
    assert at.query_params.get("tornado") == "roi"


def test_break_even_table_is_shown():
    at = risk_app({"preset": "service-boost"})
    frames = [d.value for d in at.table]
    flips = [f for f in frames if tables.FLIP_COLUMN in f.columns]
    assert flips and len(flips[0]) == 5
    assert list(flips[0].columns) == [tables.FLIP_ASSUMPTION, "Likely value", tables.FLIP_COLUMN, "Change needed"]
    assert any(c.value.startswith("Solidity, in brackets after each assumption") for c in at.caption), "what the solidity words mean"


def _flip_table(at) -> pd.DataFrame:
    return next(d.value for d in at.table if tables.FLIP_COLUMN in d.value.columns)


def test_risks_break_even_is_about_the_next_dollar_and_says_when_the_lead_is_narrow():
    """The flip table weighs the next $1,000 a month, the margin the verdict is about: its flip points
    are the package's break-even for that step, and a scenario near one is warned about."""
    from cx_roi.comparison import with_extra

    at = risk_app()
    quality, ads = "service_quality_spend_per_month", "ad_spend_per_month"
    s = cx_roi.Scenario()
    want = cx_roi.break_even_table(with_extra(s, quality, 1_000.0), with_extra(s, ads, 1_000.0), top=5)
    shown = _flip_table(at)
    assert set(shown["Assumption (solidity)"].str.replace(r" \(\w+\)$", "", regex=True)) == set(want["label"])
    moves = [abs(float(c.rstrip("%"))) for c in shown["Change needed"] if c != fmt.MISSING]
    assert moves == sorted(moves), "the easiest assumption to flip comes first"
    assert moves[0] > 10 and not any(w.value.startswith("The lead is narrow") for w in at.warning)

    # Word of mouth's pull a little above where the lead on the margin flips: now the answer hangs on it.
    field = "positive_conversion_per_impression"
    flip = float(want.set_index("field").loc[field, "break_even"])
    near = risk_app({field: f"{flip * 1.04:.4f}"})
    narrow = [w.value for w in near.warning if w.value.startswith("The lead is narrow")]
    flips = _flip_table(near)
    assert narrow and "would hand it from service quality (training, tools) to advertising:" in narrow[0]
    named = 0
    for _, row in flips.head(3).iterrows():
        label, solidity = re.fullmatch(r"(.+) \((\w+)\)", row["Assumption (solidity)"]).groups()
        change = float(row["Change needed"].rstrip("%"))
        if abs(change) >= 10:  # not narrow: the warning names only the near ones
            continue
        named += 1
        side = "above" if change > 0 else "below"
        assert f"{label.lower()} {abs(change):.1f}% {side} its likely value (solidity {solidity})" in narrow[0]
    assert named and cx_roi.PARAMETERS[field].label in " ".join(flips.head(3)["Assumption (solidity)"])


def test_the_narrow_lead_warning_names_one_or_several_assumptions():
    """The warning's facts: each near assumption with its move, direction and solidity, who holds the
    lead and who would take it, and how many more are left to the table."""
    from ui import views

    assert views.narrow_lead([]) is None
    one = views.narrow_lead([("Churn of promoters", 0.05, "strong")])
    assert "churn of promoters 5.0% above" in one and "strong" in one
    four = views.narrow_lead([("A", -0.01, "weak"), ("B", 0.02, "medium"), ("C", 0.03, "weak"), ("D", 0.04, "weak")],
                             leader="service quality (training, tools)")
    for named in ("a 1.0% below", "b 2.0% above", "c 3.0% above"):
        assert named in four
    assert "d 4.0%" not in four and "1 more" in four  # the rest are in the table, counted
    assert four.index("service quality (training, tools)") < four.index("advertising")  # from the leader, to the other
    assert four.count("(solidity weak)") == 2 and "(solidity medium)" in four
    ads = views.narrow_lead([("Churn of promoters", -0.05, "weak")], leader="advertising")
    assert ads.index("advertising") < ads.index("service")


# ---------------------------------------------------------------- Optimise

def test_optimise_recommends_a_split_that_adds_up_and_matches_the_package():
    at = run_app({"horizon_months": "36"}, page=OPTIMISE)
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=36)
    total = sum(getattr(scenario, lv) for lv in cx_roi.LEVERS)
    alloc = cx_roi.optimize_budget(scenario, total)
    assert card(at, "NPV with the best split").value == fmt.money(alloc.kpis["npv"])
    assert math.isclose(alloc.allocation.iloc[0].sum(), total, rel_tol=1e-6)
    text = "\n".join(m.value for m in at.markdown)
    assert "Recommended:" in text and "next $1,000" in text
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    assert "Monthly budget split" in titles
    assert any(t.startswith("What the next $1,000") for t in titles)


def test_apply_split_carries_it_to_explore():
    at = run_app({"horizon_months": "36", "budget": "400000"}, page=OPTIMISE)
    alloc = cx_roi.optimize_budget(cx_roi.load_preset("status-quo").replace(horizon_months=36), 400_000)
    at.button(key="apply_split").click().run()
    assert not at.exception
    applied = at.session_state["cx"]["scenario"]
    for lv in cx_roi.LEVERS:
        spend, optimum = getattr(applied, lv), float(alloc.allocation[lv].iloc[0])
        assert spend % 1_000 == 0 and abs(spend - optimum) <= 500, (lv, spend, optimum)
    assert any(getattr(applied, lv) != float(alloc.allocation[lv].iloc[0]) for lv in cx_roi.LEVERS), \
        "the optimiser's split is not in round thousands already: the test shows the rounding"
    total = sum(getattr(applied, lv) for lv in cx_roi.LEVERS)
    assert abs(total - 400_000) < 1_500
    # Explore shows the scenario applied, and the notice says the spends were rounded and what they add up to.
    assert card(at, "NPV").value == fmt.money(cx_roi.simulate(applied).kpis["npv"])
    notice = "\n".join(i.value for i in at.info)
    assert "$1,000" in notice, notice
    assert (f"${total:,.0f}" in notice) == (total != 400_000), "the total is named when rounding moved it"


def test_a_presented_split_can_be_applied_and_explore_opens_presenting():
    """The split is the workshop's next step: presenting hid its button."""
    at = run_app({"present": "1", "budget": "400000"}, page=OPTIMISE)
    at.button(key="apply_split").click().run()
    assert not at.exception
    applied = at.session_state["cx"]["scenario"]
    assert abs(sum(getattr(applied, lv) for lv in cx_roi.LEVERS) - 400_000) < 1_500
    assert at.query_params.get("present") in ("1", ["1"])


def test_a_split_that_changes_nothing_says_no_change_not_a_green_zero():
    s = cx_roi.load_preset("status-quo")
    today = {lv: float(getattr(s, lv)) for lv in cx_roi.LEVERS}
    bounds = "~".join(f"{lv}:{v:.0f}:{v:.0f}" for lv, v in today.items())  # today's split is the only one
    at = run_app({"budget": f"{sum(today.values()):.0f}", "bounds": bounds}, page=OPTIMISE)
    for label in ("NPV with the best split", "Customers at the end"):
        metric = next(m for m in at.metric if m.label == label)
        assert metric.delta == views.NO_CHANGE, (label, metric.delta)


def test_budget_slider_moves_into_the_link():
    at = run_app({"horizon_months": "24"}, page=OPTIMISE)
    at.slider(key="w:budget").set_value(300_000.0).run()
    assert not at.exception
    assert at.query_params["budget"] in ("300000", ["300000"])
    assert card(at, "Monthly budget").value.startswith(fmt.amount(300_000))
    assert card(at, "Monthly budget").delta == "-$120.0k vs today"  # today's three spends are $420k
    at.slider(key="w:budget").set_value(420_000.0).run()
    assert card(at, "Monthly budget").delta == "same as today"


def test_two_phase_budget_gives_a_schedule_when_applied():
    at = run_app({"horizon_months": "24", "phases": "first_year", "budget": "500000", "budget_after": "300000"},
                 page=OPTIMISE)
    assert card(at, "Monthly budget").value.startswith(f"{fmt.amount(500_000)} then {fmt.amount(300_000)}")
    at.button(key="apply_split").click().run()
    s = at.session_state["cx"]["scenario"]
    total_first = sum(s.schedule(lv)[0] for lv in cx_roi.LEVERS)
    total_after = sum(s.schedule(lv)[-1] for lv in cx_roi.LEVERS)
    # Each month's spend in round thousands, so the totals are within $500 a lever of the budgets.
    assert all(v % 1_000 == 0 for lv in cx_roi.LEVERS for v in s.schedule(lv))
    assert abs(total_first - 500_000) < 1_500 and abs(total_after - 300_000) < 1_500
    assert any(s.schedule(lv)[0] != s.schedule(lv)[-1] for lv in cx_roi.LEVERS), "a schedule, not one spend"


def test_a_rounded_spend_stays_within_the_levers_limits():
    from ui.settings import round_spend

    assert round_spend(259_486.3) == 259_000 and round_spend(259_500.01) == 260_000
    assert round_spend(400.0) == 0.0 and round_spend(0.0) == 0.0
    # A limit that is not in round thousands is kept rather than crossed.
    assert round_spend(250_600.0, high=250_600.0) == 250_600.0
    assert round_spend(250_400.0, high=250_600.0) == 250_000.0
    assert round_spend(100_450.0, low=100_450.0) == 100_450.0


def test_budget_below_the_fixed_costs_is_explained():
    at = run_app({"bounds": "service_capacity_spend_per_month:500000:", "budget": "300000"}, page=OPTIMISE)
    text = messages(at)
    assert "below the levers' minimums" in text and "$500,000" in text
    assert "- Budget: $300,000 is below" in text and "total_per_month" not in text, "named as on the page"


@pytest.mark.parametrize("query,words", [
    ({"objective": "profit"}, ["objective=profit", "npv, expected_npv, p10_npv"]),
    ({"levers": "ad_spend_per_month"}, ["levers=", "at least two levers"]),
    ({"levers": "tv,radio"}, ["levers=", "not a spend lever"]),
    ({"budget": "-5"}, ["budget=-5", "$0 to"]),
    ({"phases": "quarterly"}, ["phases=quarterly", "whole or first_year"]),
    ({"bounds": "ad_spend_per_month:9:1"}, ["bounds=", "minimum <= maximum"]),
    ({"bounds": "~".join(f"{lv}:20000000:" for lv in cx_roi.LEVERS)},
     ["bounds=", "the minimums add up to $60,000,000 a month, more than the largest budget ($20,000,000)"]),
])
def test_bad_optimise_settings_get_a_notice(query, words):
    at = run_app({"horizon_months": "24", **query}, page=OPTIMISE)
    text = messages(at)
    for w in words:
        assert w in text, (w, text)
    assert at.metric


def find_least_budget(at):
    """Click "Find the least budget": a target from the link waits for it (tests/test_security.py)."""
    next(b for b in at.button if b.label == "Find the least budget").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_impossible_target_says_what_is_reachable():
    """In the page's words and units: the largest budget searched and the most any split reaches."""
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    with pytest.raises(cx_roi.OutOfReach) as err:
        cx_roi.min_budget_for(scenario, 900_000_000.0)
    at = find_least_budget(run_app({"horizon_months": "24", "target": "900000000"}, page=OPTIMISE))
    text = "\n".join(w.value for w in at.warning)
    assert fmt.money(err.value.largest) in text and fmt.count(err.value.best) in text, text
    assert fmt.count(900_000_000) in text
    assert "final_customers" not in text and "max_budget_per_month" not in text, "no code names"


def test_the_least_budget_keeps_the_limits_per_lever():
    """A limit on advertising (a signed media plan) holds in the least budget's split too."""
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    target = round(cx_roi.simulate(scenario).kpis["final_customers"] * 1.05)
    limit = {"ad_spend_per_month": (0.0, 100_000.0)}
    found = cx_roi.min_budget_for(scenario, float(target), bounds=limit)
    assert found.allocation.allocation["ad_spend_per_month"].iloc[0] <= 100_000.0 + 1.0
    at = find_least_budget(run_app({"horizon_months": "24", "target": str(target),
                                    "bounds": "ad_spend_per_month:0:100000"}, page=OPTIMISE))
    text = "\n".join(s.value for s in at.success)
    assert fmt.money(found.budget_per_month) in text, text
    assert fmt.money(found.allocation.allocation["ad_spend_per_month"].iloc[0]) + " on advertising" in text


def test_choosing_an_npv_target_starts_the_box_from_an_npv():
    """The box beside the target's kind starts from a figure of that kind (today's NPV, 10% more
    customers than today): a count of customers is never searched for as dollars of NPV."""
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    npv = cx_roi.simulate(scenario).kpis["npv"]
    at = run_app({"horizon_months": "24"}, page=OPTIMISE)
    at.selectbox[0].set_value("npv").run()
    box = next(n for n in at.number_input if n.label.startswith("Reach at least"))
    assert box.value == math.floor(npv / 100_000) * 100_000 and "NPV" in box.label
    assert at.selectbox[0].value == "npv" and "NPV" in at.selectbox[0].proto.options
    at.selectbox[0].set_value("final_customers").run()
    customers = cx_roi.simulate(scenario).kpis["final_customers"]
    box = next(n for n in at.number_input if n.label.startswith("Reach at least"))
    assert box.value == round(customers * 1.1, -2) and "customers" in box.label


def test_a_budget_cut_after_the_first_year_is_not_the_same_as_today():
    today = sum(float(getattr(cx_roi.load_preset("status-quo"), lv)) for lv in cx_roi.LEVERS)
    at = run_app({"horizon_months": "36", "phases": "first_year", "budget": f"{today:.0f}",
                  "budget_after": f"{today - 100_000:.0f}"}, page=OPTIMISE)
    budget = card(at, "Monthly budget")
    assert "same as today" not in budget.delta
    assert fmt.signed_money(-100_000.0) in budget.delta
    # The bars are per period: $1,000 a month is $12k in the first year and $24k in the 24 months after.
    caption = next(c.value for c in at.caption if "An extra $1,000 a month" in c.value)
    first, after = caption.split("first year")
    assert fmt.money(12_000) in first and fmt.money(24_000) in after and fmt.money(36_000) not in caption


def test_reachable_target_gives_the_least_budget():
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    target = round(cx_roi.simulate(scenario).kpis["final_customers"] * 1.02)
    at = find_least_budget(run_app({"horizon_months": "24", "target": str(target)}, page=OPTIMISE))
    found = cx_roi.min_budget_for(scenario, float(target))
    text = "\n".join(s.value for s in at.success)
    assert fmt.money(found.budget_per_month) in text
    box = at.number_input[0]
    assert box.value == target and "customers" in box.label, "the box says what its number counts"
    assert "96400 is 96,400" in box.help, "and how to type one, as it shows no thousands separators"
    assert f"of {fmt.count(target)} (" in text, "the answer repeats the target with its separators"


# ---------------------------------------------------------------- pure chart functions

def test_decision_charts_are_valid_plotly_figures():
    import plotly.graph_objects as go

    scenario = cx_roi.load_preset("service-boost").replace(horizon_months=24)
    ens = cx_roi.simulate_many(scenario, draws=100)
    q = ens.monthly_quantiles("customers")
    figs = [
        decision_charts.fan_chart(q, q, title="t", axis_title="a"),
        decision_charts.outcome_histogram(ens.kpis["npv"].to_numpy(), title="t", axis_title="a"),
        decision_charts.outcome_histogram(np.array([np.nan]), title="t", axis_title="a", marker=None),
        decision_charts.tornado(cx_roi.tornado(scenario), title="t", axis_title="a"),
    ]
    alloc = cx_roi.optimize_budget(scenario, 400_000)
    two = cx_roi.optimize_budget(scenario, [400_000, 300_000], phases="first_year")
    table = pd.DataFrame({"total_per_month": [300_000.0, 400_000.0], "objective_value": [1e8, 1.2e8],
                          **{lv: [1e5, 1.3e5] for lv in cx_roi.LEVERS}})
    figs += [decision_charts.allocation_bars(alloc.allocation, cx_roi.LEVERS, current=None),
             decision_charts.marginal_bars(alloc.marginal), decision_charts.marginal_bars(two.marginal),
             decision_charts.frontier(table, cx_roi.LEVERS, chosen=350_000.0),
             decision_charts.frontier_split(table, cx_roi.LEVERS, chosen=350_000.0)]
    for fig in figs:
        assert isinstance(fig, go.Figure) and fig.data and fig.layout.title.text
        go.Figure(fig.to_dict())  # what Streamlit sends reads back as a valid figure


def test_the_next_thousand_names_each_lever_on_its_bar():
    """One phase: a bar per lever, named on the axis (grouped under one label they read as one bar)."""
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    spec = decision_charts.marginal_bars(cx_roi.optimize_budget(scenario, 400_000).marginal).to_dict()
    assert [list(t["y"]) for t in spec["data"]] == [[label] for label in cx_roi.LEVERS.values()]
    assert not any(t["showlegend"] for t in spec["data"])
    two = cx_roi.optimize_budget(scenario, [400_000, 300_000], phases="first_year")
    spec = decision_charts.marginal_bars(two.marginal).to_dict()
    assert all(t["showlegend"] and len(set(t["y"])) == 2 for t in spec["data"]), "phases on the axis, levers keyed"


@pytest.mark.parametrize("returns", [[-1600.0, -1650.0, 900.0], [-1600.0, -1650.0, -20.0], [5.0, 7.0, 2000.0]])
def test_the_next_thousands_values_have_room_beyond_their_bars(returns):
    # Written outside each bar: a negative return's label sat on the lever names at the left edge.
    marginal = pd.DataFrame({"phase": "whole horizon", "lever": list(cx_roi.LEVERS),
                             "label": list(cx_roi.LEVERS.values()), "marginal_per_1000": returns, "at_bound": ""})
    figure = decision_charts.marginal_bars(marginal)
    lo, hi = figure.layout.xaxis.range
    longest = {side: max((len(fmt.signed_money(r)) for r in returns if np.sign(r) == side), default=0)
               for side in (-1, 1)}
    # A loss's label has room inside the axis, about a character in sixty of it; a gain's runs into the
    # right margin, about 7 pixels a character at the body's 12-pixel type, whatever the chart's width.
    assert (min(min(returns), 0) - lo) / (hi - lo) >= longest[-1] / 60 if min(returns) < 0 else lo == 0
    assert hi >= max(returns) and figure.layout.margin.r >= 7 * longest[1]


@pytest.mark.parametrize("big", [False, True])
def test_a_longer_value_label_gets_more_room(big):
    """At a budget of $0 every lever is at its lower limit: "+$435.0k (lower limit)" was cut at the
    right edge and "-$55.6k (lower limit)" sat on the lever names. With one phase the limit is said
    under the lever's name and the value stays short; with two (levers in the legend) it is said
    beside the value, and the room beyond the bars grows with the label, and with the type size."""
    returns = [62_500.0, -55_600.0, 435_000.0]

    def marginal(at_bound: str, phases: tuple[str, ...]) -> pd.DataFrame:
        return pd.DataFrame([{"phase": phase, "lever": lv, "label": label, "marginal_per_1000": r,
                              "at_bound": at_bound}
                             for phase in phases for (lv, label), r in zip(cx_roi.LEVERS.items(), returns)])

    one = decision_charts.marginal_bars(marginal("lower", ("whole horizon",)), big=big)
    assert [t.y[0] for t in one.data] == [f"{label}<br>at its lower limit" for label in cx_roi.LEVERS.values()]
    assert [t.text[0] for t in one.data] == [fmt.signed_money(r) for r in returns]

    def room(at_bound: str) -> tuple[float, float]:
        """The loss's room as a share of the axis, and the gain's as pixels of right margin."""
        figure = decision_charts.marginal_bars(marginal(at_bound, ("first year", "after")), big=big)
        lo, hi = figure.layout.xaxis.range
        return (min(returns) - lo) / (hi - lo), figure.layout.margin.r

    plain, noted = room(""), room("lower")
    for flat in ([0.0, 0.0, 0.0], [float("nan")] * 3):  # nothing to show still leaves an axis, room for "$0"
        frame = pd.DataFrame({"phase": "whole horizon", "lever": list(cx_roi.LEVERS),
                              "label": list(cx_roi.LEVERS.values()), "marginal_per_1000": flat, "at_bound": ""})
        lo, hi = decision_charts.marginal_bars(frame, big=big).layout.xaxis.range
        assert lo == 0 and hi > 0
    assert noted[0] > plain[0] and noted[1] > plain[1]
    px = 12 if big else 7  # about 0.6 of the type size a character
    assert noted[1] >= px * len("+$435.0k (lower limit)"), "the gain's label fits in the right margin"
    assert noted[0] < 0.5, "and the bars keep most of the chart"


def test_the_frontier_and_its_split_are_two_charts_on_one_budget_axis():
    table = pd.DataFrame({"total_per_month": [300_000.0, 400_000.0], "objective_value": [1e8, 1.2e8],
                          **{lv: [1e5, 1.3e5] for lv in cx_roi.LEVERS}})
    best = decision_charts.frontier(table, cx_roi.LEVERS).to_dict()
    split = decision_charts.frontier_split(table, cx_roi.LEVERS).to_dict()
    for spec in (best, split):
        assert "yaxis2" not in spec["layout"], "one y-axis a chart"
        assert spec["layout"]["xaxis"]["title"]["text"] == "Monthly budget on the levers"
    assert [list(t.y) for t in decision_charts.frontier(table, cx_roi.LEVERS).data] == [[1e8, 1.2e8]]
    assert [t["name"] for t in split["data"]] == list(cx_roi.LEVERS.values())


def test_lever_colours_keep_their_meaning():
    from ui.charts import COLOURS

    assert decision_charts.LEVER_COLOURS["ad_spend_per_month"] == COLOURS["ads"]
    assert decision_charts.LEVER_COLOURS["service_capacity_spend_per_month"] == COLOURS["service"]


def test_ranges_table_opens_with_every_uncertain_assumption():
    from cx_roi.uncertainty import UNCERTAIN_FIELDS

    at = risk_app({"ranges": "online_audience:200:400"})
    assert not [d for d in at.dataframe if "Low" in d.value.columns], "a closed box draws no table"
    at.session_state["risk_ranges"] = True
    at.run()
    table = next(d.value for d in at.dataframe if "Low" in d.value.columns)
    ranges = cx_roi.default_ranges(cx_roi.load_preset("status-quo"))
    names = [n for n in UNCERTAIN_FIELDS if n in ranges]
    assert list(table["Assumption"]) == [cx_roi.PARAMETERS[n].label for n in names]
    row = table.set_index("Assumption").loc[cx_roi.PARAMETERS["online_audience"].label]
    assert (row["Low"], row["High"], row["Edited"]) == (200.0, 400.0, "yes")
    other = table.set_index("Assumption").loc[cx_roi.PARAMETERS["churn_detractor"].label]
    assert (other["Low"], other["High"]) == (ranges["churn_detractor"].low, ranges["churn_detractor"].high)
    assert any(b.key == "reset_ranges" for b in at.button)


def test_flip_table_reads_each_crossing_in_its_unit():
    import pandas as pd

    from ui import tables

    fields = ["online_audience", "churn_detractor", "churn_passive"]
    raw = pd.DataFrame({"field": fields, "label": [cx_roi.PARAMETERS[f].label for f in fields],
                        "current": [300.0, 0.08, 0.04], "break_even": [294.2, float("nan"), float("nan")],
                        "direction": ["above", "always", "never"],
                        "change": [(294.2 - 300.0) / 300.0, float("nan"), float("nan")]})
    out = tables.flip_table(raw)
    audience, churn = out.iloc[0], out.iloc[1]
    # Rows that cannot flip the lead come after those that can, in their own order.
    named = [f"{cx_roi.PARAMETERS[f].label} ({cx_roi.PARAMETERS[f].solidity})" for f in fields]
    assert list(out[tables.FLIP_ASSUMPTION]) == named, "each name with its solidity"
    again = tables.flip_table(raw.iloc[::-1].reset_index(drop=True))
    assert list(again[tables.FLIP_ASSUMPTION]) == [named[0], named[2], named[1]]
    assert out.iloc[2][tables.FLIP_COLUMN] == "nowhere in its allowed range: advertising leads throughout"
    assert audience[tables.FLIP_COLUMN] == "above 294 people per online story"
    assert churn[tables.FLIP_COLUMN].endswith("no value flips the lead")
    assert audience["Change needed"] == "-1.9%" and churn["Change needed"] == fmt.MISSING  # a bare "-" would be a Markdown list


def test_flip_table_tells_a_flip_a_hair_away_from_the_likely_value():
    """2.0% flipping at 2.03% must not read as 2.0% flipping at 2.0%."""
    import pandas as pd

    from ui import tables

    raw = pd.DataFrame({"field": ["churn_promoter"], "label": ["Churn of promoters"], "current": [0.02],
                        "break_even": [0.0203], "direction": ["below"], "change": [0.015]})
    row = tables.flip_table(raw).iloc[0]
    assert row["Likely value"].split()[0] == "2.00%" and row[tables.FLIP_COLUMN].split()[:2] == ["below", "2.03%"]
    assert row["Change needed"] == "+1.5%"
    assert row[tables.FLIP_ASSUMPTION] == f"Churn of promoters ({cx_roi.PARAMETERS['churn_promoter'].solidity})"
    # A flip short of a whole unit does not read as zero: 6 people flipping at 0.46, not "above 0".
    offline = pd.DataFrame({"field": ["offline_audience"], "label": ["People reached offline"], "current": [6.0],
                            "break_even": [0.46], "direction": ["above"], "change": [-0.923]})
    assert tables.flip_table(offline).iloc[0][tables.FLIP_COLUMN].split()[:2] == ["above", "0.5"]


def test_risk_shows_no_return_on_spend_for_another_business():
    at = risk_app({"preset": "young-product", "baseline": "status-quo"})
    assert card(at, "Chance it pays back").delta == tables.NOT_ONLY_SPEND
    assert not any(s["layout"]["title"]["text"].startswith("ROI") for s in chart_specs(at))
    assert any("ROI is not shown" in i.value for i in at.info)


def test_the_assumption_that_matters_most_is_named_with_its_range_in_its_unit():
    at = risk_app()
    top = cx_roi.tornado(cx_roi.Scenario(), metric="npv").iloc[0]
    spec = cx_roi.PARAMETERS[top["field"]]
    words = (f"across its range ({fmt.param_value(spec.fmt, top['low'])} to "
             f"{fmt.with_unit(spec.fmt, top['high'], spec.unit)})")
    assert spec.unit in words and top["low"] < spec.default < top["high"]
    assert any(words in m.value and m.value.startswith(f"**{top['label']}**") for m in at.markdown), words
    assert any(c.value.startswith("Explore shows the NPV at the likely value") for c in at.caption)


def test_histogram_tails_stay_off_the_axis_instead_of_piling_into_the_end_bars():
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(0, 1, 2_000), [1e3] * 8])  # a long right tail: 0.4% of draws far out
    fig = decision_charts.outcome_histogram(values, title="t", axis_title="a", money_axis=False)
    heights = np.concatenate([np.asarray(t.y, float) for t in fig.data])
    xs = np.concatenate([np.asarray(t.x, float) for t in fig.data])
    assert heights[np.argmax(xs)] < 8 / values.size, "the far draws are not piled into the last bar"
    assert heights.sum() < 1 and fig.layout.annotations[0].text.endswith("of draws lie beyond the axis")
    # Without a far tail every draw is on the axis, and there is no note.
    plain = decision_charts.outcome_histogram(rng.normal(0, 1, 2_000), title="t", axis_title="a",
                                              money_axis=False)
    assert not plain.layout.annotations
    assert sum(np.asarray(t.y, float).sum() for t in plain.data) == pytest.approx(1.0)


def test_optimise_reads_money_as_the_rest_of_the_dashboard():
    at = run_app(page=OPTIMISE)
    assert at.caption[0].value.startswith("For Status quo, the split of a monthly budget")
    assert re.fullmatch(r"\$\d+(\.\d+)?k", card(at, "Monthly budget").value), "a chosen amount, exactly"
    why = next(m.value for m in at.markdown if " a month, goes to " in m.value)
    assert not re.search(r"\$\d{1,3},\d{3}(?! a month)", why), f"compact money, as the bars and cards: {why}"
    assert any("Find the least budget" in c.value for c in at.caption)


def test_the_risk_page_says_its_answers_odds_do_not_use_the_edited_ranges():
    # The margin answer's chance counts the plausible ranges on every page and in every file; with
    # edited ranges the Risk page's own figures move and its answer did not, without a word.
    edited = run_app({"ranges": "shrinkage:0.1:0.5", "draws": "200"}, page=RISK)
    plain = run_app({"draws": "200"}, page=RISK)
    said = [c.value for c in edited.caption if "edited ranges" in c.value]
    assert said and "plausible ranges" in said[0]
    assert not [c.value for c in plain.caption if "edited ranges" in c.value]


def test_one_ranges_edit_with_a_refused_row_and_a_widened_one_says_both():
    # The widened row's notice replaced the refused row's warning: the refusal went unsaid.
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui import state, store, url
        url.init()
        st.session_state[state.ranges_editor_key()] = {"edited_rows": {
            0: {"Low": 0.9, "High": 0.1},   # refused: low above high
            1: {"Low": 0.5, "High": 0.6},   # kept, but leaves out the likely churn of passives
        }}
        state.on_ranges_edit(["shrinkage", "churn_passive"])
        st.session_state["shown"] = [(n.kind, n.text) for n in store.get("notices", [])]

    at = AppTest.from_function(script, default_timeout=60).run()
    [(kind, text)] = at.session_state["shown"]
    assert kind == "warning" and "Shrinkage" in text and "is above high" in text
    assert "Monthly churn of passives" in text and "scenario's own value" in text


def test_a_share_typed_as_a_percentage_in_a_range_is_told_how_to_write_it():
    """The page shows shrinkage as 30%; its range's cells hold 0.3. Typing 45 said only that 45 is
    above 0.35."""
    from ui.settings import range_problem

    assert "0.45 for 45%" in range_problem("shrinkage", 45, 0.35)
    assert "for 45%" not in range_problem("shrinkage", 0.4, 0.35)  # a fraction: nothing to hint
    assert "for 45%" not in (range_problem("aht_seconds", 1, 1e9) or "")  # not a share


def test_a_refused_budget_after_the_first_year_names_what_was_used_instead():
    """It said the scenario's current spend was used; the first year's budget is."""
    at = run_app({"phases": "first_year", "budget": "450000", "budget_after": "-1"}, page=OPTIMISE)
    notice = "\n".join(w.value for w in at.warning)
    assert "budget_after=-1" in notice and "first year's budget" in notice, notice


def test_a_frontier_beside_a_two_budget_plan_says_it_is_one_split_for_the_horizon():
    """It marked the first year's budget as 'your budget' on a one-split curve without a word."""
    at = run_app({"phases": "first_year", "budget": "420000", "budget_after": "300000", "frontier": "1",
                  "horizon_months": "24"}, page=OPTIMISE)
    at.button(key="run_frontier").click().run()
    assert not at.exception
    assert any("one split for the whole horizon" in c.value for c in at.caption)


def test_the_expected_npv_card_says_what_the_split_gains_over_today():
    """The objective's own card had no change: a board could not see whether the split helped."""
    at = run_app({"objective": "expected_npv", "horizon_months": "24"}, page=OPTIMISE)
    shown = card(at, cx_roi.optimisation.OBJECTIVES["expected_npv"].label)
    scenario = cx_roi.load_preset("status-quo").replace(horizon_months=24)
    total = sum(float(getattr(scenario, lever)) for lever in cx_roi.LEVERS)
    best = cx_roi.optimize_budget(scenario, total, objective="expected_npv")
    gain = best.objective_value - cx_roi.optimisation.objective_of(scenario, "expected_npv")
    assert shown.delta == fmt.signed_money(gain)


def test_optimise_gives_the_return_per_dollar_as_explore_does():
    """'+$135.8k per $1,000 a month' on Optimise and '$2.85 a dollar' on Explore are one figure: the
    caption says the second, worked out the same way (per dollar of the extra spend's present value)."""
    at = run_app(page=OPTIMISE)
    scenario = cx_roi.load_preset("status-quo")
    total = sum(float(getattr(scenario, lever)) for lever in cx_roi.LEVERS)
    best = cx_roi.optimize_budget(scenario, total)
    # What Explore says for the next dollar once the split is applied: lever_odds at the split.
    explore = max(cx_roi.lever_odds(best.scenario, draws=0).per_dollar.values())
    assert any(f"is {fmt.money(explore, cents=True)} of NPV" in c.value for c in at.caption)


def test_many_risk_draws_wait_their_turn_behind_heavy_work():
    """Twenty sessions of 10,000 draws at once took a replica to 1.9 GB: beyond the default draws the
    Risk page's run queues with the heavy searches (and says so), the default runs at once."""
    from ui import jobs

    with jobs.HEAVY:  # another session's heavy search holds the process
        quick = run_app({"draws": "2000"}, page="pages/risk.py")
        assert not quick.exception and quick.metric, "the default draws do not wait"
        waiting = threading.Thread(target=lambda: run_app({"draws": "3000", "seed": "7"}, page="pages/risk.py"))
        waiting.start()
        waiting.join(timeout=3)
        assert waiting.is_alive(), "more draws wait for the heavy search to end"
    waiting.join(timeout=120)
    assert not waiting.is_alive()
