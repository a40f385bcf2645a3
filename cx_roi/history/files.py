"""Bytes to cells: a CSV file (its encoding, separator and decimal mark) or an Excel workbook (the
sheet to read), as a table indexed by the row numbers the user sees; no judgement of the values."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from ..formatting import quoted
from .check import UnsavedFormula, blank, decimal_commas, header_at
from .schema import (COLUMNS, MAX_BYTES, MAX_MONTHS, MAX_ROWS_ABOVE, TOO_MANY, HistoryError, HistoryProblem,
                     quote_list)

_MAX_UNZIPPED = 60 * 1024 * 1024  # a 5 MB .xlsx that inflates past this is a zip bomb, not a history
_MAX_COLUMNS = 200
_FORMATS = ("a history is a CSV file (UTF-8, UTF-16 with a byte-order mark, or Windows-1252 text) "
            "or an Excel workbook (.xlsx)")

Source = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO | io.TextIOBase | pd.DataFrame


def read_bytes(source: Source, filename: str | None) -> tuple[bytes, str]:
    """The file's bytes and its name for messages; HistoryError when it is over :data:`MAX_BYTES`."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                return read_bytes(fh, filename or os.path.basename(path))
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

def text_table(data: bytes, name: str) -> tuple[pd.DataFrame, list[str], bool]:
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
    if len(lines) - first > 2 * (MAX_MONTHS + MAX_ROWS_ABOVE):
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
    decimal_comma = sep == ";" and decimal_commas(table.iloc[1:], name)
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


# ------------------------------------------------------------------ Excel

def workbook_table(data: bytes, name: str, sheet: str | int | None) -> tuple[pd.DataFrame, str, list[str]]:
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
    filled = [t for t in titles if not book[t].map(blank).all(axis=None)]
    if sheet is not None:
        title = _pick_sheet(sheet, titles, name)
    elif len(filled) == 1:
        title = filled[0]
    elif not filled:
        raise HistoryError(["every sheet of the workbook is empty"], source=name)  # no sheet to choose
    else:
        likely = [t for t in filled if header_at(book[t]) is not None]
        hint = f"; {quote_list(likely)} look{'s' if len(likely) == 1 else ''} like a history" if likely else ""
        ordered = likely + [t for t in filled if t not in likely]  # a picker starts on a likely one
        raise HistoryError([f"the workbook has {len(filled)} sheets with data ({quote_list(filled)}){hint}. Choose "
                            f"one with sheet=, e.g. sheet={ordered[0]!r}, or keep only the history sheet"],
                           source=name, sheets=ordered)
    table = book[title].astype(object)
    if table.map(blank).all(axis=None):
        raise HistoryError([f"sheet {title!r} is empty"], source=name, sheets=titles)
    empty = table.isna()
    if empty.any(axis=None):
        # A formula cell whose value the workbook does not store (written by a program, never opened
        # in Excel) reads as empty; the formulas themselves say which.
        formulas = _read_excel(data, name, title, data_only=False).reindex_like(table)
        unsaved = empty & formulas.map(lambda v: isinstance(v, str) and v.startswith("="))
        for r, c in zip(*np.nonzero(unsaved.to_numpy())):
            table.iat[r, c] = UnsavedFormula(formulas.iat[r, c])
    table.index += 1
    return table, title, [f"read sheet {title!r} of {len(titles)}"] if len(titles) > 1 else []


def _read_excel(data: bytes, name: str, title: str | None, data_only: bool = True) -> Any:
    """One sheet (``title``) or all ({title: cells}) of a workbook, at most the rows a history can have."""
    try:
        book = pd.read_excel(io.BytesIO(data), sheet_name=title, header=None, engine="openpyxl",
                             nrows=MAX_MONTHS + MAX_ROWS_ABOVE + 2, engine_kwargs={"data_only": data_only})
    except Exception as exc:  # zipfile's, XML's and openpyxl's own errors all mean this to a user
        raise HistoryError([f"the workbook is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:120]}); "
                            "open it in Excel and save it again as .xlsx"], source=name) from None
    for cells in book.values() if isinstance(book, dict) else [book]:
        if len(cells) > MAX_MONTHS + MAX_ROWS_ABOVE + 1:
            raise HistoryError([TOO_MANY], source=name)
    return book


def _pick_sheet(sheet: str | int, titles: list[str], name: str) -> str:
    """The title of the sheet asked for by name (any case) or 0-based position."""
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise HistoryError([f"sheet={sheet!r}: give a sheet name or a 0-based position"], source=name, sheets=titles)
    if isinstance(sheet, int):
        if 0 <= sheet < len(titles):
            return titles[sheet]
        raise HistoryError([f"sheet={sheet}: the workbook has {len(titles)} sheet(s), positions 0 to "
                            f"{len(titles) - 1}: {quote_list(titles)}"], source=name, sheets=titles)
    match = [t for t in titles if t.strip().casefold() == sheet.strip().casefold()]
    if not match:
        raise HistoryError([f"there is no sheet {quoted(sheet)}; the sheets are {quote_list(titles)}"], source=name,
                           sheets=titles)
    return match[0]
