"""Calibration: the Bass fit reproduces a published fit, recovers known parameters and
gives confidence intervals that cover as often as they say; fit_history recovers the
parameters that generated the bundled sample."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cx_roi
from cx_roi.calibrate import MIN_MONTHS_TO_FIT, bass_adopters, fit_bass, fit_history
from cx_roi.history import HistoryError, read_history

# ------------------------------------------------------------------ published fit
#
# Data and published estimates: Wang Chengjun, "Bass diffusion model" (RPubs, 2012,
# https://rpubs.com/chengjun/bass_model; the same code and output are reprinted at
# https://segmentfault.com/a/1190000040198135 and in github.com/agk79/Bass,
# AGK_BASS_MODEL/Bass_2a.r). Ten periods of sales, fitted with R's nls() to the
# Bass density, Sales ~ M ((P+Q)^2/P) e^{-(P+Q)t} / (1 + (Q/P) e^{-(P+Q)t})^2, t = 1..10.
# Published R output (3 significant figures):
#   M 6.80e+04 (std. error 3.13e+03), P 6.59e-03 (1.43e-03), Q 6.38e-01 (4.14e-02),
#   residual standard error 727 on 7 degrees of freedom.
PUBLISHED_SALES = [840, 1470, 2110, 4000, 7590, 10950, 10530, 9470, 7790, 5890]
PUBLISHED = {"m": (6.80e4, 3.13e3), "p": (6.59e-3, 1.43e-3), "q": (6.38e-1, 4.14e-2)}
PUBLISHED_RESIDUAL_SE = 727


def sig3(x: float) -> float:
    return float(f"{x:.3g}")


def test_fit_bass_reproduces_the_published_nls_fit_to_every_printed_digit():
    fit = fit_bass(PUBLISHED_SALES, form="density", errors="additive")  # R's nls: least squares on sales
    for name, (estimate, se) in PUBLISHED.items():
        assert sig3(getattr(fit, name)) == estimate, name
        assert sig3(fit.standard_errors[name]) == se, name
    assert round(fit.residual_se) == PUBLISHED_RESIDUAL_SE
    # Beyond rounding: within half a unit of the last printed digit means within 0.08% for M.
    assert fit.m == pytest.approx(6.80e4, rel=8e-4)
    assert fit.r2 > 0.95


# Srinivasan and Mason (1986) data sets, as tabulated in their Marketing Science note and
# widely reproduced (e.g. the Bass-model estimation scripts of several public repositories):
# US sales of room air conditioners 1949-1961 and colour televisions 1963-1970, thousands.
ROOM_AIR_CONDITIONERS = [96, 195, 238, 380, 1045, 1230, 1267, 1828, 1586, 1673, 1800, 1580, 1500]
COLOUR_TV = [747, 1480, 2646, 5118, 5777, 5982, 5962, 4631]


@pytest.mark.parametrize("sales", [ROOM_AIR_CONDITIONERS, COLOUR_TV], ids=["room AC", "colour TV"])
def test_srinivasan_mason_estimator_finds_the_least_squares_optimum(sales):
    fit = fit_bass(sales, errors="additive")  # m [F(t) - F(t-1)], Srinivasan and Mason's NLS
    y = np.asarray(sales, float)
    base = float(np.sum((fit.fitted - y) ** 2))
    # A true minimum: no nearby point in any direction does better.
    rng = np.random.default_rng(0)
    for _ in range(40):
        f = 1 + rng.normal(0, 0.01, 3)
        other = bass_adopters(len(y), fit.m * f[0], fit.p * f[1], fit.q * f[2])
        assert float(np.sum((other - y) ** 2)) >= base * (1 - 1e-9)
    # Same answer from a different start and from Bass's OLS start.
    again = fit_bass(sales, start=(3 * y.sum(), 0.001, 0.8), errors="additive")
    assert again.m == pytest.approx(fit.m, rel=1e-5) and again.q == pytest.approx(fit.q, rel=1e-5)
    assert fit.r2 > 0.85 and 0 < fit.p < 0.05 and 0.2 < fit.q < 1.0


def test_bass_ols_is_bass_1969_regression():
    fit = fit_bass(ROOM_AIR_CONDITIONERS, method="ols")
    y = np.asarray(ROOM_AIR_CONDITIONERS, float)
    prev = np.concatenate([[0.0], np.cumsum(y)[:-1]])
    a, b, c = np.polynomial.polynomial.polyfit(prev, y, 2)
    assert a + b * fit.m + c * fit.m ** 2 == pytest.approx(0, abs=1e-6 * y.max())  # m: the root
    assert fit.p == pytest.approx(a / fit.m) and fit.q == pytest.approx(-c * fit.m)
    assert all(math.isnan(v) for v in fit.standard_errors.values())


@pytest.mark.parametrize("errors", ["multiplicative", "additive"])
@pytest.mark.parametrize("form", ["interval", "density", "discrete", "hazard"])
def test_fit_bass_recovers_known_parameters_exactly_without_noise(form, errors):
    y = bass_adopters(24, 100_000, 0.012, 0.38, form)
    fit = fit_bass(y, form=form, errors=errors)
    assert (fit.m, fit.p, fit.q) == pytest.approx((100_000, 0.012, 0.38), rel=1e-6)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.form == form and fit.errors == errors


def test_hazard_form_is_the_competing_risk_recursion():
    m, p, q = 80_000.0, 0.03, 0.6
    n_cum, expected = 0.0, []
    for _ in range(30):
        hazard = p + q * n_cum / m
        expected.append((1 - math.exp(-hazard)) * (m - n_cum))
        n_cum += expected[-1]
    hazard_form = bass_adopters(30, m, p, q, "hazard")
    np.testing.assert_allclose(hazard_form, expected, rtol=1e-13)
    assert np.all(hazard_form > 0) and hazard_form.sum() < m
    # 1 - e^-h < h: fewer adopters per period than the discrete form, the more so the larger the rates...
    discrete = bass_adopters(30, m, p, q, "discrete")
    assert hazard_form[0] == pytest.approx(m * (1 - math.exp(-p))) and hazard_form[0] < discrete[0]
    # ...and the same to first order when they are small (monthly rates).
    np.testing.assert_allclose(bass_adopters(12, m, 1e-4, 1e-3, "hazard"),
                               bass_adopters(12, m, 1e-4, 1e-3, "discrete"), rtol=2e-4)
    with pytest.raises(ValueError, match="hazard form needs periods 1..T"):
        bass_adopters(np.array([2.0, 3.0]), m, p, q, "hazard")


# (m, p, q per period, periods): monthly rates (q = 0.4 a year spread over 12 months, and a
# slower, larger market) and annual-like rates.
RATE_SETS = [
    (100_000.0, 0.01, 0.4 / 12, 60),
    (2_000_000.0, 0.002, 0.05, 96),
    (50_000.0, 0.03, 0.38, 20),
    (250_000.0, 0.008, 0.42, 30),
]


@pytest.mark.parametrize("errors", ["multiplicative", "additive"])
@pytest.mark.parametrize("form", ["hazard", "discrete"])
@pytest.mark.parametrize("m, p, q, periods", RATE_SETS, ids=["monthly", "monthly slow", "annual", "annual fast"])
def test_fit_bass_recovers_the_recursive_forms_from_their_own_data(form, errors, m, p, q, periods):
    y = bass_adopters(periods, m, p, q, form)
    fit = fit_bass(y, form=form, errors=errors)
    assert (fit.m, fit.p, fit.q) == pytest.approx((m, p, q), rel=0.01)
    assert fit.r2 == pytest.approx(1.0, abs=1e-6)


def test_the_form_matters_at_annual_rates():
    # Hazard data read with the discrete form: the rates come out too low by ~h/2.
    y = bass_adopters(20, 50_000, 0.03, 0.38, "hazard")
    wrong = fit_bass(y, form="discrete")
    assert wrong.q < 0.38 * 0.95 and wrong.r2 < 0.9999


def test_fit_bass_covariance_and_confidence_intervals():
    rng = np.random.default_rng(3)
    y = bass_adopters(30, 250_000, 0.008, 0.42) * np.exp(rng.normal(0, 0.05, 30))
    for errors in ("multiplicative", "additive"):
        fit = fit_bass(y, errors=errors)
        cov = fit.cov
        assert list(cov.index) == list(cov.columns) == ["m", "p", "q"]
        np.testing.assert_allclose(cov.to_numpy(), cov.to_numpy().T, rtol=1e-10)
        assert np.all(np.linalg.eigvalsh(cov.to_numpy()) > 0)
        for name in "mpq":
            assert math.sqrt(cov.loc[name, name]) == pytest.approx(fit.standard_errors[name], rel=1e-12)
        ci = fit.conf_int()
        assert list(ci.columns) == ["lower", "upper"] and list(ci.index) == ["m", "p", "q"]
        est = np.array([fit.m, fit.p, fit.q])
        se = np.array([fit.standard_errors[k] for k in "mpq"])
        assert fit.dof == 27
        t = 2.0518305164802833  # Student's t, 0.975 quantile, 27 degrees of freedom
        if errors == "multiplicative":
            # Symmetric on the log scale the fit works on, so never below zero.
            np.testing.assert_allclose(np.log(ci["upper"] / est), t * se / est, rtol=1e-9)
            np.testing.assert_allclose(np.log(est / ci["lower"]), t * se / est, rtol=1e-9)
            assert fit.residual_se == pytest.approx(0.05, rel=0.3)  # log scale: the relative error
        else:
            np.testing.assert_allclose(ci["upper"] - est, t * se, rtol=1e-9)
            np.testing.assert_allclose(est - ci["lower"], t * se, rtol=1e-9)
        narrower = fit.conf_int(alpha=0.5)
        assert np.all(narrower["lower"] > ci["lower"]) and np.all(narrower["upper"] < ci["upper"])
    # Few, noisy periods: the additive interval for p reaches below zero, the multiplicative one cannot.
    short = bass_adopters(12, 250_000, 0.008, 0.42) * np.exp(np.random.default_rng(5).normal(0, 0.25, 12))
    assert fit_bass(short, errors="additive").conf_int().loc["p", "lower"] < 0
    assert np.all(fit_bass(short).conf_int().to_numpy() > 0)
    ols = fit_bass(y, method="ols")
    assert ols.cov.isna().all().all() and ols.conf_int().isna().all().all()
    with pytest.raises(ValueError, match="alpha"):
        fit.conf_int(alpha=1.5)


def test_multiplicative_fit_leaves_out_periods_without_adopters():
    y = bass_adopters(30, 250_000, 0.008, 0.42, "hazard")
    y[[0, 1, 29]] = 0.0  # e.g. launch months not yet counted, and a last month not yet in
    fit = fit_bass(y, form="hazard")
    assert fit.excluded_periods == (1, 2, 30) and fit.dof == 24
    assert (fit.m, fit.p, fit.q) == pytest.approx((250_000, 0.008, 0.42), rel=1e-6)
    # The additive fit uses every period, zeros included, and is pulled off.
    additive = fit_bass(y, form="hazard", errors="additive")
    assert additive.excluded_periods == () and additive.dof == 27
    assert additive.p != pytest.approx(0.008, rel=0.01)
    with pytest.raises(HistoryError, match="at least 5 periods with adopters.*errors='additive'"):
        fit_bass([0, 0, 5, 9, 14, 0, 0, 11], errors="multiplicative")
    assert fit_bass([0, 0, 5, 9, 14, 0, 0, 11], errors="additive").dof == 5


def test_fit_bass_names_unknown_options():
    with pytest.raises(ValueError, match="errors: got 'poisson'"):
        fit_bass([1, 3, 6, 4, 2, 1], errors="poisson")
    with pytest.raises(ValueError, match="'discrete' or 'hazard'"):
        fit_bass([1, 3, 6, 4, 2, 1], form="logistic")


def test_default_95_percent_intervals_cover_the_truth_95_percent_of_the_time():
    """300 series of 30-40 periods with 5% multiplicative (lognormal) noise, fitted with the
    defaults. Each coverage share has a binomial standard error of about 0.013 at 300.
    (The additive fit's classic intervals cover about 0.81 on the same series; measured,
    not tested.)"""
    truth = np.array([250_000.0, 0.008, 0.42])
    covered = np.zeros(3)
    n = 300
    for seed in range(n):
        rng = np.random.default_rng(seed)
        periods = int(rng.integers(30, 41))
        y = bass_adopters(periods, *truth) * np.exp(rng.normal(0.0, 0.05, periods))
        ci = fit_bass(y).conf_int(alpha=0.05).to_numpy()
        covered += (ci[:, 0] <= truth) & (truth <= ci[:, 1])
    share = dict(zip("mpq", covered / n))
    for name, value in share.items():
        assert 0.90 <= value <= 0.97, (name, share)


def test_fit_bass_recovers_known_parameters_within_two_standard_errors_with_noise():
    truth = {"m": 250_000.0, "p": 0.008, "q": 0.42}
    rng = np.random.default_rng(42)
    y = bass_adopters(30, **truth) * np.exp(rng.normal(0, 0.05, 30))
    fit = fit_bass(y)
    for name, value in truth.items():
        assert abs(getattr(fit, name) - value) < 2 * fit.standard_errors[name], name
    assert fit.summary().loc["q", "estimate"] == fit.q
    assert list(fit.params.index) == ["m", "p", "q"] and fit.params["m"] == fit.m
    pd.testing.assert_frame_equal(fit.cov_params(), fit.cov)
    assert fit.bse.to_dict() == fit.standard_errors
    pd.testing.assert_frame_equal(fit.summary()[["lower", "upper"]], fit.conf_int())
    assert fit.peak_period == pytest.approx(math.log(fit.q / fit.p) / (fit.p + fit.q))
    np.testing.assert_allclose(fit.predict(30), fit.fitted)


@pytest.mark.parametrize("data, message", [
    ([1, 2, 3, 4], "at least 5 periods"),
    ([1, 2, -3, 4, 5, 6], "negative"),
    ([1, 2, float("nan"), 4, 5, 6], "not finite"),
    ([0, 0, 0, 0, 0, 0], "no adopters"),
    ([5.0] * 10, "same 5 adopters"),
    ([1e300] * 10, "above 1e\\+12 people"),
    (np.ones((4, 4)), "a table"),
    (None, "list of numbers"),
    (["1"] * 10, "got text"),
    ([True] * 10, "true/false"),
])
def test_fit_bass_rejects_unusable_data(data, message):
    with pytest.raises(HistoryError, match=message):
        fit_bass(data)


@pytest.mark.parametrize("start", [(1, 2), (float("nan"), 1, 1), (1e5, -0.01, 0.3), "abc"])
def test_fit_bass_names_a_bad_start(start):
    with pytest.raises(ValueError, match="start"):
        fit_bass([5, 9, 14, 18, 20, 19, 15], start=start)


# ------------------------------------------------------------------ fit_history

@pytest.fixture(scope="module")
def sample_fit():
    return fit_history(cx_roi.sample_history())


def test_fit_history_recovers_the_generating_parameters_within_two_standard_errors(sample_fit):
    truth = cx_roi.sample_history_truth()["fitted_parameters"]
    assert set(truth) <= set(sample_fit.fitted)
    for name, value in truth.items():
        estimate, se = sample_fit.fitted[name], sample_fit.standard_errors[name]
        assert se > 0 and math.isfinite(se), name
        assert abs(estimate - value) < 2 * se, f"{name}: {estimate:.5g} vs true {value:.5g} (se {se:.3g})"


def test_fit_history_gives_its_estimates_as_statsmodels_does(sample_fit):
    params, bse, cov = sample_fit.params, sample_fit.bse, sample_fit.cov_params()
    assert list(params.index) == list(bse.index) == list(cov.index) == list(cov.columns)
    assert params.to_dict() == sample_fit.fitted and bse.to_dict() == sample_fit.standard_errors
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), bse, rtol=1e-12)
    np.testing.assert_allclose(cov, cov.T, rtol=1e-10, atol=0)
    for name, value in params.items():  # one copy: the replay runs with the estimates
        assert getattr(sample_fit.replay, name) == value
    # Passives' churn is promoters' and detractors' mixed in the defaults' proportion w: its
    # variance is the mix's, covariance included.
    d = cx_roi.Scenario()
    w = (d.churn_passive - d.churn_promoter) / (d.churn_detractor - d.churn_promoter)
    assert params["churn_passive"] == pytest.approx((1 - w) * params["churn_promoter"] + w * params["churn_detractor"])
    a = np.array([1 - w, w])
    pair = ["churn_promoter", "churn_detractor"]
    assert bse["churn_passive"] ** 2 == pytest.approx(a @ cov.loc[pair, pair].to_numpy() @ a, rel=1e-9)

    ci = sample_fit.conf_int()
    assert list(ci.columns) == ["lower", "upper"] and list(ci.index) == list(params.index)
    t = stats.t.ppf(0.975, sample_fit.dof)
    log_scale = [name for name in params.index if name != "product_value"]
    assert set(sample_fit.log_scale) == set(log_scale)
    # On the log scale the fit works on: symmetric there, asymmetric in natural units, above zero.
    est, half = params[log_scale], t * bse[log_scale] / params[log_scale]
    np.testing.assert_allclose(np.log(ci.loc[log_scale, "upper"] / est), half, rtol=1e-9)
    np.testing.assert_allclose(np.log(est / ci.loc[log_scale, "lower"]), half, rtol=1e-9)
    assert (ci["lower"] > 0).all()
    lo, hi = ci.loc["product_value"]
    assert hi - params["product_value"] == pytest.approx(params["product_value"] - lo) == pytest.approx(
        t * bse["product_value"])
    assert (ci.loc[:, "lower"] < ci.loc[:, "upper"]).all()

    summary = sample_fit.summary()
    assert list(summary.columns) == ["value", "standard_error", "lower", "upper", "status", "note"]
    assert set(summary.index) == set(cx_roi.PARAMETERS)
    fitted = summary[summary["status"] == "fitted"]
    pd.testing.assert_frame_equal(fitted.loc[params.index, ["lower", "upper"]], ci, check_names=False)
    assert summary.loc[summary["status"] != "fitted", ["standard_error", "lower", "upper"]].isna().all().all()
    pd.testing.assert_frame_equal(sample_fit.parameters, summary.drop(columns=["lower", "upper"]))
    wide = sample_fit.conf_int(alpha=0.01)
    assert (wide["lower"] < ci["lower"]).all() and (wide["upper"] > ci["upper"]).all()


def test_fit_history_sets_what_the_file_states(sample_fit):
    stated = cx_roi.sample_history_truth()["stated_in_file"]
    replay = sample_fit.replay
    assert replay.aht_seconds == pytest.approx(stated["aht_seconds"], rel=0.01)
    assert replay.agent_cost_per_month == pytest.approx(stated["agent_cost_per_month"], rel=0.01)
    assert replay.arpu_per_month == pytest.approx(stated["arpu_per_month"], rel=0.02)
    assert replay.initial_customers == stated["initial_customers"]
    status = sample_fit.parameters["status"]
    assert status["aht_seconds"] == "from data" and status["market_size"] == "fitted"
    assert status["ad_hill_shape"] == "default" and "shape" in sample_fit.not_fitted["ad_hill_shape"]
    assert "survey" in sample_fit.not_fitted["survey_inflation"]


def test_fit_history_diagnostics(sample_fit):
    m = sample_fit.metrics
    assert m["r2_customers"] > 0.9 and m["r2_new_customers"] > 0.8
    assert m["mape_customers"] < 0.02 and m["mape_new_customers"] < 0.05 and m["mae_nps"] < 2
    monthly = sample_fit.monthly
    assert len(monthly) == 48 and monthly["period"].iloc[0] == "2021-01"
    for col in ("customers", "new_customers", "churned_customers", "nps", "contacts"):
        assert {col, f"{col}_fit"} <= set(monthly.columns)
    h = sample_fit.holdout
    assert h.months == 12 and h.fitted_on == 36 and len(h.monthly) == 12
    assert h.mape_customers < 0.03 and h.mape_new_customers < 0.08
    assert set(h.parameters) == set(sample_fit.fitted) - {"churn_passive"}


def test_fit_history_planning_scenario_starts_where_the_history_ends(sample_fit):
    s = sample_fit.scenario
    f = cx_roi.sample_history().frame
    assert isinstance(s, cx_roi.Scenario) and s.horizon_months == 60
    assert s.initial_customers == f["customers"].iloc[-1]
    assert s.ad_spend_per_month == pytest.approx(f["ad_spend"].iloc[-12:].mean())
    assert s.service_capacity_spend_per_month + s.service_quality_spend_per_month == pytest.approx(
        f["service_spend"].iloc[-12:].mean())
    for name, value in sample_fit.fitted.items():
        assert getattr(s, name) == pytest.approx(value)
    # It is a scenario like any other: it simulates, round-trips and compares.
    assert cx_roi.Scenario.from_json(s.to_json()) == s
    assert np.isfinite(cx_roi.simulate(s).kpis["npv"])
    # The replay reproduces the fitted monthly path exactly.
    replay = cx_roi.simulate(sample_fit.replay).monthly
    np.testing.assert_allclose(replay["customers"].to_numpy()[:48], sample_fit.monthly["customers_fit"])


def test_fit_history_without_survey_or_contacts_fits_one_churn_factor():
    frame = cx_roi.sample_history().frame.drop(columns=["nps", "promoter_share", "detractor_share", "contacts"])
    fit = fit_history(frame, holdout_months=0)  # a DataFrame works as well as a file
    assert "product_value" not in fit.fitted and "contacts_per_customer_per_month" not in fit.fitted
    assert "no NPS" in fit.not_fitted["product_value"] and "no contacts" in fit.not_fitted[
        "contacts_per_customer_per_month"]
    ratio = fit.fitted["churn_detractor"] / fit.fitted["churn_promoter"]
    defaults = cx_roi.Scenario()
    assert ratio == pytest.approx(defaults.churn_detractor / defaults.churn_promoter)
    assert "scaled" in fit.parameters.loc["churn_promoter", "note"]
    assert fit.holdout is None and fit.metrics["r2_customers"] > 0.8


def test_fit_history_needs_enough_months():
    short = cx_roi.sample_history().slice(MIN_MONTHS_TO_FIT - 1)
    with pytest.raises(HistoryError, match=f"fitting needs at least {MIN_MONTHS_TO_FIT}"):
        fit_history(short)
    with pytest.raises(HistoryError, match="holdout_months"):
        fit_history(cx_roi.sample_history(), holdout_months=40)


def test_fit_history_reads_paths_and_reports_bad_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("month,customers\n2024-01,5\n")
    with pytest.raises(HistoryError, match="required column 'new_customers' is missing"):
        fit_history(bad)
    assert isinstance(read_history(cx_roi.sample_history_file(), "s.csv"), cx_roi.History)


@pytest.mark.parametrize("options,words", [
    ({"holdout_months": "3"}, "holdout_months: got '3'; with 48 months it is a whole number from 0 to 36"),
    ({"holdout_months": 2.5}, "holdout_months: got 2.5"),
    ({"holdout_months": True}, "holdout_months: got True"),
    ({"horizon_months": float("nan")}, "horizon_months: got nan; allowed 12 to 120"),
    ({"horizon_months": None}, "horizon_months: got None; allowed 12 to 120"),
])
def test_fit_options_that_are_not_whole_months_are_named(options, words):
    with pytest.raises(cx_roi.CxRoiError) as info:
        cx_roi.fit_history(cx_roi.sample_history(), **options)
    assert words in str(info.value)


def test_a_direction_the_data_do_not_inform_has_no_finite_variance():
    """A parameter with no effect on the residuals (a zero Jacobian column) is not known to zero
    width: its variance is infinite and its covariances NaN; the others keep s² (JᵀJ)⁻¹ of their
    own columns, and a regular Jacobian gives exactly the inverse."""
    from cx_roi.estimates import nls_covariance

    rng = np.random.default_rng(3)
    jac = rng.normal(size=(30, 3))
    np.testing.assert_allclose(nls_covariance(jac, 2.0), 2.0 * np.linalg.inv(jac.T @ jac), rtol=1e-9)
    loose = jac.copy()
    loose[:, 2] = 0.0
    cov = nls_covariance(loose, 2.0)
    assert cov[2, 2] == math.inf and np.isnan(cov[2, :2]).all() and np.isnan(cov[:2, 2]).all()
    np.testing.assert_allclose(cov[:2, :2], 2.0 * np.linalg.inv(loose[:, :2].T @ loose[:, :2]), rtol=1e-9)


def test_a_bass_parameter_fitted_to_nothing_gets_an_open_interval():
    """The sample history's adopters fit q to about 1e-16, where it moves nothing: its standard
    error is infinite and its interval open, not the single point a pseudo-inverse gave."""
    fit = fit_bass(cx_roi.sample_history().frame["new_customers"])
    assert fit.params["q"] < 1e-10
    assert fit.bse["q"] == math.inf
    lower, upper = fit.conf_int().loc["q"]
    assert upper == math.inf and lower < fit.params["q"]
    assert np.isfinite(fit.bse[["m", "p"]]).all()


def test_a_parameter_the_history_does_not_inform_leaves_the_others_errors_standing():
    """No advertising in the history: the ad response is not identified (infinite error, said in the
    warnings and the page's table), and every other field keeps a finite standard error."""
    from ui import tables

    frame = cx_roi.sample_history().frame.copy()
    frame["ad_spend"] = 0.0
    fit = fit_history(frame)
    loose = fit.bse[~np.isfinite(fit.bse)]
    assert list(loose.index) == ["ad_max_innovation_per_month"] and loose.iloc[0] == math.inf
    assert any("ad_max_innovation_per_month is not identified" in w for w in fit.warnings)
    assert np.isfinite(fit.bse.drop(loose.index)).all()
    shown = tables.fit_table(fit).set_index("Field")
    assert shown.loc["ad_max_innovation_per_month", "Standard error"] == "not identified"
    fitted = shown[shown["How"] == "fitted"].drop(index="ad_max_innovation_per_month")
    assert len(fitted) >= 5 and (fitted["Standard error"] != "").all() and (fitted["95% range"] != "").all()


def test_a_short_history_is_fitted_with_a_warning_that_its_ranges_do_not_hold(sample_fit):
    """On the sample's first 18 months the 95% ranges miss true values (the market size by about 5x):
    such a fit says so; the full 48 months do not need to."""
    frame = cx_roi.sample_history().frame.iloc[:18]
    short = fit_history(frame)
    truth = cx_roi.sample_history_truth()["fitted_parameters"]
    ranges = short.conf_int()
    missed = [k for k, v in truth.items() if k in ranges.index and not ranges.loc[k, "lower"] <= v <= ranges.loc[k, "upper"]]
    assert "market_size" in missed
    assert any("18 months" in w and "36" in w for w in short.warnings)
    assert not any("36" in w for w in sample_fit.warnings)


def test_a_month_without_agents_leaves_the_fit_standing():
    """With no service spend the model's survey has nobody to ask (no score that month); the history
    still reports one. That month gives the survey no residual, rather than stopping the fit."""
    import dataclasses

    h = cx_roi.sample_history()
    frame = h.frame.copy()
    frame.loc[frame.index[4], ["service_spend", "agents"]] = 0.0
    fit = fit_history(dataclasses.replace(h, frame=frame))
    assert np.isfinite(fit.params).all()
