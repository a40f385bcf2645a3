"""The stories the product is about, as outcomes of the mechanics (none is typed in).

Each test states a claim of the model and checks it on the simulation: amplification
multiplies the sign service sets, bad service shows, waits hurt by themselves, no month
explodes, surveys are biased by who answers, and every preset's verdict holds under
Risk's ranges.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import cx_roi
from cx_roi import PARAMETERS, Scenario
from cx_roi.margins import lever_odds
from cx_roi.simulation import simulate_batch
from cx_roi.uncertainty import UNCERTAIN_FIELDS

STARVED = {"service_capacity_spend_per_month": 60_000.0, "service_quality_spend_per_month": 0.0}
BASE = Scenario()
STRONG = {"service_capacity_spend_per_month": BASE.service_capacity_spend_per_month * 1.5,
          "service_quality_spend_per_month": BASE.service_quality_spend_per_month * 3}


def _kpis(scenario: Scenario) -> dict[str, float]:
    return cx_roi.simulate(scenario).kpis


@pytest.mark.parametrize("service, sign", [(STARVED, -1), (STRONG, +1)])
def test_amplification_multiplies_the_sign_service_sets(service, sign):
    quiet = _kpis(BASE.replace(online_audience=300.0, **service))
    loud = _kpis(BASE.replace(online_audience=6_000.0, **service))
    assert np.sign(loud["npv"] - quiet["npv"]) == sign
    assert np.sign(loud["final_customers"] - quiet["final_customers"]) == sign


def _plausible_values(pick) -> dict:
    """Every uncertain input drawn in its plausible range by ``pick(low, high)`` (a value or an array
    of them), in the fields' order; an outcome's detractor share gives way to its promoter share,
    the FCR floor to the ceiling."""
    values = {name: pick(*PARAMETERS[name].plausible) for name in UNCERTAIN_FIELDS}
    for prefix in ("fast", "slow", "bad"):
        values[f"{prefix}_detractor_share"] = np.minimum(values[f"{prefix}_detractor_share"],
                                                         1 - values[f"{prefix}_promoter_share"])
    values["fcr_floor"] = np.minimum(values["fcr_floor"], values["fcr_ceiling"])
    return values


def test_the_sign_of_amplification_follows_net_word_of_mouth_across_plausible_scenarios():
    """Doubling the online audience moves NPV the way net word of mouth points, in 95% of
    scenarios drawn across the plausible ranges (and across service spends from starved to
    generous)."""
    rng = np.random.default_rng(7)
    n = 400
    draws = _plausible_values(lambda lo, hi: rng.uniform(lo, hi, n))
    draws["service_capacity_spend_per_month"] = rng.uniform(40_000, 400_000, n)
    draws["service_quality_spend_per_month"] = rng.uniform(0, 90_000, n)
    draws["online_audience"] = np.exp(rng.uniform(np.log(100), np.log(3_000), n))
    doubled = dict(draws, online_audience=draws["online_audience"] * 2)
    base = simulate_batch(BASE, draws=draws, columns=("customers",)).kpis
    loud = simulate_batch(BASE, draws=doubled, columns=("customers",)).kpis
    net = base["net_word_of_mouth"].to_numpy()
    gain = (loud["npv"] - base["npv"]).to_numpy()
    clear = np.abs(net) > 1.0  # a net of under one customer has no sign worth the name
    agree = np.sign(gain[clear]) == np.sign(net[clear])
    assert clear.sum() > 0.9 * n
    assert agree.mean() >= 0.95, agree.mean()
    # Both signs occur: service, not a constant, sets it.
    assert (net > 1).any() and (net < -1).any()


def test_bad_service_shows_in_sentiment():
    """A centre answering fewer than one call in five within a minute for a year turns its callers
    net detractors, and ends at least 25 NPS points below the same company answering 80% or more."""
    starved = cx_roi.simulate(BASE.replace(horizon_months=12, **STARVED))
    good = cx_roi.simulate(BASE.replace(horizon_months=12))
    within_minute = lambda s: cx_roi.simulate(s.replace(horizon_months=12, service_level_target_seconds=60.0)).monthly[
        "service_level"]
    assert within_minute(BASE.replace(**STARVED)).max() < 0.2
    assert within_minute(BASE).min() >= 0.8
    # The callers' own mix: the contact's blend w x experience + (1 - w) x product.
    m = starved.monthly
    assert m["nps"].iloc[-1] <= good.monthly["nps"].iloc[-1] - 25
    from cx_roi import sentiment, service
    s = BASE.replace(**STARVED)
    contacts = m["customers"].iloc[-1] * s.contacts_per_customer_per_month
    oc = service.contact_outcomes(contacts, s.fcr_floor, s.repeat_contacts_per_unresolved, s.eventual_resolution,
                                  float(m["agents"].iloc[-1]), s.aht_seconds, s.patience_seconds,
                                  s.service_level_target_seconds, s.wait_tolerance_seconds, s.open_hours_per_month)
    product = sentiment.product_mix(s.product_value, s.product_promoters_weak, s.product_promoters_outstanding,
                                    s.product_detractors_weak, s.product_detractors_outstanding)
    mixes = [sentiment.band_mix(getattr(s, f"{o}_promoter_share"), getattr(s, f"{o}_detractor_share"))
             for o in ("fast", "slow", "bad")]
    callers = sentiment.contact_mix((np.array(oc.fast), np.array(oc.slow), np.array(oc.bad)), mixes, product,
                                    s.service_weight)
    assert callers[..., 2] > callers[..., 0]


def test_the_reported_target_changes_only_the_reported_service_level():
    a = cx_roi.simulate(BASE.replace(service_level_target_seconds=10.0))
    b = cx_roi.simulate(BASE.replace(service_level_target_seconds=300.0))
    assert not np.allclose(a.monthly["service_level"], b.monthly["service_level"])
    for column in a.monthly.columns.drop("service_level"):
        np.testing.assert_array_equal(a.monthly[column], b.monthly[column], err_msg=column)
    for kpi, value in a.kpis.items():
        if kpi != "avg_service_level":
            assert value == b.kpis[kpi] or (np.isnan(value) and np.isnan(b.kpis[kpi])), kpi


def test_waits_hurt_by_themselves():
    """A caller who tolerates less feels more contacts as slow: sentiment, churn and NPV fall."""
    patient = cx_roi.simulate(BASE.replace(wait_tolerance_seconds=300.0))
    impatient = cx_roi.simulate(BASE.replace(wait_tolerance_seconds=15.0))
    assert impatient.monthly["waited_too_long"].mean() > patient.monthly["waited_too_long"].mean()
    assert impatient.kpis["final_nps"] < patient.kpis["final_nps"]
    assert impatient.kpis["npv"] < patient.kpis["npv"]


@pytest.mark.parametrize("name", cx_roi.presets())
def test_no_preset_moves_its_customers_by_more_than_8_percent_in_a_month(name):
    s = cx_roi.load_preset(name)
    customers = np.concatenate([[s.initial_customers], cx_roi.simulate(s).monthly["customers"].to_numpy()])
    assert np.max(np.abs(np.diff(customers) / customers[:-1])) <= 0.08


def test_the_state_at_month_0_is_settled():
    """With the plan's spends equal to those before it, month 1 changes sentiment and the deterred
    pool only by the slow drift of customers, not by a jump."""
    r = cx_roi.simulate(BASE)
    m = r.monthly
    first, second = m.iloc[0], m.iloc[1]
    assert abs(first["nps"] - second["nps"]) < 1.0
    assert abs(first["deterred"] - second["deterred"]) / first["deterred"] < 0.02


SHARE_COLUMNS = ["fcr", "p_wait", "service_level", "abandon_rate", "occupancy", "waited_too_long",
                 "ad_innovation", "wom_rate", "discount_factor"]


def _keep_cross_rules(values: dict) -> None:
    """Shares of one group add up to at most 1 and the FCR floor stays under its ceiling: the
    detractor share gives way to the promoter share, the floor to the ceiling."""
    for prefix in ("fast", "slow", "bad"):
        values[f"{prefix}_detractor_share"] = min(values[f"{prefix}_detractor_share"],
                                                  1 - values[f"{prefix}_promoter_share"])
    for level in ("weak", "outstanding"):
        values[f"product_detractors_{level}"] = min(values[f"product_detractors_{level}"],
                                                    1 - values[f"product_promoters_{level}"])
    values["initial_detractor_share"] = min(values["initial_detractor_share"], 1 - values["initial_promoter_share"])
    values["fcr_floor"] = min(values["fcr_floor"], values["fcr_ceiling"])


def _allowed(draw):
    names = [n for n, p in PARAMETERS.items() if p.kind == "float" and n not in ("market_size", "initial_customers")]
    values = {}
    for n in names:
        p = PARAMETERS[n]
        values[n] = draw(st.floats(p.minimum, min(p.maximum, 1e7), allow_nan=False))
    _keep_cross_rules(values)
    values["market_size"] = draw(st.floats(1e3, 1e9))
    values["initial_customers"] = draw(st.floats(0, 1)) * values["market_size"]
    return values


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_columns_named_as_shares_stay_in_0_1_across_allowed_inputs(data):
    values = _allowed(data.draw)
    r = cx_roi.simulate(Scenario(**values))
    for column in SHARE_COLUMNS:
        x = r.monthly[column].to_numpy()
        assert np.all((x >= 0) & (x <= 1 + 1e-12)), column


# The series whose turns are counted, with the unit below which a move is rounding, not a move.
TURNING_SERIES = {"customers": 1.0, "new_from_ads": 1.0, "new_from_wom": 1.0, "service_level": 1.0, "fcr": 1.0,
                  "nps": 100.0}


def _turn_months(x: np.ndarray, unit: float) -> list[int]:
    """The months at which a series changes direction by a visible amount: a turn counts once the
    series has come back from its last peak or trough by more than a thousandth of its range (and
    more than a millionth of its scale, so rounding never counts). Ripples of a settling series are
    not turns."""
    if len(x) < 3:
        return []
    scale = max(float(np.max(np.abs(x))), unit)
    tolerance = max(1e-3 * float(np.ptp(x)), 1e-6 * scale)
    turns, direction, extreme, at = [], 0, float(x[0]), 0
    for i, v in enumerate(map(float, x[1:]), start=1):
        if direction >= 0 and v > extreme or direction <= 0 and v < extreme:
            extreme, at = v, i
            if direction == 0 and abs(v - float(x[0])) > tolerance:
                direction = 1 if v > x[0] else -1
        elif abs(v - extreme) > tolerance:
            if direction:
                turns.append(at)
            direction, extreme, at = (-1 if v < extreme else 1), v, i
    return turns


def _turns(x: np.ndarray, unit: float) -> int:
    return len(_turn_months(x, unit))


def test_turns_counts_real_turns_only():
    assert _turns(np.array([1.0, 2.0, 1.0, 2.0]), 1.0) == 2
    assert _turns(np.array([0.5, 0.5 + 1e-9, 0.5, 0.5 + 1e-9]), 1.0) == 0
    assert _turns(np.arange(10.0), 1.0) == 0
    # A settling series: one visible overshoot, then ripples under a thousandth of its range.
    settling = np.concatenate([np.linspace(0, 10, 20), np.linspace(10, 8, 10), 8 + 0.001 * (-1) ** np.arange(30)])
    assert _turns(settling, 1.0) == 1
    assert _turn_months(np.array([0.0, 3.0, 1.0, 2.0, 5.0, 4.0]), 1.0) == [1, 2, 4]


def _turns_over_ten_years(values: dict) -> dict[str, int]:
    m = cx_roi.simulate(Scenario(**values, horizon_months=120)).monthly
    alive = m["customers"].to_numpy() >= 1.0  # a company of under one customer has no shape to speak of
    return {column: _turns(m[column].to_numpy()[alive], unit) for column, unit in TURNING_SERIES.items()}


def _plausible(draw) -> dict:
    values = _plausible_values(lambda lo, hi: draw(st.floats(lo, hi)))
    values["service_capacity_spend_per_month"] = draw(st.floats(20_000, 1_000_000))
    values["service_quality_spend_per_month"] = draw(st.floats(0, 200_000))
    values["ad_spend_per_month"] = draw(st.floats(0, 1_000_000))
    return values


def _alive_series(monthly: pd.DataFrame) -> dict[str, np.ndarray]:
    alive = monthly["customers"].to_numpy() >= 1.0  # a company of under one customer has no shape to speak of
    return {column: monthly[column].to_numpy()[alive] for column in TURNING_SERIES}


def _no_saw_tooth(series: dict[str, np.ndarray]) -> None:
    """No series flips direction month after month (three turns a month apart)."""
    for column, x in series.items():
        gaps = np.diff(_turn_months(x, TURNING_SERIES[column]))
        assert not np.any((gaps[:-1] == 1) & (gaps[1:] == 1)), (column, x)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_series_flips_month_to_month_across_plausible_inputs(data):
    """No oscillation of the model's step, for any plausible scenario and spend (20,000 seeded
    draws measured: none)."""
    _no_saw_tooth(_alive_series(cx_roi.simulate(Scenario(**_plausible(data.draw), horizon_months=120)).monthly))


def test_few_plausible_scenarios_turn_more_than_six_times_in_120_months():
    """Customers, new customers, service level, resolution and NPS each change direction at most six
    times in ten years in at least 99% of plausible scenarios and spends (measured: 0.43% and
    0.62% of 10,000 draws, seeds 12 and 11). The rest are cycles of the business, a year or so
    long (9 to 31 months measured), which die down but for a rare few (1 in 20,000 measured)
    (docs/methodology.md, Cycles)."""
    rng = np.random.default_rng(11)
    n = 2_000
    draws = _plausible_values(lambda lo, hi: rng.uniform(lo, hi, n))
    draws["service_capacity_spend_per_month"] = rng.uniform(20_000, 1_000_000, n)
    draws["service_quality_spend_per_month"] = rng.uniform(0, 200_000, n)
    draws["ad_spend_per_month"] = rng.uniform(0, 1_000_000, n)
    batch = simulate_batch(Scenario(horizon_months=120), draws=draws, columns=tuple(TURNING_SERIES))
    periods, sustained = [], 0
    for i in range(n):
        series = _alive_series(batch.monthly_frame(i))
        _no_saw_tooth(series)
        turns = {c: _turn_months(x, TURNING_SERIES[c]) for c, x in series.items()}
        column = max(turns, key=lambda c: len(turns[c]))
        months = turns[column]
        if len(months) > 6:
            periods.append(2 * float(np.median(np.diff(months))))
            swings = np.abs(np.diff(series[column][months]))
            sustained += swings[-1] >= swings.max()
    assert len(periods) <= 0.01 * n, periods
    assert min(periods, default=12) >= 6, periods
    assert sustained <= 0.001 * n


def _wom_loop_gain(values: dict) -> float:
    """People one customer's stories win or put off in a month when everyone is a prospect
    (the Bass imitation coefficient q, per month; published q is about 0.03)."""
    reach = float(cx_roi.word_of_mouth.reach_per_story(values["offline_audience"], values["online_share"],
                                                       values["online_audience"], values["online_impression_weight"]))
    negative_stories = max(values["detractor_stories_per_month"], values["stories_per_churned_customer"])
    return reach * max(values["positive_conversion_per_impression"] * values["promoter_stories_per_month"],
                       values["negative_deterrence_per_impression"] * negative_stories)


def test_no_series_turns_more_than_six_times_across_allowed_inputs_but_where_stories_move_markets():
    """Across the full allowed ranges (drawn log-uniform where a range spans decades), the same
    holds in all but a few draws, and each exception is one where a customer's stories move tens
    of thousands of people a month: a few dozen customers then swing the whole market within a
    step, faster than the model's finest step (a thirty-second of a month) can follow."""
    rng = np.random.default_rng(11)
    names = [n for n, p in PARAMETERS.items() if p.kind == "float" and n not in ("market_size", "initial_customers")]
    n, exceptions = 60, []
    for _ in range(n):
        values = {}
        for name in names:
            lo, hi = PARAMETERS[name].minimum, min(PARAMETERS[name].maximum, 1e7)
            log_scale = lo > 0 and hi / lo > 100
            values[name] = float(np.exp(rng.uniform(np.log(lo), np.log(hi))) if log_scale else rng.uniform(lo, hi))
        _keep_cross_rules(values)
        values["market_size"] = float(np.exp(rng.uniform(np.log(1e3), np.log(1e9))))
        values["initial_customers"] = float(rng.uniform()) * values["market_size"]
        turns = _turns_over_ten_years(values)
        if max(turns.values()) > 6:
            exceptions.append((turns, _wom_loop_gain(values)))
    assert len(exceptions) <= 0.05 * n, exceptions
    assert all(gain > 1_000 for _, gain in exceptions), exceptions


def test_plausible_monotonicity():
    """More quality never lowers resolution and more advertising never lowers the customers won,
    across scenarios drawn in the plausible ranges. More capacity never lowers the average
    service level, with one exception the mechanics own and which stays rare: a starved centre
    relieves its queue by losing customers, so the capacity that keeps them also keeps its
    queue full (more contacts arrive over the horizon, and the average of a share that swings
    is not the share at the average load)."""
    rng = np.random.default_rng(3)
    n = 60
    exceptions = 0
    for k in range(n):
        s = Scenario(**_plausible_values(lambda lo, hi: float(rng.uniform(lo, hi))))
        caps = [s.replace(service_capacity_spend_per_month=c) for c in (100_000.0, 200_000.0, 300_000.0, 400_000.0)]
        quals = [s.replace(service_quality_spend_per_month=q) for q in (0.0, 20_000.0, 40_000.0, 80_000.0)]
        adss = [s.replace(ad_spend_per_month=a) for a in (0.0, 100_000.0, 200_000.0, 400_000.0)]
        by_capacity = simulate_batch(caps, columns=("contacts",))
        sl = by_capacity.kpis["avg_service_level"].to_numpy()
        if not np.all(np.diff(sl) >= -1e-12):
            exceptions += 1
            contacts = by_capacity.monthly["contacts"].sum(axis=1)
            falls = np.diff(sl) < -1e-12
            assert np.all(np.diff(contacts)[falls] > 0), (k, sl, contacts)
        fcr = simulate_batch(quals, columns=("fcr",)).monthly["fcr"].mean(axis=1)
        assert np.all(np.diff(fcr) >= -1e-12), (k, fcr)
        new = simulate_batch(adss, columns=("customers",)).kpis["total_new_customers"].to_numpy()
        assert np.all(np.diff(new) >= -1e-9), (k, new)
    assert exceptions <= 0.05 * n


def test_surveys_are_biased_by_who_answers():
    """The measured score runs above the true one because the satisfied answer more and hung-up
    callers are never asked; with equal response and nobody hanging up, the bias shrinks."""
    r = cx_roi.simulate(BASE)
    assert r.kpis["final_nps_measured"] > r.kpis["final_nps"]
    equal = cx_roi.simulate(BASE.replace(survey_response_promoter=0.2, survey_response_passive=0.2,
                                         survey_response_detractor=0.2))
    gap = lambda x: x.kpis["final_nps_measured"] - x.kpis["final_nps"]
    assert gap(equal) < gap(r)
    assert BASE.survey_inflation == 0.0  # the gap is the mechanism's, not a typed-in inflation


def test_great_service_weak_product_is_about_the_product():
    s = cx_roi.load_preset("great-service-weak-product")
    r = cx_roi.simulate(s)
    assert r.monthly["service_level"].iloc[:12].mean() < 0.95  # not a saturated centre
    assert s.survey_inflation == 0.0 and r.kpis["final_nps_measured"] - r.kpis["final_nps"] > 20
    weak = lever_odds(s, draws=1).likely["service_quality_spend_per_month"]
    normal = lever_odds(s.replace(product_value=PARAMETERS["product_value"].default), draws=1).likely[
        "service_quality_spend_per_month"]
    assert weak < 0.5 * normal
    # The verdict is the product's: the same generous service with the default product calls no
    # winner (its slopes are level), while with the weak one advertising wins in most worlds.
    from cx_roi.verdict import CLOSE_CALL

    default = PARAMETERS["product_value"].default
    assert lever_odds(s.replace(product_value=default)).chance_best["ad_spend_per_month"] < CLOSE_CALL
    assert lever_odds(s).chance_best["ad_spend_per_month"] >= CLOSE_CALL


STORIES = {"revolving-door": "service", "online-megaphone": "service",
           "great-service-weak-product": "advertising", "young-product": "advertising"}


@pytest.mark.parametrize("name, winner", list(STORIES.items()))
def test_every_preset_tells_its_story_robustly(name, winner):
    odds = lever_odds(cx_roi.load_preset(name), draws=300, seed=0)
    service = odds.chance_best["service_capacity_spend_per_month"] + odds.chance_best[
        "service_quality_spend_per_month"]
    chance = service if winner == "service" else odds.chance_best["ad_spend_per_month"]
    assert chance >= 0.8, (name, odds.chance_best)
    likely_best = odds.best
    assert (likely_best == "ad_spend_per_month") == (winner == "advertising")


def test_lever_odds_are_paired_and_reproducible():
    a = lever_odds(BASE, draws=50, seed=3)
    b = lever_odds(BASE, draws=50, seed=3)
    assert a.chance_best == b.chance_best
    np.testing.assert_array_equal(a.draws.to_numpy(), b.draws.to_numpy())
    assert sum(a.chance_best.values()) == pytest.approx(1.0)


def test_a_version_1_scenario_reads_as_it_meant():
    old = json.loads(BASE.to_json())
    old["schema_version"] = 1
    for name in ("wait_tolerance_seconds", "settle_initial_sentiment", "survey_inflation",
                 "prior_service_capacity_spend_per_month", "prior_service_quality_spend_per_month"):
        old.pop(name)
    old["service_capacity_spend_per_month"] = [200_000.0, 250_000.0]
    s = Scenario.from_dict(old)
    assert s.settle_initial_sentiment is False
    assert s.survey_inflation == 0.10
    assert s.prior_service_capacity_spend_per_month == 200_000.0
    assert Scenario.from_json(s.to_json()) == s
    # A field the file left out meant version 1's default (the model's defaults moved with version 2).
    partial = Scenario.from_dict({"schema_version": 1, "ad_spend_per_month": 100_000.0})
    assert (partial.service_weight, partial.contact_memory, partial.positive_conversion_per_impression) == (
        0.6, 0.7, 0.05)
    assert Scenario.from_dict({"schema_version": 1, "service_weight": 0.65}).service_weight == 0.65


def test_a_version_1_scenario_with_a_bad_plan_names_only_the_plan():
    old = {"schema_version": 1, "service_capacity_spend_per_month": "lots"}
    with pytest.raises(cx_roi.ScenarioError) as err:
        Scenario.from_dict(old)
    assert "service_capacity_spend_per_month" in str(err.value)
    assert "prior_service_capacity_spend_per_month" not in str(err.value)


def test_the_status_quos_word_of_mouth_acts_like_the_imitation_rate_its_source_note_gives():
    """The source note of positive_conversion_per_impression says q of about 0.2-0.25 a year: the
    share of prospects won by word of mouth a month, x 12, over the share of the market won."""
    s = cx_roi.load_preset("status-quo")
    m = cx_roi.simulate(s).monthly
    start = np.r_[s.initial_customers, m["customers"].to_numpy()[:-1]]
    q = m["wom_rate"].to_numpy() * 12 / (start / s.market_size)
    assert 0.18 <= q.min() and q.max() <= 0.27, q
