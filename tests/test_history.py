"""Reading a company's monthly history: good files read, bad files say every problem with row and column."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cx_roi
from cx_roi.history import (BALANCE_MIN_CUSTOMERS, COLUMNS, MAX_BYTES, MAX_MONTHS, MIN_MONTHS, REQUIRED_COLUMNS,
                            History, HistoryError, read_history)

HEADER = "month,customers,new_customers,churned_customers,ad_spend,service_spend"


def rows(n: int = 8, start: int = 1000, new: int = 100, churned: int = 50, first: str = "2024-01") -> list[str]:
    """``n`` consistent monthly rows: customers grow by new - churned each month."""
    period = pd.Period(first, freq="M")
    out, customers = [], start
    for i in range(n):
        customers += new - churned
        out.append(f"{period + i},{customers},{new},{churned},10000,5000")
    return out


def csv_bytes(lines: list[str], header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def problems_of(data, name="test.csv", **kw) -> list[str]:
    with pytest.raises(HistoryError) as info:
        read_history(data, name, **kw)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, cx_roi.CxRoiError)
    assert str(err).startswith("Cannot use this history")
    return err.problems


# ---------------------------------------------------------------- good files

def test_sample_history_is_complete_and_adds_up():
    h = cx_roi.sample_history()
    assert isinstance(h, History) and h.months == 48 and h.dated and h.warnings == ()
    assert list(h.frame.index) == list(range(1, 49))
    assert h.periods[0] == "2021-01" and h.periods[-1] == "2024-12"
    assert set(COLUMNS) - {"month"} <= set(h.frame.columns)
    f = h.frame
    np.testing.assert_array_equal(f["customers"].diff().iloc[1:],
                                  (f["new_customers"] - f["churned_customers"]).iloc[1:])
    assert h.initial_customers == cx_roi.sample_history_truth()["stated_in_file"]["initial_customers"]


def test_bundled_files_load_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cx_roi.sample_history().months == 48
    assert cx_roi.sample_history_truth()["synthetic"] is True
    header = cx_roi.history_template().decode("utf-8").splitlines()[0].split(",")
    assert header == [c for c in COLUMNS]
    assert cx_roi.sample_history_file().startswith(b"month,customers,")


def test_template_rows_follow_the_rules_but_are_too_few():
    problems = problems_of(cx_roi.history_template(), "history_template.csv")
    assert len(problems) == 1 and f"at least {MIN_MONTHS}" in problems[0]


def test_excel_sample_equals_csv_sample():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    xlsx = read_history(root / "sample_data" / "sample_history.xlsx")
    assert xlsx.sheet == "history"
    pd.testing.assert_frame_equal(xlsx.frame, cx_roi.sample_history().frame)
    # The user-facing copy is the same file as the package data.
    assert (root / "sample_data" / "sample_history.csv").read_bytes() == cx_roi.sample_history_file()


@pytest.mark.parametrize("kind", ["bytes", "path", "binary file", "text file", "upload"])
def test_every_kind_of_source_reads(kind, tmp_path):
    data = csv_bytes(rows())
    path = tmp_path / "h.csv"
    path.write_bytes(data)
    if kind == "bytes":
        src = data
    elif kind == "path":
        src = str(path)
    elif kind == "binary file":
        src = open(path, "rb")
    elif kind == "text file":
        src = open(path, encoding="utf-8", newline="")
    else:
        src = io.BytesIO(data)
        src.name = "upload.csv"  # Streamlit's UploadedFile is a BytesIO with a name
    h = read_history(src)
    assert h.months == 8 and h.frame["customers"].iloc[-1] == 1400
    if hasattr(src, "close"):
        src.close()


def test_an_upload_read_before_is_read_again_from_the_start():
    upload = io.BytesIO(csv_bytes(rows()))
    upload.read()  # e.g. the UI looked at it first
    assert read_history(upload, "upload.csv").months == 8


def test_dataframes_read_like_files_with_csv_row_numbers():
    frame = cx_roi.sample_history().frame
    again = read_history(frame)  # its 'period' column is read as the month
    pd.testing.assert_frame_equal(again.frame, frame)
    bad = frame.rename(columns={"period": "month"}).copy()
    bad.loc[3, "ad_spend"] = -1.0  # the third month: row 4 of a CSV written from the frame
    problems = problems_of(bad, "mine")
    assert problems == ["row 4, column ad_spend: -1 is negative; an amount spent or earned cannot be"]


def test_friendly_headers_units_currency_and_thousands():
    header = "Month,Customers,New customers,Churned,Ad spend ($),Service-spend,AHT (seconds),Promoters,Detractors"
    lines = [f"{r},\"$10,000\",360,45%,20%" for r in (",".join(x.split(",")[:5]) for x in rows())]
    h = read_history(csv_bytes(lines, header))
    f = h.frame
    assert f["service_spend"].iloc[0] == 10_000 and f["aht_minutes"].iloc[0] == 6.0
    assert f["promoter_share"].iloc[0] == pytest.approx(0.45) and f["nps"].iloc[0] == pytest.approx(25.0)
    assert any("seconds / 60" in w for w in h.warnings) and any("'Churned' read as" in w for w in h.warnings)


def test_semicolons_with_decimal_commas():
    lines = [r.replace(",", ";") + ";45,50" for r in rows()]
    lines[0] = lines[0].replace(";10000;", ";10.000;")
    h = read_history(csv_bytes(lines, HEADER.replace(",", ";") + ";arpu"))
    assert h.frame["arpu"].iloc[0] == 45.5 and h.frame["ad_spend"].iloc[0] == 10_000
    assert any("decimal commas" in w for w in h.warnings)


def test_semicolons_with_decimal_points():
    """A program's semicolon file writes 45.125 for 45.125, not for 45,125."""
    lines = [r.replace(",", ";") + f";{arpu}" for r, arpu in zip(rows(), ["45.68", "45.125"] * 4)]
    h = read_history(csv_bytes(lines, HEADER.replace(",", ";") + ";arpu"))
    assert list(h.frame["arpu"].iloc[:2]) == [45.68, 45.125]
    assert any("decimal points" in w for w in h.warnings)


def test_semicolons_mixing_decimal_commas_and_points_are_refused():
    lines = [r.replace(",", ";") + f";{arpu}" for r, arpu in zip(rows(), ["45,5", "45.68"] + ["45,5"] * 6)]
    problems = problems_of(csv_bytes(lines, HEADER.replace(",", ";") + ";arpu"))
    assert len(problems) == 1
    assert "mixes decimal commas (row 2: '45,5') and decimal points (row 3: '45.68')" in problems[0]


@pytest.mark.parametrize("month", ["2024-13", "2024-00", "2024-13-01"])
def test_impossible_months_are_refused_not_rolled_over(month):
    lines = rows()
    lines[3] = month + lines[3][7:]
    problems = problems_of(csv_bytes(lines))
    assert any(f"row 5, column month: {month!r} is not a valid date" in p for p in problems), problems
    assert not any("appears twice" in p for p in problems)


@pytest.mark.parametrize("column,at", [("ad_spend", 4), ("service_spend", 5)])
def test_a_spend_above_what_the_model_runs_is_named_where_it_is(column, at):
    """It would load, then fail at "Fit" naming a model field the file does not have."""
    lines = rows()
    cells = lines[2].split(",")
    cells[at] = "2000000000"
    lines[2] = ",".join(cells)
    problems = problems_of(csv_bytes(lines))
    assert problems == [f"row 4, column {column}: 2,000,000,000 is above the $1,000,000,000 a month the model "
                        "can run"], problems


@pytest.mark.parametrize("month,words", [
    ("0000-01", "'0000-01' is not a valid date: years run from 0001"),
    ("²", "'²' is not a month; write YYYY-MM"),  # a digit to str.isdigit, not to int()
    ("7" * 5000, f"{'7' * 40!r}... is not a month number"),  # int() refuses 4,300 digits
])
def test_odd_month_cells_are_named_by_row_and_column(month, words):
    lines = [str(i + 1) + line[line.index(","):] for i, line in enumerate(rows())]  # month numbers
    lines[3] = month + lines[3][lines[3].index(","):]
    problems = problems_of(csv_bytes(lines))
    assert any(p.startswith(f"row 5, column month: {words}") for p in problems), problems


@pytest.mark.parametrize("fmt", ["%Y-%m", "%Y-%m-%d", "%b %Y", "%B %Y", "%Y/%m", "number"])
def test_month_formats(fmt):
    lines = rows()
    out = []
    for i, line in enumerate(lines):
        period = pd.Period(line.split(",")[0], freq="M")
        label = str(i + 1) if fmt == "number" else period.to_timestamp().strftime(fmt)
        out.append(label + line[line.index(","):])
    h = read_history(csv_bytes(out))
    assert h.months == 8 and h.dated == (fmt != "number")
    if fmt != "number":
        assert h.periods[0] == "2024-01"


def test_share_columns_in_percent_points_are_rescaled():
    lines = [r + f",{41 + i},{19}" for i, r in enumerate(rows())]
    h = read_history(csv_bytes(lines, HEADER + ",promoter_share,detractor_share"))
    assert h.frame["promoter_share"].iloc[0] == pytest.approx(0.41)
    assert any("percentages" in w for w in h.warnings)


def test_rows_out_of_order_are_sorted_with_a_warning():
    lines = rows()
    lines[2], lines[3] = lines[3], lines[2]
    h = read_history(csv_bytes(lines))
    assert h.periods == [str(pd.Period("2024-01", freq="M") + i) for i in range(8)]
    assert any("sorted" in w for w in h.warnings)


def test_windows_1252_is_read_with_a_warning():
    data = csv_bytes([r + ",Île-de-France" for r in rows()], HEADER + ",Région", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    h = read_history(data)
    assert h.months == 8
    assert any("Windows-1252" in w for w in h.warnings) and any("'Région'" in w for w in h.warnings)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_utf8_bom_and_utf16_with_bom_read(encoding):
    h = read_history(csv_bytes(rows(), encoding=encoding))
    assert h.months == 8 and h.warnings == ()


def test_optional_columns_may_have_gaps():
    lines = [r + ("," if i % 3 else ",30") for i, r in enumerate(rows())]
    h = read_history(csv_bytes(lines, HEADER + ",nps"))
    assert h.frame["nps"].isna().sum() == 5 and h.has("nps")


# ---------------------------------------------------------------- bad files

def test_missing_columns_are_named_with_the_closest_header():
    problems = problems_of(csv_bytes(["2024-01,1,2,3,4"], "month,custmers,new_customers,churned_customers,ads"))
    assert len(problems) == 3
    assert "'customers' is missing" in problems[0] and "'custmers'" in problems[0]
    assert "'service_spend' is missing" in problems[1]
    # The headers read as no column are listed: one may be the missing column under another name.
    assert "'custmers'" in problems[2]


def test_a_header_too_far_from_the_missing_column_is_listed_with_the_columns_found():
    problems = problems_of(csv_bytes(rows(8), HEADER.replace("customers,", "clients,", 1)))
    assert any("'customers' is missing" in p for p in problems)
    assert any("'clients'" in p for p in problems), problems


def test_every_problem_is_reported_at_once_with_row_and_column():
    lines = rows(10)
    lines.insert(0, "")  # a blank line: row numbers must still match the file's lines
    text = "# exported from the CRM\n" + "\n".join([HEADER, *lines]) + "\n"
    bad = text.splitlines()
    # line numbers in the file: 1 comment, 2 header, 3 blank, 4.. data
    bad[4] = bad[4].replace(",100,", ",n/a,")          # line 5: non-numeric new_customers
    bad[6] = bad[6].replace(",50,", ",-50,")           # line 7: negative churn
    bad[8] = bad[8].replace(",5000", ",")              # line 9: empty service_spend
    bad[10] = bad[9]                                   # line 11: month repeated
    problems = problems_of(("\n".join(bad) + "\n").encode())
    text_of = "\n".join(problems)
    assert "row 5, column new_customers: 'n/a' is not a number" in text_of
    assert "row 7, column churned_customers: -50 is negative" in text_of
    assert "row 9, column service_spend: empty" in text_of
    assert "appears twice (rows 10 and 11)" in text_of
    assert "missing between" in text_of  # the month that the repeat replaced
    assert len(problems) == 5


def test_missing_and_duplicate_months():
    lines = rows(10)
    del lines[4]
    lines.append(lines[-1])
    problems = problems_of(csv_bytes(lines), check_balance=False)
    assert any("1 month missing between 2024-04 (row 5) and 2024-06 (row 6): 2024-05" in p for p in problems)
    assert any("2024-10 appears twice (rows 10 and 11)" in p for p in problems)


def test_customers_that_do_not_add_up_are_reported_unless_allowed():
    lines = rows(8)
    parts = lines[3].split(",")
    parts[1] = str(int(parts[1]) + 40)  # 4% off a base of about 1,200
    lines[3] = ",".join(parts)
    problems = problems_of(csv_bytes(lines))
    assert len(problems) == 2  # the month itself and the next one, whose base is now off
    assert problems[0].startswith("row 5, column customers: 2024-04: customers 1,240")
    assert "off by 40, 3.5% of last month's customers" in problems[0]
    # The rows state facts in the file's terms; what a caller can do is said once, after them.
    with pytest.raises(HistoryError) as info:
        read_history(csv_bytes(lines))
    assert not any("read_history" in p or "check_balance" in p for p in info.value.problems)
    assert "balance_tolerance=0.035" in str(info.value) and "check_balance=False" in str(info.value)
    assert read_history(csv_bytes(lines), check_balance=False).months == 8
    assert read_history(csv_bytes(lines), balance_tolerance=0.05).months == 8


def test_small_rounding_gaps_are_tolerated():
    lines = rows(8)
    parts = lines[3].split(",")
    parts[1] = str(int(parts[1]) + int(BALANCE_MIN_CUSTOMERS))
    lines[3] = ",".join(parts)
    assert read_history(csv_bytes(lines)).months == 8


def noisy_history(seed: int = 7, months: int = 48, noise: float = 0.02) -> tuple[bytes, np.ndarray]:
    """A growing company's history whose month-end customers miss last month's + new - churned by up
    to ``noise`` of last month's customers (uniform, seeded), as billing and CRM counts do. Returns the
    CSV and each month's gap in customers (month 2 onwards)."""
    rng = np.random.default_rng(seed)
    new = rng.integers(400, 900, months)
    churned = rng.integers(150, 400, months)
    customers = np.empty(months)
    customers[0] = 20_000
    gaps = np.zeros(months - 1)
    for t in range(1, months):
        gaps[t - 1] = np.round(rng.uniform(-noise, noise) * customers[t - 1])
        customers[t] = customers[t - 1] + new[t] - churned[t] + gaps[t - 1]
    period = pd.Period("2021-01", freq="M")
    lines = [f"{period + t},{customers[t]:.0f},{new[t]},{churned[t]},10000,5000" for t in range(months)]
    return csv_bytes(lines), gaps


def test_a_history_whose_counts_disagree_by_two_percent_reads_at_the_default_tolerance():
    data, gaps = noisy_history()
    assert read_history(data).months == 48
    assert 0.015 < read_history(data).balance_gap < 0.0201  # the noise put in, measured back


def test_at_zero_tolerance_every_month_off_by_more_than_five_customers_is_named_by_row():
    data, gaps = noisy_history()
    with pytest.raises(HistoryError) as info:
        read_history(data, balance_tolerance=0)
    err = info.value
    expected_rows = [t + 3 for t, g in enumerate(gaps) if abs(g) > BALANCE_MIN_CUSTOMERS]  # month 2 is row 3
    assert len(expected_rows) > 40
    assert [p.row for p in err.details] == expected_rows
    assert all(p.column == "customers" and p.gap is not None for p in err.details)
    assert all(str(p).startswith(f"row {p.row}, column customers: ") for p in err.details)
    # The largest gap the error reports is the smallest tolerance that reads the file.
    assert 0.015 < err.balance_gap < 0.0201
    assert read_history(data, balance_tolerance=cx_roi.history.tolerance_for(err.balance_gap)).months == 48
    with pytest.raises(HistoryError):
        read_history(data, balance_tolerance=err.balance_gap * 0.99)


def test_noise_in_the_month_end_count_itself_shows_twice_over():
    """A count off by up to 2% in each month: two months' errors meet in one gap (methodology: ~4%)."""
    rng = np.random.default_rng(3)
    new, churned = rng.integers(400, 900, 48), rng.integers(150, 400, 48)
    true = 20_000 + np.cumsum(new - churned)
    counted = np.round(true * (1 + rng.uniform(-0.02, 0.02, 48)))
    lines = [f"{pd.Period('2021-01', freq='M') + t},{counted[t]:.0f},{new[t]},{churned[t]},10000,5000"
             for t in range(48)]
    history = read_history(csv_bytes(lines), balance_tolerance=0.045)
    assert 0.03 < history.balance_gap < 0.045


@pytest.mark.parametrize("tolerance", [-0.01, 0.21, 1, 3, float("nan"), float("inf"), True, "3%", None])
def test_a_tolerance_outside_its_range_is_refused_at_the_door(tolerance):
    with pytest.raises(ValueError, match=r"balance_tolerance must be a share from 0 to 0\.2 \(0% to 20%"):
        read_history(csv_bytes(rows(8)), balance_tolerance=tolerance)


@pytest.mark.parametrize("share, text", [(0.0, "0%"), (0.03, "3%"), (0.0362, "3.6%"), (0.0003, "under 0.1%"),
                                         (0.2, "20%"), (float("inf"), "all")])
def test_gaps_in_words_never_round_a_gap_to_nothing(share, text):
    from cx_roi.history.schema import share_text

    assert share_text(share) == text


def test_the_largest_tolerance_is_accepted_and_a_larger_gap_says_fix_the_rows():
    lines = rows(8)
    parts = lines[3].split(",")
    parts[1] = str(int(parts[1]) + 300)  # 26% off a base of 1,150
    lines[3] = ",".join(parts)
    with pytest.raises(HistoryError) as info:
        read_history(csv_bytes(lines), balance_tolerance=cx_roi.history.BALANCE_TOLERANCE_MAX)
    assert info.value.balance_gap > cx_roi.history.BALANCE_TOLERANCE_MAX
    assert "more than the largest balance_tolerance" in str(info.value)


def test_shares_outside_range_and_inconsistent():
    lines = [r + ",0.7,0.5" for r in rows()]
    lines[0] = lines[0].replace(",0.7,0.5", ",1.4,0.2")
    problems = problems_of(csv_bytes(lines, HEADER + ",promoter_share,detractor_share"))
    assert any(p.startswith("row 2, column promoter_share: 1.4 is outside 0 to 1") for p in problems)
    assert sum("add up to at most 1" in p for p in problems) == 8  # 1.4 + 0.2 too


def test_ambiguous_and_unreadable_months():
    lines = rows()
    lines[1] = "02/03/2024" + lines[1][7:]
    lines[2] = "someday" + lines[2][7:]
    problems = problems_of(csv_bytes(lines))
    assert any("row 3, column month: '02/03/2024' is ambiguous" in p for p in problems)
    assert any("row 4, column month: 'someday' is not a month" in p for p in problems)
    # The months those two rows hold are not reported again as missing ...
    assert not any("missing between" in p for p in problems), problems
    # ... but a month missing elsewhere still is.
    del lines[6]
    problems = problems_of(csv_bytes(lines))
    assert [p for p in problems if "missing between" in p] == [
        "1 month missing between 2024-06 (row 7) and 2024-08 (row 8): 2024-07"], problems
    # Out of order, one unread row could sit between the rows of several gaps: every gap is reported.
    shuffled = rows(12)
    shuffled = [shuffled[i] for i in (0, 5, 2, 7, 3, 4, 8, 9, 10, 11)]  # no 2024-02 nor 2024-07
    shuffled[2] = "someday" + shuffled[2][7:]
    problems = problems_of(csv_bytes(shuffled))
    assert sum("missing between" in p for p in problems) == 2, problems


def test_mixed_month_kinds():
    lines = rows()
    lines[0] = "1" + lines[0][7:]
    assert any("mixes month numbers" in p for p in problems_of(csv_bytes(lines)))


def test_too_few_months():
    problems = problems_of(csv_bytes(rows(MIN_MONTHS - 1)))
    assert problems == [f"the history has {MIN_MONTHS - 1} months; at least {MIN_MONTHS} are needed "
                        "to read it and 18 to fit the model"]


def test_header_only_and_empty_files():
    assert problems_of(csv_bytes([])) == ["row 1: the file has a header but no data rows"]
    for empty in (b"", b"  \n\r\n "):
        (problem,) = problems_of(empty)
        assert problem.startswith("the file is empty") and all(c in problem for c in REQUIRED_COLUMNS), \
            "and what a history holds"
    assert "single column" in problems_of(b"just some text\nmore text\n")[0]
    assert problems_of(b";") == ["the file holds no values, only separators or blank lines"]  # found by hypothesis
    assert problems_of(b",,,\n,,\n") == ["the file holds no values, only separators or blank lines"]


def test_too_large_file():
    big = csv_bytes(rows()) + b"#" * (MAX_BYTES + 10)
    problems = problems_of(big)
    assert len(problems) == 1 and "the limit is 5 MB" in problems[0]


def test_too_many_months():
    lines = [f"{i},{1000},{0},{0},1,1" for i in range(1, MAX_MONTHS + 3)]
    problems = problems_of(csv_bytes(lines))
    assert len(problems) == 1 and f"more than {MAX_MONTHS:,} months" in problems[0]


@pytest.mark.parametrize("data, expected", [
    (b"%PDF-1.7\n%\xe2\xe3", "not a CSV or Excel table"),  # a PDF
    (b"\x89PNG\r\n\x1a\n" + bytes(50), "not a CSV or Excel table"),  # a PNG image
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50), "not a CSV or Excel table"),  # an old-format .xls
    (bytes(range(256)) * 4, "binary data"),
    ("month,customers\n1,2\n".encode("utf-16-le"), "not a CSV or Excel table"),  # UTF-16 without a byte-order mark
    (b"month,customers\n\x81\x8d\xff\xfe\n", "neither UTF-8 text"),
    (b"PK\x03\x04 this is not a zip", "damaged"),
])
def test_not_a_history_file(data, expected):
    problems = problems_of(data)
    assert len(problems) == 1 and expected in problems[0]
    if "not a CSV or Excel table" in problems[0]:  # the file is refused, and the message says what is read
        assert "CSV file" in problems[0] and ".xlsx" in problems[0]


def test_random_binary_junk_is_rejected():
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(4000))
    assert len(problems_of(junk, "junk.csv")) == 1


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, content in sheets.items():
        ws = wb.create_sheet(title)
        for r in content:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _grid(lines: list[str]) -> list[list]:
    out = [HEADER.split(",")]
    for line in lines:
        month, *nums = line.split(",")
        y, m = (int(x) for x in month.split("-"))
        out.append([dt.datetime(y, m, 1), *(float(x) for x in nums)])
    return out


def test_excel_with_several_sheets_names_them_and_sheet_chooses():
    data = _xlsx({"Notes": [["made by finance"]], "History": _grid(rows()), "Empty": []})
    with pytest.raises(HistoryError) as info:
        read_history(data, "book.xlsx")
    err = info.value
    assert err.sheets == ["History", "Notes"], "the one that looks like a history first: a picker starts on it"
    assert "e.g. sheet='History'" in err.problems[0]
    assert "2 sheets with data ('Notes', 'History'); 'History' looks like a history" in err.problems[0]
    assert read_history(data, "book.xlsx", sheet="history").months == 8  # names match case-insensitively
    assert read_history(data, "book.xlsx", sheet=1).sheet == "History"
    assert "no sheet 'Data'" in problems_of(data, "book.xlsx", sheet="Data")[0]
    assert "positions 0 to 2" in problems_of(data, "book.xlsx", sheet=5)[0]


def test_excel_cells_report_spreadsheet_rows_and_column_letters():
    grid = [["exported 2024-09-01"], [], *_grid(rows())]
    grid[5][2] = "lots"  # spreadsheet row 6, column C (new_customers)
    problems = problems_of(_xlsx({"h": grid}), "book.xlsx")
    assert problems == ["row 6, column C new_customers: 'lots' is not a number (customers per month)"]


def test_formulas_without_saved_values_are_named():
    grid = _grid(rows())
    grid[3][1] = "=B3+C4-D4"  # openpyxl stores the formula, not its value, as Excel would
    problems = problems_of(_xlsx({"h": grid}), "generated.xlsx")
    assert len(problems) == 1
    assert problems[0].startswith("row 4, column B customers: the formula '=B3+C4-D4' has no saved value")


def test_workbook_with_only_empty_sheets_and_zip_that_is_not_excel():
    assert "every sheet of the workbook is empty" in problems_of(_xlsx({"a": [], "b": []}), "x.xlsx")[0]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "hello")
    assert "not an Excel workbook" in problems_of(buf.getvalue(), "x.xlsx")[0]


def test_zip_bomb_is_refused_before_unpacking():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
    assert len(buf.getvalue()) < MAX_BYTES
    assert "unpacks to 70 MB" in problems_of(buf.getvalue(), "bomb.xlsx")[0]


def test_sheet_argument_on_a_csv_is_a_clear_error():
    assert "has no sheets" in problems_of(csv_bytes(rows()), sheet="x")[0]


def test_required_column_list_is_documented():
    assert REQUIRED_COLUMNS == ("month", "customers", "new_customers", "churned_customers", "ad_spend",
                                "service_spend")
    assert all(c in cx_roi.history.__doc__ for c in COLUMNS)


# ---------------------------------------------------------------- never a traceback

_SAMPLE = None


def _sample() -> bytes:
    global _SAMPLE
    if _SAMPLE is None:
        _SAMPLE = cx_roi.sample_history_file()
    return _SAMPLE


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_files_give_a_history_or_a_history_error(data):
    base = bytearray(_sample())
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        i = data.draw(st.integers(0, len(base) - 1))
        if op == "flip":
            base[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del base[i:i + data.draw(st.integers(1, 200))]
        elif op == "insert":
            base[i:i] = data.draw(st.binary(min_size=1, max_size=20))
        else:
            base[i:i] = base[i:i + data.draw(st.integers(1, 120))]
        if not base:
            break
    try:
        result = read_history(bytes(base), "mangled.csv")
    except HistoryError as err:
        assert err.problems and all(isinstance(p, str) and p for p in err.problems)
    else:
        assert isinstance(result, History) and result.months >= MIN_MONTHS


def test_damaged_workbooks_give_a_history_error():
    good = _xlsx({"h": _grid(rows())})
    rng = random.Random(11)
    for _ in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(100, len(data))
            data[i:i + rng.randint(1, 3)] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3)))
        try:
            read_history(bytes(data), "damaged.xlsx")
        except HistoryError as err:
            assert err.problems
        # (a change that hits nothing important may still read)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_else(blob):
    try:
        read_history(blob, "anything.csv")
    except HistoryError:
        pass


def test_a_frame_cell_past_the_float_range_is_named_not_raised():
    frame = cx_roi.sample_history().frame.astype(object)
    frame.iloc[3, frame.columns.get_loc("ad_spend")] = 10**400
    problems = problems_of(frame)
    assert problems == ["row 5, column ad_spend: a number with 401 digits is beyond any $ per month"], problems


def test_dates_whose_day_shows_the_order_are_read_and_the_rest_of_the_column_with_them():
    """'31/01/2021' can only be day first: the column is read day first (02/03/2024 is 2 March), and a
    warning says so; a column where no date shows the order stays ambiguous, one where dates show both
    orders too."""
    lines = rows(8, first="2024-01")
    dated = [f"{d}/{m:02d}/2024" + line[7:] for (d, m), line in zip([(31, 1), (29, 2), (2, 3), (30, 4), (31, 5),
                                                                      (30, 6), (31, 7), (31, 8)], lines)]
    history = read_history(csv_bytes(dated), "dates.csv")
    assert list(history.frame["period"]) == [str(pd.Period("2024-01", freq="M") + i) for i in range(8)]
    assert any("'31/01/2024'" in w and "day/month" in w for w in history.warnings)
    month_first = [f"{m:02d}/{d}/2024" + line[7:] for (d, m), line in zip([(31, 1), (29, 2), (2, 3), (30, 4),
                                                                           (31, 5), (30, 6), (31, 7), (31, 8)], lines)]
    assert list(read_history(csv_bytes(month_first), "us.csv").frame["period"]) == list(history.frame["period"])
    both = dated[:4] + month_first[4:]
    assert any("'05/31/2024' is ambiguous" in p for p in problems_of(csv_bytes(both)))
    # Dates all on the first of the month: the number that never changes is the day, either way round
    # (every row was refused as ambiguous).
    firsts = [f"01/{m:02d}/2024" + line[7:] for m, line in zip(range(1, 9), lines)]
    us_firsts = [f"{m:02d}/01/2024" + line[7:] for m, line in zip(range(1, 9), lines)]
    for same_day in (firsts, us_firsts):
        read = read_history(csv_bytes(same_day), "firsts.csv")
        assert list(read.frame["period"]) == list(history.frame["period"])
        assert not any("above 12" in w for w in read.warnings), "the reason given is this column's"
    # Only a real date shows the order: an impossible one is refused, and decides nothing.
    firsts[5] = "45/06/2024" + lines[5][7:]
    problems = problems_of(csv_bytes(firsts))
    assert any("'45/06/2024' is not a valid date" in p for p in problems), problems
    assert not any("ambiguous" in p for p in problems), problems


def test_a_refused_count_is_not_also_a_gap_in_the_customer_balance():
    """A negative churn or a customer count out of range is one problem, not also a balance gap that a
    wider allowed gap would seem to fix."""
    lines = rows(8)
    parts = lines[4].split(",")
    parts[3] = "-50"
    lines[4] = ",".join(parts)
    problems = problems_of(csv_bytes(lines))
    assert len(problems) == 1 and "negative" in problems[0] and "row 6" in problems[0], problems
    lines = rows(8)
    parts = lines[4].split(",")
    parts[1] = "1e20"
    lines[4] = ",".join(parts)
    problems = problems_of(csv_bytes(lines))
    assert len(problems) == 1 and "row 6, column customers" in problems[0], problems
