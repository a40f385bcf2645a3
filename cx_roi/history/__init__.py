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
``customers[t]`` should equal ``customers[t-1] + new - churned`` within
``balance_tolerance`` of ``customers[t-1]`` (3% unless given, at most 20%) or
5 customers, whichever is larger.

Text may be UTF-8, UTF-16 with a byte-order mark (Excel's "Unicode text"), or
else Windows-1252 (Excel's "CSV (Comma delimited)" in Western Europe: numbers
read the same), with a warning. Columns are separated by commas, tabs or
semicolons; semicolon files are read with decimal commas unless their numbers
use decimal points (a file with both is refused). Numbers may carry a currency
sign and thousands separators (``$1,234``); shares accept ``45%``.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from typing import Any

import pandas as pd

from ..errors import ScenarioError
from .check import validate
from .files import Source, read_bytes, text_table, workbook_table
from .schema import (BALANCE_MIN_CUSTOMERS, BALANCE_TOLERANCE, BALANCE_TOLERANCE_MAX, COLUMNS, MAX_BYTES, MAX_MONTHS,
                     MIN_MONTHS, MIN_MONTHS_TO_FIT, REQUIRED_COLUMNS, TOO_MANY, Column, History, HistoryError,
                     HistoryProblem, tolerance_for)

__all__ = [
    "read_history", "sample_history", "sample_history_truth", "history_template", "sample_history_file", "History",
    "HistoryError", "HistoryProblem", "Column", "COLUMNS", "REQUIRED_COLUMNS",
    "MAX_BYTES", "MAX_MONTHS", "MIN_MONTHS", "MIN_MONTHS_TO_FIT", "BALANCE_TOLERANCE", "BALANCE_MIN_CUSTOMERS",
    "BALANCE_TOLERANCE_MAX", "check_tolerance", "tolerance_for",
]


def read_history(source: Source, filename: str | None = None, *, sheet: str | int | None = None,
                 check_balance: bool = True, balance_tolerance: float = BALANCE_TOLERANCE) -> History:
    """Read and check a monthly history from a CSV or Excel (.xlsx) file.

    ``source``: a path, the file's bytes, an open file (binary or text;
    Streamlit's ``UploadedFile`` works), or a DataFrame with the history's
    columns (rows are then numbered as in a CSV written from it: header row 1,
    first month row 2). ``filename``: the name to show in messages and to tell
    CSV from Excel when the content does not (by default the path's name).
    ``sheet``: which sheet of a workbook to read, by name or 0-based position;
    needed only when several sheets hold data. ``balance_tolerance``: how far
    customers may miss adding up each month (customers[t] against customers[t-1]
    + new - churned), as a share of customers[t-1] from 0 to
    :data:`BALANCE_TOLERANCE_MAX` (default :data:`BALANCE_TOLERANCE`, 3%), or
    :data:`BALANCE_MIN_CUSTOMERS`, whichever is larger. ``check_balance=False``
    skips that check.

    Returns a :class:`History`. Raises :class:`HistoryError` listing every
    problem found, with rows and columns; never another exception for bad
    content. A ``balance_tolerance`` outside its range raises ValueError.
    """
    balance_tolerance = check_tolerance(balance_tolerance)
    if isinstance(source, pd.DataFrame):
        name = filename or "DataFrame"
        if len(source) > MAX_MONTHS:
            raise HistoryError([TOO_MANY], source=name)
        table = pd.DataFrame([list(source.columns), *source.itertuples(index=False, name=None)], dtype=object)
        table.index += 1
        return validate(table, name, None, [], False, check_balance, balance_tolerance)
    data, name = read_bytes(source, filename)
    if not data.strip():
        raise HistoryError([f"the file is empty; a history is a CSV or .xlsx file with a header row "
                            f"({', '.join(REQUIRED_COLUMNS)} and any optional columns) and a row for each month"],
                           source=name)
    if data.startswith(b"PK\x03\x04") or os.path.splitext(name)[1].lower() in (".xlsx", ".xlsm"):
        table, sheet_name, warnings = workbook_table(data, name, sheet)
        decimal_comma = False
    elif sheet is not None:
        raise HistoryError([f"sheet={sheet!r} was given, but this is a text (CSV) file, which has no sheets"],
                           source=name)
    else:
        table, warnings, decimal_comma = text_table(data, name)
        sheet_name = None
    return validate(table, name, sheet_name, warnings, decimal_comma, check_balance, balance_tolerance)


def check_tolerance(value: float) -> float:
    """``value`` as a ``balance_tolerance``: a share from 0 to :data:`BALANCE_TOLERANCE_MAX`;
    ScenarioError (a ValueError) naming the allowed range otherwise."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= BALANCE_TOLERANCE_MAX
    if not ok:
        raise ScenarioError(f"balance_tolerance must be a share from 0 to {BALANCE_TOLERANCE_MAX} (0% to "
                            f"{BALANCE_TOLERANCE_MAX:.0%} of the month before's customers), got {value!r}")
    return float(value)


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
