"""Bring your own data: read a company's monthly history from CSV or Excel.

A history is one row per month. :func:`read_history` reads it with pandas
(``read_csv`` or ``read_excel``), checks every cell against :data:`COLUMNS`
and returns a :class:`History` (a clean DataFrame plus warnings), or raises
:class:`HistoryError` listing *every* problem at once, each with the row
number as the user sees it in the file and the column, so a user can fix the
file in one pass instead of one error at a time.

Columns (names are case-insensitive; spaces, hyphens and a unit in brackets
are ignored, so ``New customers`` and ``Ad spend ($)`` work; a few common
synonyms are accepted, see :data:`COLUMNS`):

====================  ========  ==========================================================
column                required  meaning and unit
====================  ========  ==========================================================
month                 yes       the month: ``YYYY-MM``, a date in it, or a number 1..N
customers             yes       customers at the end of the month, customers
new_customers         yes       customers won during the month, customers
churned_customers     yes       customers lost during the month, customers
ad_spend              yes       paid advertising in the month, $
service_spend         yes       all customer-service cost in the month (agents, tools,
                                training), $
contacts              no        contacts handled in the month (calls, chats, e-mails)
aht_minutes           no        average handle time, minutes per contact
agents                no        full-time-equivalent service agents on payroll (FTE)
nps                   no        net promoter score, -100 to 100
promoter_share        no        share of survey answers scoring 9-10, 0-1 (or ``45%``)
detractor_share       no        share of survey answers scoring 0-6, 0-1 (or ``20%``)
arpu                  no        average revenue per customer, $ per customer-month
====================  ========  ==========================================================

What is checked: the file's size (at most 5 MB and 1,200 months), that it is
a table, which sheet of a workbook to read, missing columns (with the closest
names found), cells that are not numbers or outside their column's range
(:attr:`Column.low` to :attr:`Column.high`), duplicated, missing or unordered
months, too few months (at least 6), and that customers add up:
``customers[t]`` should equal ``customers[t-1] + new - churned`` within 1% or
5 customers, whichever is larger.

Text may be UTF-8, UTF-16 with a byte-order mark (Excel's "Unicode text"), or
else Windows-1252 (Excel's "CSV (Comma delimited)" in Western Europe: numbers
read the same), with a warning. Columns are separated by commas, tabs or
semicolons; semicolon files are read with decimal commas unless their numbers
use decimal points (a file with both is refused). Numbers may carry a currency
sign and thousands separators (``$1,234``); shares accept ``45%``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import difflib
import io
import json
import math
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, BinaryIO, Literal

import numpy as np
import pandas as pd

from .errors import CxRoiError
from .formatting import quoted
from .parameters import PARAMETERS

__all__ = [
    "read_history", "sample_history", "sample_history_truth", "history_template", "sample_history_file", "History",
    "HistoryError", "HistoryProblem", "Column", "COLUMNS", "REQUIRED_COLUMNS",
    "MAX_BYTES", "MAX_MONTHS", "MIN_MONTHS", "BALANCE_TOLERANCE", "BALANCE_MIN_CUSTOMERS",
]

MAX_BYTES = 5 * 1024 * 1024
"""Largest file read, bytes (the dashboard's upload limit is the same 5 MB)."""
MAX_MONTHS = 1_200
"""Most data rows read: a century of months is more than any real history."""
MIN_MONTHS = 6
"""Fewest months accepted: fewer cannot show a trend (fitting needs more: :data:`MIN_MONTHS_TO_FIT`)."""
MIN_MONTHS_TO_FIT = 18
"""Fewest months ``cx_roi.calibrate.fit_history`` accepts: 12 to fit on, 6 to check the forecast against.
Kept here, beside :data:`MIN_MONTHS`, so a file too short to read can say what fitting needs."""
BALANCE_TOLERANCE = 0.01
"""Allowed gap between customers[t] and customers[t-1] + new - churned, as a share of customers[t-1]..."""
BALANCE_MIN_CUSTOMERS = 5.0
"""... or this many customers, whichever is larger (rounding in small companies)."""

_MAX_UNZIPPED = 60 * 1024 * 1024  # a 5 MB .xlsx that inflates past this is a zip bomb, not a history
_MAX_COLUMNS = 200
_MAX_ROWS_ABOVE = 20  # title or comment rows looked through for the header
_MAX_MESSAGE_LINES = 40
_FORMATS = ("a history is a CSV file (UTF-8, UTF-16 with a byte-order mark, or Windows-1252 text) "
            "or an Excel workbook (.xlsx)")


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
            return f"{_fmt(value)} is negative; {_NOUNS[self.kind]} cannot be"
        return f"{_fmt(value)} is {self.over or f'outside {_fmt(self.low)} to {_fmt(self.high)}'}"


def _spend_limit(field: str) -> dict[str, Any]:
    """The most of a spend the model runs on a month: a history above it could never be planned from."""
    most = PARAMETERS[field].maximum
    return {"high": most, "over": f"above the ${most:,.0f} a month the model can run"}


_SHARE = {"high": 1.0, "over": "outside 0 to 1; write 0.45 or 45% (or percentages 0-100 in every row)"}

COLUMNS: dict[str, Column] = {c.name: c for c in (
    Column("month", "YYYY-MM, a date, or 1..N", True,
           "The month the row describes: YYYY-MM (2024-01), any date in that month, or a month "
           "number counting from 1.", "month", ("date", "period", "month_start", "yyyy_mm", "month_number")),
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
_SECONDS_ALIASES = ("aht_seconds", "aht_sec", "aht_s", "handle_time_seconds", "average_handle_time_seconds")
_ALIASES: dict[str, str] = {a: c.name for c in COLUMNS.values() for a in (c.name, *c.aliases)}


# ------------------------------------------------------------------- errors

@dataclass(frozen=True)
class HistoryProblem:
    """One problem in a history file. ``row`` is the row number the user sees in the file
    (spreadsheet row or text line, header included); ``column`` the column as named there."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [f"{what} {at}" for what, at in (("row", self.row), ("column", self.column)) if at is not None]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class HistoryError(CxRoiError, ValueError):
    """A history file cannot be used.

    ``problems`` lists one readable line per problem (all of them, not just the
    first); ``details`` holds the same as :class:`HistoryProblem` objects with
    the row and column apart; ``sheets`` lists a workbook's sheets when the
    problem is which sheet to read. ``str(err)`` is ready to show a user.
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
        super().__init__(head + "\n" + "\n".join(f"- {p}" for p in [*shown, *tail]))


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

    def slice(self, months: int) -> "History":
        """The first ``months`` months as a History (for holdout checks)."""
        return History(self.frame.iloc[:months].copy(), self.warnings, self.source, self.sheet, self.dated)

    def to_csv(self) -> str:
        """The clean history as CSV text in the documented column names."""
        out = self.frame.copy()
        out.insert(0, "month", out.pop("period"))
        return out.to_csv(index=False, lineterminator="\n")


# ------------------------------------------------------------------ bundled files

def _package_file(name: str) -> bytes:
    return resources.files("cx_roi.sample_data").joinpath(name).read_bytes()


def sample_history() -> History:
    """The bundled sample: 48 months (2021-01 to 2024-12) of a SYNTHETIC subscription company.

    Made by scripts/make_sample_history.py from cx_roi's own model with known
    parameters (:func:`sample_history_truth`) plus noise: it grows, starves
    its service desk for ten months in year two, restores it, and runs ad
    campaigns and a freeze. Every column of :data:`COLUMNS` is present.
    """
    return read_history(_package_file("sample_history.csv"), "sample_history.csv (synthetic)")


def sample_history_file() -> bytes:
    """The sample history as CSV bytes (UTF-8), e.g. for a download button."""
    return _package_file("sample_history.csv")


def sample_history_truth() -> dict[str, Any]:
    """What generated the sample: ``fitted_parameters`` (what a fit should recover),
    ``stated_in_file``, ``noise``, ``seed`` and the full generating ``scenario`` (a dict
    for :meth:`cx_roi.Scenario.from_dict`)."""
    return json.loads(_package_file("sample_history_truth.json").decode("utf-8"))


def history_template() -> bytes:
    """The history template as CSV bytes (UTF-8): every column, with three example rows to replace."""
    return _package_file("history_template.csv")


# ------------------------------------------------------------------ reading

Source = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO | io.TextIOBase | pd.DataFrame


def read_history(source: Source, filename: str | None = None, *, sheet: str | int | None = None,
                 check_balance: bool = True, balance_tolerance: float = BALANCE_TOLERANCE) -> History:
    """Read and check a monthly history from a CSV or Excel (.xlsx) file.

    ``source``: a path, the file's bytes, an open file (binary or text;
    Streamlit's ``UploadedFile`` works), or a DataFrame with the history's
    columns (rows are then numbered as in a CSV written from it: header row 1,
    first month row 2). ``filename``: the name to show in messages and to tell
    CSV from Excel when the content does not (by default the path's name).
    ``sheet``: which sheet of a workbook to read, by name or 0-based position;
    needed only when several sheets hold data. ``check_balance``: check that
    customers add up month to month within ``balance_tolerance`` (share of
    last month's customers) or :data:`BALANCE_MIN_CUSTOMERS`, whichever is larger.

    Returns a :class:`History`. Raises :class:`HistoryError` listing every
    problem found, with rows and columns; never another exception for bad
    content.
    """
    if not 0 <= balance_tolerance < 1:
        raise ValueError(f"balance_tolerance: got {balance_tolerance!r}; expected a share from 0 to 1")
    if isinstance(source, pd.DataFrame):
        name = filename or "DataFrame"
        if len(source) > MAX_MONTHS:
            raise HistoryError([_TOO_MANY], source=name)
        table = pd.DataFrame([list(source.columns), *source.itertuples(index=False, name=None)], dtype=object)
        table.index += 1
        return _validate(table, name, None, [], False, check_balance, balance_tolerance)
    data, name = _read_bytes(source, filename)
    if not data.strip():
        raise HistoryError(["the file is empty"], source=name)
    if data.startswith(b"PK\x03\x04") or os.path.splitext(name)[1].lower() in (".xlsx", ".xlsm"):
        table, sheet_name, warnings = _workbook_table(data, name, sheet)
        decimal_comma = False
    elif sheet is not None:
        raise HistoryError([f"sheet={sheet!r} was given, but this is a text (CSV) file, which has no sheets"],
                           source=name)
    else:
        table, warnings, decimal_comma = _text_table(data, name)
        sheet_name = None
    return _validate(table, name, sheet_name, warnings, decimal_comma, check_balance, balance_tolerance)


_TOO_MANY = f"the file has more than {MAX_MONTHS:,} months (rows); a monthly history is at most a century"


def _read_bytes(source: Source, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and its name for messages; HistoryError when it is over :data:`MAX_BYTES`."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                return _read_bytes(fh, filename or os.path.basename(path))
        except OSError as exc:
            raise HistoryError([f"the file cannot be opened: {exc.strerror or exc}"], source=path) from None
    name = filename or os.path.basename(str(getattr(source, "name", "") or "")) or "uploaded file"
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source[: MAX_BYTES + 1])
    elif hasattr(source, "read"):
        try:
            # An in-memory upload (BytesIO, Streamlit's UploadedFile) is read whole, from
            # the start, even if someone read it before; a real file from where it stands.
            raw = source.getvalue() if hasattr(source, "getvalue") else source.read(MAX_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise HistoryError([f"the file cannot be read: {exc}"], source=name) from None
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw or b"")  # a text file, encoded back
    else:
        raise TypeError(f"read_history() takes a path, bytes or an open file, got {type(source).__name__}")
    if len(data) > MAX_BYTES:
        raise HistoryError([f"the file is over {MAX_BYTES >> 20} MB; the limit is {MAX_BYTES >> 20} MB "
                            f"(a monthly history is a few kB: {MAX_MONTHS:,} months at most)"], source=name)
    return data, name


def _not_a_table(name: str, why: str) -> HistoryError:
    """The error for a file whose content is no table at all (a PDF, an image, binary data)."""
    return HistoryError([f"this is not a CSV or Excel table: {why}; {_FORMATS}"], source=name)


# ------------------------------------------------------------------ text files

def _text_table(data: bytes, name: str) -> tuple[pd.DataFrame, list[str], bool]:
    """CSV bytes -> (the cells, indexed by line number; warnings; whether numbers use decimal commas)."""
    text, warnings = _decode(data, name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip().split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")), None)
    if first is None:
        raise HistoryError(["the file holds no values, only comments or blank lines"], source=name)
    # The separator is the one that splits the header into the most columns: csv.Sniffer
    # (pandas' sep=None) guesses from data rows too and is easily fooled by decimal commas.
    widths = {sep: lines[first].count(sep) + 1 for sep in (",", ";", "\t", "|")}
    sep = max(widths, key=lambda s: (widths[s], s == ","))
    if widths[sep] < 2:
        raise _not_a_table(name, f"its first line ({quoted(lines[first], 60)}) has a single column, where a "
                                 "header such as month,customers,new_customers,churned_customers,ad_spend,"
                                 "service_spend names the columns, separated by commas, semicolons or tabs")
    if widths[sep] > _MAX_COLUMNS:
        raise HistoryError([HistoryProblem(f"the header has {widths[sep]:,} columns; a history has "
                                           f"{len(COLUMNS)}, and at most {_MAX_COLUMNS} are read", row=first + 1)],
                           source=name)
    # Blank lines count too: a history has one month a line, with a few blank lines at most.
    if len(lines) - first > 2 * (MAX_MONTHS + _MAX_ROWS_ABOVE):
        raise HistoryError([f"the file has {len(lines):,} lines; a monthly history has at most {MAX_MONTHS:,} "
                            "months, one a line"], source=name)
    try:
        table = pd.read_csv(io.StringIO("\n".join(lines)), sep=sep, header=None, skiprows=first, dtype=str, engine="python",
                            keep_default_na=False, skip_blank_lines=False,  # one row a line: rows keep their numbers
                            on_bad_lines=lambda cells: cells[: min(widths[sep], _MAX_COLUMNS)])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise HistoryError([f"the file is not valid CSV: {exc}"], source=name) from None
    if len(table) != len(lines) - first:  # pandas joined or dropped lines
        odd = next((i + 1 for i, ln in enumerate(lines) if i >= first and ln.count('"') % 2), None)
        raise HistoryError([HistoryProblem('some lines are not CSV: a quote (") opens a cell that ends on another '
                                           "line or never, or a cell is over 100,000 characters long", row=odd)],
                           source=name)
    table.index += first + 1
    table = table.iloc[:, :_MAX_COLUMNS]
    decimal_comma = sep == ";" and _decimal_commas(table.iloc[1:], name)
    seps = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
    point = "commas (1.234,5)" if decimal_comma else "points (1,234.5), as the file writes them"
    if sep in seps:
        warnings.append(f"columns are separated by {seps[sep]}" + (f"; numbers are read with decimal {point}"
                                                                   if sep == ";" else ""))
    return table, warnings, decimal_comma


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes -> text; see the module docstring for the encodings accepted and why."""
    warnings: list[str] = []  # the encoding read, when it was a guess
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data and not utf16:
        raise _not_a_table(name, "it holds binary data")
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            if utf16:
                raise
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _not_a_table(name, "it starts like UTF-16 text but is not valid UTF-16" if utf16 else
                               "it is neither UTF-8 text nor Windows-1252 text") from None
        warnings.append(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at byte {exc.start:,}); it was "
                        "read as Windows-1252, Excel's 'CSV (Comma delimited)' on Western-European Windows. "
                        "Numbers are unaffected; check accents in names, or save as CSV UTF-8")
    control = sum(1 for ch in text[:20_000] if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    if control > max(3, len(text[:20_000]) // 200):
        raise _not_a_table(name, "it holds binary data")
    return text, warnings


_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_YEAR_DOT_MONTH = re.compile(r"^\d{4}\.\d{1,2}$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _decimal_commas(rows: pd.DataFrame, name: str) -> bool:
    """Whether a semicolon-separated file writes decimals with commas (Excel in much of Europe),
    or with points (files written by programs). Both in one file is refused: a cell such as
    1.250 would mean 1250 in one reading and 1.25 in the other."""
    cells = rows.stack().astype(str).str.strip().str.strip("%$€£ ")
    comma = cells[cells.str.match(_COMMA_DECIMAL)]
    dot = cells[cells.str.match(_DOT_DECIMAL) & ~cells.str.match(_THOUSANDS_DOT) & ~cells.str.match(_YEAR_DOT_MONTH)]
    if len(comma) and len(dot):
        (c_row, _), (d_row, _) = comma.index[0], dot.index[0]
        raise HistoryError([f"the file mixes decimal commas (row {c_row}: {quoted(comma.iloc[0])}) and decimal points "
                            f"(row {d_row}: {quoted(dot.iloc[0])}), so a number such as 1.250 could be read two "
                            "ways; write every number the same way"], source=name)
    return dot.empty


# ------------------------------------------------------------------ Excel

def _workbook_table(data: bytes, name: str, sheet: str | int | None) -> tuple[pd.DataFrame, str, list[str]]:
    """An .xlsx workbook -> (the chosen sheet's cells, indexed by spreadsheet row; its title; warnings)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
            parts = set(zf.namelist())
    except Exception:  # BadZipFile, and whatever else a damaged archive raises
        raise HistoryError(["the workbook is damaged (an .xlsx file is a zip archive, and this is not a valid one); "
                            "open it in Excel and save it again as .xlsx"], source=name) from None
    if inflated > _MAX_UNZIPPED:
        raise HistoryError([f"the workbook unpacks to {inflated / 1024 / 1024:,.0f} MB; the limit is "
                            f"{_MAX_UNZIPPED // (1024 * 1024)} MB (a monthly history is a few kB)"], source=name)
    if "xl/workbook.xml" not in parts:
        raise _not_a_table(name, "it is a zip archive, not an Excel workbook")
    book = _read_excel(data, name, None)
    titles = list(book)
    filled = [t for t in titles if not book[t].map(_blank).all(axis=None)]
    if sheet is not None:
        title = _pick_sheet(sheet, titles, name)
    elif len(filled) == 1:
        title = filled[0]
    elif not filled:
        raise HistoryError(["every sheet of the workbook is empty"], source=name, sheets=titles)
    else:
        likely = [t for t in filled if _header_at(book[t]) is not None]
        hint = f"; {_quote_list(likely)} look{'s' if len(likely) == 1 else ''} like a history" if likely else ""
        raise HistoryError([f"the workbook has {len(filled)} sheets with data ({_quote_list(filled)}){hint}. Choose "
                            f"one with sheet=, e.g. sheet={filled[0]!r}, or keep only the history sheet"],
                           source=name, sheets=filled)
    table = book[title].astype(object)
    if table.map(_blank).all(axis=None):
        raise HistoryError([f"sheet {title!r} is empty"], source=name, sheets=titles)
    empty = table.isna()
    if empty.any(axis=None):
        # A formula cell whose value the workbook does not store (written by a program, never opened
        # in Excel) reads as empty; the formulas themselves say which.
        formulas = _read_excel(data, name, title, data_only=False).reindex_like(table)
        unsaved = empty & formulas.map(lambda v: isinstance(v, str) and v.startswith("="))
        for r, c in zip(*np.nonzero(unsaved.to_numpy())):
            table.iat[r, c] = _UnsavedFormula(formulas.iat[r, c])
    table.index += 1
    return table, title, [f"read sheet {title!r} of {len(titles)}"] if len(titles) > 1 else []


def _read_excel(data: bytes, name: str, title: str | None, data_only: bool = True) -> Any:
    """One sheet (``title``) or all ({title: cells}) of a workbook, at most the rows a history can have."""
    try:
        book = pd.read_excel(io.BytesIO(data), sheet_name=title, header=None, engine="openpyxl",
                             nrows=MAX_MONTHS + _MAX_ROWS_ABOVE + 2, engine_kwargs={"data_only": data_only})
    except Exception as exc:  # zipfile's, XML's and openpyxl's own errors all mean this to a user
        raise HistoryError([f"the workbook is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:120]}); "
                            "open it in Excel and save it again as .xlsx"], source=name) from None
    for cells in book.values() if isinstance(book, dict) else [book]:
        if len(cells) > MAX_MONTHS + _MAX_ROWS_ABOVE + 1:
            raise HistoryError([_TOO_MANY], source=name)
    return book


class _UnsavedFormula(str):
    """A formula cell without a saved value, reported as such instead of as an empty cell."""


def _pick_sheet(sheet: str | int, titles: list[str], name: str) -> str:
    """The title of the sheet asked for by name (any case) or 0-based position."""
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise HistoryError([f"sheet={sheet!r}: give a sheet name or a 0-based position"], source=name, sheets=titles)
    if isinstance(sheet, int):
        if 0 <= sheet < len(titles):
            return titles[sheet]
        raise HistoryError([f"sheet={sheet}: the workbook has {len(titles)} sheet(s), positions 0 to "
                            f"{len(titles) - 1}: {_quote_list(titles)}"], source=name, sheets=titles)
    match = [t for t in titles if t.strip().casefold() == sheet.strip().casefold()]
    if not match:
        raise HistoryError([f"there is no sheet {quoted(sheet)}; the sheets are {_quote_list(titles)}"], source=name,
                           sheets=titles)
    return match[0]


def _quote_list(items: Sequence[str]) -> str:
    return ", ".join(quoted(i) for i in items)


# ------------------------------------------------------------------ the one validator

def _blank(value: Any) -> bool:
    """Whether a cell is empty: None, NaN or only spaces."""
    if isinstance(value, str):
        return not value.strip()
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _normalise(header: Any) -> str:
    """'Ad spend ($)' -> 'ad_spend'; 'New-customers' -> 'new_customers'."""
    text = re.sub(r"[(\[{].*?[)\]}]", " ", str(header).strip().lower())  # units in brackets
    text = text.replace("%", " pct ").replace("#", " number ")
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _header_at(table: pd.DataFrame) -> int | None:
    """Position of the header: the first row naming two history columns (exports often carry a title above)."""
    for i in range(min(len(table), _MAX_ROWS_ABOVE)):
        if sum(isinstance(c, str) and _normalise(c) in _ALIASES for c in table.iloc[i]) >= 2:
            return i
    return None


@dataclass
class _Col:
    """Where a history column is in the file: its label in the table, as messages name it, and its scale."""
    key: Any
    where: str
    scale: float = 1.0
    unit_given: bool = True


def _columns(header: pd.Series, row: int, excel: bool, warnings: list[str]) -> tuple[dict[str, _Col], list[HistoryProblem]]:
    """The header's cells -> {canonical name: column}; problems name missing and doubled columns."""
    cols: dict[str, _Col] = {}
    problems: list[HistoryProblem] = []
    unknown: dict[str, str] = {}
    for i, (key, raw) in enumerate(header.items()):
        if _blank(raw):
            continue
        shown, norm = str(raw).strip(), _normalise(raw)
        canonical, scale = _ALIASES.get(norm), 1.0
        unit = " ".join(re.findall(r"[(\[{](.*?)[)\]}]", shown)).strip().lower()
        if norm in _SECONDS_ALIASES or (canonical == "aht_minutes" and unit in ("s", "sec", "secs", "second", "seconds")):
            canonical, scale = "aht_minutes", 1 / 60
            warnings.append(f"column {quoted(shown)} read as aht_minutes (seconds / 60)")
        elif canonical is None:
            unknown[norm] = shown
            continue
        elif norm != canonical:
            warnings.append(f"column {quoted(shown)} read as {canonical}")
        if canonical in cols:
            problems.append(HistoryProblem(f"columns {cols[canonical].where} and {quoted(shown)} both mean "
                                           f"{canonical}; keep one", row=row))
            continue
        where = shown if shown == canonical else f"{quoted(shown)} ({canonical})"
        if excel:
            from openpyxl.utils import get_column_letter  # here: reading CSV need not import openpyxl
            where = f"{get_column_letter(i + 1)} {where}"
        cols[canonical] = _Col(key, where, scale,
                               canonical != "aht_minutes" or scale != 1.0 or "min" in norm or "min" in unit)
    for c in REQUIRED_COLUMNS:
        if c not in cols:
            close = [shown for norm, shown in unknown.items()
                     if difflib.get_close_matches(norm, [c, *COLUMNS[c].aliases], n=1, cutoff=0.75)]
            hint = f" (is {quoted(close[0])} it? rename it to {c})" if close else ""
            problems.append(HistoryProblem(f"required column {c!r} is missing{hint}; {COLUMNS[c].description[:-1]} "
                                           f"({COLUMNS[c].unit})", row=row))
    if unknown:
        warnings.append(f"ignored column(s) {_quote_list(list(unknown.values()))}: not history columns "
                        "(see cx_roi.history.COLUMNS)")
    return cols, problems


def _validate(table: pd.DataFrame, name: str, sheet: str | None, warnings: list[str], decimal_comma: bool,
              check_balance: bool, tolerance: float) -> History:
    """Check the cells of a history, whichever file they came from, against :data:`COLUMNS`.

    ``table``: the cells as read, indexed by the row number the user sees (header included).
    """
    table = table[~table.map(_blank).all(axis=1)]
    if table.empty:
        raise HistoryError(["the file holds no values, only separators or blank lines"], source=name)
    at = _header_at(table) or 0
    if at:
        warnings.append(f"skipped {at} row(s) above the header (row {table.index[at]})")
    header_row, body = int(table.index[at]), table.iloc[at + 1:]
    cols, problems = _columns(table.iloc[at], header_row, sheet is not None, warnings)
    if any(c not in cols for c in REQUIRED_COLUMNS):  # cell-level messages would only add noise
        raise HistoryError(problems, source=name)
    if body.empty:
        raise HistoryError([HistoryProblem("the file has a header but no data rows", row=header_row)], source=name)
    if len(body) > MAX_MONTHS:
        raise HistoryError([_TOO_MANY], source=name)

    frame = pd.DataFrame(index=body.index.astype(int))
    for canon, col in cols.items():
        spec = COLUMNS[canon]
        parse = _month if canon == "month" else lambda raw: _number(raw, spec, decimal_comma)
        values = []
        for line, raw in body[col.key].items():
            value, problem = parse(raw)
            if problem is None and value is None and spec.required:
                problem = "empty; every row needs its month" if canon == "month" else \
                    "empty; this column needs a value every month"
            if problem:
                problems.append(HistoryProblem(problem, row=int(line), column=col.where))
            values.append(value * col.scale if isinstance(value, float) else value)
        frame[canon] = pd.Series(values, index=frame.index, dtype=object if canon == "month" else float)
    _rescale(frame, cols, warnings)
    for canon in frame.columns.drop("month"):
        for line, value in frame[canon].items():
            if math.isfinite(value) and (bad := COLUMNS[canon].problem(value)):
                problems.append(HistoryProblem(bad, row=int(line), column=cols[canon].where))
    if "promoter_share" in frame and "detractor_share" in frame:
        total = frame["promoter_share"] + frame["detractor_share"]
        problems += [HistoryProblem(f"promoter_share + detractor_share = {t:.3g}; they are shares of the same "
                                    "survey answers and add up to at most 1", row=int(line))
                     for line, t in total[total > 1 + 1e-9].items()]

    # Order, duplicates and gaps are checked on the months that could be read,
    # so one bad month cell does not hide a missing month elsewhere.
    kinds = {type(p) for p in frame["month"] if p is not None}
    if len(kinds) > 1:
        number = next(line for line, p in frame["month"].items() if isinstance(p, int))
        problems.append(HistoryProblem(f"mixes month numbers (e.g. row {number}) and dates; use one kind in every "
                                       "row", column=cols["month"].where))
    dated, ordered = pd.Period in kinds, False
    if len(kinds) == 1:
        known = frame[frame["month"].notna()]
        keys = known["month"].map(lambda p: p.ordinal if isinstance(p, pd.Period) else p).astype("int64")
        if not keys.is_monotonic_increasing:
            warnings.append("rows were not in month order; they were sorted")
        known = known.iloc[np.argsort(keys.to_numpy(), kind="stable")]
        problems += _gaps(keys.loc[known.index], dated)
        frame, ordered = (known, True) if len(known) == len(frame) else (frame, False)
    if len(frame) < MIN_MONTHS:
        problems.append(HistoryProblem(f"the history has {_n_months(len(frame))}; at least {MIN_MONTHS} are needed "
                                       f"to read it and {MIN_MONTHS_TO_FIT} to fit the model"))
    if check_balance and ordered and not any("appears twice" in p.message or "missing between" in p.message
                                             for p in problems):
        problems += _balance(frame, tolerance)
    if problems:
        raise HistoryError(sorted(problems, key=lambda p: (p.row is not None, p.row or 0)), source=name)

    if {"promoter_share", "detractor_share"} <= set(frame):
        implied = 100.0 * (frame["promoter_share"] - frame["detractor_share"])
        if "nps" not in frame:
            frame["nps"] = implied
        elif ((gap := (frame["nps"] - implied).abs()) > 1.0).any():
            warnings.append(f"nps differs from 100 x (promoter_share - detractor_share) by up to {gap.max():.1f} "
                            f"points (row {gap.idxmax()}); nps is used as given")
    frame = frame.rename(columns={"month": "period"}).astype({"period": str})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="month")
    order = ["period", *[c for c in COLUMNS if c in frame]]
    return History(frame[order], tuple(warnings), name, sheet, dated)


def _rescale(frame: pd.DataFrame, cols: dict[str, _Col], warnings: list[str]) -> None:
    """Units the file implies: a handle time headed just "AHT" with values in the hundreds is in
    seconds (no contact centre averages an hour a contact); shares of 0-100 in every row are percentages."""
    aht = frame.get("aht_minutes")
    if aht is not None and not cols["aht_minutes"].unit_given and aht.notna().any() and aht.median() > 60:
        frame["aht_minutes"] = aht / 60.0
        warnings.append(f"column {cols['aht_minutes'].where} has no unit and values above 60, so it was read as "
                        "seconds (divided by 60); name it aht_minutes or aht_seconds to be explicit")
    for share in ("promoter_share", "detractor_share"):
        s = frame.get(share)
        if s is not None and s.notna().any() and s.median() > 1 and 0 <= s.min() and s.max() <= 100:
            frame[share] = s / 100.0
            warnings.append(f"{share} values are above 1, so they were read as percentages (45 = 45%)")


_NA = ("na", "n/a", "nan", "null", "none", "-", "--", "—")


def _number(raw: Any, spec: Column, decimal_comma: bool) -> tuple[float | None, str | None]:
    """A cell -> (number, or None for empty; problem text or None)."""
    if isinstance(raw, _UnsavedFormula):
        return None, (f"the formula {quoted(str(raw))} has no saved value (the workbook was written by a program "
                      "and never opened in Excel); open and save it in Excel, or write the values")
    if _blank(raw):
        return None, None
    if isinstance(raw, bool):
        return None, f"{raw!r} is true/false, not a number ({spec.unit})"
    if isinstance(raw, (int, float, np.integer, np.floating)):
        try:
            v = float(raw)
        except OverflowError:  # a Python int of hundreds of digits (from a DataFrame)
            return None, f"a number with {len(str(abs(int(raw))))} digits is beyond any {spec.unit}"
        return (v, None) if math.isfinite(v) else (None, f"{raw!r} is not a finite number")
    if isinstance(raw, (_dt.date, _dt.time)):
        return None, f"{raw} is a date or time, not a number ({spec.unit})"
    text = shown = str(raw).strip().replace("\u00a0", "").replace("\u202f", "")
    if text.lower() in _NA:
        return None, None if not spec.required else (f"{quoted(text)} is not a number; this column needs a value "
                                                      "every month")
    percent = text.endswith("%")
    text = text.removesuffix("%").strip()
    negative = text.startswith("(") and text.endswith(")")  # accounting style (123) = -123
    text = re.sub(r"^[$€£¥]|[$€£¥]$|\s*(usd|eur|gbp)$", "", text[1:-1] if negative else text, flags=re.I).strip()
    text = text.replace(" ", "").replace("'", "")
    if decimal_comma:
        text = (text.replace(".", "") if _THOUSANDS_DOT.match(text) else text).replace(",", ".")
    elif _THOUSANDS_COMMA.match(text):
        text = text.replace(",", "")
    try:
        v = float(text) * (-1 if negative else 1) / (100.0 if percent else 1)
    except ValueError:
        return None, f"{quoted(shown)} is not a number ({spec.unit})"
    if percent and spec.kind != "share":
        return None, f"{quoted(shown)} is a percentage; this column is {spec.unit}"
    return (v, None) if math.isfinite(v) else (None, f"{quoted(shown)} is not a finite number")


_DMY = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")


def _month(raw: Any) -> tuple[pd.Period | int | None, str | None]:
    """A month cell -> a Period (dated), an int (month number), or None and a problem."""
    if isinstance(raw, _UnsavedFormula):
        return None, f"the formula {quoted(str(raw))} has no saved value; open and save the workbook in Excel"
    if _blank(raw):
        return None, None
    if isinstance(raw, (_dt.date, pd.Timestamp)):
        return pd.Period(year=raw.year, month=raw.month, freq="M"), None
    text = str(int(raw) if isinstance(raw, (float, np.floating)) and float(raw).is_integer() else raw).strip()
    shown = quoted(text)
    # ASCII digits only: "²" is a digit to str.isdigit but not to int(), and int() refuses 4,300 digits.
    if text.isascii() and text.isdigit():
        if len(text) < 6 and 1 <= int(text) <= MAX_MONTHS:
            return int(text), None
        return None, f"{shown} is not a month number (1 to {MAX_MONTHS:,}) nor a date; write months as YYYY-MM"
    if _DMY.match(text):
        return None, (f"{shown} is ambiguous (day/month or month/day differ between countries); "
                      "write months as YYYY-MM, e.g. 2024-01")
    mmm_yy = re.fullmatch(r"([A-Za-z]{3,9})\.?[-' /]*([0-9]{2})", text)  # Excel's mmm-yy, e.g. Jan-24
    if not isinstance(raw, bool) and (mmm_yy or re.search(r"[0-9]{4}", text)):  # pandas reads "Jan" as year 1
        try:
            return pd.Period(f"{mmm_yy[1]} 20{mmm_yy[2]}" if mmm_yy else text, freq="M"), None
        except (ValueError, OverflowError):
            if re.match(r"^[0-9]{4}[-/.][0-9]", text):
                return None, (f"{shown} is not a valid date: years run from 0001, months from 01 to 12, and a "
                              "day must be in its month")
    return None, f"{shown} is not a month; write YYYY-MM (2024-01), a date, or a month number 1..N"


def _gaps(keys: pd.Series, dated: bool) -> list[HistoryProblem]:
    """Months that appear twice and months missing, from the month keys in order, indexed by row."""
    label = (lambda k: str(pd.Period(ordinal=k, freq="M"))) if dated else (lambda k: f"month {k}")
    problems, seen = [], {}
    for line, k in keys.items():
        if k in seen:
            problems.append(HistoryProblem(f"{label(k)} appears twice (rows {seen[k]} and {line}); keep one row "
                                           "per month", row=line))
        seen.setdefault(k, line)
    for a, b in zip(list(seen), list(seen)[1:]):
        if b - a > 1:
            missing = [label(k) for k in range(a + 1, b)]
            shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
            problems.append(HistoryProblem(f"{_n_months(len(missing))} missing between {label(a)} (row {seen[a]}) "
                                           f"and {label(b)} (row {seen[b]}): {shown}"))
    return problems


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.4g}"


def _n_months(n: int) -> str:
    return f"{n:,} month{'' if n == 1 else 's'}"


def _balance(frame: pd.DataFrame, tolerance: float) -> list[HistoryProblem]:
    """customers[t] vs customers[t-1] + new[t] - churned[t], month 2 onwards (rows in month order)."""
    problems = []
    c, new, churned = (frame[k].to_numpy() for k in ("customers", "new_customers", "churned_customers"))
    expected = c[:-1] + new[1:] - churned[1:]
    gap = c[1:] - expected
    with np.errstate(invalid="ignore"):  # NaN (an unreadable cell, reported already) compares False
        off = np.abs(gap) > np.maximum(tolerance * c[:-1], BALANCE_MIN_CUSTOMERS)
    for i in np.flatnonzero(off):
        t = i + 1
        problems.append(HistoryProblem(
            f"{frame['month'].iloc[t]}: customers {_fmt(c[t])}, but last month's {_fmt(c[t - 1])} + new "
            f"{_fmt(new[t])} - churned {_fmt(churned[t])} = {_fmt(expected[i])} (off by {_fmt(gap[i])}; allowed "
            f"{tolerance:.0%} or {BALANCE_MIN_CUSTOMERS:.0f} customers)" + ("" if problems else
            ". Customers should be counted at the end of the month, new and churned within it; "
            "read_history(..., check_balance=False) accepts the file anyway"),
            row=int(frame.index[t]), column="customers"))
    return problems
