"""Presets: the product's stories, each a valid scenario with a title and a description."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cx_roi
from cx_roi import PARAMETERS, Scenario, UnknownPresetError

NAMES = cx_roi.presets()
SERVICE_LEVERS = ("service_capacity_spend_per_month", "service_quality_spend_per_month")
AD_LEVER = "ad_spend_per_month"
REQUIRED = ["status-quo", "service-boost", "ad-boost", "revolving-door", "young-product"]


def _service(s: Scenario) -> np.ndarray:
    return s.schedule(SERVICE_LEVERS[0]) + s.schedule(SERVICE_LEVERS[1])


def _ads(s: Scenario) -> np.ndarray:
    return s.schedule(AD_LEVER)


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?=\s|$)", text.strip()))


@pytest.fixture(scope="module")
def sq() -> Scenario:
    return cx_roi.load_preset("status-quo")


def test_presets_lists_unique_names():
    assert isinstance(NAMES, list) and NAMES
    assert all(isinstance(n, str) and n.strip() for n in NAMES)
    assert len(set(NAMES)) == len(NAMES)
    for name in REQUIRED:
        assert name in NAMES
    assert cx_roi.presets() == NAMES  # stable order
    names_copy = cx_roi.presets()
    names_copy.append("mutated")
    assert "mutated" not in cx_roi.presets()


@pytest.mark.parametrize("name", NAMES)
def test_preset_loads_a_valid_scenario(name):
    s = cx_roi.load_preset(name)
    assert isinstance(s, Scenario)
    assert s == cx_roi.load_preset(name)
    # re-validating its own values succeeds and changes nothing
    assert Scenario.from_json(s.to_json()) == s


@pytest.mark.parametrize("name", NAMES)
def test_preset_simulates(name):
    s = cx_roi.load_preset(name)
    r = cx_roi.simulate(s)
    assert len(r.monthly) == s.horizon_months
    assert np.isfinite(r.kpis["npv"])
    assert np.isfinite(r.monthly[["customers", "new_from_ads", "new_from_wom", "churned"]].to_numpy()).all()


@pytest.mark.parametrize("name", NAMES)
def test_preset_has_title_and_description(name):
    info = cx_roi.preset_info(name)
    assert isinstance(info.title, str) and info.title.strip()
    d = info.description
    assert isinstance(d, str)
    assert len(d.strip()) >= 150, d
    assert _sentences(d) >= 2, d


def test_titles_are_distinct():
    titles = [cx_roi.preset_info(n).title for n in NAMES]
    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize("bad", ["nope", "status_quo", "Status-Quo", "", "service boost"])
def test_unknown_preset_lists_valid_names(bad):
    for fn in (cx_roi.load_preset, cx_roi.preset_info):
        with pytest.raises(UnknownPresetError) as info:
            fn(bad)
        msg = str(info.value)
        for name in NAMES:
            assert name in msg, (name, msg)
        if bad:
            assert repr(bad) in msg or bad in msg


def test_unknown_preset_error_is_a_cx_roi_error():
    with pytest.raises(cx_roi.CxRoiError):
        cx_roi.load_preset("nope")


# ---------------------------------------------------------------- the stories

def _fields_other_than(a: Scenario, b: Scenario, allowed: set[str]) -> dict:
    return {n: (getattr(a, n), getattr(b, n)) for n in PARAMETERS
            if n not in allowed and getattr(a, n) != getattr(b, n)}


def test_service_and_ad_boost_add_the_same_extra_to_different_levers(sq):
    svc = cx_roi.load_preset("service-boost")
    ads = cx_roi.load_preset("ad-boost")
    assert svc.horizon_months == ads.horizon_months == sq.horizon_months
    extra_service = _service(svc) - _service(sq)
    extra_ads = _ads(ads) - _ads(sq)
    assert (extra_service > 0).all()
    assert (extra_ads > 0).all()
    np.testing.assert_allclose(extra_service, extra_ads, rtol=0, atol=1e-6)
    # each puts the money into its own lever only
    np.testing.assert_array_equal(_ads(svc), _ads(sq))
    np.testing.assert_array_equal(_service(ads), _service(sq))
    assert not _fields_other_than(svc, sq, set(SERVICE_LEVERS))
    assert not _fields_other_than(ads, sq, {AD_LEVER})


def test_revolving_door_spends_more_on_ads_and_less_on_service(sq):
    s = cx_roi.load_preset("revolving-door")
    assert (_ads(s) > _ads(sq)).all()
    assert (_service(s) < _service(sq)).all()


def test_online_megaphone_story_exists(sq):
    base_reach = sq.online_share * sq.online_audience
    found = []
    for n in NAMES:
        s = cx_roi.load_preset(n)
        if s.online_share * s.online_audience >= 10 * base_reach:
            found.append(n)
    assert found, "no preset with a much larger online reach than status-quo"


def test_great_service_weak_product_story_exists(sq):
    found = []
    for n in NAMES:
        s = cx_roi.load_preset(n)
        if s.product_value < sq.product_value and (_service(s) > _service(sq)).all():
            found.append(n)
    assert found, "no preset with a weaker product and more service spend than status-quo"


def test_advertising_honestly_wins_for_the_young_product():
    table = cx_roi.next_dollar(cx_roi.load_preset("young-product"), 50_000.0)
    assert table["delta_npv"].idxmax() == AD_LEVER
    ad = table.loc[AD_LEVER, "delta_npv"]
    assert ad > 0
    for lever in SERVICE_LEVERS:
        assert ad > table.loc[lever, "delta_npv"]


def test_service_beats_advertising_in_the_revolving_door():
    table = cx_roi.next_dollar(cx_roi.load_preset("revolving-door"), 50_000.0)
    best_service = max(table.loc[lever, "delta_npv"] for lever in SERVICE_LEVERS)
    assert best_service > table.loc[AD_LEVER, "delta_npv"]
