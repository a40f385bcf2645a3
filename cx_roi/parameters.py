"""Every model input: unit, default, allowed range, plausible range, source, solidity.

This table is the single source of truth for the scenario's fields. The
Scenario class, its validation, the command line, the dashboard's controls and
the Method page all read it; nothing else restates a default or a range.

Solidity labels (how far a default can be trusted):
``good``          published measurement across many firms
``medium``        published, but a single study, old, or consultancy data
``weak``          second-hand, anecdotal, or practitioner rule of thumb
``illustration``  a round number chosen to make the default story coherent
``convention``    an industry convention or a definition, not a measurement
``choice``        a modelling or planning choice the user makes
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Param", "PARAMETERS", "GROUPS", "SPEND_FIELDS", "SOLIDITY_LABELS", "params_in_group"]

Kind = Literal["float", "int", "bool", "spend"]

SOLIDITY_LABELS: dict[str, str] = {
    "good": "published measurement across many firms",
    "medium": "published, but a single study, old, or consultancy data",
    "weak": "second-hand, anecdotal or a practitioner rule of thumb",
    "illustration": "a round number chosen for a coherent default story",
    "convention": "an industry convention or definition, not a measurement",
    "choice": "a planning or modelling choice",
}

GROUPS: dict[str, str] = {
    "service": "Service capacity and queue",
    "quality": "Service quality",
    "sentiment": "Experience and sentiment",
    "churn": "Churn",
    "wom": "Word of mouth",
    "ads": "Advertising",
    "market": "Product and market",
    "money": "Money and horizon",
}


@dataclass(frozen=True)
class Param:
    """Metadata of one scenario field.

    ``minimum``/``maximum`` bound what the model accepts; ``plausible`` is the
    narrower range the evidence supports (used for sensitivity and shown in the
    UI); ``step`` is a sensible slider step.
    """

    name: str
    label: str
    group: str
    kind: Kind
    default: float | int | bool
    unit: str
    minimum: float
    maximum: float
    help: str
    source: str
    solidity: str
    plausible: tuple[float, float] | None = None
    step: float | None = None
    fmt: str = "{:,.4g}"

    def describe_range(self, formatted: bool = False, unit: bool = True) -> str:
        """The allowed range in words, e.g. "0 to 1 (share)".

        ``formatted``: the bounds in the field's own format, as people read its
        values ("0% to 90%", "$0 to $1,000,000,000"), for help texts and tables;
        plain numbers otherwise, as a file or a link would write them.
        ``unit``: False leaves the unit out, for a table that has a column for it.
        """
        if self.kind == "bool":
            return "true or false"
        if formatted:
            lo, hi = self.fmt.format(self.minimum), self.fmt.format(self.maximum)
            tail = "; month by month from a file or link" if self.kind == "spend" else ""
            # The unit, unless the format already ends in it ("360 s").
            shown = f" ({self.unit})" if unit and self.unit and self.fmt.endswith("}") else ""
            return f"{lo} to {hi}{shown}{tail}"
        lo, hi = _fmt_num(self.minimum), _fmt_num(self.maximum)
        tail = ", or a list of monthly values" if self.kind == "spend" else ""
        shown = f" ({self.unit})" if unit and self.unit else ""
        whole = " (a whole number)" if self.kind == "int" else ""
        return f"{lo} to {hi}{shown}{whole}{tail}"


def _fmt_num(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:g}"


_P = Param

def _one_off(name: str, label: str, group: str, what: str) -> Param:
    """A lever change's one-off cost: the same facts for each lever but what it buys."""
    return _P(name, label, group, "float", 0.0, "$ (once, in month 1)", 0, 1e9,
              f"One-off cost of the plan's change to this lever, paid in month 1 ({what}). It counts as "
              "spend: NPV, ROI and payback include it.",
              "Your own quote for the change; 0 when it has none.", "choice", None, 10_000, "${:,.0f}")


_LIST: list[Param] = [
    # ---------------------------------------------------------------- service
    _P("service_capacity_spend_per_month", "Service capacity spend", "service", "spend", 240_000.0,
       "$ per month", 0, 1e9,
       "Money spent on agents' fully loaded cost each month. It buys agents; with shrinkage and "
       "opening hours it sets how many answer at once.",
       "Default sized so the baseline's cost per contact in its first month (all service spend "
       "over all contacts, repeats included) is about $8.2, close to Gartner's $8.01 for "
       "assisted service (2019).", "illustration", (150_000, 400_000), 10_000, "${:,.0f}"),
    _P("agent_cost_per_month", "Fully loaded cost per agent", "service", "float", 6_500.0,
       "$ per agent-month", 500, 100_000,
       "Salary plus benefits, facilities, tools and management per full-time agent.",
       "Purdue call-centre benchmark: $75k-100k a year fully loaded (2002).", "medium",
       (5_000, 8_500), 100, "${:,.0f}"),
    _P("shrinkage", "Shrinkage", "service", "float", 0.30, "share of paid time", 0, 0.9,
       "Paid time when agents cannot take contacts: breaks, training, meetings, absence.",
       "Practitioner surveys: 25-32%.", "weak", (0.25, 0.35), 0.01, "{:.0%}"),
    _P("agent_paid_hours_per_month", "Paid hours per agent", "service", "float", 160.0,
       "hours per agent-month", 20, 300,
       "Paid hours of one full-time agent per month (40 h x 4 weeks).", "Full-time convention.",
       "convention", (150, 173), 1, "{:,.0f} h"),
    _P("open_hours_per_month", "Opening hours", "service", "float", 360.0, "hours per month", 1, 744,
       "Hours per month the service answers contacts (12 h a day x 30 days). Agents are spread "
       "over these hours.", "Planning choice.", "choice", None, 1, "{:,.0f} h"),
    _P("contacts_per_customer_per_month", "Contacts per customer", "service", "float", 0.25,
       "first contacts per customer per month", 0, 5,
       "How often a customer contacts service for a new issue. Repeat contacts for unresolved "
       "issues come on top.",
       "MetricNet/HDI IT help desks: 0.19-0.35 per user per month (second-hand).", "weak",
       (0.19, 0.35), 0.01, "{:.2f}"),
    _P("aht_seconds", "Average handle time", "service", "float", 360.0, "seconds", 30, 3600,
       "Talk plus after-contact work per contact.", "Round six minutes.", "illustration",
       (240, 600), 10, "{:,.0f} s"),
    _P("patience_seconds", "Average caller patience", "service", "float", 180.0, "seconds", 5, 3600,
       "Mean time a caller waits before hanging up (exponential patience, Erlang A).",
       "Call-centre studies report mean patience of one to several minutes.", "weak",
       (60, 400), 5, "{:,.0f} s"),
    _P("service_level_target_seconds", "Service-level target", "service", "float", 20.0, "seconds",
       1, 600,
       "The threshold of the reported service level (share answered within it). A reporting "
       "convention only: how a wait feels is set by the caller's tolerance below.",
       "80% in 20 s industry convention.", "convention", None, 1, "{:,.0f} s"),
    _P("wait_tolerance_seconds", "Wait a caller tolerates", "service", "float", 60.0, "seconds", 1,
       3600,
       "An answered contact that waited longer than this feels slow, whatever the reported target. "
       "Waits hurt by themselves: the share of answered callers past it comes from the queue's "
       "wait distribution.",
       "Caller surveys: about two thirds will wait up to 2 minutes, about 60% call one minute on "
       "hold too long (industry surveys); no published 'share dissatisfied after N seconds' curve.",
       "weak", (30, 120), 5, "{:,.0f} s"),
    _P("prior_service_capacity_spend_per_month", "Service capacity spend before the plan", "service",
       "float", 240_000.0, "$ per month", 0, 1e9,
       "Steady capacity spend before month 1. With the quality spend before the plan it sets the "
       "sentiment customers start with (the settled state), so a change of plan starts from the "
       "company as it was, not as it will be.",
       "Planning input: the status quo's capacity spend.", "choice", None, 10_000, "${:,.0f}"),
    _one_off("capacity_one_off_cost", "One-off cost of the capacity change", "service",
             "hiring, onboarding, seats"),
    # ---------------------------------------------------------------- quality
    _P("service_quality_spend_per_month", "Service quality spend", "quality", "spend", 30_000.0,
       "$ per month", 0, 1e9,
       "Training, knowledge tools and empowerment. Raises first-contact resolution with "
       "diminishing returns.", "Illustrative budget (about $1.2 per first contact).",
       "illustration", (10_000, 60_000), 5_000, "${:,.0f}"),
    _P("prior_service_quality_spend_per_month", "Service quality spend before the plan", "quality",
       "float", 30_000.0, "$ per month", 0, 1e9,
       "Steady quality spend before month 1; with the capacity spend before the plan it sets the "
       "settled state the plan starts from.",
       "Planning input: the status quo's quality spend.", "choice", None, 5_000, "${:,.0f}"),
    _one_off("quality_one_off_cost", "One-off cost of the quality change", "quality",
             "a training programme, a CRM or knowledge tool"),
    _P("fcr_floor", "First-contact resolution with no quality spend", "quality", "float", 0.55,
       "share of contacts", 0, 1, "Resolution rate a centre reaches with no spend on quality.",
       "Industry FCR averages are about 70% (SQM Group); floor and ceiling bracket it.", "weak",
       (0.45, 0.65), 0.01, "{:.0%}"),
    _P("fcr_ceiling", "First-contact resolution at best", "quality", "float", 0.85,
       "share of contacts", 0, 1, "Resolution rate reachable with unlimited quality spend.",
       "World-class FCR about 80-85% (SQM Group, second-hand).", "weak", (0.8, 0.9), 0.01, "{:.0%}"),
    _P("quality_half_effect_per_contact", "Quality spend for half the FCR gain", "quality", "float",
       1.5, "$ per first contact", 0.01, 1_000,
       "Quality spend per first contact that closes half the gap between floor and ceiling.",
       "Illustrative: at the status quo's 25,000 first contacts a month, $37,500 a month, about "
       "$1,000 per agent (some 25 hours of an agent's cost, in training and tools).", "illustration",
       (0.75, 3.0), 0.05, "${:,.2f}"),
    _P("repeat_contacts_per_unresolved", "Repeat contacts per unresolved issue", "quality", "float",
       1.0, "contacts", 0, 5,
       "Extra contacts an issue not solved first time generates; they load the queue.",
       "Illustrative.", "illustration", (0.5, 2.0), 0.1, "{:.1f}"),
    _P("eventual_resolution", "Resolved on a repeat contact", "quality", "float", 0.6,
       "share of first-time failures", 0, 1,
       "Share of issues not solved first time that are solved on a later contact.",
       "Illustrative.", "illustration", (0.4, 0.8), 0.05, "{:.0%}"),
    # -------------------------------------------------------------- sentiment
    _P("fast_promoter_share", "Promoters after a fast, resolved contact", "sentiment", "float", 0.60,
       "share", 0, 1, "Share of customers scoring 9-10 after a contact answered fast and solved "
       "first time.", "Illustrative; TARP/Goodman: well-handled complaints build loyalty.",
       "illustration", (0.45, 0.7), 0.01, "{:.0%}"),
    _P("fast_detractor_share", "Detractors after a fast, resolved contact", "sentiment", "float", 0.05,
       "share", 0, 1, "Share scoring 0-6 after a fast, resolved contact.", "Illustrative.",
       "illustration", (0.02, 0.1), 0.01, "{:.0%}"),
    _P("slow_promoter_share", "Promoters after a slow or repeated contact", "sentiment", "float",
       0.25, "share", 0, 1, "After waiting past the target or needing a repeat contact.",
       "Illustrative.", "illustration", (0.15, 0.35), 0.01, "{:.0%}"),
    _P("slow_detractor_share", "Detractors after a slow or repeated contact", "sentiment", "float",
       0.25, "share", 0, 1, "After waiting past the target or needing a repeat contact.",
       "Illustrative.", "illustration", (0.15, 0.35), 0.01, "{:.0%}"),
    _P("bad_promoter_share", "Promoters after an abandoned or unresolved contact", "sentiment",
       "float", 0.02, "share", 0, 1, "After hanging up in the queue, or an issue never solved.",
       "Illustrative.", "illustration", (0.0, 0.05), 0.01, "{:.0%}"),
    _P("bad_detractor_share", "Detractors after an abandoned or unresolved contact", "sentiment",
       "float", 0.70, "share", 0, 1, "After hanging up in the queue, or an issue never solved.",
       "Illustrative; TARP: unresolved complainers are the least loyal group.", "illustration",
       (0.55, 0.85), 0.01, "{:.0%}"),
    _P("service_weight", "Weight of a contact against the product", "sentiment", "float", 0.7,
       "share", 0, 1,
       "How far one contact can move a customer's view away from what the product earns. Below 1, "
       "a weak product caps what service can do.", "Modelling choice.", "choice", (0.4, 0.8),
       0.05, "{:.0%}"),
    _P("contact_memory", "How much a contact resets a customer's view", "sentiment", "float", 0.8,
       "share per contact", 0, 1,
       "Share of a contacting customer's sentiment replaced by the contact's experience; the rest is "
       "memory of earlier months.", "Modelling choice.", "choice", (0.5, 0.9), 0.05, "{:.0%}"),
    _P("product_memory", "Monthly drift toward the product's view", "sentiment", "float", 0.05,
       "share per month", 0, 1,
       "Share of a non-contacting customer's sentiment that moves toward the product-driven mix "
       "each month.", "Modelling choice: a contact's memory fades over about a year and a half.",
       "choice", (0.02, 0.15), 0.01, "{:.0%}"),
    _P("product_promoters_weak", "Promoters a weak product earns", "sentiment", "float", 0.05,
       "share of customers", 0, 1,
       "Share scoring 9-10 among customers whose view is set by the product alone, at product "
       "value 0. Between value 0 and 1 the share is linear.",
       "Illustrative: with the three values below, the default product (0.6) earns 38% promoters "
       "and 21% detractors (NPS +17), mid-range of published NPS for subscription businesses.",
       "illustration", (0.02, 0.1), 0.01, "{:.0%}"),
    _P("product_promoters_outstanding", "Promoters an outstanding product earns", "sentiment",
       "float", 0.60, "share of customers", 0, 1,
       "Share scoring 9-10 among customers whose view is set by the product alone, at product value 1.",
       "Illustrative, as above.", "illustration", (0.5, 0.7), 0.01, "{:.0%}"),
    _P("product_detractors_weak", "Detractors a weak product earns", "sentiment", "float", 0.45,
       "share of customers", 0, 1,
       "Share scoring 0-6 among customers whose view is set by the product alone, at product value 0.",
       "Illustrative, as above.", "illustration", (0.35, 0.55), 0.01, "{:.0%}"),
    _P("product_detractors_outstanding", "Detractors an outstanding product earns", "sentiment",
       "float", 0.05, "share of customers", 0, 1,
       "Share scoring 0-6 among customers whose view is set by the product alone, at product value 1.",
       "Illustrative, as above.", "illustration", (0.02, 0.1), 0.01, "{:.0%}"),
    _P("survey_response_promoter", "Survey response of promoters", "sentiment", "float", 0.30,
       "share invited who answer", 0, 1,
       "Share of promoters who answer the post-contact survey. Only answered contacts are invited "
       "(abandoned callers are never surveyed), and the satisfied answer more: that is why a "
       "measured score runs above the true one.",
       "Mazor et al. (2002): satisfaction rises with response; Chen, Zheng & Ceran (working paper): "
       "0.32 satisfied, 0.23 indifferent, 0.06 unsatisfied post online.", "weak", (0.2, 0.4), 0.01,
       "{:.0%}"),
    _P("survey_response_passive", "Survey response of passives", "sentiment", "float", 0.20,
       "share invited who answer", 0, 1, "Share of passives who answer the post-contact survey.",
       "Mazor et al. (2002): satisfaction rises with response; Chen, Zheng & Ceran (working paper): "
       "0.23 of indifferent customers post online, against 0.32 satisfied.", "weak", (0.12, 0.3), 0.01, "{:.0%}"),
    _P("survey_response_detractor", "Survey response of detractors", "sentiment", "float", 0.10,
       "share invited who answer", 0, 1, "Share of detractors who answer the post-contact survey.",
       "Mazor et al. (2002): satisfaction rises with response; Chen, Zheng & Ceran (working paper): "
       "0.06 of unsatisfied customers post online, against 0.32 satisfied.", "weak", (0.05, 0.2), 0.01, "{:.0%}"),
    _P("survey_inflation", "Survey inflation", "sentiment", "float", 0.0, "share", 0, 1,
       "Share of respondents who report one band higher than they feel (score begging, polite "
       "answers), on top of who answers. Affects only the measured score, never behaviour.",
       "Illustrative: none by default, so the gap between true and measured NPS comes from who is "
       "surveyed and who answers.", "illustration", (0.0, 0.15), 0.01, "{:.0%}"),
    _P("settle_initial_sentiment", "Start from the settled sentiment", "sentiment", "bool", True, "",
       0, 1,
       "On: today's promoters and detractors are the mix the company settles into at the spends "
       "before the plan (the shares entered below are not used). Off: start from the shares "
       "entered, e.g. a survey.", "Modelling choice.", "choice"),
    # ------------------------------------------------------------------ churn
    _P("churn_promoter", "Monthly churn of promoters", "churn", "float", 0.012, "share per month", 0,
       1, "Voluntary churn of customers scoring 9-10.",
       "Per-state split illustrative. At the default mix (43% promoters, 40% passives, 17% "
       "detractors) the three give about 3.2% voluntary churn a month, below Recurly's 4.0% "
       "average.", "illustration", (0.005, 0.02), 0.001, "{:.1%}"),
    _P("churn_passive", "Monthly churn of passives", "churn", "float", 0.030, "share per month", 0, 1,
       "Voluntary churn of customers scoring 7-8.",
       "Per-state split illustrative. With the promoters' 1.2% and the detractors' 8.5%, about 3.2% "
       "voluntary churn a month at the default mix, below Recurly's 4.0% average.", "illustration", (0.02, 0.045),
       0.001, "{:.1%}"),
    _P("churn_detractor", "Monthly churn of detractors", "churn", "float", 0.085, "share per month",
       0, 1, "Voluntary churn of customers scoring 0-6.",
       "Per-state split illustrative. With the promoters' 1.2% and the passives' 3.0%, about 3.2% "
       "voluntary churn a month at the default mix, below Recurly's 4.0% average.", "illustration",
       (0.06, 0.12), 0.001, "{:.1%}"),
    _P("churn_involuntary", "Involuntary churn", "churn", "float", 0.016, "share per month", 0, 1,
       "Churn no sentiment prevents (failed payments, moves). A floor for every state.",
       "Recurly: 5.6% total vs 4.0% voluntary, so about 1.6%.", "good", (0.01, 0.02), 0.001,
       "{:.1%}"),
    # ---------------------------------------------------------- word of mouth
    _P("promoter_stories_per_month", "Stories per promoter", "wom", "float", 0.15,
       "stories per promoter per month", 0, 10, "How often a promoter recommends the product.",
       "Illustrative; Bain: promoters give about 80% of referrals.", "weak", (0.08, 0.3), 0.01,
       "{:.2f}"),
    _P("detractor_stories_per_month", "Stories per detractor", "wom", "float", 0.30,
       "stories per detractor per month", 0, 10, "How often a detractor complains to others.",
       "Goodman/TARP (2003): unsatisfied complainers are about 2x as likely to spread word of mouth "
       "as satisfied ones.", "medium", (0.15, 0.6), 0.01, "{:.2f}"),
    _P("stories_per_churned_customer", "Stories per departing customer", "wom", "float", 0.3,
       "stories per churned customer", 0, 50, "Stories a leaving customer tells once, on the way out.",
       "Illustrative.", "illustration", (0.1, 1.0), 0.1, "{:.1f}"),
    _P("offline_audience", "People reached offline", "wom", "float", 6.0, "people per story", 0,
       1_000, "Friends and colleagues who hear a story told in person.",
       "'6 friends offline' (Bezos, 1996; a quote). 'Tell 9-15 people' has no primary source.",
       "illustration", (3, 15), 1, "{:,.0f}"),
    _P("online_share", "Stories posted online", "wom", "float", 0.02, "share of stories", 0, 1,
       "Share of stories that are also posted online (reviews, social media).", "Illustrative.",
       "weak", (0.005, 0.1), 0.005, "{:.1%}"),
    _P("online_audience", "People reached by an online story", "wom", "float", 300.0,
       "people per online story", 0, 1_000_000,
       "Audience of a story posted online; the amplification lever ('6,000 online').",
       "'6,000 online' (Bezos, 1996) is an illustration; reach spans orders of magnitude.",
       "illustration", (50, 6_000), 50, "{:,.0f}"),
    _P("online_impression_weight", "Weight of an online impression", "wom", "float", 0.1,
       "in-person impressions per online impression", 0, 1,
       "How much a story read online moves a prospect, against one heard from a friend. It scales "
       "positive and negative stories alike, so it sets the size of the online term, not its sign.",
       "Illustrative: advice from strong ties persuades more than strangers' posts (East, Hammond & "
       "Lomax 2008; Goldenberg et al. 2007 on weak ties).", "illustration", (0.03, 0.3), 0.01,
       "{:.0%}"),
    _P("positive_conversion_per_impression", "Prospects won per positive impression", "wom",
       "float", 0.10, "probability per impression", 0, 1,
       "Chance that hearing a positive story makes a prospect buy this month.",
       "Set so the status quo's word of mouth, net of negative stories, acts like a Bass imitation "
       "rate q of about 0.2-0.25 a year (the share of prospects it wins a month, x 12, over the "
       "share of the market already won): a little below the 0.3-0.5 of Sultan, Farley & "
       "Lehmann's meta-analysis, as that company's service leaves detractors who talk.",
       "medium", (0.05, 0.2), 0.005, "{:.1%}"),
    _P("negative_deterrence_per_impression", "Prospects deterred per negative impression", "wom",
       "float", 0.06, "probability per impression", 0, 1,
       "Chance that hearing a negative story puts a prospect off for a while. Weighed against the "
       "positive stories a prospect hears: the net sets whether word of mouth wins or deters.",
       "East, Hammond & Lomax (2008): for familiar brands a negative story usually moves less than a "
       "positive one; Park & Lee (2009): online, negative weighs more. Illustrative between the two.",
       "illustration", (0.03, 0.12), 0.01, "{:.0%}"),
    _P("deterred_recovery_per_month", "Recovery of deterred prospects", "wom", "float", 1 / 12,
       "share per month", 0, 1,
       "Share of deterred prospects (and former customers) who become reachable again each month.",
       "Illustrative: about a year on average.", "illustration", (1 / 24, 1 / 6), 0.01, "{:.1%}"),
    _P("customer_deterrence_ratio", "Pull of bad stories on customers", "wom", "float", 0.5,
       "customers' leaving hazard per unit of prospects' deterrence hazard", 0, 1,
       "When the stories going round are net negative, they also reach customers on the books and "
       "push some out: their extra hazard of leaving is this share of the hazard at which the same "
       "stories put prospects off. Customers know the product, so it is below 1.",
       "Nitzan & Libai (2011), J. Marketing 75(6): exposure to a defecting neighbour raises a "
       "customer's hazard of leaving by about 80% (one telecom network); the ratio is illustrative.",
       "weak", (0.1, 0.6), 0.05, "{:.0%}"),
    _P("deterred_lost_share", "Deterred prospects lost for good", "wom", "float", 0.4,
       "share of those leaving the deterred pool", 0, 1,
       "Of the deterred prospects and former customers who stop being put off each month, the share "
       "who have bought from a competitor meanwhile and never come back. Makes a negative story a "
       "lasting loss, as a won customer is a lasting gain.",
       "Goldenberg, Libai, Moldovan & Muller (2007), 'The NPV of bad news': negative word of mouth "
       "cuts NPV substantially; the share itself is illustrative.", "illustration", (0.2, 0.6), 0.05,
       "{:.0%}"),
    # ---------------------------------------------------------- advertising
    _P("ad_spend_per_month", "Advertising spend", "ads", "spend", 150_000.0, "$ per month", 0, 1e9,
       "Paid media per month.", "Illustrative.", "illustration", None, 10_000, "${:,.0f}"),
    _P("prior_ad_spend_per_month", "Advertising before the plan starts", "ads", "float", 150_000.0,
       "$ per month", 0, 1e9,
       "Steady monthly spend before month 1; sets the carry-over (adstock) the plan inherits.",
       "Planning input.", "choice", None, 10_000, "${:,.0f}"),
    _one_off("ad_one_off_cost", "One-off cost of the advertising change", "ads",
             "campaign creative, agency set-up"),
    _P("adstock_decay", "Advertising carry-over", "ads", "float", 0.5, "share kept per month", 0,
       0.99, "Share of last month's advertising effect still working this month (geometric adstock).",
       "Meta Robyn guidance: TV 0.3-0.8, print/radio/outdoor 0.1-0.4, digital 0-0.3.", "medium",
       (0.3, 0.7), 0.05, "{:.0%}"),
    _P("ad_half_saturation_per_month", "Spend for half the maximum ad effect", "ads", "float",
       200_000.0, "$ per month sustained", 1, 1e9,
       "Steady monthly spend at which advertising reaches half its maximum effect (Hill K).",
       "Illustrative; the Hill curve is the one used by Robyn, Meridian and PyMC-Marketing.",
       "illustration", (100_000, 400_000), 10_000, "${:,.0f}"),
    _P("ad_hill_shape", "Ad response shape", "ads", "float", 1.0, "Hill exponent", 0.3, 5,
       "1 gives pure diminishing returns; above 1 an S-curve with a threshold.",
       "Common MMM default range 0.5-3.", "weak", (0.8, 2.0), 0.1, "{:.1f}"),
    _P("ad_max_innovation_per_month", "Maximum ad-driven adoption", "ads", "float", 0.005,
       "share of available prospects per month", 0, 0.5,
       "Share of available prospects advertising converts in a month at full saturation (Bass p).",
       "Bass p about 0.01-0.03 a year (Sultan, Farley & Lehmann; Van den Bulte): the default gives "
       "about 0.026 a year at the default spend.", "medium", (0.0025, 0.01), 0.0005, "{:.2%}"),
    # ---------------------------------------------------------------- market
    _P("market_size", "Addressable market", "market", "float", 1_000_000.0, "people", 100, 1e10,
       "Everyone who could ever be a customer, including today's customers. Advertising wins a share of the "
       "prospects, so its customers per dollar grow with this: set it with the half-saturation spend.",
       "Planning input.",
       "choice", None, 10_000, "{:,.0f}"),
    _P("initial_customers", "Customers today", "market", "float", 100_000.0, "customers", 0, 1e10,
       "Customers at the start of month 1.", "Planning input.", "choice", None, 1_000, "{:,.0f}"),
    _P("initial_promoter_share", "Promoters today", "market", "float", 0.43, "share of customers",
       0, 1, "Share of today's customers scoring 9-10 (from your latest NPS survey).",
       "Default: the long-run mix of the default company.", "illustration", (0.25, 0.45), 0.01,
       "{:.0%}"),
    _P("initial_detractor_share", "Detractors today", "market", "float", 0.17, "share of customers",
       0, 1, "Share of today's customers scoring 0-6.",
       "Default: the long-run mix of the default company.", "illustration", (0.15, 0.3), 0.01,
       "{:.0%}"),
    _P("product_value", "Product value", "market", "float", 0.6, "0 weak - 1 outstanding", 0, 1,
       "How good the product is, as customers who never contact service see it. Sets their "
       "promoter/detractor mix, and caps what service can do.", "Planning input.", "choice",
       (0.4, 0.8), 0.05, "{:.2f}"),
    _P("arpu_per_month", "Revenue per customer", "market", "float", 50.0, "$ per customer-month", 0,
       1e6, "Average revenue per customer per month (ARPU).", "Illustrative.", "illustration",
       None, 1, "${:,.2f}"),
    _P("gross_margin", "Gross margin", "market", "float", 0.70, "share of revenue", 0, 1,
       "Share of revenue left after the cost of delivering the product (before service and ads).",
       "Illustrative (subscription software often 70-80%).", "illustration", (0.6, 0.8), 0.01,
       "{:.0%}"),
    _P("onboarding_cost_per_customer", "Onboarding cost", "market", "float", 25.0,
       "$ per new customer", 0, 1e6, "One-off cost to set up each new customer.", "Illustrative.",
       "illustration", (10, 50), 5, "${:,.0f}"),
    # ----------------------------------------------------------------- money
    _P("horizon_months", "Horizon", "money", "int", 60, "months", 12, 120,
       "Months simulated.", "Planning choice.", "choice", None, 12, "{:,.0f}"),
    _P("annual_discount_rate", "Discount rate", "money", "float", 0.10, "per year", 0, 1,
       "Cost of capital used to discount monthly cash flows.",
       "Typical corporate cost of capital 8-12%.", "convention", (0.06, 0.15), 0.01, "{:.0%}"),
    _P("include_terminal_value", "Count customers left at the end", "money", "bool", True, "", 0, 1,
       "Add the value of the customers left at the horizon (customers x CLV). Without it, a short "
       "horizon always favours advertising.", "Modelling choice.", "choice"),
]

PARAMETERS: dict[str, Param] = {p.name: p for p in _LIST}
SPEND_FIELDS: tuple[str, ...] = tuple(p.name for p in _LIST if p.kind == "spend")
ONE_OFF_FIELDS: tuple[str, ...] = ("capacity_one_off_cost", "quality_one_off_cost", "ad_one_off_cost")
"""One-off costs of the plan's changes to the three levers, paid in month 1: spend, like the levers."""


def params_in_group(group: str) -> list[Param]:
    """Parameters of one group, in display order."""
    return [p for p in _LIST if p.group == group]
