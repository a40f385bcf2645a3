"""Tables for people: pure functions from package data to DataFrames of formatted text.

The Method page's tables are drawn from ``cx_roi`` (parameters, column
definitions, solidity labels), never retyped; the Compare page's KPI table puts
each value next to its change against the baseline.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

import cx_roi
from cx_roi import GROUPS, PARAMETERS, SOLIDITY_LABELS
from cx_roi import formatting as fmt, outputs
from cx_roi.comparison import NOT_ONLY_SPEND, why_undefined
from cx_roi.parameters import params_in_group

__all__ = ["inert", "listed", "MAX_LISTED", "plain", "NOT_ONLY_SPEND", "parameter_groups",
           "definitions_table", "solidity_table", "is_nan",
           "comparison_table", "COMPARE_ROWS", "history_columns_table", "fit_table", "with_labels", "flip_table",
           "FLIP_COLUMN", "FLIP_ASSUMPTION"]


_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~$])")


def plain(text: str) -> str:
    """``text`` with Markdown's special characters escaped: ``st.table`` reads its cells as Markdown,
    and a source such as "a*b*c" must not turn into italics, nor "$5k-$8k" into mathematics."""
    return _MARKDOWN.sub(r"\\\1", text)


# What would turn quoted text into code, emphasis, strike-through, mathematics, a link, an entity
# ("&amp;" read as "&") or HTML: the characters themselves, an underscore at the edge of a word (inside
# names such as service_spend it reads as written), and at the start a heading's or a list's mark. Every dollar sign: two in one
# line, the quoted one and one of the message's own ("+$60k"), would set what lies between as maths.
_ACTIVE = re.compile(r"([\\`*\[\]<>~$&]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|^\s*[#+-]|^\s*\d{1,9}[.)](?!\S))")
# Characters that show nothing or reorder what follows (bidi overrides, zero-width spaces), line
# breaks that would start a new block, and control characters: each shown as "?".
_UNSEEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                     r"\ufff9-\ufffb\ud800-\udfff]")


def inert(text: Any, limit: int | None = None) -> str:
    """Text from outside (a link's values, a file's cells or name, a saved name) as Markdown that
    reads as written, wherever it is joined into a message: no link, image, emphasis, code or HTML
    of its own. The characters that format or link are escaped; web addresses that Markdown would
    turn into live links by themselves ("https://...", "www....", "name@host") are broken by an
    invisible zero-width space, which escaping cannot do; invisible and control characters show
    as "?". ``limit``: at most that many characters of the text are kept, then "...", so a
    60 kB value stays a line."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "..."
    text = _UNSEEN.sub("?", text)
    return break_codes(_ACTIVE.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)
                       .replace("://", ":\u200b//").replace("www.", "www\u200b.").replace("@", "\u200b@"))


_CODE = re.compile(r":(?=[A-Za-z])")


def break_codes(text: str) -> str:
    """``text`` with Streamlit's own codes broken: a colour (":red[...]"), an emoji (":smile:") or an
    icon (":material/check:") starts with a colon and a letter, which Streamlit turns into colour or
    a picture even after a backslash, and even an icon inside a code span; an invisible zero-width
    space after such a colon leaves the text as written."""
    return _CODE.sub(":\u200b", text)


MAX_LISTED = 25  # problems listed in one message; the rest are counted ("... and 3 more")
_MAX_LINE = 600  # characters of one listed problem: a link's values are cut well before this


def listed(lines: Sequence[str]) -> str:
    """Problems as a Markdown list: at most :data:`MAX_LISTED`, then how many more there were.
    A link or a file can hold thousands of bad values; the message stays a screenful."""
    out = []
    for line in lines[:MAX_LISTED]:
        if len(line) > _MAX_LINE:  # close a code span the cut opened
            line = line[:_MAX_LINE] + "..." + ("`" if line[:_MAX_LINE].count("`") % 2 else "")
        out.append(f"- {line}")
    if len(lines) > MAX_LISTED:
        out.append(f"- ... and {len(lines) - MAX_LISTED} more")
    return "\n".join(out)


def parameter_groups() -> list[tuple[str, pd.DataFrame]]:
    """Every scenario field, one table per group in the levers' order: its label and field name, the default and
    its unit, the plausible and allowed ranges in the default's format, the solidity, the source
    and what the parameter does. Every cell is whole text for a wrapping table (the Method page):
    in a data grid the sources and solidities ran past the screen's edge, cut off."""
    out = []
    for group, title in GROUPS.items():
        rows = []
        for p in params_in_group(group):
            rows.append({
                "Parameter": p.label,
                # The name links, scenario files, the command line and messages use for it.
                "Field": p.name,
                "Default": fmt.param_value(p.fmt, p.default),
                # Its own column: joined to the value, units read oddly ("0.60 0 weak - 1 outstanding").
                "Unit": p.unit or fmt.MISSING,
                "Plausible": (f"{fmt.param_value(p.fmt, p.plausible[0])} to {fmt.param_value(p.fmt, p.plausible[1])}"
                              if p.plausible else fmt.MISSING),  # a bare "-" is a Markdown list
                "Allowed": p.describe_range(formatted=True, unit=False),
                "Solidity": p.solidity,
                "Source": p.source,
                "What it does": p.help,
            })
        if rows:
            out.append((title, pd.DataFrame(rows).map(plain)))
    return out


def definitions_table(table: dict[str, outputs.Output]) -> pd.DataFrame:
    """``cx_roi.outputs.MONTHLY`` or ``cx_roi.outputs.KPIS`` for people: name, label, unit, meaning."""
    return pd.DataFrame({"Column": list(table), "Label": [o.label for o in table.values()],
                         "Unit": [o.unit for o in table.values()], "Meaning": [o.meaning for o in table.values()]})


def solidity_table() -> pd.DataFrame:
    return pd.DataFrame({"Label": list(SOLIDITY_LABELS), "Meaning": list(SOLIDITY_LABELS.values())})


def is_nan(x: Any) -> bool:
    """True for a value the KPI tables and cards cannot show as a number: NaN, None or not a number."""
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


NBSP = "\u00a0"


# The KPIs of the comparison table, in order (labels and formats: cx_roi.outputs); spend at present
# value, as ROI divides by it and the reports show it. Every row but these shows its change against
# the baseline too.
COMPARE_ROWS = ("npv", "roi", "payback_month", "final_customers", "avg_monthly_churn", "wom_share", "final_nps",
                "final_nps_measured", "avg_service_level", "cac_paid", "pv_spend")
_NO_CHANGE = ("roi", "payback_month")


def beyond_spend_note(table: pd.DataFrame, most: int = 3) -> str | None:
    """A warning for the scenarios of a ``cx_roi.compare`` table that differ from its baseline in more
    than their spends, naming the inputs (at most ``most``, then a count); None when none does.

    Their changes in NPV and customers then mix another business with what the spend does (a
    preset beside a baseline fitted to the user's own history, say), and the table alone would
    credit the spend with all of it."""
    other = table.attrs.get("beyond_spend", {})
    if not other:
        return None
    parts = []
    for name, fields in other.items():
        labels = [PARAMETERS[f].label.lower() for f in fields]
        parts.append(f"**{inert(name)}** differs from the baseline in {fmt.and_list(labels, most=most)}")
    its, business = ("Its", "that other business") if len(parts) == 1 else ("Their", "those other businesses")
    return (f"Not a change of spend alone: {'; '.join(parts)}. {its} changes in NPV, customers and the other "
            f"figures include {business}, not only what spend does, so ROI and payback are left out; "
            "compare scenarios of one business to see what spend returns.")


def comparison_table(table: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """``cx_roi.compare`` output as text: one row per KPI, one column per scenario.

    Cells read "value (change against the baseline)"; the baseline's column
    shows values only. Undefined values (no payback, no extra spend) read as
    words, not "nan".
    """
    baseline = table.attrs.get("baseline")
    labels = labels or {}
    out: dict[str, list[str]] = {}
    for name, row in table.iterrows():
        column = []
        for col in COMPARE_ROWS:
            value = row.get(col)
            if name == baseline and col in _NO_CHANGE:
                column.append("baseline")
                continue
            if is_nan(value):
                column.append(why_undefined(row, col) or fmt.MISSING)
                continue
            shown = outputs.show(col, value)
            diff = (row.get(f"delta_{col}") if f"delta_{col}" in row
                    else value - table.loc[baseline, col] if baseline in table.index else None)
            if col not in _NO_CHANGE and name != baseline and not is_nan(diff):
                # The change keeps its unit on its line ("(+0.02 pp)", never "(+0.02" then "pp)") when a
                # narrow column wraps: the break falls before the bracket.
                shown += f" ({outputs.show_change(col, diff).replace(' ', NBSP)})"
            column.append(shown)
        title = inert(labels.get(name, name))  # a saved scenario's name: st.table reads headers as Markdown
        out[f"{title} (baseline)" if name == baseline else title] = column
    return pd.DataFrame(out, index=pd.Index([outputs.output(c).label for c in COMPARE_ROWS], name="KPI"))


def horizon_note(scenarios: dict[str, cx_roi.Scenario], horizon_months: int) -> str | None:
    """A sentence (Markdown) naming scenarios whose own horizon differs from the comparison's, or None."""
    odd = [f"{inert(name)} ({s.horizon_months} months)" for name, s in scenarios.items()
           if s.horizon_months != horizon_months]
    if not odd:
        return None
    return (f"Compared over the baseline's {fmt.horizon(horizon_months)}; "
            f"{', '.join(odd)} {'has' if len(odd) == 1 else 'have'} another horizon of its own.")


def history_columns_table() -> pd.DataFrame:
    """The columns a history file can have (``cx_roi.history.COLUMNS``): name, required, unit, meaning, synonyms."""
    from cx_roi.history import COLUMNS

    return pd.DataFrame([{"Column": c.name, "Required": "yes" if c.required else "optional", "Unit": c.unit,
                          "Meaning": c.description, "Also accepted": ", ".join(c.aliases)}
                         for c in COLUMNS.values()])


_STATUS_ORDER = {"fitted": 0, "from data": 1, "default": 2}


def _se_text(spec_fmt: str, se: float) -> str:
    """A standard error in the field's format, with more digits when that format rounds it to nothing;
    an infinite one (the history does not inform the parameter) in words."""
    if math.isinf(se):
        return "not identified"
    text = fmt.param_value(spec_fmt, se)
    if se > 0 and not any(ch in "123456789" for ch in text):
        text = f"{se * 100:.2g}%" if "%" in spec_fmt else f"{se:.2g}"
    return text


def fit_table(fit: cx_roi.HistoryFit, statuses: tuple[str, ...] = ("fitted", "from data"),
              plan: cx_roi.Scenario | None = None) -> pd.DataFrame:
    """``HistoryFit.parameters`` for people: value, standard error and the 95% range of
    ``fit.conf_int()`` in the field's format.

    The range is worked out on the scale the fit used (the logarithm, for all
    but the product value), so it reaches further above the value than below
    it. ``plan``: the planning scenario (``HistoryFit.scenario``); its value
    is shown beside the one that replays the history, because spends and
    customers move on from the history's averages to where it ends.
    """
    rows = []
    parameters, ranges = fit.parameters, fit.conf_int(0.05)
    chosen = parameters[parameters["status"].isin(statuses)]
    for field, r in sorted(chosen.iterrows(), key=lambda item: _STATUS_ORDER.get(item[1]["status"], 9)):
        spec = PARAMETERS[field]
        value, se = r["value"], r["standard_error"]
        spread = ""
        if field in ranges.index and not ranges.loc[field].isna().any():
            lo, hi = ranges.loc[field]
            spread = " to ".join(_distinct(spec.fmt, lo, hi))  # a narrow range must not read "0.28 to 0.28"
        # A starting level ("Customers today") replays the history from its first month; the plan
        # starts where the history ends (the next column), so "today" would name two values.
        label = spec.label.replace(" today", " at the history's start") if field.startswith("initial_") else spec.label
        row = {"Parameter": label, "Value": fmt.param_value(spec.fmt, value),
               "Standard error": "" if is_nan(se) else _se_text(spec.fmt, float(se)),
               "95% range": spread, "Unit": spec.unit, "How": r["status"], "Note": r["note"], "Field": field}
        if plan is not None:
            row["Plan starts from"] = fmt.param_value(spec.fmt, getattr(plan, field))
        rows.append(row)
    columns = ["Parameter", "Value", "Standard error", "95% range", *(["Plan starts from"] if plan else []),
               "Unit", "How", "Note", "Field"]
    return pd.DataFrame(rows, columns=columns)


def with_labels(text: str) -> str:
    """A package message with each scenario field name shown as its label (``churn_promoter``:
    ``monthly churn of promoters``), and a capital first letter. The page's tables name fields by
    label only, so the message does too."""
    out = re.sub(r"\b([a-z][a-z0-9_]+)\b",
                 lambda m: PARAMETERS[m[1]].label[:1].lower() + PARAMETERS[m[1]].label[1:] if m[1] in PARAMETERS
                 else m[1], text)
    return out[:1].upper() + out[1:]


FLIP_COLUMN = "Service leads when it is"
FLIP_ASSUMPTION = "Assumption (solidity)"


def flip_table(table: pd.DataFrame) -> pd.DataFrame:
    """``cx_roi.break_even_table`` for people: each assumption with its solidity, its likely value,
    on which side of which value service leads ("above 294 people per online story") and how far
    that is, in the field's own format and unit. The assumption that needs the smallest move to
    flip the lead comes first; those that cannot flip it follow in the table's order.

    Four columns, the solidity beside the name: a fifth column did not fit a 360-pixel phone
    even with every cell wrapped."""
    rows, moves = [], []
    for _, r in table.iterrows():
        spec = PARAMETERS[r["field"]]
        likely = float(r["current"])
        # pandas may hold a missing direction as NaN rather than None
        side = r["direction"] if isinstance(r["direction"], str) and r["direction"] else None
        if pd.isna(r["break_even"]) or side not in ("above", "below"):
            shown_likely, change, move = fmt.param_value(spec.fmt, likely), fmt.MISSING, math.inf
            # cx_roi.break_even_table: "always" (service leads throughout), "never" (advertising does)
            where = ("nowhere in its allowed range: advertising leads throughout" if side == "never"
                     else "anywhere in its allowed range: no value flips the lead")
        else:
            flip = float(r["break_even"])
            shown_likely, crossing = _distinct(spec.fmt, likely, flip)
            where = f"{side} {crossing}{fmt.unit_suffix(spec.fmt, spec.unit)}"
            change = f"{r['change']:+.1%}" if likely else fmt.MISSING
            move = abs(r["change"]) if likely else math.inf
        moves.append(move)
        rows.append({FLIP_ASSUMPTION: f"{r['label']} ({spec.solidity})",
                     "Likely value": shown_likely + fmt.unit_suffix(spec.fmt, spec.unit),
                     FLIP_COLUMN: where, "Change needed": change})
    order = sorted(range(len(rows)), key=moves.__getitem__)  # stable: ties keep the table's order
    return pd.DataFrame([rows[i] for i in order],
                        columns=[FLIP_ASSUMPTION, "Likely value", FLIP_COLUMN, "Change needed"])


SOLIDITY_HELP = "; ".join(f"{k}: {v}" for k, v in SOLIDITY_LABELS.items())


def _distinct(spec_fmt: str, a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` in the field's format, with as many more decimals as it takes to tell them
    apart (a flip point a hair from the likely value must not read as the same number) and to show
    a value that is not zero as not zero (a flip at 0.46 people must not read "above 0")."""
    shown = fmt.param_value(spec_fmt, a), fmt.param_value(spec_fmt, b)
    precision = re.compile(r"\.(\d+)([%fge])")

    def unclear() -> bool:
        return shown[0] == shown[1] or any(v != 0 and not re.search(r"[1-9]", t) for v, t in zip((a, b), shown))

    for extra in range(1, 6):
        if not unclear() or not precision.search(spec_fmt):
            break
        wider = precision.sub(lambda m: f".{int(m[1]) + extra}{m[2]}", spec_fmt, count=1)
        shown = fmt.param_value(wider, a), fmt.param_value(wider, b)
    return shown
