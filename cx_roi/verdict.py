"""The one-sentence answer to "where should the next dollar go?", from ``cx_roi.next_dollar``.

Pure: a next-dollar table in, a sentence out. Every branch says what the
numbers say, including when advertising wins, when both levers lose money and
when the model cannot value a lever (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from .comparison import AD_LEVER, LEVERS, SERVICE_LEVERS, limits_in_the_way
from .formatting import amount as fmt_amount, and_list, chance, horizon, is_number, money, number, percent
from .margins import ODDS_DRAWS, LeverOdds, lever_odds
from .parameters import PARAMETERS
from .scenario import Scenario

__all__ = ["verdict", "margin_verdict", "margin_call", "MarginCall", "margin_sentences", "compare_headline",
           "customer_costs", "CLOSE_CALL", "LEVEL", "SERVICE_LEVERS", "AD_LEVER", "LEVER_WORDS", "WORLDS", "tied_best"]

CLOSE_CALL = 0.70
"""Below this chance of being the better use of the next dollar (over paired draws of the plausible
ranges), the margin verdict names no winner: it is too close to call."""

WORLDS = "plausible worlds"
"""What a chance counts, in words: draws of every uncertain assumption from its plausible range (the
parameter table's, as the Risk page starts), whatever a user edited there, so that a scenario gets
the same odds on every page and in every file."""

LEVEL = 0.02
"""Slopes within this share of each other are level: moving money between the levers gains
next to nothing (as at the optimiser's split, where the marginal returns are equal)."""

# The levers' own names (cx_roi.LEVERS), as the tables and charts call them, inside a sentence.
LEVER_WORDS = {lever: label[:1].lower() + label[1:] for lever, label in LEVERS.items()}


def _compared(gain: float, other: float) -> str:
    """How much larger ``gain`` is than ``other`` (both positive), in words that go before
    "the $X the same money adds ..."."""
    r = gain / other
    if r >= 9.95:  # past ten, a tenth is noise to a reader: 109 times, not 109.1
        return f"{number(round(r))} times"
    if r >= 1.995:
        return f"{r:.1f} times"
    if r >= 1.05:
        return f"{(r - 1) * 100:.0f}% more than"
    return "about as much as"


def verdict(table: pd.DataFrame, extra_per_month: float, horizon_months: int,
            margin_lead: str | None = None) -> str:
    """A plain-language sentence from ``cx_roi.next_dollar(scenario, extra_per_month)``.

    Compares the better of the two service levers with advertising, by the
    change in NPV (net of the extra spend) over the horizon. The sentence is about
    step from this scenario, and says so where it names advertising ("A step of $50k a
    month favours advertising: ..."): on a scenario that already put more into service,
    that is not a verdict on the service it has, and the answer on the margin
    (:func:`margin_verdict`) may differ from a step's. ``margin_lead``: the lever with the largest
    slope at the likely values (:attr:`LeverOdds.best`), if that answer is said beside this sentence;
    a step that favours the other service lever then says it is the better one for a step this size.
    """
    amount = fmt_amount(extra_per_month)
    period = f"over {horizon(horizon_months)}"
    service_rows = [lever for lever in SERVICE_LEVERS if lever in table.index]
    if not service_rows or AD_LEVER not in table.index:
        return "The next-dollar comparison is not available for this scenario."
    gains = table["delta_npv"]
    full = limits_in_the_way(table)
    if full:
        return (f"{amount} a month more would take {and_list(LEVER_WORDS[lever] for lever in full)} past the most "
                f"the model allows ({and_list(money(PARAMETERS[lever].maximum) for lever in full)} a month), so the "
                "next dollar cannot be compared there: lower that spend or the amount.")
    finite_service = [lever for lever in service_rows if is_number(gains[lever])]
    if not finite_service or not is_number(gains[AD_LEVER]):
        return (f"The model cannot value {amount} a month more for this scenario (a result is not a "
                "number); check the levers for extreme values.")
    sentence = _weighed(gains, finite_service, amount, period, margin_lead)
    capped = [lever for lever in SERVICE_LEVERS if lever in table.attrs.get("at_limit", ())]
    if capped:
        # Only the other service lever was weighed: say so, or "even in service quality" would
        # suggest capacity had been tried and done worse.
        word = LEVER_WORDS[capped[0]]
        sentence += (f" ({word[:1].upper()}{word[1:]} cannot take {amount} more: its maximum is "
                     f"{money(PARAMETERS[capped[0]].maximum)} a month, so only the other service lever was weighed.)")
    return sentence


def _weighed(gains: pd.Series, finite_service: list[str], amount: str, period: str,
             margin_lead: str | None = None) -> str:
    """The sentence for the better service lever against advertising, by their NPV gains. When the
    answer on the margin named the other service lever (``margin_lead``), the step's is said to
    be the better one for a step this size."""
    best = max(finite_service, key=lambda lever: float(gains[lever]))
    s, a = float(gains[best]), float(gains[AD_LEVER])
    where = LEVER_WORDS[best]
    size = (", the better service lever for a step this size,"
            if margin_lead in SERVICE_LEVERS and margin_lead != best else "")
    service_pays = f"Putting {amount} a month more into {where}{size} adds {money(s)} to NPV {period}, "
    ads_pay = f"A step of {amount} a month favours advertising: there it adds {money(a)} to NPV {period}, "
    if s > 0 and a > 0:
        if s >= a:
            return service_pays + f"{_compared(s, a)} the {money(a)} the same money adds in advertising."
        return ads_pay + f"{_compared(a, s)} the {money(s)} the same money adds in {where}."
    if s > 0:
        return service_pays + f"while the same money in advertising would lose {money(-a)}."
    if a > 0:
        return ads_pay + f"while the same money in service would lose {money(-s)} even in {where}."
    if max(abs(s), abs(a)) < 0.5:
        return f"Neither lever changes NPV {period}: {amount} a month more in either one adds nothing."
    return (f"A step of {amount} a month pays in neither lever: it would lose {money(-s)} in {where} and "
            f"{money(-a)} in advertising {period}; keeping the money beats both.")


@dataclass(frozen=True)
class MarginCall:
    """The answer on the margin as facts (:func:`margin_call`); :func:`margin_verdict` says it in words.

    ``kind``: "wins" (``lead`` is the better use in at least :data:`CLOSE_CALL` of the draws),
    "close" (too close to call), "level" (slopes within :data:`LEVEL`) or "neither" (no lever pays
    for itself). ``lead``: the lever ahead at the likely values (for "level" and "neither", the
    better service lever); ``other``: the one it is weighed against. ``lead_per_dollar`` and
    ``other_per_dollar``: NPV added per extra dollar spent, net of that dollar ($ per $).
    ``chance``: the share of the ``worlds`` paired draws in which ``lead``'s side (service or
    advertising) is the better use. ``decider``: for a close call, the input that decides it.
    """

    kind: Literal["wins", "close", "level", "neither"]
    lead: str
    other: str
    lead_per_dollar: float
    other_per_dollar: float
    chance: float
    worlds: int
    decider: str | None = None

    @property
    def side(self) -> str:
        """The side ``lead`` is on, as its chance counts it: "advertising", or "service (either lever)"
        (the chance is service's as a whole, not that of the lever named first)."""
        return "advertising" if self.lead == AD_LEVER else "service (either lever)"


def margin_call(odds: LeverOdds) -> MarginCall:
    """Which side the next dollar should go to, by how much and how surely (:func:`margin_verdict`'s rule).

    Weighs the better service lever against advertising by what one more dollar spent does to
    NPV after paying for itself (at the likely values), and by the chance, over paired draws of
    the uncertain inputs, that each side is the better use. A side that is better in fewer than
    :data:`CLOSE_CALL` of the draws wins nothing; slopes within :data:`LEVEL` of each other are level.
    """
    service = odds.service_lever
    s, a = odds.likely[service], odds.likely[AD_LEVER]
    ps, pa = odds.per_dollar[service], odds.per_dollar[AD_LEVER]
    p_service = odds.chance_service_best
    worlds = len(odds.draws)
    if s <= 0 and a <= 0:
        return MarginCall("neither", service, AD_LEVER, ps, pa, p_service, worlds)
    if abs(s - a) <= LEVEL * max(abs(s), abs(a)):
        return MarginCall("level", service, AD_LEVER, ps, pa, p_service, worlds)
    if s > a:
        lead, other, r_lead, r_other, p_lead = service, AD_LEVER, ps, pa, p_service
    else:
        lead, other, r_lead, r_other, p_lead = AD_LEVER, service, pa, ps, 1.0 - p_service
    if p_lead < CLOSE_CALL:
        return MarginCall("close", lead, other, r_lead, r_other, p_lead, worlds, odds.decider())
    return MarginCall("wins", lead, other, r_lead, r_other, p_lead, worlds)


def margin_verdict(odds: LeverOdds) -> str:
    """The next dollar on the margin, in one sentence, with its odds (:func:`cx_roi.lever_odds`).

    The call is :func:`margin_call`'s: a side that is better in fewer than :data:`CLOSE_CALL` of
    the draws wins nothing, and the sentence says it is too close to call and names the assumption
    that decides it. Slopes within :data:`LEVEL` of each other are level.
    """
    call = margin_call(odds)
    lead, other = LEVER_WORDS[call.lead], LEVER_WORDS[call.other]
    r = call.lead_per_dollar  # what one more dollar does to NPV after paying for itself
    adds = f"adds {money(r, cents=True)}" if r >= 0 else f"loses {money(-r, cents=True)}"
    against = f"against {money(call.other_per_dollar, cents=True)} in {other}"
    tried = f"{chance(call.chance)} of {call.worlds:,} {WORLDS}"
    if call.kind != "neither" and not call.worlds:  # lever_odds(draws=0): the likely values alone, no odds
        if call.kind == "level":
            return (f"On the margin, at the likely values, the levers are level: each extra dollar {adds} to NPV "
                    f"in {lead}, {against}; no uncertain worlds were drawn, so there are no odds.")
        return (f"On the margin, at the likely values, {lead} returns more: each extra dollar spent there {adds} "
                f"to NPV after paying for itself, {against}; no uncertain worlds were drawn, so there are no odds.")
    if call.kind == "neither":
        return (f"On the margin, neither lever pays for itself: each extra dollar {adds} to NPV in {lead}, "
                f"{against}, so keeping the money beats both.")
    if call.kind == "level":
        return (f"On the margin, the levers are level: each extra dollar {adds} to NPV in {lead}, {against}, so "
                f"moving money between them gains next to nothing; service (either lever) is the better use in {tried}.")
    if call.kind == "close":
        decides = ("" if call.decider is None else
                   f" What would decide it: {PARAMETERS[call.decider].label.lower()}, the assumption that moves the "
                   "answer most.")
        return (f"On the margin, too close to call: at the likely values each extra dollar {adds} to NPV in {lead}, "
                f"{against}, but {call.side} is the better use in only {tried}.{decides}")
    return (f"On the margin, {lead} wins: each extra dollar spent there {adds} to NPV after paying for itself, "
            f"{against}; {call.side} is the better use in {tried}.")


def compare_headline(table: pd.DataFrame, horizon_months: int) -> str:
    """One sentence over a :func:`cx_roi.compare` table: the scenario that adds the most NPV against
    the baseline (``table.attrs["baseline"]``, as ``compare`` sets it; else the row with
    ``same_as_baseline``, or the first), by how much, with the ROI
    on its extra spend, and, when the table has ``prob_beats_baseline`` (``compare(..., draws=...)``),
    how sure. A best scenario that differs from the baseline in more than spend is said to, since its
    gap is not a return on spend. The table's index names the scenarios as they should read. The
    dashboard, the workbook, the HTML report and the deck all say this sentence."""
    base = table.attrs.get("baseline")
    if base not in table.index:  # no baseline's name: the row that is the baseline, or the first
        base_rows = table.index[table["same_as_baseline"].astype(bool)] if "same_as_baseline" in table else []
        base = base_rows[0] if len(base_rows) else table.index[0]
    others = table.drop(index=base)
    gains = others["delta_npv"].dropna()
    period = f"over {horizon(horizon_months)}"
    if gains.empty:
        return f"No compared scenario can be valued against {base}."
    tied = tied_best(gains)
    best, who, many, alone = tied[0], and_list(tied), len(tied) > 1, len(others) == 1

    def sure(would: bool) -> str:
        """The tied scenarios' chance of beating the baseline; "would beat" when none of them does."""
        if "prob_beats_baseline" not in others or not all(is_number(others.loc[n, "prob_beats_baseline"])
                                                           for n in tied):
            return ""
        # A copy of the baseline ties it in every world: it has no chance to state.
        real = [n for n in tied if not ("same_as_baseline" in others and others.loc[n, "same_as_baseline"])]
        if not real:
            return ""
        # Tied scenarios may differ in what the draws do to them: one chance each, unless they agree.
        odds = [chance(others.loc[n, "prob_beats_baseline"]) for n in real]
        draws = table.attrs.get("draws")
        worlds = f"the {WORLDS}" if draws is None else f"{draws:,} {WORLDS if draws != 1 else 'plausible world'}"
        if len(set(odds)) == 1:
            verb = "would beat" if would else "beats"
            return f", and {'each ' if len(real) > 1 else ''}{verb} it in {odds[0]} of {worlds}"
        if len(real) < len(tied):  # "respectively" would pair the chances with the wrong names
            return ""
        verb = "would beat" if would else "beat"
        return f", and {verb} it in {and_list(odds)} of {worlds} respectively"

    gain = money(abs(gains[best]))
    level = gain == "$0"
    if level or gains[best] < 0:
        if alone:
            change = "has the same NPV as" if level else f"loses {gain} of NPV against"
            return f"{who} {change} {base} {period}{sure(would=True)}."
        closest = (("each match it" if many else "matches it") if level else
                   f"{'each lose' if many else 'loses'} {gain}")
        return (f"None of the compared scenarios adds NPV against {base} {period}: the closest, {who}, "
                f"{closest}{sure(would=True)}.")
    runner = gains.drop(index=tied)
    after = ""
    if not runner.empty:
        second = runner.idxmax()
        after = f"; next, {second} ({'+' if runner[second] >= 0 else '-'}{money(abs(runner[second]))})"
    other = ([n for n in tied if others.loc[n, "differs_beyond_spend"] > 0]
             if "differs_beyond_spend" in others else [])
    if other:
        # Another business (other prices, churn, a fitted history): its gap is not what spending returns.
        claim = (f"ends with {gain} more NPV than {base}" if alone else
                 f"{'tie for' if many else 'ends with'} the most: {gain} more NPV{' each' if many else ''} "
                 f"than {base}")
        subject = ("it differs" if not many else "they differ" if len(other) == len(tied)
                   else f"{and_list(other)} {'differs' if len(other) == 1 else 'differ'}")
        return (f"{who} {claim} {period} at the likely values{sure(would=False)}, but {subject} from {base} in "
                f"more than spend, so that is not what spending returns{after}.")
    claim = (f"adds {gain} of NPV against {base}" if alone else
             f"tie for the most: {gain} of NPV each against {base}" if many else
             f"adds the most: {gain} of NPV against {base}")
    # An ROI for the tied ones only where they share it.
    rois = {percent(others.loc[n, "roi"], 0) if "roi" in others and is_number(others.loc[n, "roi"]) else None
            for n in tied}
    shared = rois.pop() if len(rois) == 1 else None
    roi = f" (ROI {shared} on {'the' if many else 'its'} extra spend)" if shared else ""
    return f"{who} {claim} {period} at the likely values{roi}{sure(would=False)}{after}."


def tied_best(gains: pd.Series) -> list[str]:
    """The names in ``gains`` ($) whose value equals the largest to the cent, in their order: one
    name, or every name of a tie (two copies of one plan add the same NPV, and neither wins)."""
    top = float(gains.max())
    return [name for name, gain in gains.items() if abs(float(gain) - top) < 0.005]


def customer_costs(odds: LeverOdds) -> str:
    """One sentence: what one more customer costs on the margin through the better service lever and
    through advertising (:attr:`LeverOdds.cost_per_customer`), so whether service or advertising buys
    a customer more cheaply is read off the scenario, not assumed. Service's customers are those it
    keeps and those its word of mouth wins (the NPV bridge tells the two apart)."""
    costs = odds.cost_per_customer
    service = odds.service_lever
    by_service, by_ads = costs.get(service, float("nan")), costs.get(AD_LEVER, float("nan"))

    lever = LEVER_WORDS[service]
    ways = [f"{money(x)} {how}" for x, how in ((by_service, f"through {lever}"), (by_ads, "through advertising"))
            if is_number(x)]
    # A lever that adds no customer on the margin has no price per customer: said, not shown as $0.
    none = [name for x, name in ((by_service, f"more {lever}"), (by_ads, "more advertising")) if not is_number(x)]
    if not ways:
        return f"On the margin, neither {none[0]} nor {none[1]} adds a customer at the end of the horizon."
    cheaper = ""
    if is_number(by_service) and is_number(by_ads):
        if abs(by_service - by_ads) <= 0.05 * max(by_service, by_ads):
            cheaper = " About the same either way here."
        else:
            cheaper = (" Service is the cheaper way here." if by_service < by_ads
                       else " Advertising is the cheaper way here.")
    adds_none = f"; {none[0]} adds none" if none else ""
    return (f"On the margin, one more customer at the end of the horizon costs {' and '.join(ways)}"
            f"{adds_none}.{cheaper}")


def margin_sentences(scenario: Scenario, draws: int = ODDS_DRAWS, seed: int = 0) -> tuple[str, str]:
    """:func:`margin_verdict` and :func:`customer_costs` of ``scenario`` over ``draws`` paired draws of
    the plausible ranges (``seed``): the two sentences the dashboard leads with."""
    odds = lever_odds(scenario, draws=draws, seed=seed)
    return margin_verdict(odds), customer_costs(odds)
