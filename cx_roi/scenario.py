"""The scenario: one immutable, validated set of model inputs.

A Scenario is what every other part of cx_roi takes: the simulation, the
comparison, the command line and the dashboard. It is frozen, so it can key a
cache, and it validates itself on construction, so a bad value fails at the
edge with a message that names the field, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from .errors import ScenarioError
from .formatting import quoted
from .parameters import PARAMETERS, Param

__all__ = ["Scenario", "SCHEMA_VERSION", "batch_cross_checks", "fix_cross_rules", "Spend", "parse_value",
           "schedule_text", "fields_left_out", "MAX_SCHEDULE_MONTHS", "MAX_JSON_BYTES"]

SCHEMA_VERSION = 2
# Version 1 files predate the settled starting state and the survey mechanism: they are read
# as the model of version 2 would have to read them to mean what they meant (see _upgrade_v1).
_READABLE_VERSIONS = (1, 2)
# A scenario file is a few kB, even with three 120-month schedules; the dashboard's upload
# and the command line's --scenario refuse more, before reading it all.
MAX_JSON_BYTES = 200_000
MAX_SCHEDULE_MONTHS = 120

Spend = Union[float, tuple[float, ...]]
"""A monthly spend: one number for every month, or a tuple of monthly values
(month 1 first; when shorter than the horizon, the last value holds)."""


def _d(name: str):
    return PARAMETERS[name].default


@dataclass(frozen=True)
class Scenario:
    """All model inputs. Units and sources: ``cx_roi.PARAMETERS`` and docs/methodology.md.

    ``Scenario()`` is the default company. Change fields with :meth:`replace`,
    which validates again. Invalid values raise :class:`cx_roi.ScenarioError`.
    """

    service_capacity_spend_per_month: Spend = _d("service_capacity_spend_per_month")
    agent_cost_per_month: float = _d("agent_cost_per_month")
    shrinkage: float = _d("shrinkage")
    agent_paid_hours_per_month: float = _d("agent_paid_hours_per_month")
    open_hours_per_month: float = _d("open_hours_per_month")
    contacts_per_customer_per_month: float = _d("contacts_per_customer_per_month")
    aht_seconds: float = _d("aht_seconds")
    patience_seconds: float = _d("patience_seconds")
    service_level_target_seconds: float = _d("service_level_target_seconds")
    wait_tolerance_seconds: float = _d("wait_tolerance_seconds")
    prior_service_capacity_spend_per_month: float = _d("prior_service_capacity_spend_per_month")
    capacity_one_off_cost: float = _d("capacity_one_off_cost")
    service_quality_spend_per_month: Spend = _d("service_quality_spend_per_month")
    prior_service_quality_spend_per_month: float = _d("prior_service_quality_spend_per_month")
    quality_one_off_cost: float = _d("quality_one_off_cost")
    fcr_floor: float = _d("fcr_floor")
    fcr_ceiling: float = _d("fcr_ceiling")
    quality_half_effect_per_contact: float = _d("quality_half_effect_per_contact")
    repeat_contacts_per_unresolved: float = _d("repeat_contacts_per_unresolved")
    eventual_resolution: float = _d("eventual_resolution")
    fast_promoter_share: float = _d("fast_promoter_share")
    fast_detractor_share: float = _d("fast_detractor_share")
    slow_promoter_share: float = _d("slow_promoter_share")
    slow_detractor_share: float = _d("slow_detractor_share")
    bad_promoter_share: float = _d("bad_promoter_share")
    bad_detractor_share: float = _d("bad_detractor_share")
    service_weight: float = _d("service_weight")
    contact_memory: float = _d("contact_memory")
    product_memory: float = _d("product_memory")
    product_promoters_weak: float = _d("product_promoters_weak")
    product_promoters_outstanding: float = _d("product_promoters_outstanding")
    product_detractors_weak: float = _d("product_detractors_weak")
    product_detractors_outstanding: float = _d("product_detractors_outstanding")
    survey_response_promoter: float = _d("survey_response_promoter")
    survey_response_passive: float = _d("survey_response_passive")
    survey_response_detractor: float = _d("survey_response_detractor")
    survey_inflation: float = _d("survey_inflation")
    settle_initial_sentiment: bool = _d("settle_initial_sentiment")
    churn_promoter: float = _d("churn_promoter")
    churn_passive: float = _d("churn_passive")
    churn_detractor: float = _d("churn_detractor")
    churn_involuntary: float = _d("churn_involuntary")
    promoter_stories_per_month: float = _d("promoter_stories_per_month")
    detractor_stories_per_month: float = _d("detractor_stories_per_month")
    stories_per_churned_customer: float = _d("stories_per_churned_customer")
    offline_audience: float = _d("offline_audience")
    online_share: float = _d("online_share")
    online_audience: float = _d("online_audience")
    online_impression_weight: float = _d("online_impression_weight")
    positive_conversion_per_impression: float = _d("positive_conversion_per_impression")
    negative_deterrence_per_impression: float = _d("negative_deterrence_per_impression")
    deterred_recovery_per_month: float = _d("deterred_recovery_per_month")
    customer_deterrence_ratio: float = _d("customer_deterrence_ratio")
    deterred_lost_share: float = _d("deterred_lost_share")
    ad_spend_per_month: Spend = _d("ad_spend_per_month")
    prior_ad_spend_per_month: float = _d("prior_ad_spend_per_month")
    ad_one_off_cost: float = _d("ad_one_off_cost")
    adstock_decay: float = _d("adstock_decay")
    ad_half_saturation_per_month: float = _d("ad_half_saturation_per_month")
    ad_hill_shape: float = _d("ad_hill_shape")
    ad_max_innovation_per_month: float = _d("ad_max_innovation_per_month")
    market_size: float = _d("market_size")
    initial_customers: float = _d("initial_customers")
    initial_promoter_share: float = _d("initial_promoter_share")
    initial_detractor_share: float = _d("initial_detractor_share")
    product_value: float = _d("product_value")
    arpu_per_month: float = _d("arpu_per_month")
    gross_margin: float = _d("gross_margin")
    onboarding_cost_per_customer: float = _d("onboarding_cost_per_customer")
    horizon_months: int = _d("horizon_months")
    annual_discount_rate: float = _d("annual_discount_rate")
    include_terminal_value: bool = _d("include_terminal_value")

    def __post_init__(self) -> None:
        problems: list[str] = []
        for f in dataclasses.fields(self):
            spec = PARAMETERS[f.name]
            value = getattr(self, f.name)
            try:
                clean = _clean(spec, value)
            except _Bad as bad:
                problems.append(f"{spec.name}: {bad}")
                continue
            object.__setattr__(self, f.name, clean)
        if not problems:
            problems.extend(_cross_checks(self))
        if problems:
            raise ScenarioError(problems)

    # ---------------------------------------------------------------- copies
    def replace(self, **changes: Any) -> "Scenario":
        """A new, validated scenario with ``changes`` applied; unknown names are rejected."""
        _reject_unknown(changes)
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------ round trip
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict with ``schema_version``; schedules become lists."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        """Build from :meth:`to_dict` output. Missing fields take defaults; unknown fields are errors."""
        if not isinstance(data, Mapping):
            raise ScenarioError(f"a scenario must be a JSON object (a mapping of field names to values), "
                                f"got {type(data).__name__}")
        data = dict(data)
        version = data.pop("schema_version", SCHEMA_VERSION)
        if (isinstance(version, (bool, np.bool_)) or not isinstance(version, (int, float, np.integer, np.floating))
                or version not in _READABLE_VERSIONS):
            raise ScenarioError(f"schema_version: got {version!r}; this version of cx_roi reads "
                                f"schema_version {' or '.join(map(str, _READABLE_VERSIONS))}")
        if version == 1:
            data = _upgrade_v1(data)
        unknown = _unknown_problems(data)
        try:
            scenario = cls(**{k: v for k, v in data.items() if k in PARAMETERS})
        except ScenarioError as err:
            raise ScenarioError(unknown + err.problems) from None  # every problem of the file at once
        if unknown:
            raise ScenarioError(unknown)
        return scenario

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text of :meth:`to_dict`; floats are written so they read back exactly."""
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Scenario":
        """Parse :meth:`to_json` output; malformed JSON raises ScenarioError with its position.

        ``text``: the JSON text, or its bytes (UTF-8), at most :data:`MAX_JSON_BYTES`. A field
        given twice is an error, not a silent pick of one of its values.
        """
        return cls.from_dict(_json_object(text))

    # --------------------------------------------------------------- helpers
    def schedule(self, name: str, months: int | None = None) -> np.ndarray:
        """Monthly values of a spend field over ``months`` (default: the horizon), $ per month."""
        if name not in ("service_capacity_spend_per_month", "service_quality_spend_per_month",
                        "ad_spend_per_month"):
            raise KeyError(f"{name} is not a spend field")
        if months is None:
            months = self.horizon_months
        elif isinstance(months, bool) or not isinstance(months, (int, np.integer)) or months < 1:
            raise ScenarioError(f"months: got {months!r}; expected a whole number of at least 1")
        return expand_schedule(getattr(self, name), months)

    def mean_value(self, name: str) -> Any:
        """Field ``name``'s value; a monthly spend schedule's mean over the horizon's months ($ per
        month), which is what the run spends: a schedule longer than the horizon is cut, and a
        shorter one's last month holds."""
        value = getattr(self, name)
        return float(self.schedule(name).mean()) if isinstance(value, tuple) else value

    def changed_fields(self, other: "Scenario | None" = None) -> dict[str, Any]:
        """Fields whose value differs from ``other`` (default: the default scenario)."""
        other = Scenario() if other is None else other
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) != getattr(other, f.name)}


_dataclass_init = Scenario.__init__


def _init(self: Scenario, *args: Any, **values: Any) -> None:
    # The generated __init__ would answer an unknown name with a bare TypeError and take
    # sixty-odd fields by position; fields are named, and an unknown one is a ScenarioError.
    if args:
        raise ScenarioError(f"Scenario takes its fields by name, e.g. Scenario(shrinkage=0.3); got {len(args)} "
                            "value(s) without a name")
    _reject_unknown(values)
    _dataclass_init(self, **values)


_init.__doc__ = _dataclass_init.__doc__
Scenario.__init__ = _init  # type: ignore[method-assign]


def expand_schedule(value: Spend, months: int) -> np.ndarray:
    """A spend field as an array of ``months`` monthly values (last value holds)."""
    if isinstance(value, tuple):
        arr = np.asarray(value, dtype=float)
        if len(arr) >= months:
            return arr[:months].copy()
        return np.concatenate([arr, np.full(months - len(arr), arr[-1])])
    return np.full(months, float(value))


class _Bad(ValueError):
    pass


class _GivenTwice(ValueError):
    """Names that one JSON object gives more than once (json.loads keeps the last silently)."""


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for json.loads: a dict, or :class:`_GivenTwice` naming the repeated keys."""
    out: dict[str, Any] = {}
    twice: list[str] = []
    for key, value in pairs:
        if key in out and key not in twice:
            twice.append(key)
        out[key] = value
    if twice:
        raise _GivenTwice(twice)
    return out


def _shown(name: Any) -> str:
    """A name from outside (a file, a link) as it may be quoted in a message: at most 40 characters,
    and with any control character escaped (a terminal would act on it: colour, a carriage return
    that overwrites the line, a new window title)."""
    text = str(name)
    if not text.isprintable():
        return quoted(text)
    return text if len(text) <= 40 else f"{text[:40]}..."


# Where every door's user (a link, a file, the command line, Python) finds the names allowed.
VALID_NAMES = ("the valid names are the parameters on the dashboard's Method page, in docs/methodology.md and in "
               "python -m cx_roi params")

# Unknown names listed one by one, up to this many; the rest are counted.
_MAX_LISTED = 10


def _unknown_problems(data: Mapping[str, Any]) -> list[str]:
    lines = []
    unknown = [k for k in data if k not in PARAMETERS]
    for k in unknown[:_MAX_LISTED]:
        close = difflib.get_close_matches(str(k)[:100], PARAMETERS.keys(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        lines.append(f"{_shown(k)}: unknown field{hint}; {VALID_NAMES}")
    if len(unknown) > _MAX_LISTED:
        lines.append(f"and {len(unknown) - _MAX_LISTED:,} more unknown fields")
    return lines


def _reject_unknown(data: Mapping[str, Any]) -> None:
    unknown = _unknown_problems(data)
    if unknown:
        raise ScenarioError(unknown)


def _number(spec: Param, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise _Bad(f"got {value!r} (true/false); expected a number, {spec.describe_range()}")
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise _Bad(f"got {value!r} ({type(value).__name__}); expected a number, {spec.describe_range()}")
    try:
        v = float(value)
    except OverflowError:
        # Python ints are unbounded; anything past float range is out of range anyway.
        digits = str(abs(int(value)))
        shown = f"{'-' if value < 0 else ''}{digits[0]}.{digits[1:4]}e+{len(digits) - 1}"
        raise _Bad(f"got {shown}; allowed {spec.describe_range()}") from None
    # numpy's scalars show as the plain number (numpy 2 writes np.float64(2.0) as their repr).
    shown = repr(v) if isinstance(value, (np.integer, np.floating)) else repr(value)
    if not math.isfinite(v):
        raise _Bad(f"got {shown}; expected a finite number, {spec.describe_range()}")
    if v < spec.minimum or v > spec.maximum:
        raise _Bad(f"got {shown}; allowed {spec.describe_range()}")
    return v


def _clean(spec: Param, value: Any):
    if spec.kind == "bool":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise _Bad(f"got {value!r}; expected true or false")
    if spec.kind == "int":
        v = _number(spec, value)
        if not v.is_integer():
            raise _Bad(f"got {value!r}; allowed {spec.describe_range()}")
        return int(v)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # a numpy scalar in array form is just a number
    if spec.kind == "spend" and isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes)):
        seq = list(value)
        if not 1 <= len(seq) <= MAX_SCHEDULE_MONTHS:
            raise _Bad(f"a monthly schedule needs 1 to {MAX_SCHEDULE_MONTHS} values, got {len(seq)}")
        out = []
        for i, item in enumerate(seq, start=1):
            try:
                out.append(_number(spec, item))
            except _Bad as bad:
                raise _Bad(f"month {i}: {bad}") from None
        # A schedule with one repeated value is the same plan as a constant.
        return out[0] if len(set(out)) == 1 else tuple(out)
    return _number(spec, value)


# Version 1's defaults where version 2's differ.
_V1_DEFAULTS = {"service_weight": 0.6, "contact_memory": 0.7, "product_memory": 0.1, "survey_inflation": 0.10,
                "stories_per_churned_customer": 1.0, "positive_conversion_per_impression": 0.05,
                "negative_deterrence_per_impression": 0.1}


def _json_object(text: Any) -> Any:
    """What a scenario file's JSON text (str or bytes, at most :data:`MAX_JSON_BYTES`) holds, or
    ScenarioError saying why it cannot be read: :meth:`Scenario.from_json`'s reading, shared with
    :func:`fields_left_out`."""
    if isinstance(text, (bytearray, memoryview)):
        text = bytes(text)
    if not isinstance(text, (str, bytes)):
        how = ("for a mapping, use Scenario.from_dict" if isinstance(text, Mapping) else
               "to read a file, pass its contents: Scenario.from_json(path.read_bytes())")
        raise ScenarioError(f"from_json takes the JSON text (str or bytes), got {type(text).__name__}; {how}")
    if len(text) > MAX_JSON_BYTES:
        raise ScenarioError(f"not a usable scenario file: {len(text):,} bytes, where a scenario is a few kB "
                            f"(at most {MAX_JSON_BYTES:,} bytes, even with three 120-month schedules)")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")  # a byte-order mark (Notepad writes one) is not content
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"the file is not UTF-8 text (byte {exc.start}); "
                                "a scenario file is JSON text") from None
    text = text.removeprefix("\ufeff")
    try:
        # NaN and Infinity (not JSON, but some tools write them) are read as numbers, so the
        # field check names the field that holds one rather than a position in the text.
        data = json.loads(text, object_pairs_hook=_once_each)
    except _GivenTwice as exc:
        raise ScenarioError([f"{_shown(k)}: given more than once in the file; keep one value"
                             for k in exc.args[0]]) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except ValueError as exc:
        if "digits" in str(exc):  # Python's 4,300-digit limit on reading an integer
            raise ScenarioError("not a usable scenario file: it holds a whole number with thousands of "
                                "digits; every field is far smaller (see cx_roi.PARAMETERS)") from None
        raise ScenarioError(f"not a usable scenario file: {exc}") from None
    except RecursionError:
        raise ScenarioError("not a usable scenario file: JSON nested too deeply; "
                            "a scenario is one flat object of field: value") from None
    return data


def fields_left_out(text: str | bytes) -> list[str]:
    """The inputs a scenario file that :meth:`Scenario.from_json` reads does not give, in
    :data:`PARAMETERS` order: they take their defaults. Empty for a version-1 file, which could not
    name the inputs added since and whose left-out fields keep version 1's meaning
    (:func:`_upgrade_v1`). ``text`` as for ``from_json``; call it once that has read the file."""
    data = _json_object(text)
    if not isinstance(data, Mapping) or data.get("schema_version", SCHEMA_VERSION) == 1:
        return []
    return [name for name in PARAMETERS if name not in data]


def _upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 scenario as version 2 reads it, meaning what it meant.

    Version 1 started from the promoter and detractor shares entered, had no spend before the
    plan for service (the service spends before the plan are taken as the plan's first
    month's), and some defaults of its own (:data:`_V1_DEFAULTS`), which a file that left a
    field out meant.
    """
    out = {"settle_initial_sentiment": False, **_V1_DEFAULTS, **data}
    for prior, plan in (("prior_service_capacity_spend_per_month", "service_capacity_spend_per_month"),
                        ("prior_service_quality_spend_per_month", "service_quality_spend_per_month")):
        if prior not in out:
            first = out.get(plan, PARAMETERS[plan].default)
            if isinstance(first, (list, tuple)) and first:
                first = first[0]
            # A plan value that is not a number is reported once, under its own name.
            if isinstance(first, (int, float)) and not isinstance(first, bool):
                out[prior] = first
    return out


# The rules between fields, one table for a scenario and for per-draw values: ("order", a, b, format):
# a must not exceed b; ("shares", a, b): two shares of one group add up to at most 1.
_CROSS_RULES: tuple[tuple[str, ...], ...] = (
    ("order", "fcr_floor", "fcr_ceiling", "g"),
    *(("shares", f"{o}_promoter_share", f"{o}_detractor_share") for o in ("fast", "slow", "bad")),
    ("shares", "initial_promoter_share", "initial_detractor_share"),
    *(("shares", f"product_promoters_{level}", f"product_detractors_{level}") for level in ("weak", "outstanding")),
    ("order", "initial_customers", "market_size", ",.0f"),
)


def _broken(kind: str, a: Any, b: Any) -> Any:
    """Where a rule of :data:`_CROSS_RULES` is broken (a bool, or one per draw)."""
    return a > b if kind == "order" else a + b > 1 + 1e-12


def _cross_checks(s: Scenario) -> list[str]:
    problems = []
    for kind, x, y, *shown in _CROSS_RULES:
        a, b = getattr(s, x), getattr(s, y)
        if not _broken(kind, a, b):
            continue
        problems.append(f"{x} ({a:{shown[0]}}) must not exceed {y} ({b:{shown[0]}})" if kind == "order" else
                        f"{x} + {y} = {a + b:g}; they are shares of one group and must add up to at most 1")
    return problems


def batch_cross_checks(p: Mapping[str, np.ndarray]) -> list[str]:
    """The rules between fields of :func:`_cross_checks`, over per-draw values (field name ->
    array of shape (draws,), in the fields' units): one message per rule some draw breaks."""
    return [f"{x} must not exceed {y} in any draw" if kind == "order" else f"{x} + {y} must be at most 1 in every draw"
            for kind, x, y, *_ in _CROSS_RULES if np.any(_broken(kind, p[x], p[y]))]


def fix_cross_rules(values: dict[str, np.ndarray], scenario: Scenario) -> None:
    """Keep every draw of ``values`` (input -> one value per draw; inputs it lacks are at the
    scenario's value) within the rules between fields (:data:`_CROSS_RULES`), in place. Independent
    draws, or one input moved to the end of its range, can break them; the second share of a group
    gives way to the first (the detractors to the promoters), and the value that must not exceed
    another to that other (the FCR floor to its ceiling, the customers to the market)."""
    draws = len(next(iter(values.values())))

    def get(name: str) -> np.ndarray:
        return values[name] if name in values else np.full(draws, float(getattr(scenario, name)))

    for kind, x, y, *_ in _CROSS_RULES:
        if x in values or y in values:
            if kind == "order":
                values[x] = np.minimum(get(x), get(y))
            else:
                values[y] = np.minimum(get(y), 1.0 - get(x))


# "200,000" or "1,500,000.50": an amount with thousands separators, which a spend would read as a
# schedule (200, then 0); refused. A schedule that looks like one is written with ", " instead.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def schedule_text(values: Sequence[float], number: Callable[[float], str] = repr) -> str:
    """A monthly schedule as :func:`parse_value` reads it back: the months separated by commas, or by
    a comma and a space where the text would look like one amount with thousands separators
    (100,200,300 is refused as such; "100, 200, 300" is three months)."""
    text = ",".join(number(v) for v in values)
    return text.replace(",", ", ") if _GROUPED.fullmatch(text) else text


def parse_value(name: str, text: str) -> Any:
    """Turn text from a command line or URL into a value for field ``name``.

    Numbers accept ``1e5``, ``150000`` or ``150_000`` (ASCII digits only); booleans accept
    true/false/1/0/yes/no; a spend accepts a monthly schedule, its months separated by commas
    (:func:`schedule_text`). Text such as ``200,000`` is refused: it reads as thousands
    separators, and as a schedule it would be 200, then 0. Raises ScenarioError naming the field
    when the text cannot be read. Range checks happen when the Scenario is built.
    """
    if name not in PARAMETERS:
        _reject_unknown({name: None})
    spec = PARAMETERS[name]
    raw = str(text).strip()
    if spec.kind == "bool":
        low = raw.lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ScenarioError(f"{name}: got {raw!r}; expected true or false")
    if spec.kind == "spend" and _GROUPED.fullmatch(raw):
        raise ScenarioError(f"{name}: got {raw!r}, which would read as a schedule of {raw.count(',') + 1} months; "
                            f"write {raw.replace(',', '')} for one amount a month (no thousands separators), or "
                            f"separate a schedule's months with a comma and a space ({raw.replace(',', ', ')})")
    parts = [p.strip() for p in raw.split(",")] if spec.kind == "spend" else [raw]
    values = []
    for part in parts:
        try:
            if not part.isascii():  # float() also reads other scripts' digits ("١٢٣"): not what anyone typed here
                raise ValueError
            v = float(part.replace("_", ""))
        except ValueError:
            shown = raw if len(raw) <= 60 else raw[:57] + "..."
            raise ScenarioError(f"{name}: got {shown!r}; expected a number, {spec.describe_range()}") from None
        if math.isinf(v) and "inf" not in part.lower():
            # Digits past float range: say so, rather than echo "inf" for a number nobody wrote as such.
            shown = part if len(part) <= 40 else f"a number with {len(part):,} characters"
            raise ScenarioError(f"{name}: got {shown}, beyond any float; allowed {spec.describe_range()}")
        values.append(v)
    # Whole numbers as int while floats hold them exactly; past that a float, which an error
    # message shows as 1e+308 rather than as its 309 digits.
    if spec.kind == "int" and float(values[0]).is_integer() and abs(values[0]) <= 2.0**53:
        return int(values[0])
    return tuple(values) if len(values) > 1 else values[0]
