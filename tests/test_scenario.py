"""The Scenario contract: immutable, validated, exact round trip, errors that name the problem."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cx_roi
from cx_roi import PARAMETERS, SCHEMA_VERSION, Scenario, ScenarioError, parse_value

NAN, INF = float("nan"), float("inf")
SPEND = [n for n, p in PARAMETERS.items() if p.kind == "spend"]
HYPO = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------- helpers

def _num_forms(v) -> set[str]:
    """Ways a number may reasonably be written in a message."""
    v = float(v)
    forms = {f"{v:g}", f"{v:,g}", repr(v), str(v)}
    if v.is_integer():
        forms |= {str(int(v)), f"{int(v):,}", f"{int(v):_}"}
    return forms


def _value_forms(value) -> set[str]:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e300:
        exponent = len(str(abs(value))) - 1  # too big for a float: leading digits or the exponent
        return {str(value)[:12], f"e+{exponent}", f"e{exponent}", "inf"}
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return _num_forms(value)
    return {repr(value), str(value)}


def _assert_names_value(msg: str, field: str, value) -> None:
    assert re.search(rf"\b{re.escape(field)}\b", msg), f"{field!r} not named in: {msg!r}"
    assert any(f in msg for f in _value_forms(value)), f"value {value!r} not shown in: {msg!r}"


def _assert_names_range(msg: str, field: str) -> None:
    spec = PARAMETERS[field]
    if spec.kind == "bool":
        assert "true" in msg.lower() and "false" in msg.lower(), msg
        return
    sep = r"\s*(?:to|-|–|\.\.|,|and)\s*"
    ok = any(re.search(re.escape(lo) + sep + re.escape(hi), msg)
             for lo in _num_forms(spec.minimum) for hi in _num_forms(spec.maximum))
    assert ok, f"range {spec.minimum}..{spec.maximum} of {field} not shown in: {msg!r}"


def _expand(value, n: int) -> list:
    return list(value) if isinstance(value, tuple) else [value] * n


def _raises(**kwargs) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        Scenario(**kwargs)
    return info.value


# -------------------------------------------------------- defaults, fields

def test_fields_are_exactly_the_parameters():
    names = [f.name for f in dataclasses.fields(Scenario)]
    assert len(names) == len(set(names))
    assert set(names) == set(PARAMETERS)


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_default_matches_parameter_table(name):
    value = getattr(Scenario(), name)
    default = PARAMETERS[name].default
    assert value == default
    if PARAMETERS[name].kind == "bool":
        assert isinstance(value, bool)
    if PARAMETERS[name].kind == "int":
        assert isinstance(value, int) and not isinstance(value, bool)


def test_defaults_lie_within_their_own_ranges():
    for name, p in PARAMETERS.items():
        if p.kind != "bool":
            assert p.minimum <= p.default <= p.maximum, name


def test_scenario_error_is_a_value_error():
    assert issubclass(ScenarioError, ValueError)
    assert issubclass(cx_roi.ScenarioError, cx_roi.CxRoiError)


# ------------------------------------------------------------- immutability

@pytest.mark.parametrize("name", ["shrinkage", "ad_spend_per_month", "horizon_months", "include_terminal_value"])
def test_assigning_a_field_raises(name):
    s = Scenario()
    before = getattr(s, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, name, before)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, name, 1)
    assert getattr(s, name) == before


def test_every_field_is_frozen():
    s = Scenario()
    for name in PARAMETERS:
        with pytest.raises(AttributeError):
            setattr(s, name, getattr(s, name))


def test_equal_scenarios_hash_equal():
    a = Scenario(ad_spend_per_month=[1.0, 2.0])
    b = Scenario(ad_spend_per_month=(1.0, 2.0))
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1


# ------------------------------------------------------------------ replace

def test_replace_returns_new_validated_scenario_and_keeps_original():
    s = Scenario()
    t = s.replace(shrinkage=0.2, ad_spend_per_month=[100.0, 200.0], horizon_months=24)
    assert t is not s
    assert (t.shrinkage, t.ad_spend_per_month, t.horizon_months) == (0.2, (100.0, 200.0), 24)
    assert s == Scenario()
    assert s.shrinkage == PARAMETERS["shrinkage"].default
    # every other field is carried over
    for name in PARAMETERS:
        if name not in ("shrinkage", "ad_spend_per_month", "horizon_months"):
            assert getattr(t, name) == getattr(s, name), name


def test_replace_validates():
    s = Scenario()
    with pytest.raises(ScenarioError) as info:
        s.replace(shrinkage=2.0)
    _assert_names_value(str(info.value), "shrinkage", 2.0)
    with pytest.raises(ScenarioError):
        s.replace(fcr_floor=0.95)  # above the default ceiling: cross-field rule
    assert s == Scenario()


@pytest.mark.parametrize("typo,meant", [
    ("shrinkag", "shrinkage"),
    ("ad_spend_per_mnth", "ad_spend_per_month"),
    ("horizon_month", "horizon_months"),
])
def test_replace_rejects_unknown_name_with_hint(typo, meant):
    with pytest.raises(ScenarioError) as info:
        Scenario().replace(**{typo: 1})
    msg = str(info.value)
    assert typo in msg
    assert meant in msg.replace(typo + ":", ""), msg  # the hint, not just the echo of the typo


def test_replace_rejects_unknown_name_without_close_match():
    with pytest.raises(ScenarioError) as info:
        Scenario().replace(zzqx_blorp=3)
    assert "zzqx_blorp" in str(info.value)


def test_replace_rejects_several_unknown_names_one_line_each():
    with pytest.raises(ScenarioError) as info:
        Scenario().replace(shrinkag=0.3, zzqx_blorp=3, shrinkage=0.2)
    err = info.value
    assert len(err.problems) == 2
    assert any("shrinkag" in p and "zzqx_blorp" not in p for p in err.problems)
    assert any("zzqx_blorp" in p for p in err.problems)


# ----------------------------------------------------------- invalid values

SINGLE_BAD = [
    pytest.param("shrinkage", NAN, id="nan"),
    pytest.param("fcr_floor", NAN, id="nan-share"),
    pytest.param("ad_spend_per_month", INF, id="+inf"),
    pytest.param("market_size", -INF, id="-inf"),
    pytest.param("horizon_months", INF, id="+inf-int"),
    pytest.param("initial_customers", -5.0, id="negative"),
    pytest.param("ad_spend_per_month", -1.0, id="negative-spend"),
    pytest.param("churn_detractor", -0.01, id="negative-share"),
    pytest.param("shrinkage", 0.95, id="above-max"),
    pytest.param("horizon_months", 121, id="above-max-int"),
    pytest.param("horizon_months", 6, id="below-min-int"),
    pytest.param("online_audience", 2e6, id="above-max-big"),
    pytest.param("market_size", 10**400, id="above-max-int-too-big-for-float"),
    pytest.param("horizon_months", 10**400, id="above-max-horizon-too-big-for-float"),
    pytest.param("ad_hill_shape", 0.1, id="below-min"),
    pytest.param("aht_seconds", "abc", id="string"),
    pytest.param("arpu_per_month", "50", id="numeric-string"),
    pytest.param("agent_cost_per_month", None, id="none"),
    pytest.param("shrinkage", [0.1, 0.2], id="list-for-non-spend"),
    pytest.param("market_size", {"a": 1}, id="dict"),
    pytest.param("ad_spend_per_month", {"a": 1}, id="dict-for-spend"),
    pytest.param("ad_spend_per_month", "150000", id="string-for-spend"),
    pytest.param("shrinkage", True, id="bool-for-number"),
    pytest.param("horizon_months", False, id="bool-for-int"),
    pytest.param("ad_spend_per_month", True, id="bool-for-spend"),
    pytest.param("horizon_months", 60.5, id="non-integer-horizon"),
    pytest.param("include_terminal_value", 1, id="number-for-bool"),
    pytest.param("include_terminal_value", "yes", id="string-for-bool"),
    pytest.param("include_terminal_value", None, id="none-for-bool"),
]


@pytest.mark.parametrize("field,value", SINGLE_BAD)
def test_invalid_value_names_field_value_and_range(field, value):
    err = _raises(**{field: value})
    assert isinstance(err, ValueError)
    msg = str(err)
    assert len(err.problems) == 1, err.problems
    _assert_names_value(msg, field, value)
    _assert_names_range(msg, field)
    _assert_names_value(err.problems[0], field, value)


@pytest.mark.parametrize("field", [n for n, p in PARAMETERS.items() if p.kind != "bool"])
def test_every_numeric_field_rejects_just_outside_its_range(field):
    spec = PARAMETERS[field]
    for value in (spec.minimum - max(1.0, abs(spec.minimum)) * 0.5, spec.maximum * 1.5 + 1):
        err = _raises(**{field: value})
        _assert_names_value(str(err), field, value)
        _assert_names_range(str(err), field)


CROSS_FIELDS = {"fcr_floor", "fcr_ceiling", "initial_customers", "market_size"} | {
    n for n in PARAMETERS if n.endswith(("_promoter_share", "_detractor_share")) or n.startswith("product_")}


@pytest.mark.parametrize("field", [n for n, p in PARAMETERS.items()
                                   if p.kind != "bool" and n not in CROSS_FIELDS])
def test_every_numeric_field_accepts_its_bounds(field):
    spec = PARAMETERS[field]
    # A product share at 1 leaves no room for its partner: the partner goes to 0.
    partner = {f"product_{a}_{lv}": {f"product_{b}_{lv}": 0.0} for lv in ("weak", "outstanding")
               for a, b in (("promoters", "detractors"), ("detractors", "promoters"))}.get(field, {})
    for value in (spec.minimum, spec.maximum):
        s = Scenario(**{field: value}, **partner)
        assert getattr(s, field) == value


def test_several_bad_fields_are_all_named_one_line_each():
    bad = {"shrinkage": NAN, "horizon_months": 60.5, "ad_spend_per_month": -1.0,
           "market_size": "big", "include_terminal_value": "no"}
    err = _raises(**bad)
    assert len(err.problems) == len(bad), err.problems
    msg = str(err)
    for field, value in bad.items():
        _assert_names_value(msg, field, value)
        lines = [p for p in err.problems if re.search(rf"\b{re.escape(field)}\b", p)]
        assert len(lines) == 1, (field, err.problems)
        _assert_names_value(lines[0], field, value)
        _assert_names_range(lines[0], field)
    for line in err.problems:
        assert "\n" not in line and line.strip()


# -------------------------------------------------------------- cross-field

@pytest.mark.parametrize("kwargs,fields", [
    ({"fcr_floor": 0.9, "fcr_ceiling": 0.5}, ["fcr_floor", "fcr_ceiling"]),
    ({"fast_promoter_share": 0.8, "fast_detractor_share": 0.3}, ["fast_promoter_share", "fast_detractor_share"]),
    ({"slow_promoter_share": 0.6, "slow_detractor_share": 0.6}, ["slow_promoter_share", "slow_detractor_share"]),
    ({"bad_promoter_share": 0.5, "bad_detractor_share": 0.7}, ["bad_promoter_share", "bad_detractor_share"]),
    ({"initial_promoter_share": 0.7, "initial_detractor_share": 0.4},
     ["initial_promoter_share", "initial_detractor_share"]),
    ({"initial_customers": 2e6, "market_size": 1e6}, ["initial_customers", "market_size"]),
    ({"initial_customers": 500.0, "market_size": 400.0}, ["initial_customers", "market_size"]),
])
def test_cross_field_violation_names_both_fields(kwargs, fields):
    err = _raises(**kwargs)
    msg = str(err)
    for f in fields:
        assert re.search(rf"\b{re.escape(f)}\b", msg), (f, msg)
    # the values (or, for shares, their sum) are shown
    values = [kwargs[f] for f in fields]
    shown = all(any(x in msg for x in _num_forms(v)) for v in values) or any(
        x in msg for x in _num_forms(sum(values)))
    assert shown, msg


def test_cross_field_boundaries_are_accepted():
    Scenario(fcr_floor=0.7, fcr_ceiling=0.7)
    Scenario(fast_promoter_share=0.7, fast_detractor_share=0.3)
    Scenario(initial_promoter_share=0.1, initial_detractor_share=0.9)
    Scenario(initial_customers=1e6, market_size=1e6)
    Scenario(initial_customers=0.0)


def test_cross_field_checked_on_replace_and_from_dict():
    with pytest.raises(ScenarioError, match="fcr_ceiling"):
        Scenario().replace(fcr_ceiling=0.5)  # default floor is 0.55
    with pytest.raises(ScenarioError, match="market_size"):
        Scenario.from_dict({"schema_version": SCHEMA_VERSION, "market_size": 50_000.0})


# ---------------------------------------------------------- spend schedules

def test_schedule_list_becomes_tuple():
    s = Scenario(ad_spend_per_month=[100_000, 200_000.5, 0])
    assert s.ad_spend_per_month == (100_000.0, 200_000.5, 0.0)
    assert isinstance(s.ad_spend_per_month, tuple)
    t = Scenario(service_quality_spend_per_month=[1.0] * 60 + [2.0] * 60)
    assert isinstance(t.service_quality_spend_per_month, tuple)
    assert len(t.service_quality_spend_per_month) == 120


@pytest.mark.parametrize("schedule,month,value", [
    ([100.0, 200.0, -5.0, 300.0], 3, -5.0),
    ([100.0, NAN], 2, NAN),
    ([INF], 1, INF),
    ([100.0, 200.0, 300.0, 400.0, "x"], 5, "x"),
    ([100.0, None], 2, None),
    ([100.0, 2e9], 2, 2e9),
    ([True, 100.0], 1, True),
    pytest.param([100.0, 10**400], 2, 10**400, id="int-too-big-for-float"),
])
def test_schedule_bad_month_is_named(schedule, month, value):
    err = _raises(ad_spend_per_month=schedule)
    msg = str(err)
    assert "ad_spend_per_month" in msg
    assert re.search(rf"\bmonth {month}\b", msg), msg
    assert any(f in msg for f in _value_forms(value)), msg


def test_schedule_too_long_is_rejected():
    err = _raises(service_capacity_spend_per_month=[1000.0 + i for i in range(121)])
    msg = str(err)
    assert "service_capacity_spend_per_month" in msg
    assert "121" in msg and "120" in msg
    Scenario(service_capacity_spend_per_month=[1000.0 + i for i in range(120)])  # the limit itself is fine


@pytest.mark.parametrize("empty", [[], ()])
def test_schedule_empty_is_rejected(empty):
    err = _raises(ad_spend_per_month=empty)
    assert "ad_spend_per_month" in str(err)


# -------------------------------------------------------- dict / JSON trips

AWKWARD = {
    "shrinkage": 0.1 + 0.2,
    "annual_discount_rate": 1e-7,
    "ad_max_innovation_per_month": 1e-7 + 0.1,
    "online_share": 1 / 3,
    "arpu_per_month": 49.99999999999999,
    "market_size": 1e10,
    "initial_customers": 12_345.678901234567,
    "deterred_recovery_per_month": 1 / 12,
    "ad_spend_per_month": [0.1 + 0.2, 1e-7, 5e8, 123_456.789],
    "service_quality_spend_per_month": [30_000.0, 30_000.00000000001],
    "horizon_months": 37,
    "include_terminal_value": False,
}


def _assert_identical(a: Scenario, b: Scenario) -> None:
    assert a == b
    for name in PARAMETERS:
        x, y = getattr(a, name), getattr(b, name)
        assert type(x) is type(y), (name, x, y)
        assert repr(x) == repr(y), (name, x, y)  # bit-exact floats, incl. sign of zero


def test_awkward_values_round_trip_exactly():
    s = Scenario(**AWKWARD)
    assert s.shrinkage == 0.1 + 0.2 != 0.3
    assert s.ad_spend_per_month == (0.1 + 0.2, 1e-7, 5e8, 123_456.789)
    d = s.to_dict()
    assert d["schema_version"] == SCHEMA_VERSION
    assert isinstance(d["ad_spend_per_month"], list)
    _assert_identical(Scenario.from_dict(d), s)
    text = s.to_json()
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION
    _assert_identical(Scenario.from_json(text), s)
    _assert_identical(Scenario.from_json(text.encode("utf-8")), s)
    _assert_identical(Scenario.from_json(s.to_json(indent=None)), s)
    assert Scenario.from_json(text).to_json() == text


def test_to_dict_has_every_field_and_is_plain_json():
    d = Scenario(ad_spend_per_month=[1.0, 2.0]).to_dict()
    assert set(d) == set(PARAMETERS) | {"schema_version"}
    json.dumps(d, allow_nan=False)  # no tuples, numpy types or NaN sneak in


def test_from_dict_does_not_mutate_input_and_fills_defaults():
    d = {"schema_version": SCHEMA_VERSION, "shrinkage": 0.2}
    copy = dict(d)
    s = Scenario.from_dict(d)
    assert d == copy
    assert s == Scenario(shrinkage=0.2)


@pytest.mark.parametrize("version", [0, 3, SCHEMA_VERSION + 1, "1", None, True, [1]])
def test_wrong_schema_version_is_rejected(version):
    d = Scenario().to_dict()
    d["schema_version"] = version
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    assert "schema_version" in str(info.value)
    with pytest.raises(ScenarioError):
        Scenario.from_json(json.dumps(d))


def test_from_dict_rejects_unknown_field_with_hint():
    d = Scenario().to_dict()
    d["ad_spend_per_mnth"] = 1.0
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    msg = str(info.value)
    assert "ad_spend_per_mnth" in msg and "'ad_spend_per_month'" in msg
    with pytest.raises(ScenarioError, match="ad_spend_per_mnth"):
        Scenario.from_json(json.dumps(d))


def test_from_dict_validates_values():
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict({"shrinkage": "abc", "horizon_months": 500})
    assert len(info.value.problems) == 2
    _assert_names_value(str(info.value), "shrinkage", "abc")
    _assert_names_value(str(info.value), "horizon_months", 500)


MALFORMED = [
    pytest.param(Scenario().to_json()[:57], id="truncated"),
    pytest.param('{"shrinkage": 0.3,}', id="trailing-comma"),
    pytest.param('{"shrinkage": NaN}', id="NaN-literal"),
    pytest.param('{"ad_spend_per_month": Infinity}', id="Infinity-literal"),
    pytest.param('{"ad_spend_per_month": [1, -Infinity]}', id="-Infinity-in-schedule"),
    pytest.param("[1,2]", id="array-top-level"),
    pytest.param('"status-quo"', id="string-top-level"),
    pytest.param("3", id="number-top-level"),
    pytest.param("null", id="null-top-level"),
    pytest.param("", id="empty"),
    pytest.param("{'shrinkage': 0.3}", id="single-quotes"),
    pytest.param(b"\xff\xfe{\x00}\x00", id="utf16-bytes"),
    pytest.param(b'{"shrinkage": 0.3, "x": "\xe9"}', id="latin1-bytes"),
    pytest.param('{"shrinkage": 1e999}', id="overflow-number"),
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_json_raises_scenario_error(text):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json(text)
    assert str(info.value).strip()


@pytest.mark.parametrize("text,field", [
    pytest.param('{"shrinkage": 5}', "shrinkage", id="above-max"),
    # valid JSON, but integers too big even for a float
    pytest.param('{"market_size": 1' + "0" * 400 + "}", "market_size", id="int-too-big-for-float"),
    pytest.param('{"ad_spend_per_month": [1, 1' + "0" * 400 + "]}", "ad_spend_per_month",
                 id="schedule-int-too-big-for-float"),
])
def test_out_of_range_value_in_json_names_the_field(text, field):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json(text)
    assert field in str(info.value)


@pytest.mark.parametrize("text", [
    pytest.param('{"market_size": ' + "1" * 5000 + "}", id="5000-digit-integer"),
    # Deep enough for a RecursionError, small enough to be read (MAX_JSON_BYTES).
    pytest.param('{"ad_spend_per_month": ' + "[" * 90_000 + "]" * 90_000 + "}", id="deeply-nested"),
])
def test_pathological_json_raises_scenario_error(text):
    with pytest.raises(ScenarioError):
        Scenario.from_json(text)


def test_nan_literal_message_names_the_field():
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json('{"shrinkage": NaN}')
    assert info.value.problems == ["shrinkage: got nan; expected a finite number, 0 to 0.9 (share of paid time)"]
    with pytest.raises(ScenarioError, match=r"ad_spend_per_month: month 2: got inf; expected a finite number"):
        Scenario.from_json('{"ad_spend_per_month": [1, Infinity]}')


def test_a_file_reports_all_its_problems_at_once():
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json('{"shrinkage": 5, "fcr_floor": "x", "foo": 1}')
    fields = [p.split(":")[0] for p in info.value.problems]
    assert sorted(fields) == ["fcr_floor", "foo", "shrinkage"]


def test_a_byte_order_mark_is_not_content():
    text = Scenario(shrinkage=0.2).to_json()
    assert Scenario.from_json(b"\xef\xbb\xbf" + text.encode()).shrinkage == 0.2
    assert Scenario.from_json("\ufeff" + text).shrinkage == 0.2


@pytest.mark.parametrize("value,words", [
    (Path("plan.json"), "got PosixPath; to read a file, pass its contents"),
    (None, "got NoneType"),
    ({"shrinkage": 0.2}, "got dict; for a mapping, use Scenario.from_dict"),
])
def test_from_json_says_what_it_takes(value, words):
    with pytest.raises(ScenarioError, match="from_json takes the JSON text") as info:
        Scenario.from_json(value)
    assert words in str(info.value)


def test_from_json_reads_any_bytes_like_text():
    text = Scenario(shrinkage=0.2).to_json().encode()
    assert Scenario.from_json(bytearray(text)).shrinkage == Scenario.from_json(memoryview(text)).shrinkage == 0.2


def test_a_field_given_twice_in_a_file_is_named_not_picked():
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json('{"shrinkage": 0.1, "market_size": 1e6, "shrinkage": 0.2, "shrinkage": 0.3}')
    assert info.value.problems == ["shrinkage: given more than once in the file; keep one value"]


def test_unknown_names_are_quoted_short_and_listed_up_to_ten():
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json('{"' + "x" * 100_000 + '": 1}')
    assert info.value.problems == ["x" * 40 + f"...: unknown field; {cx_roi.scenario.VALID_NAMES}"]
    with pytest.raises(ScenarioError) as info:
        Scenario.from_json("{" + ", ".join(f'"k{i}": 1' for i in range(3000)) + "}")
    assert len(info.value.problems) == 11 and info.value.problems[-1] == "and 2,990 more unknown fields"


def test_a_file_larger_than_any_scenario_is_refused_by_its_size():
    with pytest.raises(ScenarioError, match=r"300,000 bytes, where a scenario is a few kB \(at most 200,000"):
        Scenario.from_json(b" " * 300_000)
    longest = Scenario(**{f: (1.0,) * 120 for f in ("ad_spend_per_month", "service_capacity_spend_per_month",
                                                     "service_quality_spend_per_month")}, horizon_months=120)
    assert len(longest.to_json()) < cx_roi.scenario.MAX_JSON_BYTES / 10, "real files are far below the limit"


def test_an_odd_schema_version_is_named():
    for version in (np.array([1, 1]), "1", None, 3):
        with pytest.raises(ScenarioError, match="schema_version: got"):
            Scenario.from_dict({"schema_version": version})


def test_a_huge_integer_gets_a_plain_message():
    with pytest.raises(ScenarioError, match="a whole number with thousands of digits") as info:
        Scenario.from_json('{"shrinkage": ' + "9" * 5000 + "}")
    assert "sys.set_int_max_str_digits" not in str(info.value)


def test_constructor_names_unknown_fields_and_takes_numpy_scalars():
    unknown = r"ad_spend_per_mnth: unknown field \(did you mean 'ad_spend_per_month'\?\)"
    with pytest.raises(ScenarioError, match=unknown):
        Scenario(ad_spend_per_mnth=1.0)
    with pytest.raises(ScenarioError):
        Scenario(0.3)  # fields are named, never positional
    assert Scenario(ad_spend_per_month=np.array(5.0)).ad_spend_per_month == 5.0


def test_load_preset_with_a_non_name():
    with pytest.raises(cx_roi.UnknownPresetError, match="Valid presets: status-quo"):
        cx_roi.load_preset(["a"])


# -------------------------------------------------- hypothesis round trip

AWKWARD_FLOATS = [0.1 + 0.2, 1e-7, 1 / 3, 2 / 3, 5e-324, 2.2250738585072014e-308, 0.1, 1 - 1e-16,
                  123_456.789, 1e9 - 0.5, 9_007_199_254_740_993.0]


def _float_in(lo: float, hi: float):
    awkward = [x for x in AWKWARD_FLOATS if lo <= x <= hi] + [lo, hi]
    strategies = [st.floats(lo, hi, allow_nan=False, allow_infinity=False), st.sampled_from(awkward)]
    if hi / max(lo, 1e-3) > 1e4:
        log_lo = math.log10(max(lo, 1e-3))
        strategies.append(st.floats(log_lo, math.log10(hi)).map(lambda e: min(hi, max(lo, 10.0 ** e))))
    return st.one_of(strategies)


def _field(name: str):
    spec = PARAMETERS[name]
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "int":
        return st.integers(int(spec.minimum), int(spec.maximum))
    one = _float_in(float(spec.minimum), float(spec.maximum))
    if spec.kind == "spend":
        return st.one_of(one, st.lists(one, min_size=1, max_size=120))
    return one


@st.composite
def valid_inputs(draw) -> dict:
    v = {name: draw(_field(name)) for name in PARAMETERS}
    v["fcr_floor"], v["fcr_ceiling"] = sorted((v["fcr_floor"], v["fcr_ceiling"]))
    for prefix in ("fast", "slow", "bad", "initial"):
        p = v[f"{prefix}_promoter_share"]
        d = v[f"{prefix}_detractor_share"]
        if p + d > 1:
            v[f"{prefix}_detractor_share"] = draw(st.floats(0.0, 1.0)) * (1.0 - p)
    for level in ("weak", "outstanding"):
        p, d = v[f"product_promoters_{level}"], v[f"product_detractors_{level}"]
        if p + d > 1:
            v[f"product_detractors_{level}"] = draw(st.floats(0.0, 1.0)) * (1.0 - p)
    if v["initial_customers"] > v["market_size"]:
        v["initial_customers"] = draw(st.floats(0.0, 1.0)) * v["market_size"]
    return v


@HYPO
@given(valid_inputs())
def test_valid_scenarios_round_trip_exactly(values):
    s = Scenario(**values)
    # validation keeps valid values as they are (lists become tuples)
    for name, given_value in values.items():
        stored = getattr(s, name)
        if isinstance(given_value, list):
            if len(set(given_value)) > 1:
                assert stored == tuple(float(x) for x in given_value), name
            else:
                assert _expand(stored, len(given_value)) == [float(x) for x in given_value], name
        else:
            assert stored == given_value, name
    d = s.to_dict()
    assert d["schema_version"] == SCHEMA_VERSION
    _assert_identical(Scenario.from_dict(d), s)
    text = s.to_json()
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION
    _assert_identical(Scenario.from_json(text), s)
    _assert_identical(Scenario.from_json(text.encode()), s)
    assert Scenario.from_json(text).to_json() == text


@HYPO
@given(valid_inputs(), st.sampled_from(sorted(PARAMETERS)), st.data())
def test_replace_with_valid_value_round_trips(values, name, data):
    s = Scenario(**values)
    new = data.draw(_field(name))
    try:
        t = s.replace(**{name: new})
    except ScenarioError as err:  # only a cross-field rule may refuse a single valid value
        assert name in CROSS_FIELDS, (name, new, str(err))
        return
    assert s == Scenario(**values)
    _assert_identical(Scenario.from_json(t.to_json()), t)


# --------------------------------------------------------------- parse_value

@pytest.mark.parametrize("name,text,expected", [
    ("ad_spend_per_month", "1e5", 100_000.0),
    ("ad_spend_per_month", "150_000", 150_000.0),
    ("ad_spend_per_month", "150000", 150_000.0),
    ("ad_spend_per_month", " 2.5e5 ", 250_000.0),
    ("shrinkage", "0.25", 0.25),
    ("shrinkage", "0.30000000000000004", 0.1 + 0.2),
    ("market_size", "1_000_000", 1_000_000.0),
    ("initial_customers", "-5", -5.0),  # parsed; range checked by the Scenario
    ("horizon_months", "36", 36),
    ("horizon_months", "1.2e1", 12),
    ("ad_spend_per_month", "100, 200, 300", (100.0, 200.0, 300.0)),
    ("ad_spend_per_month", "1000,200", (1000.0, 200.0)),
    ("service_capacity_spend_per_month", "1e5, 150_000 ,2e5", (100_000.0, 150_000.0, 200_000.0)),
])
def test_parse_value_numbers(name, text, expected):
    got = parse_value(name, text)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("false", False), ("1", True), ("0", False), ("yes", True), ("no", False),
    ("TRUE", True), ("False", False), ("Yes", True), ("NO", False),
])
def test_parse_value_booleans(text, expected):
    got = parse_value("include_terminal_value", text)
    assert got is expected


def test_parse_value_feeds_a_valid_scenario():
    s = Scenario().replace(
        ad_spend_per_month=parse_value("ad_spend_per_month", "100000,200000,300000"),
        horizon_months=parse_value("horizon_months", "24"),
        include_terminal_value=parse_value("include_terminal_value", "no"),
        market_size=parse_value("market_size", "2e6"),
    )
    assert s.ad_spend_per_month == (100_000.0, 200_000.0, 300_000.0)
    assert s.horizon_months == 24 and s.include_terminal_value is False and s.market_size == 2e6


@pytest.mark.parametrize("name,text", [
    ("shrinkage", "abc"),
    ("shrinkage", ""),
    ("shrinkage", "0.2.3"),
    ("ad_spend_per_month", "1,x,3"),
    ("ad_spend_per_month", "1,,3"),
    ("ad_spend_per_month", "$100"),
    ("horizon_months", "twelve"),
    ("market_size", "1e5e3"),
    ("include_terminal_value", "maybe"),
    ("include_terminal_value", "2"),
    ("include_terminal_value", ""),
])
def test_parse_value_garbage_names_the_field(name, text):
    with pytest.raises(ScenarioError) as info:
        parse_value(name, text)
    assert name in str(info.value)


@pytest.mark.parametrize("text", ["1e308", "-1e20"])
def test_a_whole_number_too_large_is_refused_in_a_line_that_says_what_is_allowed(text):
    """A whole-number field read as its 309 digits made a message that a notice cut before its range."""
    with pytest.raises(ScenarioError) as info:
        Scenario(horizon_months=parse_value("horizon_months", text))
    message = str(info.value)
    assert len(message) < 120 and "allowed 12 to 120" in message and f"{float(text):g}" in message


def test_parse_value_unknown_field_is_named_with_hint():
    with pytest.raises(ScenarioError) as info:
        parse_value("shrinkag", "0.3")
    msg = str(info.value)
    assert "shrinkag" in msg and "'shrinkage'" in msg


def test_parse_value_names_a_number_too_long_for_a_float():
    with pytest.raises(ScenarioError, match="got a number with 400 characters, beyond any float; allowed 0 to 0.9"):
        parse_value("shrinkage", "9" * 400)
    with pytest.raises(ScenarioError, match=r"got 1e999, beyond any float; allowed 0 to 0.9"):
        parse_value("shrinkage", "1e999")
    with pytest.raises(ScenarioError) as info:
        parse_value("shrinkage", "x" * 500)
    assert len(str(info.value)) < 200  # a long bad value is shortened in the message


def test_a_numpy_value_out_of_range_is_quoted_as_a_plain_number():
    with pytest.raises(ScenarioError) as info:
        Scenario(ad_spend_per_month=np.float64(2e9))
    assert info.value.problems[0].startswith("ad_spend_per_month: got 2000000000.0; allowed")


@pytest.mark.parametrize("text", ["200,000", "1,500,000", "200,000.00", "-1,000", "100,200,300"])
def test_an_amount_with_thousands_separators_is_refused_not_read_as_a_schedule(text):
    """'200,000' would be a schedule of 200, then 0: refused, with the amount and the schedule spelled
    so that each reads as meant."""
    with pytest.raises(ScenarioError) as err:
        parse_value("ad_spend_per_month", text)
    message = str(err.value)
    assert message.startswith("ad_spend_per_month") and text.replace(",", "") in message
    assert parse_value("ad_spend_per_month", text.replace(",", ", ")) == tuple(
        float(p) for p in text.split(","))


@pytest.mark.parametrize("values", [(100.0, 200.0, 300.0), (1.0, 500.0), (100_000.0, 150_000.0), (0.0, 250.5)])
def test_a_schedule_written_by_schedule_text_reads_back(values):
    from cx_roi.scenario import schedule_text

    assert parse_value("ad_spend_per_month", schedule_text(values)) == values


def test_fields_left_out_names_what_a_file_does_not_give():
    from cx_roi.scenario import fields_left_out

    full = Scenario().to_json()
    assert fields_left_out(full) == [] and fields_left_out(full.encode()) == []
    partial = json.loads(full)
    del partial["shrinkage"], partial["aht_seconds"]
    assert fields_left_out(json.dumps(partial)) == [f for f in PARAMETERS if f in ("shrinkage", "aht_seconds")]
    assert fields_left_out('{"schema_version": 1, "shrinkage": 0.3}') == []  # version 1 keeps its own meaning


@pytest.mark.parametrize("months", [0, -1, 2.5, True, "12"])
def test_a_schedule_over_a_number_of_months_that_is_not_one_is_named(months):
    with pytest.raises(ScenarioError, match="months: got"):
        Scenario().schedule("ad_spend_per_month", months)
