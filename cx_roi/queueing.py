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

from typing import NamedTuple

import numpy as np
from scipy import special

__all__ = [
    "erlang_b",
    "erlang_c",
    "service_level_c",
    "asa_c",
    "erlang_a",
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
    xb = np.where(big, x, 30.0)
    inv = 1.0 / xb
    inv2 = inv * inv
    series = (0.5 * np.log(2.0 * np.pi * xb)
              + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680))))
    xs = np.where(big, 1.0, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = special.gammaln(xs + 1.0) - special.xlogy(xs, xs) + xs
    return np.where(big, series, direct)


def _log_gamma_ratio(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """z - x log z + log Gamma(x+1) for x >= 0, z > 0, without cancelling large terms.

    Written as x (w - log1p w) + Stirling rest with w = z/x - 1 when z is near
    x (where the large terms cancel), and with log(z/x) = log z - log x
    otherwise (where log1p would lose z/x to rounding).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (z - x) / x
        near = np.abs(w) < 0.5
        log_ratio = np.where(near, np.log1p(np.where(near, w, 0.0)), np.log(z) - np.log(x))
        main = np.where(x > 0, (z - x) - x * log_ratio, z)
    return main + _stirling_rest(x)


def _log_m1(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log A(x, z) where A(x, z) = sum_j z^j / ((x+1)(x+2)...(x+j)).

    A(x, z) is Kummer's M(1, x+1, z) = x e^z z^-x gamma_lower(x, z). It is the
    normalising sum of the Erlang A queue-length distribution. ``x`` > 0,
    ``z`` >= 0.
    """
    x, z = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(z, dtype=float))
    out = np.zeros(x.shape)
    pos = z > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = special.gammainc(x, np.where(pos, z, 1.0))
        direct = pos & (p > _TINY)
        zd, xd = z[direct], x[direct]
        out[direct] = _log_gamma_ratio(xd, zd) + np.log(p[direct])
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
    out = np.zeros(n.shape)
    pos = a > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = special.gammaincc(n + 1.0, np.where(pos, a, 1.0))
        direct = pos & (q > _TINY)
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


def erlang_b(agents, load):
    """Erlang B blocking probability B(N, a), continuous in N.

    ``agents`` N >= 0 servers, ``load`` a >= 0 Erlangs. Equals the classic
    recurrence 1/B(n) = 1 + (n/a) / B(n-1), B(0) = 1, at whole N.
    """
    with np.errstate(over="ignore"):
        return np.exp(-_log_inv_erlang_b(agents, load))


def erlang_c(agents, load):
    """Erlang C probability that a caller waits, C(N, a) = N B / (N - a(1 - B)).

    Defined for N > a. For N <= a the M/M/N queue has no steady state (the
    queue grows without bound) and every caller waits: 1.0 is returned. Use
    :func:`erlang_a` for an understaffed centre; it stays finite.
    """
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    b = erlang_b(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    c = np.where(n > a, np.clip(c, 0.0, 1.0), 1.0)
    c = np.where(a <= 0, 0.0, c)
    return c if c.ndim else float(c)


def service_level_c(agents, load, aht_seconds, target_seconds):
    """Share of callers answered within ``target_seconds`` (Erlang C, no abandonment).

    SL(t) = 1 - C exp(-(N - a) t / AHT); 0 when N <= a.
    """
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    c = erlang_c(n, a)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * np.asarray(target_seconds, float) / np.asarray(aht_seconds, float))
    sl = np.where(n > a, sl, 0.0)
    sl = np.where(a <= 0, 1.0, sl)
    return sl if sl.ndim else float(sl)


def asa_c(agents, load, aht_seconds):
    """Average speed of answer in seconds (Erlang C): C AHT / (N - a); inf when N <= a."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(load, dtype=float))
    c = erlang_c(n, a)
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
    """
    n, a, aht, pat, tgt = np.broadcast_arrays(
        np.asarray(agents, dtype=float),
        np.asarray(load, dtype=float),
        np.asarray(aht_seconds, dtype=float),
        np.asarray(patience_seconds, dtype=float),
        np.asarray(target_seconds, dtype=float),
    )
    ratio = pat / aht  # theta/mu inverted: patience in units of AHT
    x = n * ratio
    y = a * ratio
    theta_t = tgt / pat
    u = np.exp(-theta_t)

    log_inv_b = _log_inv_erlang_b(n, a)
    log_a1_y = _log_m1(x + 1.0, y)
    log_a1_yu = _log_m1(x + 1.0, y * u)

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
        log_late = log_pi_n + log_frac + log_a1_yu + y * (1.0 - u) - theta_t * (x + 1.0)
        answered_late = np.where(x > 0, np.exp(log_late), 0.0)

        # Occupancy = throughput / agents = a P(answered) / N. Both parts of
        # P(answered) are O(N) for few agents, so divide each by N analytically
        # instead of dividing a rounded difference by a tiny N.
        n_eff = np.maximum(n, 1e-9)
        no_wait_per_agent = np.expm1(_log_inv_erlang_b(n_eff, a)) / n_eff
        log_a1_eff = _log_m1(n_eff * ratio + 1.0, y) if np.any(n < 1e-9) else log_a1_y
        occupancy = a * np.exp(log_pi_n) * (no_wait_per_agent
                                            + ratio / (n_eff * ratio + 1.0) * np.exp(log_a1_eff))

    p_wait = np.clip(np.nan_to_num(p_wait, nan=1.0), 0.0, 1.0)
    p_abandon = np.clip(p_wait - answered_after_wait, 0.0, 1.0)
    answered_late = np.clip(answered_late, 0.0, answered_after_wait)
    service_level = np.clip(1.0 - p_abandon - answered_late, 0.0, 1.0)
    mean_wait = p_abandon * pat
    occupancy = np.clip(np.nan_to_num(occupancy, nan=1.0, posinf=1.0), 0.0, 1.0)

    # No agents: every caller waits for the whole patience and hangs up. Set
    # exactly, rather than leave it to rounding in the logs above.
    closed = (n <= 0) & (a > 0)
    if np.any(closed):
        p_wait = np.where(closed, 1.0, p_wait)
        p_abandon = np.where(closed, 1.0, p_abandon)
        service_level = np.where(closed, 0.0, service_level)
        answered_late = np.where(closed, 0.0, answered_late)
        mean_wait = np.where(closed, pat, mean_wait)

    # No contacts at all: nobody waits, everybody is "answered".
    idle = a <= 0
    if np.any(idle):
        p_wait = np.where(idle, 0.0, p_wait)
        p_abandon = np.where(idle, 0.0, p_abandon)
        service_level = np.where(idle, 1.0, service_level)
        answered_late = np.where(idle, 0.0, answered_late)
        mean_wait = np.where(idle, 0.0, mean_wait)
        occupancy = np.where(idle, 0.0, occupancy)
    return ErlangA(p_wait, p_abandon, service_level, answered_late, mean_wait, occupancy)
