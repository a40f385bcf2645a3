"""What a monthly history is: its columns (:data:`COLUMNS`, with units and allowed ranges), the
limits of what is read, the problems a file can have, and the checked :class:`History`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import CxRoiError
from ..formatting import number, quoted
from ..parameters import PARAMETERS

MAX_BYTES = 5 * 1024 * 1024
"""Largest file read, bytes (the dashboard's upload limit is the same 5 MB)."""
MAX_MONTHS = 1_200
"""Most data rows read: a century of months is more than any real history."""
MIN_MONTHS = 6
"""Fewest months accepted: fewer cannot show a trend (fitting needs more: :data:`MIN_MONTHS_TO_FIT`)."""
MIN_MONTHS_TO_FIT = 18
"""Fewest months ``cx_roi.calibrate.fit_history`` accepts: 12 to fit on, 6 to check the forecast against.
Kept here, beside :data:`MIN_MONTHS`, so a file too short to read can say what fitting needs."""
BALANCE_TOLERANCE = 0.03
"""Allowed gap between customers[t] and customers[t-1] + new - churned, as a share of customers[t-1]
(the default of ``read_history(balance_tolerance=...)``; why 3%: docs/methodology.md, "Your data")..."""
BALANCE_MIN_CUSTOMERS = 5.0
"""... or this many customers, whichever is larger (rounding in small companies)."""
BALANCE_TOLERANCE_MAX = 0.20
"""Largest allowed gap, share of customers[t-1]: a fifth of the customers unaccounted for in one month
is no longer two systems counting slightly differently but columns that measure different things."""

MAX_ROWS_ABOVE = 20  # title or comment rows looked through for the header
_MAX_MESSAGE_LINES = 40
TOO_MANY = f"the file has more than {MAX_MONTHS:,} months (rows); a monthly history is at most a century"


# ------------------------------------------------------------------ columns

_NOUNS = {"count": "a count", "money": "an amount spent or earned", "minutes": "a duration", "share": "a share"}


@dataclass(frozen=True)
class Column:
    """One column of a history file: its canonical name, unit, meaning, accepted synonyms and the
    range a value must be in (``low`` to ``high``, in ``unit``). ``over`` says what a value outside
    that range is, in messages ("outside low to high" unless given)."""

    name: str
    unit: str
    required: bool
    description: str
    kind: Literal["month", "count", "money", "minutes", "score", "share"]
    aliases: tuple[str, ...] = ()
    low: float = 0.0
    high: float = math.inf
    over: str = ""

    def problem(self, value: float) -> str | None:
        """What is wrong with a finite ``value`` (in ``unit``) in this column; None when it is allowed."""
        if self.low <= value <= self.high:
            return None
        if value < 0 <= self.low:
            return f"{number(value)} is negative; {_NOUNS[self.kind]} cannot be"
        return f"{number(value)} is {self.over or f'outside {number(self.low)} to {number(self.high)}'}"


def _spend_limit(field: str) -> dict[str, Any]:
    """The most of a spend the model runs on a month: a history above it could never be planned from."""
    most = PARAMETERS[field].maximum
    return {"high": most, "over": f"above the ${most:,.0f} a month the model can run"}


_SHARE = {"high": 1.0, "over": "outside 0 to 1; write 0.45 or 45% (or percentages 0-100 in every row)"}

COLUMNS: dict[str, Column] = {c.name: c for c in (
    Column("month", "YYYY-MM, a date, or 1..N", True,
           "The month the row describes: YYYY-MM (2024-01), any date in that month, or a month "
           "number counting from 1. Dates such as 05/03/2024 are read day first or month first only "
           "when a date in the column shows which (31/01/2024).", "month",
           ("date", "period", "month_start", "yyyy_mm", "month_number")),
    Column("customers", "customers", True, "Customers at the end of the month.", "count",
           ("customers_end", "active_customers", "total_customers", "customer_count", "subscribers",
            "active_subscribers", "customers_at_end"), high=1e10),
    Column("new_customers", "customers per month", True, "Customers won during the month.", "count",
           ("new", "new_subscribers", "acquired", "acquisitions", "gross_adds", "customers_won", "adds"), high=1e10),
    Column("churned_customers", "customers per month", True, "Customers lost during the month.", "count",
           ("churned", "churn", "lost", "lost_customers", "cancellations", "cancelled", "customers_lost"), high=1e10),
    Column("ad_spend", "$ per month", True, "Paid advertising spend in the month.", "money",
           ("advertising", "advertising_spend", "ad_spend_per_month", "marketing_spend", "media_spend",
            "ads", "ad_cost", "advertising_cost"), **_spend_limit("ad_spend_per_month")),
    Column("service_spend", "$ per month", True,
           "All customer-service cost in the month: agents' fully loaded cost, tools, training.", "money",
           ("service_cost", "support_spend", "support_cost", "customer_service_spend", "cx_spend",
            "service_spend_per_month", "customer_service_cost"), **_spend_limit("service_capacity_spend_per_month")),
    Column("contacts", "contacts per month", False,
           "Contacts handled in the month (calls, chats, e-mails), repeats included.", "count",
           ("contacts_handled", "tickets", "calls", "contact_volume", "interactions"), high=1e10),
    Column("aht_minutes", "minutes per contact", False,
           "Average handle time: talk plus after-contact work per contact.", "minutes",
           ("aht", "aht_min", "average_handle_time", "handle_time", "handle_time_minutes"), low=0.01, high=600.0,
           over="not a plausible handle time (0.01 to 600 minutes)"),
    Column("agents", "FTE", False, "Full-time-equivalent service agents on payroll.", "count",
           ("fte", "agents_fte", "agent_fte", "headcount", "agent_headcount", "service_agents"), high=1e10),
    Column("nps", "-100 to 100", False, "Net promoter score from your survey.", "score",
           ("net_promoter_score", "nps_score"), low=-100.0, high=100.0),
    Column("promoter_share", "share 0-1", False, "Share of survey answers scoring 9-10.", "share",
           ("promoters", "promoters_share", "pct_promoters", "promoter_pct", "share_promoters"), **_SHARE),
    Column("detractor_share", "share 0-1", False, "Share of survey answers scoring 0-6.", "share",
           ("detractors", "detractors_share", "pct_detractors", "detractor_pct", "share_detractors"), **_SHARE),
    Column("arpu", "$ per customer-month", False, "Average revenue per customer in the month.", "money",
           ("arpu_per_month", "revenue_per_customer", "average_revenue_per_user", "avg_revenue_per_customer"),
           high=1e12),
)}

REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS.values() if c.required)

# Other spellings that need a conversion rather than a rename.
SECONDS_ALIASES = ("aht_seconds", "aht_sec", "aht_s", "handle_time_seconds", "average_handle_time_seconds")
ALIASES: dict[str, str] = {a: c.name for c in COLUMNS.values() for a in (c.name, *c.aliases)}


# ------------------------------------------------------------------- errors

@dataclass(frozen=True)
class HistoryProblem:
    """One problem in a history file. ``row`` is the row number the user sees in the file
    (spreadsheet row or text line, header included); ``column`` the column as named there."""

    message: str
    row: int | None = None
    column: str | None = None
    gap: float | None = None
    """For a month whose customers do not add up: customers[t] - (customers[t-1] + new - churned), as a
    share of customers[t-1] (signed; see :func:`balance_gaps`). None for every other problem."""

    def __str__(self) -> str:
        where = [f"{what} {at}" for what, at in (("row", self.row), ("column", self.column)) if at is not None]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class HistoryError(CxRoiError, ValueError):
    """A history file cannot be used.

    ``problems`` lists one readable line per problem (all of them, not just the
    first); ``details`` holds the same as :class:`HistoryProblem` objects with
    the row and column apart; ``sheets`` lists a workbook's sheets when the
    problem is which sheet to read (of several with data: those that look like a
    history first). ``str(err)`` is ready to show a user.
    """

    def __init__(self, problems: Sequence[HistoryProblem | str] | str, *, source: str | None = None,
                 sheets: Sequence[str] | None = None):
        self.details: list[HistoryProblem] = [p if isinstance(p, HistoryProblem) else HistoryProblem(str(p))
                                              for p in ([problems] if isinstance(problems, str) else problems)]
        self.problems: list[str] = [str(p) for p in self.details]
        self.source = source
        self.sheets = list(sheets) if sheets is not None else None
        n = len(self.problems)
        head = f"Cannot use this history{f' ({source})' if source else ''}: {n} problem{'s' * (n != 1)}"
        shown = self.problems[:_MAX_MESSAGE_LINES]
        tail = [f"... and {n - len(shown)} more (all are in .problems)"] if n > len(shown) else []
        super().__init__("\n".join([head, *(f"- {p}" for p in [*shown, *tail]), *self._balance_hint()]))

    @property
    def balance_gap(self) -> float | None:
        """The largest gap of the months whose customers do not add up, as a share of the month
        before's customers (unsigned); None when the customer balance is not among the problems.
        ``read_history(balance_tolerance=...)`` of at least this share accepts those months."""
        gaps = [abs(p.gap) for p in self.details if p.gap is not None]
        return max(gaps) if gaps else None

    def _balance_hint(self) -> list[str]:
        """What a caller of ``read_history`` can do about months that do not add up (the rows say what is off)."""
        gap = self.balance_gap
        if gap is None:
            return []
        n = sum(p.gap is not None for p in self.details)
        fix = (f"read_history(..., balance_tolerance={tolerance_for(gap)}) accepts them (the allowed gap is a share "
               f"from 0 to {BALANCE_TOLERANCE_MAX})" if gap <= BALANCE_TOLERANCE_MAX else
               f"note that this is more than the largest balance_tolerance ({BALANCE_TOLERANCE_MAX}): check those rows")
        return [f"Customers do not add up in {n_months(n)}, by up to {share_text(gap)} of the month before's "
                f"customers. If the counts come from systems that do not quite agree, {fix}; check_balance=False "
                "skips the check."]


# ------------------------------------------------------------------ History

@dataclass(frozen=True, eq=False)  # eq=False: compare frames with .frame.equals; a DataFrame is not hashable
class History:
    """A checked monthly history.

    ``frame``: one row per month, index ``month`` = 1..N (the same numbering
    as ``cx_roi.simulate``'s monthly results), a ``period`` column with the
    month as written (``YYYY-MM`` when the file gave dates, else the number),
    the required columns and whichever optional ones the file had, all float,
    in the units of :data:`COLUMNS`. Optional columns may have gaps (NaN):
    surveys are often quarterly. ``nps`` is present whenever the file gave
    NPS or both shares. ``warnings`` lists what was read with an assumption
    (an encoding guess, a renamed column, reordered months...).
    """

    frame: pd.DataFrame
    warnings: tuple[str, ...] = ()
    source: str = "history"
    sheet: str | None = None
    dated: bool = True

    @property
    def months(self) -> int:
        """Number of months in the history."""
        return len(self.frame)

    @property
    def periods(self) -> list[str]:
        """The months as labels (``YYYY-MM`` or the month numbers)."""
        return [str(p) for p in self.frame["period"]]

    def has(self, column: str) -> bool:
        """True when the history has ``column`` with at least one value."""
        return column in self.frame and bool(self.frame[column].notna().any())

    @property
    def initial_customers(self) -> float:
        """Customers at the start of the first month: customers - new + churned of month 1."""
        first = self.frame.iloc[0]
        return float(max(first["customers"] - first["new_customers"] + first["churned_customers"], 0.0))

    @property
    def balance_gap(self) -> float:
        """The largest gap in the customer balance, customers[t] - (customers[t-1] + new - churned), as a
        share of customers[t-1] (unsigned; 0 for a single month): how far the file's counts disagree."""
        share = balance_gaps(self.frame)[2]
        return float(np.nanmax(np.abs(share))) if len(share) else 0.0

    def slice(self, months: int) -> "History":
        """The first ``months`` months as a History (for holdout checks)."""
        return dataclasses.replace(self, frame=self.frame.iloc[:months].copy())


def balance_gaps(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How far customers miss adding up, months 2 onwards of ``frame`` (rows in month order):
    (expected customers[t-1] + new[t] - churned[t], customers; the gap customers[t] - expected, customers;
    the gap as a share of customers[t-1], infinite after a month with no customers, 0 where there is no gap)."""
    c, new, churned = (frame[k].to_numpy(float) for k in ("customers", "new_customers", "churned_customers"))
    expected = c[:-1] + new[1:] - churned[1:]
    gap = c[1:] - expected
    with np.errstate(invalid="ignore", divide="ignore"):
        return expected, gap, np.where(gap == 0, 0.0, gap / c[:-1])


def tolerance_for(gap: float) -> float:
    """The allowed gap to suggest for months off by up to ``gap`` (a share): the next tenth of a
    percent above it (3.62% -> 0.037), at most :data:`BALANCE_TOLERANCE_MAX`. Strictly above, so
    no rounding of the comparison can refuse the month again."""
    return min((math.floor(gap * 1000) + 1) / 1000, BALANCE_TOLERANCE_MAX)


def quote_list(items: Sequence[str]) -> str:
    return ", ".join(quoted(i) for i in items)


def share_text(share: float) -> str:
    """A share as a percentage to a tenth at most: 0.03 -> "3%", 0.0362 -> "3.6%", 0.0003 -> "under 0.1%"
    (not "0%", which only 0 is); an infinite one (a gap after a month with no customers) as "all"."""
    if not math.isfinite(share):
        return "all"
    if 0 < abs(share) < 0.0005:
        return "under 0.1%"
    return f"{round(share * 100, 1):g}%" if abs(share) < 1e4 else f"{number(share * 100)}%"


def n_months(n: int) -> str:
    return f"{n:,} month{'' if n == 1 else 's'}"
