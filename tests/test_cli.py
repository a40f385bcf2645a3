"""The command line, run as a user would: ``python -m cx_roi ...`` in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import cx_roi

REPO_ROOT = Path(__file__).resolve().parents[1]
LEVERS = ("service_capacity_spend_per_month", "service_quality_spend_per_month", "ad_spend_per_month")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cx_roi", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def assert_ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip()


def assert_one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:"), proc.stderr
    assert len(lines[0]) > len("error:") + 5, proc.stderr
    return lines[0]


def printed_npv(stdout: str) -> float:
    match = re.search(r"^npv\s+(-?[\d,._]+(?:e[+-]?\d+)?)\s+\$\s*$", stdout, flags=re.MULTILINE)
    assert match, stdout
    return float(match.group(1).replace(",", "").replace("_", ""))


# All invocations are started at once (each pays ~1 s of interpreter and numpy/pandas start-up),
# then each test checks its own result.

MALFORMED = {
    "truncated": b'{"shrinkage": 0.3,',
    "trailing-comma": b'{"shrinkage": 0.3,}',
    "nan": b'{"shrinkage": NaN}',
    "array": b"[1, 2]",
    "not-utf8": b"\xff\xfe\x00\x01",
    # valid JSON, but the number is too big even for a float
    "huge-integer": b'{"market_size": 1' + b"0" * 400 + b"}",
    "deeply-nested": b'{"ad_spend_per_month": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}
FILE_SCENARIO = cx_roi.Scenario(ad_spend_per_month=[100_000.0, 250_000.0], horizon_months=36, shrinkage=0.1 + 0.2)


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    (d / "scenario.json").write_text(FILE_SCENARIO.to_json())
    (d / "own.json").write_text(FILE_SCENARIO.to_json())  # read and named as --out by one command
    partial = json.loads(FILE_SCENARIO.to_json())
    del partial["shrinkage"]
    (d / "partial.json").write_text(json.dumps(partial))
    for key, content in MALFORMED.items():
        (d / f"{key}.json").write_bytes(content)
    cases = {
        "presets": ["presets"],
        "simulate_csv": ["simulate", "--preset", "revolving-door", "--set", "horizon_months=24",
                         "--set", "ad_spend_per_month=200000", "--out", d / "months.csv"],
        "simulate_base": ["simulate", "--preset", "revolving-door", "--set", "horizon_months=24"],
        "simulate_file": ["simulate", "--scenario", d / "scenario.json"],
        "simulate_partial_file": ["simulate", "--scenario", d / "partial.json"],
        "compare": ["compare", "status-quo", "ad-boost", "service-boost"],
        "compare_other_business": ["compare", "status-quo", "young-product"],
        "next_dollar": ["next-dollar", "--preset", "young-product", "--extra", "50000"],
        "unknown_preset": ["simulate", "--preset", "no-such-preset"],
        "unknown_preset_compare": ["compare", "status-quo", "no-such-preset"],
        "unknown_field": ["simulate", "--set", "ad_spend_per_mnth=100000"],
        "out_of_range": ["simulate", "--set", "shrinkage=5", "--set", "horizon_months=500"],
        "non_numeric": ["simulate", "--set", "shrinkage=lots"],
        "no_equals": ["simulate", "--set", "shrinkage"],
        "missing_file": ["simulate", "--scenario", d / "nope.json"],
        "unknown_subcommand": ["frobnicate"],
        "no_subcommand": [],
        "compare_no_names": ["compare"],
        "compare_bad_baseline": ["compare", "status-quo", "ad-boost", "--baseline", "nope"],
        "out_missing_dir": ["simulate", "--out", d / "no-such-dir" / "months.csv"],
        "out_is_dir": ["simulate", "--out", d],
        "out_full": ["simulate", "--out", "/dev/full"],  # opens, then every write fails: no space left
        "out_too_long": ["simulate", "--out", d / ("a" * 300 + ".csv")],
        "out_ends_in_slash": ["simulate", "--out", f"{d / 'new-folder'}/"],
        "out_empty": ["simulate", "--out", ""],
        "out_is_the_scenario": ["simulate", "--scenario", d / "own.json", "--out", d / "own.json"],
        "scenario_endless": ["simulate", "--scenario", "/dev/zero"],
        "scenario_empty": ["simulate", "--scenario", ""],
        "extra_infinite": ["next-dollar", "--extra", "1e999"],
        "extra_nan": ["next-dollar", "--extra", "nan"],
        "extra_negative": ["next-dollar", "--extra=-5"],
        "extra_text": ["next-dollar", "--extra=abc"],
        "extra_too_big": ["next-dollar", "--extra", "1e12"],
        "extra_past_ad_limit": ["next-dollar", "--set", "ad_spend_per_month=999990000"],
        "no_field_name": ["simulate", "--set", "=5"],
        "set_grouped": ["simulate", "--set", "ad_spend_per_month=200,000"],
        "set_schedule": ["simulate", "--set", "ad_spend_per_month=100000,150000", "--set", "horizon_months=24"],
        "set_twice": ["simulate", "--set", "shrinkage=0.2", "--set", "shrinkage=0.3"],
        "extra_tiny": ["next-dollar", "--extra", "1e-300"],
        "compare_outside_baseline": ["compare", "status-quo", "service-boost", "--baseline", "ad-boost"],
        "compare_no_extra_spend": ["compare", "service-boost", "--baseline", "ad-boost"],
        "escapes": ["simulate", "--scenario", d / "escapes.json"],
    }
    (d / "escapes.json").write_text(json.dumps({"\x1b[31mRED\x1b[0m\x07": 1, "a\nb\rc": 2}))
    for key in MALFORMED:
        cases[f"malformed_{key}"] = ["simulate", "--scenario", d / f"{key}.json"]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        procs = dict(zip(cases, pool.map(lambda args: run(*args), cases.values())))
    procs["dir"] = d
    return procs


# ---------------------------------------------------------------- happy paths

def test_presets_lists_every_name(cli):
    proc = cli["presets"]
    assert_ok(proc)
    listed = {line.split()[0] for line in proc.stdout.splitlines() if line.strip()}
    assert set(cx_roi.presets()) <= listed


def test_simulate_prints_kpis_and_writes_csv(cli):
    proc = cli["simulate_csv"]
    assert_ok(proc)
    expected = cx_roi.simulate(cx_roi.load_preset("revolving-door").replace(
        horizon_months=24, ad_spend_per_month=200_000.0))
    assert printed_npv(proc.stdout) == pytest.approx(expected.kpis["npv"], abs=1.0)
    assert re.search(r"^final_customers\s", proc.stdout, flags=re.MULTILINE)
    frame = pd.read_csv(cli["dir"] / "months.csv")
    for col in ("customers", "new_from_ads", "new_from_wom", "churned"):
        assert col in frame.columns
    assert len(frame) == 24
    pd.testing.assert_series_equal(frame["customers"], expected.monthly["customers"].reset_index(drop=True),
                                   check_names=False, rtol=1e-9)


def test_set_changes_the_result(cli):
    base, more = cli["simulate_base"], cli["simulate_csv"]
    assert_ok(base)
    expected_base = cx_roi.simulate(cx_roi.load_preset("revolving-door").replace(horizon_months=24))
    assert printed_npv(base.stdout) == pytest.approx(expected_base.kpis["npv"], abs=1.0)
    assert printed_npv(base.stdout) != printed_npv(more.stdout)


def test_simulate_from_scenario_file(cli):
    proc = cli["simulate_file"]
    assert_ok(proc)
    assert printed_npv(proc.stdout) == pytest.approx(cx_roi.simulate(FILE_SCENARIO).kpis["npv"], abs=1.0)
    assert not proc.stderr
    partial = cli["simulate_partial_file"]  # runs, and says which input took its default
    assert_ok(partial)
    assert "leaves out 1 of the" in partial.stderr and "shrinkage" in partial.stderr


def test_compare_prints_a_table(cli):
    proc = cli["compare"]
    assert_ok(proc)
    rows = [line for line in proc.stdout.splitlines() if line.strip()]
    assert "npv" in proc.stdout
    for name in ("status-quo", "ad-boost", "service-boost"):
        assert any(line.split()[0] == name for line in rows), proc.stdout
    assert len(rows) >= 4  # a header and one row per scenario


def test_compare_says_why_roi_is_missing_for_another_business(cli):
    proc = cli["compare_other_business"]
    assert_ok(proc)
    assert "note: young-product: roi and payback_month are n/a" in proc.stderr and "market_size" in proc.stderr
    assert "note:" not in cli["compare"].stderr, "spend-only scenarios need no note"


def test_next_dollar_prints_three_levers(cli):
    proc = cli["next_dollar"]
    assert_ok(proc)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    order = [lever for line in lines for lever in LEVERS if line.split()[0] == lever]
    assert sorted(order) == sorted(LEVERS), proc.stdout
    assert order[0] == "ad_spend_per_month"  # advertising wins for the young product


# ---------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("key", ["unknown_preset", "unknown_preset_compare"])
def test_unknown_preset(cli, key):
    line = assert_one_line_error(cli[key])
    assert "no-such-preset" in line
    for name in cx_roi.presets():
        assert name in line


def test_unknown_field(cli):
    line = assert_one_line_error(cli["unknown_field"])
    assert "ad_spend_per_mnth" in line
    assert "ad_spend_per_month" in line.replace("ad_spend_per_mnth", "")


def test_out_of_range_values(cli):
    line = assert_one_line_error(cli["out_of_range"])
    assert "shrinkage" in line and "0.9" in line
    assert "horizon_months" in line and "500" in line


def test_non_numeric_value(cli):
    line = assert_one_line_error(cli["non_numeric"])
    assert "shrinkage" in line and "lots" in line


def test_set_without_equals(cli):
    line = assert_one_line_error(cli["no_equals"])
    assert "shrinkage" in line


def test_missing_scenario_file(cli):
    line = assert_one_line_error(cli["missing_file"])
    assert "nope.json" in line


@pytest.mark.parametrize("key", list(MALFORMED))
def test_malformed_scenario_file(cli, key):
    assert f"{key}.json" in assert_one_line_error(cli[f"malformed_{key}"]), "the message names the file"


def test_a_scenario_file_cannot_drive_the_terminal(cli):
    """Names from a file are shown with their control characters escaped: no colour, no carriage
    return overwriting the line, no bell."""
    line = assert_one_line_error(cli["escapes"])
    assert not any(ch in line for ch in "\x1b\x07\r\n") and "RED" in line and "unknown field" in line


def test_a_scenario_read_from_standard_input():
    proc = subprocess.run([sys.executable, "-m", "cx_roi", "simulate", "--scenario", "-"], cwd=REPO_ROOT,
                          input=FILE_SCENARIO.to_json(), capture_output=True, text=True, timeout=120)
    assert_ok(proc)
    assert printed_npv(proc.stdout) == pytest.approx(cx_roi.simulate(FILE_SCENARIO).kpis["npv"], abs=1)


def test_a_full_disk_on_standard_output_is_one_error_line():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "cx_roi", "presets"], cwd=REPO_ROOT, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and proc.stderr.startswith("error:")


def test_ctrl_c_is_one_line_not_a_traceback(monkeypatch, capsys):
    import cx_roi.__main__ as cli_main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_main, "simulate", interrupted)
    assert cli_main.main(["simulate"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"


def test_a_run_on_its_own_prints_no_payback(cli):
    assert not re.search(r"^payback_month", cli["simulate_base"].stdout, flags=re.MULTILINE)


def test_compare_says_why_roi_and_payback_are_missing(cli):
    proc = cli["compare_no_extra_spend"]
    assert_ok(proc)
    assert re.search(r"note: service-boost: roi is n/a: no extra spend", proc.stderr), proc.stderr


@pytest.mark.parametrize("key", ["unknown_subcommand", "no_subcommand", "compare_no_names"])
def test_usage_errors(cli, key):
    assert_one_line_error(cli[key])


def test_unknown_subcommand_is_named(cli):
    assert "frobnicate" in assert_one_line_error(cli["unknown_subcommand"])


def test_compare_unknown_baseline(cli):
    assert "nope" in assert_one_line_error(cli["compare_bad_baseline"])


def test_a_write_that_fails_after_opening_stops_before_results_are_printed(cli):
    assert "/dev/full" in assert_one_line_error(cli["out_full"])
    assert not cli["out_full"].stdout.strip()


@pytest.mark.parametrize("key", ["out_missing_dir", "out_is_dir"])
def test_unwritable_out_path(cli, key):
    line = assert_one_line_error(cli[key])
    assert str(cli["dir"]) in line
    assert not (cli["dir"] / "no-such-dir").exists()
    assert not cli[key].stdout.strip(), "refused before any results are printed"


@pytest.mark.parametrize("key,words", [
    ("out_too_long", "File name too long"),
    ("out_ends_in_slash", "a name ending in '/' is a folder; give a file name such as"),
    ("out_empty", "--out needs a file name, got an empty one"),
    ("out_is_the_scenario", "it is the --scenario file this command reads; give the results another name"),
])
def test_out_paths_that_cannot_take_the_results_are_refused_first(cli, key, words):
    assert words in assert_one_line_error(cli[key])
    assert not cli[key].stdout.strip(), "refused before any results are printed"
    assert cx_roi.Scenario.from_json((cli["dir"] / "own.json").read_bytes()) == FILE_SCENARIO, "the input is kept"


@pytest.mark.parametrize("key,words", [
    ("scenario_endless", "/dev/zero: it is larger than 200,000 bytes, and a scenario file is a few kB"),
    ("scenario_empty", "--scenario needs a file name"),
])
def test_scenario_files_that_cannot_be_scenarios_are_named(cli, key, words):
    assert words in assert_one_line_error(cli[key])


@pytest.mark.parametrize("key", ["extra_negative", "extra_text", "extra_infinite", "extra_nan", "extra_tiny"])
def test_next_dollar_bad_extra(cli, key):
    line = assert_one_line_error(cli[key])
    assert "--extra" in line and "extra_per_month" not in line, "the option as the user typed it"


def test_next_dollar_too_big_for_every_lever_names_extra(cli):
    line = assert_one_line_error(cli["extra_too_big"])
    assert "--extra" in line and "at most 999,970,000" in line


def test_next_dollar_past_one_lever_limit_shows_it_as_na(cli):
    proc = cli["extra_past_ad_limit"]
    assert_ok(proc)
    ad_row = next(line for line in proc.stdout.splitlines() if line.startswith("ad_spend_per_month"))
    assert "n/a" in ad_row
    assert "ad_spend_per_month" in proc.stderr and "maximum of 1,000,000,000" in proc.stderr


def test_set_without_a_field_name(cli):
    assert "no field name" in assert_one_line_error(cli["no_field_name"])


def test_thousands_separators_in_a_spend_are_refused_not_read_as_a_schedule(cli):
    """"200,000" would be a two-month schedule (200, then 0 from month 2 on): refused, naming the field
    and the amount as it should be written; a real schedule still runs."""
    line = assert_one_line_error(cli["set_grouped"])
    assert "ad_spend_per_month" in line and "200000" in line
    assert_ok(cli["set_schedule"])
    months = cx_roi.simulate(cx_roi.Scenario(ad_spend_per_month=[100_000.0, 150_000.0], horizon_months=24))
    assert printed_npv(cli["set_schedule"].stdout) == pytest.approx(months.kpis["npv"], abs=1.0)


def test_a_field_set_twice_is_refused(cli):
    assert "shrinkage" in assert_one_line_error(cli["set_twice"])


def test_compare_adds_a_baseline_that_is_not_among_the_names(cli):
    proc = cli["compare_outside_baseline"]
    assert_ok(proc)
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines()[2:] if line.strip()}
    assert set(rows) == {"ad-boost", "status-quo", "service-boost"}
    assert rows["ad-boost"][2] == "0", "the baseline's change against itself"
