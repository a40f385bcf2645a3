"""Explore: one scenario, its headline KPIs against the baseline, and the charts behind them."""

from ui import router

router.page_guard()

import streamlit as st

from ui import cached, charts, controls, exports, sharing, state, tables, views

state.mark_page_run()
big = state.presentation()
views.inject_style(big)
views.header("Customer service or advertising?", tables.inert(state.explore_subtitle()))
views.render_notices()

if not big:
    with st.sidebar:
        controls.render_scenario_picker()
        controls.render_levers()
        st.divider()
        sharing.render_sharing()


@st.fragment
def answer(big: bool, drawn: tuple) -> None:
    """The spends and everything that follows from them: a spend move reruns only this.

    ``drawn``: :func:`ui.state.around_answer` when the page around was drawn; if a
    move changed that too (the first edit, say), the whole page reruns instead.
    """
    if state.around_answer() != drawn:
        st.rerun(scope="app")
    with st.container(key="answer"):
        _answer(big)


def _answer(big: bool) -> None:
    scenario = state.current_scenario()
    odds = cached.margin_verdict(scenario)  # worked out beside the page while it draws, shown after
    whole_page = state.take_page_run()
    # The page reads top down: the spends, the answer on the margin, the step's verdict, the cards.
    # The cards are drawn first into their place (a key press waits for them), then what sits above.
    spends, margin, verdict_slot = st.container(), st.container(key="margin_verdict"), st.container(key="verdict_slot")
    base = state.baseline(scenario.horizon_months)
    view = cached.assess(scenario, base)  # the cards and the charts: the two scenarios alone
    table = view.kpis
    other = table.attrs["beyond_spend"].get("scenario", ())  # then ROI and payback are not read
    if scenario == base and not big:
        # The presets are another business than a fitted baseline: against it, a spend move is the test.
        pick = ("" if state.baseline_name() == state.FITTED else
                f", or pick another preset in the sidebar (such as \"{state.start_title('service-boost')}\")")
        st.info(f"This is the baseline itself, so there is no change to show yet. Move a spend above{pick}"
                f"{',' if pick else ''} to see what it does to NPV, churn and customers.", icon=":material/lightbulb:")
    views.render_cards(views.kpi_cards(table.loc["scenario"], table.loc["baseline"],
                                       same_as_baseline=scenario == base,
                                       baseline_label=tables.inert(state.label_for(state.baseline_name())),
                                       horizon_months=scenario.horizon_months,
                                       beyond_spend=other,
                                       per_dollar=cached.per_dollar(scenario) if scenario == base else None),
                       big=big)
    with spends:  # presenting too: a what-if asked in the room is answered without leaving presentation mode
        controls.render_spends()
    with verdict_slot:
        views.render_verdict(scenario, big)
    if other:  # the inputs besides spend that make the baseline another business, in view
        note = views.beyond_spend_note(other, state.label_for(state.baseline_name()))
        st.caption(tables.inert(note[:1].upper() + note[1:]))

    # The charts' places come next on the page, but they are drawn last: the browser takes
    # longest over plotly's drawing, so everything else (the files below included) and the
    # end of the run reach it first, and the numbers are final before the charts redraw. The money
    # first, across the page; then a pair of charts per subject: customers, sentiment, service.
    money_slot = st.container()
    rows = (st.columns(2), st.columns(2), st.columns(2))
    if not big:
        st.subheader("Take it with you", anchor=False)
        current_label, base_label = state.label_for(state.CURRENT), state.label_for(state.baseline_name())
        # The scenario on screen and its baseline; one scenario when it is its own baseline (two copies
        # would repeat every verdict under two names).
        named = ((base_label, base),) if scenario == base else ((base_label, base), (current_label, scenario))
        exports.render_exports(named, base_label, title=f"cx-roi: {state.current_title()}",
                               stem=sharing.file_stem(state.preset(), len(state.edits())),
                               extra_per_month=state.extra(), lead=named[-1][0],
                               key="export_explore", first=sharing.render_download)
        st.caption(f"The scenario on screen{' and its baseline' if len(named) > 1 else ''}, with the verdict "
                   "above. The reports are built when you click; the scenario file loads again in the sidebar.")

    height = 440 if big else 340
    monthly = view.scenario_result.monthly
    config = {"displayModeBar": False}
    (flows, base_chart), (mix, nps), (level, wait) = rows
    money_slot.plotly_chart(charts.contribution_vs_baseline(monthly, view.baseline_result.monthly,
                                                            table.loc["scenario", "payback_month"],
                                                            height=height, big=big,
                                                            other_inputs_differ=bool(other)), config=config)
    flows.plotly_chart(charts.customers_by_source(monthly, height=height, big=big), config=config)
    base_chart.plotly_chart(charts.customer_base(monthly, height=height, big=big), config=config)
    mix.plotly_chart(charts.sentiment_mix(monthly, height=height, big=big), config=config)
    nps.plotly_chart(charts.nps_lines(monthly, height=height, big=big), config=config)
    level.plotly_chart(charts.service_level(monthly, scenario.service_level_target_seconds,
                                            height=height, big=big), config=config)
    wait.plotly_chart(charts.average_wait(monthly, height=height, big=big), config=config)
    with margin:
        views.render_margin(odds, wait=whole_page)
    # A fragment rerun skips the router, which otherwise writes the address bar after the page.
    state.sync_url()


answer(big, state.around_answer())
