"""Placeholder entry point: the baseline's KPIs (the full dashboard replaces this)."""

import streamlit as st

import cx_roi

st.set_page_config(page_title="cx-roi", layout="wide")
st.title("Customer service or advertising?")
result = cx_roi.simulate(cx_roi.load_preset("status-quo"))
cols = st.columns(4)
cols[0].metric("NPV", f"${result.kpis['npv'] / 1e6:,.1f}M")
cols[1].metric("Customers at the end", f"{result.kpis['final_customers']:,.0f}")
cols[2].metric("Monthly churn", f"{result.kpis['avg_monthly_churn']:.1%}")
cols[3].metric("New customers from word of mouth", f"{result.kpis['wom_share']:.0%}")
