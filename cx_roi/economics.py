"""Economics block: discounting, NPV, CLV, payback, ROI, CAC.

Order of money within a month (see docs/methodology.md): every cash flow of
month t happens at the month's end and is discounted by (1 + r_m)^t with
r_m = (1 + r_annual)^(1/12) - 1. Customers on the books at the start of a
month must survive that month's churn to pay at its end; customers won
during the month pay at its end too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["monthly_rate", "discount_factors", "clv", "npv", "payback_month", "roi",
           "safe_ratio", "month_sum", "money"]

_MIN_TV_DENOMINATOR = 1.0 / 1200.0  # caps a customer's expected life at 100 years
# Up to this many draws, a sum over months is one cumulative sum rather than a loop of months.
_FEW_DRAWS = 64


def monthly_rate(annual_rate):
    """Monthly discount rate equivalent to ``annual_rate``: (1 + r)^(1/12) - 1."""
    return np.power(1.0 + np.asarray(annual_rate, float), 1.0 / 12.0) - 1.0


def discount_factors(annual_rate, months: int):
    """(1 + r_m)^-t for t = 1..months, shape (..., months)."""
    r_m = np.asarray(monthly_rate(annual_rate))[..., None]
    t = np.arange(1, months + 1)
    return np.power(1.0 + r_m, -t)


def monthly_pv(annual_rate: float, months: int) -> float:
    """Present value of $1 a month, paid at each month's end for ``months`` months, at ``annual_rate``
    ($): the sum of :func:`discount_factors`. What one more dollar a month costs over a horizon."""
    return float(discount_factors(annual_rate, months).sum())


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


def month_sum(monthly: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """Sum over months of a (months, draws) array, in the array's own unit (people, $), adding
    month after month (onto ``start``, shape (draws,), if given).

    ``sum`` may add pairwise or row by row depending on the array's shape and
    memory layout, so a draw's total could differ in the last bit between a batch
    of one and a batch of many; adding row after row gives every batch the same
    order, so a value's result never depends on the others in its batch. A cumulative sum adds
    in that same order; it is one call for a few draws (where the loop costs a call a month) but
    ten times slower than the loop for thousands.
    """
    if monthly.shape[-1] <= _FEW_DRAWS:
        rows = monthly if start is None else np.concatenate([start[None], monthly])
        return np.cumsum(rows, axis=0)[-1]
    total = monthly[0].copy() if start is None else start.copy()
    for row in (monthly[1:] if start is None else monthly):
        total += row
    return total


def money(p: Mapping[str, np.ndarray], discount: np.ndarray, capacity: np.ndarray, quality: np.ndarray,
          ads: np.ndarray, customers: np.ndarray, won: np.ndarray, final_customers: np.ndarray,
          final_churn: np.ndarray, avg_churn: np.ndarray, put: Callable[[str, object], None]) -> dict:
    """Money at each month's end (step 7 of docs/methodology.md) and the money KPIs, per draw.

    ``p``: per-draw parameters (field name -> (draws,), spends (draws, months), $ per month);
    ``discount``: (draws, months) factors; ``capacity``, ``quality``, ``ads``: spends month-major,
    (months, draws), $; ``customers``, ``won``: customers at each month's end and won in it,
    (months, draws), people; ``final_churn``, ``avg_churn``: the final mix's and the average
    monthly churn, shares. ``put(column, value)`` stores a monthly column (months, draws) if
    wanted. Returns npv, npv_operating, terminal_value, payback_month, clv, total_revenue,
    total_spend and pv_spend ($, payback in months).

    The levers' one-off costs are paid in month 1, as spend; the agents and the adstock were
    bought by the monthly spends alone.
    """
    margin = p["gross_margin"]
    revenue = p["arpu_per_month"] * customers
    onboarding = p["onboarding_cost_per_customer"] * won
    one_off = p["capacity_one_off_cost"] + p["quality_one_off_cost"] + p["ad_one_off_cost"]
    capacity_paid = _paid_in_month_1(capacity, p["capacity_one_off_cost"])
    quality_paid = _paid_in_month_1(quality, p["quality_one_off_cost"])
    ads_paid = _paid_in_month_1(ads, p["ad_one_off_cost"])
    by_month = margin * revenue - capacity_paid - quality_paid - ads_paid - onboarding
    put("revenue", revenue)
    put("onboarding_cost", onboarding)
    del onboarding
    put("capacity_cost", capacity_paid)
    put("quality_cost", quality_paid)
    put("service_cost", capacity_paid + quality_paid)
    put("ad_cost", ads_paid)
    put("contribution", by_month)
    total_revenue = month_sum(revenue)
    del revenue
    total_spend = month_sum(capacity + quality + ads) + one_off
    service_spend = month_sum(capacity + quality)  # recurring: the cost to serve in CLV
    customer_months = month_sum(customers)
    capacity, quality = capacity[-1], quality[-1]  # the last month's, for the terminal value

    contribution = by_month.T  # (draws, months), as everything below reads it
    discounted = contribution * discount
    put("cumulative_contribution", np.cumsum(contribution, axis=1).T)
    put("discount_factor", discount.T)
    put("discounted_contribution", discounted.T)

    r_m = monthly_rate(p["annual_discount_rate"])
    npv_operating = discounted.sum(axis=1)
    # Terminal value: the customers left, at the final mix's churn, paying the
    # gross margin while their service keeps costing what it cost in the last
    # month. Written without dividing by customers, which may be tiny.
    tv_denominator = np.maximum(final_churn + r_m, _MIN_TV_DENOMINATOR)
    final_net_margin = margin * p["arpu_per_month"] * final_customers - (capacity + quality)
    terminal = final_net_margin * (1.0 - final_churn) / tv_denominator * discount[:, -1]
    # Never below zero: a business whose customers no longer pay for their service can stop serving
    # them. Charged as a perpetuity, the service budget made the first few customers of an empty
    # business cost millions (NPV fell $3M when $1 a month of advertising won one).
    terminal = np.where(p["include_terminal_value"] > 0.5, np.maximum(terminal, 0.0), 0.0)
    cost_to_serve = safe_ratio(service_spend, customer_months)
    unit_margin = margin * p["arpu_per_month"] - cost_to_serve  # NaN without customers
    churn_for_clv = np.nan_to_num(avg_churn, nan=0.0)
    return {
        "npv": npv_operating + terminal,
        "npv_operating": npv_operating,
        "terminal_value": terminal,
        # Payback is a return on extra spend, so it needs a baseline (compare, risk): a run on its
        # own has none, and its own cash break-even read as "payback" would say month 1 for any
        # business that starts in profit.
        "payback_month": np.full(len(npv_operating), np.nan),
        "clv": safe_ratio(unit_margin * (1.0 - churn_for_clv), np.maximum(churn_for_clv + r_m, _MIN_TV_DENOMINATOR)),
        "total_revenue": total_revenue,
        "total_spend": total_spend,
        "pv_spend": ((p["service_capacity_spend_per_month"] + p["service_quality_spend_per_month"]
                      + p["ad_spend_per_month"]) * discount).sum(axis=1) + one_off * discount[:, 0],
    }


def _paid_in_month_1(spend: np.ndarray, one_off: np.ndarray) -> np.ndarray:
    """A (months, draws) spend schedule with a one-off cost per draw added to month 1 (a copy
    only when there is one)."""
    if not np.any(one_off):
        return spend
    paid = np.array(spend, dtype=float)
    paid[0] = paid[0] + one_off
    return paid
