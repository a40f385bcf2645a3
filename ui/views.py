"""Building blocks the pages share: KPI cards, notices, the page header and style.

``kpi_cards`` is pure (rows of a ``cx_roi.compare`` table in, formatted cards
out) so the numbers a user reads can be tested without Streamlit; the
``render_*`` functions only lay those out.
"""

from __future__ import annotations

from concurrent.futures import Future, wait as futures_wait
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st

from cx_roi import PARAMETERS, ScenarioError, outputs
from cx_roi import formatting as fmt
from cx_roi.comparison import NO_EXTRA_SPEND, NOT_ONLY_SPEND, SAME_AS_BASELINE, no_return_reason, why_undefined
from cx_roi.margins import ODDS_DRAWS
from cx_roi.verdict import LEVER_WORDS, verdict

from . import cached, state
from .tables import inert, is_nan

__all__ = ["Card", "beyond_spend_note", "LIKELY_RANGE_HELP", "likely_range", "lead_card", "kpi_cards", "render_cards",
           "stacked_table_css", "render_stacked_table", "PAGE_CSS", "PRESENT_CSS", "change_card", "NO_CHANGE",
           "render_notices", "header", "inject_style", "render_verdict"]


class Card(NamedTuple):
    label: str
    value: str
    delta: str | None  # a formatted change, NO_CHANGE (grey, no arrow), or None for none
    delta_color: str  # "normal": up is good; "inverse": down is good; "off": neither
    help: str
    delta_arrow: str = "auto"  # "off" for a delta that is a remark, not a change

    @property
    def judgement(self) -> str | None:
        """"better" or "worse" for a coloured change, in words beside it: the colour alone says
        nothing to a screen reader or to a reader who cannot tell red from green."""
        if not self.delta or self.delta_arrow == "off" or self.delta_color not in ("normal", "inverse"):
            return None
        up = {"+": True, "-": False}.get(self.delta[:1])
        return None if up is None else "better" if up == (self.delta_color == "normal") else "worse"


NO_CHANGE = "no change"
"""A card's change that rounds to nothing."""


def change_card(label: str, value: str, change: str | None, zeros: tuple[str, ...], colour: str,
                help_text: str) -> Card:
    """A card with its formatted ``change`` (None: none to show); a change that reads as one of
    ``zeros`` ("$0", "0.00 pp") says :data:`NO_CHANGE`, grey and without an arrow: st.metric colours a
    text by its sign, so "$0" read as a green gain, and a bare 0 had no unit."""
    if change is not None and change in zeros:
        return Card(label, value, NO_CHANGE, "off", help_text, "off")
    return Card(label, value, change, colour, help_text)


def beyond_spend_note(fields: tuple[str, ...], baseline_label: str) -> str:
    """Why ROI and payback are not shown: the inputs besides spend that differ, by their labels."""
    labels = [PARAMETERS[f].label.lower() for f in fields if f in PARAMETERS]
    return (f"besides its spends, this scenario differs from {baseline_label} in "
            f"{fmt.and_list(labels, most=5)}, so its NPV change is not what the extra spend returns. Compare it "
            "with a baseline that differs only in spend (the same preset, unedited) to read a return.")


def lead_card(row: pd.Series, *, same_as_baseline: bool, baseline_label: str,
              per_dollar: Mapping[str, float] | None, other: bool) -> Card:
    """The first card: the answer. Against a baseline, the NPV the change adds; on the baseline
    itself, what one more dollar a month returns on the best lever (``per_dollar``:
    :attr:`cx_roi.LeverOdds.per_dollar` at the likely values), against the runner-up."""
    if same_as_baseline and per_dollar:
        ranked = sorted(per_dollar, key=per_dollar.get, reverse=True)
        best, second = ranked[0], ranked[1]
        return Card(f"Each extra $1 spent on {LEVER_WORDS[best]}", fmt.signed_money(per_dollar[best], cents=True),
                    f"{LEVER_WORDS[second]}: {fmt.signed_money(per_dollar[second], cents=True)}", "off",
                    "What each extra dollar spent on this lever adds to NPV after paying for itself (the return "
                    "on the next dollar: the NPV a little more spend a month adds, over the present value of that "
                    "spend), at the likely values: the best of the three levers here, with the runner-up below. "
                    "Optimise shows the same slope per $1,000 a month, before dividing by what that spend costs "
                    "over the horizon. The sentence above gives the chance that it really is the best, over "
                    "plausible worlds.", "off")
    help_text = (f"NPV of this scenario minus NPV of {baseline_label}: what the change adds, the same "
                 "figure as the NPV card's change, the verdict's, Compare's and the exports'.")
    if same_as_baseline:
        return Card("NPV change vs baseline", "Move a spend", SAME_AS_BASELINE, "off", help_text, "off")
    if other:
        return Card("NPV difference vs baseline", fmt.signed_money(row["delta_npv"]), NOT_ONLY_SPEND, "off",
                    help_text, "off")
    return Card("NPV change vs baseline", fmt.signed_money(row["delta_npv"]), None, "off", help_text)


def kpi_cards(row: pd.Series, base: pd.Series, *, same_as_baseline: bool, baseline_label: str,
              horizon_months: int, beyond_spend: tuple[str, ...] = (),
              per_dollar: Mapping[str, float] | None = None) -> list[Card]:
    """The answer (:func:`lead_card`) and the seven headline KPIs of ``row`` with changes against ``base``.

    ``row`` and ``base`` are rows of ``cx_roi.compare`` (``base`` the
    baseline's); ``same_as_baseline`` says whether the two scenarios are
    identical, so ROI and payback read "same as baseline" rather than a
    misleading number. ``beyond_spend``: the inputs besides spend in which
    the two differ (``cx_roi.comparison.beyond_spend``), where ROI and
    payback are undefined; named in their help. ``per_dollar``: the next dollar's return
    by lever, which the first card shows on the baseline itself.
    """
    other = NOT_ONLY_SPEND if beyond_spend or no_return_reason(row) == NOT_ONLY_SPEND else None
    other_help = f" Not shown here: {beyond_spend_note(beyond_spend, baseline_label)}" if beyond_spend else ""
    vs = f" Change against {baseline_label}."
    if other:
        # Against another business a change is a difference between two companies, not good or bad
        # news about a spending choice: the figure stays, without the green or red.
        vs += (" In grey: the two differ in more than spend, so the change is not the effect of spending "
               "more or less.")

    def changed(label: str, value: str, text: str | None, zeros: tuple[str, ...], colour: str,
                help_text: str) -> Card:
        return change_card(label, value, None if same_as_baseline else text, zeros, "off" if other else colour,
                           help_text)

    def remark(label: str, value: str, note: str | None, help_text: str) -> Card:
        return Card(label, value, note, "off", help_text, "off")

    cards = [
        lead_card(row, same_as_baseline=same_as_baseline, baseline_label=baseline_label,
                  per_dollar=per_dollar, other=bool(other)),
        changed("NPV", outputs.show("npv", row["npv"]), outputs.show_change("npv", row["delta_npv"]), ("$0",),
                "normal", outputs.KPIS["npv"].meaning.capitalize() + "." + vs + " The cumulative contribution chart "
                "ends at another figure: it adds up cash as it comes, undiscounted, and leaves out the customers "
                "left at the end."),
    ]
    roi_help = ("Change in NPV per dollar of extra spend (present value), against " + baseline_label
                + ". Not defined when the scenario spends no more than the baseline. NPV includes the value "
                "of the customers left at the end, net of their cost to serve, so a service plan that loses "
                "money can lose more than its extra spend within the horizon." + other_help)
    payback_help = ("First month from which the scenario's cumulative cash, minus the baseline's, stays "
                    "at or above zero. Cash only: unlike NPV it leaves out the value of the customers left at "
                    "the end, so a plan can add NPV and still not pay back within the horizon." + other_help)
    # On the baseline itself there is no move to measure yet: the card says what it will show.
    for col, help_text, undefined, why in (("roi", roi_help, fmt.MISSING, NO_EXTRA_SPEND),
                                           ("payback_month", payback_help, "Never",
                                            f"not within {fmt.horizon(horizon_months)}")):
        label = outputs.output(col).label
        if same_as_baseline:
            cards.append(remark(label, "Move a spend", SAME_AS_BASELINE, help_text))
        elif other:
            cards.append(remark(label, fmt.MISSING, other, help_text))
        elif is_nan(row[col]):
            cards.append(remark(label, undefined, why, help_text))
        else:
            cards.append(remark(label, outputs.show(col, row[col]), None, help_text))
    # The changes, each green when it is good news: more customers, less churn, more word of mouth,
    # cheaper paid customers.
    for col, colour in (("final_customers", "normal"), ("avg_monthly_churn", "inverse"), ("wom_share", "normal"),
                        ("cac_paid", "inverse")):
        o = outputs.KPIS[col]
        diff = row.get(f"delta_{col}", float(row[col]) - float(base[col]))
        shown = outputs.show_change(col, diff)
        missing = why_undefined(row, col) or fmt.MISSING
        cards.append(changed(o.label, outputs.show(col, row[col], missing=missing), None if is_nan(diff) else shown,
                             (outputs.show_change(col, 0.0),), colour, f"{o.label}: {o.meaning}.{vs}"))
    return cards


LIKELY_RANGE_HELP = ("The range below the figure holds 8 draws in 10: one in 10 ends below its low end "
                     "(the P10) and one in 10 above its high end (the P90).")


def likely_range(p10: str, p90: str) -> str:
    """A card's P10-P90 range in words: "8 in 10 draws: $124.6M to $302.9M"."""
    return f"8 in 10 draws: {p10} to {p90}"


def narrow_lead(flips: list[tuple[str, float, str]], most: int = 3, leader: str = "") -> str | None:
    """The Risk page's warning for assumptions a small move away from flipping the lead:
    ``(label, signed relative move, solidity)`` each, nearest first; None when there are none.
    Several are all named (up to ``most``), as one alone would suggest it is the only one.
    ``leader``: the plan ahead at the likely values ("service quality (training, tools)" or
    "advertising"), so the warning says which way the lead would go."""
    if not flips:
        return None

    def move(label: str, m: float) -> str:
        return f"{label.lower()} {abs(m):.1%} {'above' if m > 0 else 'below'} its likely value"

    to = "the other plan" if not leader else "service" if leader == "advertising" else "advertising"
    hand = f"hand it from {leader} to {to}" if leader else f"hand it to {to}"
    if len(flips) == 1:
        label, m, solidity = flips[0]
        return (f"The lead is narrow: {move(label, m)} would {hand}, and that "
                f"assumption's solidity is {solidity}.")
    shown = [f"{move(label, m)} (solidity {solidity})" for label, m, solidity in flips[:most]]
    more = len(flips) - len(shown)
    tail = f"; and {more} more in the table below" if more else ""
    return f"The lead is narrow. Any one of these would {hand}: {'; '.join(shown)}{tail}."


def render_cards(cards: list[Card], *, big: bool = False) -> None:
    """Cards on a grid of equal columns (ui/css/page.css): at most four to a row, as many as fit
    (eight are 4 + 4 on a laptop and 2 + 2 + 2 + 2 on a phone), a short last row as wide as the others."""
    with st.container(horizontal=True, gap="small", key="kpis"):
        for c in cards:
            st.metric(c.label, c.value, delta=c.delta, delta_color=c.delta_color, help=c.help,
                      border=True, delta_arrow=c.delta_arrow, height="stretch", delta_description=c.judgement)


def stacked_table_css(key: str, columns: list[str], below: int = 640) -> str:
    """CSS that shows the ``st.table`` inside the container ``key`` row by row when that container is
    narrower than ``below`` pixels (what its columns need side by side: a phone, a tablet, half a
    page, beside an open sidebar): each row a block, each cell a line under its column's name. Seven
    columns of sources and notes side by side left each a few letters wide on a 390-pixel screen, and
    rows a screen tall. A container query, so it follows the table's own room, not the window's."""
    box = f".st-key-{key} [data-testid='stTableStyledTable']"
    labels = "\n".join(
        # Body cells carry no column classes (the header's do), so they are found by position.
        f"{box} td:nth-child({i + 1})::before {{ content: \"{_css_string(name)}\"; }}"
        for i, name in enumerate(columns) if i)
    return f"""<style>
    .st-key-{key} {{ container-type: inline-size; }}
    @container (max-width: {below}px) {{
        {box} thead {{ display: none; }}
        {box}, {box} tbody, {box} tr, {box} td {{ display: block; width: 100%; }}
        {box} tr {{ padding: 0.5rem 0; border-bottom: 1px solid rgba(49, 51, 63, 0.2); }}
        {box} td {{ border: none; padding: 0.1rem 0.5rem; text-align: left !important; overflow-wrap: anywhere; }}
        {box} td:first-child {{ font-weight: 600; }}
        {box} td::before {{ display: block; font-size: 0.75rem; opacity: 0.65; }}
        {labels}
    }}
    </style>"""


def _css_string(text: str) -> str:
    """``text`` inside a CSS string in double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def render_stacked_table(table: pd.DataFrame, key: str, below: int = 640) -> None:
    """``st.table`` (no index) shown row by row in less than ``below`` pixels (:func:`stacked_table_css`)."""
    with st.container(key=key):
        st.html(stacked_table_css(key, [str(c) for c in table.columns], below))
        st.table(table, hide_index=True)


def render_notices() -> None:
    """Pending notices (bad link values, refused changes, upload results), with a dismiss button."""
    pending = state.notices()
    if not pending:
        return
    for n in pending:
        {"error": st.error, "info": st.info}.get(n.kind, st.warning)(n.text)
    state.mark_seen()
    # A real button (secondary, with an icon): as plain tertiary text it did not look clickable.
    st.button("Dismiss messages", on_click=state.dismiss_notices, key="dismiss_notices", icon=":material/close:")


def header(title: str, subtitle: str | None = None) -> None:
    """Page title with the presentation toggle on the right (always reachable, even when presenting).
    ``subtitle`` is Markdown: a name from outside in it is the caller's to make inert."""
    left, right = st.columns([5, 1], vertical_alignment="center")
    with left:
        st.title(title, anchor=False)
        if subtitle:
            st.caption(subtitle)
    # Flush with the content's right edge, where the cards and charts end.
    with right, st.container(horizontal_alignment="right"):
        st.toggle("Present", **state.bind("present"),
                  help="Presentation mode: hides the settings and enlarges every text, number and chart; "
                       "Explore keeps its three spends, to answer a what-if in the room. It is part of the link, "
                       "so a shared link opens the same way.")


# The pages' style sheets: every page's, and the one that makes a room's screen readable.
_CSS = Path(__file__).parent / "css"
PAGE_CSS = (_CSS / "page.css").read_text(encoding="utf-8")
PRESENT_CSS = (_CSS / "present.css").read_text(encoding="utf-8")


def inject_style(big: bool) -> None:
    """The pages' style (ui/css): the KPI card grid, a readable verdict, tight top padding and a
    phone's order (the answer first); presenting, larger type and the text colour throughout."""
    st.html(f"<style>{PAGE_CSS}{PRESENT_CSS if big else ''}</style>")


# The odds take about a tenth of a second. A whole-page run waits this long for them at its end; when
# the odds process is busy with other users' odds, the page shows without them and a timer shows
# them when they are in.
ODDS_WAIT_SECONDS = 0.3


def render_margin(pending: Future, wait: bool = True) -> None:
    """The answer on the margin with its odds (``cached.margin_verdict``). The odds are worked out in a
    process of their own; a page asks for them before it draws its cards and charts and shows them
    here, after, so the work overlaps.

    ``wait``: a whole-page run (a link, an upload, a preset) waits up to :data:`ODDS_WAIT_SECONDS`
    for them at its end. A spend move's own rerun passes False, so its cards are not held up. Odds
    not in yet: a line says they are coming and a timer reruns the page once they are."""
    if wait:
        futures_wait([pending], timeout=ODDS_WAIT_SECONDS)
    if pending.done():
        try:
            answer, costs = pending.result()
        except ScenarioError as err:  # the scenario has no next dollar to weigh: say why
            st.caption(f"The next dollar cannot be weighed on the margin here: {inert(err.problems[0], 300)}.")
            return
        except Exception:  # no process, or the job was dropped: the cards and the step verdict still stand
            st.caption("The odds of the next dollar could not be worked out this time; they are asked for "
                       "again on the next move.")
            cached.forget_margin_verdicts()  # a missing answer is not kept
            return
        with st.container(key="margin_answer"):
            st.markdown(f"**{answer}**")
        st.caption(costs)
        return
    st.caption(f"Weighing the next dollar over {ODDS_DRAWS} plausible worlds...")

    @st.fragment(run_every=0.1)
    def look_again() -> None:
        if pending.done():
            st.rerun(scope="app")

    look_again()


@st.fragment
def render_verdict(scenario: Any, big: bool) -> None:
    """The next-dollar sentence and the amount it is about (``cx_roi.next_dollar``).

    A fragment: moving the amount reruns only this block, not the KPIs and
    charts it does not touch. A fragment rerun skips the router, so it writes
    the URL itself.
    """
    amount = state.extra()
    table = cached.next_dollar(scenario, amount)
    per = cached.per_dollar(scenario)  # the first card's: which lever the answer on the margin leads with
    with st.container(key="verdict"):
        st.markdown(verdict(table, amount, scenario.horizon_months, margin_lead=max(per, key=per.get) if per else None))
    if not big:
        lo, hi, step = state.EXTRA_RANGE
        st.slider("A larger step to weigh ($ per month)", lo, hi, step=step, format="$%,.0f",
                  **state.bind("extra"), width=420,
                  help="The bold sentence weighs one more dollar, on the margin. This amount is added to "
                       "each lever in turn (service capacity, service quality, advertising), every month, to "
                       "weigh a step that size (the sentence above the slider).")
    state.sync_url()
