"""Uncertainty: ranges on inputs, Monte Carlo ensembles with common random numbers.

Every uncertain input carries a range (low, likely, high). Draws follow a PERT
distribution on that range (a Beta shaped by the likely value, the usual
choice for expert three-point estimates); inputs whose range spans a factor of
ten or more, like the audience of an online story, are drawn on a log scale.

Common random numbers: each input's uniform draws come from its own random
stream, seeded by (seed, input name). Two scenarios run with the same seed
therefore see the same quantiles of every shared input, draw by draw, so
"probability that A beats B" is a paired comparison and differences are not
drowned in sampling noise.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._threads import map_in_threads
from . import checks
from .errors import ScenarioError
from .parameters import PARAMETERS
from .scenario import Scenario, fix_cross_rules
from .simulation import MONTHLY_COLUMNS, simulate_batch

__all__ = ["Range", "UNCERTAIN_FIELDS", "default_ranges", "ranges_for", "sample", "draw_world", "simulate_many",
           "Ensemble", "MAX_DRAWS", "ENSEMBLE_COLUMNS"]

MAX_DRAWS = checks.MAX_DRAWS
ENSEMBLE_COLUMNS = ("customers", "new_from_ads", "new_from_wom", "churned", "contribution",
                    "cumulative_contribution", "service_level", "nps")

# Inputs that describe the world rather than the plan: they have a plausible
# range from the evidence. Planning inputs (spend, market, prices, the
# horizon, the discount rate) are decisions or facts the user knows.
UNCERTAIN_FIELDS: tuple[str, ...] = tuple(
    p.name for p in PARAMETERS.values()
    if p.plausible is not None and p.kind == "float" and p.group not in ("market", "money")
    and p.solidity != "convention" and p.name != "prior_ad_spend_per_month"
)
_LOG_SCALE_SPAN = 10.0
_FLOAT64_BYTES = 256 * 2**20  # monthly bands kept in float64 up to this size


@dataclass(frozen=True)
class Range:
    """Three-point estimate of one input, in the input's own unit."""

    low: float
    likely: float
    high: float
    log: bool = False  # draw on a log scale (for ranges spanning orders of magnitude)

    @property
    def width(self) -> float:
        return self.high - self.low

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF of the (log-)PERT distribution at uniforms ``u``."""
        if self.width <= 0:
            return np.full(np.shape(u), self.likely, dtype=float)
        lo, mode, hi = self.low, self.likely, self.high
        if self.log:
            lo, mode, hi = np.log(lo), np.log(mode), np.log(hi)
        a = 1.0 + 4.0 * (mode - lo) / (hi - lo)
        b = 1.0 + 4.0 * (hi - mode) / (hi - lo)
        x = lo + (hi - lo) * stats.beta.ppf(u, a, b)
        out = np.exp(x) if self.log else x
        return np.clip(out, self.low, self.high)


def default_ranges(scenario: Scenario) -> dict[str, Range]:
    """Ranges for every uncertain input: the evidence's plausible range, with the
    scenario's own value as the likely one (the range widens to include it)."""
    out = {}
    for name in UNCERTAIN_FIELDS:
        p = PARAMETERS[name]
        value = float(getattr(scenario, name))
        lo, hi = min(p.plausible[0], value), max(p.plausible[1], value)
        log = lo > 0 and hi / lo >= _LOG_SCALE_SPAN
        out[name] = Range(lo, value, hi, log)
    return out


def check_ranges(ranges: Mapping[str, Range]) -> None:
    """Raise ScenarioError naming every invalid range (unknown input, order, bounds)."""
    problems = []
    for name, r in ranges.items():
        spec = PARAMETERS.get(name)
        if spec is None or spec.kind != "float":
            problems.append(f"{name}: not an input that can be uncertain (numeric, non-spend inputs only)")
            continue
        if not isinstance(r, Range):
            problems.append(f"{name}: expected a cx_roi.Range(low, likely, high), got {type(r).__name__}")
            continue
        vals = (r.low, r.likely, r.high)
        if not all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                   for v in vals):
            problems.append(f"{name}: low, likely and high must be numbers, got {vals!r}")
        elif not all(np.isfinite(v) for v in vals):
            problems.append(f"{name}: range values must be finite numbers, got {vals}")
        elif r.low > r.high:
            problems.append(f"{name}: low ({r.low:g}) is above high ({r.high:g})")
        elif not r.low <= r.likely <= r.high:
            problems.append(f"{name}: needs low <= likely <= high, got {r.low:g}, {r.likely:g}, {r.high:g}")
        elif r.low < spec.minimum or r.high > spec.maximum:
            problems.append(f"{name}: range {r.low:g} to {r.high:g} leaves the allowed "
                            f"{spec.describe_range()}")
        elif r.log and r.low <= 0:
            problems.append(f"{name}: a log-scale range needs low > 0, got {r.low:g}")
    if problems:
        raise ScenarioError(problems)


@functools.lru_cache(maxsize=256)
def _draws_of(name: str, r: Range, draws: int, seed: int) -> np.ndarray:
    # One stream per input, keyed by its name: adding or removing another
    # input never changes this one's draws (common random numbers).
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(name.encode())])
    # The inverse Beta CDF costs about 2 us a value: paired scenarios (same ranges,
    # same seed) share the work. Read-only, so a caller cannot alter the cache.
    out = r.ppf(rng.random(draws))
    out.flags.writeable = False
    return out


def sample(ranges: Mapping[str, Range], draws: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``draws`` values of each input, reproducible for a seed and paired across scenarios."""
    checks.draws(draws)
    checks.seed(seed)
    check_ranges(ranges)
    # One input's inverse CDF does not depend on another's: they run side by side.
    names = list(ranges)
    values = map_in_threads(lambda name: _draws_of(name, ranges[name], int(draws), int(seed)).copy(), names)
    return dict(zip(names, values))


@dataclass
class Ensemble:
    """A Monte Carlo run: per-draw KPIs and selected monthly paths."""

    scenario: Scenario
    ranges: dict[str, Range]
    seed: int
    values: dict[str, np.ndarray] = field(repr=False)
    kpis: pd.DataFrame = field(repr=False)
    monthly: dict[str, np.ndarray] = field(repr=False)

    @property
    def draws(self) -> int:
        return len(self.kpis)

    def monthly_quantiles(self, column: str, q: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        """Quantiles of a monthly column across draws: index month, one column per q."""
        if column not in self.monthly:
            raise KeyError(f"{column!r} was not kept; kept: {list(self.monthly)}")
        qs = list(q)
        values = np.quantile(np.asarray(self.monthly[column], dtype=float), qs, axis=0)
        return pd.DataFrame(values.T, index=pd.RangeIndex(1, values.shape[1] + 1, name="month"),
                            columns=qs)

    def kpi_quantiles(self, q: Sequence[float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        """Quantiles of every KPI across draws (NaN draws ignored): index q."""
        return self.kpis.quantile(list(q))

    def probability(self, mask: np.ndarray | pd.Series) -> float:
        """Share of draws where ``mask`` holds."""
        return float(np.mean(np.asarray(mask, dtype=bool)))


def ranges_for(scenario: Scenario, ranges: Mapping[str, Range] | None = None) -> dict[str, Range]:
    """The default ranges of ``scenario`` (:func:`default_ranges`) updated by ``ranges``, checked."""
    given = checks.mapping("ranges", ranges, "input names to Range(low, likely, high)")
    merged = {**default_ranges(scenario), **given}
    check_ranges(merged)
    return merged


def draw_world(scenario: Scenario, draws: int, seed: int = 0, ranges: Mapping[str, Range] | None = None
               ) -> tuple[dict[str, Range], dict[str, np.ndarray]]:
    """The uncertain inputs of ``scenario`` as ``draws`` paired draws: its ranges
    (:func:`ranges_for`), sampled for ``seed`` (:func:`sample`), every draw kept valid under the
    cross-field rules. Returns the ranges used and the values."""
    merged = ranges_for(scenario, ranges)
    values = sample(merged, draws, seed)
    fix_cross_rules(values, scenario)
    return merged, values


def simulate_many(
    scenario: Scenario,
    draws: int = 2000,
    seed: int = 0,
    ranges: Mapping[str, Range] | None = None,
    columns: Sequence[str] = ENSEMBLE_COLUMNS,
    dtype: Any = None,
) -> Ensemble:
    """Run ``draws`` Monte Carlo draws of the uncertain inputs through the batch engine.

    ``ranges`` replaces the default ranges for the inputs it names (give an
    input a zero-width range to hold it fixed). With every range of zero width
    the ensemble equals the deterministic run. ``columns``: monthly columns to
    keep for quantile bands. ``dtype``: their storage type; by default float64
    while they fit in 256 MB (so a zero-width ensemble matches
    :func:`cx_roi.simulate` to the last digits), float32 beyond (100,000
    draws x 120 months). KPIs are always float64.
    """
    checks.scenario(scenario, "simulate_many")
    checks.draws(draws)
    checks.seed(seed)
    unknown = [c for c in columns if c not in MONTHLY_COLUMNS]
    if unknown:
        raise ScenarioError(f"columns: {unknown} are not monthly columns; allowed: {', '.join(MONTHLY_COLUMNS)}")
    merged, values = draw_world(scenario, draws, seed, ranges)
    if dtype is None:
        size = draws * scenario.horizon_months * len(columns) * 8
        dtype = np.float64 if size <= _FLOAT64_BYTES else np.float32
    batch = simulate_batch(scenario, draws=values, columns=list(columns), dtype=dtype)
    return Ensemble(scenario, merged, int(seed), values, batch.kpis, batch.monthly)
