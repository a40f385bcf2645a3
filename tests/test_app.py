"""The dashboard through Streamlit's AppTest: pages, levers, links, files, presentation, Compare.

Expected numbers are computed here with ``cx_roi`` directly and formatted with
``cx_roi.formatting``, so a test fails when the page shows anything other than what
the model says for the scenario the page claims to show. The pure UI helpers
(formatting, the verdict sentence, slider ranges, chart colours, tables) are
tested at the end without Streamlit.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

import cx_roi
from cx_roi import PARAMETERS, Scenario
from cx_roi import formatting as fmt
from cx_roi import palette
from cx_roi.verdict import verdict
from strategies import scenarios
from ui import charts, controls, fields, sharing, state, tables, url, views

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ("pages/explore.py", "pages/compare.py", "pages/your_data.py", "pages/method.py")
AD = "ad_spend_per_month"


# ---------------------------------------------------------------- helpers

def run_app(query: dict[str, str] | None = None, page: str | None = None, open_sections=()) -> AppTest:
    """Run the app as a new session opening ``query``; ``open_sections`` opens lever sections by index
    (sections start closed, and a closed section's sliders are not drawn)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for i in open_sections:
        at.session_state[f"section:{i}"] = True
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def card(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no KPI card {label!r}; cards: {[m.label for m in at.metric]}"
    return found[0]


def lever(at: AppTest, name: str):
    return at.slider(key=f"w:lever:{name}")


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def values(data) -> list:
    """A trace's x or y as a list; plotly sends numpy arrays as base64 typed arrays."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def chart(at: AppTest, title_start: str) -> dict:
    for spec in chart_specs(at):
        if spec["layout"]["title"]["text"].startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def messages(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.warning, *at.error, *at.info])


def expected_cards(scenario: Scenario, baseline: Scenario) -> dict[str, str]:
    table = cx_roi.compare({"baseline": baseline, "scenario": scenario}, baseline="baseline")
    row = table.loc["scenario"]
    return {"NPV": fmt.money(row["npv"]), "Customers at the end": fmt.count(row["final_customers"]),
            "Monthly churn": fmt.percent(row["avg_monthly_churn"], 2),
            "Paid CAC": fmt.money(row["cac_paid"], cents=True),
            "NPV delta": fmt.signed_money(row["delta_npv"])}


@pytest.fixture()
def downloads(monkeypatch) -> list[tuple[str | None, bytes]]:
    """Every file a download button registers during the test, as (file name, bytes)."""
    seen: list[tuple[str | None, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            seen.append((filename, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return seen


def scenario_download(seen: list[tuple[str | None, bytes]]) -> tuple[str, bytes]:
    files = [(n, d) for n, d in seen if n and n.endswith(".json")]
    assert files, "the Explore page offered no scenario download"
    return files[-1]


# ---------------------------------------------------------------- pages

@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("present", [False, True])
def test_every_page_renders_without_exception(page, present):
    at = run_app({"present": "1"} if present else None, page=page)
    assert at.title, "every page has a title"
    assert not at.exception


def test_explore_shows_the_baseline_kpis_and_four_charts():
    at = run_app()
    want = expected_cards(Scenario(), Scenario())
    for label in ("NPV", "Customers at the end", "Monthly churn", "Paid CAC"):
        assert card(at, label).value == want[label]
    assert card(at, "ROI vs baseline").delta == "same as baseline"
    titles = [s["layout"]["title"]["text"].replace("<br>", " ") for s in chart_specs(at)]
    assert titles == ["Customers won and lost each month", "Cumulative contribution vs baseline",
                      "Sentiment of customers", "Service level and wait"]
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
    pd.testing.assert_frame_equal(a.next_dollar, b.next_dollar)
    for got, want in ((a.scenario_result, b.scenario_result), (a.baseline_result, b.baseline_result)):
        assert got.scenario == want.scenario and got.kpis == want.kpis
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
    for extra in (state.DEFAULT_EXTRA, 100_000.0):
        shared = cached.assess(scenario, Scenario(), extra)  # the very objects the page read
        _same_assessment(shared, cx_roi.assess(scenario, Scenario(), extra))
        assert shared is cached.assess(scenario, Scenario(), extra), "kept, not copied"


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


# ---------------------------------------------------------------- links

def test_url_scenario_is_restored_into_widgets_and_kpis():
    query = {"preset": "service-boost", AD: "200000", "shrinkage": "0.35", "extra": "100000"}
    at = run_app(query, open_sections=(0,))
    expected = cx_roi.load_preset("service-boost").replace(**{AD: 200_000.0, "shrinkage": 0.35})
    assert lever(at, AD).value == 200_000.0
    assert lever(at, "shrinkage").value == 0.35
    assert at.selectbox(key="w:preset").value == "service-boost"
    assert at.slider(key="w:extra").value == 100_000.0
    want = expected_cards(expected, Scenario())
    for label in ("NPV", "Customers at the end", "Paid CAC"):
        assert card(at, label).value == want[label]
    assert not at.warning, "a clean link gives no notice"
    assert at.query_params == query, "the URL is stable: opening it writes the same URL back"


def test_garbage_and_out_of_range_url_values_get_defaults_and_a_notice():
    query = {AD: "abc", "shrinkage": "5", "horizon_months": "7.5", "include_terminal_value": "maybe",
             "preset": "nope", "extra": "-3", "foo": "1", "aht_seconds": "420"}
    at = run_app(query, open_sections=(0,))
    notice = messages(at)
    for name in (AD, "shrinkage", "horizon_months", "include_terminal_value", "preset", "extra", "foo"):
        assert f"`{name}" in notice, f"{name} is not named in the notice"
    assert PARAMETERS["shrinkage"].describe_range() in notice
    assert PARAMETERS["horizon_months"].describe_range() in notice
    assert "status-quo" in notice, "the notice lists the valid presets"
    assert lever(at, AD).value == Scenario().ad_spend_per_month
    assert lever(at, "shrinkage").value == Scenario().shrinkage
    assert lever(at, "aht_seconds").value == 420.0, "good values in the same link are applied"
    assert at.query_params == {"aht_seconds": "420"}, "bad values leave the URL"
    at.button(key="dismiss_notices").click().run()
    assert not at.warning


@pytest.mark.parametrize("query", [
    {"present": "sometimes"}, {"baseline": "<script>"}, {"compare": "x,,ad-boost,ad-boost"},
    {"saved": "~~~"}, {AD: "1,2,abc"}, {AD: "nan"}, {AD: "1e400"}, {"horizon_months": "1e9"},
    {"initial_customers": "2000000"}, {"fcr_floor": "0.9"}, {"bridge": "nothing"},
])
def test_odd_url_values_never_raise(query):
    at = run_app(query)
    assert at.warning, f"{query} should be explained"


def test_monthly_schedule_from_a_link_is_shown_and_can_be_flattened():
    at = run_app({AD: "100000,200000,300000"})
    assert all(s.key != f"w:lever:{AD}" for s in at.slider), "a schedule has no slider form"
    assert any("monthly schedule" in m.value for m in at.markdown)
    at.button(key=f"flatten:{AD}").click().run()
    assert lever(at, AD).value == 200_000.0
    assert at.query_params[AD] == "200000"


def test_compare_selection_and_saved_scenarios_travel_in_the_link():
    query = {"saved": "Plan B~shrinkage:0.25~ad_spend_per_month:220000", "compare": "Plan B,current",
             "baseline": "ad-boost", "bridge": "current"}
    at = run_app(query, page="pages/compare.py")
    notices = [w.value for w in at.warning]
    # No notice about the link; one warning that Plan B is another business (its shrinkage).
    assert len(notices) == 1 and notices[0].startswith("Not a change of spend alone: **Saved: Plan B** differs "
                                                       "from the baseline in shrinkage"), notices
    assert at.multiselect(key="w:compare").value == ["Plan B", "current"]
    assert at.selectbox(key="w:baseline").value == "ad-boost"
    columns = list(at.table[0].value.columns)
    assert columns[0].endswith("(baseline)") and "Saved: Plan B" in columns
    assert state.label_for("ad-boost") in columns[0]
    assert at.query_params == query


# ---------------------------------------------------------------- files

def test_json_download_round_trips_through_upload(downloads):
    at = run_app(open_sections=(0,))
    lever(at, AD).set_value(320_000.0).run()
    lever(at, "shrinkage").set_value(0.2).run()
    name, data = scenario_download(downloads)
    assert name == "status-quo+2-changes.json"
    assert Scenario.from_json(data) == Scenario().replace(**{AD: 320_000.0, "shrinkage": 0.2})
    # A fresh session (another machine) loads the file.
    other = run_app(open_sections=(0,))
    other.file_uploader[0].upload(name, data, "application/json").run()
    assert not other.exception
    assert lever(other, AD).value == 320_000.0 and lever(other, "shrinkage").value == 0.2
    assert other.query_params == {AD: "320000", "shrinkage": "0.2"}
    assert "Loaded" in messages(other)
    assert card(other, "NPV").value == card(at, "NPV").value


def test_uploaded_preset_file_comes_back_as_its_preset(downloads):
    at = run_app({"preset": "revolving-door"})
    _, data = scenario_download(downloads)
    other = run_app()
    other.file_uploader[0].upload("door.json", data, "application/json").run()
    assert other.selectbox(key="w:preset").value == "revolving-door"
    assert other.query_params == {"preset": "revolving-door"}


TOO_LARGE = b'{"shrinkage": 0.3' + b" " * (state.MAX_UPLOAD_BYTES + 10) + b"}"


@pytest.mark.parametrize("content, words", [
    (b"hello, I am not JSON", "not valid JSON"),
    (b'{"ad_spend": 100000}', "unknown field"),
    (b'{"shrinkage": 5}', PARAMETERS["shrinkage"].describe_range()),
    (b'{"ad_spend_per_month": NaN}', "ad_spend_per_month"),
    (b'{"ad_spend_per_month": NaN}', "expected a finite number"),
    (b"[1, 2, 3]", "JSON object"),
    (b'{"schema_version": 99}', "schema_version"),
    (bytes(range(256)) * 8, "not UTF-8"),
    (b"[" * 50_000 + b"]" * 50_000, "was not loaded"),
    (TOO_LARGE, "at most"),
])
def test_bad_upload_shows_a_message_and_keeps_the_scenario(content, words):
    at = run_app({AD: "210000"})
    before = (lever(at, AD).value, card(at, "NPV").value, dict(at.query_params))
    at.file_uploader[0].upload("scenario.json", content, "application/json").run()
    assert not at.exception
    text = "\n".join(e.value for e in at.error)
    assert "was not loaded" in text and words in text
    assert (lever(at, AD).value, card(at, "NPV").value, dict(at.query_params)) == before
    # The uploader is emptied, so the same file can be fixed and tried again.
    assert at.file_uploader[0].value is None


def test_a_corrected_upload_replaces_the_failed_one_message():
    at = run_app()
    at.file_uploader[0].upload("scenario.json", b'{"shrinkage": 5}', "application/json").run()
    assert "was not loaded" in "\n".join(e.value for e in at.error)
    good = Scenario(shrinkage=0.25).to_json().encode()
    at.file_uploader[0].upload("scenario.json", good, "application/json").run()
    assert not at.error, [e.value for e in at.error]  # the old error is gone, not beside the success
    assert "Loaded `scenario.json`" in messages(at)


# ---------------------------------------------------------------- presentation

def test_presentation_toggle_hides_the_controls_and_is_in_the_url():
    at = run_app()
    assert at.sidebar.selectbox and at.main.slider(key=f"w:lever:{AD}")
    at.toggle(key="w:present").set_value(True).run()
    assert not at.exception
    assert not at.slider and not at.sidebar.selectbox and not at.file_uploader
    assert len(at.metric) == 8 and len(at.get("plotly_chart")) == 4
    assert at.query_params == {"present": "1"}
    assert chart_specs(at)[0]["layout"]["height"] > 400, "charts are enlarged"
    # The room still sees what the numbers are for: the three spends, in words.
    assert "Service capacity **$240k** · Service quality **$30k** · Advertising **$150k** a month" in \
        [m.value for m in at.markdown]
    at.toggle(key="w:present").set_value(False).run()
    assert at.sidebar.selectbox and at.main.slider(key=f"w:lever:{AD}") and "present" not in at.query_params


# ---------------------------------------------------------------- compare

def test_saved_scenario_is_available_on_compare():
    at = run_app()
    lever(at, AD).set_value(260_000.0).run()
    at.text_input(key=state.SAVE_NAME_KEY).input("Plan B")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Saved the current scenario as" in messages(at)
    at.switch_page("pages/compare.py").run()
    options = at.multiselect(key="w:compare").options
    assert "Saved: Plan B" in options
    at.multiselect(key="w:compare").set_value(["Plan B"]).run()
    assert not at.exception
    table = at.table[0].value
    want = cx_roi.simulate(Scenario().replace(**{AD: 260_000.0})).kpis["npv"]
    assert fmt.money(want) in table.loc["NPV", "Saved: Plan B"]
    assert "saved" in at.query_params and "Plan B" in at.query_params["saved"]


def test_the_landing_view_says_it_is_the_baseline_and_what_to_do():
    at = run_app()
    assert at.caption[0].value == "Status quo · the baseline itself"
    assert any(i.value.startswith("This is the baseline itself") and "+$60k a month into service" in i.value
               for i in at.info)
    lever(at, AD).set_value(260_000.0).run()
    assert not any(i.value.startswith("This is the baseline itself") for i in at.info)
    assert at.caption[0].value == "Status quo + 1 change · compared with Status quo"


def test_the_scenario_on_screen_has_one_name_on_every_page():
    at = run_app()
    lever(at, AD).set_value(260_000.0).run()
    lever(at, "service_capacity_spend_per_month").set_value(200_000.0).run()
    assert "Status quo + 2 changes · compared with" in [c.value for c in at.caption][0]
    at.switch_page("pages/compare.py").run()
    assert "Current: Status quo + 2 changes" in at.multiselect(key="w:compare").options
    hint = "The scenario you are exploring (Current: Status quo + 2 changes) is not compared yet"
    assert any(c.value.startswith(hint) for c in at.caption)
    at.multiselect(key="w:compare").set_value(["current"]).run()
    assert not any(c.value.startswith(hint) for c in at.caption)


def test_saving_under_a_taken_name_says_it_replaced_it():
    at = run_app()
    for value in (260_000.0, 270_000.0):
        lever(at, AD).set_value(value).run()
        at.text_input(key=state.SAVE_NAME_KEY).input("Plan B")
        at.button(key="FormSubmitter:save_form-Save").click().run()
    text = messages(at)
    assert "Replaced the saved scenario *Plan B* with the current one" in text
    assert "Saved the current scenario as" not in text  # one message about the save, the newest
    assert "270000" in at.query_params["saved"]


@pytest.mark.parametrize("name", ["", "status-quo", "a,b", "x" * 41])
def test_unusable_save_names_are_refused(name):
    at = run_app()
    at.text_input(key=state.SAVE_NAME_KEY).input(name)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Not saved" in messages(at)
    assert "saved" not in at.query_params
    if len(name) <= 40:  # (a browser cannot type more than the box's 40 characters)
        assert at.text_input(key=state.SAVE_NAME_KEY).value == name  # kept in the box, to be mended


def test_a_saved_name_clears_the_box():
    at = run_app()
    at.text_input(key=state.SAVE_NAME_KEY).input("Plan C")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert "Saved the current scenario as *Plan C*" in messages(at)
    assert at.text_input(key=state.SAVE_NAME_KEY).value == ""


def test_compare_page_shows_table_overlays_and_bridge():
    at = run_app(page="pages/compare.py")
    table = at.table[0].value
    table_want = cx_roi.compare(["status-quo", "service-boost", "ad-boost"], baseline="status-quo")
    assert fmt.money(table_want.loc["service-boost", "npv"]) in table.iloc[0, 1]
    assert fmt.signed_money(table_want.loc["service-boost", "delta_npv"]) in table.iloc[0, 1]
    specs = {s["layout"]["title"]["text"]: s for s in chart_specs(at)}
    bridge = specs["+$60k a month into service vs Status quo"]  # one line, as the other titles
    labels = bridge["data"][0]["y"]
    assert labels == ["Retention", "Word-of-mouth acquisition", "Advertising acquisition", "Spend", "Other",
                      "NPV difference"]
    want = cx_roi.npv_bridge(cx_roi.simulate(Scenario()), cx_roi.simulate(cx_roi.load_preset("service-boost")))
    bars = values(bridge["data"][0]["x"])
    assert bars[-1] == pytest.approx(want.attrs["total"])
    assert bars[:-1] == pytest.approx(list(want["value"]))
    # Switch the bridge to the other scenario, and the baseline.
    at.toggle(key="w:present").set_value(True).run()  # presenting, the bridge can still be switched
    at.segmented_control(key="w:bridge").set_value("ad-boost").run()
    assert chart(at, "+$60k a month into advertising vs")  # (presenting, the title takes two lines)
    at.toggle(key="w:present").set_value(False).run()
    at.selectbox(key="w:baseline").set_value("revolving-door").run()
    assert not at.exception
    assert at.query_params["baseline"] == "revolving-door"


def test_compare_needs_a_scenario_and_says_so():
    at = run_app({"compare": ""}, page="pages/compare.py")
    assert any("Pick at least one" in i.value for i in at.info)


def test_method_page_is_drawn_from_the_package():
    at = run_app(page="pages/method.py")
    frames = [t.value for t in at.table]
    # Every parameter once, group by group in the levers' order, with the package's own texts.
    params = pd.concat([t.value for t in at.table if "Solidity" in t.value.columns], ignore_index=True)
    ordered = [p for g in cx_roi.GROUPS for p in PARAMETERS.values() if p.group == g]
    assert sorted(p.name for p in ordered) == sorted(PARAMETERS)
    assert list(params["Parameter"]) == [p.label for p in ordered]
    assert list(params["Solidity"]) == [p.solidity for p in ordered]
    assert list(params["Source"]) == [tables.plain(p.source) for p in ordered]
    assert [h.value for h in at.subheader][:len(cx_roi.GROUPS)] == list(cx_roi.GROUPS.values())
    plain = [tables.plain(c) for c in cx_roi.MONTHLY_COLUMNS], [tables.plain(c) for c in cx_roi.KPI_COLUMNS]
    assert any(list(f["Column"]) == plain[0] for f in frames if "Column" in f.columns)
    assert any(list(f["Column"]) == plain[1] for f in frames if "Column" in f.columns)
    assert any(list(f["Label"]) == list(cx_roi.SOLIDITY_LABELS) for f in frames if "Label" in f.columns)
    assert len(at.latex) == sum(len(s.equations) for s in cx_roi.methodology.STEPS)
    assert [e.label for e in at.expander][:len(cx_roi.methodology.STEPS)] == [
        s.title for s in cx_roi.methodology.STEPS]


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


# ---------------------------------------------------------------- pure helpers

@pytest.mark.parametrize("value, text", [
    (0, "$0"), (950, "$950"), (12_345, "$12.3k"), (1_234_567, "$1.2M"), (-3.4e9, "-$3.4B"),
    (999_960, "$1.0M"), (999.6, "$1.0k"), (951_416, "$951.4k"), (960, "$960"), (949_999, "$950.0k"),
    (float("nan"), fmt.MISSING), (None, fmt.MISSING)])
def test_money(value, text):
    assert fmt.money(value) == text


@pytest.mark.parametrize("value, text", [
    (50_000, "$50k"), (7_500, "$7.5k"), (12_500, "$12.5k"), (1_250_000, "$1.25M"), (12_345, "$12,345"),
    (600, "$600"), (1e9, "$1B"), (-5_000, "-$5k"), (float("inf"), fmt.MISSING)])
def test_a_chosen_amount_reads_exactly(value, text):
    assert fmt.amount(value) == text


@given(st.floats(0, 1e12))
def test_money_never_rounds_into_the_next_unit_too_early(x):
    text = fmt.money(x)
    number = float(text.lstrip("$").rstrip("kMB").replace(",", ""))
    assert number < 1000 or text.endswith("B"), text  # never "$1,000.0k"
    unit = {"k": 1e3, "M": 1e6, "B": 1e9}.get(text[-1], 1.0)
    assert abs(number * unit - x) <= 0.05 * unit + 0.5, (x, text)  # and never far from the value


@pytest.mark.parametrize("at_least, first", [(1, [1, 2, 2.5, 5, 10]), (0.3, [0.5, 1, 2]), (2.01, [2.5, 5]),
                                              (1000, [1000, 2000]), (7e-4, [1e-3, 2e-3]), (26, [50, 100, 200])])
def test_round_numbers_step_through_1_2_2_5_and_5_times_a_power_of_ten(at_least, first):
    got = list(itertools.islice(fmt.round_numbers(at_least), len(first)))
    np.testing.assert_allclose(got, first, rtol=1e-12)


@given(st.floats(1e-9, 1e12))
def test_the_first_round_number_is_the_smallest_at_or_above(x):
    first, second = itertools.islice(fmt.round_numbers(x), 2)
    assert x * (1 - 1e-9) <= first < second and first <= 2 * x  # the next round number, none skipped
    mantissa = first / 10 ** math.floor(math.log10(first) + 1e-12)
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_round_numbers_name_what_they_need(bad):
    with pytest.raises(ValueError, match="finite number above 0"):
        next(fmt.round_numbers(bad))


@pytest.mark.parametrize("cards, fit, columns", [(7, 7, 7), (7, 6, 4), (7, 4, 4), (7, 3, 3), (7, 2, 2), (7, 1, 1),
                                                  (4, 3, 2), (4, 9, 4), (5, 4, 3), (1, 5, 1)])
def test_cards_fill_balanced_rows(cards, fit, columns):
    assert views.balanced_columns(cards, fit) == columns


@given(st.integers(1, 16), st.integers(1, 30))
def test_balanced_rows_are_as_few_as_the_densest_and_as_even_as_can_be(cards, fit):
    cols = views.balanced_columns(cards, fit)
    densest = min(fit, cards)
    assert cols <= densest and math.ceil(cards / cols) == math.ceil(cards / densest)
    assert all(math.ceil(cards / c) > math.ceil(cards / densest) for c in range(1, cols))  # no fewer columns do


def test_card_grid_switches_columns_where_the_next_card_fits():
    css = views.card_grid_css(7, 210, gap=16)
    seven = ".st-key-kpis:has(> :last-child:nth-child(7))"  # a row of exactly seven cards
    assert css.startswith(f"{seven} {{ grid-template-columns: repeat(1, ")
    assert f"@container (min-width: 436px) {{ {seven} {{ grid-template-columns: repeat(2, " in css
    assert f"@container (min-width: 1340px) {{ {seven} {{ grid-template-columns: repeat(4, " in css  # six fit
    assert f"@container (min-width: 1566px) {{ {seven} {{ grid-template-columns: repeat(7, " in css
    sheet = views.cards_css(big=False)
    assert all(f":nth-child({n}))" in sheet for n in range(1, views.MAX_CARDS + 1))
    assert sheet.index("@media (max-width: 640px)") < sheet.index("minmax(150px, 1fr)")


def test_table_cells_keep_markdown_characters_as_text():
    assert tables.plain("a*b*c_d [x] $5k-$8k `e` <b>") == r"a\*b\*c\_d \[x\] \$5k-\$8k \`e\` \<b\>"
    assert tables.plain("Purdue call-centre benchmark: 25-32%.") == "Purdue call-centre benchmark: 25-32%."


def test_a_stacked_table_labels_every_cell_after_the_first_on_a_phone():
    css = views.stacked_table_css("fitted", ["Parameter", "Value", 'Note "a"'])
    assert "@media (max-width: 640px)" in css and ".st-key-fitted " in css
    assert 'td:nth-child(2)::before { content: "Value"; }' in css
    assert 'td:nth-child(3)::before { content: "Note \\"a\\""; }' in css
    assert "nth-child(1)::before" not in css


@pytest.mark.parametrize("p, text", [(1.0, ">99%"), (0.996, ">99%"), (0.995, ">99%"), (0.994, "99%"), (0.37, "37%"),
                                     (0.005, "<1%"), (0.004, "<1%"), (0.0, "<1%"), (float("nan"), fmt.MISSING)])
def test_a_chance_from_draws_is_never_shown_as_certain(p, text):
    assert fmt.chance(p) == text


@pytest.mark.parametrize("field, value, text", [
    ("online_audience", 300.0, "300 people per online story"), ("aht_seconds", 420.0, "420 s"),
    ("agent_cost_per_month", 6_000.0, "$6,000 per agent-month"),
    ("service_capacity_spend_per_month", 1.0, "$1 per month"),
])
def test_a_value_says_its_unit_once(field, value, text):
    p = PARAMETERS[field]
    assert fmt.with_unit(p.fmt, value, p.unit) == text


def test_format_helpers():
    assert fmt.signed_money(6.2e6) == "+$6.2M" and fmt.signed_money(-350_000) == "-$350.0k"
    assert fmt.count(93_874.6) == "93,875" and fmt.signed_count(-1020.2) == "-1,020"
    assert fmt.percent(0.0479, 2) == "4.79%" and fmt.percent(-1e-9) == "0.0%"
    assert fmt.signed_points(-0.00104, 2) == "-0.10 pp" and fmt.signed_points(0.0) == "0.0 pp"
    assert fmt.horizon(60) == "5 years" and fmt.horizon(18) == "18 months" and fmt.horizon(12) == "1 year"
    assert fmt.money(90.84, cents=True) == "$90.84"
    assert fmt.param_value("${:,.0f}", (1.0, 2.0)) == "$1, $2 (2 monthly values)"


def _nd(service: float, quality: float, ads: float) -> pd.DataFrame:
    return pd.DataFrame({"delta_npv": [service, quality, ads]},
                        index=["service_capacity_spend_per_month", "service_quality_spend_per_month", AD])


def test_verdict_says_when_a_service_lever_could_not_be_weighed():
    capped = cx_roi.next_dollar(Scenario().replace(service_capacity_spend_per_month=1e9 - 10_000), 50_000)
    sentence = verdict(capped, 50_000, 60)
    assert "Service capacity (agents) cannot take $50k more: its maximum is $1.0B a month" in sentence
    assert "service quality" in sentence
    assert "cannot take" not in verdict(cx_roi.next_dollar(Scenario(), 50_000), 50_000, 60)


@pytest.mark.parametrize("gains, words", [
    ((1e6, 6e6, 2e6), ["service quality", "$6.0M", "3.0 times the $2.0M the same money adds in advertising"]),
    ((1e6, 2.4e6, 2e6), ["service quality", "20% more than the $2.0M"]),
    ((1e6, 2.01e6, 2e6), ["about as much as the $2.0M"]),
    ((1e6, 2e6, 9e6), ["For the next dollar, advertising wins", "$9.0M", "4.5 times the $2.0M the same money adds in service quality"]),
    ((1e6, 2e6, -5e5), ["service quality", "would lose $500.0k"]),
    ((-1e6, -2e6, 3e6), ["For the next dollar, advertising wins", "would lose $1.0M", "service capacity"]),
    ((-1e6, -2e6, -3e6), ["For the next dollar, neither lever pays", "$1.0M", "$3.0M", "keeping the money"]),
    ((float("nan"), float("nan"), 1e6), ["cannot value"]),
])
def test_verdict_covers_every_case(gains, words):
    sentence = verdict(_nd(*gains), 50_000, 60)
    assert ") (" not in sentence, "a lever's own brackets never run into the amount's"
    assert "$50k a month" in sentence and ("over 5 years" in sentence or "cannot" in sentence)
    for w in words:
        assert w in sentence, (w, sentence)


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_every_lever_has_a_usable_slider(name):
    p = PARAMETERS[name]
    if p.kind == "bool":
        return
    lo, hi, step = controls.slider_range(p, p.default)
    assert p.minimum <= lo < hi <= p.maximum and step > 0
    assert lo <= p.default <= hi
    assert (hi - lo) / step <= 5000, "a slider with more positions than pixels is unusable"
    for preset in cx_roi.presets():
        value = getattr(cx_roi.load_preset(preset), name)
        lo2, hi2, _ = controls.slider_range(p, value)
        assert lo2 <= value <= hi2
    far = p.maximum  # a link may set anything the model allows
    lo3, hi3, _ = controls.slider_range(p, far)
    assert lo3 <= far <= hi3
    help_text = controls.help_text(p)
    assert p.source in help_text and p.solidity in help_text and p.describe_range(formatted=True) in help_text
    assert p.unit in controls.control_label(p)


def test_a_slider_that_stops_short_of_the_allowed_range_says_so_in_its_help():
    p = PARAMETERS["agent_cost_per_month"]
    lo, hi, _ = controls.slider_range(p, p.default)
    assert hi < p.maximum
    words = controls.help_text(p, (lo, hi))
    assert f"The slider runs from {fmt.param_value(p.fmt, lo)} to {fmt.param_value(p.fmt, hi)}" in words
    assert "a scenario file or a link can set any allowed value" in words
    full = PARAMETERS["shrinkage"]
    assert "The slider runs" not in controls.help_text(full, (full.minimum, full.maximum))


def test_slider_formats_follow_the_parameter_formats():
    assert controls.slider_format(PARAMETERS[AD]) == "$%,.0f"
    assert controls.slider_format(PARAMETERS["shrinkage"]) == "percent"
    assert controls.slider_format(PARAMETERS["aht_seconds"]) == "%,.0f s"
    assert controls.slider_format(PARAMETERS["quality_half_effect_per_contact"]) == "$%,.2f"


def test_each_colour_means_one_thing_on_every_chart():
    result = cx_roi.simulate(Scenario())
    boost = cx_roi.simulate(cx_roi.load_preset("ad-boost"))
    customers = charts.customers_by_source(result.monthly)
    colour = {t.name: t.fillcolor for t in customers.data if t.fillcolor}
    assert colour["Won by advertising"] == charts.COLOURS["ads"]
    assert colour["Won by word of mouth"] == charts.COLOURS["wom"]
    assert colour["Churned out"] == charts.COLOURS["churn"]
    bridge = charts.npv_bridge(cx_roi.npv_bridge(result, boost), scenario="b", baseline="a")
    bar_colours = dict(zip(bridge.data[0].y, bridge.data[0].marker.color))
    assert bar_colours["Advertising acquisition"] == charts.COLOURS["ads"]
    assert bar_colours["Word-of-mouth acquisition"] == charts.COLOURS["wom"]
    assert bar_colours["Retention"] == charts.COLOURS["churn"]
    service = charts.service_and_wait(result.monthly, 20)
    assert {t.line.color for t in service.data} == {charts.COLOURS["service"]}
    semantic = {v for k, v in charts.COLOURS.items() if k not in ("scenario", "actual")}
    assert not semantic & set(charts.SCENARIO_COLOURS[1:]), "scenario lines never borrow a cause colour"
    assert len(semantic) == len([k for k in charts.COLOURS if k not in ("scenario", "actual")]), \
        "no two meanings share a colour"
    assert set(palette.LEVER_COLOURS.values()) <= {charts.COLOURS[k] for k in ("service", "quality", "ads")}


def test_a_scenario_keeps_its_colour_whatever_the_order_or_page():
    names = ["Baseline", "Current: Status quo + 2 changes", "+$60k a month into advertising", "Saved: Plan B"]
    first = palette.scenario_colours(names, "Baseline", lead=names[1])
    for order in (names[::-1], [names[0], names[3], names[2], names[1]]):
        assert palette.scenario_colours(order, "Baseline", lead=names[1]) == first
    assert first["Baseline"] == charts.COLOURS["baseline"] and first[names[1]] == charts.COLOURS["scenario"]
    assert len(set(first.values())) == len(names), "one chart, one colour each"
    # The same preset keeps its hue beside other company, as long as the hues do not collide.
    alone = palette.scenario_colours(["Baseline", names[2]], "Baseline")
    assert alone[names[2]] == first[names[2]]
    # On the Compare overlay the scenario on screen is black, as on Explore's chart.
    frames = {n: cx_roi.simulate(Scenario()).monthly for n in names}
    fig = charts.overlay(frames, "customers", title="t", axis_title="a", baseline="Baseline", lead=names[1])
    assert {t.name: t.line.color for t in fig.data}[names[1]] == charts.COLOURS["scenario"]


def test_the_customer_base_has_its_own_panel_above_the_flows():
    # Drawn over the stacked flows on a second axis, the base's line ran across the top of
    # the wins and read as one more band.
    fig = charts.customers_by_source(cx_roi.simulate(cx_roi.load_preset("service-boost")).monthly).to_dict()
    flows, base = fig["layout"]["yaxis"]["domain"], fig["layout"]["yaxis2"]["domain"]
    assert flows[1] < base[0], "the panels do not overlap"
    assert {t["name"]: t.get("yaxis", "y") for t in fig["data"]} == {
        "Won by advertising": "y", "Won by word of mouth": "y", "Churned out": "y", "Customers at month end": "y2"}
    assert "overlaying" not in fig["layout"]["yaxis2"]


def test_month_charts_tick_whole_years_alike():
    # Charts side by side read alike: ticks every 12 months on a five-year run, every 6 on a short one.
    base = cx_roi.simulate(Scenario())
    figures = [charts.customers_by_source(base.monthly), charts.sentiment_mix(base.monthly),
               charts.service_and_wait(base.monthly, 20),
               charts.contribution_vs_baseline(base.monthly, base.monthly, None),
               charts.overlay({"a": base.monthly}, "customers", title="t", axis_title="y", baseline="a")]
    for fig in figures:
        axis = fig.to_dict()["layout"]["xaxis"]
        assert (axis["dtick"], axis["tick0"], axis["title"]["text"]) == (12, 0, "Month")
        assert axis["title"]["standoff"] >= 10, "the title clear of the tick labels"
    short = cx_roi.simulate(Scenario().replace(horizon_months=18))
    assert charts.customers_by_source(short.monthly).to_dict()["layout"]["xaxis"]["dtick"] == 6
    bars = charts.npv_bridge(cx_roi.npv_bridge(base, base), scenario="b", baseline="a").to_dict()["layout"]["xaxis"]
    assert "dtick" not in bars, "a chart with its own x-axis keeps it"


def test_short_panels_label_at_least_two_values():
    monthly = cx_roi.simulate(Scenario()).monthly
    nps = charts.sentiment_mix(monthly).to_dict()["layout"]["yaxis2"]
    values = monthly[["nps", "nps_measured"]].to_numpy().ravel()
    low, high = nps["range"]
    assert low <= values.min() and values.max() <= high
    assert 2 <= round((high - low) / nps["dtick"]) + 1 <= 4


def test_sentiment_bands_are_each_groups_share_of_customers():
    monthly = cx_roi.simulate(cx_roi.load_preset("revolving-door")).monthly
    traces = {t["name"]: charts.decoded(t["y"]) for t in charts.sentiment_mix(monthly).to_dict()["data"]}
    total = (monthly["promoters"] + monthly["passives"] + monthly["detractors"]).to_numpy()
    for name, column in (("Promoters (9-10)", "promoters"), ("Passives (7-8)", "passives"),
                         ("Detractors (0-6)", "detractors")):
        np.testing.assert_allclose(traces[name], monthly[column].to_numpy() / total, rtol=1e-12)
    np.testing.assert_allclose(traces["True NPS"], monthly["nps"].to_numpy(), rtol=1e-12)


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=60), st.integers(2, 4))
@example(values=[2.0, -5e-324], most=2)  # -5e-324 / 2 underflows to -0.0
def test_few_ticks_cover_the_values_with_two_to_most_plus_one_round_ticks(values, most):
    axis = charts._few_ticks(np.array(values), most)
    low, high = axis["range"]
    step = axis["dtick"]
    assert step > 0 and low <= min(values) and max(values) <= high
    assert 1 <= round((high - low) / step) <= most
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5)), "a round step"


@pytest.mark.parametrize("preset", ["status-quo", "revolving-door", "service-boost", "young-product"])
def test_the_waits_ticks_sit_on_the_service_levels_gridlines(preset):
    monthly = cx_roi.simulate(cx_roi.load_preset(preset)).monthly
    layout = charts.service_and_wait(monthly, 20).to_dict()["layout"]
    left, right = layout["yaxis"], layout["yaxis2"]
    # Both start at 0 and put their top tick the same share of the height up: tick k of each lands
    # on the same line.
    assert left["range"][0] == right["range"][0] == 0 and left["tick0"] == right["tick0"] == 0
    assert left["range"][1] / left["dtick"] == pytest.approx(right["range"][1] / right["dtick"], rel=1e-12)
    longest = monthly["asa_seconds"].max()
    step = right["dtick"]
    assert longest <= 5 * step and (step == 1 or 5 * step <= 2 * longest), "the wait fills its axis"
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))


def test_long_chart_titles_wrap_instead_of_running_off_a_phone():
    title = "Plan B: more agents, better tools and less advertising vs Status quo"  # a saved name
    layout = charts._base_layout(title, 300, False)
    first, second = layout["title"]["text"].split("<br>")
    assert len(first) <= 46 and f"{first} {second}" == title
    assert layout["margin"]["t"] > charts._base_layout("Short", 300, False)["margin"]["t"]  # room for it
    assert charts._base_layout("Customers won and lost each month", 300, False)["title"]["text"].count("<br>") == 0


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


def test_presenting_charts_side_by_side_start_their_plots_at_one_height():
    short = charts._base_layout("Customers won and lost each month", 440, True)
    wrapped = charts._base_layout("Cumulative contribution against the baseline", 440, True)
    assert wrapped["title"]["text"].count("<br>") == 1 and short["margin"]["t"] == wrapped["margin"]["t"]
    # An axis a chart sets itself keeps the presenting tick size.
    layout = charts._base_layout("t", 440, True, xaxis=dict(title=dict(text="$ per month")))
    assert layout["xaxis"]["tickfont"]["size"] > charts._base_layout("t", 440, False)["xaxis"]["tickfont"]["size"]


def test_every_chart_is_a_valid_plotly_figure():
    # The page skips plotly's validation for speed; here every figure is validated in full
    # (an unknown or mistyped property raises).
    import plotly.graph_objects as go
    base = cx_roi.simulate(Scenario())
    boost = cx_roi.simulate(cx_roi.load_preset("service-boost"))
    figures = [
        charts.customers_by_source(base.monthly, big=True), charts.sentiment_mix(base.monthly),
        charts.service_and_wait(base.monthly, 20), charts.contribution_vs_baseline(boost.monthly, base.monthly, 18.0),
        charts.contribution_vs_baseline(base.monthly, base.monthly, None),
        charts.overlay({"a": base.monthly, "b": boost.monthly}, "customers", title="t", axis_title="y", baseline="a"),
        charts.overlay({"a": base.monthly, "b": boost.monthly}, "cumulative_contribution", title="t",
                       axis_title="y", money=True, baseline="a", relative=True),
        charts.npv_bridge(cx_roi.npv_bridge(base, boost), scenario="b", baseline="a"),
    ]
    for fig in figures:
        go.Figure(fig.to_dict())


def test_a_lean_figure_hands_streamlit_what_the_full_figure_would():
    # st.plotly_chart sends fig.to_dict(); a LeanFigure answers from its spec without
    # building plotly's objects, and must say exactly what the built figure says.
    import json

    import plotly.graph_objects as go
    import plotly.io as pio
    base = cx_roi.simulate(Scenario())
    boost = cx_roi.simulate(cx_roi.load_preset("service-boost"))
    makers = [
        lambda: charts.customers_by_source(base.monthly), lambda: charts.sentiment_mix(base.monthly, big=True),
        lambda: charts.service_and_wait(base.monthly, 20),
        lambda: charts.contribution_vs_baseline(boost.monthly, base.monthly, 18.0),
        lambda: charts.contribution_vs_baseline(base.monthly, base.monthly, None),
        lambda: charts.npv_bridge(cx_roi.npv_bridge(base, boost), scenario="b", baseline="a"),
    ]
    for make in makers:
        lean = make()
        assert isinstance(lean, charts.LeanFigure) and isinstance(lean, go.Figure)
        sent = lean.to_dict()
        assert "_lean_spec" in vars(lean), "to_dict must not build the figure"
        built = make()
        built.data  # any plotly attribute builds the full figure
        assert "_lean_spec" not in vars(built)
        assert built.to_dict() == sent
        # The same JSON once parsed (key order is not part of a plotly figure).
        assert json.loads(pio.to_json(built, validate=False)) == json.loads(pio.to_json(sent, validate=False))
    fig = charts.customers_by_source(base.monthly)
    fig.update_layout(height=123)  # a method works on a figure not built yet
    assert fig.layout.height == 123 and fig.to_dict()["layout"]["height"] == 123


def test_contribution_chart_marks_payback_or_says_why_not():
    base = cx_roi.simulate(Scenario())
    boost = cx_roi.simulate(cx_roi.load_preset("service-boost"))
    payback = cx_roi.compare(["status-quo", "service-boost"]).loc["service-boost", "payback_month"]
    fig = charts.contribution_vs_baseline(boost.monthly, base.monthly, payback)
    assert fig.layout.annotations[0].text == f"Pays back in month {int(payback)}"
    same = charts.contribution_vs_baseline(base.monthly, base.monthly, None)
    assert same.layout.annotations[0].text == "Same cash as the baseline"
    worse = cx_roi.simulate(Scenario().replace(**{AD: 900_000.0}))
    never = charts.contribution_vs_baseline(worse.monthly, base.monthly, float("nan"))
    assert never.layout.annotations[0].text == "No payback within the horizon"
    megaphone = cx_roi.simulate(cx_roi.load_preset("online-megaphone"))
    other = charts.contribution_vs_baseline(megaphone.monthly, base.monthly, float("nan"), other_inputs_differ=True)
    assert other.layout.annotations[0].text == "Other inputs differ: no payback shown"  # as the cards say
    # The note sits in the corner the line leaves empty: top left when it ends above zero
    # (it rises from zero there), bottom left when it ends below.
    assert never.layout.annotations[0].y < 0.5 and never.layout.annotations[0].yanchor == "bottom"
    ends_up = (megaphone.monthly["cumulative_contribution"].iloc[-1]
               >= base.monthly["cumulative_contribution"].iloc[-1])
    assert (other.layout.annotations[0].y > 0.5) == ends_up
    # The line's last value is said as cash, in the same corner, under (or over) the note.
    cash = never.layout.annotations[1]
    end = float((worse.monthly["cumulative_contribution"] - base.monthly["cumulative_contribution"]).iloc[-1])
    assert cash.text == f"{fmt.signed_money(end)} cash by month 60" and cash.y == never.layout.annotations[0].y
    assert cash.yshift > 0, "above the note at the bottom"
    paid = fig.layout.annotations[1]
    assert paid.text.endswith("cash by month 60") and paid.text.startswith("+$") and paid.y > 0.5 and paid.yshift == 0
    assert len(same.layout.annotations) == 1, "no cash line when there is no difference"


@pytest.mark.parametrize("changes, words", [
    ({AD: 0.0}, ["no extra spend", "no ad spend"]),
    ({AD: 0.0, "prior_ad_spend_per_month": 0.0}, [tables.NOT_ONLY_SPEND, "no ad spend"]),
])
def test_kpi_cards_never_show_nan(changes, words):
    table = cx_roi.compare({"baseline": Scenario(), "scenario": Scenario().replace(**changes)}, baseline="baseline")
    cards = views.kpi_cards(table.loc["scenario"], table.loc["baseline"], same_as_baseline=False,
                            baseline_label="Status quo", horizon_months=60)
    text = " ".join(f"{c.value} {c.delta}" for c in cards).lower()
    assert "nan" not in text and all(w in text for w in words), text
    cac = next(c for c in cards if c.label == "Paid CAC")
    assert cac.delta is None, "no CAC, so no change in it (a $0 CAC read as a green improvement)"


def test_a_missing_paid_cac_says_why():
    assert tables.no_paid_cac(pd.Series({"cac_paid": math.nan, "cac_blended": 0.0})) == "no ad spend"
    assert tables.no_paid_cac(pd.Series({"cac_paid": math.nan, "cac_blended": math.nan})) == "no ad wins"
    assert math.isnan(cx_roi.simulate(Scenario().replace(**{AD: 0.0})).kpis["cac_paid"])


def test_comparison_table_says_a_copy_of_the_baseline_is_the_same():
    shown = tables.comparison_table(cx_roi.compare({"base": Scenario(), "copy": Scenario()}, baseline="base"))
    assert (shown.loc[["ROI vs baseline", "Payback vs baseline"], "copy"] == "same as baseline").all()


def test_comparison_table_reads_value_and_change():
    table = cx_roi.compare(["status-quo", "ad-boost"], baseline="status-quo")
    shown = tables.comparison_table(table)
    assert shown.loc["NPV", "ad-boost"] == (f"{fmt.money(table.loc['ad-boost', 'npv'])} "
                                            f"({fmt.signed_money(table.loc['ad-boost', 'delta_npv'])})")
    assert shown.loc["ROI vs baseline", "status-quo (baseline)"] == "baseline"
    assert not shown.apply(lambda col: col.str.contains("nan")).any().any()
    # Every KPI that can change shows its change, the ones compare() has no delta column for too.
    ad, sq = table.loc["ad-boost"], table.loc["status-quo"]
    cac_change = fmt.signed_money(ad["cac_paid"] - sq["cac_paid"], cents=True)
    assert shown.loc["Paid CAC", "ad-boost"].endswith(f"({cac_change})")
    points = fmt.signed_points(ad['avg_service_level'] - sq['avg_service_level'])
    # The change stays on one line with its unit when a narrow column wraps (a no-break space).
    assert shown.loc["Service level (average)", "ad-boost"].endswith(f"({points.replace(' ', tables.NBSP)})")
    assert " pp" not in " ".join(shown["ad-boost"])
    assert shown.loc["Survey NPS at the end", "ad-boost"].endswith(")")
    assert "(" not in shown.loc["Paid CAC", "status-quo (baseline)"]


def test_download_names():
    assert sharing.file_name("status-quo", 0) == "status-quo.json"
    assert sharing.file_name("ad-boost", 1) == "ad-boost+1-change.json"


def test_url_values_round_trip_exactly():
    odd = Scenario().replace(shrinkage=0.1 + 0.2, ad_spend_per_month=(1.5, 2.25, 1e7))
    for name in ("shrinkage", AD):
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


def test_a_link_with_jointly_valid_values_reopens_without_a_notice():
    query = {"market_size": "50000", "initial_customers": "20000", "fcr_floor": "0.9", "fcr_ceiling": "0.95",
             "saved": "small~market_size:50000~initial_customers:20000"}
    at = run_app(query)
    assert not at.warning, [w.value for w in at.warning]
    assert dict(at.query_params) == query


@pytest.mark.parametrize("page,extra", [
    ("pages/your_data.py", {}),                              # waits for a history file
    ("pages/compare.py", {"compare": "nope"}),               # nothing to compare with
    ("pages/optimise.py", {"budget": "1", "bounds": "ad_spend_per_month:100000:"}),  # below the minimums
])
def test_a_page_that_stops_early_keeps_the_link(page, extra):
    query = {"service_capacity_spend_per_month": "270000", "present": "1"}
    at = run_app({**query, **extra})
    at.query_params.clear()  # as the browser does when the navigation moves to another page
    at.switch_page(page).run()
    assert not at.exception
    assert {k: at.query_params.get(k) for k in query} == query, dict(at.query_params)


def test_a_key_given_twice_in_a_link_is_named():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["shrinkage"] = ["0.2", "0.35"]
    at.run()
    assert not at.exception
    notice = " ".join(w.value for w in at.warning)
    assert "`shrinkage` is in the link 2 times; the last one (`0.35`) was used." in notice
    assert at.query_params["shrinkage"] == "0.35"


@pytest.mark.parametrize("query", [
    {"compare": "[x](https://evil.example)"},
    {"levers": "[y](https://evil.example),ad_spend_per_month", "page": "optimise"},
    {"saved": "[Pay here](www.evil.example)~shrinkage:0.2"},
    {"fitted": "[x](www.evil.example) *now*~shrinkage:0.2", "baseline": "your-data"},
])
def test_values_from_a_link_are_shown_as_written_never_as_live_markdown(query):
    """A link's values quoted in a notice or a label stay text: no link, emphasis or code of their own."""
    query = dict(query)
    page = {"optimise": "pages/optimise.py"}.get(query.pop("page", ""), None)
    at = run_app(query, page=page)
    shown = [e.value for e in [*at.warning, *at.error, *at.info, *at.caption, *at.markdown]]
    for text in shown:
        outside_code = re.sub(r"``.*?``|`[^`]*`", "", text)  # code spans show their text as written
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", outside_code), text
        assert "://" not in outside_code and "www." not in outside_code and not re.search(r"(?<!\\)\*now", text), text


def test_a_saved_name_no_report_can_hold_is_named_and_skipped():
    """A control character in a saved name would break the PowerPoint file: the link's entry is refused."""
    at = run_app({"saved": "\x01Plan~shrinkage:0.2", "compare": "\x01Plan"}, page="pages/compare.py")
    assert "control characters" in messages(at) and "this saved scenario was skipped" in messages(at)
    assert "saved" not in at.query_params


def test_one_bad_range_in_a_link_keeps_the_good_ones():
    at = run_app({"ranges": "shrinkage:0.1:0.5~churn_passive:0.01:0.05~foo:1:2", "draws": "200"},
                 page="pages/risk.py")
    notice = " ".join(w.value for w in at.warning)
    assert "`foo` is not an uncertain input" in notice and "the others were applied" in notice
    assert at.query_params["ranges"] == "churn_passive:0.01:0.05~shrinkage:0.1:0.5"


def test_chart_arrays_travel_as_exact_typed_arrays():
    monthly = cx_roi.simulate(Scenario()).monthly
    fig = charts.customers_by_source(monthly)
    wins = fig.data[0]
    assert isinstance(wins.y, dict) and wins.y["dtype"] == "f8"
    assert list(charts.decoded(wins.y)) == list(monthly["new_from_ads"])  # bit for bit
    assert list(charts.decoded(wins.x)) == list(monthly.index)
    assert charts.decoded([1.0, 2.0]).tolist() == [1.0, 2.0]


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
    assert roi[cx_roi.preset_info("young-product").title] == tables.NOT_ONLY_SPEND
    assert roi[cx_roi.preset_info("service-boost").title].endswith("%")


# ---------------------------------------------------------------- margins plotly keeps (drawn once)

def test_month_charts_reserve_the_margins_plotly_settles_on_at_the_reference_width():
    # Known answers: the margins plotly.js 3 settled on in Chromium for these charts at 482 px
    # (Explore at 1,440 px with the sidebar open; presenting, 632 px), read from _fullLayout._size.
    base = cx_roi.simulate(Scenario())
    m = base.monthly
    seen = {"Customers": (charts.customers_by_source(m), (92, 18, 105)),
            "Contribution": (charts.contribution_vs_baseline(m, m, None), (92, 18, 57)),
            "Sentiment": (charts.sentiment_mix(m), (92, 18, 124)),
            "Service": (charts.service_and_wait(m, 20), (92, 74, 105)),
            "Service, presenting": (charts.service_and_wait(m, 20, big=True), (114, 91, 103)),
            "Contribution, presenting": (charts.contribution_vs_baseline(m, m, None, big=True), (114, 22, 70))}
    for name, (fig, (left, right, bottom)) in seen.items():
        margin = fig.to_dict()["layout"]["margin"]
        assert (margin["l"], margin["r"], margin["b"]) == (left, right, bottom), name
    assert "_cx_reserve_margins" not in charts.customers_by_source(m).to_dict()["layout"], "no private key left"


def test_legend_height_follows_plotlys_rules():
    row = 19.0  # one line of 12 px text
    assert charts.legend_height([], 12, 400) == 0
    assert charts.legend_height([("a", ""), ("b", "")], 12, 400) == row + 10, "short items share a row"
    # Too long for one row: each item takes the widest one's room, two to a row here.
    names = [("Customers at month end", ""), ("Churned out", ""), ("Won by word of mouth", ""),
             ("Won by advertising", "")]
    assert charts.legend_height(names, 12, 372) == 2 * row + 10
    assert charts.legend_height(names, 12, 250) == 4 * row + 10, "one to a row on a phone"
    # Grouped: a group's items stand one above the other, groups side by side.
    fan = [("Scenario: 8 in 10 draws (P10 to P90)", "Scenario"), ("Scenario: median", "Scenario"),
           ("Baseline: median", "")]
    assert charts.legend_height(fan, 12, 372) == 2 * row + 10
    assert charts.legend_height(fan, 12, 200) == 3 * row + 10 + 10, "the second group wraps, 10 px below"


@given(st.lists(st.tuples(st.text(min_size=1, max_size=40), st.sampled_from(["", "g1", "g2"])), max_size=8),
       st.floats(100, 2000), st.floats(1, 500))
def test_a_wider_legend_is_never_taller(entries, width, more):
    narrow, wide = charts.legend_height(entries, 12, width), charts.legend_height(entries, 12, width + more)
    assert wide <= narrow
    assert (narrow == 0) == (not entries)
