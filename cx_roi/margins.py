"""The next dollar on the margin: what $1,000 more a month on each lever returns, and the odds.

For each spend lever the slope of NPV is a central difference of +-``step``
dollars a month (the way the optimiser takes its gradients), reported per
$1,000 a month. Over paired draws of the uncertain inputs (their plausible ranges,
common random numbers, a fixed seed) the same slopes give, draw by draw, which
lever is best: the chance that each lever is the best use of the next dollar.
Every variant of every draw runs in one batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import checks
from .comparison import LEVERS, SERVICE_LEVERS, headroom
from .economics import monthly_pv
from .errors import ScenarioError
from .parameters import PARAMETERS
from .scenario import Scenario, expand_schedule
from .simulation import simulate_batch
from .uncertainty import Range, draw_world

__all__ = ["LeverOdds", "lever_odds", "PER", "ODDS_DRAWS"]

PER = 1_000.0
"""Slopes are reported per this many dollars a month."""
ODDS_DRAWS = 300
"""Paired draws behind every chance a verdict states, on every page and in every file: a few hundred
put a chance within about 3 points (its standard error at 50% is 2.9 points)."""


@dataclass(frozen=True)
class LeverOdds:
    """Marginal NPV per $1,000 a month, at the likely values and over paired draws.

    ``likely``: lever -> NPV change per extra $1,000 a month with every input at its
    likely value ($). ``draws``: (draws x levers) the same slope in each draw.
    ``chance_best``: lever -> share of draws in which it has the largest slope.
    ``inputs``: (draws x uncertain inputs) the values each draw used.
    """

    scenario: Scenario
    step: float
    likely: dict[str, float]
    draws: pd.DataFrame = field(repr=False)
    chance_best: dict[str, float]
    inputs: pd.DataFrame = field(repr=False)
    customers: dict[str, float] = field(default_factory=dict)
    """Lever -> change in customers at the horizon per extra $1,000 a month, at the likely values."""

    @property
    def best(self) -> str:
        """The lever with the largest slope at the likely values."""
        return max(self.likely, key=self.likely.get)

    @property
    def per_dollar(self) -> dict[str, float]:
        """Lever -> NPV added per extra dollar spent on it, net of that dollar (the ROI of the
        next dollar): the slope divided by the present value of $1,000 a month over the horizon."""
        pv = monthly_pv(self.scenario.annual_discount_rate, self.scenario.horizon_months) * PER
        return {lever: slope / pv for lever, slope in self.likely.items()}

    @property
    def cost_per_customer(self) -> dict[str, float]:
        """Lever -> what one more customer at the horizon costs on the margin: the present value of
        the extra spend over the customers it adds ($; NaN where the lever adds none). For service
        that is a customer kept (or won by word of mouth), for advertising one won."""
        pv = monthly_pv(self.scenario.annual_discount_rate, self.scenario.horizon_months) * PER
        return {lever: (pv / gained if gained > 0 else float("nan")) for lever, gained in self.customers.items()}

    @property
    def service_lever(self) -> str:
        """The better of the two service levers at the likely values."""
        return max(SERVICE_LEVERS, key=self.likely.get)

    @property
    def chance_service_best(self) -> float:
        """Share of draws in which a service lever (either) is the best use of the next dollar."""
        return sum(self.chance_best[lever] for lever in SERVICE_LEVERS)

    def deciders(self, top: int = 3) -> list[str]:
        """The uncertain inputs that most decide whether service or advertising returns more, strongest
        first (at most ``top``): ranked by how strongly each one's drawn values are rank-correlated with
        the gap between the better service slope and advertising's, draw by draw. Empty when no input
        moves the gap."""
        gap = self.draws[list(SERVICE_LEVERS)].max(axis=1) - self.draws["ad_spend_per_month"]
        if len(self.inputs) < 3 or gap.nunique() < 3:
            return []
        varied = self.inputs.loc[:, self.inputs.nunique() > 2]
        if varied.empty:
            return []
        strength = varied.rank().corrwith(gap.rank()).abs().dropna()
        return [str(name) for name in strength.sort_values(ascending=False, kind="stable").index[:top]]

    def decider(self) -> str | None:
        """The uncertain input that most decides whether service or advertising returns more (the first of
        :meth:`deciders`); None when no input moves the gap."""
        return next(iter(self.deciders(1)), None)


def lever_odds(scenario: Scenario, draws: int = ODDS_DRAWS, seed: int = 0, step: float = PER,
               ranges: Mapping[str, Range] | None = None) -> LeverOdds:
    """Slopes of NPV in each spend lever, and the chance each is the best, over ``draws`` paired draws.

    A lever at zero spend, or at its allowed maximum, takes a one-sided difference (it cannot go
    lower, or higher). Draw 0 of the
    batch is the likely values; the draws follow :func:`cx_roi.simulate_many` (same ranges,
    same seed, same values). ``draws=0`` gives the slopes at the likely values alone (one
    run a lever and direction, a few milliseconds); its chances are NaN.
    """
    checks.scenario(scenario, "lever_odds")
    step = checks.amount("step", step)
    seed = checks.seed(seed)
    if isinstance(draws, bool) or draws != 0:  # 0: the likely values alone
        draws = checks.draws(draws)
    values = draw_world(scenario, draws, seed, ranges)[1] if draws else {}
    likely = {name: np.array([float(getattr(scenario, name))]) for name in values}
    per_draw = {name: np.concatenate([likely[name], v]) for name, v in values.items()}
    n = draws + 1
    horizon = scenario.horizon_months
    levers = list(LEVERS)
    spends = {lever: expand_schedule(getattr(scenario, lever), horizon) for lever in levers}
    downs = {lever: min(step, float(spends[lever].min())) for lever in levers}
    ups = {lever: min(step, headroom(scenario, lever)) for lever in levers}
    stuck = [lever for lever in levers if ups[lever] + downs[lever] <= 0]
    if stuck:
        raise ScenarioError(f"{stuck[0]}: its schedule runs from $0 to the most allowed "
                            f"({PARAMETERS[stuck[0]].maximum:,.0f}), so a next dollar can be neither added nor "
                            "taken away there")
    # Blocks of n draws: one per lever and direction (+up, -down).
    blocks = [(lever, sign) for lever in levers for sign in (1, -1)]
    batch_values = {name: np.tile(v, len(blocks)) for name, v in per_draw.items()}
    for lever in levers:
        rows = []
        for other, sign in blocks:
            delta = (ups[other] if sign > 0 else -downs[other]) if other == lever else 0.0
            rows.append(np.broadcast_to(spends[lever] + delta, (n, horizon)))
        batch_values[lever] = np.concatenate(rows)
    kpis = simulate_batch(scenario, draws=batch_values, columns=("customers",)).kpis
    npv = kpis["npv"].to_numpy().reshape(len(blocks), n)
    final = kpis["final_customers"].to_numpy().reshape(len(blocks), n)
    slopes, customers = {}, {}
    for i, lever in enumerate(levers):
        width = ups[lever] + downs[lever]
        slopes[lever] = (npv[2 * i] - npv[2 * i + 1]) / width * PER
        customers[lever] = float((final[2 * i, 0] - final[2 * i + 1, 0]) / width * PER)
    table = pd.DataFrame({lever: s[1:] for lever, s in slopes.items()})
    best = table.to_numpy().argmax(axis=1)
    chance = {lever: float(np.mean(best == j)) if draws else float("nan") for j, lever in enumerate(levers)}
    inputs = pd.DataFrame({name: v for name, v in values.items()})
    return LeverOdds(scenario, float(step), {lever: float(s[0]) for lever, s in slopes.items()}, table, chance,
                     inputs, customers)
