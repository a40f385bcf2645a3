"""Your data: load a monthly history, see the model fitted to it, and plan every scenario from the fit."""

from ui import router

router.page_guard()

import math  # noqa: E402

import streamlit as st  # noqa: E402

import cx_roi  # noqa: E402
from cx_roi import formatting as fmt  # noqa: E402
from ui import cached, decision_charts, state, tables, views  # noqa: E402

big = state.presentation()
views.inject_style(big)
views.header("Your data", "Fit the model to your own monthly history, then start every scenario from it.")
views.render_notices()

in_use = state.fitted()
if in_use is not None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.success(f"Planning from **Your data: {in_use[0]}**: the baseline on every page"
                   + (" and the Explore page's starting point." if state.preset() == state.FITTED else "."),
                   icon=":material/check_circle:")
        st.button("Stop using it", on_click=state.stop_using_fit, key="stop_fit", icon=":material/close:",
                  help="Back to the presets: the status quo becomes the baseline again.")

cfg = {"displayModeBar": False}

# ------------------------------------------------------------------ 1. load
st.subheader("1. Load a monthly history", anchor=False)
if not big:
    left, right = st.columns([3, 2])
    # The limit in the label: a larger file is refused by the browser, whose reason is only a tooltip.
    most_mb = state.MAX_HISTORY_BYTES // 2**20
    left.file_uploader(f"CSV or Excel file, one row per month, up to {most_mb} MB", type=["csv", "txt", "xlsx"],
                       key=state.history_upload_key(), on_change=state.on_history_upload, max_upload_size=most_mb,
                       help="Every problem in the file is listed with its row and column; a file that cannot "
                            "be used leaves what you had unchanged.")
    left.number_input(state.TOLERANCE_LABEL, min_value=0.0, max_value=100 * state.TOLERANCE_MAX, step=0.5,
                      format="%.1f", **state.bind("balance_tolerance"),
                      help="Each month, customers at the month's end should be the month before's plus new "
                           "minus churned. Counts from different systems (billing, a CRM) rarely agree exactly: "
                           "a month may miss by this share of the month before's customers (or 5 customers) "
                           f"and still be read. {fmt.percent(cx_roi.history.BALANCE_TOLERANCE, 0)} unless you "
                           "change it; 0 checks to the customer. Applies to the next file read, and reads again "
                           "a file that was refused for it.")
    with right:
        st.button("Try the sample history", on_click=state.use_sample_history, key="use_sample",
                  icon=":material/dataset:",
                  help="48 months of a synthetic subscription company, made by this model with known "
                       "parameters plus noise (the fit should find them again).")
        with st.container(horizontal=True, gap="small"):
            st.download_button("Template (CSV)", cx_roi.history_template(), file_name="cx-roi-history-template.csv",
                               mime="text/csv", on_click="ignore", icon=":material/download:",
                               key="download_template", help="Every column, with three example rows to replace.")
            st.download_button("Sample file (CSV)", cx_roi.sample_history_file(), file_name="cx-roi-sample-history.csv",
                               mime="text/csv", on_click="ignore", icon=":material/download:",
                               key="download_sample", help="The synthetic sample history as a CSV file.")
    with st.expander("What the file needs"):
        st.markdown("Six columns are required; the optional ones let the fit identify more (NPS or "
                    "promoter and detractor shares: churn by sentiment; contacts: the contact rate). Column "
                    "names are not case-sensitive and may carry a unit in brackets.")
        st.dataframe(tables.history_columns_table(), hide_index=True)

pending = state.history_pending()
if pending is not None:
    name, _, sheets = pending
    with st.form("sheet_form", border=True):
        st.selectbox(f"Which sheet of {tables.inert(name, 80)} holds the monthly history?", sheets,
                     key=state.HISTORY_SHEET_KEY)
        st.form_submit_button("Read this sheet", on_click=state.on_history_sheet)

refused = state.history_refusal()
advice = state.refusal_advice(refused) if refused is not None and not big else None
if advice is not None:  # what the last file's problems call for, in place of "load your history"
    st.warning(advice, icon=":material/rule:")

loaded = state.history_file()
if loaded is None:
    if advice is None:
        if in_use is not None:
            st.info("The fitted baseline came with the link; the history behind it stays with whoever fitted "
                    "it. Load the file here to see the fit again.")
        elif big:  # the room can still see a fit: the sample is one click, a file needs the settings
            st.info("No history is loaded. Turn off Present to load one, or try the sample.")
            st.button("Try the sample history", on_click=state.use_sample_history, key="use_sample",
                      icon=":material/dataset:")
        else:
            st.info("Load your history, or try the sample, to fit the model to it.")
    router.stop_page()

name, data, sheet = loaded
history = cached.history(name, data, sheet)

# ------------------------------------------------------------------ 2. check
st.subheader("2. Check what was read", anchor=False)
optional = [c.name for c in cx_roi.history.COLUMNS.values() if not c.required and history.has(c.name)]
span = f", {history.periods[0]} to {history.periods[-1]}" if history.dated else ""
gap = history.balance_gap
# Rounded up: "within" stays true of the largest gap.
balance = (f"customers add up to within {fmt.percent(math.ceil(gap * 1000) / 1000, 1)} of the month before's "
           "every month" if gap > 0 else "customers add up exactly every month")
# The file's name and sheet are the uploader's words: shown as written, never as Markdown.
st.markdown(f"**{tables.inert(name, 80)}**{f' (sheet {tables.inert(sheet, 80)})' if sheet else ''}: "
            f"{history.months} months{span}; {balance}. "
            f"Optional columns found: {', '.join(optional) if optional else 'none'}.")
for w in history.warnings:
    st.caption(f"Note: {tables.inert(w, 300)}")
with st.expander("The history as read"):
    st.dataframe(history.frame, hide_index=True)
if not big:
    st.button("Remove this history", on_click=state.clear_history, key="clear_history", type="tertiary",
              icon=":material/delete:", help="Forget the file. A fitted baseline in use stays until you stop using it.")

# ------------------------------------------------------------------ 3. fit
st.subheader("3. Fit the model", anchor=False)
if not state.fit_requested():
    st.button("Fit the model to this history", on_click=state.request_fit, type="primary", key="fit",
              icon=":material/query_stats:")
    st.caption("Nonlinear least squares on the model itself, run on your monthly spends; about ten seconds "
               "for four years of months.")
    router.stop_page()

with st.spinner("Fitting the model to your history (market, word of mouth, advertising, churn)...",
                show_time=True):
    try:
        fit = cached.fit_history(name, data, sheet)
    except (cx_roi.HistoryError, cx_roi.ScenarioError) as err:
        problems = getattr(err, "problems", None) or [str(err)]
        st.error("This history cannot be fitted:\n" + tables.listed([tables.inert(p, 300) for p in problems])
                 + "\n\nYour baseline and scenarios are unchanged.")
        router.stop_page()

m, hold = fit.metrics, fit.holdout
cards = [
    views.Card("Customers explained", fmt.percent(m["r2_customers"], 0), "R² of the fit", "off",
               "Share of the month-to-month variation in customers that the fitted model reproduces (R²): "
               "100% follows every month exactly, 0% does no better than a flat average.", "off"),
    views.Card("New customers explained", fmt.percent(m["r2_new_customers"], 0),
               f"typical miss {fmt.percent(m['mape_new_customers'], 1)}", "off",
               "R² of new customers per month; the typical miss is the mean absolute percentage error.", "off"),
    views.Card("Churn explained", fmt.percent(m["r2_churned"], 0),
               f"typical miss {fmt.percent(m['mape_churned'], 1)}", "off",
               "R² of churned customers per month, and the mean absolute percentage error.", "off"),
]
if hold is not None:
    cards.append(views.Card(f"Forecast miss, last {hold.months} months", fmt.percent(hold.mape_customers, 1),
                            f"new customers {fmt.percent(hold.mape_new_customers, 1)}", "off",
                            f"Fitted on the first {hold.fitted_on} months only, then run on the last {hold.months}: "
                            "the mean absolute percentage error of customers (and of new customers) on months "
                            "the fit never saw.", "off"))
views.render_cards(cards, big=big)

height = 380 if big else 300
series = [("customers", "Customers at month end", "Customers"),
          ("new_customers", "New customers per month", "Customers per month"),
          ("churned_customers", "Churned customers per month", "Customers per month")]
if "nps_fit" in fit.monthly:
    series.append(("nps", "Net promoter score (survey)", "NPS"))
elif "contacts_fit" in fit.monthly:
    series.append(("contacts", "Contacts per month", "Contacts"))
holdout_frame = hold.monthly if hold is not None else None
for i in range(0, len(series), 2):
    cols = st.columns(2)
    for col, (column, title, axis) in zip(cols, series[i:i + 2]):
        col.plotly_chart(decision_charts.fitted_vs_actual(fit.monthly, column, title=title, axis_title=axis,
                                                      holdout=holdout_frame, height=height, big=big), config=cfg)

st.markdown("**What the history says**: fitted values with their standard errors, and what was read "
            "straight from the data.")
# Static tables: their cells wrap, so every note is read in full (a data grid cut them off); a phone
# shows them row by row.
views.render_stacked_table(tables.fit_table(fit, plan=fit.scenario).drop(columns="Field"), key="fitted")
st.caption("**Standard error**: how far the fitted value could be off, given how well the months pin it down. "
           "**95% range**: the values the history cannot tell apart from the fitted one. Worked out in "
           "proportions of the fitted value (for all but product value), it reaches further above it than "
           "below, and never below zero; it holds the true value 95 times in 100. **Plan starts from**: the value the "
           "planning scenario uses; for spends, the average of your last twelve months, and for spends before the "
           "plan, what your history ended with (the last month's service spend; the advertising whose "
           "carry-over was left at its end, as a steady monthly amount).")
for w in fit.warnings:
    st.warning(tables.with_labels(w) + ".", icon=":material/info:")
with st.expander(f"Kept at their defaults ({len(fit.not_fitted)}), and why"):
    views.render_stacked_table(tables.fit_table(fit, ("default",)).drop(
        columns=["Field", "Standard error", "95% range"]), key="kept")

# ------------------------------------------------------------------ 4. plan
st.subheader("4. Plan from it", anchor=False)
st.markdown(f"The planning scenario starts where your history ends: {fmt.count(fit.scenario.initial_customers)} "
            f"customers, your last twelve months' spends, and the values above, over "
            f"{fmt.horizon(fit.scenario.horizon_months)}.")
active = in_use is not None and in_use[1] == fit.scenario
carried = len(fit.scenario.changed_fields(cx_roi.Scenario()))
if not active:
    # The link is how a view is kept and shared; what goes into it leaves the session.
    st.warning(f"Using it puts the {carried} figures of the planning scenario (customers, spends, ARPU, "
               "churn by sentiment and the fitted values above) into this page's link, as the dashboard keeps "
               "every view there: they then travel wherever the link goes (the address bar, browser history, "
               "bookmarks, a proxy's logs, anyone you send it to). The file and its name do not.",
               icon=":material/link:")
st.button("Use as my baseline", on_click=state.use_fit, args=(state.fit_label(history), fit.scenario),
          type="primary",
          key="use_fit", icon=":material/flag:", disabled=active,
          help="Every page then measures against your business as it is, and the Explore page starts from it.")
if active:
    st.caption("In use: open Explore to try changes against it.")
