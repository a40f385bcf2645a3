"""Explore leads with the next dollar on the margin, with its odds (AppTest)."""

from __future__ import annotations

import re
import time

import pytest

import cx_roi
from apptest import run_app
from ui import tables

OPTIMISE = "pages/optimise.py"


def margin_sentence(at, page: str | None = None) -> str:
    """The margin verdict once its odds are in: they are worked out beside the page, so the test
    looks again as the page's timer would."""
    for _ in range(100):
        found = [m.value for m in at.markdown if m.value.startswith("**On the margin, ")]
        if found:
            break
        time.sleep(0.05)
        (at.switch_page(page) if page else at).run()
    assert len(found) == 1, [m.value[:80] for m in at.markdown]
    return found[0].strip("*").replace("\\", "")


@pytest.mark.parametrize("name", cx_roi.presets())
def test_every_presets_landing_view_names_a_lever_or_says_too_close_with_a_chance(name):
    sentence = margin_sentence(run_app({"preset": name}))
    assert re.search(r"(>|<)?\d+% of \d+ plausible worlds", sentence), sentence
    assert re.match(r"On the margin, (service capacity|service quality|advertising).* wins: ", sentence) or (
        "too close to call" in sentence or "levers are level" in sentence), sentence
    # The same sentence as the package gives for the preset.
    from cx_roi.verdict import margin_verdict

    assert sentence == margin_verdict(cx_roi.lever_odds(cx_roi.load_preset(name), draws=300, seed=0))


def test_the_margin_leads_the_answer_and_the_step_follows():
    at = run_app({"preset": "status-quo"})
    margin_sentence(at)
    texts = [m.value for m in at.markdown]
    first = next(i for i, t in enumerate(texts) if t.startswith("**On the margin, "))
    step = next(i for i, t in enumerate(texts) if "$50k a month more" in t)
    assert first < step, "the margin comes first on the page, the larger step below it"


def test_after_applying_the_optimisers_split_explore_says_the_levers_are_level():
    at = run_app({"preset": "revolving-door", "budget": "550000"}, page=OPTIMISE)
    at.button(key="apply_split").click().run()
    assert not at.exception
    sentence = margin_sentence(at, page="pages/explore.py")
    assert "levers are level" in sentence or "too close to call" in sentence, sentence


# ---------------------------------------------------------------- each preset against the right baseline

def test_a_preset_that_is_another_business_is_its_own_baseline():
    at = run_app({"preset": "young-product"})
    assert at.sidebar.selectbox(key="w:baseline").value == "young-product"
    assert "baseline" not in at.query_params, "the default needs no word in the link"
    # Status quo stays a choice, and a link that makes it travels.
    chosen = run_app({"preset": "young-product", "baseline": "status-quo"})
    assert chosen.sidebar.selectbox(key="w:baseline").value == "status-quo"
    assert chosen.query_params["baseline"] == "status-quo"


def test_the_spend_presets_are_measured_against_the_status_quo():
    for name in ("service-boost", "ad-boost"):
        at = run_app({"preset": name})
        assert at.sidebar.selectbox(key="w:baseline").value == "status-quo"


def test_revolving_door_shows_roi_and_payback_for_a_move_against_itself():
    from apptest import card

    at = run_app({"preset": "revolving-door", "service_quality_spend_per_month": "45000"})
    door = cx_roi.load_preset("revolving-door")
    view = cx_roi.assess(door.replace(service_quality_spend_per_month=45_000.0), door)
    roi = view.kpis.loc["scenario", "roi"]
    assert roi == roi and card(at, "ROI vs baseline").value.endswith("%")
    assert card(at, "Payback vs baseline").value != "-"


# ---------------------------------------------------------------- Compare's headline

def test_compare_opens_with_a_headline_naming_the_best_scenario_by_how_much_and_how_sure():
    at = run_app(page="pages/compare.py")
    headline = next(m.value for m in at.markdown if " adds the most: " in m.value or "None of the compared" in m.value)
    headline = headline.replace("\\", "")
    table = cx_roi.compare({cx_roi.preset_info(n).title: cx_roi.load_preset(n)
                            for n in ("status-quo", "service-boost", "ad-boost")},
                           baseline=cx_roi.preset_info("status-quo").title, draws=300, seed=0)
    best = table["delta_npv"].drop(index=cx_roi.preset_info("status-quo").title).idxmax()
    gain = cx_roi.formatting.money(table.loc[best, "delta_npv"])
    assert headline.strip("*").startswith(f"{best} adds the most: {gain}")
    assert cx_roi.formatting.chance(table.loc[best, "prob_beats_baseline"]) in headline


def test_compare_headline_shows_saved_names_as_written():
    from cx_roi.verdict import compare_headline

    evil = "[Session expired](https://evil.example)"
    table = cx_roi.compare({"Base": cx_roi.Scenario(), evil: cx_roi.load_preset("service-boost")}, baseline="Base")
    assert compare_headline(table, 60).startswith(evil)  # the package gives the name as it is...

    assert not re.search(r"(?<!\\)\]\(", tables.inert(compare_headline(table, 60)))  # ...the page, inert


@pytest.mark.parametrize("name", cx_roi.presets())
def test_no_card_shows_a_bare_dash_on_a_presets_landing_view(name):
    at = run_app({"preset": name})
    assert all(m.value.strip() not in ("-", "–", "") for m in at.metric), [(m.label, m.value) for m in at.metric]


@pytest.mark.parametrize("name", ["status-quo", "revolving-door"])
def test_the_first_card_on_a_landing_view_is_what_the_best_next_dollar_returns(name):
    """On the baseline itself the first number is the answer: the best lever's return on the next
    dollar, the same figure the margin sentence states (both at the likely values)."""
    from cx_roi import formatting as fmt
    from cx_roi.verdict import AD_LEVER, LEVER_WORDS

    at = run_app({"preset": name})
    odds = cx_roi.lever_odds(cx_roi.load_preset(name), draws=300, seed=0)
    ranked = sorted(odds.per_dollar, key=odds.per_dollar.get, reverse=True)
    first = at.metric[0]
    assert LEVER_WORDS[ranked[0]] in first.label
    assert first.value == fmt.signed_money(odds.per_dollar[ranked[0]], cents=True)
    assert LEVER_WORDS[ranked[1]] in first.delta
    if ranked[0] in (odds.service_lever, AD_LEVER):  # the sentence weighs service against advertising
        assert fmt.money(odds.per_dollar[ranked[0]], cents=True) in margin_sentence(at)


def test_after_a_change_the_first_card_is_what_the_change_adds():
    from cx_roi import formatting as fmt
    from apptest import card

    gain = cx_roi.compare(["status-quo", "service-boost"], baseline="status-quo").loc["service-boost", "delta_npv"]
    at = run_app({"preset": "service-boost"})
    assert at.metric[0].value == fmt.signed_money(gain) == card(at, "NPV").delta
    assert "baseline" in at.metric[0].label


# ---------------------------------------------------------------- one number, one meaning

def test_the_npv_gain_reconciles_across_explore_compare_the_headline_and_the_workbook():
    """service-boost against the status quo: the card, Compare's cell, Compare's headline and the
    Excel report give the same NPV change (at the likely values); Risk's figure is another one, a
    median over draws, and its label says so."""
    import io

    from openpyxl import load_workbook

    from cx_roi import formatting as fmt
    from apptest import card

    gain = cx_roi.compare(["status-quo", "service-boost"], baseline="status-quo").loc["service-boost", "delta_npv"]
    explore = run_app({"preset": "service-boost"})
    assert card(explore, "NPV").delta == fmt.signed_money(gain)

    comp = run_app({"compare": "service-boost"}, page="pages/compare.py")
    title = cx_roi.preset_info("service-boost").title
    cell = comp.table[0].value.loc["NPV", tables.inert(title)]  # headers read as Markdown
    assert f"({fmt.signed_money(gain)})" in cell
    # The spend row is the one ROI divides by, at present value, as the reports show it.
    kpis = cx_roi.compare(["status-quo", "service-boost"], baseline="status-quo")["pv_spend"]
    spend = comp.table[0].value.loc[cx_roi.outputs.output("pv_spend").label, tables.inert(title)]
    assert spend.startswith(cx_roi.outputs.show("pv_spend", kpis["service-boost"]))
    assert cx_roi.outputs.show_change("pv_spend", kpis["service-boost"] - kpis["status-quo"]) in spend
    headline = next(m.value for m in comp.markdown if " of NPV against " in m.value).replace("\\", "")
    assert f"adds {fmt.money(gain)} of NPV" in headline and "at the likely values" in headline

    book = load_workbook(io.BytesIO(cx_roi.excel_report(["status-quo", "service-boost"], baseline="status-quo")))
    sheet = book["KPIs"]
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    column = header.index(cx_roi.outputs.header("delta_npv"))
    assert rows["service-boost"][column].value == pytest.approx(gain, rel=1e-9)

    risk = run_app({"preset": "service-boost", "draws": "200"}, page="pages/risk.py")
    labels = [m.label for m in risk.metric]
    assert "NPV gain, middle outcome" in labels  # a median over draws, named as such, not the card's figure


def test_risk_leads_its_flip_question_with_the_same_margin_sentence_as_explore():
    explore = margin_sentence(run_app({"preset": "service-boost"}))
    risk = margin_sentence(run_app({"preset": "service-boost", "draws": "200"}, page="pages/risk.py"),
                           page="pages/risk.py")
    assert risk == explore and "too close to call" in risk


def test_the_inputs_that_make_the_baseline_another_business_are_in_view():
    at = run_app({"preset": "young-product", "baseline": "status-quo"})
    note = next(c.value for c in at.caption if c.value.startswith("Besides its spends, this scenario differs"))
    differ = cx_roi.comparison.beyond_spend(cx_roi.load_preset("young-product"), cx_roi.load_preset("status-quo"))
    for field in differ[:5]:
        assert cx_roi.PARAMETERS[field].label.lower() in note
    assert f"and {len(differ) - 5} more" in note


def test_a_preset_on_itself_names_no_other_business():
    at = run_app({"preset": "status-quo"})
    assert not [c.value for c in at.caption if c.value.startswith("Besides its spends")]


def test_the_odds_process_is_replaced_when_it_is_gone():
    from ui import cached, jobs

    jobs.odds_worker().shutdown(wait=True)  # as if it had died
    cached.forget_margin_verdicts()
    sentence = margin_sentence(run_app({"preset": "online-megaphone"}))
    from cx_roi.verdict import margin_verdict

    assert sentence == margin_verdict(cx_roi.lever_odds(cx_roi.load_preset("online-megaphone"), draws=300, seed=0))


def test_a_lever_that_can_move_neither_way_is_said_not_raised():
    """A schedule from $0 to the most allowed has no next dollar on the margin: the page raised the
    package's error at the user; it now says why beside the cards, which still show."""
    at = run_app({"ad_spend_per_month": "0, 1000000000"})  # run_app fails on any exception
    said = ""
    for _ in range(100):
        said = " ".join(c.value for c in at.caption)
        if "cannot be weighed on the margin" in said:
            break
        time.sleep(0.05)
        at.run()
    assert not at.exception and "neither added nor taken away" in said, said
    assert any(m.label == "NPV" and m.value for m in at.metric)
