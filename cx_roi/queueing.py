"""The contact-centre queue: Erlang B, Erlang C and Erlang A (M/M/N+M).

Every function is vectorised over numpy arrays (broadcasting like numpy
ufuncs), continuous in the number of agents (non-integer agents are allowed,
which keeps sliders and optimisers smooth) and numerically stable for
thousands of agents: the work is done in logarithms with regularised
incomplete gamma functions, with series fall-backs exactly where those
underflow.

Units
-----
``agents``          agents answering simultaneously (seats), >= 0
``load``            offered load in Erlangs = arrival rate x AHT, >= 0
``aht_seconds``     average handle time, seconds
``patience_seconds`` mean time a caller waits before hanging up, seconds
``target_seconds``  service-level threshold, seconds

Erlang A formulas follow Mandelbaum and Zeltyn, "Service engineering in
action: the Palm/Erlang-A queue" (2007); the service-level expression is
derived in docs/methodology.md (section "Queue") and checked in the tests
against a direct sum over queue states.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special
# The same incomplete gamma functions as scalar calls: one float costs a tenth of a
# ufunc call, which matters for the few values of a single scenario's month.
from scipy.special.cython_special import gammainc as _gammainc_one, gammaincc as _gammaincc_one

from .errors import QueueInputError

__all__ = [
    "erlang_b",
    "erlang_c",
    "service_level_c",
    "asa_c",
    "erlang_a",
    "erlang_a_and_late",
    "ErlangA",
    "offered_load",
]

# Below this a regularised incomplete gamma value is treated as underflowed and
# the series form takes over (it converges fast precisely in that region).
_TINY = 1e-280
_MAX_SERIES_TERMS = 200_000


def offered_load(contacts_per_month, aht_seconds, open_hours_per_month):
    """Offered load in Erlangs: contacts per second x average handle time (s)."""
    contacts = np.asarray(contacts_per_month, dtype=float)
    return contacts / (np.asarray(open_hours_per_month, dtype=float) * 3600.0) * aht_seconds


def _stirling_rest(x: np.ndarray) -> np.ndarray:
    """log Gamma(x+1) - x log x + x, x >= 0, without cancelling large terms.

    For thousands of agents and long patience, x log x reaches 1e9; adding
    and subtracting such terms would lose seven digits. The Stirling series
    is exact to double precision for x >= 30; below that the direct form is.
    """
    x = np.asarray(x, dtype=float)
    big = x >= 30.0
    # The month loop calls this with a handful of values: work out only the
    # branch that is needed when all values fall on one side.
    n_big = int(np.count_nonzero(big))
    if n_big == big.size:
        return _stirling_series(x)
    if n_big == 0:
        return _stirling_direct(x)
    return np.where(big, _stirling_series(np.where(big, x, 30.0)), _stirling_direct(np.where(big, 1.0, x)))


def _stirling_series(x: np.ndarray) -> np.ndarray:
    inv = 1.0 / x
    inv2 = inv * inv
    return 0.5 * np.log(2.0 * np.pi * x) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))


def _stirling_direct(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return special.gammaln(x + 1.0) - special.xlogy(x, x) + x


def _log_gamma_ratio(x: np.ndarray, z: np.ndarray, rest: np.ndarray | None = None) -> np.ndarray:
    """z - x log z + log Gamma(x+1) for x >= 0, z > 0, without cancelling large terms.

    Written as x (w - log1p w) + Stirling rest with w = z/x - 1 when z is near
    x (where the large terms cancel), and with log(z/x) = log z - log x
    otherwise (where log1p would lose z/x to rounding). ``rest``: ``_stirling_rest(x)``
    if the caller has it already.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (z - x) / x
        near = np.abs(w) < 0.5
        log_ratio = np.where(near, np.log1p(np.where(near, w, 0.0)), np.log(z) - np.log(x))
        main = np.where(x > 0, (z - x) - x * log_ratio, z)
    return main + (_stirling_rest(x) if rest is None else rest)


def _log_m1(x: np.ndarray, z: np.ndarray, rest: np.ndarray | None = None) -> np.ndarray:
    """log A(x, z) where A(x, z) = sum_j z^j / ((x+1)(x+2)...(x+j)).

    A(x, z) is Kummer's M(1, x+1, z) = x e^z z^-x gamma_lower(x, z). It is the
    normalising sum of the Erlang A queue-length distribution. ``x`` > 0,
    ``z`` >= 0; ``rest``: ``_stirling_rest(x)`` if the caller has it already.
    """
    x, z = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(z, dtype=float))
    pos = z > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = special.gammainc(x, np.where(pos, z, 1.0))
        direct = pos & (p > _TINY)
        if direct.all():  # the usual case: no masks to index with
            return _log_gamma_ratio(x, z, rest) + np.log(p)
        out = np.zeros(x.shape)
        zd, xd = z[direct], x[direct]
        out[direct] = _log_gamma_ratio(xd, zd, None if rest is None else rest[direct]) + np.log(p[direct])
    series = pos & ~direct
    if np.any(series):
        out[series] = np.log(_m1_series(x[series], z[series]))
    return out


def _m1_series(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """A(x, z) by its power series, used only where z is well below x.

    Terms shrink by z/(x+j) < 1; summing until they stop mattering is exact.
    Only the rare elements whose incomplete gamma underflowed come here
    (many agents, long patience, light load), so the loop's length is paid
    on few numbers.
    """
    return _adaptive_series(lambda term, j: term * z / (x + j), x.shape)


def _adaptive_series(step, shape) -> np.ndarray:
    # Terms shrink: once one is below 1e-17 of its sum (under half a unit in the last place),
    # adding it and every later one leaves the sum as it is, so a value's sum does not depend
    # on how long the slowest value of its array keeps the loop going.
    total = np.ones(shape)
    term = np.ones(shape)
    for j in range(1, _MAX_SERIES_TERMS + 1):
        term = step(term, j)
        total += term
        if not np.any(np.abs(term) > 1e-17 * total):
            break
    return total


def _log_inv_erlang_b(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """log(1/B(N, a)) with 1/B = e^a a^-N Gamma_upper(N+1, a), continuous in N."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    pos = a > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = special.gammaincc(n + 1.0, np.where(pos, a, 1.0))
        direct = pos & (q > _TINY)
        if direct.all() and (n > 0).all():  # the usual case: no masks to index with
            return np.maximum(_log_gamma_ratio(n, a) + np.log(q), 0.0)
        out = np.zeros(n.shape)
        nd, ad = n[direct], a[direct]
        out[direct] = _log_gamma_ratio(nd, ad) + np.log(q[direct])
    series = pos & ~direct
    if np.any(series):
        # Underflow only happens far into overload (a >> N), where
        # 1/B = sum_k N(N-1)...(N-k+1) / a^k converges geometrically.
        ns, as_ = n[series], a[series]
        out[series] = np.log(_adaptive_series(lambda term, k: term * (ns - (k - 1)) / as_, ns.shape))
    # No load: nothing is ever blocked, 1/B is infinite. Elsewhere 1/B >= 1;
    # rounding in the logs must not push B above one.
    out[~pos] = np.inf
    out[pos & (n <= 0)] = 0.0
    return np.maximum(out, 0.0)


# What each public argument may be: (bound, whether the bound itself is excluded, unit).
_ALLOWED = {
    "agents": (0.0, False, "agents answering at once"),
    "load": (0.0, False, "Erlangs"),
    "aht_seconds": (0.0, True, "seconds"),
    "patience_seconds": (0.0, True, "seconds"),
    "target_seconds": (0.0, False, "seconds"),
}


def _checked(func: str, **args) -> list[np.ndarray]:
    """The arguments as float arrays, or QueueInputError naming the first unusable one.

    Only the public functions check: the simulation passes values a validated
    Scenario produced, and checking every month would cost it time for nothing.
    """
    arrays = []
    for name, value in args.items():
        bound, strict, unit = _ALLOWED[name]
        rule = f"{'above' if strict else 'at least'} {bound:g} ({unit})"
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise QueueInputError(f"{func}: {name} must be a number or an array of numbers {rule}; "
                                  f"got {str(value)[:60]!r}") from None
        bad = ~np.isfinite(arr) | ((arr <= bound) if strict else (arr < bound))
        if bad.any():
            raise QueueInputError(f"{func}: {name} must be finite and {rule}; got {float(arr[bad].flat[0])!r}")
        arrays.append(arr)
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(args, arrays))
        raise QueueInputError(f"{func}: the arguments' shapes do not broadcast together ({shapes})") from None
    return arrays


def erlang_b(agents, load):
    """Erlang B blocking probability B(N, a), continuous in N.

    ``agents`` N >= 0 servers, ``load`` a >= 0 Erlangs. Equals the classic
    recurrence 1/B(n) = 1 + (n/a) / B(n-1), B(0) = 1, at whole N.
    """
    return _erlang_b(*_checked("erlang_b", agents=agents, load=load))


def _erlang_b(agents, load):
    with np.errstate(over="ignore"):
        return np.exp(-_log_inv_erlang_b(agents, load))


def erlang_c(agents, load):
    """Erlang C probability that a caller waits, C(N, a) = N B / (N - a(1 - B)).

    Defined for N > a. For N <= a the M/M/N queue has no steady state (the
    queue grows without bound) and every caller waits: 1.0 is returned. Use
    :func:`erlang_a` for an understaffed centre; it stays finite.
    """
    return _erlang_c(*_checked("erlang_c", agents=agents, load=load))


def _erlang_c(agents, load):
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    b = _erlang_b(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    c = np.where(n > a, np.clip(c, 0.0, 1.0), 1.0)
    c = np.where(a <= 0, 0.0, c)
    return c if c.ndim else float(c)


def service_level_c(agents, load, aht_seconds, target_seconds):
    """Share of callers answered within ``target_seconds`` (Erlang C, no abandonment).

    SL(t) = 1 - C exp(-(N - a) t / AHT); 0 when N <= a.
    """
    agents, load, aht_seconds, target_seconds = _checked("service_level_c", agents=agents, load=load,
                                                         aht_seconds=aht_seconds, target_seconds=target_seconds)
    n, a = np.broadcast_arrays(agents, load)
    c = _erlang_c(n, a)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * np.asarray(target_seconds, float) / np.asarray(aht_seconds, float))
    sl = np.where(n > a, sl, 0.0)
    sl = np.where(a <= 0, 1.0, sl)
    return sl if sl.ndim else float(sl)


def asa_c(agents, load, aht_seconds):
    """Average speed of answer in seconds (Erlang C): C AHT / (N - a); inf when N <= a."""
    agents, load, aht_seconds = _checked("asa_c", agents=agents, load=load, aht_seconds=aht_seconds)
    n, a = np.broadcast_arrays(agents, load)
    c = _erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        asa = c * np.asarray(aht_seconds, float) / (n - a)
    asa = np.where(n > a, asa, np.inf)
    asa = np.where(a <= 0, 0.0, asa)
    return asa if asa.ndim else float(asa)


class ErlangA(NamedTuple):
    """Steady-state measures of the M/M/N+M (Erlang A) queue; all shares in [0, 1]."""

    p_wait: np.ndarray
    """Probability that a caller has to wait at all."""
    p_abandon: np.ndarray
    """Probability that a caller hangs up before being answered."""
    service_level: np.ndarray
    """Probability that a caller is answered within the target (abandoners count as missed)."""
    p_answered_late: np.ndarray
    """Probability that a caller is answered, but only after the target."""
    mean_wait_seconds: np.ndarray
    """Average time in queue over all callers, seconds (equals Erlang C's ASA when nobody abandons)."""
    occupancy: np.ndarray
    """Share of agent time spent handling contacts: a (1 - P(abandon)) / N."""


def erlang_a(agents, load, aht_seconds, patience_seconds, target_seconds) -> ErlangA:
    """Erlang A: the M/M/N+M queue with exponential patience.

    Finite and well-defined at every load, including N <= a and N = 0, which is
    why the simulation uses it rather than Erlang C. With x = N mu / theta and
    y = lambda / theta (mu = 1/AHT, theta = 1/patience) and A(x, z) the
    Kummer sum of :func:`_log_m1`:

    - pi_n = B / (1 + (A(x, y) - 1) B), B = Erlang B(N, a)
    - P(wait) = pi_n A(x, y)
    - P(answered after waiting) = pi_n x/(x+1) A(x+1, y)
    - P(answered after more than t) = pi_n x/(x+1) A(x+1, y e^-theta t)
      exp(y (1 - e^-theta t) - theta t (x + 1))
    - mean wait = P(abandon) / theta (Little's law on the abandoning flow)

    Arguments outside their ranges (see the module's units) raise
    :class:`cx_roi.errors.QueueInputError`.
    """
    return _erlang_a(*_checked("erlang_a", agents=agents, load=load, aht_seconds=aht_seconds,
                               patience_seconds=patience_seconds, target_seconds=target_seconds))


def _erlang_a(agents, load, aht_seconds, patience_seconds, target_seconds) -> ErlangA:
    """:func:`erlang_a` without checking its arguments (the simulation's values are valid)."""
    return erlang_a_and_late(agents, load, aht_seconds, patience_seconds, target_seconds)[0]


def erlang_a_and_late(agents, load, aht_seconds, patience_seconds, target_seconds,
                       tolerance_seconds=None) -> tuple[ErlangA, np.ndarray | None]:
    """:func:`erlang_a` without checking its arguments (values a validated Scenario produced), and
    P(answered after waiting more than ``tolerance_seconds``, seconds) when given, else None.

    The second threshold costs one more incomplete gamma value per point, not a second
    queue: the simulation needs both the reported service level (at the target) and the
    share of answered callers who waited past their tolerance.
    """
    args = [np.asarray(v, dtype=float) for v in (agents, load, aht_seconds, patience_seconds, target_seconds,
                                                 target_seconds if tolerance_seconds is None else tolerance_seconds)]
    shape = args[0].shape
    if any(arg.shape != shape for arg in args):  # a month's values all have one shape: no broadcast needed
        args = np.broadcast_arrays(*args)
    n = args[0]
    if 0 < n.size <= _SMALL:
        # One value at a time where the formulas need no special case, the arrays for the
        # rest (no agents, no load, series fall-backs), in one call: the arrays work value by
        # value too, so a value's result never depends on the others in its batch. The
        # values go in as Python floats: math's functions and arithmetic on numpy's
        # scalars cost about twice as much, which was half this function's time.
        values = list(zip(*(c.ravel().tolist() for c in args)))
        rows = [_erlang_a_one(*v) for v in values]
        declined = [i for i, row in enumerate(rows) if row is None]
        if declined:
            queue, late = _erlang_a_arrays(*(np.array([values[i][c] for i in declined]) for c in range(6)))
            for j, i in enumerate(declined):
                rows[i] = tuple(float(f[j]) for f in queue) + (float(late[j]),)
        cols = np.array(rows, dtype=float)
        # One row per value: its transpose's rows are the measures, as views (a draw axis alone
        # is the simulation's case, and the cheapest to take apart).
        parts = list(cols.T) if n.ndim == 1 else [cols.reshape(n.shape + (7,))[..., k] for k in range(7)]
        queue = ErlangA(*parts[:6])
        late = parts[6]
    else:
        queue, late = _erlang_a_arrays(*args)
    return queue, (None if tolerance_seconds is None else late)


def _late_after(log_pi_n, log_frac, x, y, theta_t, u, log_a1_yu):
    """P(answered after waiting more than t), from A(x+1, y e^-theta t) in logs."""
    log_late = log_pi_n + log_frac + log_a1_yu + y * (1.0 - u) - theta_t * (x + 1.0)
    return np.where(x > 0, np.exp(log_late), 0.0)


def _erlang_a_arrays(n: np.ndarray, a: np.ndarray, aht: np.ndarray, pat: np.ndarray, tgt: np.ndarray,
                     tol: np.ndarray) -> tuple[ErlangA, np.ndarray]:
    """:func:`erlang_a` on broadcast float arrays, and P(answered after ``tol``)."""
    ratio = pat / aht  # theta/mu inverted: patience in units of AHT
    x = n * ratio
    y = a * ratio
    theta_t = tgt / pat
    u = np.exp(-theta_t)
    theta_tol = tol / pat
    u_tol = np.exp(-theta_tol)

    log_inv_b = _log_inv_erlang_b(n, a)
    # A(x+1, y), A(x+1, y e^-theta t) and A(x+1, y e^-theta tol) in one call: a third of
    # the fixed cost per call, which is most of the cost for the few values of a
    # deterministic month. All have the same x + 1, so its Stirling rest is worked out once.
    x1 = x.ravel() + 1.0
    rest = _stirling_rest(x1)
    k = x.size
    three = _log_m1(np.concatenate([x1, x1, x1]),
                    np.concatenate([y.ravel(), (y * u).ravel(), (y * u_tol).ravel()]),
                    np.concatenate([rest, rest, rest]))
    log_a1_y, log_a1_yu = three[:k].reshape(x.shape), three[k:2 * k].reshape(x.shape)
    log_a1_ytol = three[2 * k:].reshape(x.shape)

    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # A(x, y) = 1 + y/(x+1) A(x+1, y): no cancellation, finite everywhere.
        log_a0_minus1 = np.log(np.where(y > 0, y, 1.0)) - np.log(x + 1.0) + log_a1_y
        a0_minus1 = np.where(y > 0, np.exp(log_a0_minus1), 0.0)
        # pi_n = B / (1 + (A - 1) B) = 1 / (1/B + A - 1), done in logs.
        log_pi_n = -np.logaddexp(log_inv_b, np.where(y > 0, log_a0_minus1, -np.inf))
        p_wait = np.exp(log_pi_n) * (1.0 + a0_minus1)
        frac = np.where(x > 0, x / (x + 1.0), 0.0)
        log_frac = np.log(np.where(x > 0, frac, 1.0))
        answered_after_wait = np.where(x > 0, np.exp(log_pi_n + log_frac + log_a1_y), 0.0)
        answered_late = _late_after(log_pi_n, log_frac, x, y, theta_t, u, log_a1_yu)
        late_tol = _late_after(log_pi_n, log_frac, x, y, theta_tol, u_tol, log_a1_ytol)

        # Occupancy = throughput / agents = a P(answered) / N. Both parts of
        # P(answered) are O(N) for few agents, so divide each by N analytically
        # instead of dividing a rounded difference by a tiny N.
        tiny = bool(np.any(n < 1e-9))
        n_eff = np.maximum(n, 1e-9)
        # pi_n (1/B - 1) is taken as exp(log pi_n + log 1/B) (1 - B): with many idle agents
        # 1/B overflows while pi_n underflows, and their product must stay finite.
        log_inv_b_eff = _log_inv_erlang_b(n_eff, a) if tiny else log_inv_b
        no_wait_per_agent = np.exp(log_pi_n + log_inv_b_eff) * -np.expm1(-log_inv_b_eff) / n_eff
        log_a1_eff = _log_m1(n_eff * ratio + 1.0, y) if tiny else log_a1_y
        occupancy = a * (no_wait_per_agent + ratio / (n_eff * ratio + 1.0) * np.exp(log_pi_n + log_a1_eff))

    p_wait = np.clip(np.nan_to_num(p_wait, nan=1.0), 0.0, 1.0)
    p_abandon = np.clip(p_wait - answered_after_wait, 0.0, 1.0)
    answered_late = np.clip(answered_late, 0.0, answered_after_wait)
    late_tol = np.clip(late_tol, 0.0, answered_after_wait)
    service_level = np.clip(1.0 - p_abandon - answered_late, 0.0, 1.0)
    mean_wait = p_abandon * pat
    occupancy = np.clip(np.nan_to_num(occupancy, nan=1.0, posinf=1.0), 0.0, 1.0)

    # Two edge cases set exactly, rather than left to rounding in the logs above. No agents:
    # every caller waits for the whole patience and hangs up. No contacts: nobody waits, and
    # everybody is "answered". Values: p_wait, p_abandon, service_level, answered_late,
    # late_tol, mean_wait, occupancy (None: as worked out).
    out = [p_wait, p_abandon, service_level, answered_late, late_tol, mean_wait, occupancy]
    for where, exact in (((n <= 0) & (a > 0), (1.0, 1.0, 0.0, 0.0, 0.0, pat, None)),
                         (a <= 0, (0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0))):
        if np.any(where):
            out = [v if e is None else np.where(where, e, v) for v, e in zip(out, exact)]
    p_wait, p_abandon, service_level, answered_late, late_tol, mean_wait, occupancy = out
    return ErlangA(p_wait, p_abandon, service_level, answered_late, mean_wait, occupancy), late_tol


# ------------------------------------------------------------------ the same, one value at a time
# A deterministic run asks for one (or a few) values a month. numpy's fixed cost
# per call (microseconds) then dominates, and a month needs about a hundred
# calls; Python's math module does the same arithmetic on a float in a tenth of
# the time. _erlang_a_one evaluates exactly the formulas of erlang_a above for
# one value, in the region where they need no series fall-back, and declines
# (None) everywhere else, which then goes the array way. Tests check that both
# ways agree to rounding over the whole valid range.

_SMALL = 24  # up to this many values, one at a time is faster than arrays (about 28 on the reference machine)
_FEW_AGENTS = 1e-3  # agents below which one value at a time declines (see _erlang_a_one)


def _stirling_rest_one(x: float) -> float:
    if x >= 30.0:
        inv = 1.0 / x
        inv2 = inv * inv
        return 0.5 * math.log(2.0 * math.pi * x) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
    return math.lgamma(x + 1.0) - (x * math.log(x) if x > 0 else 0.0) + x


def _log_gamma_ratio_one(x: float, z: float, stirling_rest: float) -> float:
    """log(Gamma(x + 1) e^z / z^x), given ``stirling_rest`` = _stirling_rest_one(x)."""
    w = (z - x) / x
    log_ratio = math.log1p(w) if abs(w) < 0.5 else math.log(z) - math.log(x)
    return (z - x) - x * log_ratio + stirling_rest


def _erlang_a_one(n: float, a: float, aht: float, pat: float, tgt: float, tol: float) -> tuple[float, ...] | None:
    """erlang_a for one value: (p_wait, p_abandon, service_level, p_answered_late, mean_wait, occupancy,
    p_answered_after_tol), or None where the array code's special cases (no load, no agents, series
    fall-backs) apply."""
    # Below a thousandth of an agent, occupancy divides two nearly equal tiny terms by n, and
    # the two ways round their logs differently (by 1e-8 at 1e-8 agents): the arrays, which
    # treat near-zero staffing as a special case, take it.
    if not (a > 0.0 and n >= _FEW_AGENTS and aht > 0.0 and pat > 0.0):
        return None
    ratio = pat / aht
    x = n * ratio
    y = a * ratio
    theta_t = tgt / pat
    u = math.exp(-theta_t)
    q = _gammaincc_one(n + 1.0, a)
    p1 = _gammainc_one(x + 1.0, y)
    p2 = _gammainc_one(x + 1.0, y * u)
    theta_tol = tol / pat
    u_tol = math.exp(-theta_tol)
    p3 = p2 if tol == tgt else _gammainc_one(x + 1.0, y * u_tol)
    if not (q > _TINY and p1 > _TINY and p2 > _TINY and p3 > _TINY and y * u > 0.0 and y * u_tol > 0.0):
        return None
    try:
        log_inv_b = max(_log_gamma_ratio_one(n, a, _stirling_rest_one(n)) + math.log(q), 0.0)
        rest_x1 = _stirling_rest_one(x + 1.0)  # shared by both A(x+1, .) terms
        log_a1_y = _log_gamma_ratio_one(x + 1.0, y, rest_x1) + math.log(p1)
        log_a1_yu = _log_gamma_ratio_one(x + 1.0, y * u, rest_x1) + math.log(p2)
        log_a0_minus1 = math.log(y) - math.log(x + 1.0) + log_a1_y
        a0_minus1 = math.exp(log_a0_minus1)
        hi, lo = max(log_inv_b, log_a0_minus1), min(log_inv_b, log_a0_minus1)
        log_pi_n = -(hi + math.log1p(math.exp(lo - hi)))
        pi_n = math.exp(log_pi_n)
        p_wait = pi_n * (1.0 + a0_minus1)
        log_frac = math.log(x / (x + 1.0))
        answered_after_wait = math.exp(log_pi_n + log_frac + log_a1_y)
        answered_late = math.exp(log_pi_n + log_frac + log_a1_yu + y * (1.0 - u) - theta_t * (x + 1.0))
        log_a1_ytol = _log_gamma_ratio_one(x + 1.0, y * u_tol, rest_x1) + math.log(p3)
        late_tol = math.exp(log_pi_n + log_frac + log_a1_ytol + y * (1.0 - u_tol) - theta_tol * (x + 1.0))
        occupancy = a * (math.exp(log_pi_n + log_inv_b) * -math.expm1(-log_inv_b) / n
                         + ratio / (n * ratio + 1.0) * math.exp(log_pi_n + log_a1_y))
    except (OverflowError, ValueError):
        return None
    # One test for all four: a sum is finite only if every term is (they are shares, far
    # from overflowing), and a generator over them cost a third of this function.
    if not math.isfinite(p_wait + answered_after_wait + answered_late + late_tol + occupancy):
        return None
    p_wait = min(max(p_wait, 0.0), 1.0)
    p_abandon = min(max(p_wait - answered_after_wait, 0.0), 1.0)
    answered_late = min(max(answered_late, 0.0), answered_after_wait)
    service_level = min(max(1.0 - p_abandon - answered_late, 0.0), 1.0)
    return (p_wait, p_abandon, service_level, answered_late, p_abandon * pat, min(max(occupancy, 0.0), 1.0),
            min(max(late_tol, 0.0), answered_after_wait))
