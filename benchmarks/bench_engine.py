"""Engine benchmark: single runs, a 10,000-draw batch, memory, and erlang_c throughput.

Run: ``.venv/bin/python benchmarks/bench_engine.py``. Prints figures and the
ratios the project tracks (targets on the 2-core reference machine):

- a batch of 10,000 draws at 120 months costs at most 50x one single run;
- 100,000 draws x 120 months stay under 2 GB of memory;
- a 10,000-draw Monte Carlo ensemble (``simulate_many``) at 120 months costs at
  most 50x one single run per scenario.

It also times the decision tools: tornado, break-even, one optimisation
(deterministic and P10), a 20-point efficient frontier and the reverse solver.

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


def timed(fn):
    """(result, seconds) of one call."""
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def decisions(t120: float) -> None:
    """Ensembles, sensitivity and the optimiser."""
    quo = cx_roi.load_preset("status-quo").replace(horizon_months=120)
    boost = cx_roi.load_preset("service-boost").replace(horizon_months=120)
    cx_roi.simulate_many(quo, draws=100, seed=0)  # warm
    def pair():
        # a cold start each time: the draws cache is shared only within the pair
        cx_roi.uncertainty._draws_of.cache_clear()
        return [cx_roi.simulate_many(s, draws=10_000, seed=0) for s in (quo, boost)]

    t_pair = best_of(pair, 2)
    per = t_pair / 2
    print(f"simulate_many 10,000 draws x 2 scenarios x 120 months (paired): {t_pair:8.2f} s  = "
          f"{per / t120:5.1f} x one single run per scenario (target <= 50): "
          f"{'met' if per / t120 <= 50 else 'NOT met'}")

    s60 = cx_roi.load_preset("status-quo")  # the default horizon, 60 months
    def many():
        cx_roi.uncertainty._draws_of.cache_clear()
        return cx_roi.simulate_many(s60, draws=2_000, seed=0)

    t_many = best_of(many, 3)
    print(f"simulate_many 2,000 draws x 60 months: {t_many:8.2f} s")
    t_tornado = best_of(lambda: cx_roi.tornado(s60), 3)
    t_tornado120 = best_of(lambda: cx_roi.tornado(quo), 3)
    n_inputs = len(cx_roi.default_ranges(s60))
    print(f"tornado, {n_inputs} inputs, 60 months: {t_tornado * 1e3:8.0f} ms; 120 months: "
          f"{t_tornado120 * 1e3:8.0f} ms")
    sb60, ab60 = cx_roi.load_preset("service-boost"), cx_roi.load_preset("ad-boost")
    _, t_be = timed(lambda: cx_roi.break_even_table(sb60, ab60, top=5))
    print(f"break_even_table, top 5 drivers, 60 months: {t_be:8.2f} s")

    total = 300_000.0
    a, t_opt = timed(lambda: cx_roi.optimize_budget(s60, total))
    print(f"optimize_budget, deterministic NPV, 3 levers, 60 months: {t_opt:8.2f} s "
          f"({a.evaluations:,} scenario runs)")
    a, t_opt120 = timed(lambda: cx_roi.optimize_budget(quo, total))
    print(f"optimize_budget, deterministic NPV, 3 levers, 120 months: {t_opt120:8.2f} s "
          f"({a.evaluations:,} scenario runs)")
    a, t_p10 = timed(lambda: cx_roi.optimize_budget(s60, total, objective="p10_npv", draws=200))
    print(f"optimize_budget, p10_npv over 200 draws, 3 levers, 60 months: {t_p10:8.2f} s "
          f"({a.evaluations:,} scenario runs)")
    totals = np.linspace(100_000, 800_000, 20)
    _, t_front = timed(lambda: cx_roi.efficient_frontier(s60, totals))
    print(f"efficient_frontier, 20 budgets, deterministic, 3 levers, 60 months: {t_front:8.2f} s")
    target = cx_roi.simulate(s60).kpis["final_customers"] * 1.1
    _, t_min = timed(lambda: cx_roi.min_budget_for(s60, target))
    print(f"min_budget_for, final customers +10%, 3 levers, 60 months: {t_min:8.2f} s")


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

    decisions(t120)

    rng = np.random.default_rng(1)
    agents = rng.uniform(1, 5000, 100_000)
    load = agents * rng.uniform(0.5, 1.2, 100_000)
    t_c = best_of(lambda: erlang_c(agents, load), 5)
    print(f"erlang_c on 100,000 (agents, load) pairs up to 5,000 agents: {t_c * 1e3:8.1f} ms "
          f"({t_c / 1e5 * 1e9:.0f} ns per pair)")


if __name__ == "__main__":
    main()
