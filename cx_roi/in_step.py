"""Searches run side by side whose model runs are answered together, in one batch a round."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np


class InStep:
    """Searches run in threads whose model runs are answered together: a request waits until
    every search still running has asked, then one batch evaluates them all.

    The engine's cost is mostly a fixed overhead per month, not per candidate, so two SLSQP
    runs in step cost about what one costs (``benchmarks/bench_engine.py``, the optimiser).
    Each search sees the values it would alone, to rounding: a batch of more than 24 values takes
    Erlang A's array path, which differs from one value at a time in the last digits."""

    def __init__(self, evaluate: Callable[[np.ndarray], np.ndarray], searches: int) -> None:
        self._evaluate, self._running = evaluate, searches
        self._asks: dict[int, np.ndarray] = {}
        self._answers: dict[int, np.ndarray] = {}
        self._error: BaseException | None = None
        self._turn = threading.Condition()

    def ask(self, search: int, rows: np.ndarray) -> np.ndarray:
        with self._turn:
            if self._error is None:  # after a failure nothing more is evaluated
                self._asks[search] = rows
                self._answer_if_all_asked()
            while search not in self._answers and self._error is None:
                self._turn.wait()
            if self._error is not None:
                raise self._error
            return self._answers.pop(search)

    def finished(self) -> None:
        with self._turn:
            self._running -= 1
            self._answer_if_all_asked()

    def _answer_if_all_asked(self) -> None:
        if not self._asks or len(self._asks) < self._running:
            return
        keys = list(self._asks)
        rows = [self._asks.pop(k) for k in keys]
        try:
            vals = self._evaluate(np.vstack(rows))
        except BaseException as error:  # every waiting search raises it (e.g. Stopped)
            self._error = error
        else:
            self._answers.update(zip(keys, np.split(vals, np.cumsum([len(r) for r in rows])[:-1])))
        self._turn.notify_all()

    def run(self, searches: Sequence[Callable[[Callable[[np.ndarray], np.ndarray]], tuple]]) -> list[tuple]:
        """Each search called with its own ``values`` function; their results in order."""
        def one(i: int) -> tuple:
            try:
                return searches[i](lambda rows: self.ask(i, rows))
            finally:
                self.finished()

        with ThreadPoolExecutor(len(searches)) as pool:
            futures = [pool.submit(one, i) for i in range(len(searches))]
        # A search's own failure (a bug) before the batch's (Stopped, which every search raises).
        own = [e for e in (f.exception() for f in futures) if e is not None and e is not self._error]
        if own:
            raise own[0]
        return [f.result() for f in futures]
