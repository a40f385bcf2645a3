"""Invariants of the engine over the whole valid parameter space (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenarios

from cx_roi import simulate, simulate_batch

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# KPIs that are undefined (NaN) by design in some corners, each with its reason.
MAY_BE_NAN = {
    "payback_month": "cumulative contribution ends below zero",
    "cac_paid": "no customer won by advertising",
    "cac_blended": "no customer won at all",
    "wom_share": "no customer won at all",
    "avg_monthly_churn": "no customer at any month start",
    "clv": "no customer-months to spread the cost to serve over",
    "final_nps_measured": "nobody answered the survey in the last month",
}
SURVEY = ["nps_measured", "measured_promoter_share", "measured_detractor_share"]


@SETTINGS
@given(scenarios(max_horizon=60))
def test_conservation_bounds_and_finiteness(s):
    r = simulate(s)
    m = r.monthly
    values = m.drop(columns=SURVEY).to_numpy()
    assert np.isfinite(values).all(), m.columns[~np.isfinite(values).all(axis=0)].tolist()
    # The survey's columns have no value in a month without a contact, all three together. (A month
    # taken in several steps averages the steps' shares, so agents alone do not tell.)
    unanswered = m[SURVEY].isna().all(axis=1)
    assert (m[SURVEY].isna().any(axis=1) == unanswered).all()
    assert unanswered[m["contacts"] <= 0].all()

    # Customers: the documented identity, every month.
    start = np.concatenate([[s.initial_customers], m["customers"].to_numpy()[:-1]])
    flows = m["new_from_ads"] + m["new_from_wom"] - m["churned"]
    scale = max(s.market_size, 1.0)
    np.testing.assert_allclose(m["customers"], start + flows, rtol=1e-9, atol=1e-9 * scale)

    # Every customer is in exactly one sentiment band.
    np.testing.assert_allclose(m["promoters"] + m["passives"] + m["detractors"], m["customers"],
                               rtol=1e-9, atol=1e-9 * scale)

    # Nothing negative where a count or a cost is meant.
    non_negative = ["customers", "new_from_ads", "new_from_wom", "churned", "promoters", "passives",
                    "detractors", "prospects", "deterred", "agents", "contacts", "asa_seconds",
                    "revenue", "service_cost", "ad_cost", "onboarding_cost"]
    assert (m[non_negative].to_numpy() >= -1e-9 * scale).all()

    # Never more customers than people in the market; the market is conserved.
    assert (m["customers"] <= s.market_size * (1 + 1e-12)).all()
    np.testing.assert_allclose(m["customers"] + m["deterred"] + m["prospects"] + m["lost_for_good"],
                               s.market_size, rtol=1e-9)

    # Shares are shares.
    for col in ("service_level", "abandon_rate", "p_wait", "fcr", "occupancy"):
        assert ((m[col] >= 0) & (m[col] <= 1)).all(), col
    assert ((m["nps"] >= -100 - 1e-9) & (m["nps"] <= 100 + 1e-9)).all()
    assert ((m["nps_measured"] >= -100 - 1e-9) & (m["nps_measured"] <= 100 + 1e-9) | unanswered).all()

    for k, v in r.kpis.items():
        assert np.isfinite(v) or (k in MAY_BE_NAN and np.isnan(v)), (k, v)


@SETTINGS
@given(scenarios(horizon=12), st.floats(1.0, 5e6), st.floats(1.0, 5e6))
def test_more_agents_never_lengthen_the_wait(s, spend_a, spend_b):
    low, high = sorted((spend_a, spend_b))
    a = simulate(s.replace(service_capacity_spend_per_month=low)).monthly.iloc[0]
    b = simulate(s.replace(service_capacity_spend_per_month=high)).monthly.iloc[0]
    # Month 1 has the same customers and contacts in both, so only agents differ.
    assert b["asa_seconds"] <= a["asa_seconds"] * (1 + 1e-9) + 1e-9
    assert b["abandon_rate"] <= a["abandon_rate"] + 1e-9
    assert b["service_level"] >= a["service_level"] - 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(scenarios(horizon=24), min_size=2, max_size=4))
def test_batch_path_equals_one_by_one(items):
    batch = simulate_batch(items)
    for i, s in enumerate(items):
        single = simulate(s)
        pd.testing.assert_frame_equal(batch.monthly_frame(i), single.monthly, rtol=1e-12)
        expected = pd.Series(single.kpis)
        got = batch.kpis.iloc[i][expected.index]
        np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float),
                                   rtol=1e-12, equal_nan=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(scenarios(horizon=18), min_size=3, max_size=9), st.integers(1, 4), st.integers(1, 3))
def test_results_do_not_depend_on_chunks_or_threads(items, chunk_size, workers):
    # Chunks of draws run in threads side by side; how a batch is cut must not change the
    # results. (Chunks of up to eight draws take Erlang A's one-value-at-a-time path, which
    # agrees with the array path to rounding, hence the tolerance of the batch-vs-single test.)
    whole = simulate_batch(items, workers=1)
    cut = simulate_batch(items, chunk_size=chunk_size, workers=workers)
    for name, values in whole.monthly.items():
        np.testing.assert_allclose(cut.monthly[name], values, rtol=1e-12, atol=1e-9, err_msg=name)
    pd.testing.assert_frame_equal(cut.kpis, whole.kpis, rtol=1e-12)


def test_large_batches_are_cut_the_same_way_whatever_the_threads():
    # At the sizes where threads are used, every chunk takes the array path: bit for bit.
    from cx_roi import Scenario
    draws = {"online_audience": np.linspace(100, 6_000, 3_000)}
    one = simulate_batch(Scenario(horizon_months=12), draws=draws, workers=1, chunk_size=1_500)
    two = simulate_batch(Scenario(horizon_months=12), draws=draws, workers=2, chunk_size=1_500)
    pd.testing.assert_frame_equal(one.kpis, two.kpis, check_exact=True)
    np.testing.assert_array_equal(one.monthly["customers"], two.monthly["customers"])
