"""Number formatting for everything a user reads: cards, tables, sentences, help texts, and the
exported reports, so a figure reads the same on screen and in a file.

Pure functions of plain numbers, so every page formats money, counts and shares
the same way. NaN and infinities never reach the screen as "nan": each function
returns ``missing`` (an en dash by default) instead.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from typing import Any, Callable

__all__ = ["money", "amount", "signed_money", "count", "signed_count", "percent", "signed_points",
           "chance", "ratio", "month", "horizon", "param_value", "unit_suffix", "with_unit", "MISSING", "is_number",
           "and_list", "round_numbers", "quoted", "short_names", "number", "chart_text"]

MISSING = "–"

# Above this, every digit of a number is noise to a reader (and a float's 1e300 has 301 of them):
# numbers show as 1.2e+18.
_HUGE = 1e15

# (divisor, suffix), smallest first.
_UNITS = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "B"))


def is_number(x: Any) -> bool:
    """True for a finite real number (bools excluded: they are not amounts)."""
    if isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _finite(format_number: Callable[..., str]) -> Callable[..., str]:
    """The one rule for figures that are not there: the decorated formatter gets ``x`` as a float,
    and whatever :func:`is_number` refuses (NaN, an infinity, None, a bool, text that is no number)
    reads ``missing`` (keyword only, an en dash by default)."""
    @functools.wraps(format_number)
    def formatter(x: Any, *args: Any, missing: str = MISSING, **kwargs: Any) -> str:
        return format_number(float(x), *args, **kwargs) if is_number(x) else missing
    return formatter


def quoted(value: Any, limit: int = 40) -> str:
    """A value from outside (a file's cell, an argument) as a message quotes it: its repr, cut to
    ``limit`` characters with "..." after, so a cell of thousands of characters stays one line."""
    if isinstance(value, str):  # the text counts, not its quotes
        return repr(value) if len(value) <= limit else f"{value[:limit]!r}..."
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}..."


def chart_text(text: Any) -> str:
    """Text from outside (a scenario's name) as a plotly label, legend entry or title draws it: as
    written. Plotly reads entities ("&amp;") and a few HTML tags in all of them, so a name typed
    with "&lt;b&gt;" would be drawn as "<b>"; its "&", "<" and ">" go in as entities instead."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short_names(names: Any, limit: int = 40) -> dict[str, str]:
    """Each name as a chart label or a column header can hold it: at most ``limit`` characters
    (the dashboard's own limit for a name is 40), a longer one cut to its start and end around
    "…". Names that would then read alike keep their place in the list as a number, "(2)", so
    each stays distinct. Returns name -> shown name, in the names' order."""
    def cut(name: str, room: int) -> str:
        if len(name) <= room:
            return name
        head = (room - 1) * 2 // 3  # the start tells most names apart; the end often says the change
        return name[:head] + "…" + name[len(name) - (room - 1 - head):]

    names = [str(n) for n in names]
    shown = {n: cut(n, limit) for n in names}
    times = Counter(shown.values())
    for i, n in enumerate(names, start=1):
        if times[shown[n]] > 1:
            tag = f" ({i})"
            shown[n] = cut(n, max(limit - len(tag), 2)) + tag
    return shown


def and_list(parts: Any, most: int | None = None) -> str:
    """Words joined as a sentence lists them, repeats dropped: "a", "a and b", "a, b and c"; beyond
    ``most`` of them, the rest counted: "a, b and 3 more"."""
    parts = list(dict.fromkeys(parts))
    if most is not None and len(parts) > most:
        parts = [*parts[:most], f"{len(parts) - most} more"]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def round_numbers(at_least: float):
    """1, 2, 2.5 and 5 x 10^k, ascending from the first at or above ``at_least`` (> 0), endlessly:
    the steps of a slider or a chart axis that read as round."""
    if not at_least > 0 or not math.isfinite(at_least):
        raise ValueError(f"round_numbers needs a finite number above 0, got {at_least!r}")
    exp = math.floor(math.log10(at_least))
    while True:
        for m in (1.0, 2.0, 2.5, 5.0):
            v = m * 10.0 ** exp
            if v >= at_least * (1 - 1e-12):  # log10 rounding must not skip an exact 10^k
                yield v
        exp += 1


def number(x: Any) -> str:
    """A number as a message quotes it: whole with thousands separators from 100 on (12,345),
    four significant digits below (0.1235), and in powers of ten past a thousand trillion
    (1e+300), which no one reads digit by digit."""
    v = float(x)
    if not math.isfinite(v) or abs(v) >= _HUGE:
        return f"{v:.3g}"
    return f"{v:,.0f}" if abs(v) >= 100 or v.is_integer() else f"{v:,.4g}"


@_finite
def amount(x: float) -> str:
    """An amount someone chose (a spend, the next dollar), exactly: $50k, $7.5k, $1.25M, $12,345.

    :func:`money` rounds to one decimal of its unit, which is right for a result but
    would show a chosen $12,500 as $12k or $12.5k depending on the digits asked for.
    """
    a = abs(x)
    if a >= _HUGE:
        return f"-${number(a)}" if x < 0 else f"${number(a)}"
    for divisor, suffix in _UNITS[:0:-1]:
        scaled = a / divisor
        if scaled >= 1 and abs(scaled * 100 - round(scaled * 100)) < 1e-6:
            text = f"{scaled:,.2f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{a:,.0f}"
    return f"-${text}" if x < 0 else f"${text}"


@_finite
def money(x: float, digits: int = 1, *, cents: bool = False) -> str:
    """Dollars, compact above a thousand: $950, $12.3k, $1.2M, -$3.4B.

    ``cents`` shows amounts under $1,000 to the cent ($90.84), for unit costs.
    """
    a = abs(x)
    if a >= _HUGE:
        return f"-${number(a)}" if x < 0 else f"${number(a)}"
    places = (2 if cents else 0, digits, digits, digits)  # decimals in dollars, k, M and B
    # The largest unit the amount reaches, then one up only if rounding would print 1,000 of
    # it: 999,960 is $1.0M, not $1,000.0k, but 951,416 stays $951.4k.
    i = max(j for j, (divisor, _) in enumerate(_UNITS) if j == 0 or a >= divisor)
    while i + 1 < len(_UNITS) and round(a / _UNITS[i][0], places[i]) >= 1000:
        i += 1
    divisor, suffix = _UNITS[i]
    text = f"{a / divisor:,.{places[i]}f}{suffix}"
    if text in ("0", "0.00"):
        return "$0.00" if cents else "$0"
    return f"-${text}" if x < 0 else f"${text}"


@_finite
def signed_money(x: float, digits: int = 1, *, cents: bool = False) -> str:
    """A change in dollars with its sign: +$1.2M, -$350k, $0."""
    text = money(x, digits, cents=cents)
    return text if text.startswith("-") or text in ("$0", "$0.00") else f"+{text}"


@_finite
def count(x: float) -> str:
    """A whole count with thousands separators: 93,875."""
    return f"{round(x):,.0f}"


@_finite
def signed_count(x: float) -> str:
    """A change in a count: +6,216 or -1,020."""
    v = round(x)
    return "0" if v == 0 else f"{v:+,.0f}"


@_finite
def percent(x: float, digits: int = 1) -> str:
    """A share as a percentage: 0.0479 -> 4.8%."""
    text = f"{x * 100:,.{digits}f}"
    if float(text.replace(",", "")) == 0:
        text = f"{0:.{digits}f}"  # no "-0.0%"
    return f"{text}%"


@_finite
def chance(x: float) -> str:
    """A probability estimated from draws, to the whole percent: 37%; never a certain "100%" or "0%"
    (a share of draws is an estimate), so above 99.5% it reads ">99%" and below 0.5% "<1%"."""
    text = percent(x, 0)
    # Decided on the rounded text, so 0.005 (1 draw in 200) is "<1%", not a "0%" from rounding half to even.
    return {"100%": ">99%", "0%": "<1%"}.get(text, text)


@_finite
def signed_points(x: float, digits: int = 1) -> str:
    """A change in a share, in percentage points: +2.0 pp, -0.10 pp."""
    text = f"{x * 100:+.{digits}f}"
    return f"{0:.{digits}f} pp" if float(text) == 0 else f"{text} pp"  # no "+0.0 pp" or "-0.0 pp"


@_finite
def ratio(x: float, digits: int = 1) -> str:
    """A multiple: 2.16 -> 2.2x."""
    return f"{x:,.{digits}f}x"


@_finite
def month(x: float) -> str:
    """A month number: 18 -> month 18."""
    return f"month {round(x)}"


def horizon(months: int) -> str:
    """A horizon in words: 60 -> 5 years, 18 -> 18 months, 12 -> 1 year."""
    months = int(months)
    if months % 12 == 0:
        years = months // 12
        return "1 year" if years == 1 else f"{years} years"
    return f"{months} months"


def param_value(fmt: str, value: Any) -> str:
    """A parameter value through the parameter's own format (``Param.fmt``).

    A monthly schedule (tuple) of up to three steps says them ("$155,000 in months 1-12, then $0
    from month 13": the last value holds to the horizon; a schedule cut by a shorter horizon is
    said whole); a longer one shows its first months and its length. A bool shows yes/no. Falls
    back to ``str`` rather than raising, because help texts must render whatever a URL or a file
    put into the scenario.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        steps = [(v, len(list(run))) for v, run in itertools.groupby(value)]
        if len(steps) == 1:
            return f"{param_value(fmt, steps[0][0])} every month"
        if 1 < len(steps) <= 3:
            said, start = [], 1
            for i, (v, n) in enumerate(steps):
                months = (f"from month {start}" if i == len(steps) - 1 else
                          f"in month {start}" if n == 1 else f"in months {start}-{start + n - 1}")
                said.append(f"{param_value(fmt, v)} {months}")
                start += n
            return ", then ".join(said)
        shown = ", ".join(param_value(fmt, v) for v in value[:4])
        more = ", ..." if len(value) > 4 else ""
        return f"{shown}{more} ({len(value)} monthly values)"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def unit_suffix(fmt: str, unit: str) -> str:
    """What follows a value shown through ``fmt`` so its unit is said once: " people per online
    story"; "" when the format ends in its unit ("420 s"); " per agent-month" after "$6,000"."""
    if not unit or not fmt.endswith("}"):
        return ""
    if fmt.startswith("$") and unit.startswith("$"):
        unit = unit[1:].strip()
    return f" {unit}" if unit else ""


def with_unit(fmt: str, value: Any, unit: str) -> str:
    """A parameter value through its format with its unit (:func:`unit_suffix`): "300 people per online
    story", "420 s", "$6,000 per agent-month"."""
    return param_value(fmt, value) + unit_suffix(fmt, unit)
