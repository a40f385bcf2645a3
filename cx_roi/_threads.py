"""Running independent pieces of array work side by side.

numpy ufuncs and scipy.special release the interpreter lock while they compute
on large arrays, so independent pieces (chunks of draws, one input's inverse
CDF) run in parallel threads without processes, pickling or copies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_in_threads(fn: Callable[[T], R], items: Iterable[T], workers: int | None = None) -> list[R]:
    """``[fn(x) for x in items]``, in up to ``workers`` threads (default :func:`usable_cpus`), in order."""
    items = list(items)
    workers = usable_cpus() if workers is None else max(1, int(workers))
    if workers == 1 or len(items) < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(fn, items))
