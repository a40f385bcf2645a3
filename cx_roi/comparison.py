"""Comparing scenarios against a baseline: KPI deltas, ROI and payback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import economics
from .errors import ScenarioError
from .presets import PRESETS, load_preset
from .scenario import Scenario
from .simulation import simulate_batch

__all__ = ["compare", "named_scenarios", "DELTA_KPIS"]

DELTA_KPIS = ("npv", "final_customers", "avg_monthly_churn", "wom_share", "total_spend", "final_nps")

ScenarioSet = Mapping[str, Scenario] | Sequence[str | Scenario | tuple[str, Scenario]]


def named_scenarios(scenarios: ScenarioSet) -> dict[str, Scenario]:
    """Normalise the ways of naming scenarios into ``{name: Scenario}``.

    Accepts a mapping of names to scenarios, or a sequence whose items are
    preset names, ``(name, Scenario)`` pairs, or bare Scenarios (named
    "scenario 1", "scenario 2", ...).
    """
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
    for name, s in items:
        if not isinstance(s, Scenario):
            raise TypeError(f"{name}: expected a Scenario, got {type(s).__name__}")
    return dict(items)


def compare(scenarios: ScenarioSet, baseline: str | None = None) -> pd.DataFrame:
    """KPIs of each scenario with deltas, ROI and payback against ``baseline``.

    One row per scenario (index: its name), the columns of
    ``cx_roi.KPI_COLUMNS`` (``payback_month`` is against the baseline: the
    first month from which cumulative incremental contribution stays at or
    above zero), plus ``delta_<kpi>`` for the main KPIs and ``roi`` =
    (NPV - NPV baseline) / PV of the extra spend (NaN where a scenario spends
    no more than the baseline, and for the baseline itself). ``baseline``
    defaults to the first scenario. All scenarios need the same horizon.
    """
    named = named_scenarios(scenarios)
    if not named:
        raise ScenarioError("compare() needs at least one scenario")
    names = list(named)
    baseline = names[0] if baseline is None else baseline
    if baseline not in named:
        raise ScenarioError(f"baseline {baseline!r} is not among the scenarios: {', '.join(names)}")
    batch = simulate_batch(list(named.values()), columns=("contribution",))
    kpis = batch.kpis.copy()
    kpis.index = pd.Index(names, name="scenario")
    b = names.index(baseline)
    contribution = batch.monthly["contribution"]
    incremental = contribution - contribution[b]
    kpis["payback_month"] = economics.payback_month(incremental)
    kpis.loc[baseline, "payback_month"] = np.nan
    kpis["roi"] = economics.roi(kpis["npv"], kpis.loc[baseline, "npv"],
                                kpis["pv_spend"] - kpis.loc[baseline, "pv_spend"])
    kpis.loc[baseline, "roi"] = np.nan
    for k in DELTA_KPIS:
        kpis[f"delta_{k}"] = kpis[k] - kpis.loc[baseline, k]
    kpis.attrs["baseline"] = baseline
    return kpis


def preset_titles() -> dict[str, str]:
    return {name: p.title for name, p in PRESETS.items()}


LEVERS: dict[str, str] = {
    "service_capacity_spend_per_month": "Service capacity (agents)",
    "service_quality_spend_per_month": "Service quality (training, tools)",
    "ad_spend_per_month": "Advertising",
}


def next_dollar(scenario: Scenario, extra_per_month: float = 50_000.0) -> pd.DataFrame:
    """What ``extra_per_month`` more on each lever returns, against the scenario itself.

    One row per lever (index: the spend field), with ``label``, ``delta_npv``
    ($), ``roi`` (delta NPV / PV of the extra spend), ``payback_month``,
    ``delta_final_customers`` and ``delta_avg_monthly_churn``; sorted best
    first. Spend schedules get the extra in every month. This is the
    product's core question asked of any scenario.
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"next_dollar() takes a Scenario, got {type(scenario).__name__}")
    if not np.isfinite(extra_per_month) or extra_per_month <= 0:
        raise ScenarioError(f"extra_per_month: got {extra_per_month!r}; expected a positive amount in $ per month")
    variants = {"baseline": scenario}
    for lever in LEVERS:
        value = getattr(scenario, lever)
        bumped = tuple(v + extra_per_month for v in value) if isinstance(value, tuple) else value + extra_per_month
        variants[lever] = scenario.replace(**{lever: bumped})
    table = compare(variants, baseline="baseline").drop(index="baseline")
    out = pd.DataFrame({
        "label": [LEVERS[k] for k in table.index],
        "delta_npv": table["delta_npv"],
        "roi": table["roi"],
        "payback_month": table["payback_month"],
        "delta_final_customers": table["delta_final_customers"],
        "delta_avg_monthly_churn": table["delta_avg_monthly_churn"],
    }, index=pd.Index(list(table.index), name="lever"))
    out.attrs["extra_per_month"] = float(extra_per_month)
    return out.sort_values("delta_npv", ascending=False)
