"""The feasible splits of a monthly budget across spend levers: per phase, each lever between its
limits and the spends adding up to the phase's budget ($ per month). The optimiser searches inside
a :class:`Box`; :func:`project_rows` finds the nearest split that fits, :func:`simplex` the grid."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass
class Box:
    """The feasible set at one budget: per phase, lb <= x <= ub (flat, phase-major) and sum(x) == total."""

    totals: list[float]
    lb: np.ndarray
    ub: np.ndarray

    @property
    def n_levers(self) -> int:
        return len(self.lb) // len(self.totals)

    def seg(self, p: int) -> slice:
        return slice(p * self.n_levers, (p + 1) * self.n_levers)

    def project(self, x: np.ndarray) -> np.ndarray:
        """Nearest feasible point(s) to ``x`` (rows), phase by phase."""
        x = np.array(x, dtype=float, ndmin=2)
        for p, t in enumerate(self.totals):
            s = self.seg(p)
            x[:, s] = project_rows(x[:, s], self.lb[s], self.ub[s], t)
        return x

    def grid(self, divisions: int) -> np.ndarray:
        """The same split in every phase, on a simplex grid of 1/divisions: the minimums plus shares
        of the rest of the budget. Shape (points, size)."""
        w = simplex(self.n_levers, divisions)
        lbs = [self.lb[self.seg(p)] for p in range(len(self.totals))]
        return self.project(np.hstack([lb + w * (t - lb.sum()) for lb, t in zip(lbs, self.totals)]))


def project_rows(x: np.ndarray, lb: np.ndarray, ub: np.ndarray, total: float) -> np.ndarray:
    """Euclidean projection of each row onto {lb <= x <= ub, sum x = total}: x + shift, clipped.

    The shift is found by bisection; the last rounding goes onto the levers with room,
    so each row sums to ``total`` to the cent and stays in bounds.
    """
    x = np.array(x, dtype=float, ndmin=2)
    lo = np.full(len(x), -(abs(total) + np.abs(x).max(initial=0) + ub.max(initial=0) + 1.0))
    hi = -lo
    for _ in range(200):
        mid = (lo + hi) / 2
        over = np.clip(x + mid[:, None], lb, ub).sum(axis=1) > total
        hi = np.where(over, mid, hi)
        lo = np.where(over, lo, mid)
        if np.all(hi - lo <= 1e-9):
            break
    out = np.clip(x + ((lo + hi) / 2)[:, None], lb, ub)
    out = np.where(out - lb < 1e-6, lb, np.where(ub - out < 1e-6, ub, out))  # no $1e-10 leftovers
    gap = total - out.sum(axis=1)
    room = np.where(gap[:, None] > 0, ub - out, out - lb)
    share = np.divide(room, room.sum(axis=1, keepdims=True), out=np.zeros_like(room),
                      where=room.sum(axis=1, keepdims=True) > 0)
    return np.clip(out + gap[:, None] * share, lb, ub)


def simplex(n: int, divisions: int) -> np.ndarray:
    """Every split of 1 into ``n`` shares on a grid of 1/divisions, in lexicographic order: (points, n)."""
    points = [c for c in itertools.product(range(divisions + 1), repeat=n) if sum(c) == divisions]
    return np.array(points, dtype=float) / max(divisions, 1)
