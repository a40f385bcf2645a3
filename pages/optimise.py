"""Optimise: the best split of a monthly budget across service and advertising, and why it is best."""

from ui import router

router.page_guard()

import math  # noqa: E402

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

import cx_roi  # noqa: E402
from cx_roi import formatting as fmt  # noqa: E402
from ui import cached, decision_charts, jobs, state, tables, views  # noqa: E402

scenario = state.current_scenario()
big = state.presentation()
views.inject_style(big)
levers = tuple(state.setting("levers"))
today = {lv: float(np.mean(scenario.schedule(lv))) for lv in cx_roi.LEVERS}
today_total = state.todays_spend()
totals = state.budgets()
budget, budget_after = totals[0], totals[-1]
phases = state.setting("phases")
objective = state.setting("objective")
OBJECTIVES = cx_roi.optimisation.OBJECTIVES  # label, words in a sentence, meaning

views.header("What is the best split of the budget?",
             f"For {tables.inert(state.current_title())}, the split of a monthly budget across "
             f"{fmt.and_list(cx_roi.LEVERS[lv].lower() for lv in levers)} that maximises {OBJECTIVES[objective].words}.")
views.render_notices()

if not big:
    with st.sidebar:
        st.subheader("Budget", anchor=False)
        top = max(2 * today_total, 1_000_000.0, budget * 1.25, budget_after * 1.25)
        top = math.ceil(top / 100_000) * 100_000
        st.slider("Monthly budget on these levers ($ per month)", 0.0, float(top), step=10_000.0, format="$%,.0f",
                  **state.bind("budget", shape=top),
                  help=f"Today's scenario spends ${today_total:,.0f} a month on them.")
        st.toggle("A different budget after the first year", **state.bind("split_phases"),
                  help="Optimise months 1-12 and the rest separately, each with its own budget.")
        if phases == "first_year":
            st.slider("Budget from month 13 ($ per month)", 0.0, float(top), step=10_000.0, format="$%,.0f",
                      **state.bind("budget_after", shape=top))
        st.subheader("Goal", anchor=False)
        st.radio("Maximise", list(OBJECTIVES), **state.bind("set:objective", "index", options=OBJECTIVES),
                 format_func=lambda o: OBJECTIVES[o].label,
                 captions=[o.meaning for o in OBJECTIVES.values()])
        st.multiselect("Levers to split between", list(cx_roi.LEVERS),
                       **state.bind("set:levers", "default", options=cx_roi.LEVERS), format_func=cx_roi.LEVERS.get,
                       help="Levers left out keep today's spend.")
        with st.expander("Limits per lever ($ per month)"):
            st.caption("A contract floor, a hiring freeze, a media plan already signed: the optimiser stays "
                       "within these.")
            for lv in levers:
                c1, c2 = st.columns(2)
                c1.number_input(f"{cx_roi.LEVERS[lv]}: at least", 0.0, state.MAX_BUDGET, step=10_000.0,
                                **state.bind(f"bound:{lv}:min"), format="%.0f")
                c2.number_input("at most (blank: no limit)", 0.0, state.MAX_BUDGET, step=10_000.0,
                                **state.bind(f"bound:{lv}:max"), format="%.0f")
        st.toggle("Show the efficient frontier", **state.bind("set:frontier"),
                  help="The best split at budgets from half to twice this one.")

bounds = {lv: b for lv, b in state.setting("bounds").items() if lv in levers}
if objective == "p10_npv" and not state.heavy_started("cautious"):
    # A link can ask for the cautious split; only a click here (or choosing it above) starts it.
    st.info("The cautious goal runs the model on 200 draws of the uncertain assumptions for every split it "
            "tries: seconds to a minute of the server's time. It starts when you ask.",
            icon=":material/hourglass_top:")
    st.button("Search for the cautious split", on_click=state.start_heavy, args=("cautious",), type="primary",
              key="run_cautious", icon=":material/play_arrow:")
    router.stop_page()
try:
    with jobs.searching(f"Searching for the split with the best {OBJECTIVES[objective].words}..."):
        alloc = cached.optimise(scenario, totals, levers, objective, phases, tuple(sorted(bounds.items())))
except cx_roi.ScenarioError as err:
    # The package names its argument (total_per_month); here it is the Budget box above.
    st.error("This budget cannot be split as asked:\n" + "\n".join(
        f"- {p.replace('total_per_month', 'Budget', 1)}" for p in err.problems))
    router.stop_page()

base_result = cached.simulate(scenario)
gain = alloc.kpis["npv"] - base_result.kpis["npv"]
cards = [
    views.change_card("NPV with the best split", fmt.money(alloc.kpis["npv"]), fmt.signed_money(gain), ("$0",),
                      "normal", "NPV of the scenario with the recommended split, and the change against today's "
                      "split."),
    views.change_card("Customers at the end", fmt.count(alloc.kpis["final_customers"]),
                      fmt.signed_count(alloc.kpis["final_customers"] - base_result.kpis["final_customers"]), ("0",),
                      "normal", "Customers at the horizon with the recommended split, against today's split."),
    views.Card("Monthly budget", " then ".join(fmt.amount(t) for t in totals),
               # "same as today" rather than "$0 vs today", as the other pages say "same as baseline"
               (" then ".join(fmt.signed_money(t - today_total) for t in totals) + " vs today"
                if any(abs(t - today_total) >= 0.5 for t in totals) else "same as today"), "off",
               "The budget split across the chosen levers"
               + (", in the first year and after it." if len(totals) > 1 else "."), "off"),
]
if objective != "npv":
    today_value = cached.objective_of(scenario, objective)  # on the same draws: the split's gain over today's
    cards.append(views.change_card(OBJECTIVES[objective].label, fmt.money(alloc.objective_value),
                                   fmt.signed_money(alloc.objective_value - today_value), ("$0",), "normal",
                                   f"{OBJECTIVES[objective].meaning} With the recommended split, and the change "
                                   "against today's split on the same draws."))
views.render_cards(cards, big=big)

split_words = fmt.and_list(f"{fmt.money(alloc.allocation[lv].iloc[0])} a month on {cx_roi.LEVERS[lv].lower()}"
                           for lv in alloc.allocation.columns)
st.markdown(f"#### Recommended: {split_words}" + (" in the first year" if len(totals) > 1 else "") + ".")
st.markdown(alloc.explanation)
if not alloc.converged:
    st.warning(f"The search stopped before it was sure of the optimum ({alloc.message}); the split shown is "
               "the best one found.")

height = 420 if big else 320
cfg = {"displayModeBar": False}
left, right = st.columns(2)
left.plotly_chart(decision_charts.allocation_bars(alloc.allocation, cx_roi.LEVERS,
                                                  current={lv: today[lv] for lv in alloc.allocation.columns},
                                                  height=height, big=big), config=cfg)
# The objective's label without its gloss ("Cautious NPV"): an axis title has one line.
right.plotly_chart(decision_charts.marginal_bars(alloc.marginal, what=OBJECTIVES[objective].label.split(" (")[0],
                                                 height=height, big=big), config=cfg)
months = scenario.horizon_months
extra_words = (f"{fmt.money(1_000 * 12)} in the first year and {fmt.money(1_000 * (months - 12))} after it"
               if len(totals) > 1 else f"{fmt.money(1_000 * months)} over {fmt.horizon(months)}")
# Explore says the next dollar's return per dollar of its present value: the same figure, said so here too.
top_bar = float(alloc.marginal["marginal_per_1000"].max())
extra_pv = 1_000 * cx_roi.economics.monthly_pv(scenario.annual_discount_rate, months)
per_dollar = ("" if len(totals) > 1 or objective != "npv" else
              f" The tallest, {fmt.money(top_bar)}, is {fmt.money(top_bar / extra_pv, cents=True)} of NPV after "
              f"paying for itself for each dollar of the extra spend's present value ({fmt.money(extra_pv)}): "
              "the figure Explore gives for the next dollar once this split is applied.")
right.caption(f"At the recommended split. An extra $1,000 a month is {extra_words}; each bar is the "
              f"{OBJECTIVES[objective].words} it adds "
              "on that lever. Equal bars mean no dollar can be moved to do better." + per_dollar)

# Presenting too: trying the split on Explore is the workshop's next step.
if st.button("Apply this split to the scenario", type="primary", icon=":material/check:", key="apply_split",
             help="Sets the spend levers on the Explore page to this split, each rounded to the nearest "
                  "$1,000 a month (a monthly schedule when the first year differs)."):
    state.apply_split(alloc)
    state.switch_page("pages/explore.py")

if state.setting("frontier"):
    st.subheader("Efficient frontier", anchor=False)
    points = sorted({round(budget * f / 10_000) * 10_000 for f in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)} | {budget})
    # Budgets the limits allow: the minimums added up at least, the maximums added up at most.
    low_sum = sum(lo for lo, _ in bounds.values())
    high_sum = sum(bounds.get(lv, (0.0, math.inf))[1] for lv in levers)
    points = [p for p in points if low_sum <= p <= high_sum]
    table = None
    if not state.heavy_started("frontier"):
        st.caption(f"The frontier is {len(points)} full optimisations; it starts when you ask.")
        st.button("Find the frontier", on_click=state.start_heavy, args=("frontier",), key="run_frontier",
                  icon=":material/play_arrow:")
    elif points:
        with jobs.searching(f"Finding the best split at each of {len(points)} budgets..."):
            table = cached.frontier(scenario, tuple(float(p) for p in points), levers, objective,
                                    tuple(sorted(bounds.items())))
    if table is not None:
        named = {lv: cx_roi.LEVERS[lv] for lv in levers}
        best, split = st.columns(2)
        best.plotly_chart(decision_charts.frontier(table, named, chosen=budget,
                                                   objective_label=OBJECTIVES[objective].words, height=height,
                                                   big=big), config=cfg)
        split.plotly_chart(decision_charts.frontier_split(table, named, chosen=budget, height=height, big=big),
                           config=cfg)
        one_split = (" Each point is one split for the whole horizon, so the first year's budget is marked, not "
                     "the two-budget plan above." if phases == "first_year" else "")
        st.caption("Each point is a full optimisation. Where the line flattens, more budget buys little; the "
                   "areas beside it show how the best split shifts as the budget grows." + one_split)

target_metric = state.setting("target_metric")
target = state.setting("target")
if not big or target is not None:  # presenting without a target: no heading over an empty section
    st.subheader("The least budget that reaches a target", anchor=False)
# Each target's name in a sentence, how its figures are written, and what the box's number counts.
TARGETS = {"final_customers": ("customers at the end", fmt.count, "customers"),
           "npv": ("NPV", fmt.money, "$ of NPV")}
if not big:
    # The target's kind sits outside the form, so that the box beside it starts from a figure in that
    # kind's unit whenever it changes, not from a count read as dollars: 10% more customers than today,
    # or today's NPV (what is the least budget that keeps it?).
    c1, rest = st.columns([2, 3], vertical_alignment="top")
    metric_choice = c1.selectbox("Target", list(TARGETS), index=list(TARGETS).index(target_metric),
                                 format_func=lambda m: TARGETS[m][0][:1].upper() + TARGETS[m][0][1:])
    now = base_result.kpis[metric_choice]
    default_target = (target if target is not None and metric_choice == target_metric else
                      round(now * 1.1, -2) if metric_choice == "final_customers" else
                      max(math.floor(now / 100_000) * 100_000, 0.0))
    with rest.form("target_form", border=False):
        # The button under the box, not beside it: a column beside it cut its label on a tablet.
        # Streamlit's number formats have no thousands separators, so the help says how a number is typed.
        value = st.number_input(f"Reach at least ({TARGETS[metric_choice][2]})",
                                min_value=0.0, max_value=1e12, value=float(default_target), step=1_000.0,
                                format="%.0f", help="Type digits only: 96400 is 96,400 and 150000000 is $150M.")
        if st.form_submit_button("Find the least budget", icon=":material/search:"):
            state.set_setting("target_metric", metric_choice)
            state.set_setting("target", value)
            state.start_heavy("target")
            st.rerun()
if target is not None and not state.heavy_started("target"):
    # The link's target is in the box above; the search (a dozen optimisations) waits for the click.
    st.caption("The link asks for the least budget that reaches this target. The search is a dozen "
               "optimisations; it starts when you click \"Find the least budget\".")
    if big:
        st.button("Find the least budget", on_click=state.start_heavy, args=("target",), key="run_target",
                  icon=":material/search:")
elif target is not None:
    name, shown, _ = TARGETS[target_metric]
    try:
        with jobs.searching("Searching for the least budget (a few optimisations)..."):
            found = cached.min_budget(scenario, float(target), target_metric, levers, tuple(sorted(bounds.items())))
        split = fmt.and_list(f"{fmt.money(found.allocation.allocation[lv].iloc[0])} on {cx_roi.LEVERS[lv].lower()}"
                             for lv in found.allocation.allocation.columns)
        st.success(f"**{fmt.money(found.budget_per_month)} a month** is the least budget whose best split "
                   f"reaches {name} of {shown(target)} ({shown(found.reached)} with {split}"
                   f"{', within the limits per lever' if bounds else ''}; the same budget every month). "
                   f"Today's scenario spends {fmt.money(today_total)} a month on these levers.")
    except cx_roi.OutOfReach as err:
        st.warning(f"No budget up to {fmt.money(err.largest)} a month reaches {name} of {shown(target)}"
                   f"{' within the limits per lever' if bounds else ''}: the best split of any reaches "
                   f"{shown(err.best)} (at {fmt.money(err.at_budget)} a month). Lower the target"
                   f"{', or widen the limits per lever' if bounds else ''}.")
    except cx_roi.ScenarioError as err:
        # In the page's words: fields by their labels, and no Markdown ($ would start a formula).
        st.warning("That target cannot be reached: "
                   + "; ".join(tables.inert(tables.with_labels(p)) for p in err.problems))
elif not big:
    st.caption("Choose what to reach and how much, then click \"Find the least budget\": it finds the smallest "
               "monthly budget whose best split gets there.")
