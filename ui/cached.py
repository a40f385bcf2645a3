"""The only place that caches model calls for the dashboard.

Each wrapper is keyed on the (frozen, validated) Scenario, so a rerun that
changes nothing in the model costs a cache lookup, and moving a lever back to a
value seen before is instant. ``st.cache_data`` hands every caller its own copy
of the result, so a page cannot corrupt what another page reads.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import cx_roi
from cx_roi import Scenario, SimulationResult

__all__ = ["simulate", "compare", "next_dollar", "npv_bridge"]

# A Scenario's JSON is exact (floats round-trip) and covers every field, so it
# is a faithful cache key; hashing the text is cheaper than Streamlit's generic
# object walk.
_HASH = {Scenario: lambda s: s.to_json(indent=None)}
# Enough for a workshop's worth of lever positions; each entry is tens of kB.
_MAX = 512


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def simulate(scenario: Scenario) -> SimulationResult:
    """``cx_roi.simulate``: monthly results and KPIs of one scenario."""
    return cx_roi.simulate(scenario)


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def compare(named: tuple[tuple[str, Scenario], ...], baseline: str) -> pd.DataFrame:
    """``cx_roi.compare`` of ``(name, scenario)`` pairs against the one named ``baseline``.

    A tuple of pairs (not a dict) keeps the order, which is the table's row order.
    """
    return cx_roi.compare(dict(named), baseline=baseline)


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def next_dollar(scenario: Scenario, extra_per_month: float) -> pd.DataFrame:
    """``cx_roi.next_dollar``: what ``extra_per_month`` more on each lever returns."""
    return cx_roi.next_dollar(scenario, extra_per_month)


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def npv_bridge(baseline: Scenario, scenario: Scenario) -> pd.DataFrame:
    """``cx_roi.npv_bridge`` of two scenarios (simulated through the cache above)."""
    return cx_roi.npv_bridge(simulate(baseline), simulate(scenario))
