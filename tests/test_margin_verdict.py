"""The next dollar on the margin: slopes, their odds over paired draws, and the sentence."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import cx_roi
from cx_roi.uncertainty import UNCERTAIN_FIELDS
from cx_roi import Scenario
from cx_roi.verdict import CLOSE_CALL, LEVER_WORDS, margin_verdict, verdict


@pytest.fixture(scope="module")
def optimum():
    return cx_roi.optimize_budget(cx_roi.load_preset("revolving-door"), 550_000.0)


def test_margins_agree_with_the_optimisers_marginal_table(optimum):
    likely = cx_roi.lever_odds(optimum.scenario, draws=1).likely
    for _, row in optimum.marginal.iterrows():
        assert likely[row["lever"]] == pytest.approx(row["marginal_per_1000"], rel=0.01)


def test_at_the_optimisers_split_the_levers_are_level(optimum):
    sentence = margin_verdict(cx_roi.lever_odds(optimum.scenario))
    assert sentence.startswith("On the margin, the levers are level") or "too close to call" in sentence


def test_the_chance_comes_from_paired_draws_and_is_reproducible():
    s = cx_roi.load_preset("status-quo")
    a, b = cx_roi.lever_odds(s, draws=120, seed=5), cx_roi.lever_odds(s, draws=120, seed=5)
    assert margin_verdict(a) == margin_verdict(b)
    # The chance is the share of draws in which each lever has the largest slope, draw by draw.
    best = a.draws.to_numpy().argmax(axis=1)
    assert a.chance_service_best == pytest.approx(np.mean(best < 2))
    # The inputs drawn are Risk's (simulate_many's) draws for the same seed.
    ens = cx_roi.simulate_many(s, draws=120, seed=5)
    for name in ("positive_conversion_per_impression", "churn_detractor"):
        np.testing.assert_allclose(a.inputs[name].to_numpy(), ens.values[name])


def test_the_return_per_dollar_is_the_slope_over_the_spends_present_value():
    s = cx_roi.load_preset("status-quo")
    odds = cx_roi.lever_odds(s, draws=1)
    months = np.arange(1, s.horizon_months + 1)
    pv = (1_000.0 / (1 + s.annual_discount_rate) ** (months / 12)).sum()
    for lever, slope in odds.likely.items():
        assert odds.per_dollar[lever] == pytest.approx(slope / pv)
    # ...which is the ROI of a small step, as next_dollar reports it for a larger one.
    step = cx_roi.next_dollar(s, 1_000.0)
    for lever in odds.likely:
        assert odds.per_dollar[lever] == pytest.approx(step.loc[lever, "roi"], rel=0.05)


@pytest.mark.parametrize("name", cx_roi.presets())
def test_every_preset_gets_a_winner_or_too_close_to_call_with_its_chance(name):
    odds = cx_roi.lever_odds(cx_roi.load_preset(name))
    sentence = margin_verdict(odds)
    chance = re.search(r"(>?\d+)% of 300 plausible worlds", sentence)
    assert chance, sentence
    won = re.match(r"On the margin, (.+?) wins: ", sentence)
    if won:
        lever = won.group(1)
        assert lever in (LEVER_WORDS[odds.service_lever], "advertising")
        side = odds.chance_service_best if lever != "advertising" else 1 - odds.chance_service_best
        assert side >= CLOSE_CALL
        figure = odds.per_dollar[odds.service_lever if lever != "advertising" else "ad_spend_per_month"]
        assert f"${figure:,.2f}" in sentence
    else:
        assert "too close to call" in sentence or "level" in sentence or "neither" in sentence


def test_too_close_to_call_names_the_assumption_that_decides_it():
    odds = cx_roi.lever_odds(cx_roi.load_preset("service-boost"))
    assert 1 - CLOSE_CALL < odds.chance_service_best < CLOSE_CALL
    sentence = margin_verdict(odds)
    field = odds.decider()
    assert field in UNCERTAIN_FIELDS
    assert "too close to call" in sentence and cx_roi.PARAMETERS[field].label.lower() in sentence
    # The decider really moves the gap: the draws split by it disagree on the winner.
    gap = odds.draws[["service_capacity_spend_per_month", "service_quality_spend_per_month"]].max(axis=1) - \
        odds.draws["ad_spend_per_month"]
    low = odds.inputs[field] < odds.inputs[field].median()
    assert np.sign(gap[low].mean()) != np.sign(gap[~low].mean())


def test_what_one_more_customer_costs_kept_and_won_comes_out_of_the_mechanics():
    from cx_roi.verdict import customer_costs

    door = cx_roi.lever_odds(cx_roi.load_preset("revolving-door"), draws=1)
    weak = cx_roi.lever_odds(cx_roi.load_preset("great-service-weak-product"), draws=1)
    # Revolving door: a customer through service is far cheaper than one through ads; a weak product: the other way.
    assert door.cost_per_customer[door.service_lever] < door.cost_per_customer["ad_spend_per_month"]
    assert weak.cost_per_customer[weak.service_lever] > weak.cost_per_customer["ad_spend_per_month"]
    for odds, cheaper in ((door, "Service"), (weak, "Advertising")):
        sentence = customer_costs(odds)
        for lever in (odds.service_lever, "ad_spend_per_month"):
            assert cx_roi.formatting.money(odds.cost_per_customer[lever]) in sentence
        assert f"{cheaper} is the cheaper way" in sentence
    # The cost is the spend's present value over the customers it adds at the horizon.
    s = cx_roi.load_preset("revolving-door")
    step = 1_000.0
    more = cx_roi.simulate(s.replace(ad_spend_per_month=s.ad_spend_per_month + step)).kpis["final_customers"]
    less = cx_roi.simulate(s.replace(ad_spend_per_month=s.ad_spend_per_month - step)).kpis["final_customers"]
    assert door.customers["ad_spend_per_month"] == pytest.approx((more - less) / 2, rel=1e-9)


def test_the_command_line_says_the_margin_too(capsys):
    from cx_roi.__main__ import main

    assert main(["next-dollar", "--preset", "revolving-door"]) == 0
    out = capsys.readouterr().out
    assert "On the margin, service quality (training, tools) wins" in out and "Service is the cheaper" in out


# ---------------------------------------------------------------- one-off costs of a lever change

def test_a_one_off_cost_enters_npv_roi_and_payback_as_spend_in_month_1():
    base = cx_roi.Scenario()
    plan = base.replace(service_quality_spend_per_month=60_000.0)
    costly = plan.replace(quality_one_off_cost=400_000.0)
    a, b = cx_roi.simulate(plan), cx_roi.simulate(costly)
    r_m = (1 + base.annual_discount_rate) ** (1 / 12) - 1
    # NPV falls by the cost discounted one month; nothing else in the model moves.
    assert a.kpis["npv"] - b.kpis["npv"] == pytest.approx(400_000.0 / (1 + r_m), rel=1e-9)
    assert b.kpis["final_customers"] == a.kpis["final_customers"]
    assert b.monthly["quality_cost"].iloc[0] == a.monthly["quality_cost"].iloc[0] + 400_000.0
    assert b.kpis["pv_spend"] - a.kpis["pv_spend"] == pytest.approx(400_000.0 / (1 + r_m), rel=1e-9)
    # A one-off cost is spend, not another business: ROI and payback stay defined, and both fall.
    table = cx_roi.compare({"base": base, "plan": plan, "costly": costly}, baseline="base")
    assert table.loc["costly", "differs_beyond_spend"] == 0
    assert table.loc["costly", "roi"] < table.loc["plan", "roi"]
    assert table.loc["costly", "payback_month"] > table.loc["plan", "payback_month"]
    assert table.loc["costly", "roi"] == pytest.approx(
        (b.kpis["npv"] - cx_roi.simulate(base).kpis["npv"]) / (b.kpis["pv_spend"] - cx_roi.simulate(base).kpis["pv_spend"]))


def test_the_files_lead_each_scenario_with_the_same_margin_sentence_as_the_screen():
    from cx_roi import reports
    from cx_roi.verdict import margin_sentences

    lines = reports.verdict_sentences(["status-quo", "revolving-door"], "status-quo", lead="revolving-door")
    door = margin_sentences(cx_roi.load_preset("revolving-door"))[0]
    assert lines[0] == f"revolving-door — {door}"  # the scenario on screen, its margin first
    assert lines[1].startswith("revolving-door — Putting $50k a month more")  # then its larger step
    assert f"status-quo — {margin_sentences(cx_roi.load_preset('status-quo'))[0]}" in lines


def test_the_files_headline_gives_the_odds_the_compare_page_gives():
    """The same chance, over the same paired draws, with how many worlds it counts."""
    from cx_roi import reports
    from cx_roi.margins import ODDS_DRAWS
    from cx_roi.verdict import compare_headline

    names = ["status-quo", "service-boost", "ad-boost"]
    lines = reports.verdict_sentences(names, "status-quo")
    table = cx_roi.compare(names, baseline="status-quo", draws=ODDS_DRAWS, seed=0)
    assert compare_headline(table, 60) in lines
    odds = cx_roi.formatting.chance(table.loc["service-boost", "prob_beats_baseline"])
    assert f"{odds} of {ODDS_DRAWS} plausible worlds" in compare_headline(table, 60)


def test_compare_headline_says_when_the_best_is_another_business():
    """A scenario that differs from the baseline in more than spend may end with the most NPV, but
    the headline must not sell that gap as what spending returns."""
    from cx_roi.verdict import compare_headline

    other = cx_roi.compare({"Base": cx_roi.load_preset("status-quo"), "Other": cx_roi.load_preset("young-product")},
                           baseline="Base")
    spend = cx_roi.compare({"Base": cx_roi.load_preset("status-quo"), "Boost": cx_roi.load_preset("service-boost")},
                           baseline="Base")
    assert other.loc["Other", "differs_beyond_spend"] > 0 and spend.loc["Boost", "differs_beyond_spend"] == 0
    for table, name in ((other, "Other"), (spend, "Boost")):
        sentence = compare_headline(table, 60)
        assert sentence.startswith(name)
        assert cx_roi.formatting.money(abs(table.loc[name, "delta_npv"])) in sentence
        assert ("more than spend" in sentence) == (name == "Other")


def test_two_copies_of_the_best_plan_tie_in_the_headline_and_the_reports():
    # Identical inputs add identical NPV: naming one of them "the most" made a winner of a tie.
    from cx_roi.verdict import compare_headline

    boost = cx_roi.load_preset("service-boost")
    table = cx_roi.compare({"Base": cx_roi.Scenario(), "A": boost, "B": boost, "Ads": cx_roi.load_preset("ad-boost")},
                           baseline="Base")
    gain = cx_roi.formatting.money(table.loc["A", "delta_npv"])
    sentence = compare_headline(table, 60)
    assert sentence.index("A") < sentence.index("B") < sentence.index("tie") and gain in sentence, sentence
    ads = cx_roi.formatting.signed_money(table.loc["Ads", "delta_npv"])
    assert compare_headline(table, 60).endswith(f"next, Ads ({ads}).")
    single = compare_headline(table.drop(index="B"), 60)
    assert single.startswith("A adds the most") and "tie" not in single


def test_a_tie_speaks_for_each_tied_scenario():
    from cx_roi.verdict import compare_headline

    base = cx_roi.Scenario()
    plan = base.replace(service_quality_spend_per_month=base.service_quality_spend_per_month + 60_000)
    copy = plan.replace(survey_inflation=0.5)  # the same NPV, but not the same business by its inputs
    table = cx_roi.compare({"Base": base, "Plan": plan, "Copy": copy}, baseline="Base")
    headline = compare_headline(table, 60)
    assert "tie" in headline and "but Copy differs from Base in more than spend" in headline
    assert "ROI" not in headline, "Copy has no ROI to share"
    # Tied at a loss, or level with the baseline: every tied name, on screen and in the files alike.
    cut = base.replace(ad_spend_per_month=base.ad_spend_per_month / 2)
    lost = cx_roi.compare({"Base": base, "A": cut, "C": cut}, baseline="Base")
    assert "A and C" in compare_headline(lost, 60)
    level = cx_roi.compare({"Base": base, "A": base, "C": base}, baseline="Base")
    assert "A and C, each match it" in compare_headline(level, 60)


def test_a_lever_that_adds_no_customer_has_no_price_per_customer():
    """Far past any slider, more agents and more training keep nobody: the sentence prices the other
    way only."""
    from cx_roi.verdict import LEVER_WORDS, customer_costs

    odds = cx_roi.lever_odds(cx_roi.Scenario(service_capacity_spend_per_month=99_999_999,
                                             service_quality_spend_per_month=99_999_999), draws=0)
    costs = odds.cost_per_customer
    assert np.isnan(costs[odds.service_lever]) and np.isfinite(costs["ad_spend_per_month"])
    sentence = customer_costs(odds)
    assert cx_roi.formatting.money(costs["ad_spend_per_month"]) in sentence
    assert LEVER_WORDS[odds.service_lever] in sentence and "$0" not in sentence


def test_a_lever_at_its_maximum_takes_a_one_sided_slope_and_the_odds_still_come():
    """At the most the model allows, +$1,000 left the allowed range and every draw was refused: the
    odds and the command line's answer failed. The slope there is the difference below it."""
    from cx_roi.margins import lever_odds

    top = cx_roi.PARAMETERS["ad_spend_per_month"].maximum
    scenario = cx_roi.Scenario(ad_spend_per_month=top)
    odds = lever_odds(scenario, draws=20, seed=1)
    below = scenario.replace(ad_spend_per_month=top - 1_000)
    expected = cx_roi.simulate(scenario).kpis["npv"] - cx_roi.simulate(below).kpis["npv"]
    assert odds.likely["ad_spend_per_month"] == pytest.approx(expected, rel=1e-9)
    assert abs(sum(odds.chance_best.values()) - 1) < 1e-9


def test_a_step_that_favours_the_other_service_lever_says_it_is_for_a_step_this_size():
    """Online megaphone: one more dollar does most in service quality, a $50k step in capacity. The
    step's sentence named capacity with no word that it was another lever than the margin's."""
    from cx_roi.verdict import verdict

    s = cx_roi.load_preset("online-megaphone")
    lead = cx_roi.lever_odds(s, draws=0).best
    table = cx_roi.next_dollar(s, 50_000)
    step_best = table.loc[list(cx_roi.comparison.SERVICE_LEVERS), "delta_npv"].idxmax()
    assert lead != step_best, "the preset still shows the two answers apart"
    said = verdict(table, 50_000, s.horizon_months, margin_lead=lead)
    assert "for a step this size" in said and said.index(cx_roi.verdict.LEVER_WORDS[step_best]) < said.index("adds")
    same = verdict(table, 50_000, s.horizon_months, margin_lead=step_best)
    assert "for a step this size" not in same


def test_a_schedule_from_zero_to_the_maximum_has_no_next_dollar_and_says_so():
    from cx_roi.margins import lever_odds

    top = cx_roi.PARAMETERS["ad_spend_per_month"].maximum
    with pytest.raises(cx_roi.ScenarioError, match="neither added nor taken away"):
        lever_odds(cx_roi.Scenario(ad_spend_per_month=(0.0, top)), draws=0)


@pytest.mark.parametrize("name", ["status-quo", "online-megaphone"])
def test_the_likely_values_alone_give_the_lead_and_no_odds(name):
    """lever_odds(draws=0) weighs no worlds: the sentence names the better lever and its figure, and
    no chance (it read 'in - of 0 plausible worlds')."""
    alone = cx_roi.lever_odds(cx_roi.load_preset(name), draws=0)
    text = margin_verdict(alone)
    assert not re.search(r"\b0 plausible|%|–", text)
    service_leads = alone.likely[alone.service_lever] > alone.likely["ad_spend_per_month"]
    assert LEVER_WORDS[alone.service_lever if service_leads else "ad_spend_per_month"] in text


# ---------------------------------------------------------------- the verdict on a fixed step

AD = "ad_spend_per_month"


def _nd(service: float, quality: float, ads: float) -> pd.DataFrame:
    return pd.DataFrame({"delta_npv": [service, quality, ads]},
                        index=["service_capacity_spend_per_month", "service_quality_spend_per_month", AD])


def test_verdict_says_when_a_service_lever_could_not_be_weighed():
    capped = cx_roi.next_dollar(Scenario().replace(service_capacity_spend_per_month=1e9 - 10_000), 50_000)
    sentence = verdict(capped, 50_000, 60)
    assert "Service capacity (agents) cannot take $50k more: its maximum is $1.0B a month" in sentence
    assert "service quality" in sentence
    assert "cannot take" not in verdict(cx_roi.next_dollar(Scenario(), 50_000), 50_000, 60)


@pytest.mark.parametrize("gains, facts", [
    # The facts in the order the sentence gives them: the lever it favours (or none), what each
    # lever adds or loses, and how the two compare.
    ((1e6, 6e6, 2e6), ["service quality", "$6.0M", "3.0 times", "$2.0M", "advertising"]),
    ((1e6, 2.4e6, 2e6), ["service quality", "$2.4M", "20% more", "$2.0M", "advertising"]),
    ((1e6, 218.2e6, 2e6), ["service quality", "$218.2M", "109 times", "$2.0M"]),
    ((1e6, 2.01e6, 2e6), ["service quality", "$2.0M", "about as much", "$2.0M", "advertising"]),
    ((1e6, 2e6, 9e6), ["advertising", "$9.0M", "4.5 times", "$2.0M", "service quality"]),
    ((1e6, 2e6, -5e5), ["service quality", "$2.0M", "advertising", "lose $500.0k"]),
    ((-1e6, -2e6, 3e6), ["advertising", "$3.0M", "lose $1.0M", "service capacity"]),
    ((-1e6, -2e6, -3e6), ["neither", "lose $1.0M", "service capacity", "$3.0M", "advertising", "keeping the money"]),
    ((float("nan"), float("nan"), 1e6), ["cannot value"]),
])
def test_verdict_covers_every_case(gains, facts):
    sentence = verdict(_nd(*gains), 50_000, 60)
    assert ") (" not in sentence, "a lever's own brackets never run into the amount's"
    assert "$50k a month" in sentence and ("over 5 years" in sentence or "cannot" in sentence)
    at = 0
    for fact in facts:
        assert fact in sentence[at:], (fact, sentence)
        at = sentence.index(fact, at) + len(fact)
