"""The model's method as data: order of events, equations, sources.

This module is the single source of the methodology. The dashboard's Method
page renders :data:`STEPS` and :data:`cx_roi.PARAMETERS`; docs/methodology.md
is generated from :func:`render_markdown` (``python -m cx_roi methodology``),
and a test keeps the two identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .history.schema import BALANCE_MIN_CUSTOMERS, BALANCE_TOLERANCE, BALANCE_TOLERANCE_MAX, share_text
from .margins import ODDS_DRAWS
from .parameters import GROUPS, PARAMETERS, SOLIDITY_LABELS, params_in_group
from .outputs import COMPARED, KPIS, MONTHLY, WORKINGS, Output
from .simulation import MAX_STEPS, STEP_HAZARD

__all__ = ["Step", "STEPS", "SOURCES", "render_markdown"]


@dataclass(frozen=True)
class Step:
    """One block of the model: a title, an explanation (markdown) and its equations (LaTeX)."""

    title: str
    text: str
    equations: list[str] = field(default_factory=list)



WORKBOOK = (
    "The Excel export recomputes NPV, ROI and payback with live formulas, so they can be audited and "
    "followed cell by cell. Each scenario's Months sheet holds the monthly columns above as the model's "
    "values, except five formulas: revenue (ARPU on Inputs x customers), contribution (gross margin on "
    "Inputs x revenue - capacity, quality and advertising spend - onboarding), cumulative contribution, the "
    "discount factor (1 + r_m)^-t, with r_m on Summary from the annual discount rate on Inputs, and "
    "discounted contribution. It adds the workings below. On Summary, one row per scenario: NPV = the sum of discounted contribution + the terminal value "
    "(customers left x the model's value of a customer left x the last month's discount factor); ROI = "
    "(NPV - NPV of the baseline) / (PV of spend - PV of the baseline's spend); payback = the month after the "
    "last one whose cumulative contribution vs baseline is below zero. Where ROI or payback is undefined "
    "(the rules above) the cell says why in words. These equal `compare`'s figures to a millionth, which "
    "the tests check by recomputing the file in LibreOffice; the KPIs sheet holds `compare`'s figures as "
    "values. Headers are each output's label and unit, with its meaning as a comment. Names, titles and "
    "the verdict are always text, never formulas or links."
)
"""How the workbook's formulas reach NPV, ROI and payback (docs/methodology.md)."""


def _output_table(table: dict[str, Output]) -> list[str]:
    return (["| column | label | unit | meaning |", "|---|---|---|---|"]
            + [f"| `{k}` | {o.label} | {o.unit} | {o.meaning} |" for k, o in table.items()])

def _symbols(plain: str, **fields: str) -> str:
    """A step's key to its symbols: ``plain`` for those that are not inputs, then each input's
    symbol with its label and field name from :data:`PARAMETERS` (so the key cannot drift from
    the sliders' own words)."""
    inputs = "; ".join(f"{symbol} {PARAMETERS[name].label.lower()} (`{name}`)" for symbol, name in fields.items())
    return f"\n\nSymbols: {plain}; {inputs}."


STEPS: list[Step] = [
    Step(
        "Order of events within a month",
        "Month t runs these steps in order, for every draw at once (the deterministic run is a "
        "batch of one):\n\n"
        "1. **Service.** Customers on the books at the start of the month make first contacts; "
        "quality spend per first contact sets first-contact resolution (FCR); unresolved issues "
        "come back as repeat contacts; capacity spend buys agents; the Erlang A queue gives waits, "
        "hang-ups, the share of answered callers who waited past their tolerance, and the "
        "reported service level.\n"
        "2. **Sentiment.** Contacting customers move toward the mix their contact outcome "
        "produces; the others drift toward the product's own mix.\n"
        "3. **Churn.** Each sentiment band leaves at its own monthly rate, plus an involuntary "
        "floor, plus the pull of last month's net negative stories on customers.\n"
        "4. **Word of mouth.** Remaining promoters tell positive stories; remaining detractors and "
        "the customers who just left tell negative ones. Their weighted difference is the net "
        "persuasion a prospect feels: positive, it wins prospects; negative, it puts them off.\n"
        "5. **Advertising.** This month's spend joins the carry-over (adstock); saturation gives "
        "the innovation hazard.\n"
        "6. **Acquisition.** The prospects face three competing risks (won by advertising, won by "
        "word of mouth, put off by stories); new customers join with the product's sentiment mix. "
        "People in the deterred pool come back to the market at the recovery rate, a share of "
        "them lost to competitors for good.\n"
        "7. **Money.** Everything is paid at the month's end: customers at the end of the month "
        "(survivors and newcomers) pay ARPU; spend and onboarding are paid; cash is discounted at "
        "the monthly rate r_m (see Money).\n\n"
        "**Month 0** is the company as it was before the plan: today's customers served at the "
        "service spends before the plan and advertised at the spend before it (three inputs). "
        "Sentiment starts settled at that service (the month's affine map on the band shares, "
        "customers held steady, applied 1,024 times by repeated squaring; turn \"Start from the settled "
        "sentiment\" off to start from the shares entered instead), and the deterred "
        "pool where its inflow balances its recovery. So a plan that changes nothing changes "
        "nothing in month 1: the model does not jump to a state the inputs never had.\n\n"
        "**Steps within a month.** Every flow is a hazard applied as competing risks (a share "
        "1 - exp(-H)), so no pool is emptied twice or capped by hand. When a draw's fastest flow "
        "(churn, recovery, advertising or net word of mouth; sentiment's memory is a blend that cannot "
        f"overshoot) exceeds {STEP_HAZARD:g} a month, its month runs as k equal steps, k the least power "
        f"of two that keeps each step's hazard at most {STEP_HAZARD:g} (at most {MAX_STEPS}), each share s "
        "becoming 1 - (1 - s)^(1/k); up to that hazard a step's update is monotone (the discrete "
        "logistic map does not overshoot). A draw's k never falls during a run: a step count going "
        "back and forth would add a saw-tooth of its own. No preset needs more than one step a month; "
        "across the plausible ranges about one draw-month in a thousand does. A draw's result does "
        "not depend on the others in its batch (beyond rounding). Where an input moves a draw across "
        "the hazard at which its k doubles, its results step by a few percent (the finer steps are the "
        "more exact): a difference of two runs either side of that point reads as a steep slope, "
        "so a next-dollar figure far out of line with its neighbours' may be that step.\n\n"
        "**Cycles.** With the service budget fixed, the loop from customers to the queue, to how "
        "contacts feel, to churn and word of mouth and back to customers acts with a delay "
        "(sentiment's memory, the deterred pool's recovery), so it can overshoot and settle in a "
        "damped cycle, as sales do in Forrester's market growth model when capacity is fixed. In "
        "about one plausible scenario in 200 a monthly series then changes direction more than six "
        "times in ten years, in a cycle of nine months to two and a half years that dies down; in "
        "about one in 20,000 (a centre that answers almost no one, where word of mouth switches "
        "between winning prospects and putting them off) it has not died down after ten years. It is "
        f"the model's own dynamics, not its step: run in {MAX_STEPS} steps a month, the same scenarios "
        "cycle too. No series flips direction month after month.\n\n"
        "Conservation holds every month: customers at a month's end are those at its start plus "
        "those won by advertising and by word of mouth less those who churned, and the market is "
        "the customers, the deterred, the prospects and those lost for good. In the symbols below: "
        "N the customers, B the deterred pool, L those lost for good, U the prospects who can be "
        "won, M the market.",
        [r"N_t = N_{t-1} + \text{ads}_t + \text{wom}_t - \text{churned}_t",
         r"M = N_t + B_t + L_t + U_t",
         rf"k = \min\Big({MAX_STEPS},\ 2^{{\lceil \log_2 \max(1,\ H_{{max}}/H_{{step}}) \rceil}}\Big),\quad "
         rf"H_{{step}} = {STEP_HAZARD:g},\qquad s_{{step}} = 1 - (1 - s)^{{1/k}}"],
    ),
    Step(
        "Service capacity and the queue",
        "Capacity spend buys full-time agents at their fully loaded cost. Shrinkage removes the "
        "paid time they cannot answer, and their productive hours are spread over the opening hours, "
        "which gives the agents answering at any moment (seats, continuous, so sliders and "
        "optimisers stay smooth). Contacts arrive at a steady rate over the opening hours. The "
        "queue is **Erlang A** (M/M/N+M): callers hang up after an exponential patience, so the "
        "results stay finite when the centre is understaffed, where Erlang C has no steady state. "
        "Erlang B is evaluated in its continuous form with the regularised upper incomplete gamma "
        "function, in logarithms, which is stable for thousands of agents. "
        "The Erlang A expressions follow Mandelbaum and Zeltyn (2007); the service-level formula "
        "comes from summing, over the queue position an arrival finds, the chance of being "
        "answered within t, and is checked in the tests against that sum and against a truncated "
        "birth-death chain. As patience grows without bound Erlang A tends to Erlang C.",
        [r"\text{FTE} = \frac{\text{capacity spend}}{\text{cost per agent}},\quad "
         r"N = \text{FTE}\,(1-s)\,\frac{h_{paid}}{h_{open}}",
         r"a = \frac{\text{contacts}}{3600\,h_{open}}\,\text{AHT}\ \text{(Erlangs)}",
         r"B(N,a) = \frac{a^N e^{-a}}{\Gamma(N+1,a)},\qquad C(N,a) = \frac{N B}{N - a(1-B)}\ (N>a)",
         r"x = N\,\frac{\text{patience}}{\text{AHT}},\ y = a\,\frac{\text{patience}}{\text{AHT}},\ "
         r"A(x,z) = \sum_{j\ge0} \frac{z^j}{\prod_{i=1}^{j}(x+i)}",
         r"\pi_N = \frac{1}{1/B + A(x,y) - 1},\quad P(\text{wait}) = \pi_N A(x,y)",
         r"P(\text{answered after waiting}) = \pi_N \tfrac{x}{x+1} A(x+1,y),\quad "
         r"P(\text{abandon}) = P(\text{wait}) - P(\text{answered after waiting})",
         r"P(\text{answered later than } t) = \pi_N \tfrac{x}{x+1} A(x+1, y e^{-\theta t})\,"
         r"e^{y(1-e^{-\theta t}) - \theta t (x+1)},\quad \theta = 1/\text{patience}",
         r"\text{SL}(t) = 1 - P(\text{abandon}) - P(\text{answered later than } t),\quad "
         r"\text{mean wait} = P(\text{abandon})\cdot\text{patience}"],
    ),
    Step(
        "Service quality and contact outcomes",
        "Quality spend (training, tools, empowerment) per first contact raises first-contact "
        "resolution from a floor toward a ceiling with diminishing returns; the half-effect "
        "spend closes half the gap. Issues not solved first time generate repeat contacts, which "
        "load the queue again. Each contact ends in one of three outcomes: **fast** (answered "
        "within the target and solved first time), **slow** (answered late, or solved only on a "
        "repeat contact) or **bad** (abandoned in the queue, or never solved). How an answered "
        "contact feels depends on the wait it had: the queue's wait distribution gives the share "
        "answered after more than the caller's tolerance τ (`wait_tolerance_seconds`), and those "
        "feel slow. The reported service level uses its own target (`service_level_target_seconds`), "
        "a reporting convention that changes no other output.",
        [r"\text{FCR} = f_0 + (f_1 - f_0)\left(1 - 2^{-q/h}\right),\quad q = "
         r"\frac{\text{quality spend}}{\text{first contacts}}",
         r"\text{contacts} = \text{first contacts}\,\bigl(1 + (1-\text{FCR})\,k_{repeat}\bigr)",
         r"\text{fast} = \bigl(P(\text{answered}) - P(\text{later than }\tau)\bigr)\,\text{FCR},\quad "
         r"\text{slow} = P(\text{later than }\tau)\,\text{FCR} + "
         r"P(\text{answered})(1-\text{FCR})\,e,\quad \text{bad} = 1 - \text{fast} - \text{slow}"],
    ),
    Step(
        "Sentiment",
        "Customers are held in three NPS bands: promoters (9-10), passives (7-8) and detractors "
        "(0-6). The product alone sets the mix of customers who never contact service: at product "
        "value v each share is linear between what a weak product (v = 0) and an outstanding one "
        "(v = 1) earns, four inputs. "
        "A contact's own mix is the outcome-weighted mix of the three outcomes, blended with the "
        "product mix by the service weight w: below 1, a weak product caps what service can do. "
        "The share of customers with at least one contact in a month is 1 - exp(-contacts per "
        "customer) (Poisson). Sentiment has memory: contacting customers move a share "
        "λ_c of the way to their contact's mix, the others a share λ_p toward the "
        "product's mix. New customers join with the product's mix.\n\n"
        "**The measured score** is a post-contact survey, biased by mechanism: only answered "
        "contacts are invited (callers who hung up are never asked), an invited customer's view is "
        "the blend of their view before the contact and the contact's own mix over answered "
        "outcomes, and each band answers at its own rate (promoters more readily than detractors). "
        "An optional `survey_inflation` (default 0) moves a share of polite answers one band up. "
        "So the measured NPS can look healthy while the true one, which drives churn and word of "
        "mouth, does not."
        + _symbols("S the customers in each band, N all customers, P and D the promoters and detractors, "
                   "ρ_b the share of band b that answers the survey (the three survey response inputs)",
                   κ="contacts_per_customer_per_month", w="service_weight", λ_c="contact_memory",
                   λ_p="product_memory"),
        [r"\text{mix}_{contact} = w\,\sum_{o} \text{share}_o\,\text{mix}_o + (1-w)\,\text{mix}_{product}",
         r"S_t = S_{t-1} + c\,\lambda_c\,(N\,\text{mix}_{contact} - S_{t-1}) + "
         r"(1-c)\,\lambda_p\,(N\,\text{mix}_{product} - S_{t-1}),\quad c = 1 - e^{-\kappa}",
         r"\text{NPS} = 100\,\frac{P - D}{N}",
         r"\text{mix}_{survey} \propto \rho_b\,\bigl((1-\lambda_c)\,\text{share}_b + \lambda_c\,"
         r"\text{mix}_{answered,b}\bigr),\quad b \in \{P, \text{passive}, D\}"],
    ),
    Step(
        "Churn",
        "Each band leaves at its own voluntary monthly rate; involuntary churn (failed payments, "
        "moves) is an independent floor. When word of mouth is net negative, the stories also reach "
        "customers on the books: they leave at a hazard of the ratio ε (`customer_deterrence_ratio`) "
        "times the prospects' deterrence hazard (Nitzan and Libai 2011: exposure to defectors "
        "raises a customer's own hazard of leaving). Overall churn emerges from the mix. Customers "
        "who leave join the deterred pool: they are not prospects again until they recover.",
        [r"c_b = 1 - (1 - c_{inv})(1 - c_{vol,b})\,e^{-\varepsilon \max(-s_{t-1}, 0)},\quad "
         r"\text{churned}_t = \sum_b c_b S_{b}"],
    ),
    Step(
        "Word of mouth",
        "Promoters tell positive stories; detractors, and customers on their way out, tell negative "
        "ones. A story reaches an offline audience, and a share of stories also goes online to a "
        "much larger audience (the amplification lever), where an impression weighs less than one "
        "in person. Impressions fall evenly on the whole market. A prospect weighs what they hear: "
        "the net persuasion s is positive impressions times the conversion per impression, minus "
        "negative impressions times the deterrence per impression, per person in the market. "
        "Positive, it is the word-of-mouth hazard that wins prospects (with every customer a "
        "promoter this is exactly the Bass imitation term q N/m, q = conversion x stories per "
        "promoter x reach); negative, it is the hazard that puts prospects off into the deterred "
        "pool, and it pulls on customers too (see Churn). So service sets the sign of word of "
        "mouth, and amplification multiplies whatever that sign is: six friends offline, six "
        "thousand online. The deterred pool empties at the recovery rate; a share of those leaving "
        "it has bought from a competitor meanwhile and is lost for good."
        + _symbols("P and D the promoters and detractors who stayed, churned the customers who just left, "
                   "r the weighted people one story reaches, I⁺ and I⁻ the positive and negative impressions, "
                   "U the prospects, B the deterred pool, L those lost for good, M the market, s_t the net "
                   "persuasion",
                   σ_P="promoter_stories_per_month", σ_D="detractor_stories_per_month",
                   σ_churn="stories_per_churned_customer", ω="online_impression_weight",
                   γ="positive_conversion_per_impression", δ="negative_deterrence_per_impression",
                   ρ="deterred_recovery_per_month", ℓ="deterred_lost_share"),
        [r"r = \text{offline} + \omega\,\text{online share}\cdot\text{online audience}",
         r"I^+ = P\,\sigma_P\,r,\qquad I^- = (D\,\sigma_D + \text{churned}\,\sigma_{churn})\,r",
         r"s_t = \frac{\gamma I^+ - \delta I^-}{M},\qquad h_{wom} = \max(s_t, 0),\quad h_{deter} = \max(-s_t, 0)",
         r"B_t = B_{t-1}(1-\rho) + \text{deterred}_t + \text{churned}_t,\qquad L_t = L_{t-1} + \ell\,\rho\,B_{t-1}"],
    ),
    Step(
        "Advertising",
        "Geometric adstock carries part of each month's advertising into later months; the plan "
        "inherits the carry-over of a steady prior spend. A Hill curve gives diminishing returns. "
        "The adstock is scaled by (1 - theta) so that the half-saturation K reads as a sustained "
        "monthly spend. The response sets the Bass innovation rate p on the prospects who are not "
        "deterred. The marginal response is what the next advertising dollar buys. Since p is a share of the "
        "prospects and K a sum of dollars, the same spend wins more customers in a larger market (paid CAC "
        "falls as the market grows): set the market size and K together, K as what it takes to reach that "
        "market; the Your data fit estimates the market size and p from the history.",
        [r"A_t = x_t + \theta A_{t-1},\quad A_0 = \frac{x_{prior}}{1-\theta}",
         r"p_t = p_{max}\,\frac{\tilde A^s}{\tilde A^s + K^s},\quad \tilde A = (1-\theta) A_t",
         r"\frac{d\,\text{hill}}{dA} = \frac{s K^s A^{s-1}}{(A^s + K^s)^2}"],
    ),
    Step(
        "Acquisition (competing risks)",
        "The prospects, U = M - N - B - L, face three hazards at once: advertising's innovation "
        "p_t, word of mouth's h_wom and the stories' deterrence h_deter. A prospect leaves the "
        "pool with probability 1 - exp(-H), H the sum, split between the causes in proportion to "
        "their hazards: no prospect is counted twice and no share passes 1, however large the "
        "hazards. With churn and negative word of mouth off, every customer a promoter and "
        "constant p, this is the Bass model in hazard form, n_t = (1 - exp(-(p + q N/M)))(M - N); "
        "the tests check it, and `fit_bass(form=\"hazard\")` fits that form.",
        [r"H_t = p_t + h_{wom} + h_{deter},\qquad \text{left}_t = U_t\,(1 - e^{-H_t})",
         r"\text{ads}_t = \text{left}_t\,\frac{p_t}{H_t},\quad \text{wom}_t = \text{left}_t\,"
         r"\frac{h_{wom}}{H_t},\quad \text{deterred}_t = \text{left}_t\,\frac{h_{deter}}{H_t}"],
    ),
    Step(
        "Money",
        "Revenue is paid at the end of each month by the customers on the books then. "
        "Contribution is gross margin x revenue minus service spend, advertising spend and "
        "onboarding of new customers. A lever's change may carry a one-off cost (a training "
        "programme, a CRM tool, campaign creative): it is paid in month 1 and counts as spend, so "
        "NPV, ROI and payback include it (the agents and the adstock are bought by the monthly "
        "spends alone). Month t's cash is divided by 1 + r_m to the power t, r_m "
        "being the monthly rate equivalent to the annual one. NPV optionally adds the value of the customers left at the "
        "horizon, N_T x CLV, with the churn rate of the final sentiment mix and the margin net of "
        "the final month's service cost per customer (serving them continues to cost). It is never "
        "below zero: a company whose few customers left would not pay for their service can stop "
        "serving them (the option to abandon), so a handful of customers is not charged the whole "
        "service budget for ever; the value reaches zero where their margin no longer covers that "
        "budget, not with a jump when the last customer leaves; "
        "without it a short horizon counts nothing of what the customers at its end are still "
        "worth, which understates the levers whose returns come late (service's kept customers, "
        "more often than advertising's new ones). "
        "ROI is undefined (NaN) without extra spend, and an extra spend below a billionth of the "
        "baseline's is rounding, not money. ROI and payback are returns on spend, so both are "
        "undefined too where a scenario differs from its baseline in more than its three spends "
        "(another market, product, history or assumption changes NPV by itself). Paid CAC is "
        "undefined without advertising spend (the carry-over of earlier spend still wins customers, "
        "at no cost to the plan). Expected lifetimes are capped at 100 "
        "years so the value stays finite when churn and the discount rate are both zero. "
        "CLV uses Gupta and Lehmann's form, m (1 - c)/(c + r_m), which matches this model's order "
        "of events: a customer on the books must survive the month to pay at its end. The CLV KPI "
        "uses the horizon's average churn and average service cost per customer.",
        [r"r_m = (1 + r)^{1/12} - 1,\qquad \text{NPV} = \sum_{t=1}^{T} \frac{\text{contribution}_t}"
         r"{(1+r_m)^t} + \frac{\max(0,\ N_T\,\text{CLV}_T)}{(1+r_m)^T}",
         r"\text{CLV} = \frac{m(1-c)}{c + r_m},\quad m = \text{margin}\cdot\text{ARPU} - "
         r"\text{service cost per customer}",
         r"\text{ROI} = \frac{\text{NPV} - \text{NPV}_{base}}{\text{PV(extra spend)}},\quad "
         r"\text{payback} = \min\{t: \text{cumulative incremental contribution} \ge 0 "
         r"\text{ from } t \text{ on}\}",
         r"\text{CAC}_{paid} = \frac{\sum \text{ad spend}}{\sum \text{ads}_t},\qquad "
         r"\text{CAC}_{blended} = \frac{\sum \text{ad spend}}{\sum (\text{ads}_t + \text{wom}_t)}"],
    ),
    Step(
        "The next dollar and the NPV bridge",
        "The answer leads with the margin (`lever_odds`): the slope of NPV in each lever is taken as a "
        "central difference of ±$1,000 a month (the optimiser's gradient), and what one more dollar "
        "adds to NPV after paying for itself is that slope over the present value of $1,000 a month. "
        f"Over {ODDS_DRAWS} paired draws of the assumptions' plausible ranges (seed 0; the Risk page starts "
        "from the "
        "same ranges, and edits there change its own figures, not these odds, so a scenario has one answer "
        "on every page and in every file) the same slopes give, draw by draw, which "
        "lever is best: the chance that service (either lever) or advertising is the better use. "
        "Below a 70% chance the verdict names no winner (too close to call) and names the assumption "
        "whose draws are most strongly rank-correlated with the gap between the two; slopes within "
        "2% of each other are level, as at the optimiser's split. What one more customer at the "
        "horizon costs through service (kept, or won by the word of mouth it earns) or through "
        "advertising is the same present value over the "
        "customers the lever adds. The larger step (`next_dollar`) asks the same question: it adds "
        "the same extra monthly amount to each lever in turn and reports the "
        "change in NPV, ROI and payback against the scenario itself: the product's question asked "
        "of any scenario. The NPV bridge (`npv_bridge`) splits an NPV difference into retention (customers kept by "
        "a lower churn rate), word-of-mouth wins, advertising wins, spend and other. Each cause's "
        "extra customers then leave at the baseline's churn rate, so the parts add up to the "
        "customer gap exactly; 'other' is what prices, margins or starting points explain.",
        [r"\Delta N_t = \sum_{k} G^k_t,\quad G^k_t = G^k_{t-1}(1 - c^{base}_t) + \Delta\text{inflow}^k_t"],
    ),
    Step(
        "Uncertainty: ranges and Monte Carlo draws",
        "Every input that describes the world rather than the plan (queue, quality, sentiment, "
        "churn, word of mouth and advertising response, and an agent's cost, whose default is a "
        "benchmark; not spend, market, prices or the discount rate) carries a range: low and high "
        "from its plausible range in the tables below, likely "
        "at the scenario's own value (the range widens to include it). The draws (`simulate_many`) take each "
        "input from a PERT distribution on its range, the usual choice for three-point expert "
        "estimates; an input whose range spans a factor of ten or more (the share of stories "
        "posted online, the audience of an online story) is drawn from a PERT on the log scale, "
        "so a modest audience is as likely as the evidence suggests and the rare viral story stays "
        "rare. Inputs are drawn independently. When a draw breaks a cross-field rule, the "
        "detractor share gives way to the promoter share, and the FCR floor to the ceiling. "
        "Common random numbers: each input's uniforms come from its own stream, seeded by the seed "
        "and the input's name, so two scenarios run with one seed see the same draws of every "
        "shared input and 'probability that A beats B' is the share of paired draws in which A's "
        "NPV is higher. With every range of zero width the ensemble equals the deterministic run.",
        [r"X = L + (H - L)\,B,\quad B \sim \mathrm{Beta}\Big(1 + 4\frac{M - L}{H - L},\; "
         r"1 + 4\frac{H - M}{H - L}\Big),\qquad \mathrm{E}[X] = \frac{L + 4M + H}{6}",
         r"\text{log scale: } \ln X \sim \mathrm{PERT}(\ln L, \ln M, \ln H),\qquad "
         r"P(A \text{ beats } B) = \frac{1}{n}\sum_{i=1}^{n} \mathbf{1}[\text{NPV}_A^{(i)} > "
         r"\text{NPV}_B^{(i)}]"],
    ),
    Step(
        "Sensitivity and break-even",
        "The tornado moves one input at a time to the low and the high end of its range, every "
        "other input at its likely value, and sorts the inputs by the swing of the metric (NPV, any "
        "KPI, or the ROI or NPV gain of a scenario against a baseline, the input moved in both). "
        "Break-even: for the inputs that swing the gap between two scenarios the most, the value at "
        "which the gap is zero, set in both scenarios, searched over the input's whole allowed "
        "range (a grid, then a safeguarded secant to a relative tolerance of one in a million); "
        "the crossing nearest today's value is reported, with the side on which the first "
        "scenario wins.",
        [r"\text{swing}_j = \big|\,m(x_j = H_j) - m(x_j = L_j)\,\big|,\qquad "
         r"\text{break-even}: \ \text{NPV}_A(x_j = v) = \text{NPV}_B(x_j = v)"],
    ),
    Step(
        "The budget optimiser",
        "The optimiser (`optimize_budget`) splits a monthly budget across the chosen spend levers (per phase: the "
        "whole horizon, or months 1-12 and after, each with its own total) to maximise NPV at the "
        "likely values, expected NPV, or the 10th percentile of NPV over Monte Carlo draws "
        "(risk-averse), within per-lever limits. The search evaluates a grid of splits on the "
        "budget simplex in one batch, then polishes the best and the runner-up with SLSQP (scipy; "
        "the better finish wins), the budget an "
        "equality constraint and the limits bounds; gradients are central differences of "
        "+-$1,000 a month that stay inside the bounds. For the ensemble objectives the draws are "
        "fixed once (common random numbers), which makes the objective a smooth function of the "
        "split, and SLSQP starts from the deterministic optimum and from the best split of a grid "
        "evaluated on the draws (1 in 10 of the budget for expected NPV, 1 in 20 for the 10th "
        "percentile, which has humps of its own), the better finish winning. At the optimum the "
        "marginal return of the next $1,000 a month is reported for every lever: at an interior "
        "optimum they are equal (otherwise moving money would pay); a lever at its minimum returns "
        "less, one at its maximum more. `min_budget_for` finds the least budget whose best split "
        "reaches a target (scan, then bisection); `efficient_frontier` the best split at each of "
        "several budgets, each budget also trying the previous one's split plus the extra money.",
        [r"\max_{x \ge 0} \ f(x)\ \text{ s.t. } \sum_k x_{k,p} = B_p,\ \ l_k \le x_{k,p} \le u_k,"
         r"\qquad \frac{\partial f}{\partial x_{k,p}} = \lambda_p \ \text{ for every lever not at a limit}"],
    ),
    Step(
        "Your data: reading a monthly history",
        "A history (`read_history`) is read as one row per month from CSV (comma, semicolon with decimal commas, or "
        "tab) or an .xlsx workbook. Required: month, customers (at month end), new and churned "
        "customers (in the month), advertising spend and service spend ($ in the month); optional: "
        "contacts, average handle time (minutes), agents (FTE), NPS or promoter and detractor "
        "shares, ARPU. Every problem is reported at once with its row and column: missing columns "
        "(with the closest header found), cells that are not numbers, negative counts or spends, "
        "shares outside 0-1, duplicated, missing or unordered months, fewer than 6 months, more "
        "than 1,200 rows or 5 MB, text that is not UTF-8, UTF-16 or Windows-1252, files that are "
        "not text or .xlsx, a workbook with several sheets of data (the sheet must be named), and "
        "customer counts that do not add up: customers at a month's end should be the month "
        "before's plus new minus churned, within an allowed gap τ of the month before's customers "
        f"({share_text(BALANCE_TOLERANCE)} unless chosen otherwise, from 0 to {share_text(BALANCE_TOLERANCE_MAX)}: "
        "`read_history(balance_tolerance=...)`, and a control on the Your data page) or "
        f"{BALANCE_MIN_CUSTOMERS:.0f} customers, whichever is larger. Why "
        f"{share_text(BALANCE_TOLERANCE)}: month-end customers usually come from billing and new and lost "
        "customers from a CRM; reactivations, plan changes, refunds and the cut-off at month end make "
        "them disagree by a percent or two in most months, which says nothing against the file. The "
        "check is there for mistakes of another order: a quarter's flows in a monthly row, counts in "
        "thousands beside counts in units, a cumulative churn column, churn given as a rate where a "
        f"count belongs. Those miss by a month's new or lost customers or far more. So {share_text(BALANCE_TOLERANCE)} "
        "accepts flows that miss by up to 2% a month with room to spare and still refuses a file whose "
        f"flows are missing whenever they exceed {share_text(BALANCE_TOLERANCE)} of the customers (at 1%, half "
        "the months of a file off by up to 2% are refused). The gap is measured "
        "month by month: a month-end count that is itself off by e% (noise in the level rather than in "
        "the flows) can show as a gap of up to 2e% between two months, so counts known to within 2% "
        f"need about 4%. Beyond {share_text(BALANCE_TOLERANCE_MAX)}, a fifth of the customers unaccounted "
        "for in one month, the columns no longer measure the same customers, and a fit to them would "
        "be a fit to a contradiction: fix the rows (the package's `check_balance=False` skips the "
        "check for those who must).",
        [r"\big|\,C_t - (C_{t-1} + \text{new}_t - \text{churned}_t)\,\big| \le "
         rf"\max(\tau\,C_{{t-1}},\ {BALANCE_MIN_CUSTOMERS:.0f}),\qquad \tau = {BALANCE_TOLERANCE:g} "
         rf"\text{{ unless chosen}},\ 0 \le \tau \le {BALANCE_TOLERANCE_MAX:g}"],
    ),
    Step(
        "Calibration: fitting the model to a history",
        "The Bass fit (`fit_bass`) fits the Bass model to new adopters per period by nonlinear least squares, "
        "in Srinivasan and Mason's (1986) interval form, adopters in period t = m [F(t) - F(t-1)], "
        "or in the hazard form the engine uses, with Bass's own OLS regression as the starting "
        "point. Its default error model is multiplicative (noise a share of the level, as for "
        "counts that rise and fall over orders of magnitude): it minimises squared log residuals, "
        "so its standard errors, s² (JᵀJ)⁻¹ on the log scale, give 95% intervals that cover the "
        "truth about 95% of the time on noisy synthetic series (additive errors, the classic "
        "choice, cover it about 81% of the time there). `fit_history` fits cx_roi's own monthly engine: it replays the history month by "
        "month on its actual spends (service spend split into capacity and quality in the "
        "defaults' proportion; agent cost, handle time, ARPU and the starting customers and "
        "sentiment read from the data) and finds, by bounded trust-region least squares on log "
        "scales, the market size, word of mouth's conversion per positive impression, "
        "advertising's maximum innovation rate, and churn: with NPS, the promoters' and "
        "detractors' churn and the product value (passives' churn kept between them as in the "
        "defaults), otherwise one factor on all three; with contacts, contacts per customer. The "
        "residuals are new customers, churned customers, survey NPS and contacts, each divided by "
        "its own residual spread from a first fit, so no series dominates by its units. What the "
        "monthly totals cannot tell apart (reach against conversion, carry-over against response, "
        "involuntary against voluntary churn, survey bias against true sentiment) keeps its "
        "default, and the result says so for every field. The holdout check refits on all but the "
        "last 6 months (12 for 48 months or more) and forecasts those on their actual spends. The "
        "planning scenario starts where the history ends: its last customers and sentiment mix "
        "(not settled afresh), the last 12 months' average spends, the last month's service spend "
        "as the spend before the plan and the carry-over of past advertising. The replay assumes "
        "the first month's spends had been running steadily before the history. Standard "
        "errors assume independent errors month to month and describe precision given the model, "
        "not the model's own misspecification. Both fits return their estimates as statsmodels "
        "does: `params`, `bse` (standard errors), `cov_params()`, `conf_int()` and `summary()`; "
        "`conf_int()` is worked out on the scale the fit used (the log scale for every field but "
        "product value) and transformed back, so a 95% range is asymmetric and never crosses zero, "
        "rather than value ± 1.96 standard errors.",
        [r"\text{Bass: } \min_{m,p,q} \sum_t \big(y_t - m\,[F(t) - F(t-1)]\big)^2,\qquad "
         r"F(t) = \frac{1 - e^{-(p+q)t}}{1 + \frac{q}{p}e^{-(p+q)t}}\ \text{(multiplicative: }\log y_t "
         r"- \log \hat y_t\text{)}",
         r"\text{history: } \min_{\theta} \sum_{s} \sum_t \Big(\frac{\hat y_{s,t}(\theta) - y_{s,t}}"
         r"{\sigma_s}\Big)^2,\qquad \mathrm{SE}(\hat\theta) = \sqrt{\mathrm{diag}\, s^2 (J^\top J)^{-1}}"],
    ),
]

SOURCES: list[str] = [
    "Bass, F. M. (1969). A new product growth for model consumer durables. Management Science 15(5).",
    "Sultan, F., Farley, J. U. & Lehmann, D. R. (1990). A meta-analysis of applications of diffusion "
    "models. Journal of Marketing Research 27(1).",
    "Mandelbaum, A. & Zeltyn, S. (2007). Service engineering in action: the Palm/Erlang-A queue, with "
    "applications to call centers. In Advances in Services Innovations, Springer.",
    "Gupta, S. & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing 17(1).",
    "Goodman, J. & Newman, S. (2003). Understand customer behavior and complaints. Quality Progress.",
    "Reichheld, F. (2003). The one number you need to grow. Harvard Business Review. (NPS bands; its "
    "growth claim was not replicated: Keiningham et al., 2007.)",
    "Recurly Research: subscription churn benchmarks across 1,500+ sites (average 5.6% a month).",
    "Gartner (2019): cost per contact, assisted about $8.01, self-service about $0.10.",
    "Meta Robyn documentation: geometric adstock ranges and Hill saturation.",
    "Srinivasan, V. & Mason, C. H. (1986). Nonlinear least squares estimation of new product diffusion "
    "models. Marketing Science 5(2).",
    "Nitzan, I. & Libai, B. (2011). Social effects on customer retention. Journal of Marketing 75(6).",
    "Forrester, J. W. (1968). Market growth as influenced by capital investment. Industrial Management "
    "Review 9(2). (A fixed capacity makes sales overshoot and cycle.)",
]


def _param_table(group: str) -> str:
    rows = ["| field | default | unit | allowed | plausible | source | solidity |",
            "|---|---|---|---|---|---|---|"]
    for p in params_in_group(group):
        default = p.default if p.kind == "bool" else p.fmt.format(p.default)
        plausible = "" if p.plausible is None else (
            f"{p.fmt.format(p.plausible[0])} - {p.fmt.format(p.plausible[1])}")
        allowed = p.describe_range(formatted=True)
        rows.append(f"| `{p.name}` | {default} | {p.unit} | {allowed} | {plausible} | "
                    f"{p.source} | {p.solidity} |")
    return "\n".join(rows)


def render_markdown() -> str:
    """The full methodology as markdown (the content of docs/methodology.md)."""
    out = [
        "# cx-roi methodology",
        "",
        "<!-- Generated by `python -m cx_roi methodology > docs/methodology.md` from "
        "cx_roi/methodology.py and cx_roi/parameters.py. Edit those, not this file. -->",
        "",
        "One monthly model answers: is the next dollar better spent on customer service or on "
        "advertising, and when? This page gives its order of events, every equation, and every "
        "input with its unit, default, allowed and plausible range, source and how solid it is.",
        "",
    ]
    for i, step in enumerate(STEPS, start=1):
        out += [f"## {i}. {step.title}", "", step.text, ""]
        for eq in step.equations:
            out += ["$$", eq, "$$", ""]
    out += ["## Inputs", "",
            "Solidity labels: " + "; ".join(f"**{k}**: {v}" for k, v in SOLIDITY_LABELS.items()) + ".",
            ""]
    for group, title in GROUPS.items():
        out += [f"### {title}", "", _param_table(group), ""]
    out += ["## Outputs", "", "Labels, units and formats: `cx_roi.outputs`, which every page, report and the "
            "command line read.", "", "### Monthly columns (`simulate(...).monthly`)", ""]
    out += _output_table(MONTHLY)
    out += ["", "### KPIs (`simulate(...).kpis`)", ""]
    out += _output_table(KPIS)
    out += ["", "### Against the baseline and over draws (`compare(...)`)", ""]
    out += _output_table(COMPARED)
    out += ["", "### The Excel workbook's formulas (`excel_report`)", "", WORKBOOK, ""]
    out += _output_table(WORKINGS)
    out += ["", "## Sources", ""] + [f"- {s}" for s in SOURCES] + [""]
    return "\n".join(out)
