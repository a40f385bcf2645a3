"""Monte Carlo ensembles: ranges and PERT draws, reproducibility, common random numbers,
collapse to the deterministic run, quantile bands, and compare(draws=)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cx_roi
from cx_roi import KPI_COLUMNS, Range, ScenarioError, compare, default_ranges, simulate, simulate_many
from cx_roi.uncertainty import ENSEMBLE_COLUMNS, MAX_DRAWS, UNCERTAIN_FIELDS, sample
from strategies import scenarios

HYPO = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
H = 24  # short horizons keep every test quick


def _short(name: str, horizon: int = H) -> cx_roi.Scenario:
    return cx_roi.load_preset(name).replace(horizon_months=horizon)


def _fixed(scenario: cx_roi.Scenario) -> dict[str, Range]:
    """Zero-width ranges at the scenario's own values for every uncertain input."""
    return {n: Range(r.likely, r.likely, r.likely) for n, r in default_ranges(scenario).items()}


# ----------------------------------------------------------- ranges and draws

def test_default_ranges_cover_the_uncertain_inputs_and_contain_the_scenario():
    s = _short("online-megaphone")
    ranges = default_ranges(s)
    assert set(ranges) == set(UNCERTAIN_FIELDS)
    for name, r in ranges.items():
        assert r.low <= r.likely <= r.high, name
        assert r.likely == pytest.approx(float(getattr(s, name)), rel=0, abs=0), name
    # reach figures spanning orders of magnitude are drawn on a log scale; narrow ones are not
    assert ranges["online_audience"].log and ranges["online_share"].log
    assert not ranges["churn_detractor"].log and not ranges["aht_seconds"].log


def test_pert_draws_stay_in_range_and_have_the_pert_mean():
    r = Range(2.0, 3.0, 10.0)
    u = (np.arange(40_000) + 0.5) / 40_000  # a fine quadrature of the uniform
    x = r.ppf(u)
    assert x.min() >= 2.0 and x.max() <= 10.0
    assert np.all(np.diff(x) >= 0)  # an inverse CDF
    assert x.mean() == pytest.approx((2 + 4 * 3 + 10) / 6, rel=1e-3)


def test_log_pert_is_pert_on_the_log_scale():
    r = Range(50.0, 300.0, 6000.0, log=True)
    u = (np.arange(40_000) + 0.5) / 40_000
    logs = np.log(r.ppf(u))
    lo, mode, hi = np.log(50.0), np.log(300.0), np.log(6000.0)
    assert logs.mean() == pytest.approx((lo + 4 * mode + hi) / 6, rel=1e-3)
    assert np.median(r.ppf(u)) < (50 + 6000) / 2  # most draws are modest audiences


def test_zero_width_range_gives_its_value():
    assert np.all(Range(7.0, 7.0, 7.0).ppf(np.linspace(0, 1, 11)) == 7.0)


# ------------------------------------------------------------- reproducibility

def test_same_seed_same_ensemble_other_seed_other_ensemble():
    s = _short("status-quo")
    a = simulate_many(s, draws=64, seed=3)
    b = simulate_many(s, draws=64, seed=3)
    c = simulate_many(s, draws=64, seed=4)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    for col in ENSEMBLE_COLUMNS:
        np.testing.assert_array_equal(a.monthly[col], b.monthly[col])
    assert not np.allclose(a.kpis["npv"], c.kpis["npv"])
    assert a.draws == 64 and len(a.kpis) == 64 and a.seed == 3


def test_common_random_numbers_pair_scenarios_draw_by_draw():
    # service-boost differs from status-quo only in spend: every uncertain input is drawn identically
    a = simulate_many(_short("status-quo"), draws=100, seed=11)
    b = simulate_many(_short("service-boost"), draws=100, seed=11)
    assert set(a.values) == set(b.values)
    for name in a.values:
        np.testing.assert_array_equal(a.values[name], b.values[name], err_msg=name)


def test_a_shared_input_with_another_likely_value_stays_paired_by_quantile():
    s = _short("status-quo")
    louder = s.replace(online_audience=2_000.0)
    a = simulate_many(s, draws=200, seed=5, columns=())
    b = simulate_many(louder, draws=200, seed=5, columns=())
    # same uniforms through a different (monotone) inverse CDF: same ranks, draw by draw
    np.testing.assert_array_equal(np.argsort(a.values["online_audience"]), np.argsort(b.values["online_audience"]))
    np.testing.assert_array_equal(a.values["churn_detractor"], b.values["churn_detractor"])


def test_each_input_has_its_own_stream():
    s = _short("status-quo")
    base = default_ranges(s)
    narrowed = dict(base, aht_seconds=Range(300.0, 360.0, 400.0))
    a = sample(base, 50, seed=1)
    b = sample(narrowed, 50, seed=1)
    for name in base:
        if name != "aht_seconds":
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert not np.array_equal(a["aht_seconds"], b["aht_seconds"])


def test_draws_respect_the_cross_field_rules():
    ens = simulate_many(_short("status-quo"), draws=500, seed=2, columns=())
    v = ens.values
    for prefix in ("fast", "slow", "bad"):
        assert np.all(v[f"{prefix}_promoter_share"] + v[f"{prefix}_detractor_share"] <= 1 + 1e-12)
    assert np.all(v["fcr_floor"] <= v["fcr_ceiling"])


# ------------------------------------------------------- collapse to one run

@pytest.mark.parametrize("name", ["status-quo", "revolving-door", "online-megaphone", "young-product"])
def test_zero_width_ranges_collapse_to_the_deterministic_run(name):
    s = _short(name, 36)
    one = simulate(s)
    ens = simulate_many(s, draws=5, seed=9, ranges=_fixed(s))
    expected = np.array([one.kpis[k] for k in KPI_COLUMNS])
    for i in range(ens.draws):
        got = ens.kpis.iloc[i][list(KPI_COLUMNS)].to_numpy(float)
        assert np.allclose(got, expected, rtol=1e-9, atol=0, equal_nan=True), (name, i)
    for col in ENSEMBLE_COLUMNS:
        assert np.allclose(ens.monthly[col], one.monthly[col].to_numpy()[None, :], rtol=1e-9, atol=0), col
        q = ens.monthly_quantiles(col)
        assert np.allclose(q.to_numpy(), one.monthly[col].to_numpy()[:, None], rtol=1e-9, atol=0), col


@HYPO
@given(s=scenarios(max_horizon=36), seed=st.integers(0, 2**31))
def test_collapse_holds_for_any_scenario(s, seed):
    one = simulate(s)
    ens = simulate_many(s, draws=3, seed=seed, ranges=_fixed(s), columns=("customers", "contribution"))
    expected = np.array([one.kpis[k] for k in KPI_COLUMNS])
    for i in range(3):
        got = ens.kpis.iloc[i][list(KPI_COLUMNS)].to_numpy(float)
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-9, equal_nan=True)
    assert np.allclose(ens.monthly["customers"], one.monthly["customers"].to_numpy()[None, :], rtol=1e-9)


def test_one_draw_ensemble_of_ranges_matches_a_direct_run_of_its_values():
    s = _short("status-quo")
    ens = simulate_many(s, draws=4, seed=21)
    i = 2
    drawn = s.replace(**{k: float(v[i]) for k, v in ens.values.items()})
    direct = simulate(drawn).kpis
    assert ens.kpis.iloc[i]["npv"] == pytest.approx(direct["npv"], rel=1e-9)


# ------------------------------------------------------------------ quantiles

def test_quantile_bands_are_ordered_every_month():
    ens = simulate_many(_short("revolving-door", 36), draws=300, seed=0)
    for col in ENSEMBLE_COLUMNS:
        q = ens.monthly_quantiles(col)
        assert list(q.columns) == [0.1, 0.5, 0.9]
        assert list(q.index) == list(range(1, 37)) and q.index.name == "month"
        v = q.to_numpy()
        assert np.all(v[:, 0] <= v[:, 1]) and np.all(v[:, 1] <= v[:, 2]), col
    assert ens.monthly_quantiles("customers").iloc[-1, 2] > ens.monthly_quantiles("customers").iloc[-1, 0]


def test_quantiles_match_numpy_and_kpi_quantiles():
    ens = simulate_many(_short("status-quo"), draws=101, seed=1)
    q = ens.monthly_quantiles("customers", q=(0.25, 0.75))
    np.testing.assert_allclose(q[0.25].to_numpy(), np.quantile(ens.monthly["customers"], 0.25, axis=0))
    kq = ens.kpi_quantiles()
    assert kq.loc[0.5, "npv"] == pytest.approx(float(np.median(ens.kpis["npv"])))
    assert ens.probability(ens.kpis["npv"] > kq.loc[0.5, "npv"]) == pytest.approx(50 / 101)


def test_unknown_monthly_column():
    ens = simulate_many(_short("status-quo"), draws=2, columns=("customers",))
    with pytest.raises(KeyError, match="kept"):
        ens.monthly_quantiles("nps")
    with pytest.raises(ScenarioError, match="not monthly columns"):
        simulate_many(_short("status-quo"), draws=2, columns=("happiness",))


# --------------------------------------------------------------- compare(draws)

@pytest.fixture(scope="module")
def mc_table() -> pd.DataFrame:
    named = {n: _short(n) for n in ("status-quo", "service-boost", "ad-boost")}
    return compare(named, baseline="status-quo", draws=300, seed=4)


def test_compare_with_draws_adds_the_uncertainty_columns(mc_table):
    for col in ("npv_p10", "npv_p50", "npv_p90", "prob_beats_baseline"):
        assert col in mc_table.columns
    assert np.isnan(mc_table.loc["status-quo", "prob_beats_baseline"])
    others = mc_table["prob_beats_baseline"].drop("status-quo")
    assert ((others >= 0) & (others <= 1)).all()
    assert (mc_table["npv_p10"] <= mc_table["npv_p50"]).all() and (mc_table["npv_p50"] <= mc_table["npv_p90"]).all()
    assert mc_table.attrs["draws"] == 300 and mc_table.attrs["seed"] == 4


def test_compare_probability_is_the_paired_share_of_draws(mc_table):
    a = simulate_many(_short("service-boost"), draws=300, seed=4, columns=()).kpis["npv"].to_numpy()
    b = simulate_many(_short("status-quo"), draws=300, seed=4, columns=()).kpis["npv"].to_numpy()
    assert mc_table.loc["service-boost", "prob_beats_baseline"] == pytest.approx(float(np.mean(a > b)))
    assert mc_table.loc["service-boost", "npv_p10"] == pytest.approx(float(np.percentile(a, 10)))


def test_compare_a_scenario_with_itself_never_beats_it():
    s = _short("status-quo")
    t = compare({"a": s, "b": s}, draws=50, seed=0)
    assert t.loc["b", "prob_beats_baseline"] == 0.0
    assert t.loc["a", "npv_p50"] == t.loc["b", "npv_p50"]


def test_compare_without_draws_has_no_uncertainty_columns():
    t = compare({"a": _short("status-quo"), "b": _short("ad-boost")})
    assert "prob_beats_baseline" not in t.columns and "npv_p10" not in t.columns


# --------------------------------------------------------------- bad settings

@pytest.mark.parametrize("draws", [0, -5, 1.5, True, "100", MAX_DRAWS + 1])
def test_bad_draws_are_named(draws):
    with pytest.raises(ScenarioError, match="draws") as err:
        simulate_many(_short("status-quo"), draws=draws)
    assert "whole number from 1" in str(err.value)
    with pytest.raises(ScenarioError, match="draws"):
        compare(["status-quo", "ad-boost"], draws=draws)


def test_bad_seed_is_named():
    with pytest.raises(ScenarioError, match="seed"):
        simulate_many(_short("status-quo"), draws=2, seed="abc")


@pytest.mark.parametrize("ranges,words", [
    ({"aht_seconds": Range(500.0, 360.0, 600.0)}, ["aht_seconds", "low <= likely <= high"]),
    ({"shrinkage": Range(0.1, 0.3, 1.5)}, ["shrinkage", "leaves the allowed"]),
    ({"online_audience": Range(0.0, 300.0, 6000.0, log=True)}, ["online_audience", "log-scale"]),
    ({"ad_spend_per_month": Range(0.0, 1.0, 2.0)}, ["ad_spend_per_month", "not an input that can be uncertain"]),
    ({"aht_seconds": (240, 360, 600)}, ["aht_seconds", "cx_roi.Range"]),
])
def test_bad_ranges_are_named(ranges, words):
    with pytest.raises(ScenarioError) as err:
        simulate_many(_short("status-quo"), draws=2, ranges=ranges)
    for w in words:
        assert w in str(err.value)


def test_risk_figures_read_returns_on_spend_only_where_spend_alone_differs():
    from cx_roi.risk import paired_outcomes, risk_summary

    base = cx_roi.simulate_many(cx_roi.load_preset("status-quo"), draws=60, seed=3)
    other = paired_outcomes(cx_roi.simulate_many(cx_roi.load_preset("young-product"), draws=60, seed=3), base)
    assert other["roi"].isna().all() and other["payback_month"].isna().all()
    assert other["delta_npv"].notna().all(), "the NPV gap itself is still there"
    summary = risk_summary(other)
    assert not summary.spends_more and math.isnan(summary.prob_payback) and math.isnan(summary.roi_p50)
    boost = paired_outcomes(cx_roi.simulate_many(cx_roi.load_preset("service-boost"), draws=60, seed=3), base)
    assert boost["roi"].notna().any() and risk_summary(boost).spends_more
