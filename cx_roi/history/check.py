"""The one validator: the cells of a history, from whichever file, checked against
:data:`~cx_roi.history.schema.COLUMNS`, every problem listed with its row and column."""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..formatting import and_list, number, quoted
from .schema import (ALIASES, BALANCE_MIN_CUSTOMERS, COLUMNS, MAX_MONTHS, MAX_ROWS_ABOVE, MIN_MONTHS,
                     MIN_MONTHS_TO_FIT, REQUIRED_COLUMNS, SECONDS_ALIASES, TOO_MANY, Column, History,
                     HistoryError, HistoryProblem, balance_gaps, n_months, quote_list,
                     share_text)


def blank(value: Any) -> bool:
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


def header_at(table: pd.DataFrame) -> int | None:
    """Position of the header: the first row naming two history columns (exports often carry a title above)."""
    for i in range(min(len(table), MAX_ROWS_ABOVE)):
        if sum(isinstance(c, str) and _normalise(c) in ALIASES for c in table.iloc[i]) >= 2:
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
        if blank(raw):
            continue
        shown, norm = str(raw).strip(), _normalise(raw)
        canonical, scale = ALIASES.get(norm), 1.0
        unit = " ".join(re.findall(r"[(\[{](.*?)[)\]}]", shown)).strip().lower()
        if norm in SECONDS_ALIASES or (canonical == "aht_minutes" and unit in ("s", "sec", "secs", "second", "seconds")):
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
        note = (f"ignored column(s) {quote_list(list(unknown.values()))}: not among a history's columns "
                f"({', '.join(COLUMNS)})")
        if any(c not in cols for c in REQUIRED_COLUMNS):  # one may be a missing column under another name
            problems.append(HistoryProblem(note, row=row))
        else:
            warnings.append(note)
    return cols, problems


def validate(table: pd.DataFrame, name: str, sheet: str | None, warnings: list[str], decimal_comma: bool,
              check_balance: bool, tolerance: float) -> History:
    """Check the cells of a history, whichever file they came from, against :data:`COLUMNS`.

    ``table``: the cells as read, indexed by the row number the user sees (header included).
    """
    table = table[~table.map(blank).all(axis=1)]
    if table.empty:
        raise HistoryError(["the file holds no values, only separators or blank lines"], source=name)
    at = header_at(table) or 0
    if at:
        warnings.append(f"skipped {at} row(s) above the header (row {table.index[at]})")
    header_row, body = int(table.index[at]), table.iloc[at + 1:]
    cols, problems = _columns(table.iloc[at], header_row, sheet is not None, warnings)
    if any(c not in cols for c in REQUIRED_COLUMNS):  # cell-level messages would only add noise
        raise HistoryError(problems, source=name)
    if body.empty:
        raise HistoryError([HistoryProblem("the file has a header but no data rows", row=header_row)], source=name)
    if len(body) > MAX_MONTHS:
        raise HistoryError([TOO_MANY], source=name)

    frame = pd.DataFrame(index=body.index.astype(int))
    for canon, col in cols.items():
        spec = COLUMNS[canon]
        if canon == "month":
            order = _date_order(body[col.key])
            parse = lambda raw: _month(raw, order)  # noqa: E731
            if order:
                warnings.append(f"dates such as {quoted(order[1])} were read as {_ORDER_WORDS[order[0]]}/year "
                                f"({order[2]}); write months as YYYY-MM to be explicit")
        else:
            parse = lambda raw: _number(raw, spec, decimal_comma)  # noqa: E731
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
    # Units the file implies: a handle time headed just "AHT" with values in the hundreds is in
    # seconds (no contact centre averages an hour a contact); shares of 0-100 in every row are percentages.
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
    refused = []  # (row, column) of values out of their column's range, already a problem each
    for canon in frame.columns.drop("month"):
        for line, value in frame[canon].items():
            if math.isfinite(value) and (bad := COLUMNS[canon].problem(value)):
                problems.append(HistoryProblem(bad, row=int(line), column=cols[canon].where))
                refused.append((line, canon))
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
        in_order = keys.is_monotonic_increasing
        if not in_order:
            warnings.append("rows were not in month order; they were sorted")
        known = known.iloc[np.argsort(keys.to_numpy(), kind="stable")]
        # Rows out of order would let one unread row sit between the rows of several gaps.
        unread = [int(line) for line, p in frame["month"].items() if p is None] if in_order else []
        problems += _gaps(keys.loc[known.index], dated, unread)
        frame, ordered = (known, True) if len(known) == len(frame) else (frame, False)
    if len(frame) < MIN_MONTHS:
        problems.append(HistoryProblem(f"the history has {n_months(len(frame))}; at least {MIN_MONTHS} are needed "
                                       f"to read it and {MIN_MONTHS_TO_FIT} to fit the model"))
    if check_balance and ordered and not any("appears twice" in p.message or "missing between" in p.message
                                             for p in problems):
        # A refused value (a negative count, 1e20 customers) is a problem already: the balance is
        # checked without it, so it is not reported twice, nor as a gap a wider tolerance could allow.
        counted = frame.copy()
        for line, canon in refused:
            counted.loc[line, canon] = math.nan
        problems += _balance(counted, tolerance)
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


_NA = ("na", "n/a", "nan", "null", "none", "-", "--", "—")


def _number(raw: Any, spec: Column, decimal_comma: bool) -> tuple[float | None, str | None]:
    """A cell -> (number, or None for empty; problem text or None)."""
    if isinstance(raw, UnsavedFormula):
        return None, (f"the formula {quoted(str(raw))} has no saved value (the workbook was written by a program "
                      "and never opened in Excel); open and save it in Excel, or write the values")
    if blank(raw):
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


_ORDER_WORDS = {"dmy": "day/month", "mdy": "month/day"}


def _numbers(text: str) -> tuple[int, int, int]:
    """The three numbers of a dd/mm/yyyy-like date (``_DMY``): first, second, year."""
    first, second, year = (int(x) for x in re.split(r"[-/.]", text))
    return first, second, year


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        return bool(_dt.date(year, month, day))
    except ValueError:
        return False


def _date_order(cells: pd.Series) -> tuple[str, str, str] | None:
    """Whether the column's dd/mm/yyyy-like dates are day first ("dmy") or month first ("mdy"),
    with a date that shows it and why: a first number above 12 can only be a day, as can a second,
    and in dates all on one day of the month the number that never changes is the day. None when no date
    shows the order, or dates show both (then each such date is refused as ambiguous)."""
    # Only a real date is evidence: "45/06/2024" shows nothing about the others.
    parts = [(c.strip(), *_numbers(c.strip())) for c in cells if isinstance(c, str) and _DMY.match(c.strip())]
    firsts = [t for t, a, b, y in parts if a > 12 and _real_date(y, b, a)]
    seconds = [t for t, a, b, y in parts if b > 12 and _real_date(y, a, b)]
    if firsts and not seconds:
        return "dmy", firsts[0], "a day above 12 shows the order"
    if seconds and not firsts:
        return "mdy", seconds[0], "a day above 12 shows the order"
    real = [(t, a, b) for t, a, b, y in parts if _real_date(y, b, a) or _real_date(y, a, b)]
    if not firsts and not seconds and len(real) > 1:
        # Monthly dates on one day of the month (01/01, 01/02, ... or 01/01, 02/01, ...): the number that
        # stays the same is the day, the one that moves the month.
        a_same, b_same = len({a for _, a, _ in real}) == 1, len({b for _, _, b in real}) == 1
        if a_same != b_same:
            return ("dmy" if a_same else "mdy"), real[1][0], "the day is the same in every date, the month moves"
    return None


def _month(raw: Any, order: tuple[str, str, str] | None = None) -> tuple[pd.Period | int | None, str | None]:
    """A month cell -> a Period (dated), an int (month number), or None and a problem. ``order``:
    :func:`_date_order` of the column, which reads its dd/mm/yyyy-like dates."""
    if isinstance(raw, UnsavedFormula):
        return None, f"the formula {quoted(str(raw))} has no saved value; open and save the workbook in Excel"
    if blank(raw):
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
        if order is not None:
            first, second, year = _numbers(text)
            day, month = (first, second) if order[0] == "dmy" else (second, first)
            if not _real_date(year, month, day):
                return None, (f"{shown} is not a valid date read as {_ORDER_WORDS[order[0]]}/year, as "
                              f"{quoted(order[1])} is; write months as YYYY-MM, e.g. 2024-01")
            return pd.Period(year=year, month=month, freq="M"), None
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


def _gaps(keys: pd.Series, dated: bool, unread: Sequence[int] = ()) -> list[HistoryProblem]:
    """Months that appear twice and months missing, from the month keys in order, indexed by row.

    ``unread``: rows whose month could not be read (a problem each already), in a file whose other
    months are in order. A gap with as many of them between its two rows is most likely those rows,
    so it is not reported again."""
    label = (lambda k: str(pd.Period(ordinal=k, freq="M"))) if dated else (lambda k: f"month {k}")
    problems, seen = [], {}
    for line, k in keys.items():
        if k in seen:
            problems.append(HistoryProblem(f"{label(k)} appears twice (rows {seen[k]} and {line}); keep one row "
                                           "per month", row=line))
        seen.setdefault(k, line)
    for a, b in zip(list(seen), list(seen)[1:]):
        low, high = sorted((seen[a], seen[b]))
        if b - a > 1 and sum(low < row < high for row in unread) < b - a - 1:
            missing = [label(k) for k in range(a + 1, b)]
            problems.append(HistoryProblem(f"{n_months(len(missing))} missing between {label(a)} (row {seen[a]}) "
                                           f"and {label(b)} (row {seen[b]}): {and_list(missing, most=6)}"))
    return problems


_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_YEAR_DOT_MONTH = re.compile(r"^\d{4}\.\d{1,2}$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def decimal_commas(rows: pd.DataFrame, name: str) -> bool:
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


class UnsavedFormula(str):
    """A formula cell without a saved value, reported as such instead of as an empty cell."""


def _balance(frame: pd.DataFrame, tolerance: float) -> list[HistoryProblem]:
    """customers[t] vs customers[t-1] + new[t] - churned[t], month 2 onwards (rows in month order)."""
    problems = []
    c = frame["customers"].to_numpy(float)
    new, churned = frame["new_customers"].to_numpy(float), frame["churned_customers"].to_numpy(float)
    expected, gap, share = balance_gaps(frame)  # a month after one with no customers is off by an infinite share
    with np.errstate(invalid="ignore"):  # NaN (an unreadable cell, reported already) compares False
        off = np.abs(gap) > np.maximum(tolerance * c[:-1], BALANCE_MIN_CUSTOMERS)
    for i in np.flatnonzero(off):
        t = i + 1
        of_last = f", {share_text(abs(share[i]))} of last month's customers" if math.isfinite(share[i]) else ""
        problems.append(HistoryProblem(
            f"{frame['month'].iloc[t]}: customers {number(c[t])}, but last month's {number(c[t - 1])} + new "
            f"{number(new[t])} - churned {number(churned[t])} = {number(expected[i])} (off by "
            f"{number(gap[i])}{of_last}; allowed {share_text(tolerance)} or {BALANCE_MIN_CUSTOMERS:.0f} "
            "customers)" + ("" if problems else ". Customers should be counted at the end of the month, new and "
                                                "churned within it"),
            row=int(frame.index[t]), column="customers", gap=float(share[i])))
    return problems
