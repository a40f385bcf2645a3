"""Paired outcomes of two Monte Carlo ensembles: the numbers behind "how likely does it pay?".

Both ensembles must come from :func:`cx_roi.simulate_many` with the same
``seed`` and ``draws``, so draw *i* of each saw the same values of every
shared assumption (common random numbers). Differences are then taken draw by
draw, which is what makes "the probability that the scenario beats the
baseline" a fair, low-noise comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import economics
from .comparison import beyond_spend
from .errors import ScenarioError
from .uncertainty import Ensemble

__all__ = ["paired_outcomes", "RiskSummary", "risk_summary"]


def paired_outcomes(scenario: Ensemble, baseline: Ensemble) -> pd.DataFrame:
    """Per draw: ``npv``, ``baseline_npv``, ``delta_npv`` ($), ``roi`` (ratio; NaN when the
    scenario spends no more than the baseline) and ``payback_month`` (first month from
    which the cumulative extra contribution stays at or above zero; NaN when not within
    the horizon). One row per draw. As in :func:`cx_roi.compare`, ROI and payback are
    returns on spend: NaN in every draw when the scenario is the baseline itself or
    differs from it in more than its spends (:func:`cx_roi.comparison.beyond_spend`)."""
    if scenario.draws != baseline.draws or scenario.seed != baseline.seed:
        raise ScenarioError("the two ensembles need the same draws and seed to be paired "
                            f"(got {scenario.draws:,} draws, seed {scenario.seed} and "
                            f"{baseline.draws:,} draws, seed {baseline.seed})")
    if scenario.scenario.horizon_months != baseline.scenario.horizon_months:
        raise ScenarioError("the two ensembles need the same horizon_months")
    npv, base_npv = scenario.kpis["npv"].to_numpy(), baseline.kpis["npv"].to_numpy()
    spend, base_spend = scenario.kpis["pv_spend"].to_numpy(), baseline.kpis["pv_spend"].to_numpy()
    roi = economics.roi(npv, base_npv, spend - base_spend, base_spend)
    payback = economics.payback_month(np.asarray(scenario.monthly["contribution"], float)
                                      - np.asarray(baseline.monthly["contribution"], float))
    if scenario.scenario == baseline.scenario or beyond_spend(scenario.scenario, baseline.scenario):
        roi, payback = np.full_like(roi, np.nan), np.full_like(payback, np.nan)
    return pd.DataFrame({"npv": npv, "baseline_npv": base_npv, "delta_npv": npv - base_npv, "roi": roi,
                         "payback_month": payback})


@dataclass(frozen=True)
class RiskSummary:
    """Headline risk figures of a scenario against its baseline, over paired draws."""

    draws: int
    prob_beats_baseline: float      # share of draws with delta_npv > 0
    prob_payback: float             # share of draws paying back within the horizon
    npv_p10: float                  # $
    npv_p50: float                  # $
    npv_p90: float                  # $
    delta_npv_p10: float            # $
    delta_npv_p50: float            # $
    delta_npv_p90: float            # $
    roi_p50: float                  # ratio; NaN when ROI is not defined (see paired_outcomes)
    spends_more: bool               # whether ROI and payback are meaningful: more spend, and spend alone differs


def risk_summary(paired: pd.DataFrame) -> RiskSummary:
    """Summarise :func:`paired_outcomes`."""
    n = len(paired)
    if n == 0:
        raise ScenarioError("no draws to summarise")
    npv = paired["npv"].quantile([0.1, 0.5, 0.9]).to_numpy()
    delta = paired["delta_npv"].quantile([0.1, 0.5, 0.9]).to_numpy()
    roi = paired["roi"].dropna()
    spends_more = len(roi) > 0
    return RiskSummary(
        draws=n,
        prob_beats_baseline=float((paired["delta_npv"] > 0).mean()),
        prob_payback=float(paired["payback_month"].notna().mean()) if spends_more else float("nan"),
        npv_p10=float(npv[0]), npv_p50=float(npv[1]), npv_p90=float(npv[2]),
        delta_npv_p10=float(delta[0]), delta_npv_p50=float(delta[1]), delta_npv_p90=float(delta[2]),
        roi_p50=float(roi.median()) if spends_more else float("nan"),
        spends_more=spends_more,
    )
