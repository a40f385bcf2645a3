"""Bring your own data: read a company's monthly history from CSV or Excel.

A history is one row per month. :func:`read_history` reads it, checks it and
returns a :class:`History` (a clean DataFrame plus warnings), or raises
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
text or an .xlsx workbook and not something else, its encoding, which sheet of a
workbook to read, missing columns (with the closest names found), cells that are
not numbers, negative counts and spends, shares outside 0-1, duplicated,
missing or out-of-order months, too few months (at least 6), and that customer
counts add up: ``customers[t]`` should equal ``customers[t-1] + new - churned``
within 1% or 5 customers, whichever is larger.

Encodings: UTF-8 (with or without a byte-order mark) and UTF-16 with a
byte-order mark (Excel's "Unicode text") are read as they are. Anything else
that is valid Windows-1252 (the ANSI code page Excel on Western-European
Windows uses for "CSV (Comma delimited)") is read as Windows-1252 with a
warning: the numbers and the ASCII column names read the same in every such
code page, so a wrong guess can only garble accents in text, never a number.
Bytes that are not text in any of these encodings are reported.

Semicolon-separated files (Excel in countries that write decimal commas) are
read with decimal commas, unless their numbers are written with decimal points
(as programs write them); a file with both is refused. Tab-separated files work too. Numbers may carry a
currency sign and thousands separators (``$1,234``); share columns accept
percentages (``45%``).
"""

from __future__ import annotations

import codecs
import csv
import json
import datetime as _dt
import difflib
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, BinaryIO, Literal

import numpy as np
import pandas as pd

from .errors import CxRoiError
from .formatting import quoted
from .parameters import PARAMETERS

__all__ = [
    "read_history", "sample_history", "sample_history_truth", "history_template", "sample_history_file", "History", "HistoryError", "HistoryProblem", "Column", "COLUMNS", "REQUIRED_COLUMNS",
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
_MAX_MESSAGE_LINES = 40


# ------------------------------------------------------------------ columns

@dataclass(frozen=True)
class Column:
    """One column of a history file: its canonical name, unit, meaning and accepted synonyms."""

    name: str
    unit: str
    required: bool
    description: str
    kind: Literal["month", "count", "money", "minutes", "score", "share"]
    aliases: tuple[str, ...] = ()


COLUMNS: dict[str, Column] = {c.name: c for c in (
    Column("month", "YYYY-MM, a date, or 1..N", True,
           "The month the row describes: YYYY-MM (2024-01), any date in that month, or a month "
           "number counting from 1.", "month", ("date", "period", "month_start", "yyyy_mm", "month_number")),
    Column("customers", "customers", True, "Customers at the end of the month.", "count",
           ("customers_end", "active_customers", "total_customers", "customer_count", "subscribers",
            "active_subscribers", "customers_at_end")),
    Column("new_customers", "customers per month", True, "Customers won during the month.", "count",
           ("new", "new_subscribers", "acquired", "acquisitions", "gross_adds", "customers_won", "adds")),
    Column("churned_customers", "customers per month", True, "Customers lost during the month.", "count",
           ("churned", "churn", "lost", "lost_customers", "cancellations", "cancelled", "customers_lost")),
    Column("ad_spend", "$ per month", True, "Paid advertising spend in the month.", "money",
           ("advertising", "advertising_spend", "ad_spend_per_month", "marketing_spend", "media_spend",
            "ads", "ad_cost", "advertising_cost")),
    Column("service_spend", "$ per month", True,
           "All customer-service cost in the month: agents' fully loaded cost, tools, training.", "money",
           ("service_cost", "support_spend", "support_cost", "customer_service_spend", "cx_spend",
            "service_spend_per_month", "customer_service_cost")),
    Column("contacts", "contacts per month", False,
           "Contacts handled in the month (calls, chats, e-mails), repeats included.", "count",
           ("contacts_handled", "tickets", "calls", "contact_volume", "interactions")),
    Column("aht_minutes", "minutes per contact", False,
           "Average handle time: talk plus after-contact work per contact.", "minutes",
           ("aht", "aht_min", "average_handle_time", "handle_time", "handle_time_minutes")),
    Column("agents", "FTE", False, "Full-time-equivalent service agents on payroll.", "count",
           ("fte", "agents_fte", "agent_fte", "headcount", "agent_headcount", "service_agents")),
    Column("nps", "-100 to 100", False, "Net promoter score from your survey.", "score",
           ("net_promoter_score", "nps_score")),
    Column("promoter_share", "share 0-1", False, "Share of survey answers scoring 9-10.", "share",
           ("promoters", "promoters_share", "pct_promoters", "promoter_pct", "share_promoters")),
    Column("detractor_share", "share 0-1", False, "Share of survey answers scoring 0-6.", "share",
           ("detractors", "detractors_share", "pct_detractors", "detractor_pct", "share_detractors")),
    Column("arpu", "$ per customer-month", False, "Average revenue per customer in the month.", "money",
           ("arpu_per_month", "revenue_per_customer", "average_revenue_per_user", "avg_revenue_per_customer")),
)}

REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS.values() if c.required)

# Other spellings that need a conversion rather than a rename.
_SECONDS_ALIASES = ("aht_seconds", "aht_sec", "aht_s", "handle_time_seconds", "average_handle_time_seconds")

_ALIASES: dict[str, str] = {}
for _c in COLUMNS.values():
    _ALIASES[_c.name] = _c.name
    for _a in _c.aliases:
        _ALIASES[_a] = _c.name


# ------------------------------------------------------------------- errors

@dataclass(frozen=True)
class HistoryProblem:
    """One problem in a history file. ``row`` is the row number the user sees in the file
    (spreadsheet row or text line, header included); ``column`` the column as named there."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
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
        if isinstance(problems, str):
            problems = [problems]
        self.details: list[HistoryProblem] = [p if isinstance(p, HistoryProblem) else HistoryProblem(str(p))
                                              for p in problems]
        self.problems: list[str] = [str(p) for p in self.details]
        self.source = source
        self.sheets = list(sheets) if sheets is not None else None
        n = len(self.problems)
        what = f"Cannot use this history ({source})" if source else "Cannot use this history"
        head = f"{what}: 1 problem" if n == 1 else f"{what}: {n} problems"
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
    first month row 2). ``filename``: the name to show in
    messages and to tell CSV from Excel when the content does not (by
    default the path's name). ``sheet``: which sheet of a workbook to read, by
    name or 0-based position; needed only when several sheets hold data.
    ``check_balance``: check that customers add up month to month within
    ``balance_tolerance`` (share of last month's customers) or
    :data:`BALANCE_MIN_CUSTOMERS`, whichever is larger.

    Returns a :class:`History`. Raises :class:`HistoryError` listing every
    problem found, with rows and columns; never another exception for bad
    content.
    """
    if not 0 <= balance_tolerance < 1:
        raise ValueError(f"balance_tolerance: got {balance_tolerance!r}; expected a share from 0 to 1")
    if isinstance(source, pd.DataFrame):
        name = filename or "DataFrame"
        if len(source) > MAX_MONTHS:
            raise HistoryError([f"the table has {len(source):,} months (rows); the limit is {MAX_MONTHS:,}"],
                               source=name)
        table = [(1, [str(c) for c in source.columns])]
        table += [(i + 2, [None if _is_missing(v) else v for v in row])
                  for i, row in enumerate(source.itertuples(index=False, name=None))]
        return _clean(table, name, None, [], False, check_balance, balance_tolerance)
    data, name = _read_bytes(source, filename)
    kind = _detect_kind(data, name)
    if kind == "xlsx":
        table, warnings, sheet_name = _xlsx_table(data, name, sheet)
        decimal_comma = False
    else:
        if sheet is not None:
            raise HistoryError([f"sheet={sheet!r} was given, but this is a text (CSV) file, which has no sheets"],
                               source=name)
        text, warnings = _decode(data, name)
        table, decimal_comma, more = _csv_table(text, name)
        warnings += more
        sheet_name = None
    return _clean(table, name, sheet_name, warnings, decimal_comma, check_balance, balance_tolerance)


def _is_missing(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _read_bytes(source: Source, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source[: MAX_BYTES + 1])
        size = len(source)
        name = filename or "uploaded file"
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        name = filename or os.path.basename(path)
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise HistoryError(["the file does not exist"], source=path) from None
        except IsADirectoryError:
            raise HistoryError(["this is a folder, not a file"], source=path) from None
        except OSError as exc:
            raise HistoryError([f"the file cannot be opened: {exc.strerror or exc}"], source=path) from None
    elif hasattr(source, "read"):
        name = filename or os.path.basename(str(getattr(source, "name", "") or "")) or "uploaded file"
        try:
            # An in-memory upload (BytesIO, Streamlit's UploadedFile) is read whole, from
            # the start, even if someone read it before; a real file from where it stands.
            raw = source.getvalue() if hasattr(source, "getvalue") else source.read(MAX_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise HistoryError([f"the file cannot be read: {exc}"], source=name) from None
        # A text-mode file has already been decoded: encode it back, exactly.
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw or b"")
        size = len(data)
    else:
        raise TypeError(f"read_history() takes a path, bytes or an open file, got {type(source).__name__}")
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        shown = f"{size / 1024 / 1024:.1f} MB" if size > MAX_BYTES else f"over {MAX_BYTES // (1024 * 1024)} MB"
        raise HistoryError([f"the file is {shown}; the limit is {MAX_BYTES // (1024 * 1024)} MB "
                            f"(a monthly history is a few kB: {MAX_MONTHS:,} months at most)"], source=name)
    return data, name


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-format Excel (.xls) workbook or a password-protected one: "
     "save it as .xlsx (Excel Workbook) or CSV UTF-8, without a password"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)


def _detect_kind(data: bytes, name: str) -> Literal["xlsx", "text"]:
    """By content first (an .xlsx renamed .csv still reads), then by extension."""
    if not data.strip():
        raise HistoryError(["the file is empty"], source=name)
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise HistoryError([f"this is {what}, not a CSV or .xlsx history"], source=name)
    ext = os.path.splitext(name)[1].lower()
    if ext in (".xlsx", ".xlsm"):
        raise HistoryError([f"the name says {ext}, but the content is not an Excel workbook "
                            "(an .xlsx file is a zip archive); the file may be damaged"], source=name)
    if ext in (".xls", ".ods", ".numbers", ".json", ".parquet", ".docx", ".pdf"):
        raise HistoryError([f"{ext} files are not read; save the history as CSV UTF-8 or .xlsx"], source=name)
    return "text"


# ------------------------------------------------------------------ text files

_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes -> text; see the module docstring for the encodings accepted and why."""
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise HistoryError(["the file starts like UTF-16 text but is not valid UTF-16; "
                                "save it as CSV UTF-8"], source=name) from None
        return _check_text(text, name), warnings
    if b"\x00" in data:
        head = data[:4096]
        zeros_odd = head[1::2].count(0)
        if zeros_odd > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            raise HistoryError(["the file looks like UTF-16 text without a byte-order mark, which cannot be "
                                "read reliably; save it as CSV UTF-8"], source=name)
        raise HistoryError(["the file contains binary data (NUL bytes), not text: it is not a CSV file"],
                           source=name)
    try:
        text = data.decode("utf-8-sig")  # UTF-8, with or without Excel's byte-order mark
    except UnicodeDecodeError as exc:
        bad = set(data) & _CP1252_UNDEFINED
        if bad:
            raise HistoryError([f"the file is neither UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte "
                                f"{exc.start:,}) nor Windows-1252 text; it may not be text at all. "
                                "Save it as CSV UTF-8"], source=name) from None
        text = data.decode("cp1252")
        warnings.append(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at byte {exc.start:,}); it was "
                        "read as Windows-1252, Excel's 'CSV (Comma delimited)' on Western-European Windows. "
                        "Numbers are unaffected; check accents in names, or save as CSV UTF-8")
    return _check_text(text, name), warnings


def _check_text(text: str, name: str) -> str:
    control = sum(1 for ch in text[:20_000] if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    if control > max(3, len(text[:20_000]) // 200):
        raise HistoryError([f"the file contains {control:,} control characters: it is binary data, "
                            "not a CSV file"], source=name)
    if not text.strip():
        raise HistoryError(["the file is empty"], source=name)
    return text


def _csv_table(text: str, name: str) -> tuple[list[tuple[int, list[Any]]], bool, list[str]]:
    """Text -> [(line number, cells)] with the header first; returns whether decimals use commas."""
    lines = text.splitlines()
    header_line = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    # The separator is the one that splits the header into the most columns;
    # csv.Sniffer guesses from data rows and is easily fooled by decimal commas.
    counts = {sep: len(next(csv.reader([header_line], delimiter=sep), [])) for sep in (",", ";", "\t", "|")}
    sep = max(counts, key=lambda s: (counts[s], s == ","))
    warnings: list[str] = []
    if counts[sep] < 2:
        raise HistoryError([f"the first line has a single column ({header_line[:60]!r}); a history needs "
                            "columns separated by commas (or semicolons or tabs), starting with a header "
                            "line such as: month,customers,new_customers,churned_customers,ad_spend,"
                            "service_spend"], source=name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    table: list[tuple[int, list[Any]]] = []
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            if not table and cells[0].lstrip().startswith("#"):
                continue  # a comment line above the header
            table.append((reader.line_num, cells))
            if len(table) > MAX_MONTHS + 1:
                raise HistoryError([f"the file has more than {MAX_MONTHS:,} months (rows); "
                                    "a monthly history is at most a century"], source=name)
    except csv.Error as exc:
        raise HistoryError([HistoryProblem(f"the file is not valid CSV: {exc}", row=reader.line_num)],
                           source=name) from None
    decimal_comma = sep == ";" and _decimal_commas(table[1:], name)
    if sep != ",":
        shown = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}[sep]
        marks = ("; numbers are read with decimal commas (1.234,5)" if decimal_comma
                 else "; numbers are read with decimal points (1,234.5), as the file writes them" if sep == ";"
                 else "")
        warnings.append(f"columns are separated by {shown}{marks}")
    return table, decimal_comma, warnings


_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_YEAR_DOT_MONTH = re.compile(r"^\d{4}\.\d{1,2}$")


def _decimal_commas(rows: list[tuple[int, list[Any]]], name: str) -> bool:
    """Whether a semicolon-separated file writes decimals with commas (Excel in much of Europe),
    or with points (files written by programs). Both in one file is refused: a cell such as
    1.250 would mean 1250 in one reading and 1.25 in the other."""
    comma = dot = None
    for line, cells in rows:
        for cell in cells:
            text = str(cell).strip().strip("%$€£ ")
            if comma is None and _COMMA_DECIMAL.match(text):
                comma = (line, text)
            elif (dot is None and _DOT_DECIMAL.match(text) and not _THOUSANDS_DOT.match(text)
                  and not _YEAR_DOT_MONTH.match(text)):
                dot = (line, text)
        if comma and dot:
            raise HistoryError([f"the file mixes decimal commas (row {comma[0]}: {comma[1]!r}) and decimal points "
                                f"(row {dot[0]}: {dot[1]!r}), so a number such as 1.250 could be read two ways; "
                                "write every number the same way"], source=name)
    return dot is None


# ------------------------------------------------------------------ Excel

def _xlsx_table(data: bytes, name: str, sheet: str | int | None) -> tuple[list[tuple[int, list[Any]]], list[str], str]:
    try:
        return _read_xlsx(data, name, sheet)
    except HistoryError:
        raise
    except Exception as exc:
        # Read-only workbooks parse lazily, so a damaged sheet fails while its rows are read,
        # with any of zipfile's, XML's or openpyxl's own exceptions: to a user they all mean this.
        raise HistoryError([f"the workbook is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:120]}); "
                            "open it in Excel and save it again as .xlsx"], source=name) from None


def _read_xlsx(data: bytes, name: str, sheet: str | int | None) -> tuple[list[tuple[int, list[Any]]], list[str], str]:
    import openpyxl  # imported here: reading CSV must not pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        raise HistoryError(["the file starts like an .xlsx workbook but is damaged (not a valid zip archive)"],
                           source=name) from None
    if inflated > _MAX_UNZIPPED:
        raise HistoryError([f"the workbook unpacks to {inflated / 1024 / 1024:,.0f} MB; the limit is "
                            f"{_MAX_UNZIPPED // (1024 * 1024)} MB (a monthly history is a few kB)"], source=name)
    if "xl/workbook.xml" not in names:
        raise HistoryError(["this zip archive is not an Excel workbook (.xlsx); save the history as .xlsx or CSV"],
                           source=name)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on damaged files; all mean the same to a user
        raise HistoryError([f"the workbook cannot be read ({type(exc).__name__}: {exc}); "
                            "open it in Excel and save it again as .xlsx"], source=name) from None
    try:
        sheets = [ws.title for ws in wb.worksheets]
        if not sheets:
            raise HistoryError(["the workbook has no worksheets"], source=name)
        with_data = [ws.title for ws in wb.worksheets if _sheet_has_data(ws)]
        if sheet is not None:
            ws = _pick_sheet(wb, sheet, sheets, name)
        elif len(with_data) == 1:
            ws = wb[with_data[0]]
        elif not with_data:
            raise HistoryError(["every sheet of the workbook is empty"], source=name, sheets=sheets)
        else:
            likely = [t for t in with_data if _sheet_looks_like_history(wb[t])]
            hint = (f"; {_quote_list(likely)} look{'s' if len(likely) == 1 else ''} like a history"
                    if likely else "")
            raise HistoryError([f"the workbook has {len(with_data)} sheets with data ({_quote_list(with_data)})"
                                f"{hint}. Choose one with sheet=, e.g. sheet={with_data[0]!r}, or keep only the "
                                "history sheet"], source=name, sheets=with_data)
        table: list[tuple[int, list[Any]]] = []
        for row_number, row in enumerate(ws.iter_rows(min_row=1, max_col=_MAX_COLUMNS, values_only=True),
                                         start=1):
            cells = list(row)
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            table.append((row_number, cells))
            if len(table) > MAX_MONTHS + 1:
                raise HistoryError([f"sheet {ws.title!r} has more than {MAX_MONTHS:,} months (rows); "
                                    "a monthly history is at most a century"], source=name)
        if not table:
            raise HistoryError([f"sheet {ws.title!r} is empty"], source=name, sheets=sheets)
        warnings = [f"read sheet {ws.title!r} of {len(sheets)}"] if len(sheets) > 1 else []
        if any(c is None for _, cells in table for c in cells):
            _mark_unsaved_formulas(data, ws.title, table)
        return table, warnings, ws.title
    finally:
        wb.close()


class _UnsavedFormula(str):
    """A formula cell whose value the workbook does not store (written by a program, never opened
    in Excel); reported as such instead of as an empty cell."""


def _mark_unsaved_formulas(data: bytes, title: str, table: list[tuple[int, list[Any]]]) -> None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # the first read worked; if this one does not, keep the plain "empty" messages
        return
    try:
        rows = {row_number: cells for row_number, cells in table}
        formulas = list(enumerate(wb[title].iter_rows(min_row=1, max_row=max(rows), max_col=_MAX_COLUMNS,
                                                      values_only=True), start=1))
    except Exception:  # as above: a second read that fails changes nothing
        wb.close()
        return
    try:
        for row_number, row in formulas:
            cells = rows.get(row_number)
            if cells is None:
                continue
            for j, raw in enumerate(row):
                if j < len(cells) and cells[j] is None and isinstance(raw, str) and raw.startswith("="):
                    cells[j] = _UnsavedFormula(raw)
    finally:
        wb.close()


def _sheet_has_data(ws) -> bool:
    for row in ws.iter_rows(min_row=1, max_row=50, max_col=50, values_only=True):
        if any(c is not None and not (isinstance(c, str) and not c.strip()) for c in row):
            return True
    return False


def _sheet_looks_like_history(ws) -> bool:
    for row in ws.iter_rows(min_row=1, max_row=20, max_col=50, values_only=True):
        names = {_ALIASES.get(_normalise(c)) for c in row if isinstance(c, str)}
        if {"month", "customers"} <= names:
            return True
    return False


def _pick_sheet(wb, sheet: str | int, sheets: list[str], name: str):
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise HistoryError([f"sheet={sheet!r}: give a sheet name or a 0-based position"], source=name,
                           sheets=sheets)
    if isinstance(sheet, int):
        if 0 <= sheet < len(sheets):
            return wb[sheets[sheet]]
        raise HistoryError([f"sheet={sheet}: the workbook has {len(sheets)} sheet(s), positions 0 to "
                            f"{len(sheets) - 1}: {_quote_list(sheets)}"], source=name, sheets=sheets)
    for title in sheets:
        if title.strip().casefold() == sheet.strip().casefold():
            return wb[title]
    raise HistoryError([f"there is no sheet {sheet!r}; the sheets are {_quote_list(sheets)}"], source=name,
                       sheets=sheets)


def _quote_list(items: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in items)


# ------------------------------------------------------------------ cleaning

def _normalise(header: Any) -> str:
    """'Ad spend ($)' -> 'ad_spend'; 'New-customers' -> 'new_customers'."""
    text = str(header if header is not None else "").strip().lower()
    text = re.sub(r"[(\[{].*?[)\]}]", " ", text)  # units in brackets
    text = text.replace("%", " pct ").replace("#", " number ")
    text = re.sub(r"[^0-9a-z]+", "_", text)
    return text.strip("_")


@dataclass
class _Col:
    canonical: str
    index: int
    header: str
    letter: str | None
    scale: float = 1.0
    unit_given: bool = True


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _clean(table: list[tuple[int, list[Any]]], name: str, sheet: str | None, warnings: list[str],
           decimal_comma: bool, check_balance: bool, tolerance: float) -> History:
    problems: list[HistoryProblem] = []
    is_excel = sheet is not None
    if not table:
        raise HistoryError(["the file holds no values, only separators or blank lines"], source=name)
    # The header is the first row naming at least two history columns: exports
    # often carry a title or a note above it.
    at = 0
    for i, (_, cells) in enumerate(table[:20]):
        if sum(_ALIASES.get(_normalise(c)) is not None for c in cells if isinstance(c, str)) >= 2:
            at = i
            break
    if at:
        warnings.append(f"skipped {at} row(s) above the header (row {table[at][0]})")
    header_row, header = table[at]
    rows = table[at + 1:]

    # -- header -> columns
    cols: dict[str, _Col] = {}
    unknown: list[str] = []
    for i, raw in enumerate(header):
        shown = str(raw).strip() if raw is not None else ""
        if not shown:
            continue
        key = _normalise(raw)
        letter = _col_letter(i) if is_excel else None
        scale = 1.0
        canonical = _ALIASES.get(key)
        unit = " ".join(re.findall(r"[(\[{](.*?)[)\]}]", shown)).strip().lower()
        if (canonical is None and key in _SECONDS_ALIASES) or (canonical == "aht_minutes"
                                                              and unit in ("s", "sec", "secs", "second", "seconds")):
            canonical, scale = "aht_minutes", 1 / 60
            warnings.append(f"column {shown!r} read as aht_minutes (seconds / 60)")
        if canonical is None:
            unknown.append(shown)
            continue
        if canonical in cols:
            problems.append(HistoryProblem(f"columns {cols[canonical].header!r} and {shown!r} both mean "
                                           f"{canonical}; keep one", row=header_row))
            continue
        if key != canonical and scale == 1.0:
            warnings.append(f"column {shown!r} read as {canonical}")
        cols[canonical] = _Col(canonical, i, shown, letter, scale)
        cols[canonical].unit_given = canonical != "aht_minutes" or scale != 1.0 or "min" in key or "min" in unit
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    for c in missing:
        candidates = {_normalise(u): u for u in unknown}
        close = difflib.get_close_matches(c, list(candidates), n=1, cutoff=0.6)
        if not close:
            # Compare against every synonym too: 'custmers' is closer to 'customers' than to any canonical name.
            pool = {a: canon for a, canon in _ALIASES.items() if canon == c}
            for cand_key, cand in candidates.items():
                if difflib.get_close_matches(cand_key, list(pool), n=1, cutoff=0.75):
                    close = [cand_key]
                    break
        hint = f" (is {candidates[close[0]]!r} it? rename it to {c})" if close else ""
        problems.append(HistoryProblem(f"required column {c!r} is missing{hint}; {COLUMNS[c].description[:-1]} "
                                       f"({COLUMNS[c].unit})", row=header_row))
    if unknown:
        warnings.append(f"ignored column(s) {_quote_list(unknown)}: not history columns "
                        f"(see cx_roi.history.COLUMNS)")
    if missing:
        # Without the required columns, cell-level messages would only add noise.
        raise HistoryError(problems, source=name)
    if not rows:
        raise HistoryError([HistoryProblem("the file has a header but no data rows", row=header_row)], source=name)
    if len(rows) > MAX_MONTHS:
        raise HistoryError([f"the file has {len(rows):,} months (rows); the limit is {MAX_MONTHS:,}"], source=name)

    def where(col: _Col) -> str:
        shown = col.header if col.header == col.canonical else f"{col.header!r} ({col.canonical})"
        return f"{col.letter} {shown}" if col.letter else shown

    # -- cells -> numbers (ranges are checked once a share column's scale is known)
    values: dict[str, list[float]] = {c: [] for c in cols if c != "month"}
    for line, cells in rows:
        for canon, col in cols.items():
            if canon == "month":
                continue
            raw = cells[col.index] if col.index < len(cells) else None
            value, problem = _number(raw, COLUMNS[canon], decimal_comma)
            if problem:
                problems.append(HistoryProblem(problem, row=line, column=where(col)))
                value = math.nan
            elif value is None:
                if COLUMNS[canon].required:
                    problems.append(HistoryProblem("empty; this column needs a value every month", row=line,
                                                   column=where(col)))
                value = math.nan
            else:
                value *= col.scale
            values[canon].append(float(value))

    # A handle time headed just "AHT" with values in the hundreds is in seconds: no
    # contact centre averages an hour or more per contact.
    if "aht_minutes" in values and not cols["aht_minutes"].unit_given:
        a = np.asarray(values["aht_minutes"])
        if np.isfinite(a).any() and np.nanmedian(a) > 60:
            values["aht_minutes"] = [v / 60.0 for v in values["aht_minutes"]]
            warnings.append(f"column {cols['aht_minutes'].header!r} has no unit and values above 60, so it was "
                            "read as seconds (divided by 60); name it aht_minutes or aht_seconds to be explicit")

    # Share columns written as percentages in every row (45 rather than 0.45 or 45%).
    for share in ("promoter_share", "detractor_share"):
        if share in values:
            s = np.asarray(values[share])
            s = s[np.isfinite(s)]
            if len(s) and np.median(s) > 1 and s.max() <= 100 and s.min() >= 0:
                values[share] = [v / 100.0 for v in values[share]]
                warnings.append(f"{share} values are above 1, so they were read as percentages (45 = 45%)")
    for canon, vals in values.items():
        for (line, _), v in zip(rows, vals):
            if math.isfinite(v):
                bad = _range_problem(v, COLUMNS[canon])
                if bad:
                    problems.append(HistoryProblem(bad, row=line, column=where(cols[canon])))

    # -- months
    month_col = cols["month"]
    periods, dated, month_problems = _months(
        [(line, cells[month_col.index] if month_col.index < len(cells) else None) for line, cells in rows],
        where(month_col))
    problems += month_problems

    frame = pd.DataFrame(values, dtype=float)
    frame.insert(0, "period", periods)
    frame.insert(0, "_row", [line for line, _ in rows])
    if "promoter_share" in frame and "detractor_share" in frame:
        total = frame["promoter_share"] + frame["detractor_share"]
        for line, t in zip(frame["_row"], total):
            if t > 1 + 1e-9:
                problems.append(HistoryProblem(f"promoter_share + detractor_share = {t:.3g}; they are shares of "
                                               "the same survey answers and add up to at most 1", row=int(line)))

    # -- order, duplicates and gaps: checked on the months that could be read,
    #    so one bad month cell does not hide a missing month elsewhere.
    kinds = {type(p) for p in periods if p is not None}
    ordered = False
    if len(kinds) == 1:
        known = frame[frame["period"].notna()]
        keys = [p.ordinal if isinstance(p, pd.Period) else int(p) for p in known["period"]]
        order = np.argsort(keys, kind="stable")
        if (order != np.arange(len(order))).any():
            warnings.append("rows were not in month order; they were sorted")
        known = known.iloc[order]
        problems += _gaps([keys[i] for i in order], list(known["_row"]), dated)
        if len(known) == len(frame):
            frame, ordered = known.reset_index(drop=True), True
    if len(frame) < MIN_MONTHS:
        problems.append(HistoryProblem(f"the history has {_n_months(len(frame))}; at least {MIN_MONTHS} are needed "
                                       f"to read it and {MIN_MONTHS_TO_FIT} to fit the model"))

    # -- customers add up (pairs of months with readable numbers only)
    if check_balance and ordered and not any("appears twice" in p.message or "missing between" in p.message for p in problems):
        problems += _balance(frame, tolerance)
    if problems:
        problems.sort(key=lambda p: (p.row is not None, p.row or 0))
        raise HistoryError(problems, source=name)

    if "nps" not in frame and "promoter_share" in frame and "detractor_share" in frame:
        frame["nps"] = 100.0 * (frame["promoter_share"] - frame["detractor_share"])
    elif "nps" in frame and "promoter_share" in frame and "detractor_share" in frame:
        implied = 100.0 * (frame["promoter_share"] - frame["detractor_share"])
        gap = (frame["nps"] - implied).abs()
        if (gap > 1.0).any():
            worst = int(gap.idxmax())
            warnings.append(f"nps differs from 100 x (promoter_share - detractor_share) by up to {gap.max():.1f} "
                            f"points (row {int(frame['_row'][worst])}); nps is used as given")

    frame["period"] = [str(p) for p in frame["period"]]
    frame = frame.drop(columns="_row")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="month")
    order = ["period", *[c for c in COLUMNS if c in frame and c != "month"]]
    return History(frame[order], tuple(warnings), name, sheet, dated)


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _number(raw: Any, spec: Column, decimal_comma: bool) -> tuple[float | None, str | None]:
    """A cell -> (number or None for empty, problem text or None)."""
    if raw is None:
        return None, None
    if isinstance(raw, _UnsavedFormula):
        return None, (f"the formula {str(raw)[:40]!r} has no saved value (the workbook was written by a program "
                      "and never opened in Excel); open and save it in Excel, or write the values")
    if isinstance(raw, bool):
        return None, f"{raw!r} is true/false, not a number ({spec.unit})"
    if isinstance(raw, (int, float, np.integer, np.floating)):
        try:
            v = float(raw)
        except OverflowError:  # a Python int of hundreds of digits (from a DataFrame)
            return None, f"a number with {len(str(abs(int(raw))))} digits is beyond any {spec.unit}"
        return (v, None) if math.isfinite(v) else (None, f"{raw!r} is not a finite number")
    if isinstance(raw, (_dt.date, _dt.datetime, _dt.time)):
        return None, f"{raw} is a date or time, not a number ({spec.unit})"
    text = str(raw).strip().replace("\u00a0", "").replace("\u202f", "")
    if not text or text.lower() in ("na", "n/a", "nan", "null", "none", "-", "--", "—"):
        return (None, None) if text == "" or not spec.required else (None, f"{str(raw).strip()!r} is not a number; "
                                                                           "this column needs a value every month")
    shown = text
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    negative = text.startswith("(") and text.endswith(")")  # accounting style (123) = -123
    if negative:
        text = text[1:-1].strip()
    text = re.sub(r"^[$€£¥]|[$€£¥]$|\s*(usd|eur|gbp)$", "", text, flags=re.IGNORECASE).strip()
    text = text.replace(" ", "").replace("_", "").replace("'", "")
    if decimal_comma:
        if _THOUSANDS_DOT.match(text):
            text = text.replace(".", "")
        text = text.replace(",", ".")
    elif _THOUSANDS_COMMA.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return None, f"{shown!r} is not a number ({spec.unit})"
    v = float(text)
    if negative:
        v = -v
    if percent:
        if spec.kind != "share":
            return None, f"{shown!r} is a percentage; this column is {spec.unit}"
        v /= 100.0
    if not math.isfinite(v):
        return None, f"{shown!r} is not a finite number"
    return v, None


# The spends the model runs on, and the most it takes of each a month ($1bn): a history above
# that loads but could never be planned from, so it is named here, by row and column.
_MODEL_SPENDS = {"ad_spend": "ad_spend_per_month", "service_spend": "service_capacity_spend_per_month"}


def _range_problem(v: float, spec: Column) -> str | None:
    if spec.kind in ("count", "money", "minutes") and v < 0:
        what = {"count": "a count", "money": "an amount spent or earned", "minutes": "a duration"}[spec.kind]
        return f"{_fmt(v)} is negative; {what} cannot be"
    if spec.kind == "count" and v > 1e10:
        return f"{_fmt(v)} is more than 10 billion {spec.unit}"
    if spec.kind == "money" and v > 1e12:
        return f"{_fmt(v)} is more than $1 trillion"
    if spec.name in _MODEL_SPENDS and v > PARAMETERS[_MODEL_SPENDS[spec.name]].maximum:
        return (f"{_fmt(v)} is above the ${PARAMETERS[_MODEL_SPENDS[spec.name]].maximum:,.0f} a month the model "
                "can run")
    if spec.kind == "minutes" and not 0 < v <= 600:
        return f"{_fmt(v)} minutes is not a plausible handle time (above 0, at most 600 minutes)"
    if spec.kind == "score" and not -100 <= v <= 100:
        return f"{_fmt(v)} is outside -100 to 100"
    if spec.kind == "share" and not 0 <= v <= 100:
        return f"{_fmt(v)} is outside 0 to 1 (or 0% to 100%)"
    if spec.kind == "share" and v > 1:
        return f"{_fmt(v)} is outside 0 to 1; write 0.45 or 45% (or percentages 0-100 in every row)"
    return None


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.4g}"


_MONTH_NAMES = {m.lower(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_FULL_MONTHS = {m.lower(): i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_YM = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_MON_Y = re.compile(r"^([A-Za-z]+)\.?[ \-/']*(\d{4}|\d{2})$")
_Y_MON = re.compile(r"^(\d{4})[ \-/]*([A-Za-z]+)$")


def _month_value(raw: Any) -> tuple[pd.Period | int | None, str | None]:
    """A month cell -> a Period (dated), an int (month number) or a problem."""
    if isinstance(raw, _UnsavedFormula):
        return None, f"the formula {str(raw)[:40]!r} has no saved value; open and save the workbook in Excel"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "empty; every row needs its month"
    if isinstance(raw, bool):
        return None, f"{raw!r} is not a month"
    if isinstance(raw, (_dt.datetime, _dt.date, pd.Timestamp)):
        return pd.Period(year=raw.year, month=raw.month, freq="M"), None
    if isinstance(raw, (int, np.integer)) or (isinstance(raw, (float, np.floating)) and float(raw).is_integer()):
        n = int(raw)
        return (n, None) if 1 <= n <= MAX_MONTHS else (None, f"{raw!r} is not a month number (1 to {MAX_MONTHS:,}) "
                                                              "nor a date; write months as YYYY-MM")
    text = str(raw).strip()
    shown = quoted(text)
    # ASCII digits only: "²" is a digit to str.isdigit but not to int(). A month number has at
    # most a few digits, and int() refuses texts of 4,300 digits or more.
    if text.isascii() and text.isdigit():
        if len(text) > 9:
            return None, f"{shown} is not a month number (1 to {MAX_MONTHS:,}) nor a date; write months as YYYY-MM"
        return _month_value(int(text))
    try:
        if m := _YM.match(text):
            _dt.date(int(m[1]), int(m[2]), 1)  # pd.Period would roll month 13 over into the next year
            return pd.Period(year=int(m[1]), month=int(m[2]), freq="M"), None
        if m := _YMD.match(text):
            _dt.date(int(m[1]), int(m[2]), int(m[3]))  # validates the day too
            return pd.Period(year=int(m[1]), month=int(m[2]), freq="M"), None
        if m := _MON_Y.match(text):
            name = m[1].lower()
            month = _MONTH_NAMES.get(name[:3]) if (name in _FULL_MONTHS or name in _MONTH_NAMES
                                                   or name[:3] in _MONTH_NAMES and len(name) <= 4) else None
            if month:
                year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
                return pd.Period(year=year, month=month, freq="M"), None
        if m := _Y_MON.match(text):
            month = _FULL_MONTHS.get(m[2].lower()) or _MONTH_NAMES.get(m[2].lower())
            if month:
                return pd.Period(year=int(m[1]), month=month, freq="M"), None
    except ValueError:
        return None, (f"{shown} is not a valid date: years run from 0001, months from 01 to 12, and a day must "
                      "be in its month")
    if _DMY.match(text):
        return None, (f"{shown} is ambiguous (day/month or month/day differ between countries); "
                      "write months as YYYY-MM, e.g. 2024-01")
    return None, f"{shown} is not a month; write YYYY-MM (2024-01), a date, or a month number 1..N"


def _months(cells: list[tuple[int, Any]], column: str) -> tuple[list[Any], bool, list[HistoryProblem]]:
    problems: list[HistoryProblem] = []
    out: list[Any] = []
    for line, raw in cells:
        value, problem = _month_value(raw)
        if problem:
            problems.append(HistoryProblem(problem, row=line, column=column))
        out.append(value)
    kinds = {type(v) for v in out if v is not None}
    dated = pd.Period in kinds
    if len(kinds) > 1:
        numbers = [line for (line, _), v in zip(cells, out) if isinstance(v, int)]
        problems.append(HistoryProblem(f"mixes month numbers (e.g. row {numbers[0]}) and dates; use one kind "
                                       "in every row", column=column))
    return out, dated, problems


def _gaps(keys: list[int], lines: list[int], dated: bool) -> list[HistoryProblem]:
    problems: list[HistoryProblem] = []
    label = (lambda k: str(pd.Period(ordinal=k, freq="M"))) if dated else (lambda k: f"month {k}")
    seen: dict[int, int] = {}
    for k, line in zip(keys, lines):
        if k in seen:
            problems.append(HistoryProblem(f"{label(k)} appears twice (rows {seen[k]} and {line}); "
                                           "keep one row per month", row=line))
        else:
            seen[k] = line
    uniq = sorted(seen)
    for a, b in zip(uniq, uniq[1:]):
        if b - a > 1:
            missing = [label(k) for k in range(a + 1, b)]
            shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
            problems.append(HistoryProblem(f"{_n_months(len(missing))} missing between {label(a)} (row {seen[a]}) "
                                           f"and {label(b)} (row {seen[b]}): {shown}"))
    return problems


def _n_months(n: int) -> str:
    return f"{n:,} month{'' if n == 1 else 's'}"


def _balance(frame: pd.DataFrame, tolerance: float) -> list[HistoryProblem]:
    """customers[t] vs customers[t-1] + new[t] - churned[t], month 2 onwards."""
    problems = []
    c = frame["customers"].to_numpy()
    expected = c[:-1] + frame["new_customers"].to_numpy()[1:] - frame["churned_customers"].to_numpy()[1:]
    gap = c[1:] - expected
    allowed = np.maximum(tolerance * c[:-1], BALANCE_MIN_CUSTOMERS)
    with np.errstate(invalid="ignore"):
        off = np.abs(gap) > allowed  # NaN (an unreadable cell, reported already) compares False
    for i in np.flatnonzero(off):
        t = i + 1
        problems.append(HistoryProblem(
            f"{frame['period'].iloc[t]}: customers {_fmt(c[t])}, but last month's {_fmt(c[t - 1])} + new "
            f"{_fmt(frame['new_customers'].iloc[t])} - churned {_fmt(frame['churned_customers'].iloc[t])} = "
            f"{_fmt(expected[i])} (off by {_fmt(gap[i])}; allowed {tolerance:.0%} or "
            f"{BALANCE_MIN_CUSTOMERS:.0f} customers)" + ("" if problems else
            ". Customers should be counted at the end of the month, new and churned within it; "
            "read_history(..., check_balance=False) accepts the file anyway"),
            row=int(frame["_row"].iloc[t]), column="customers"))
    return problems
