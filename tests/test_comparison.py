"""compare(), next_dollar() and npv_bridge(), checked against independent sums of simulate() output."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cx_roi
from cx_roi import PARAMETERS, Scenario, ScenarioError, compare, next_dollar, npv_bridge, simulate

LEVERS = ("service_capacity_spend_per_month", "service_quality_spend_per_month", "ad_spend_per_month")
STEPS = ["retention", "word-of-mouth acquisition", "advertising acquisition", "spend", "other"]
HYPO = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ["status-quo", "service-boost", "ad-boost", "revolving-door", "online-megaphone"]


def _pv_spend(result) -> float:
    m = result.monthly
    spend = m["capacity_cost"] + m["quality_cost"] + m["ad_cost"]
    return float((spend * m["discount_factor"]).sum())


def _payback(incremental: np.ndarray) -> float:
    """First month (1-based) from which cumulative incremental cash stays >= 0; NaN if never."""
    cum = np.cumsum(incremental)
    tol = 1e-9 * max(1.0, float(np.abs(cum).max()))
    for month in range(1, len(cum) + 1):
        if (cum[month - 1:] >= -tol).all():
            return float(month)
    return math.nan


@pytest.fixture(scope="module")
def results() -> dict:
    return {n: simulate(cx_roi.load_preset(n)) for n in NAMES}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return compare(NAMES, baseline="status-quo")


# ------------------------------------------------------------------- compare

def test_compare_shape(table):
    assert isinstance(table, pd.DataFrame)
    assert list(table.index) == NAMES
    for col in ("npv", "delta_npv", "roi", "payback_month"):
        assert col in table.columns
    deltas = [c for c in table.columns if c.startswith("delta_")]
    assert len(deltas) >= 2


def test_baseline_row(table):
    base = table.loc["status-quo"]
    for col in [c for c in table.columns if c.startswith("delta_")]:
        assert base[col] == 0, col
    assert math.isnan(base["roi"])
    assert math.isnan(base["payback_month"])


def test_delta_columns_are_differences_to_baseline(table):
    for col in [c for c in table.columns if c.startswith("delta_")]:
        kpi = col[len("delta_"):]
        assert kpi in table.columns, col
        expected = table[kpi] - table.loc["status-quo", kpi]
        np.testing.assert_allclose(table[col], expected, rtol=1e-12, atol=0, err_msg=col)


def test_npv_and_delta_npv_match_independent_runs(table, results):
    base = results["status-quo"].kpis["npv"]
    for name in NAMES:
        npv = results[name].kpis["npv"]
        assert table.loc[name, "npv"] == pytest.approx(npv, rel=1e-12)
        assert table.loc[name, "delta_npv"] == pytest.approx(npv - base, rel=1e-9, abs=1e-6)
    assert table.loc["ad-boost", "delta_npv"] != 0
    assert table.loc["service-boost", "delta_npv"] != 0


@pytest.mark.parametrize("name", ["ad-boost", "service-boost"])
def test_roi_is_delta_npv_over_pv_of_extra_spend(table, results, name):
    a, b = results["status-quo"], results[name]
    extra = _pv_spend(b) - _pv_spend(a)
    assert extra > 0
    expected = (b.kpis["npv"] - a.kpis["npv"]) / extra
    assert table.loc[name, "roi"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", ["ad-boost", "service-boost"])
def test_payback_month_against_baseline(table, results, name):
    inc = (results[name].monthly["contribution"] - results["status-quo"].monthly["contribution"]).to_numpy()
    expected = _payback(inc)
    got = table.loc[name, "payback_month"]
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected


def test_roi_and_payback_are_returns_on_spend_only(table, results):
    # revolving-door also has its own history (the spends before the plan it starts from): part of
    # its NPV gap is that history, which no spend in the horizon bought.
    assert cx_roi.comparison.beyond_spend(cx_roi.load_preset("revolving-door"),
                                          cx_roi.load_preset("status-quo")) == (
        "prior_service_capacity_spend_per_month", "prior_service_quality_spend_per_month", "prior_ad_spend_per_month")
    row = table.loc["revolving-door"]
    assert row["differs_beyond_spend"] == 3 and math.isnan(row["roi"]) and math.isnan(row["payback_month"])
    assert np.isfinite(row["delta_npv"]), "the NPV change itself is still there"
    assert table.loc["online-megaphone", "differs_beyond_spend"] == 2
    assert (table.loc[["status-quo", "service-boost", "ad-boost"], "differs_beyond_spend"] == 0).all()
    # The same spends on the status quo's business are a return on spend again.
    door = cx_roi.load_preset("revolving-door")
    same_business = cx_roi.load_preset("status-quo").replace(**{k: getattr(door, k) for k in LEVERS})
    t = compare({"base": Scenario(), "door spends": same_business}, baseline="base")
    a, b = results["status-quo"], simulate(same_business)
    assert t.loc["door spends", "roi"] == pytest.approx((b.kpis["npv"] - a.kpis["npv"]) / (_pv_spend(b) - _pv_spend(a)),
                                                        rel=1e-9)
    # assess() follows the same rule.
    view = cx_roi.assess(door, Scenario())
    assert math.isnan(view.kpis.loc["scenario", "roi"]) and view.kpis.loc["scenario", "differs_beyond_spend"] == 3
    history = ("prior_service_capacity_spend_per_month", "prior_service_quality_spend_per_month",
               "prior_ad_spend_per_month")
    assert view.kpis.attrs["beyond_spend"] == {"scenario": history}
    assert table.attrs["beyond_spend"]["revolving-door"] == history


def test_spending_less_than_baseline_gives_nan_roi():
    base = Scenario()
    cut = base.replace(ad_spend_per_month=100_000.0, service_quality_spend_per_month=10_000.0)
    t = compare({"base": base, "cut": cut}, baseline="base")
    assert math.isnan(t.loc["cut", "roi"])
    assert np.isfinite(t.loc["cut", "delta_npv"]) and t.loc["cut", "delta_npv"] != 0


def test_spending_the_same_as_baseline_gives_nan_roi(table):
    # online-megaphone changes word of mouth only, not spend
    assert math.isnan(table.loc["online-megaphone", "roi"])


def test_accepts_names_dict_and_pairs(table):
    scen = {n: cx_roi.load_preset(n) for n in ("status-quo", "ad-boost")}
    from_names = compare(["status-quo", "ad-boost"], baseline="status-quo")
    from_dict = compare({"base": scen["status-quo"], "more ads": scen["ad-boost"]}, baseline="base")
    from_pairs = compare([("base", scen["status-quo"]), ("more ads", scen["ad-boost"])], baseline="base")
    assert list(from_names.index) == ["status-quo", "ad-boost"]
    assert list(from_dict.index) == ["base", "more ads"]
    assert list(from_pairs.index) == ["base", "more ads"]
    for t, row in ((from_names, "ad-boost"), (from_dict, "more ads"), (from_pairs, "more ads")):
        assert t.loc[row, "delta_npv"] == pytest.approx(table.loc["ad-boost", "delta_npv"], rel=1e-12)
        assert t.loc[row, "roi"] == pytest.approx(table.loc["ad-boost", "roi"], rel=1e-12)


def test_baseline_need_not_be_first():
    t = compare(["ad-boost", "status-quo"], baseline="status-quo")
    assert t.loc["status-quo", "delta_npv"] == 0
    assert t.loc["ad-boost", "delta_npv"] != 0 and np.isfinite(t.loc["ad-boost", "delta_npv"])


def test_unknown_baseline_raises():
    with pytest.raises(ScenarioError) as info:
        compare(["status-quo", "ad-boost"], baseline="nope")
    assert "nope" in str(info.value)


def test_different_horizons_raise():
    with pytest.raises(ScenarioError):
        compare({"a": Scenario(), "b": Scenario(horizon_months=36)}, baseline="a")


@pytest.mark.parametrize("scenarios", [
    ["status-quo", "status-quo"],
    [("a", Scenario()), ("a", Scenario(ad_spend_per_month=1.0))],
    ["status-quo", ("status-quo", Scenario())],
])
def test_duplicate_names_raise(scenarios):
    with pytest.raises(ValueError):
        compare(scenarios, baseline="status-quo" if isinstance(scenarios[0], str) else "a")


# --------------------------------------------------------------- next_dollar

def test_next_dollar_rows_and_order():
    s = Scenario()
    t = next_dollar(s, 50_000.0)
    assert set(t.index) == set(LEVERS) and len(t) == 3
    assert "delta_npv" in t.columns
    assert list(t["delta_npv"]) == sorted(t["delta_npv"], reverse=True)


def test_next_dollar_matches_independent_runs():
    s = Scenario(ad_spend_per_month=(100_000.0, 200_000.0, 150_000.0), horizon_months=36)
    extra = 40_000.0
    t = next_dollar(s, extra)
    base = simulate(s).kpis["npv"]
    for lever in LEVERS:
        value = getattr(s, lever)
        bumped = tuple(v + extra for v in value) if isinstance(value, tuple) else value + extra
        expected = simulate(s.replace(**{lever: bumped})).kpis["npv"] - base
        assert t.loc[lever, "delta_npv"] == pytest.approx(expected, rel=1e-9, abs=1e-6), lever


def test_next_dollar_scales_with_extra():
    s = Scenario()
    small = next_dollar(s, 10_000.0)
    big = next_dollar(s, 100_000.0)
    assert not np.allclose(small.loc[list(LEVERS), "delta_npv"], big.loc[list(LEVERS), "delta_npv"])


@pytest.mark.parametrize("extra", [0.0, -1.0, -50_000.0, -math.inf, math.nan])
def test_next_dollar_rejects_non_positive_or_nan(extra):
    with pytest.raises(ScenarioError):
        next_dollar(Scenario(), extra)


def test_next_dollar_leaves_out_a_lever_at_its_maximum():
    """A spend the scenario allows, with no room left for the extra: that row is NaN, the others valued."""
    top = PARAMETERS["ad_spend_per_month"].maximum
    s = Scenario(ad_spend_per_month=(100_000.0, top - 10_000.0))  # a schedule: its highest month counts
    t = next_dollar(s, 50_000.0)
    assert t.attrs["at_limit"] == ("ad_spend_per_month",)
    assert t.loc["ad_spend_per_month", ["delta_npv", "roi", "payback_month"]].isna().all()
    assert t.index[-1] == "ad_spend_per_month"  # what cannot be valued sorts last
    expected = t.loc["service_quality_spend_per_month", "delta_npv"]
    independent = (simulate(s.replace(service_quality_spend_per_month=s.service_quality_spend_per_month + 50_000.0))
                   .kpis["npv"] - simulate(s).kpis["npv"])
    assert expected == pytest.approx(independent, rel=1e-9)
    view = cx_roi.assess(s, Scenario(horizon_months=s.horizon_months), 50_000.0)
    pd.testing.assert_frame_equal(view.next_dollar, t)
    assert view.next_dollar.attrs["at_limit"] == ("ad_spend_per_month",)
    # Exactly up to the maximum still fits.
    assert next_dollar(s, 10_000.0).attrs["at_limit"] == ()


def test_with_extra_past_the_maximum_names_lever_and_maximum():
    s = Scenario(service_capacity_spend_per_month=PARAMETERS["service_capacity_spend_per_month"].maximum)
    with pytest.raises(ScenarioError, match=r"service_capacity_spend_per_month: 1 more a month would exceed its "
                                            r"maximum of 1,000,000,000"):
        cx_roi.comparison.with_extra(s, "service_capacity_spend_per_month", 1.0)
    assert cx_roi.comparison.headroom(s, "ad_spend_per_month") == pytest.approx(1e9 - s.ad_spend_per_month)


# ---------------------------------------------------------------- npv_bridge

def _bridge_dict(frame: pd.DataFrame) -> dict:
    assert list(frame["step"]) == STEPS
    return dict(zip(frame["step"], frame["value"].astype(float)))


SAME_ECONOMICS = ["service-boost", "ad-boost", "revolving-door", "online-megaphone", "great-service-weak-product"]


@pytest.mark.parametrize("name", SAME_ECONOMICS + ["young-product", "status-quo"])
def test_bridge_sums_to_npv_difference(name):
    a = simulate(cx_roi.load_preset("status-quo"))
    b = simulate(cx_roi.load_preset(name))
    v = _bridge_dict(npv_bridge(a, b))
    total = b.kpis["npv"] - a.kpis["npv"]
    assert sum(v.values()) == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert all(np.isfinite(x) for x in v.values())


@pytest.mark.parametrize("name", SAME_ECONOMICS)
def test_bridge_other_is_zero_with_same_prices_margins_start(name):
    sq = cx_roi.load_preset("status-quo")
    s = cx_roi.load_preset(name)
    for f in ("arpu_per_month", "gross_margin", "initial_customers"):
        assert getattr(s, f) == getattr(sq, f)  # the premise of this test
    a, b = simulate(sq), simulate(s)
    v = _bridge_dict(npv_bridge(a, b))
    total = b.kpis["npv"] - a.kpis["npv"]
    assert abs(v["other"]) < 1e-6 * abs(total) + 1


@pytest.mark.parametrize("name", SAME_ECONOMICS + ["young-product"])
def test_bridge_spend_is_minus_change_in_discounted_spend(name):
    a = simulate(cx_roi.load_preset("status-quo"))
    b = simulate(cx_roi.load_preset(name))
    v = _bridge_dict(npv_bridge(a, b))
    expected = -(_pv_spend(b) - _pv_spend(a))
    assert v["spend"] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_bridge_ad_boost_is_mostly_advertising(results):
    v = _bridge_dict(npv_bridge(results["status-quo"], results["ad-boost"]))
    assert v["advertising acquisition"] > 0
    assert v["advertising acquisition"] == max(v.values())
    assert v["spend"] < 0


def test_bridge_service_boost_improves_retention(results):
    v = _bridge_dict(npv_bridge(results["status-quo"], results["service-boost"]))
    assert v["retention"] > 0
    assert v["spend"] < 0


def test_bridge_of_identical_runs_is_zero(results):
    v = _bridge_dict(npv_bridge(results["status-quo"], simulate(cx_roi.load_preset("status-quo"))))
    assert all(abs(x) < 1e-6 for x in v.values())


def test_bridge_is_antisymmetric_in_total(results):
    fwd = _bridge_dict(npv_bridge(results["status-quo"], results["ad-boost"]))
    back = _bridge_dict(npv_bridge(results["ad-boost"], results["status-quo"]))
    assert sum(fwd.values()) == pytest.approx(-sum(back.values()), rel=1e-9)
    assert fwd["spend"] == pytest.approx(-back["spend"], rel=1e-9)


# Operational levers are varied; prices, margins, the starting point, onboarding cost,
# discount rate, horizon and terminal-value switch are shared by both runs.
SHARED = {"arpu_per_month", "gross_margin", "initial_customers", "initial_promoter_share",
          "initial_detractor_share", "market_size", "onboarding_cost_per_customer",
          "annual_discount_rate", "horizon_months", "include_terminal_value"}


def _plausible(name: str):
    p = PARAMETERS[name]
    if p.kind == "spend":
        one = st.floats(0.0, 600_000.0)
        return st.one_of(one, st.lists(one, min_size=2, max_size=24).map(tuple))
    if p.kind == "bool":
        return st.booleans()
    lo, hi = p.plausible if p.plausible else (p.minimum, min(p.maximum, 10 * max(p.default, 1)))
    return st.floats(float(max(lo, p.minimum)), float(min(hi, p.maximum)))


@st.composite
def operational_variant(draw, shared: dict) -> Scenario:
    v = {n: draw(_plausible(n)) for n in PARAMETERS if n not in SHARED}
    v["fcr_floor"], v["fcr_ceiling"] = sorted((v["fcr_floor"], v["fcr_ceiling"]))
    for o in ("fast", "slow", "bad"):
        p = v[f"{o}_promoter_share"]
        v[f"{o}_detractor_share"] = min(v[f"{o}_detractor_share"], 1.0 - p)
    return Scenario(**shared, **v)


@st.composite
def same_economics_pair(draw):
    shared = {
        "arpu_per_month": draw(st.floats(10.0, 200.0)),
        "gross_margin": draw(st.floats(0.3, 0.9)),
        "market_size": draw(st.floats(2e5, 5e6)),
        "initial_customers": draw(st.floats(1_000.0, 150_000.0)),
        "initial_promoter_share": draw(st.floats(0.1, 0.5)),
        "initial_detractor_share": draw(st.floats(0.05, 0.4)),
        "onboarding_cost_per_customer": draw(st.floats(0.0, 100.0)),
        "annual_discount_rate": draw(st.floats(0.0, 0.3)),
        "horizon_months": draw(st.integers(12, 60)),
        "include_terminal_value": draw(st.booleans()),
    }
    return draw(operational_variant(shared)), draw(operational_variant(shared))


@HYPO
@given(same_economics_pair())
def test_bridge_other_vanishes_for_any_operational_change(pair):
    sa, sb = pair
    a, b = simulate(sa), simulate(sb)
    v = _bridge_dict(npv_bridge(a, b))
    total = b.kpis["npv"] - a.kpis["npv"]
    assert sum(v.values()) == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert abs(v["other"]) < 1e-6 * abs(total) + 1, (v, total)
    assert v["spend"] == pytest.approx(-(_pv_spend(b) - _pv_spend(a)), rel=1e-9, abs=1e-6)


# ---------------------------------------------------------------- assess: one batch for a whole view

@pytest.mark.parametrize("preset", ["service-boost", "revolving-door", "young-product"])
def test_assess_equals_compare_simulate_and_next_dollar(preset):
    scenario, base = cx_roi.load_preset(preset), cx_roi.load_preset("status-quo")
    scenario = scenario.replace(horizon_months=base.horizon_months)
    a = cx_roi.assess(scenario, base, 40_000.0)
    table = cx_roi.compare({"baseline": base, "scenario": scenario}, baseline="baseline")
    pd.testing.assert_frame_equal(a.kpis, table, rtol=1e-12)
    for got, want in ((a.scenario_result, cx_roi.simulate(scenario)), (a.baseline_result, cx_roi.simulate(base))):
        assert got.scenario == want.scenario
        pd.testing.assert_frame_equal(got.monthly, want.monthly, rtol=1e-12)
        assert got.kpis.keys() == want.kpis.keys()
        np.testing.assert_allclose(list(got.kpis.values()), list(want.kpis.values()), rtol=1e-12, equal_nan=True)
    pd.testing.assert_frame_equal(a.next_dollar, cx_roi.next_dollar(scenario, 40_000.0), rtol=1e-12)
    assert a.extra_per_month == 40_000.0
    # Without the next dollar: the same figures from the two scenarios alone.
    alone = cx_roi.assess(scenario, base, None)
    assert alone.next_dollar is None and alone.extra_per_month is None
    pd.testing.assert_frame_equal(alone.kpis, a.kpis, rtol=1e-12)
    pd.testing.assert_frame_equal(alone.scenario_result.monthly, a.scenario_result.monthly, rtol=1e-12)
    pd.testing.assert_frame_equal(alone.baseline_result.monthly, a.baseline_result.monthly, rtol=1e-12)


def test_assess_rejects_what_next_dollar_and_compare_reject():
    base = cx_roi.Scenario()
    with pytest.raises(ScenarioError, match="extra_per_month"):
        cx_roi.assess(base, base, 0.0)
    with pytest.raises(ScenarioError, match="one horizon"):
        cx_roi.assess(base.replace(horizon_months=24), base)
    with pytest.raises(TypeError, match="baseline"):
        cx_roi.assess(base, "status-quo")
    with pytest.raises(TypeError, match="Scenario"):
        cx_roi.assess("status-quo", base, None)


def test_a_copy_of_the_baseline_has_nothing_to_pay_back():
    t = compare({"base": Scenario(), "copy": Scenario()}, baseline="base")
    assert math.isnan(t.loc["copy", "payback_month"]) and math.isnan(t.loc["copy", "roi"])
    html_text = cx_roi.reports.html_report({"base": Scenario(), "copy": Scenario()}, "base")
    assert "<td>same as baseline</td>" in html_text and "<td>1</td>" not in html_text


@pytest.mark.parametrize("name,words", [
    ("\x01Plan", "control or unprintable character"),
    ("Plan\ufffe", "control or unprintable character"),
    ("Plan\ud800", "control or unprintable character"),
    ("  ", "at least one visible character"),
])
def test_a_scenario_name_no_report_file_can_hold_is_refused_by_name(name, words):
    """Named at the door (compare and every report), not as an XML or encoding error from deep inside."""
    for call in (cx_roi.compare, cx_roi.excel_report, cx_roi.pptx_report, cx_roi.html_report):
        with pytest.raises(cx_roi.ScenarioError, match=words):
            call({"a": cx_roi.Scenario(), name: cx_roi.Scenario(shrinkage=0.2)})


def test_scenarios_over_two_horizons_are_refused_with_each_horizon_named():
    with pytest.raises(cx_roi.ScenarioError) as err:
        cx_roi.compare({"a": cx_roi.Scenario(), "b": cx_roi.Scenario(horizon_months=120)})
    assert "horizon_months" in str(err.value) and "60 ('a')" in str(err.value) and "120 ('b')" in str(err.value)
