"""Each model block on its own, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_roi import advertising, churn, economics, sentiment, service


def test_hill_half_saturation_and_limits():
    assert advertising.hill(200.0, 200.0, 1.7) == pytest.approx(0.5)
    assert advertising.hill(0.0, 200.0, 1.0) == 0.0
    assert advertising.hill(1e300, 1.0, 5.0) == pytest.approx(1.0)
    # s = 1 is Michaelis-Menten: x / (x + K)
    assert advertising.hill(300.0, 100.0, 1.0) == pytest.approx(0.75)


@settings(max_examples=200, deadline=None)
@given(st.floats(1.0, 1e7), st.floats(1.0, 1e7), st.floats(0.3, 5.0))
def test_hill_marginal_is_its_derivative(x, k, s):
    h = x * 1e-6
    numeric = (advertising.hill(x + h, k, s) - advertising.hill(x - h, k, s)) / (2 * h)
    closed = s * k**s * x ** (s - 1) / (x**s + k**s) ** 2
    assert advertising.hill_marginal(x, k, s) == pytest.approx(closed, rel=1e-9, abs=1e-300)
    # Finite differences of values near 1 carry ~1e-16/h of rounding.
    assert advertising.hill_marginal(x, k, s) == pytest.approx(numeric, rel=1e-4, abs=1e-15 / h)


def test_adstock_steady_state_and_scaling():
    theta, x = 0.6, 1000.0
    a = advertising.initial_adstock(x, theta)
    assert a == pytest.approx(x / (1 - theta))
    assert advertising.adstock_step(a, x, theta) == pytest.approx(a)  # steady
    # Sustained spend K gives half the maximum innovation, whatever the decay.
    assert advertising.ad_innovation(advertising.initial_adstock(500.0, 0.8), 0.8, 500.0, 2.0, 0.01) \
        == pytest.approx(0.005)


def test_fcr_has_diminishing_returns_between_floor_and_ceiling():
    spend = np.linspace(0, 200_000, 41)
    fcr = service.first_contact_resolution(spend, 25_000.0, 0.5, 0.9, 1.5)
    assert fcr[0] == pytest.approx(0.5) and fcr[-1] < 0.9
    steps = np.diff(fcr)
    assert (steps > 0).all() and (np.diff(steps) < 0).all()
    # half the gap at the half-effect spend per contact
    assert service.first_contact_resolution(1.5 * 25_000, 25_000.0, 0.5, 0.9, 1.5) == pytest.approx(0.7)



def test_fcr_reaches_the_ceiling_without_a_warning_when_contacts_all_but_vanish():
    # Found by hypothesis: a finite spend per contact of ~1e306 overflowed once divided by h.
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fcr = service.first_contact_resolution(np.array([1_797_694.0]), np.array([4.94e-322]), 0.2, 0.8, 0.01)
    assert fcr[0] == pytest.approx(0.8)

def test_agents_from_spend():
    fte, seats = service.agents_answering(65_000.0, 6_500.0, 0.3, 160.0, 320.0)
    assert fte == pytest.approx(10.0) and seats == pytest.approx(3.5)


def test_contact_outcomes_by_hand():
    """fast, slow and bad from the queue's own shares, worked out here independently."""
    from cx_roi.queueing import erlang_a
    fcr, eventual, repeats = 0.7, 0.6, 1.0
    oc = service.contact_outcomes(np.array([30_000.0]), np.array([fcr]), repeats, eventual, np.array([12.0]),
                                  360.0, 180.0, 20.0, 60.0, 360.0)
    contacts = 30_000 * (1 + (1 - fcr) * repeats)
    assert oc.contacts[0] == pytest.approx(contacts)
    load = contacts * 360.0 / (360.0 * 3600.0)  # Erlangs over the opening hours
    assert oc.load_erlangs[0] == pytest.approx(load)
    q = erlang_a(12.0, load, 360.0, 180.0, 20.0)
    tolerance = erlang_a(12.0, load, 360.0, 180.0, 60.0)  # how a wait feels: against the caller's 60 s
    answered = 1.0 - q.p_abandon
    assert oc.service_level[0] == pytest.approx(q.service_level)
    assert oc.fast[0] == pytest.approx(tolerance.service_level * fcr)
    assert oc.slow[0] == pytest.approx(tolerance.p_answered_late * fcr + answered * (1 - fcr) * eventual)
    # Bad: hung up, or answered and never resolved; the code gets it as the rest.
    assert oc.bad[0] == pytest.approx(q.p_abandon + answered * (1 - fcr) * (1 - eventual))
    assert 0.05 < oc.bad[0] < 0.95 and 0.05 < oc.fast[0] < 0.95  # a case where all three matter


def test_sentiment_update_preserves_customers_and_converges():
    counts = np.array([[100.0, 300.0, 600.0]])
    target = sentiment.product_mix(np.array([0.6]), 0.05, 0.6, 0.45, 0.05)
    np.testing.assert_allclose(target, [[0.38, 0.41, 0.21]])
    for _ in range(400):
        counts = sentiment.update_counts(counts, np.array([0.2]), target, target, np.array([0.7]),
                                         np.array([0.1]))
    assert counts.sum() == pytest.approx(1000.0)
    np.testing.assert_allclose(counts / 1000.0, target, atol=1e-9)
    assert sentiment.nps(np.array([[50.0, 30.0, 20.0]])) == pytest.approx(30.0)


def test_sentiment_settles_where_both_pulls_balance():
    """Contact and product pull apart; the fixed point weights each by its share and memory."""
    contact, product = np.array([[0.7, 0.2, 0.1]]), np.array([[0.2, 0.3, 0.5]])
    c, lc, lp = 0.3, 0.6, 0.1
    counts = np.array([[400.0, 400.0, 200.0]])
    for _ in range(600):
        counts = sentiment.update_counts(counts, np.array([c]), contact, product, np.array([lc]), np.array([lp]))
    pull_c, pull_p = c * lc, (1 - c) * lp
    expected = 1000.0 * (pull_c * contact + pull_p * product) / (pull_c + pull_p)
    np.testing.assert_allclose(counts, expected, rtol=1e-9)
    # One month by hand from the start: contacting customers move lc of the way to the contact mix.
    one = sentiment.update_counts(np.array([[400.0, 400.0, 200.0]]), np.array([c]), contact, product,
                                  np.array([lc]), np.array([lp]))
    start = np.array([400.0, 400.0, 200.0])
    np.testing.assert_allclose(one[0], start + c * lc * (1000 * contact[0] - start)
                               + (1 - c) * lp * (1000 * product[0] - start))


def test_measured_mix_inflates_one_band_up():
    counts = np.array([[40.0, 40.0, 20.0]])
    m = sentiment.measured_mix(counts, np.array([0.25]))
    np.testing.assert_allclose(m, [[50.0, 35.0, 15.0]])


def test_churn_rates_combine_independent_causes():
    rates = churn.churn_rates(0.01, 0.03, 0.1, 0.02)
    np.testing.assert_allclose(rates, [1 - 0.98 * 0.99, 1 - 0.98 * 0.97, 1 - 0.98 * 0.9])


def test_economics_closed_forms():
    assert economics.monthly_rate(0.1268250301319698) == pytest.approx(0.01)
    np.testing.assert_allclose(economics.discount_factors(0.0, 3), [1, 1, 1])
    assert economics.npv([100.0, 100.0], 0.0) == pytest.approx(200.0)
    r_m = 0.01
    assert economics.npv([110.0], (1 + r_m) ** 12 - 1) == pytest.approx(110.0 / 1.01)
    assert economics.clv(30.0, 0.05, 0.01) == pytest.approx(30 * 0.95 / 0.06)
    # Sum of a long geometric stream equals the closed form.
    t = np.arange(1, 5000)
    assert (30.0 * 0.95**t / 1.01**t).sum() == pytest.approx(economics.clv(30.0, 0.05, 0.01), rel=1e-9)


@pytest.mark.parametrize("flows,expected", [
    ([-5, -5, 4, 4, 4], 5.0),     # cumulative -5,-10,-6,-2,2
    ([1, 1, 1], 1.0),             # never below zero
    ([-1, 2, -3, 5], 4.0),        # dips again in month 3
    ([-1, -1], np.nan),           # never pays back
])
def test_payback_month(flows, expected):
    got = economics.payback_month(np.array(flows, dtype=float))
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == expected


def test_roi_is_undefined_without_extra_spend():
    assert np.isnan(economics.roi(10.0, 5.0, 0.0))
    assert economics.roi(15.0, 5.0, 5.0) == pytest.approx(2.0)
    # A spend gap of a billionth of the budget is rounding in two spend plans: no ROI, not 1e8.
    assert np.isnan(economics.roi(15.0, 5.0, 7.45e-9, pv_spend_baseline=2.4e7))
    assert economics.roi(15.0, 5.0, 5.0, pv_spend_baseline=2.4e7) == pytest.approx(2.0)


def test_roi_of_two_plans_that_differ_by_rounding():
    from cx_roi import Scenario, compare
    base = Scenario()
    a = base.replace(service_capacity_spend_per_month=240_000.1, ad_spend_per_month=150_000.2)
    b = base.replace(service_capacity_spend_per_month=240_000.2, ad_spend_per_month=150_000.1)
    assert np.isnan(compare({"a": a, "b": b}, baseline="a").loc["b", "roi"])


def test_no_terminal_value_without_customers():
    from cx_roi import Scenario, simulate
    empty = Scenario().replace(initial_customers=0.0, ad_spend_per_month=0.0, prior_ad_spend_per_month=0.0)
    res = simulate(empty)
    assert res.kpis["final_customers"] == 0.0
    # N_T x CLV with N_T = 0; not the service budget charged forever.
    assert res.kpis["terminal_value"] == 0.0
    assert res.kpis["npv"] == pytest.approx(res.kpis["npv_operating"])
