"""The monthly simulation: one engine for one scenario or many parameter draws.

Every state variable is an array with a leading draw axis, so a single
scenario is a batch of one and 10,000 Monte Carlo draws cost arithmetic, not
Python overhead per draw. The order of events inside a month is documented in
docs/methodology.md ("Order of events") and mirrored step by step in
:func:`_run_chunk`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import advertising, churn, economics, sentiment, service, word_of_mouth
from ._threads import map_in_threads, usable_cpus
from .economics import month_sum
from .errors import ScenarioError
from .outputs import KPI_COLUMNS, MONTHLY_COLUMNS
from .parameters import PARAMETERS, SPEND_FIELDS
from .scenario import Scenario, batch_cross_checks, expand_schedule

__all__ = ["simulate", "simulate_batch", "SimulationResult", "BatchResult", "MONTHLY_COLUMNS", "STEP_HAZARD",
           "MAX_STEPS", "KPI_COLUMNS"]

@dataclass(frozen=True)
class SimulationResult:
    """One scenario's run: ``monthly`` (one row per month 1..horizon) and ``kpis``."""

    scenario: Scenario
    monthly: pd.DataFrame
    kpis: dict[str, float]

    def kpi_series(self) -> pd.Series:
        return pd.Series(self.kpis)


@dataclass
class BatchResult:
    """Many runs at once. ``monthly[column]`` has shape (draws, months); ``kpis`` one row per draw."""

    monthly: dict[str, np.ndarray]
    kpis: pd.DataFrame
    horizon: int
    annual_discount_rate: np.ndarray = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.kpis)

    def monthly_frame(self, i: int = 0) -> pd.DataFrame:
        """Draw ``i``'s monthly results as a DataFrame indexed by month (1..horizon)."""
        # One (months, columns) block: pandas takes it as it is, where a dict of columns
        # would be checked and copied column by column.
        block = np.empty((self.horizon, len(self.monthly)))
        for j, arr in enumerate(self.monthly.values()):
            block[:, j] = arr[i]
        return pd.DataFrame(block, index=pd.RangeIndex(1, self.horizon + 1, name="month"),
                            columns=list(self.monthly), copy=False)

    def nbytes(self) -> int:
        """Memory held by the monthly arrays and KPI table, bytes."""
        return int(sum(a.nbytes for a in self.monthly.values())
                   + self.kpis.memory_usage(deep=True).sum())


# ----------------------------------------------------------------- public API

def simulate(scenario: Scenario | None = None) -> SimulationResult:
    """Run one scenario month by month (a batch of one).

    Returns monthly results (columns in ``MONTHLY_COLUMNS``) and KPIs
    (``KPI_COLUMNS``); see docs/methodology.md for every equation.
    """
    scenario = Scenario() if scenario is None else scenario
    if not isinstance(scenario, Scenario):
        raise TypeError(f"simulate() takes a cx_roi.Scenario, got {type(scenario).__name__}")
    batch = simulate_batch([scenario])
    kpis = {k: _py(v) for k, v in batch.kpis.iloc[0].items()}
    return SimulationResult(scenario, batch.monthly_frame(0), kpis)


def simulate_batch(
    scenarios: Scenario | Sequence[Scenario],
    draws: Mapping[str, Any] | None = None,
    *,
    columns: Sequence[str] | None = None,
    dtype: Any = np.float64,
    chunk_size: int = 5000,
    workers: int | None = None,
) -> BatchResult:
    """Run many parameter sets at once.

    ``scenarios``: one Scenario (then ``draws`` gives per-draw values) or a
    sequence of them (one draw each). ``draws``: field name -> array of shape
    (n,) (or (n, months) for spend fields) overriding that field per draw.
    All draws share the horizon. ``columns``: monthly columns to keep (all by
    default; KPIs are always computed in float64); ``dtype``: storage type of
    the monthly arrays (float32 halves memory for large ensembles).
    ``chunk_size``: draws run together (memory in flight grows with it);
    ``workers``: chunks run at once in threads (default: the CPUs this process
    may use). Results do not depend on either, beyond rounding in the last digits for
    chunks of eight draws or fewer (Erlang A's one-value-at-a-time path).
    """
    _check_batch_options(columns, dtype, chunk_size, workers)
    params, horizon = _stack(scenarios, draws)
    n = len(params["market_size"])
    keep = list(MONTHLY_COLUMNS) if columns is None else list(columns)
    unknown = [c for c in keep if c not in MONTHLY_COLUMNS]
    if unknown:
        raise ValueError(f"unknown monthly columns {unknown}; valid: {list(MONTHLY_COLUMNS)}")
    # Stored month-major: the month loop writes one month for every draw at a time, which
    # is then one contiguous row rather than a column strided across the whole array (for
    # 10,000 draws that was a third of the run). Callers see (draws, months) through the
    # transposed view; no copy is made.
    store = {c: np.empty((horizon, n), dtype=dtype) for c in keep}

    def run(sl: slice) -> dict[str, np.ndarray]:
        chunk = {k: v[sl] for k, v in params.items()}
        # The chunk writes straight into the result arrays (views), so no
        # second copy of the monthly results ever exists.
        return _run_chunk(chunk, horizon, {c: store[c][:, sl] for c in keep})

    workers = usable_cpus() if workers is None else max(1, int(workers))
    # A large batch is split so every worker has an equal share of chunks; numpy and
    # scipy do a chunk's arithmetic without holding the interpreter, so chunks in
    # threads run side by side. A small batch runs in one piece on this thread.
    pieces = -(-n // chunk_size)
    if workers > 1 and n >= _PARALLEL_FROM:
        pieces = workers * -(-pieces // workers)
    size = -(-n // pieces)
    slices = [slice(start, min(n, start + size)) for start in range(0, n, size)]
    kpi_parts = map_in_threads(run, slices, workers)
    monthly = {c: store[c].T for c in keep}
    kpis = {k: np.concatenate([p[k] for p in kpi_parts]) for k in KPI_COLUMNS}
    return BatchResult(monthly, pd.DataFrame(kpis), horizon, params["annual_discount_rate"])


# ------------------------------------------------------------------ internals

def _check_batch_options(columns: Any, dtype: Any, chunk_size: Any, workers: Any) -> None:
    """simulate_batch's keyword options, each named with what it takes when it cannot be used."""
    if isinstance(columns, str):
        raise ValueError(f"columns: a sequence of monthly column names, got the text {columns!r}; "
                         f"write columns=[{columns!r}]")
    for name, value in (("chunk_size", chunk_size), ("workers", workers)):
        if value is None and name == "workers":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}: a whole number of at least 1, got {value!r}")
    try:
        size = np.dtype(dtype).itemsize if np.dtype(dtype).kind == "f" else 0
    except TypeError:
        size = 0
    if size < 4:  # float16 overflows above 65,504: customers and dollars would read inf
        raise ValueError(f"dtype: numpy.float64 or numpy.float32 (or a wider float), got {dtype!r}")


# Below this many draws a batch runs on one thread: a thread costs more than it saves.
_PARALLEL_FROM = 1024


def _py(v: Any) -> float:
    return float(v)


def _stack(scenarios: Scenario | Sequence[Scenario], draws: Mapping[str, Any] | None):
    """Parameter arrays with a leading draw axis; spends as (draws, months)."""
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    iterable = isinstance(scenarios, Iterable) and not isinstance(scenarios, (str, Mapping))
    scenarios = list(scenarios) if iterable else []
    if not scenarios or not all(isinstance(s, Scenario) for s in scenarios):
        raise TypeError("simulate_batch() takes a Scenario or a non-empty sequence of Scenarios")
    horizons = {s.horizon_months for s in scenarios}
    if len(horizons) > 1:
        raise ScenarioError(f"horizon_months: a batch needs one horizon, got {sorted(horizons)}")
    horizon = horizons.pop()
    if draws is not None and not isinstance(draws, Mapping):
        raise ScenarioError(f"draws: expected a mapping of field name -> array of per-draw values, "
                            f"got {type(draws).__name__}")
    draws = {name: _draw_array(name, values) for name, values in (draws or {}).items()}
    n = len(scenarios)
    if draws:
        sizes = {len(v) for v in draws.values()}
        if len(sizes) != 1:
            raise ScenarioError(f"draws: every array needs the same length, got lengths {sorted(sizes)}")
        size = sizes.pop()
        if n not in (1, size):
            raise ScenarioError(f"draws: {size} draws for {n} scenarios; give one scenario or one per draw")
        n = size
    params: dict[str, np.ndarray] = {}
    for name, spec in PARAMETERS.items():
        if name == "horizon_months":
            continue
        if name in SPEND_FIELDS:
            base = np.stack([expand_schedule(getattr(s, name), horizon) for s in scenarios])
        else:
            base = np.array([float(getattr(s, name)) for s in scenarios])
        if len(base) != n:
            # One scenario shared by all draws: a read-only broadcast view
            # costs no memory, even for (draws, months) spend schedules.
            base = np.broadcast_to(base, (n,) + base.shape[1:])
        params[name] = base
    problems = []
    for name, values in draws.items():
        if name not in PARAMETERS or name == "horizon_months":
            problems.append(f"{name}: not a parameter that can vary by draw")
            continue
        spec = PARAMETERS[name]
        arr = values
        if arr.ndim == 2 and name not in SPEND_FIELDS:
            problems.append(f"{name}: one value per draw (an array of shape (draws,)), got shape {arr.shape}; "
                            "only spend fields take a monthly schedule per draw")
            continue
        if name in SPEND_FIELDS and arr.ndim == 1:
            arr = np.broadcast_to(arr[:, None], (len(arr), horizon))
        elif name in SPEND_FIELDS and arr.shape[1] != horizon:
            problems.append(f"{name}: a per-draw schedule needs {horizon} months, got {arr.shape[1]}")
            continue
        bad = ~np.isfinite(arr) | (arr < spec.minimum) | (arr > spec.maximum)
        if bad.any():
            first = float(arr[bad].flat[0])
            problems.append(f"{name}: {int(bad.sum())} draw value(s) outside {spec.describe_range()}, "
                            f"e.g. {first!r}")
            continue
        params[name] = arr
    if not problems:
        problems += batch_cross_checks(params)
    if problems:
        raise ScenarioError(problems)
    return params, horizon


def _draw_array(name: Any, values: Any) -> np.ndarray:
    """One field's per-draw values as a float array of shape (draws,) or (draws, months)."""
    try:
        raw = np.asarray(values)
        if raw.dtype.kind not in "biufO":  # text such as "0.1" is not a number, as in Scenario
            raise TypeError
        if raw.dtype.kind == "O" and any(isinstance(v, (str, bytes)) for v in raw.ravel()):
            raise TypeError
        arr = np.asarray(values, dtype=float)
    except OverflowError:  # Python ints past the float range
        raise ScenarioError(f"{name}: a per-draw value is too large for any field (beyond about 1.8e308)") from None
    except (TypeError, ValueError):
        raise ScenarioError(f"{name}: per-draw values must be numbers, got {str(values)[:60]!r}") from None
    if arr.ndim not in (1, 2) or len(arr) == 0:
        raise ScenarioError(f"{name}: per-draw values need an array of shape (draws,) (or (draws, months) for "
                            f"a spend), got shape {arr.shape}")
    return arr


def _contacts(v: Mapping[str, np.ndarray], customers: np.ndarray, quality: np.ndarray, seats: np.ndarray,
              outcome_mixes, product: np.ndarray):
    """Step 1 and the contact's own mix of step 2: quality spend -> FCR, contacts -> queue outcomes,
    outcomes -> the band mix a contacting customer moves toward. Returns ``(fcr, outcomes, mix)``."""
    first_contacts = customers * v["contacts_per_customer_per_month"]
    fcr = service.first_contact_resolution(quality, first_contacts, v["fcr_floor"], v["fcr_ceiling"],
                                           v["quality_half_effect_per_contact"])
    oc = service.contact_outcomes(first_contacts, fcr, v["repeat_contacts_per_unresolved"], v["eventual_resolution"],
                                  seats, v["aht_seconds"], v["patience_seconds"], v["service_level_target_seconds"],
                                  v["wait_tolerance_seconds"], v["open_hours_per_month"])
    return fcr, oc, sentiment.contact_mix((oc.fast, oc.slow, oc.bad), outcome_mixes, product, v["service_weight"])


def _net_persuasion(v: Mapping[str, np.ndarray], stayers: np.ndarray, churned: np.ndarray,
                    promoter_stories: np.ndarray, detractor_stories: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Step 4: the stories of the customers who stayed and of those who just left, weighed by a prospect."""
    positive, negative = word_of_mouth.impressions(stayers[:, 0], stayers[:, 2], churned, promoter_stories,
                                                   detractor_stories, v["stories_per_churned_customer"], reach)
    return word_of_mouth.net_persuasion(positive, negative, v["market_size"], v["positive_conversion_per_impression"],
                                        v["negative_deterrence_per_impression"])


def _settled_start(p: Mapping[str, np.ndarray], product: np.ndarray, outcome_mixes, rates: np.ndarray,
                   contacting: np.ndarray, reach: np.ndarray, p_ads_before: np.ndarray):
    """Band counts and the deterred pool at the start of month 1 (month 0).

    The company as it was before the plan: today's customers served at the service
    spends before the plan, advertised at the spend before it. Sentiment settles at
    that service (unless ``settle_initial_sentiment`` is off: then the shares entered),
    and the deterred pool where its inflow (prospects put off, customers leaving)
    balances its outflow (recovery), with today's customers held steady. Nobody has
    been lost for good yet: the market is everyone who could still be a customer.
    """
    customers = p["initial_customers"]
    market = p["market_size"]
    _, seats = service.agents_answering(p["prior_service_capacity_spend_per_month"], p["agent_cost_per_month"],
                                        p["shrinkage"], p["agent_paid_hours_per_month"], p["open_hours_per_month"])
    _, _, cmix = _contacts(p, customers, p["prior_service_quality_spend_per_month"], seats, outcome_mixes, product)
    entered = np.stack([p["initial_promoter_share"],
                        1.0 - p["initial_promoter_share"] - p["initial_detractor_share"],
                        p["initial_detractor_share"]], axis=-1)
    settled = sentiment.settled_shares(entered, contacting, cmix, product, p["contact_memory"],
                                       p["product_memory"], rates)
    shares = np.where((p["settle_initial_sentiment"] > 0.5)[:, None], settled, entered)
    counts = customers[:, None] * shares

    # One month of the settled company's stories, and the pool they keep deterred. (The
    # stories' own pull on customers is left out of this one month: it is a small second
    # order on the churners' share of the stories.)
    after = sentiment.update_counts(counts, contacting, cmix, product, p["contact_memory"], p["product_memory"])
    stayers, churned = churn.apply_churn(after, rates)
    net = _net_persuasion(p, stayers, churned, p["promoter_stories_per_month"], p["detractor_stories_per_month"],
                          reach)
    room = np.maximum(market - customers, 0.0)
    # Share of prospects deterred in a month (competing risks), from a pool of one.
    share = word_of_mouth.acquisition(np.ones_like(room), p_ads_before, net).deterred
    inflow_rate = p["deterred_recovery_per_month"] + share
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a huge pool is clipped to the room
        pool = np.where(inflow_rate > 0, (room * share + churned) / inflow_rate, np.where(churned > 0, room, 0.0))
    return counts, np.clip(pool, 0.0, room), net


STEP_HAZARD = 1.0
"""The largest hazard one step of a month may apply (per step, summed over a pool's exits): up to
1 the step's update is monotone (the discrete logistic map does not overshoot below it). A draw
whose month has faster flows takes it in k equal steps, k a power of two up to :data:`MAX_STEPS`."""
MAX_STEPS = 32
_SHARE_QUEUE_COLUMNS = ("fcr", "p_wait", "abandon_rate", "occupancy", "waited_too_long")


# What one step of a month reads for each draw, besides the spends' month.
_STEP_INPUTS = ("contacts_per_customer_per_month", "fcr_floor", "fcr_ceiling", "quality_half_effect_per_contact",
                "repeat_contacts_per_unresolved", "eventual_resolution", "aht_seconds", "patience_seconds",
                "service_level_target_seconds", "wait_tolerance_seconds", "open_hours_per_month", "service_weight",
                "contact_memory", "product_memory", "customer_deterrence_ratio", "promoter_stories_per_month",
                "detractor_stories_per_month", "stories_per_churned_customer", "market_size",
                "positive_conversion_per_impression", "negative_deterrence_per_impression",
                "deterred_recovery_per_month", "deterred_lost_share")


class _State(NamedTuple):
    """What carries from one step to the next, per draw."""

    customers: np.ndarray
    counts: np.ndarray  # (draws, 3): promoters, passives, detractors
    deterred: np.ndarray
    lost: np.ndarray  # lost to competitors for good
    net: np.ndarray  # the last step's net persuasion (per step)


class _StepRates(NamedTuple):
    memory: tuple[np.ndarray, np.ndarray]  # sentiment.memory_weights for one step
    rates: np.ndarray
    promoter_stories: np.ndarray
    detractor_stories: np.ndarray
    recovery: np.ndarray
    ad_share: np.ndarray  # 1 / k: the share of the month's advertising hazard in one step


def _per_step(v: Mapping[str, np.ndarray], k: np.ndarray) -> _StepRates:
    """Monthly shares and rates as one of k equal steps of a month (k per draw): shares
    s -> 1 - (1 - s)^(1/k), rates r -> r / k."""
    if np.all(k == 1):
        memory = sentiment.memory_weights(v["contacting"], v["contact_memory"], v["product_memory"])
        return _StepRates(memory, v["rates"], v["promoter_stories_per_month"],
                          v["detractor_stories_per_month"], v["deterred_recovery_per_month"], np.ones(len(k)))
    inverse = 1.0 / k

    def share(x):
        power = inverse if x.ndim == 1 else inverse[:, None]
        with np.errstate(divide="ignore"):  # a share of 1 is an infinite hazard: all of it, in every step
            return -np.expm1(np.log1p(-np.minimum(x, 1.0)) * power)

    memory = sentiment.memory_weights(-np.expm1(-v["contacts_per_customer_per_month"] * inverse),
                                      v["contact_memory"], share(v["product_memory"]))
    return _StepRates(memory, share(v["rates"]), v["promoter_stories_per_month"] * inverse,
                      v["detractor_stories_per_month"] * inverse, share(v["deterred_recovery_per_month"]), inverse)


def _steps(v: Mapping[str, np.ndarray], sp: _StepRates, state: _State, k: int, queue_wanted) -> tuple[_State, dict]:
    """A month of a group of draws in k equal steps (steps 1-6 of docs/methodology.md).

    Returns the state at the month's end and the month: flows summed over the steps
    (churned, won, ads, deterred), shares averaged over them (answered outcomes, the
    queue's wanted columns, the service level), and the prospects at its start.
    """
    customers, counts, deterred_pool, lost_pool, net = state
    month: dict = {} if k == 1 else {"churned": 0.0, "won": 0.0, "ads": 0.0, "deterred": 0.0, "service_level": 0.0,
                                     "answered": [0.0, 0.0, 0.0], "queue": {column: 0.0 for column, _ in queue_wanted}}
    outcome_mixes = (v["fast_mix"], v["slow_mix"], v["bad_mix"])
    for step in range(k):
        # 1. Service: quality -> FCR; contacts -> queue outcomes.
        # 2. Sentiment: contacting customers move toward what the contact gave them,
        #    the rest drift toward the product's own mix.
        fcr, oc, cmix = _contacts(v, customers, v["quality"], v["seats"], outcome_mixes, v["product"])
        counts = sentiment.blend_counts(counts, sp.memory, cmix, v["product"])

        # 3. Churn by band, and among customers reached by the last net negative stories.
        counts, churned = churn.apply_churn(counts, sp.rates, v["customer_deterrence_ratio"] * np.maximum(-net, 0.0))

        # 4. Word of mouth from the customers who stayed and those who just left.
        net = _net_persuasion(v, counts, churned, sp.promoter_stories, sp.detractor_stories, v["reach"])

        # 5-6. The prospect pool's competing risks: won by advertising, by word of mouth, deterred.
        prospects = np.maximum(v["market_size"] - customers - deterred_pool - lost_pool, 0.0)
        acq = word_of_mouth.acquisition(prospects, v["p_ads"] if k == 1 else v["p_ads"] * sp.ad_share, net)
        back, lost_now = word_of_mouth.release_deterred(deterred_pool, sp.recovery, v["deterred_lost_share"])
        won = acq.from_ads + acq.from_wom
        counts = counts + won[:, None] * v["product"]
        # The bands are the customers: summing them keeps a tiny company from drifting below zero
        # (start - churned + won cancels to rounding, and a few customers' rounding can go negative).
        customers = counts.sum(axis=-1)
        deterred_pool = deterred_pool - back - lost_now + acq.deterred + churned
        lost_pool = lost_pool + lost_now

        queue = {column: (fcr if f is None else getattr(oc, f)) for column, f in queue_wanted}
        if k == 1:
            month = {"churned": churned, "won": won, "ads": acq.from_ads, "deterred": acq.deterred,
                     "service_level": oc.service_level, "answered": [oc.fast, oc.slow, oc.bad_answered],
                     "queue": queue, "prospects": prospects}
            break
        shares = ((oc.fast, oc.slow, oc.bad_answered), queue, oc.service_level)
        if step == 0:
            month["prospects"] = prospects
        for key, value in (("churned", churned), ("won", won), ("ads", acq.from_ads), ("deterred", acq.deterred)):
            month[key] = month[key] + value
        for i, value in enumerate(shares[0]):
            month["answered"][i] = month["answered"][i] + value / k
        for column, value in shares[1].items():
            month["queue"][column] = month["queue"][column] + value / k
        month["service_level"] = month["service_level"] + shares[2] / k
    if k > 1:  # averages of k shares: rounding may put them a hair past 1
        month["service_level"] = np.minimum(month["service_level"], 1.0)
        for column in month["queue"]:
            if column in _SHARE_QUEUE_COLUMNS:
                month["queue"][column] = np.minimum(month["queue"][column], 1.0)
    return _State(customers, counts, deterred_pool, lost_pool, net), month


def _steady_hazard(p: Mapping[str, np.ndarray], rates: np.ndarray) -> np.ndarray:
    """Per draw, the fastest of the flows that do not change month to month, as a monthly hazard.

    Churn and the deterred pool's recovery feed the stories and the prospect pool, so a large
    one taken in one lump would feed back a month late. Sentiment's memory is left out: its
    update is a blend toward a target, which cannot overshoot however large the share."""
    with np.errstate(divide="ignore"):
        churn_hazard = -np.log1p(-np.minimum(rates.max(axis=-1), 1.0))
        recovery = -np.log1p(-np.minimum(p["deterred_recovery_per_month"], 1.0))
    return np.maximum(churn_hazard, recovery)


def _steps_needed(steady: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """Steps for this month, per draw: the least power of two that keeps each step's hazard at
    most STEP_HAZARD, at most MAX_STEPS (powers of two keep the number of step groups small)."""
    fastest = np.maximum(steady, moving)
    with np.errstate(divide="ignore", invalid="ignore"):
        doublings = np.ceil(np.log2(np.maximum(fastest, STEP_HAZARD) / STEP_HAZARD))
    doublings = np.where(np.isfinite(doublings), doublings, np.log2(MAX_STEPS))
    return np.minimum(np.exp2(doublings), MAX_STEPS).astype(np.int64)


def _run_chunk(p: Mapping[str, np.ndarray], horizon: int, out: dict[str, np.ndarray]):
    """The month loop over a chunk of draws; fills ``out`` (column -> (months, draws)) and
    returns the KPIs. Steps follow docs/methodology.md.

    Month 0 is the settled state at the spends before the plan (:func:`_settled_start`).
    Only what feeds back into next month runs inside the loop: the queue (contacts
    come from customers), sentiment, churn, word of mouth and acquisition. What
    depends on spend alone (agents, adstock, the innovation rate) is computed for
    every month before it, and what only reads the month's results (NPS, the survey,
    money) after it, for the whole horizon at once. The equations are the same
    either way; a single scenario's run costs about one numpy call per step and
    month, so the fewer steps in the loop the faster the run.
    """
    n = len(p["market_size"])
    want = set(out)
    # Spend schedules month-major, (months, draws), like every array below.
    capacity = p["service_capacity_spend_per_month"].T
    quality = p["service_quality_spend_per_month"].T
    ads = p["ad_spend_per_month"].T

    market = p["market_size"]
    product = sentiment.product_mix(p["product_value"], p["product_promoters_weak"],
                                    p["product_promoters_outstanding"], p["product_detractors_weak"],
                                    p["product_detractors_outstanding"])
    outcome_mixes = [
        sentiment.band_mix(p[f"{o}_promoter_share"], p[f"{o}_detractor_share"]) for o in ("fast", "slow", "bad")
    ]
    rates = churn.churn_rates(p["churn_promoter"], p["churn_passive"], p["churn_detractor"],
                              p["churn_involuntary"])
    contacting = sentiment.share_contacting(p["contacts_per_customer_per_month"])
    reach = word_of_mouth.reach_per_story(p["offline_audience"], p["online_share"], p["online_audience"],
                                          p["online_impression_weight"])
    discount = economics.discount_factors(p["annual_discount_rate"], horizon)

    def put(column: str, value) -> None:
        """Store a wanted monthly column, unless the loop wrote it there itself."""
        if column in want and value is not out[column]:
            out[column][:] = value

    # 1a and 5, for the whole horizon: spend -> agents; advertising -> adstock -> innovation rate.
    # (Arrays of every month are let go as soon as they are stored: a large batch holds one of
    # each per draw in flight.)
    fte, seats = service.agents_answering(capacity, p["agent_cost_per_month"], p["shrinkage"],
                                          p["agent_paid_hours_per_month"], p["open_hours_per_month"])
    put("agents_paid", fte)
    put("agents", seats)
    del fte
    adstock = np.empty((horizon, n))
    level = advertising.initial_adstock(p["prior_ad_spend_per_month"], p["adstock_decay"])
    p_ads_before = advertising.ad_innovation(level, p["adstock_decay"], p["ad_half_saturation_per_month"],
                                             p["ad_hill_shape"], p["ad_max_innovation_per_month"])
    for t in range(horizon):
        level = adstock[t] = advertising.adstock_step(level, ads[t], p["adstock_decay"])
    p_ads = advertising.ad_innovation(adstock, p["adstock_decay"], p["ad_half_saturation_per_month"],
                                      p["ad_hill_shape"], p["ad_max_innovation_per_month"])
    put("adstock", adstock)
    del adstock

    customers = p["initial_customers"].copy()
    counts, deterred_pool, net = _settled_start(p, product, outcome_mixes, rates, contacting, reach, p_ads_before)
    lost_pool = np.zeros(n)

    # What the loop keeps for after it, in float64 whatever the stored dtype (KPIs are float64).
    # A kept series that is also a wanted float64 column is written straight into the result.
    def buffer(column: str) -> np.ndarray:
        target = out.get(column)
        return target if target is not None and target.dtype == np.float64 else np.empty((horizon, n))

    kept_customers = buffer("customers")
    kept_won = np.empty((horizon, n))
    kept_won_ads = buffer("new_from_ads")
    kept_churned = buffer("churned")
    kept_counts = np.empty((horizon, n, 3))
    first_counts = counts  # the survey reads the counts before each month: month 0's, then each month's end
    kept_answered = np.empty((3, horizon, n))  # fast, slow, bad-but-answered shares of contacts
    kept_deterred = buffer("deterred")
    kept_deterred_now = buffer("deterred_this_month")
    kept_lost = buffer("lost_for_good")
    kept_prospects = np.empty((horizon, n))  # at the start of the month
    kept_service_level = buffer("service_level")
    queue_columns = {"contacts": "contacts", "load_erlangs": "load_erlangs", "fcr": None,
                     "p_wait": "p_wait", "asa_seconds": "mean_wait_seconds", "abandon_rate": "abandon_rate",
                     "occupancy": "occupancy", "waited_too_long": "waited_too_long"}
    queue_wanted = [(c, f) for c, f in queue_columns.items() if c in want]

    # The per-draw inputs of a month's steps (a group of draws takes them by index).
    inputs = {name: p[name] for name in _STEP_INPUTS}
    inputs.update(product=product, fast_mix=outcome_mixes[0], slow_mix=outcome_mixes[1],
                  bad_mix=outcome_mixes[2], reach=reach, rates=rates, contacting=contacting)
    # A draw's month is split into k equal steps when its fastest flow needs it (see
    # _steps_needed), so no pool is taken in one lump and fed back a month late. A draw's k
    # never falls during the run: a step count that went back and forth would add a saw-tooth
    # of its own. Every draw runs the month in one step; the few that need k > 1 (none in any
    # preset, about one draw-month in 500 across the plausible ranges) run it again, from the
    # same start, in k steps, and keep that.
    steady_hazard = _steady_hazard(p, rates)
    steady_max = float(np.max(steady_hazard))
    k = np.ones(n, dtype=np.int64)
    fine_steps = False  # whether any draw takes a month in more than one step
    one_step = _per_step(inputs, np.ones(n))
    state = _State(customers, counts, deterred_pool, lost_pool, net)
    for t in range(horizon):
        before = k
        moving = p_ads[t] + (np.abs(state.net) * k if fine_steps else np.abs(state.net))  # k is 1 until then
        if steady_max > STEP_HAZARD or float(moving.max()) > STEP_HAZARD:
            k = np.maximum(k, _steps_needed(steady_hazard, moving))
            fine_steps = fine_steps or bool(np.any(k > 1))
        inputs.update(seats=seats[t], quality=quality[t], p_ads=p_ads[t])  # this month's, in place
        start = state
        state, month = _steps(inputs, one_step, start, 1, queue_wanted)
        # The carried net persuasion is per step: rescale it to this month's steps.
        fine_start = start._replace(net=start.net * before / k) if fine_steps else None
        for kk in (np.unique(k[k > 1]) if fine_steps else ()):
            idx = np.flatnonzero(k == kk)
            group = {name: value[idx] for name, value in inputs.items()}
            fine_state, fine_month = _steps(group, _per_step(group, np.full(len(idx), float(kk))),
                                            _State(*(x[idx] for x in fine_start)), int(kk), queue_wanted)
            for x, fine in zip(state, fine_state):
                x[idx] = fine
            for key, value in fine_month.items():
                if isinstance(value, dict):
                    for column, v in value.items():
                        month[key][column][idx] = v
                elif isinstance(value, list):
                    for whole, part in zip(month[key], value):
                        whole[idx] = part
                else:
                    month[key][idx] = value
        customers, counts, deterred_pool, lost_pool = state.customers, state.counts, state.deterred, state.lost
        kept_prospects[t] = month["prospects"]
        answered = month["answered"]
        queue_sums = month["queue"]
        service_level = month["service_level"]

        kept_customers[t] = customers
        kept_won[t] = month["won"]
        kept_won_ads[t] = month["ads"]
        kept_churned[t] = month["churned"]
        kept_counts[t] = counts
        kept_answered[0, t], kept_answered[1, t], kept_answered[2, t] = answered
        kept_deterred[t] = deterred_pool
        kept_deterred_now[t] = month["deterred"]
        kept_lost[t] = lost_pool
        kept_service_level[t] = service_level
        for column, _ in queue_wanted:
            out[column][t] = queue_sums[column]

    del seats
    put("customers", kept_customers)
    put("churned", kept_churned)
    put("deterred", kept_deterred)
    put("deterred_this_month", kept_deterred_now)
    put("lost_for_good", kept_lost)
    put("service_level", kept_service_level)
    put("prospects", np.maximum(market - kept_customers - kept_deterred - kept_lost, 0.0)
        if "prospects" in want else None)
    del kept_deterred, kept_lost

    # 6, by cause, and as shares of the month's prospects.
    new_ads = kept_won_ads
    new_wom = kept_won - new_ads
    with np.errstate(divide="ignore", invalid="ignore"):
        if "ad_innovation" in want:
            out["ad_innovation"][:] = np.where(kept_prospects > 0, np.minimum(new_ads / kept_prospects, 1.0), 0.0)
        if "wom_rate" in want:
            out["wom_rate"][:] = np.where(kept_prospects > 0, np.minimum(new_wom / kept_prospects, 1.0), 0.0)
    del kept_prospects, p_ads
    put("new_from_ads", new_ads)
    put("new_from_wom", new_wom)
    net_wom = new_wom - p["deterred_lost_share"] * kept_deterred_now
    put("net_wom", net_wom)
    del kept_deterred_now

    # Sentiment columns; the survey month block by month block, which keeps its temporaries small.
    put("promoters", kept_counts[..., 0])
    put("passives", kept_counts[..., 1])
    put("detractors", kept_counts[..., 2])
    put("nps", sentiment.nps(kept_counts) if "nps" in want else None)
    responses = np.stack([p["survey_response_promoter"], p["survey_response_passive"],
                          p["survey_response_detractor"]], axis=-1)

    def survey(block: slice) -> np.ndarray:
        """The answers' band shares; NaN in a month nobody answers (no customers, nobody who
        contacts the centre, or every caller hanging up): a survey nobody answered has no score."""
        before = kept_counts[max(block.start - 1, 0):min(block.stop, horizon) - 1]
        if block.start == 0:
            before = np.concatenate([first_counts[None], before])
        mix = sentiment.survey_shares(before, tuple(kept_answered[k, block] for k in range(3)), outcome_mixes,
                                      product, p["service_weight"], p["contact_memory"], responses,
                                      p["survey_inflation"])
        asked = (mix.sum(axis=-1) > 0) & (p["contacts_per_customer_per_month"] > 0)
        return np.where(asked[..., None], mix, np.nan)

    survey_columns = [c for c in ("nps_measured", "measured_promoter_share", "measured_detractor_share") if c in want]
    if survey_columns:
        for t0 in range(0, horizon, 12):
            block = slice(t0, t0 + 12)
            mix = survey(block)
            for column in survey_columns:
                out[column][block] = (sentiment.nps(mix) if column == "nps_measured"
                                      else mix[..., 0 if column == "measured_promoter_share" else 2])
    final_nps_measured = sentiment.nps(survey(slice(horizon - 1, horizon)))[0]
    del kept_answered

    # 7. Money at each month's end, and the KPIs.
    totals = {
        "new_ads": month_sum(kept_won_ads),
        "new_all": month_sum(kept_won),
        "churned": month_sum(kept_churned),
        # Month t starts where month t-1 ended.
        "start_customers": month_sum(kept_customers[:-1], start=p["initial_customers"]),
        "service_level": month_sum(kept_service_level),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        final_churn = np.where(customers > 0, (counts * rates).sum(axis=1) / customers, 0.0)
    avg_churn = economics.safe_ratio(totals["churned"], totals["start_customers"])
    kpis = economics.money(p, discount, capacity, quality, ads, kept_customers, kept_won, customers, final_churn,
                           avg_churn, put)
    ad_total = p["ad_spend_per_month"].sum(axis=1)
    kpis.update({
        # Nothing spent, nothing paid per customer: the wins a plan without advertising still
        # gets come from the carry-over of spend before it, which a $0 CAC would credit to it.
        "cac_paid": np.where(ad_total > 0, economics.safe_ratio(ad_total, totals["new_ads"]), np.nan),
        "cac_blended": economics.safe_ratio(ad_total, totals["new_all"]),
        "wom_share": economics.safe_ratio(totals["new_all"] - totals["new_ads"], totals["new_all"]),
        "final_customers": customers,
        "avg_monthly_churn": avg_churn,
        "total_new_customers": totals["new_all"],
        "final_nps": sentiment.nps(counts),
        "final_nps_measured": final_nps_measured,
        "net_word_of_mouth": month_sum(net_wom),
        "avg_service_level": totals["service_level"] / horizon,
    })
    return kpis

