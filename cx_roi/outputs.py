"""What the model reports, in one table: every monthly column and KPI with its label, unit and format.

The cards, the comparison table, the reports (HTML, PowerPoint, Excel), the
command line and the Method page all read labels, units and number formats
from here, so an output reads the same wherever it is shown. A change column
of :func:`cx_roi.compare` (``delta_npv``) takes its facts from the output it
is a change of.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from . import formatting as fmt

__all__ = ["Output", "MONTHLY", "KPIS", "COMPARED", "WORKINGS", "HEADLINE", "output", "show", "show_change",
           "excel_format", "excel_value", "header", "MONTHLY_COLUMNS", "KPI_COLUMNS"]

Kind = Literal["money", "share", "ratio", "count", "score", "month", "rate", "factor", "decimal", "flag"]


@dataclass(frozen=True)
class Output:
    """One reported figure. ``kind`` decides how it is shown; ``digits``: decimals of a share's
    percentage; ``cents``: money to the cent (unit costs)."""

    label: str
    meaning: str
    unit: str
    kind: Kind
    digits: int = 1
    cents: bool = False


_o = Output  # short, for the tables below


MONTHLY: dict[str, Output] = {
    "customers": _o("Customers at month end", "customers at the end of the month (they pay for it)",
                    "customers", "count"),
    "new_from_ads": _o("Won by advertising", "customers won this month by advertising (Bass innovation)",
                       "customers", "count"),
    "new_from_wom": _o("Won by word of mouth", "customers won this month by word of mouth (Bass imitation)",
                       "customers", "count"),
    "churned": _o("Churned out", "customers lost this month", "customers", "count"),
    "promoters": _o("Promoters", "customers scoring 9-10 at the end of the month", "customers", "count"),
    "passives": _o("Passives", "customers scoring 7-8 at the end of the month", "customers", "count"),
    "detractors": _o("Detractors", "customers scoring 0-6 at the end of the month", "customers", "count"),
    "nps": _o("NPS, all customers", "net promoter score of every customer (the true one, which no survey sees)",
              "-100 to 100", "score"),
    "nps_measured": _o("NPS as surveyed", "net promoter score a post-contact survey reports (answered contacts only, "
                       "answers weighted by each band's response); none in a month nobody answers",
                       "-100 to 100", "score"),
    "measured_promoter_share": _o("Survey promoters", "share of the post-contact survey's answers scoring 9-10",
                                  "share", "share"),
    "measured_detractor_share": _o("Survey detractors", "share of the post-contact survey's answers scoring 0-6",
                                   "share", "share"),
    "prospects": _o("Prospects", "people in the market who can be won next month", "people", "count"),
    "deterred": _o("Deterred", "people put off by negative stories or who recently left, not reachable for now",
                   "people", "count"),
    "deterred_this_month": _o("Deterred this month", "prospects put off this month by negative stories",
                              "people", "count"),
    "lost_for_good": _o("Lost for good", "people lost to competitors for good so far (they left the deterred "
                        "pool elsewhere)", "people", "count"),
    "net_wom": _o("Net word of mouth", "customers won by word of mouth minus the prospects this month's negative "
                  "stories cost for good (deterred x share lost for good)", "people", "count"),
    "agents_paid": _o("Agents on payroll", "full-time agents on payroll", "FTE", "decimal"),
    "agents": _o("Agents answering", "agents answering at any open hour", "seats", "decimal"),
    "contacts": _o("Contacts", "contacts handled this month, repeats included", "contacts", "count"),
    "load_erlangs": _o("Offered load", "offered load", "Erlangs", "decimal"),
    "fcr": _o("First-contact resolution", "first-contact resolution", "share of contacts", "share"),
    "p_wait": _o("Chance of waiting", "probability a contact waits at all", "share", "share"),
    "service_level": _o("Service level", "share of contacts answered within the target (reported only: it drives "
                        "nothing)", "share", "share"),
    "waited_too_long": _o("Waited too long", "share of contacts answered after waiting longer than the caller "
                          "tolerates", "share", "share"),
    "asa_seconds": _o("Average wait", "average wait in queue over all contacts", "seconds", "decimal"),
    "abandon_rate": _o("Abandoned", "share of contacts that hang up before an answer", "share", "share"),
    "occupancy": _o("Occupancy", "share of agents' available time spent handling contacts", "share", "share"),
    "adstock": _o("Adstock", "advertising carry-over stock", "$", "money"),
    "ad_innovation": _o("Advertising pull", "share of the month's prospects won by advertising (Bass innovation, "
                        "competing risks)", "share per month", "rate"),
    "wom_rate": _o("Word-of-mouth pull", "share of the month's prospects won by word of mouth (Bass imitation, "
                   "competing risks)", "share per month", "rate"),
    "revenue": _o("Revenue", "revenue", "$", "money"),
    "capacity_cost": _o("Capacity spend", "service capacity spend (month 1 with the change's one-off cost)",
                        "$", "money"),
    "quality_cost": _o("Quality spend", "service quality spend (month 1 with the change's one-off cost)",
                       "$", "money"),
    "service_cost": _o("Service spend", "capacity plus quality spend", "$", "money"),
    "ad_cost": _o("Advertising spend", "advertising spend (month 1 with the change's one-off cost)", "$", "money"),
    "onboarding_cost": _o("Onboarding cost", "onboarding cost of new customers", "$", "money"),
    "contribution": _o("Contribution", "gross margin x revenue - service - advertising - onboarding", "$", "money"),
    "cumulative_contribution": _o("Cumulative contribution", "contribution summed from month 1", "$", "money"),
    "discount_factor": _o("Discount factor", "(1 + r_m)^-t", "", "factor"),
    "discounted_contribution": _o("Discounted contribution", "contribution x discount factor", "$", "money"),
}
"""Every column of a run's monthly table (``SimulationResult.monthly``), in order."""

KPIS: dict[str, Output] = {
    "npv": _o("NPV", "net present value of contribution, plus terminal value if included", "$", "money"),
    "npv_operating": _o("NPV of the horizon", "net present value of the horizon's contribution only", "$", "money"),
    "terminal_value": _o("Terminal value", "present value of customers left at the horizon: customers left x "
                         "what each is worth then (CLV's formula at the last month's churn and margin, not the "
                         "CLV figure, which uses average churn; never below 0)", "$", "money"),
    "payback_month": _o("Payback vs baseline", "first month from which cumulative contribution minus the "
                        "baseline's stays >= 0 (none if it never does within the horizon, or for a run on its own, "
                        "which has no baseline); the terminal value is not counted, so a change that pays after the "
                        "horizon has an ROI and no payback", "month", "month"),
    "clv": _o("CLV", "value of a customer: m (1 - c) / (c + r_m) with m = margin net of cost to serve and c = "
              "average monthly churn (none when there are no customers to value)", "$", "money"),
    "cac_paid": _o("Paid CAC", "advertising spend / customers won by advertising (none when none are won, or "
                   "with no advertising spend)", "$", "money", cents=True),
    "cac_blended": _o("Blended CAC", "advertising spend / all customers won (none when none are won)", "$", "money",
                      cents=True),
    "wom_share": _o("Growth from word of mouth", "share of new customers won by word of mouth", "share", "share"),
    "net_word_of_mouth": _o("Net word of mouth", "customers won by word of mouth minus prospects negative stories "
                            "cost for good, over the horizon (its sign is the sign service sets)", "people",
                            "count"),
    "final_customers": _o("Customers at the end", "customers at the end of the horizon", "customers", "count"),
    "avg_monthly_churn": _o("Monthly churn", "customers lost / customers at the start, summed over months",
                            "share", "share", digits=2),
    "total_new_customers": _o("Customers won", "customers won over the horizon", "customers", "count"),
    "final_nps": _o("NPS at the end, all customers", "NPS of every customer in the last month", "-100 to 100",
                    "score"),
    "final_nps_measured": _o("NPS at the end, as surveyed",
                             "post-contact survey NPS in the last month (none if nobody answered)", "-100 to 100",
                             "score"),
    "avg_service_level": _o("Service level (average)", "service level averaged over months", "share", "share"),
    "total_revenue": _o("Revenue", "revenue over the horizon", "$", "money"),
    "total_spend": _o("Spend on service and ads", "service and advertising spend over the horizon, one-off costs "
                      "included", "$", "money"),
    "pv_spend": _o("Spend, present value", "present value of service and advertising spend, one-off costs "
                   "included", "$", "money"),
}
"""Every KPI of a run (``SimulationResult.kpis``), in order."""

COMPARED: dict[str, Output] = {
    "roi": _o("ROI vs baseline", "(NPV - NPV of the baseline) / present value of the extra spend; NPV counts the "
              "terminal value of the customers at the horizon's end, which payback does not", "ratio", "ratio"),
    "npv_p10": _o("NPV, low (P10)", "NPV one draw in ten ends below", "$", "money"),
    "npv_p50": _o("NPV, middle (P50)", "median NPV over draws", "$", "money"),
    "npv_p90": _o("NPV, high (P90)", "NPV one draw in ten ends above", "$", "money"),
    "prob_beats_baseline": _o("Chance it beats the baseline", "share of paired draws with a higher NPV than the "
                              "baseline's", "share", "share", digits=0),
    "differs_beyond_spend": _o("Differs beyond spend", "how many inputs besides the three spends differ from the "
                               "baseline's (0: none; otherwise ROI and payback are not defined)", "inputs", "count"),
    "same_as_baseline": _o("Same as baseline", "true for the baseline and any scenario identical to it", "",
                           "flag"),
}
"""What :func:`cx_roi.compare` adds to the KPIs: against the baseline, and over draws."""

# The steps the Excel workbook shows between the monthly table and NPV, ROI and payback, each a
# formula there (so a reader can audit the arithmetic), not a figure the model returns.
WORKINGS: dict[str, Output] = {
    "monthly_discount_rate": _o("Monthly discount rate", "r_m = (1 + annual discount rate)^(1/12) - 1", "share",
                                "share", digits=4),
    "customer_value_at_horizon": _o("Value of a customer left", "what a customer left at the horizon is worth "
                                    "then (the model's CLV at the final churn, margin net of the last month's "
                                    "service cost per customer, never below 0; 0 where the terminal value is "
                                    "not included)", "$",
                                    "money", cents=True),
    "spend": _o("Spend on service and ads", "capacity plus quality plus advertising spend (month 1 with the "
                "change's one-off costs)", "$", "money"),
    "cumulative_extra_contribution": _o("Cumulative contribution vs baseline", "contribution minus the "
                                        "baseline's, summed from month 1", "$", "money"),
    "last_month_below_baseline": _o("Last month below baseline", "the latest month so far whose cumulative "
                                    "contribution vs baseline is below zero (0: none); payback is the month after "
                                    "the last one", "month", "month"),
}
"""What the workbook computes on the way to NPV, ROI and payback, in the order it shows them."""

_BY_NAME = {**WORKINGS, **MONTHLY, **COMPARED, **KPIS}  # every figure by name; KPIS wins a name also in another table

HEADLINE = ("npv", "delta_npv", "roi", "payback_month", "final_customers", "avg_monthly_churn", "final_nps",
            "wom_share", "cac_paid", "pv_spend")
"""The KPIs the compact tables show (HTML, PowerPoint, the command line's compare), in order. Spend at
present value, as ROI divides by it: ROI is the NPV change over the change in this row."""

MONTHLY_COLUMNS: dict[str, str] = {k: f"{o.meaning}, {o.unit}" if o.unit else o.meaning for k, o in MONTHLY.items()}
"""Monthly column -> its meaning and unit, in words."""

KPI_COLUMNS: dict[str, str] = {k: f"{o.meaning}, {o.unit}" if o.unit else o.meaning for k, o in KPIS.items()}
"""KPI -> its meaning and unit, in words."""


def output(name: str) -> Output:
    """The facts of a monthly column, a KPI, or a column of :func:`cx_roi.compare` (``delta_<kpi>``: a
    change of that KPI, shown with its sign). KeyError for a name that is none of these."""
    if name.startswith("delta_"):
        of = output(name[len("delta_"):])
        return Output(f"{of.label}, change", f"change against the baseline in: {of.meaning}",
                      "percentage points" if of.kind == "share" else of.unit, of.kind, of.digits, of.cents)
    return _BY_NAME[name]


def show(name: str, value: Any, missing: str = fmt.MISSING) -> str:
    """``value`` of output ``name`` as the dashboard shows it: "$1.2M", "4.66%", "Month 12"."""
    o = output(name)
    if name.startswith("delta_"):
        return show_change(name[len("delta_"):], value, missing)
    if not fmt.is_number(value):
        return missing
    v = float(value)
    return {
        "money": lambda: fmt.money(v, cents=o.cents),
        "share": lambda: fmt.percent(v, o.digits),
        "ratio": lambda: fmt.percent(v, 0),
        "count": lambda: fmt.count(v),
        "score": lambda: f"{v:.1f}",
        "month": lambda: fmt.month(v).capitalize(),
        "rate": lambda: fmt.percent(v, 3),
        "factor": lambda: f"{v:.4f}",
        "decimal": lambda: f"{v:,.1f}",
        "flag": lambda: "yes" if v else "no",
    }[o.kind]()


def show_change(name: str, value: Any, missing: str = fmt.MISSING) -> str:
    """A change in output ``name``, with its sign: "+$1.2M", "-0.11 pp", "+6,775"."""
    o = output(name)
    if not fmt.is_number(value):
        return missing
    v = float(value)
    if o.kind == "money":
        return fmt.signed_money(v, cents=o.cents)
    if o.kind in ("share", "rate"):
        return fmt.signed_points(v, o.digits)
    if o.kind == "count":
        return fmt.signed_count(v)
    return f"{v:+,.1f}"


_EXCEL = {"share": None, "ratio": "#,##0%", "count": "#,##0", "score": "0.0", "month": "0", "rate": "0.000%",
          "factor": "0.0000", "decimal": "#,##0.0", "flag": "General"}


def excel_format(name: str) -> str:
    """Output ``name``'s Excel number format, as many digits as the dashboard shows; a change column's
    format carries its sign."""
    o = output(name)
    if o.kind == "money":
        plain = '"$"#,##0.00' if o.cents else '"$"#,##0'
    elif o.kind == "share":
        plain = "0%" if o.digits == 0 else f"0.{'0' * o.digits}%"
    else:
        plain = _EXCEL[o.kind]
    if not name.startswith("delta_"):
        return plain if o.kind != "money" or o.cents else '"$"#,##0;-"$"#,##0'
    if o.kind == "money":
        return f'+{plain};-{plain};"$"0'
    if o.kind in _POINTS:  # in percentage points (excel_value), to the digits shown on screen
        points = f'0.{"0" * o.digits}" pp"' if o.digits else '0" pp"'
        return f"+{points};-{points};{points}"
    return f"+{plain};-{plain};{plain}"


_POINTS = ("share", "rate")  # kinds whose change is shown in percentage points


def excel_value(name: str, value: Any) -> Any:
    """What a spreadsheet cell of output ``name`` holds: ``value``, except that a change in a share
    is held in percentage points (x 100), as its header says and :func:`excel_format` shows it;
    Excel's "%" would show -0.03 points as "-0.03%", a relative change to most readers."""
    if name.startswith("delta_") and output(name).kind in _POINTS and fmt.is_number(value):
        return float(value) * 100.0
    return value


def header(name: str) -> str:
    """A spreadsheet column header: the label with its unit, "NPV ($)"; no unit the label already
    says ("Contacts", not "Contacts (contacts)") and none for a flag or a factor."""
    o = output(name)
    return f"{o.label} ({o.unit})" if o.unit and o.unit.lower() not in o.label.lower() else o.label
