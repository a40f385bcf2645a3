"""The monthly engine against known answers: Bass recurrence, NPV, CLV, conservation."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import cx_roi
from cx_roi import Scenario, ScenarioError, simulate, simulate_batch
from cx_roi.advertising import hill
from cx_roi.economics import monthly_rate

REQUIRED_MONTHLY = ["customers", "new_from_ads", "new_from_wom", "churned", "promoters", "passives",
                    "detractors", "agents", "service_level", "asa_seconds", "abandon_rate", "revenue",
                    "service_cost", "ad_cost", "contribution", "cumulative_contribution"]
REQUIRED_KPIS = ["npv", "payback_month", "clv", "cac_paid", "cac_blended", "wom_share",
                 "final_customers", "avg_monthly_churn"]


def test_result_has_the_documented_columns_and_kpis():
    r = simulate(Scenario(horizon_months=36))
    assert list(r.monthly.index) == list(range(1, 37))
    assert set(REQUIRED_MONTHLY) <= set(r.monthly.columns)
    assert list(r.monthly.columns) == list(cx_roi.MONTHLY_COLUMNS)
    assert set(REQUIRED_KPIS) <= set(r.kpis)
    assert all(isinstance(v, float) for v in r.kpis.values())


def test_a_run_on_its_own_has_no_payback_and_a_comparison_does():
    # Payback is a return on extra spend: a business in profit from month 1 would otherwise
    # "pay back" in month 1 on its own, while compare says month 12 against the status quo.
    boost = cx_roi.load_preset("service-boost")
    assert math.isnan(simulate(boost).kpis["payback_month"])
    table = cx_roi.compare({"quo": cx_roi.load_preset("status-quo"), "boost": boost}, baseline="quo")
    assert 1 < table.loc["boost", "payback_month"] <= boost.horizon_months


def test_customers_are_conserved_every_month():
    m = simulate(cx_roi.load_preset("revolving-door")).monthly
    previous = np.concatenate([[100_000.0], m["customers"].to_numpy()[:-1]])
    flows = m["new_from_ads"] + m["new_from_wom"] - m["churned"]
    np.testing.assert_allclose(m["customers"], previous + flows, rtol=1e-12)
    np.testing.assert_allclose(m["promoters"] + m["passives"] + m["detractors"], m["customers"], rtol=1e-12)


def _bass_world(**extra) -> Scenario:
    """No churn, no negative word of mouth, everyone's mix fixed at the product's, steady ads."""
    product_p, product_d = 0.6, 0.05  # product_mix at product_value = 1
    base = dict(
        churn_promoter=0.0, churn_passive=0.0, churn_detractor=0.0, churn_involuntary=0.0,
        detractor_stories_per_month=0.0, stories_per_churned_customer=0.0,
        negative_deterrence_per_impression=0.0, product_value=1.0,
        initial_promoter_share=product_p, initial_detractor_share=product_d,
        fast_promoter_share=product_p, fast_detractor_share=product_d,
        slow_promoter_share=product_p, slow_detractor_share=product_d,
        bad_promoter_share=product_p, bad_detractor_share=product_d,
        initial_customers=1_000.0, market_size=1_000_000.0, horizon_months=120,
        ad_spend_per_month=120_000.0, prior_ad_spend_per_month=120_000.0,
    )
    base.update(extra)
    return Scenario(**base)


def test_adoption_follows_the_bass_hazard_recurrence():
    """With churn and negative stories off and every mix the product's, the engine is the Bass model
    as a competing-risk hazard: n_t = (1 - exp(-(p + q N/M)))(M - N) (``bass_adopters(form="hazard")``)."""
    s = _bass_world()
    m = simulate(s).monthly
    p = s.ad_max_innovation_per_month * hill(s.ad_spend_per_month, s.ad_half_saturation_per_month,
                                             s.ad_hill_shape)
    reach = s.offline_audience + s.online_share * s.online_audience * s.online_impression_weight
    q = s.positive_conversion_per_impression * s.promoter_stories_per_month * reach * 0.6
    n, market, expected = s.initial_customers, s.market_size, []
    for _ in range(s.horizon_months):
        n = n + -np.expm1(-(p + q * n / market)) * (market - n)
        expected.append(n)
    np.testing.assert_allclose(m["customers"], expected, rtol=1e-10)
    # The split by cause is the split of the hazard.
    starts = np.concatenate([[s.initial_customers], m["customers"].to_numpy()[:-1]])
    hazard = p + q * starts / market
    np.testing.assert_allclose(m["new_from_ads"], p / hazard * -np.expm1(-hazard) * (market - starts), rtol=1e-10)
    # Sanity of the setting itself: a real S-curve with a peak inside the horizon.
    new = m["new_from_ads"] + m["new_from_wom"]
    assert 5 < int(np.argmax(new.to_numpy())) < s.horizon_months - 5


def test_npv_matches_a_hand_computation():
    s = Scenario(horizon_months=24, annual_discount_rate=0.12)
    r = simulate(s)
    m = r.monthly
    r_m = 1.12 ** (1 / 12) - 1
    hand = sum(m["contribution"].iloc[t] / (1 + r_m) ** (t + 1) for t in range(24))
    contribution = (s.gross_margin * s.arpu_per_month * m["customers"] - m["service_cost"] - m["ad_cost"]
                    - s.onboarding_cost_per_customer * (m["new_from_ads"] + m["new_from_wom"]))
    np.testing.assert_allclose(m["contribution"], contribution, rtol=1e-12)
    assert r.kpis["npv_operating"] == pytest.approx(hand, rel=1e-12)
    # Terminal value: customers left x m (1 - c) / (c + r_m), c from the final mix, m net of service.
    rates = np.array([1 - (1 - s.churn_involuntary) * (1 - c)
                      for c in (s.churn_promoter, s.churn_passive, s.churn_detractor)])
    last = m.iloc[-1]
    bands = np.array([last["promoters"], last["passives"], last["detractors"]])
    c = float(bands @ rates / last["customers"])
    margin = s.gross_margin * s.arpu_per_month - last["service_cost"] / last["customers"]
    tv = last["customers"] * margin * (1 - c) / (c + r_m) / (1 + r_m) ** 24
    assert r.kpis["terminal_value"] == pytest.approx(tv, rel=1e-10)
    assert r.kpis["npv"] == pytest.approx(hand + tv, rel=1e-12)
    no_tv = simulate(s.replace(include_terminal_value=False)).kpis
    assert no_tv["terminal_value"] == 0.0 and no_tv["npv"] == pytest.approx(hand, rel=1e-12)


@pytest.mark.parametrize("churn,annual", [(0.05, 0.10), (0.01, 0.0), (0.2, 0.3)])
def test_clv_closed_form_on_a_closed_book(churn, annual):
    """No acquisition, no spend, one churn rate: NPV with terminal value is N0 x CLV exactly."""
    s = Scenario(
        churn_promoter=0.0, churn_passive=0.0, churn_detractor=0.0, churn_involuntary=churn,
        ad_spend_per_month=0.0, prior_ad_spend_per_month=0.0, service_capacity_spend_per_month=0.0,
        service_quality_spend_per_month=0.0, promoter_stories_per_month=0.0, onboarding_cost_per_customer=0.0,
        detractor_stories_per_month=0.0, stories_per_churned_customer=0.0,
        annual_discount_rate=annual, horizon_months=36)
    r = simulate(s)
    m = s.gross_margin * s.arpu_per_month
    r_m = monthly_rate(annual)
    clv = m * (1 - churn) / (churn + r_m)
    np.testing.assert_allclose(r.monthly["customers"], s.initial_customers * (1 - churn) ** np.arange(1, 37),
                               rtol=1e-12)
    assert r.kpis["clv"] == pytest.approx(clv, rel=1e-12)
    assert r.kpis["avg_monthly_churn"] == pytest.approx(churn, rel=1e-12)
    assert r.kpis["npv"] == pytest.approx(s.initial_customers * clv, rel=1e-10)
    assert np.isnan(r.kpis["cac_paid"]) and np.isnan(r.kpis["wom_share"])


def test_spend_schedules_vary_by_month():
    schedule = tuple([100_000.0] * 12 + [300_000.0] * 12)
    r = simulate(Scenario(horizon_months=36, ad_spend_per_month=schedule))
    ad = r.monthly["ad_cost"].to_numpy()
    assert (ad[:12] == 100_000).all() and (ad[12:] == 300_000).all()  # last value holds
    assert r.monthly["adstock"].iloc[13] > r.monthly["adstock"].iloc[11]


def test_carry_over_from_before_the_plan():
    """Stopping ads still wins customers for a while: the inherited adstock decays."""
    r = simulate(Scenario(ad_spend_per_month=0.0, prior_ad_spend_per_month=300_000.0, adstock_decay=0.6))
    ads = r.monthly["new_from_ads"].to_numpy()
    assert ads[0] > 0 and ads[0] > ads[1] > ads[5] > 0
    cold = simulate(Scenario(ad_spend_per_month=0.0, prior_ad_spend_per_month=0.0)).monthly
    assert (cold["new_from_ads"] == 0).all()


def test_understaffed_centre_stays_finite_and_bad():
    r = simulate(Scenario(service_capacity_spend_per_month=10_000.0))
    m = r.monthly
    assert np.isfinite(m.to_numpy()).all()
    assert (m["abandon_rate"] > 0.5).all() and (m["service_level"] < 0.2).all()
    assert r.kpis["avg_monthly_churn"] > simulate(Scenario()).kpis["avg_monthly_churn"]


def test_no_service_at_all_is_defined():
    r = simulate(Scenario(service_capacity_spend_per_month=0.0, service_quality_spend_per_month=0.0))
    m = r.monthly
    survey = ["nps_measured", "measured_promoter_share", "measured_detractor_share"]
    assert np.isfinite(m.drop(columns=survey).to_numpy()).all()
    assert (m["abandon_rate"] == 1.0).all() and (m["agents"] == 0).all()
    # Every caller hangs up, so nobody is surveyed: the survey has no score, not a score of 0.
    assert m[survey].isna().all().all() and np.isnan(r.kpis["final_nps_measured"])


def test_a_survey_nobody_answers_has_no_score():
    silent = simulate(Scenario(contacts_per_customer_per_month=0.0, horizon_months=12))
    assert silent.monthly["nps_measured"].isna().all() and np.isnan(silent.kpis["final_nps_measured"])
    assert np.isfinite(silent.kpis["final_nps"])
    # A company starting from no customers has nobody to survey in its first month only.
    new = simulate(Scenario(initial_customers=0.0, horizon_months=12)).monthly["nps_measured"]
    assert np.isnan(new.iloc[0]) and new.iloc[1:].notna().all()


def test_weak_product_caps_what_service_can_do():
    weak = Scenario(product_value=0.1, initial_promoter_share=0.1, initial_detractor_share=0.4)
    lavish = weak.replace(service_capacity_spend_per_month=800_000.0, service_quality_spend_per_month=300_000.0)
    r_weak, r_lavish = simulate(weak), simulate(lavish)
    assert r_lavish.kpis["avg_service_level"] > 0.99
    assert r_lavish.kpis["final_nps"] > r_weak.kpis["final_nps"]  # service helps a little...
    assert r_lavish.kpis["final_nps"] < simulate(Scenario()).kpis["final_nps"]  # ...but cannot rescue it
    assert r_lavish.kpis["npv"] < r_weak.kpis["npv"]  # and does not pay for itself


def test_survey_inflation_changes_the_score_not_the_business():
    base = simulate(Scenario(survey_inflation=0.0))
    inflated = simulate(Scenario(survey_inflation=0.3))
    assert inflated.kpis["final_nps_measured"] > base.kpis["final_nps_measured"] + 10
    assert inflated.kpis["final_nps"] == base.kpis["final_nps"]
    assert inflated.kpis["npv"] == base.kpis["npv"]


def test_online_amplification_magnifies_both_signs():
    starved = dict(service_capacity_spend_per_month=120_000.0, service_quality_spend_per_month=0.0)
    quiet = {"online_share": 0.0}
    loud = {"online_share": 0.1, "online_audience": 6_000.0}
    gap_quiet = simulate(Scenario(**quiet)).kpis["npv"] - simulate(Scenario(**quiet, **starved)).kpis["npv"]
    gap_loud = simulate(Scenario(**loud)).kpis["npv"] - simulate(Scenario(**loud, **starved)).kpis["npv"]
    assert gap_loud > 2 * gap_quiet > 0  # good service is worth far more when stories travel


def _number_after(text: str, prefix: str) -> float:
    import re
    found = re.search(re.escape(prefix) + r"\s*\$?([0-9.]+)", text)
    assert found, f"{prefix!r} not in {text!r}"
    return float(found.group(1))


def test_default_cost_per_contact_is_what_its_source_says():
    """The capacity default's source text names a first-month cost per contact; it must stay true."""
    claimed = _number_after(cx_roi.PARAMETERS["service_capacity_spend_per_month"].source, "is about")
    m = simulate(Scenario()).monthly
    per_contact = (m["service_cost"] / m["contacts"]).iloc[0]
    assert round(per_contact, 1) == claimed
    assert abs(per_contact - 8.01) / 8.01 < 0.05  # "close to Gartner's $8.01"


def test_default_voluntary_churn_is_what_its_source_says():
    """The churn defaults' source text names the voluntary churn of the default mix."""
    p = cx_roi.PARAMETERS
    claimed = _number_after(p["churn_promoter"].source, "give about") / 100
    promoters, detractors = p["initial_promoter_share"].default, p["initial_detractor_share"].default
    mix = np.array([promoters, 1.0 - promoters - detractors, detractors])
    rates = np.array([p["churn_promoter"].default, p["churn_passive"].default, p["churn_detractor"].default])
    assert round(float(mix @ rates), 3) == pytest.approx(claimed)
    # The mix the text states is the default's.
    assert f"{promoters:.0%} promoters" in p["churn_promoter"].source
    assert f"{detractors:.0%} detractors" in p["churn_promoter"].source


def test_default_ad_innovation_is_what_its_source_says():
    """The ad-adoption default's source text names the yearly Bass p the default spend gives."""
    claimed = _number_after(cx_roi.PARAMETERS["ad_max_innovation_per_month"].source, "gives about")
    m = simulate(Scenario()).monthly
    assert round(float(m["ad_innovation"].mean()) * 12, 3) == claimed


def test_batch_equals_one_by_one():
    names = cx_roi.presets()
    batch = simulate_batch([cx_roi.load_preset(n) for n in names])
    for i, name in enumerate(names):
        single = simulate(cx_roi.load_preset(name))
        pd.testing.assert_frame_equal(batch.monthly_frame(i), single.monthly, rtol=1e-13)
        for k, v in single.kpis.items():
            np.testing.assert_allclose(batch.kpis[k].iloc[i], v, rtol=1e-13)


def test_draws_override_per_draw_and_keep_order():
    values = np.array([0.2, 0.6, 1.0])
    batch = simulate_batch(Scenario(), draws={"product_value": values})
    assert batch.size == 3
    for i, v in enumerate(values):
        single = simulate(Scenario(product_value=float(v)))
        assert batch.kpis["npv"].iloc[i] == pytest.approx(single.kpis["npv"], rel=1e-13)
    assert batch.kpis["npv"].is_monotonic_increasing


def test_batch_columns_and_float32_storage():
    batch = simulate_batch(Scenario(), draws={"churn_detractor": np.linspace(0.05, 0.1, 4)},
                           columns=["customers"], dtype=np.float32)
    assert list(batch.monthly) == ["customers"] and batch.monthly["customers"].dtype == np.float32
    full = simulate_batch(Scenario(), draws={"churn_detractor": np.linspace(0.05, 0.1, 4)})
    np.testing.assert_allclose(batch.monthly["customers"], full.monthly["customers"], rtol=1e-6)
    pd.testing.assert_frame_equal(batch.kpis, full.kpis)  # KPIs never lose precision
    assert batch.nbytes() < full.nbytes()


def test_chunking_does_not_change_results():
    draws = {"online_audience": np.linspace(0, 6000, 7)}
    a = simulate_batch(Scenario(), draws=draws, chunk_size=3)
    b = simulate_batch(Scenario(), draws=draws)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)


@pytest.mark.parametrize("draws,fragment", [
    ({"shrinkage": [0.2, 1.5]}, "shrinkage"),
    ({"shrinkage": [0.2, np.nan]}, "shrinkage"),
    ({"not_a_field": [1.0, 2.0]}, "not_a_field"),
    ({"horizon_months": [12, 24]}, "horizon_months"),
    ({"shrinkage": [0.2, 0.3], "aht_seconds": [300.0]}, "same length"),
    ({"fcr_floor": [0.9, 0.9]}, "fcr_floor"),
])
def test_bad_draw_values_name_their_field(draws, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        simulate_batch(Scenario(), draws=draws)


def test_batch_rejects_mixed_horizons_and_non_scenarios():
    with pytest.raises(ScenarioError, match="horizon"):
        simulate_batch([Scenario(horizon_months=12), Scenario(horizon_months=24)])
    with pytest.raises(TypeError):
        simulate_batch([])
    with pytest.raises(TypeError):
        simulate({"ad_spend_per_month": 1})  # type: ignore[arg-type]


def test_unknown_monthly_column_is_rejected():
    with pytest.raises(ValueError, match="nope"):
        simulate_batch(Scenario(), columns=["customers", "nope"])


@pytest.mark.parametrize("draws,words", [
    ({"shrinkage": 0.3}, "shrinkage: per-draw values need an array of shape (draws,)"),
    ({"shrinkage": ["a", "b"]}, "shrinkage: per-draw values must be numbers"),
    ({"shrinkage": np.full((2, 3), 0.3)},
     "shrinkage: one value per draw (an array of shape (draws,)), got shape (2, 3)"),
    ({"shrinkage": [0.3, 5.0]}, "shrinkage: 1 draw value(s) outside 0 to 0.9 (share of paid time), e.g. 5.0"),
    ([0.3], "draws: expected a mapping of field name -> array"),
])
def test_bad_draws_are_named(draws, words):
    with pytest.raises(ScenarioError) as info:
        simulate_batch(Scenario(), draws=draws)
    assert words in str(info.value)


@pytest.mark.parametrize("options,words", [
    ({"chunk_size": 0}, "chunk_size: a whole number of at least 1, got 0"),
    ({"chunk_size": 1.5}, "chunk_size: a whole number of at least 1"),
    ({"workers": "a"}, "workers: a whole number of at least 1"),
    ({"dtype": "foo"}, "dtype: numpy.float64 or numpy.float32"),
    ({"dtype": int}, "dtype: numpy.float64 or numpy.float32"),
    ({"dtype": "float16"}, "dtype: numpy.float64 or numpy.float32"),  # overflows above 65,504
    ({"columns": "customers"}, "write columns=['customers']"),
])
def test_batch_options_that_cannot_be_used_are_named(options, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        cx_roi.simulate_batch(cx_roi.Scenario(), **options)


@pytest.mark.parametrize("draws,words", [
    ({"market_size": [10**400, 5]}, "market_size: a per-draw value is too large"),
    ({"shrinkage": ["0.1", "0.2"]}, "shrinkage: per-draw values must be numbers"),
])
def test_per_draw_values_that_are_not_usable_numbers_are_named(draws, words):
    with pytest.raises(cx_roi.ScenarioError, match=words):
        cx_roi.simulate_batch(cx_roi.Scenario(), draws=draws)


def test_an_extra_amount_too_large_for_a_float_is_named_briefly():
    with pytest.raises(cx_roi.ScenarioError, match=r"extra_per_month: got 1000000000\d{30}\.\.\.; expected") as info:
        cx_roi.next_dollar(cx_roi.Scenario(), 10**400)
    assert len(str(info.value)) < 200


def test_the_first_customers_of_an_empty_business_are_not_charged_the_service_budget_for_ever():
    """The terminal value is never below zero (the company can stop serving): a dollar a month of
    advertising that wins an empty business its first few customers moves NPV by about that
    dollar's cost, not by the service budget as a perpetuity (it fell $3M)."""
    empty = cx_roi.Scenario(initial_customers=0, ad_spend_per_month=0.0, prior_ad_spend_per_month=0.0)
    first = empty.replace(ad_spend_per_month=1.0)
    runs = [cx_roi.simulate(s).kpis for s in (empty, first)]
    assert runs[1]["final_customers"] > 0 and runs[0]["final_customers"] == 0
    assert abs(runs[1]["npv"] - runs[0]["npv"]) < 1_000
    flooded = cx_roi.simulate(cx_roi.Scenario(service_capacity_spend_per_month=99_999_999)).kpis
    assert flooded["terminal_value"] == 0 and flooded["npv"] == flooded["npv_operating"]


def test_a_business_without_customers_surveys_nobody():
    """No customers, no contacts, no answers: the surveyed NPS has no score, every month (it read
    +56 from the product's own mix, then 0), while the true one is 0."""
    empty = cx_roi.Scenario(initial_customers=0, ad_spend_per_month=0.0, prior_ad_spend_per_month=0.0)
    r = cx_roi.simulate(empty)
    assert np.isnan(r.kpis["final_nps_measured"]) and r.kpis["final_nps"] == 0
    assert r.monthly["nps_measured"].isna().all()
