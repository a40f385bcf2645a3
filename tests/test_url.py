"""The link's values and file names without Streamlit: every scenario written into a link reads
back exactly, and fields that do not fit are named while the rest apply."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

import cx_roi
from cx_roi import Scenario
from strategies import scenarios
from ui import fields, sharing, url
from apptest import AD


def test_download_names():
    assert sharing.file_name("status-quo", 0) == "status-quo.json"
    assert sharing.file_name("ad-boost", 1) == "ad-boost+1-change.json"


def test_url_values_round_trip_exactly():
    odd = Scenario().replace(shrinkage=0.1 + 0.2, ad_spend_per_month=(1.5, 2.25, 1e7),
                             service_quality_spend_per_month=(100.0, 200.0, 300.0))  # not "100,200,300"
    for name in ("shrinkage", AD, "service_quality_spend_per_month"):
        text = fields.url_value(getattr(odd, name))
        assert cx_roi.parse_value(name, text) == getattr(odd, name)
    assert not math.isnan(float(fields.url_value(1e-12)))


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.sampled_from(list(cx_roi.presets())))
def test_any_scenario_written_into_a_link_reads_back_exactly(scenario, preset):
    """Fields are applied together: pairs valid only jointly (market and customers, FCR floor
    and ceiling, the sentiment shares) must not be refused one at a time, in any order."""
    start = cx_roi.load_preset(preset)
    texts = {k: fields.url_value(v) for k, v in scenario.changed_fields(start).items()}
    for order in (texts, dict(reversed(list(texts.items())))):
        bad: list[str] = []
        assert url.apply_fields(start, order, bad, lambda k, s: "kept") == scenario
        assert bad == []


def test_fields_that_do_not_fit_are_named_and_the_rest_applied():
    bad: list[str] = []
    got = url.apply_fields(Scenario(), {"market_size": "50000", "initial_customers": "200000",
                                           "shrinkage": "0.4", "churn_passive": "lots"}, bad,
                              lambda k, s: f"{k} stays {getattr(s, k):g}")
    assert (got.initial_customers, got.shrinkage, got.market_size) == (200_000, 0.4, Scenario().market_size)
    assert len(bad) == 2
    assert "market_size=50000" in bad[1] and "200,000" in bad[1] and "market_size stays 1e+06" in bad[1]
    assert "churn_passive=lots" in bad[0]
