"""Engine benchmark: single runs, a 10,000-draw batch, memory, and erlang_c throughput.

Run: ``.venv/bin/python benchmarks/bench_engine.py``. Prints figures and the
ratios the project tracks (targets on the 2-core reference machine):

- a batch of 10,000 draws at 120 months costs at most 50x one single run;
- 100,000 draws x 120 months stay under 2 GB of memory.

This is a measurement, not a test: nothing here fails a build.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cx_roi  # noqa: E402
from cx_roi.queueing import erlang_c  # noqa: E402


def best_of(fn, repeat: int) -> float:
    """Fastest of ``repeat`` runs, seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def draws_for(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Plausible-range uniform draws of every parameter that has a plausible range."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, p in cx_roi.PARAMETERS.items():
        if p.plausible is None or p.kind != "float":
            continue
        lo, hi = p.plausible
        out[name] = rng.uniform(lo, hi, n)
    # keep the cross-field rules: promoter + detractor shares within one group
    for prefix in ("fast", "slow", "bad", "initial"):
        p_share, d_share = out[f"{prefix}_promoter_share"], out[f"{prefix}_detractor_share"]
        out[f"{prefix}_detractor_share"] = np.minimum(d_share, 1.0 - p_share)
    out["fcr_floor"] = np.minimum(out["fcr_floor"], out["fcr_ceiling"])
    return out


def memory_child(n: int) -> None:
    """Run in a fresh process so its peak RSS is the batch's alone."""
    s = cx_roi.Scenario(horizon_months=120)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    batch = cx_roi.simulate_batch(s, draws=draws_for(n), dtype=np.float32)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{(peak - base) / 1024:.0f} {batch.nbytes() / 2**20:.0f} {peak / 1024:.0f}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        memory_child(int(sys.argv[2]))
        return

    print(f"cx_roi engine benchmark  (python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores)")
    s60 = cx_roi.Scenario(horizon_months=60)
    s120 = cx_roi.Scenario(horizon_months=120)
    cx_roi.simulate(s60)  # warm imports and caches

    t60 = best_of(lambda: cx_roi.simulate(s60), 15)
    t120 = best_of(lambda: cx_roi.simulate(s120), 15)
    print(f"single run,  60 months: {t60 * 1e3:8.1f} ms")
    print(f"single run, 120 months: {t120 * 1e3:8.1f} ms")

    draws = draws_for(10_000)
    t_batch = best_of(lambda: cx_roi.simulate_batch(s120, draws=draws), 3)
    ratio = t_batch / t120
    print(f"batch of 10,000 draws, 120 months: {t_batch:8.2f} s  = {ratio:5.1f} x one single run "
          f"(target <= 50): {'met' if ratio <= 50 else 'NOT met'}")

    proc = subprocess.run([sys.executable, __file__, "--memory-child", "100000"], capture_output=True,
                          text=True, check=True)
    grown, held, peak = (float(v) for v in proc.stdout.split())
    print(f"100,000 draws x 120 months (float32 monthly storage): peak process memory {peak:,.0f} MB, "
          f"results held {held:,.0f} MB (target < 2,048 MB): {'met' if peak < 2048 else 'NOT met'}")

    rng = np.random.default_rng(1)
    agents = rng.uniform(1, 5000, 100_000)
    load = agents * rng.uniform(0.5, 1.2, 100_000)
    t_c = best_of(lambda: erlang_c(agents, load), 5)
    print(f"erlang_c on 100,000 (agents, load) pairs up to 5,000 agents: {t_c * 1e3:8.1f} ms "
          f"({t_c / 1e5 * 1e9:.0f} ns per pair)")


if __name__ == "__main__":
    main()
