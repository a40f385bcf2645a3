"""Economics block: discounting, NPV, CLV, payback, ROI, CAC.

Order of money within a month (see docs/methodology.md): every cash flow of
month t happens at the month's end and is discounted by (1 + r_m)^t with
r_m = (1 + r_annual)^(1/12) - 1. Customers on the books at the start of a
month must survive that month's churn to pay at its end; customers won
during the month pay at its end too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["monthly_rate", "discount_factors", "clv", "npv", "payback_month", "roi",
           "safe_ratio"]


def monthly_rate(annual_rate):
    """Monthly discount rate equivalent to ``annual_rate``: (1 + r)^(1/12) - 1."""
    return np.power(1.0 + np.asarray(annual_rate, float), 1.0 / 12.0) - 1.0


def discount_factors(annual_rate, months: int):
    """(1 + r_m)^-t for t = 1..months, shape (..., months)."""
    r_m = np.asarray(monthly_rate(annual_rate))[..., None]
    t = np.arange(1, months + 1)
    return np.power(1.0 + r_m, -t)


def clv(margin_per_month, churn_per_month, monthly_discount):
    """Value of a customer on the books at a month boundary, $.

    m (1 - c) / (c + r_m): the customer must survive each month to pay at its
    end (Gupta and Lehmann's form). ``margin_per_month`` m in $ per
    customer-month, ``churn_per_month`` c, ``monthly_discount`` r_m.
    Infinite only when c = r_m = 0; then 0 is not meaningful and inf is kept.
    """
    m = np.asarray(margin_per_month, float)
    c = np.asarray(churn_per_month, float)
    r = np.asarray(monthly_discount, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c + r > 0, m * (1.0 - c) / (c + r), np.inf)


def npv(cash_flows, annual_rate):
    """Net present value of month-end cash flows (..., months), $."""
    cash_flows = np.asarray(cash_flows, float)
    return (cash_flows * discount_factors(annual_rate, cash_flows.shape[-1])).sum(axis=-1)


def payback_month(incremental_cash_flows):
    """First month (1-based) from which cumulative cash stays at or above zero.

    Returns an array of floats with NaN where cumulative cash ends below zero
    (no payback within the horizon). Month 1 when it never dips below zero.
    """
    cum = np.cumsum(np.asarray(incremental_cash_flows, float), axis=-1)
    months = cum.shape[-1]
    below = cum < -1e-9 * np.maximum(1.0, np.abs(cum).max(axis=-1, keepdims=True))
    # last month below zero, +1; reversed argmax finds it without a Python loop
    any_below = below.any(axis=-1)
    last_below = months - 1 - np.argmax(below[..., ::-1], axis=-1)
    out = np.where(any_below, last_below + 2.0, 1.0)
    return np.where(out > months, np.nan, out)


def roi(npv_scenario, npv_baseline, pv_extra_spend, pv_spend_baseline=0.0):
    """(NPV - NPV baseline) / PV of the extra spend ($ per $); NaN when no extra is spent.

    ``pv_spend_baseline`` ($, present value of the baseline's whole spend) sets what
    counts as no extra spend: less than a billionth of it is rounding in the sums
    of two spend plans, not money, and dividing by it would give a huge ROI.
    """
    gain = np.asarray(npv_scenario, float) - np.asarray(npv_baseline, float)
    spend = np.asarray(pv_extra_spend, float)
    threshold = 1e-9 * np.maximum(1.0, np.abs(np.asarray(pv_spend_baseline, float)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spend > threshold, gain / spend, np.nan)


def safe_ratio(numerator, denominator):
    """numerator / denominator, NaN where that is undefined (an undefined KPI).

    Undefined: a zero denominator, or one so small that the ratio overflows
    (e.g. a cost per customer when a fraction of a customer is left).
    """
    num = np.asarray(numerator, float)
    den = np.asarray(denominator, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = num / den
    return np.where((den > 0) & np.isfinite(ratio), ratio, np.nan)
