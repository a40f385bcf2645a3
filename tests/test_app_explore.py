"""The Explore page through AppTest: its cards, charts and verdict against the package, the levers,
the presets, Present mode, and every page drawing without an exception."""

from __future__ import annotations


import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import cx_roi
from cx_roi import Scenario
from cx_roi import formatting as fmt
from cx_roi.verdict import verdict
from ui import charts, controls, state, tables
from apptest import AD, APP, PAGES, card, chart, chart_specs, expected_cards, lever, messages, run_app, values


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("present", [False, True])
def test_every_page_renders_without_exception(page, present):
    at = run_app({"present": "1"} if present else None, page=page)
    assert at.title, "every page has a title"
    assert not at.exception


def test_explore_shows_the_baseline_kpis_and_its_charts():
    at = run_app()
    want = expected_cards(Scenario(), Scenario())
    for label in ("NPV", "Customers at the end", "Monthly churn", "Paid CAC"):
        assert card(at, label).value == want[label]
    assert card(at, "ROI vs baseline").delta == "same as baseline"
    titles = [s["layout"]["title"]["text"].replace("<br>", " ") for s in chart_specs(at)]
    # One y-axis a chart: the money across the page, then a pair a subject (customers, sentiment, service).
    assert titles == ["Cumulative contribution vs baseline", "Customers won and lost each month",
                      "Customers at month end", "Sentiment of customers", "Net promoter score",
                      "Service level: answered within 20 s", "Average wait in the queue"]
    assert at.query_params == {}, "a fresh default view has a clean URL"


def test_verdict_sentence_matches_next_dollar():
    at = run_app()
    table = cx_roi.next_dollar(Scenario(), state.DEFAULT_EXTRA)
    sentence = verdict(table, state.DEFAULT_EXTRA, 60)
    assert sentence in [m.value for m in at.markdown]
    quality = table.loc["service_quality_spend_per_month", "delta_npv"]
    assert fmt.money(quality) in sentence and "service quality" in sentence


@pytest.mark.parametrize("page", ["pages/explore.py", "pages/risk.py"])
def test_a_spend_with_no_room_for_the_next_dollar_is_explained(page):
    """Advertising within $1k of its maximum: the page still draws, and says why that lever is left out."""
    at = run_app({AD: "999999500", "draws": "200"}, page=None if page == "pages/explore.py" else page)
    texts = [m.value for m in at.markdown] + [i.value for i in at.info]
    assert any("past the most the model allows" in t and "advertising" in t for t in texts), texts
    if page == "pages/explore.py":
        assert card(at, "NPV").value  # the scenario itself is still valued


def test_more_ad_spend_changes_npv_and_paid_cac():
    at = run_app()
    before_npv, before_cac = card(at, "NPV").value, card(at, "Paid CAC").value
    lever(at, AD).set_value(300_000.0).run()
    assert not at.exception
    changed = Scenario().replace(**{AD: 300_000.0})
    want = expected_cards(changed, Scenario())
    assert card(at, "NPV").value == want["NPV"] != before_npv
    assert card(at, "Paid CAC").value == want["Paid CAC"] != before_cac
    assert card(at, "NPV").delta == want["NPV delta"]
    assert at.query_params[AD] == "300000", "the lever is in the URL"
    # Good or bad is said in words too, not by colour alone: more ads cost more per customer won.
    assert card(at, "Paid CAC").proto.delta_description == "worse"
    assert card(at, "Customers at the end").proto.delta_description == "better"


def test_more_service_quality_lowers_churn_and_moves_the_charts():
    at = run_app()
    churn_before = card(at, "Monthly churn").value
    service_before = values(chart(at, "Service level")["data"][0]["y"])
    lever(at, "service_quality_spend_per_month").set_value(90_000.0).run()
    assert card(at, "Monthly churn").value != churn_before
    assert card(at, "Monthly churn").delta.startswith("-"), "better service lowers churn"
    assert values(chart(at, "Service level")["data"][0]["y"]) != service_before


def test_extra_amount_changes_the_verdict():
    at = run_app()
    at.slider(key="w:extra").set_value(200_000.0).run()
    table = cx_roi.next_dollar(Scenario(), 200_000.0)
    assert verdict(table, 200_000.0, 60) in [m.value for m in at.markdown]
    assert at.query_params["extra"] == "200000"


def _same_assessment(a: cx_roi.Assessment, b: cx_roi.Assessment) -> None:
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    assert a.next_dollar is None and b.next_dollar is None  # Explore weighs the next dollar after its cards
    for got, want in ((a.scenario_result, b.scenario_result), (a.baseline_result, b.baseline_result)):
        assert got.scenario == want.scenario
        pd.testing.assert_series_equal(pd.Series(got.kpis), pd.Series(want.kpis))  # NaN equals NaN here
        pd.testing.assert_frame_equal(got.monthly, want.monthly)


def test_pages_leave_the_shared_assessment_as_the_model_made_it():
    """``ui.cached.assess`` hands every session the same objects: no page may change them."""
    from ui import cached

    scenario = cx_roi.load_preset("service-boost").replace(**{AD: 200_000.0})
    at = run_app({"preset": "service-boost", AD: "200000"})
    at.slider(key="w:extra").set_value(100_000.0).run()
    at.toggle(key="w:present").set_value(True).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    shared = cached.assess(scenario, Scenario())  # the very objects the page read
    _same_assessment(shared, cx_roi.assess(scenario, Scenario(), None))
    assert shared is cached.assess(scenario, Scenario()), "kept, not copied"


def test_refused_change_keeps_the_value_and_says_why():
    at = run_app(open_sections=(2,))  # "Product and market"
    before = lever(at, "initial_promoter_share").value
    lever(at, "initial_promoter_share").set_value(0.95).run()
    assert not at.exception
    assert lever(at, "initial_promoter_share").value == before
    assert "initial_promoter_share" in messages(at) and "at most 1" in messages(at)


def test_presets_keep_their_own_edits():
    at = run_app()
    lever(at, AD).set_value(250_000.0).run()
    at.selectbox(key="w:preset").set_value("online-megaphone").run()
    assert lever(at, AD).value == cx_roi.load_preset("online-megaphone").ad_spend_per_month
    assert at.query_params == {"preset": "online-megaphone"}
    at.selectbox(key="w:preset").set_value("status-quo").run()
    assert lever(at, AD).value == 250_000.0, "switching presets loses nothing the room set"
    at.button(key="reset_preset").click().run()
    assert lever(at, AD).value == Scenario().ad_spend_per_month
    assert AD not in at.query_params


def test_presentation_toggle_hides_the_controls_but_the_spends_and_is_in_the_url():
    at = run_app()
    assert at.sidebar.selectbox and at.main.slider(key=f"w:lever:{AD}")
    at.toggle(key="w:present").set_value(True).run()
    assert not at.exception
    assert not at.sidebar.selectbox and not at.file_uploader
    # The three spends keep their sliders, so a what-if asked in the room is answered in place.
    assert sorted(s.key for s in at.slider) == sorted(f"w:lever:{name}" for name in controls.SPENDS)
    assert len(at.metric) == 8 and len(at.get("plotly_chart")) == 7
    assert at.query_params == {"present": "1"}
    assert chart_specs(at)[0]["layout"]["height"] > 400, "charts are enlarged"
    at.main.slider(key=f"w:lever:{AD}").set_value(260_000.0).run()
    assert at.query_params == {"present": "1", AD: "260000"}
    at.toggle(key="w:present").set_value(False).run()
    assert at.sidebar.selectbox and at.main.slider(key=f"w:lever:{AD}") and "present" not in at.query_params


def test_the_landing_view_says_it_is_the_baseline_and_what_to_do():
    at = run_app()
    assert at.caption[0].value == "Status quo · the baseline itself"
    assert any(i.value.startswith("This is the baseline itself") and "+$60k a month into service" in i.value
               for i in at.info)
    lever(at, AD).set_value(260_000.0).run()
    assert not any(i.value.startswith("This is the baseline itself") for i in at.info)
    assert at.caption[0].value == "Status quo + 1 change · compared with Status quo"
    # A change the baseline shares (its horizon) leaves the two the same, and the heading says so.
    assert run_app({"horizon_months": "12"}).caption[0].value == "Status quo + 1 change · the same as its baseline"


def test_horizon_change_compares_the_baseline_over_the_same_horizon():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["horizon_months"] = "36"
    at.run()
    assert not at.exception
    base = Scenario().replace(horizon_months=36)
    want = expected_cards(Scenario().replace(horizon_months=36), base)
    assert card(at, "NPV").value == want["NPV"]
    assert card(at, "ROI vs baseline").delta == "same as baseline"
    at.switch_page("pages/compare.py").run()
    assert not at.exception


def test_presenting_axis_titles_and_notes_are_as_large_as_the_tick_labels():
    """Across a room, an axis without a readable title is a line of numbers."""
    at = run_app({"preset": "service-boost", "present": "1"})
    for spec in chart_specs(at):
        layout = spec["layout"]
        for key, axis in layout.items():
            if key.startswith(("xaxis", "yaxis")) and axis.get("title", {}).get("text"):
                assert axis["title"]["font"]["size"] >= axis["tickfont"]["size"], (key, axis["title"])
        for note in layout.get("annotations", []):
            assert note["font"]["size"] >= charts.note_size(True), note
    assert charts.note_size(True) > charts.note_size(False)


def test_roi_and_payback_wait_for_a_baseline_that_differs_in_spend_only():
    # Another business measured against the status quo: a choice now, not the default.
    at = run_app({"preset": "young-product", "baseline": "status-quo"})
    for label in ("ROI vs baseline", "Payback vs baseline"):
        assert card(at, label).value == fmt.MISSING and card(at, label).delta == tables.NOT_ONLY_SPEND
        assert "addressable market" in card(at, label).help and "Status quo" in card(at, label).help
    npv = cx_roi.assess(cx_roi.load_preset("young-product"), Scenario()).kpis.loc["scenario", "delta_npv"]
    assert card(at, "NPV").delta == fmt.signed_money(npv), "the NPV change itself stays"
    # ...in grey: a difference between two businesses is neither good nor bad news about spending.
    for label in ("NPV", "Customers at the end", "Monthly churn", "Growth from word of mouth"):
        assert card(at, label).proto.color == card(at, "ROI vs baseline").proto.color, label
        assert "differ in more than spend" in card(at, label).help
    plain = run_app({"preset": "service-boost"})
    assert card(plain, "NPV").proto.color != card(at, "NPV").proto.color, "a spending choice keeps its colour"
    at = run_app({"compare": "young-product,service-boost"}, page="pages/compare.py")
    roi = at.table[0].value.loc["ROI vs baseline"]
    assert roi[tables.inert(cx_roi.preset_info("young-product").title)] == tables.NOT_ONLY_SPEND
    assert roi[tables.inert(cx_roi.preset_info("service-boost").title)].endswith("%")
