"""Comparing scenarios against a baseline: KPI deltas, ROI and payback."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import checks, economics
from .errors import ScenarioError
from .parameters import ONE_OFF_FIELDS, PARAMETERS
from .presets import load_preset
from .scenario import Scenario
from .simulation import KPI_COLUMNS, SimulationResult, simulate_batch

if TYPE_CHECKING:
    from .uncertainty import Range

__all__ = ["compare", "named_scenarios", "next_dollar", "npv_bridge", "assess", "Assessment", "with_extra",
           "headroom", "at_limit", "limits_in_the_way", "beyond_spend", "no_return_reason", "why_undefined",
           "NOT_ONLY_SPEND", "NO_EXTRA_SPEND", "NO_PAYBACK",
           "SAME_AS_BASELINE", "LEVERS", "SERVICE_LEVERS", "AD_LEVER", "BRIDGE_STEPS", "DELTA_KPIS",
           "saved_name_problem", "SAVED_NAME_RULE", "SAVED_NAME_MAX", "NOT_IN_NAMES"]

DELTA_KPIS = ("npv", "final_customers", "avg_monthly_churn", "wom_share", "total_spend", "final_nps")

ScenarioSet = Mapping[str, Scenario] | Sequence[str | Scenario | tuple[str, Scenario]]


def name_problem(name: Any) -> str | None:
    """What stops ``name`` from naming a scenario in a table or report, or None if it can."""
    if not isinstance(name, str):
        return None  # shown as str(name), which has none of the characters below
    if not name.strip():
        return "a name needs at least one visible character"
    if checks.UNWRITABLE.search(name):
        return checks.UNWRITABLE_WORDS
    return None


SAVED_NAME_MAX = 40
"""Longest name a scenario is saved under (the dashboard, the team library), in characters."""

# A saved name travels in the dashboard's links, where , ~ | : separate things, and is shown in
# sentences and headings read as Markdown, where ` * [ ] < > \ would format (or link) instead of
# reading as written; control characters cannot go into a report file. The rule is Markdown itself
# (notices and help): the characters in a code span, whose double backticks let it hold a backtick.
# Invisible characters (zero-width spaces, bidi overrides that show text backwards) would let two
# names look alike, or one look like another: refused too.
SAVED_NAME_RULE = (f"1 to {SAVED_NAME_MAX} characters, without control characters, invisible characters or any "
                   "of `` , ~ | : ` * [ ] < > \\ ``")
"""What a saved scenario's name may be, in words (Markdown)."""
NOT_IN_NAMES = r",~|:`*\[\]<>\\\x00-\x1f\x7f"
"""The characters :data:`SAVED_NAME_RULE` refuses, as a regular expression character class's contents."""
_NAME = re.compile(rf"^[^{NOT_IN_NAMES}]{{1,{SAVED_NAME_MAX}}}$")


def saved_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot name a saved scenario (:data:`SAVED_NAME_RULE`), in words after "the name";
    None when it can."""
    if not isinstance(name, str):
        return f"must be text, not {type(name).__name__}"
    if not name.strip():
        return "is empty; type a name"
    if not _NAME.match(name) or any(unicodedata.category(ch)[0] == "C" for ch in name):  # control, format...
        return f"must be {SAVED_NAME_RULE}"
    return None


def named_scenarios(scenarios: ScenarioSet) -> dict[str, Scenario]:
    """Normalise the ways of naming scenarios into ``{name: Scenario}``.

    Accepts a mapping of names to scenarios, or a sequence whose items are
    preset names, ``(name, Scenario)`` pairs, or bare Scenarios (named
    "scenario 1", "scenario 2", ...).
    """
    if isinstance(scenarios, (str, bytes, Scenario)):
        raise TypeError(f"scenarios: got one {type(scenarios).__name__}; give a list, such as "
                        "['status-quo', 'service-boost'], or a mapping of names to Scenarios")
    if isinstance(scenarios, Mapping):
        items = list(scenarios.items())
    else:
        items = []
        for i, item in enumerate(scenarios, start=1):
            if isinstance(item, str):
                items.append((item, load_preset(item)))
            elif isinstance(item, Scenario):
                items.append((f"scenario {i}", item))
            elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Scenario):
                items.append((str(item[0]), item[1]))
            else:
                raise TypeError(f"cannot read scenario #{i}: {item!r}; give a preset name, "
                                "a Scenario or a (name, Scenario) pair")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenario names must be unique, got {names}")
    problems = [f"scenario name {n!r}: {why}" for n in names if (why := name_problem(n))]
    if problems:
        raise ScenarioError(problems)
    for name, s in items:
        if not isinstance(s, Scenario):
            raise TypeError(f"{name}: expected a Scenario, got {type(s).__name__}")
    return dict(items)


def compare(scenarios: ScenarioSet, baseline: str | None = None, draws: int | None = None,
            seed: int = 0, ranges: "Mapping[str, Range] | None" = None) -> pd.DataFrame:
    """KPIs of each scenario with deltas, ROI and payback against ``baseline``.

    One row per scenario (index: its name), the columns of
    ``cx_roi.KPI_COLUMNS`` (``payback_month`` is against the baseline: the
    first month from which cumulative incremental contribution stays at or
    above zero), plus ``delta_<kpi>`` for the main KPIs and ``roi`` =
    (NPV - NPV baseline) / PV of the extra spend (NaN where a scenario spends
    no more than the baseline, and for the baseline itself). ROI and payback
    are returns on spend, so they are NaN too where a scenario differs from
    the baseline in more than its spends (another market, product or
    assumption: see :func:`beyond_spend`); ``differs_beyond_spend`` counts
    those inputs (``attrs["beyond_spend"]`` names them, by scenario). They
    are NaN too for a scenario identical to the baseline
    (``same_as_baseline``: nothing to pay back); :func:`no_return_reason`
    puts either reason in words. ``baseline`` defaults to the first
    scenario. All scenarios need the same horizon.

    With ``draws`` (Monte Carlo, see :func:`cx_roi.simulate_many`), every
    scenario runs the same ``draws`` of the uncertain inputs (common random
    numbers, ``seed``; ``ranges`` overrides default ranges), adding
    ``npv_p10``, ``npv_p50``, ``npv_p90`` and ``prob_beats_baseline``: the
    share of paired draws in which the scenario's NPV exceeds the baseline's.
    """
    named = named_scenarios(scenarios)
    if not named:
        raise ScenarioError("compare() needs at least one scenario")
    names = list(named)
    baseline = names[0] if baseline is None else baseline
    if baseline not in named:
        raise ScenarioError(f"baseline {baseline!r} is not among the scenarios: {', '.join(names)}")
    if len({s.horizon_months for s in named.values()}) > 1:
        raise ScenarioError("horizon_months: scenarios are compared over one horizon; got " + ", ".join(
            f"{s.horizon_months} ({n!r})" for n, s in named.items()) + ". Set the same horizon_months on each")
    batch = simulate_batch(list(named.values()), columns=("contribution",))
    base = named[baseline]
    kpis = _kpi_table(batch.kpis, batch.monthly["contribution"], names, baseline,
                      [beyond_spend(s, base) for s in named.values()], [s == base for s in named.values()])
    if draws is not None:
        from .uncertainty import simulate_many

        npvs = {name: simulate_many(s, draws=draws, seed=seed, ranges=ranges, columns=()).kpis["npv"].to_numpy()
                for name, s in named.items()}
        for q in (10, 50, 90):
            kpis[f"npv_p{q}"] = [float(np.percentile(npvs[n], q)) for n in names]
        kpis["prob_beats_baseline"] = [float(np.mean(npvs[n] > npvs[baseline])) for n in names]
        kpis.loc[baseline, "prob_beats_baseline"] = np.nan
        kpis.attrs["draws"], kpis.attrs["seed"] = int(draws), int(seed)
    return kpis


def beyond_spend(scenario: Scenario, baseline: Scenario) -> tuple[str, ...]:
    """The inputs other than the three monthly spends (:data:`LEVERS`) and their one-off costs in
    which ``scenario`` differs from ``baseline``: field names, in the scenario's order.

    Empty when the two are the same business run with other spends: only then is
    the change in NPV what the extra spend returns, so only then are ROI and
    payback against the baseline defined. A different market, product or
    assumption changes NPV by itself, and dividing that by the spend gap would
    credit the spend with it.
    """
    spend = (*LEVERS, *ONE_OFF_FIELDS)
    return tuple(k for k in scenario.changed_fields(baseline) if k not in spend)


def _kpi_columns(batch_kpis: pd.DataFrame | Mapping[str, np.ndarray], contribution: np.ndarray,
                 b: int, differs: Sequence[int] | None = None,
                 same: Sequence[bool] | None = None) -> dict[str, np.ndarray]:
    """``compare``'s columns, as arrays, for a batch's KPI rows against row ``b``.

    ``differs``: per row, how many inputs other than spend differ from row ``b``
    (:func:`beyond_spend`); ``same``: per row, whether it is row ``b``'s scenario
    exactly. ROI and payback are NaN where either holds (no return on spend, or
    nothing to pay back). None: neither holds for any row but ``b`` (next-dollar
    variants, which differ in one spend only).
    """
    cols = {k: np.array(batch_kpis[k], dtype=float) for k in KPI_COLUMNS}
    n = len(cols["npv"])
    differs_arr = np.zeros(n, dtype=np.int64) if differs is None else np.asarray(differs, dtype=np.int64)
    same_arr = np.arange(n) == b if same is None else np.asarray(same, dtype=bool)
    same_arr[b] = True
    not_a_return = (differs_arr > 0) | same_arr
    roi = economics.roi(cols["npv"], cols["npv"][b], cols["pv_spend"] - cols["pv_spend"][b], cols["pv_spend"][b])
    cols["payback_month"] = np.where(not_a_return, np.nan, economics.payback_month(contribution - contribution[b]))
    cols["roi"] = np.where(not_a_return, np.nan, roi)
    for k in DELTA_KPIS:
        cols[f"delta_{k}"] = cols[k] - cols[k][b]
    cols["differs_beyond_spend"] = differs_arr
    cols["same_as_baseline"] = same_arr
    return cols


NOT_ONLY_SPEND = "other inputs differ"
SAME_AS_BASELINE = "same as baseline"
NO_EXTRA_SPEND = "no extra spend"
NO_PAYBACK = "not within horizon"


def no_return_reason(row: Mapping[str, Any]) -> str | None:
    """Why ROI and payback of a row of :func:`compare` are not a return on spend, in words for a
    reader: :data:`SAME_AS_BASELINE`, :data:`NOT_ONLY_SPEND`, or None when they are (or are NaN
    for a reason of their own: no extra spend, no payback within the horizon)."""
    if bool(row.get("same_as_baseline", False)):
        return SAME_AS_BASELINE
    if row.get("differs_beyond_spend", 0) > 0:
        return NOT_ONLY_SPEND
    return None


def why_undefined(row: Mapping[str, Any], col: str) -> str | None:
    """Why KPI ``col`` of a row of :func:`compare` is undefined (NaN), in words for a reader; None
    for a KPI with no reason of its own (shown as a dash). The one rule the dashboard's table and
    cards, the HTML report and the deck follow; the workbook writes the ROI and payback words as
    formulas and leaves an undefined paid CAC empty.

    ROI and payback: not a return on spend (:func:`no_return_reason`), else no extra spend or no
    payback within the horizon. Paid CAC: no advertising spend (blended CAC is then $0 exactly,
    with customers won) or no customers won by advertising.
    """
    if col in ("roi", "payback_month"):
        return no_return_reason(row) or (NO_EXTRA_SPEND if col == "roi" else NO_PAYBACK)
    if col == "cac_paid":
        return "no ad spend" if row.get("cac_blended") == 0 else "no ad wins"
    return None


def _kpi_table(batch_kpis: pd.DataFrame | Mapping[str, np.ndarray], contribution: np.ndarray,
               names: Sequence[str], baseline: str, beyond: Sequence[tuple[str, ...]],
               same: Sequence[bool]) -> pd.DataFrame:
    """``compare``'s table from a batch's KPI rows and monthly contribution (same order as ``names``).

    ``batch_kpis``: the batch's KPI table, or its columns as arrays. Built
    column by column in numpy and turned into a DataFrame once: the dashboard
    asks for this on every lever move, and per-cell pandas assignments would
    cost more than the arithmetic. ``beyond``: per row, :func:`beyond_spend` against
    the baseline (named in ``attrs["beyond_spend"]``); ``same``: see :func:`_kpi_columns`.
    """
    names = list(names)
    kpis = pd.DataFrame(_kpi_columns(batch_kpis, contribution, names.index(baseline), [len(f) for f in beyond],
                                     same), index=pd.Index(names, name="scenario"))
    kpis.attrs["baseline"] = baseline
    kpis.attrs["beyond_spend"] = {name: fields for name, fields in zip(names, beyond) if fields}
    return kpis


LEVERS: dict[str, str] = {
    "service_capacity_spend_per_month": "Service capacity (agents)",
    "service_quality_spend_per_month": "Service quality (training, tools)",
    "ad_spend_per_month": "Advertising",
}


MIN_EXTRA_PER_MONTH = 1.0
"""The smallest step :func:`next_dollar` weighs, $ per month: a smaller one is lost in the rounding of
the spends it is added to, and the scenario would be compared with itself."""


def next_dollar(scenario: Scenario, extra_per_month: float = 50_000.0) -> pd.DataFrame:
    """What ``extra_per_month`` more on each lever returns, against the scenario itself.

    One row per lever (index: the spend field), with ``label``, ``delta_npv``
    ($), ``roi`` (delta NPV / PV of the extra spend), ``payback_month``,
    ``delta_final_customers`` and ``delta_avg_monthly_churn``; sorted best
    first. Spend schedules get the extra in every month; at least :data:`MIN_EXTRA_PER_MONTH`. This is the
    product's core question asked of any scenario.
    """
    variants, full = _next_dollar_variants(scenario, extra_per_month)  # the scenario first, then one per lever
    batch = simulate_batch(list(variants.values()), columns=("contribution",))
    return _next_dollar_frame(_kpi_columns(batch.kpis, batch.monthly["contribution"], 0), list(variants)[1:],
                              extra_per_month, full)


def _next_dollar_variants(scenario: Scenario, extra_per_month: float) -> tuple[dict[str, Scenario], tuple[str, ...]]:
    """The scenario ("baseline") and one copy per lever with ``extra_per_month`` more on it; and the
    levers that could not take it (:func:`at_limit`)."""
    checks.scenario(scenario, "next_dollar")
    checks.amount("extra_per_month", extra_per_month, least=MIN_EXTRA_PER_MONTH)
    full = at_limit(scenario, extra_per_month)
    # A lever that cannot take the extra is run as the scenario itself (the batch keeps its
    # shape) and its row is then blanked by _next_dollar_frame.
    return {"baseline": scenario, **{lever: scenario if lever in full else with_extra(scenario, lever, extra_per_month)
                                     for lever in LEVERS}}, full


def headroom(scenario: Scenario, lever: str) -> float:
    """How much more ($ per month) spend field ``lever`` can take before its allowed maximum,
    in the month where it is highest."""
    value = getattr(scenario, lever)
    return PARAMETERS[lever].maximum - (max(value) if isinstance(value, tuple) else value)


def at_limit(scenario: Scenario, extra_per_month: float) -> tuple[str, ...]:
    """The levers of :data:`LEVERS` that ``extra_per_month`` more would take past their maximum."""
    return tuple(lever for lever in LEVERS if extra_per_month > headroom(scenario, lever))


# The two ways to spend on service, and the one on advertising: the sides of the next-dollar question.
SERVICE_LEVERS = ("service_capacity_spend_per_month", "service_quality_spend_per_month")
AD_LEVER = "ad_spend_per_month"


def limits_in_the_way(table: pd.DataFrame) -> tuple[str, ...]:
    """The levers at their maximum (``attrs["at_limit"]`` of a :func:`next_dollar` table) that stop it
    comparing service with advertising: advertising, or both service levers. Empty when it can."""
    full = tuple(table.attrs.get("at_limit", ()))
    if AD_LEVER in full or all(lever in full for lever in SERVICE_LEVERS):
        return full
    return ()


def with_extra(scenario: Scenario, lever: str, extra_per_month: float) -> Scenario:
    """``scenario`` with ``extra_per_month`` ($ per month) more on spend field ``lever``, every month
    of a schedule included. Raises :class:`ScenarioError` naming the lever and its maximum when
    that would exceed it (see :func:`at_limit`)."""
    if extra_per_month > headroom(scenario, lever):
        p = PARAMETERS[lever]
        raise ScenarioError(f"{lever}: {extra_per_month:,.0f} more a month would exceed its maximum of "
                            f"{p.maximum:,.0f} {p.unit}")
    value = getattr(scenario, lever)
    bumped = tuple(v + extra_per_month for v in value) if isinstance(value, tuple) else value + extra_per_month
    return scenario.replace(**{lever: bumped})


_NEXT_DOLLAR_COLUMNS = ("delta_npv", "roi", "payback_month", "delta_final_customers", "delta_avg_monthly_churn")


def _next_dollar_frame(cols: Mapping[str, np.ndarray], levers: Sequence[str], extra_per_month: float,
                       full: Sequence[str] = ()) -> pd.DataFrame:
    """The next-dollar table from ``_kpi_columns`` of [scenario, *levers] (row 0 the scenario), best first.

    Levers in ``full`` could not take the extra: their rows are NaN and sort last, and
    ``attrs["at_limit"]`` names them.
    """
    blank = np.array([lever in full for lever in levers])
    cols = {k: np.where(blank, np.nan, cols[k][1:]) for k in _NEXT_DOLLAR_COLUMNS}  # the levers' rows
    gains = cols["delta_npv"]
    order = np.argsort(np.where(np.isnan(gains), np.inf, -gains), kind="stable")
    out = pd.DataFrame({"label": [LEVERS[levers[i]] for i in order],
                        **{k: cols[k][order] for k in _NEXT_DOLLAR_COLUMNS}},
                       index=pd.Index([levers[i] for i in order], name="lever"))
    out.attrs["extra_per_month"] = float(extra_per_month)
    out.attrs["at_limit"] = tuple(lever for lever in levers if lever in full)
    return out


@dataclass(frozen=True)
class Assessment:
    """A scenario against its baseline, and where its next dollar does most (see :func:`assess`).

    ``kpis``: :func:`compare` of ``baseline`` and ``scenario`` (rows named so);
    ``scenario_result`` and ``baseline_result``: their monthly results and KPIs,
    as :func:`simulate` gives them; ``next_dollar``: :func:`next_dollar` of the
    scenario with ``extra_per_month`` ($ per month), or None when not asked for.
    """

    kpis: pd.DataFrame
    scenario_result: SimulationResult
    baseline_result: SimulationResult
    next_dollar: pd.DataFrame | None
    extra_per_month: float | None


def assess(scenario: Scenario, baseline: Scenario, extra_per_month: float | None = 50_000.0) -> Assessment:
    """Everything one view of a scenario needs, from a single batch run of five parameter sets.

    The same numbers as :func:`compare` ``({"baseline": baseline, "scenario":
    scenario})``, :func:`simulate` of each and :func:`next_dollar` ``(scenario,
    extra_per_month)``, which would take three batch runs; a batch of five costs
    about what a batch of one does. Both scenarios need the same horizon.
    ``extra_per_month=None`` leaves the next dollar out (``next_dollar`` is None):
    the batch holds the two scenarios alone, for a view that shows its figures
    before it weighs the next dollar.
    """
    checks.scenario(baseline, "assess", "baseline")
    if extra_per_month is None:
        checks.scenario(scenario, "assess")
        variants, full = {"baseline": scenario}, ()
    else:
        variants, full = _next_dollar_variants(scenario, extra_per_month)
    if baseline.horizon_months != scenario.horizon_months:
        raise ScenarioError(f"horizon_months: the baseline has {baseline.horizon_months} and the scenario "
                            f"{scenario.horizon_months}; assess() needs one horizon")
    runs = [baseline, *variants.values()]
    batch = simulate_batch(runs)
    contribution = batch.monthly["contribution"]
    arrays = {k: batch.kpis[k].to_numpy(dtype=float) for k in KPI_COLUMNS}  # read once, sliced below
    kpis = _kpi_table({k: v[:2] for k, v in arrays.items()}, contribution[:2], ["baseline", "scenario"],
                      "baseline", [(), beyond_spend(scenario, baseline)], [True, scenario == baseline])
    nd = None if extra_per_month is None else _next_dollar_frame(
        _kpi_columns({k: v[1:] for k, v in arrays.items()}, contribution[1:], 0), list(variants)[1:],
        extra_per_month, full)

    def result(i: int) -> SimulationResult:
        return SimulationResult(runs[i], batch.monthly_frame(i), {k: float(v[i]) for k, v in arrays.items()})

    return Assessment(kpis, result(1), result(0), nd, None if extra_per_month is None else float(extra_per_month))


BRIDGE_STEPS = ("retention", "word-of-mouth acquisition", "advertising acquisition", "spend", "other")


def npv_bridge(baseline: SimulationResult, scenario: SimulationResult) -> pd.DataFrame:
    """Split NPV(scenario) - NPV(baseline) into its causes, $ (a waterfall).

    The customer gap each month is split by cause: customers kept by a lower
    churn rate (retention), extra word-of-mouth wins and extra advertising
    wins, each then leaving at the baseline's churn rate. The discounted
    margin on each part is that cause's share; onboarding costs follow the
    wins that caused them, and the
    terminal value's change follows the same split of customers left at the
    end, with the change in value per customer (churn mix, cost to serve) in
    retention. ``spend`` is minus the change in discounted service and
    advertising spend. ``other`` holds what the causes cannot explain
    (different prices, margins or starting points) and is zero when those
    are equal. Rows sum exactly to the NPV difference.
    """
    for what, result in (("baseline", baseline), ("scenario", scenario)):
        if not isinstance(result, SimulationResult):
            raise TypeError(f"npv_bridge() takes two results of cx_roi.simulate(); {what} is a "
                            f"{type(result).__name__}")
    sa, sb = baseline.scenario, scenario.scenario
    if sa.horizon_months != sb.horizon_months:
        raise ScenarioError("npv_bridge needs two results with the same horizon_months")
    ma, mb = baseline.monthly, scenario.monthly
    d = mb["discount_factor"].to_numpy()
    unit_margin = sa.gross_margin * sa.arpu_per_month
    onboarding = sa.onboarding_cost_per_customer

    # Customer gap by cause. Each cause's extra customers then leave at the
    # baseline's churn rate, so the stocks add up to the customer gap exactly:
    # gap_t = gap_{t-1} (1 - c_a) + d ads + d wom - (c_b - c_a) N_b,start.
    def churn(s: Scenario, m: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Customers at the start of each month, and the share of them lost in it."""
        start = np.concatenate([[s.initial_customers], m["customers"].to_numpy()[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            return start, np.where(start > 0, m["churned"].to_numpy() / start, 0.0)

    _, churn_a = churn(sa, ma)
    start_b, churn_b = churn(sb, mb)
    wins = {"word-of-mouth acquisition": "new_from_wom", "advertising acquisition": "new_from_ads"}
    inflows = {"retention": -(churn_b - churn_a) * start_b,
               **{k: (mb[column] - ma[column]).to_numpy() for k, column in wins.items()}}
    stocks, level = np.empty((len(inflows), len(d))), np.zeros(len(inflows))
    for t, x in enumerate(np.array(list(inflows.values())).T):  # every cause's stock at once
        level = level * (1.0 - churn_a[t]) + x
        stocks[:, t] = level
    gaps = dict(zip(inflows, stocks))
    values = {k: unit_margin * float((g * d).sum()) for k, g in gaps.items()}
    for k in wins:  # onboarding follows the wins that caused it
        values[k] -= onboarding * float((inflows[k] * d).sum())

    tv_a, tv_b = baseline.kpis["terminal_value"], scenario.kpis["terminal_value"]
    final_a = baseline.kpis["final_customers"]
    tv_per_customer = tv_a / final_a if final_a > 0 else 0.0
    for k, g in gaps.items():
        values[k] += tv_per_customer * g[-1]
    values["retention"] += (tv_b - tv_a) - tv_per_customer * sum(g[-1] for g in gaps.values())

    spend_a = (ma["service_cost"] + ma["ad_cost"]).to_numpy()
    spend_b = (mb["service_cost"] + mb["ad_cost"]).to_numpy()
    values["spend"] = -float(((spend_b - spend_a) * d).sum())
    total = scenario.kpis["npv"] - baseline.kpis["npv"]
    values["other"] = total - sum(values[k] for k in BRIDGE_STEPS[:-1])
    out = pd.DataFrame({"step": list(BRIDGE_STEPS), "value": [values[k] for k in BRIDGE_STEPS]})
    out.attrs["total"] = total
    return out
