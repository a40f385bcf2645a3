"""Hypothesis strategies that span the whole valid parameter space of a Scenario."""

from __future__ import annotations

import math

from hypothesis import strategies as st

import cx_roi
from cx_roi.parameters import PARAMETERS


def _value(name: str):
    spec = PARAMETERS[name]
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "int":
        return st.integers(int(spec.minimum), int(spec.maximum))
    lo, hi = float(spec.minimum), float(spec.maximum)
    plain = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if hi / max(lo, 1e-12) > 1e4:
        # Wide ranges (money, people): sample orders of magnitude evenly too,
        # or almost every draw would sit near the top of the range.
        log_lo = math.log10(max(lo, 1e-3))
        logs = st.floats(log_lo, math.log10(hi)).map(lambda e: min(hi, max(lo, 10.0 ** e)))
        return st.one_of(plain, logs, st.just(lo))
    return plain


@st.composite
def scenarios(draw, horizon: int | None = None, max_horizon: int = 120) -> cx_roi.Scenario:
    """Any valid Scenario (cross-field rules respected), optionally with a fixed horizon."""
    values = {}
    for name in PARAMETERS:
        values[name] = draw(_value(name))
    values["horizon_months"] = horizon if horizon is not None else draw(st.integers(12, max_horizon))
    lo, hi = sorted((values["fcr_floor"], values["fcr_ceiling"]))
    values["fcr_floor"], values["fcr_ceiling"] = lo, hi
    for prefix in ("fast", "slow", "bad", "initial"):
        p = values[f"{prefix}_promoter_share"]
        values[f"{prefix}_detractor_share"] = draw(st.floats(0.0, 1.0)) * (1.0 - p)
    for level in ("weak", "outstanding"):
        p = values[f"product_promoters_{level}"]
        values[f"product_detractors_{level}"] = draw(st.floats(0.0, 1.0)) * (1.0 - p)
    values["initial_customers"] = draw(st.floats(0.0, 1.0)) * values["market_size"]
    # A spend schedule now and then, to cover month-varying budgets.
    if draw(st.booleans()):
        values["ad_spend_per_month"] = tuple(
            draw(st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=24)))
    return cx_roi.Scenario(**values)
