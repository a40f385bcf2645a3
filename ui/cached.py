"""The only place that caches model calls for the dashboard.

Each wrapper is keyed on the (frozen, validated) Scenario, so a rerun that
changes nothing in the model costs a cache lookup, and moving a lever back to a
value seen before is instant. ``st.cache_data`` hands every caller its own copy
of the result, so a page cannot corrupt what another page reads. The one
result read on every lever move, :func:`assess`, is kept as a resource instead
(the same objects for every rerun and session, never changed after they are
made; a test holds the pages to that), because copying it out of the cache
cost more than drawing the cards.

Two kinds of call are kept apart. An uploaded history and its fit are company data: they are
cached for the session that uploaded them only, and Streamlit drops them when the session ends.
The Optimise page's heavy searches wait their turn in :mod:`ui.jobs`, and the margin's odds are
worked out in its process; the answers are kept here.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import NamedTuple

import pandas as pd
import streamlit as st

import cx_roi
from cx_roi import Scenario, SimulationResult
from cx_roi.library import Library
from cx_roi.comparison import AD_LEVER, SERVICE_LEVERS, limits_in_the_way, with_extra
from cx_roi import formatting as fmt
from cx_roi.verdict import LEVER_WORDS, verdict
from cx_roi.verdict import compare_headline as _compare_sentence

from . import jobs, state, tables

__all__ = ["simulate", "kpis", "compare", "next_dollar", "npv_bridge", "assess", "history", "fit_history", "Flips"]


class RangeKey(tuple):
    """Uncertainty ranges as a cache key: ((name, low, likely, high, log), ...), sorted by name."""


# A Scenario's JSON is exact (floats round-trip) and covers every field, so it
# is a faithful cache key; hashing the text is cheaper than Streamlit's generic
# object walk. The same goes for the ranges: repr of floats is exact, and one
# string costs a fraction of walking two hundred tuple items.
_HASH = {Scenario: lambda s: s.to_json(indent=None), RangeKey: repr}
# Enough for a workshop's worth of lever positions; each entry is tens of kB.
_MAX = 512


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def simulate(scenario: Scenario) -> SimulationResult:
    """``cx_roi.simulate``: monthly results and KPIs of one scenario."""
    return cx_roi.simulate(scenario)


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def kpis(scenario: Scenario) -> dict[str, float]:
    """The KPIs of ``cx_roi.simulate`` alone: a page that needs a figure or two does not pay for a copy
    of the monthly table on every rerun."""
    return dict(cx_roi.simulate(scenario).kpis)


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def compare(named: tuple[tuple[str, Scenario], ...], baseline: str) -> pd.DataFrame:
    """``cx_roi.compare`` of ``(name, scenario)`` pairs against the one named ``baseline``.

    A tuple of pairs (not a dict) keeps the order, which is the table's row order.
    """
    return cx_roi.compare(dict(named), baseline=baseline)


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def compare_headline(named: tuple[tuple[str, Scenario], ...], baseline: str) -> str:
    """The Compare page's headline: the scenario that adds the most NPV against ``baseline``, by how
    much, and how sure (``cx_roi.compare`` over paired draws of the plausible ranges, seed 0), as Markdown
    that reads as written (``tables.inert``): the names are the page's labels, saved names among them."""
    table = cx_roi.compare(dict(named), baseline=baseline, draws=cx_roi.margins.ODDS_DRAWS, seed=0)
    return tables.inert(_compare_sentence(table, named[0][1].horizon_months))


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def next_dollar(scenario: Scenario, extra_per_month: float) -> pd.DataFrame:
    """``cx_roi.next_dollar``: what ``extra_per_month`` more on each lever returns."""
    return cx_roi.next_dollar(scenario, extra_per_month)


@st.cache_resource(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def assess(scenario: Scenario, baseline: Scenario) -> cx_roi.Assessment:
    """``cx_roi.assess`` without the next dollar: the Explore page's KPIs and both monthly results in
    one run of the two scenarios (the page weighs the next dollar after its cards, :func:`next_dollar`).

    A resource, read only: Explore reads it on every spend move, and a copy out of
    ``st.cache_data`` (unpickling its tables) took about 1.5 ms of a 14 ms rerun.
    """
    return cx_roi.assess(scenario, baseline, None)


@st.cache_resource(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def _margin_job(scenario: Scenario) -> Future:
    shown: Future = Future()
    try:
        pending = jobs.submit_odds(scenario)
    except Exception as exc:  # no process could be started: the page says the odds are missing
        shown.set_exception(exc)
        return shown

    def done(f: Future) -> None:
        if f.cancelled():
            shown.cancel()
        elif f.exception() is not None:
            shown.set_exception(f.exception())
        else:
            shown.set_result(tuple(tables.inert(text) for text in f.result()))

    pending.add_done_callback(done)
    shown.job = pending  # so a newer request of the same session can drop it while it waits
    return shown


def margin_verdict(scenario: Scenario) -> Future:
    """The next dollar on the margin with its odds (``cx_roi.lever_odds``, the plausible ranges, seed 0),
    and what one more customer costs kept and won, as Markdown that reads as written (a "<1%" is not
    a tag): a future of the two sentences, worked out in the odds process. A session's earlier job
    that has not started yet is dropped: only the scenario on screen needs its odds."""
    future = _margin_job(scenario)
    if future.cancelled():  # dropped for a newer request before it ran: ask again
        forget_margin_verdicts()
        future = _margin_job(scenario)
    earlier = state.swap_odds_job(future)
    if earlier is not None and earlier is not future:
        earlier.job.cancel()  # a page that asks for it again is told it is missing, and asks anew
    return future


def forget_margin_verdicts() -> None:
    """Drop every kept margin answer (a failed or missing one is asked for again)."""
    _margin_job.clear()


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def per_dollar(scenario: Scenario) -> dict[str, float]:
    """What one more dollar a month returns on each lever at the likely values (``cx_roi.lever_odds``
    with no draws: six runs, a few ms), for the first card; the odds follow in :func:`margin_verdict`.
    Empty where no next dollar can be weighed (a lever whose schedule runs from $0 to its maximum)."""
    try:
        return cx_roi.lever_odds(scenario, draws=0).per_dollar
    except cx_roi.ScenarioError:
        return {}


@st.cache_data(max_entries=_MAX, show_spinner=False, hash_funcs=_HASH)
def npv_bridge(baseline: Scenario, scenario: Scenario) -> pd.DataFrame:
    """``cx_roi.npv_bridge`` of two scenarios (simulated through the cache above)."""
    return cx_roi.npv_bridge(simulate(baseline), simulate(scenario))


# ------------------------------------------------------------------ Risk and Optimise
def range_key(ranges: dict) -> RangeKey:
    """A cache key for a ``{name: cx_roi.Range}`` mapping."""
    return RangeKey((n, float(r.low), float(r.likely), float(r.high), bool(r.log)) for n, r in sorted(ranges.items()))


def _ranges(key: RangeKey) -> dict:
    return {n: cx_roi.Range(lo, likely, hi, log) for n, lo, likely, hi, log in key}


def heavy_risk(draws: int) -> bool:
    """Whether the Risk page's ensembles of ``draws`` wait in the heavy searches' queue (:func:`risk`)."""
    return draws > state.DEFAULT_DRAWS


# Ensembles are large (draws x months per kept column); a few positions are enough.
@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=_HASH)
def risk(scenario: Scenario, baseline: Scenario, draws: int, seed: int, ranges: RangeKey) -> dict:
    """Both ensembles (paired: same seed and draws) reduced to what the Risk page draws.

    Returns ``summary`` (cx_roi.risk.RiskSummary), ``paired`` (per-draw outcomes),
    and P10/P50/P90 bands of customers and cumulative contribution for both.
    Only the reductions are cached, not the ensembles' monthly arrays.
    """
    from cx_roi.risk import paired_outcomes, risk_summary

    theirs = _ranges(ranges)
    # The baseline's likely values are its own; the spread of each shared assumption is the user's.
    base_ranges = {n: cx_roi.Range(min(r.low, float(getattr(baseline, n))), float(getattr(baseline, n)),
                                   max(r.high, float(getattr(baseline, n))), r.log) for n, r in theirs.items()}
    def both(stop: Callable[[], bool] | None = None) -> tuple[cx_roi.Ensemble, cx_roi.Ensemble]:
        return (cx_roi.simulate_many(scenario, draws=draws, seed=seed, ranges=theirs),
                cx_roi.simulate_many(baseline, draws=draws, seed=seed, ranges=base_ranges))

    # Beyond the default draws a run holds hundreds of MB while it runs (about 140 MB at 10,000): in
    # the heavy searches' queue, one at a time per process, so twenty at once do not take gigabytes.
    ens, base = jobs.heavy(both) if heavy_risk(draws) else both()
    paired = paired_outcomes(ens, base)
    out = {"summary": risk_summary(paired), "paired": paired}
    for col in ("customers", "cumulative_contribution"):
        out[col] = ens.monthly_quantiles(col)
        out[f"baseline_{col}"] = base.monthly_quantiles(col)
    return out


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=_HASH)
def risk_summary(scenario: Scenario, baseline: Scenario, draws: int, seed: int, ranges: RangeKey):
    """Just the ``summary`` of :func:`risk`: what the cards need, without copying every draw out of the cache."""
    return risk(scenario, baseline, draws, seed, ranges)["summary"]


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=_HASH)
def risk_figures(scenario: Scenario, baseline: Scenario, draws: int, seed: int, ranges: RangeKey,
                 big: bool) -> dict:
    """The Risk page's fan charts and outcome histograms, built once per set of draws.

    The figures only ever change with the ensembles, so they are kept as built
    (a resource: the same objects for every rerun and session, never changed
    after this) rather than rebuilt from the cached ensembles on every rerun.
    Keys: ``customers``, ``cash``, ``npv`` and, when the scenario spends more
    than the baseline and differs from it in spend alone, ``roi``.
    """
    from . import decision_charts as dc

    r = risk(scenario, baseline, draws, seed, ranges)
    same, paired, spends_more = scenario == baseline, r["paired"], r["summary"].spends_more
    height = 420 if big else 340
    fan = dict(scenario_name="Scenario", baseline_name="Baseline", height=height, big=big)
    # The middle of the draws and the outcome at the likely values, which the page's text compares
    # (through kpis, as the page's caption reads it: one model run serves both).
    likely = kpis(scenario)["npv"]
    if same:  # the cards' figures, to the dollar
        middle, likely_shown, money = r["summary"].npv_p50, likely, fmt.money
    else:
        middle, likely_shown, money = r["summary"].delta_npv_p50, likely - kpis(baseline)["npv"], fmt.signed_money
    refs = [(middle, f"Middle of the draws: {money(middle)}", "dash"),
            (likely_shown, f"All at likely values: {money(likely_shown)}", "solid")]
    out = {
        "customers": dc.fan_chart(r["customers"], None if same else r["baseline_customers"],
                                  title="Customers: the likely range", axis_title="Customers", **fan),
        "cash": dc.fan_chart(r["cumulative_contribution"], None if same else r["baseline_cumulative_contribution"],
                             title="Contribution to date: likely range", axis_title="$ cumulative",
                             money_axis=True, **fan),
        "npv": (dc.outcome_histogram(paired["npv"].to_numpy(), title="NPV across the draws", axis_title="NPV",
                                     marker=None, height=height, big=big, references=refs) if same else
                dc.outcome_histogram(paired["delta_npv"].to_numpy(),
                                     title="NPV gain on the baseline, all draws",
                                     axis_title="NPV minus the baseline's", marker=0.0,
                                     marker_label="the baseline", height=height, big=big, references=refs)),
    }
    if spends_more:
        out["roi"] = dc.outcome_histogram(paired["roi"].to_numpy(), title="ROI of the extra spend, all draws",
                                          axis_title="ROI (NPV gained per $ of extra spend)", money_axis=False,
                                          percent_axis=True, marker=0.0,
                                          side_names=("Below 0%: loses money", "0% or more: money back"),
                                          height=height, big=big)
    return out


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=_HASH)
def tornado(scenario: Scenario, metric: str, baseline: Scenario | None, ranges: RangeKey) -> pd.DataFrame:
    """``cx_roi.tornado`` of ``metric`` (a KPI, or "roi"/"delta_npv" against ``baseline``)."""
    return cx_roi.tornado(scenario, metric=metric, baseline=baseline, ranges=_ranges(ranges))


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=_HASH)
def tornado_view(scenario: Scenario, metric: str, baseline: Scenario | None, ranges: RangeKey,
                 big: bool) -> tuple:
    """The tornado chart of :func:`tornado` and its top row (a dict), built once.

    A resource, as :func:`risk_figures`: the same objects on every rerun, never changed.
    """
    from . import decision_charts as dc

    table = tornado(scenario, metric, baseline, ranges)
    # Titles that fit a phone-wide chart on one line: a longer one wrapped at half a laptop's width.
    # The legend and the centre label say the rest (each end of a range; all others at likely values).
    label = "NPV" if metric == "npv" else "ROI"
    figure = dc.tornado(table, title=f"{label}, one assumption at a time",
                        axis_title="NPV" if metric == "npv" else "ROI against the baseline",
                        percent_axis=metric == "roi", big=big)
    return figure, table.iloc[0].to_dict()


class Flips(NamedTuple):
    """What could swap service and advertising on the margin (see :func:`flips`)."""

    sentence: str  # why there is no table, when there is none
    lever: str | None = None  # the better service lever; None when the comparison is not possible
    table: pd.DataFrame | None = None  # ``ui.tables.flip_table``
    # (label, signed relative change, solidity) of every assumption with a flip, nearest first
    nearest: tuple[tuple[str, float, str], ...] = ()
    leader: str = ""  # who leads at the likely values: the service lever's name in words, or "advertising"


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=_HASH)
def flips(scenario: Scenario, ranges: RangeKey) -> Flips:
    """Where service and advertising would swap places for the next dollar, for the Risk page.

    The next :data:`cx_roi.margins.PER` dollars a month on the better service lever and the same on
    advertising are compared (``cx_roi.break_even_table``): the margin the verdict weighs, in a step
    small enough to be one. A lever at its maximum has no next dollar; then only a sentence says so.
    """
    step = cx_roi.margins.PER
    nd = next_dollar(scenario, step)
    if limits_in_the_way(nd):
        return Flips(verdict(nd, step, scenario.horizon_months))
    service = [k for k in SERVICE_LEVERS if k not in nd.attrs.get("at_limit", ())]
    lever = max(service, key=lambda k: nd.loc[k, "delta_npv"])
    table = cx_roi.break_even_table(with_extra(scenario, lever, step), with_extra(scenario, AD_LEVER, step), top=5,
                                    ranges=_ranges(ranges))
    moves = table["change"].dropna()
    nearest = tuple((str(table.loc[i, "label"]), float(moves[i]), cx_roi.PARAMETERS[table.loc[i, "field"]].solidity)
                    for i in moves.abs().sort_values(kind="stable").index)
    leader = (LEVER_WORDS[lever] if nd.loc[lever, "delta_npv"] >= nd.loc[AD_LEVER, "delta_npv"] else "advertising")
    return Flips("", lever, tables.flip_table(table), nearest, leader)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_HASH)
def optimise(scenario: Scenario, totals: tuple[float, ...], levers: tuple[str, ...], objective: str,
             phases: str, bounds: tuple = ()) -> cx_roi.Allocation:
    """``cx_roi.optimize_budget`` (default draws and seed). ``bounds``: ((lever, (min, max)), ...).

    The cautious objective waits its turn and stops with its session (:func:`ui.jobs.heavy`).
    """
    total = totals[0] if len(totals) == 1 else list(totals)

    def run(stop: Callable[[], bool] | None) -> cx_roi.Allocation:
        return cx_roi.optimize_budget(scenario, total, levers=levers, objective=objective, phases=phases,
                                      bounds=dict(bounds) or None, stop=stop)

    return jobs.heavy(run) if objective == "p10_npv" else run(None)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=_HASH)
def objective_of(scenario: Scenario, objective: str) -> float:
    """``cx_roi.optimisation.objective_of`` (default draws and seed): today's split, as the optimiser measures."""
    return cx_roi.optimisation.objective_of(scenario, objective)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=_HASH)
def frontier(scenario: Scenario, totals: tuple[float, ...], levers: tuple[str, ...], objective: str,
             bounds: tuple = ()) -> pd.DataFrame:
    """``cx_roi.efficient_frontier`` over ``totals`` ($ per month), within ``bounds`` ((lever, (min, max)),
    ...): heavy (:func:`ui.jobs.heavy`)."""
    return jobs.heavy(lambda stop: cx_roi.efficient_frontier(scenario, list(totals), levers=levers, objective=objective,
                                                         bounds=dict(bounds) or None, stop=stop))


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=_HASH)
def min_budget(scenario: Scenario, target: float, metric: str, levers: tuple[str, ...],
               bounds: tuple = ()) -> cx_roi.MinBudget:
    """``cx_roi.min_budget_for``: the least monthly budget whose best split, within ``bounds``
    (((lever, (min, max)), ...), the page's limits per lever), reaches ``target``; heavy
    (:func:`ui.jobs.heavy`)."""
    return jobs.heavy(lambda stop: cx_roi.min_budget_for(scenario, target, metric=metric, levers=levers,
                                                         bounds=dict(bounds) or None, stop=stop))


# ------------------------------------------------------------------ Your data
# An uploaded history is company data: it is read and fitted once per session, in a cache of that
# session alone that Streamlit empties when the session ends (scope="session"). Another session
# never gets it from memory, nor learns from a quick answer that someone uploaded the same file.
# The bundled sample is nobody's data: it is fitted once per server.

def _is_sample(name: str, data: bytes) -> bool:
    return name == "sample_history.csv" and data == cx_roi.sample_history_file()


@st.cache_data(max_entries=4, show_spinner=False, scope="session")
def history(name: str, data: bytes, sheet: str | None) -> cx_roi.History:
    """``cx_roi.read_history`` of an uploaded file (already checked once by ``ui.uploads``, the customer
    balance included), cached for this session only."""
    # The customer balance was checked when the file was loaded, at the allowed gap chosen then; the
    # check changes nothing in what is read, so the file and its fit do not depend on the gap set now.
    return cx_roi.read_history(data, name, sheet=sheet, check_balance=False)


@st.cache_data(max_entries=2, show_spinner=False, scope="session")
def _own_fit(name: str, data: bytes, sheet: str | None) -> cx_roi.HistoryFit:
    return cx_roi.fit_history(history(name, data, sheet))


@st.cache_data(max_entries=1, show_spinner=False)
def _sample_fit() -> cx_roi.HistoryFit:
    return cx_roi.fit_history(cx_roi.read_history(cx_roi.sample_history_file(), "sample_history.csv"))


def fit_history(name: str, data: bytes, sheet: str | None) -> cx_roi.HistoryFit:
    """``cx_roi.fit_history`` of that file: about ten seconds for four years of months. Cached for
    this session only; the sample's fit for everyone."""
    if sheet is None and _is_sample(name, data):
        return _sample_fit()
    return _own_fit(name, data, sheet)


@st.cache_resource(show_spinner=False)
def team_library(url: str) -> Library:
    """The team scenario library at ``url``: one for the whole server, so every session shares its
    connection pool (a library that cannot be opened raises, and is not kept)."""
    return Library(url)
