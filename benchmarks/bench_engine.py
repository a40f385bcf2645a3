"""Engine benchmark: single runs, a 10,000-draw batch, memory, and erlang_c throughput.

Run: ``.venv/bin/python benchmarks/bench_engine.py``. Prints figures and the
ratios the project tracks (targets on the 2-core reference machine):

- a batch of 10,000 draws at 120 months costs at most 50x one single run;
- 100,000 draws x 120 months stay under 2 GB of memory;
- a 10,000-draw Monte Carlo ensemble (``simulate_many``) at 120 months costs at
  most 50x one single run per scenario.

It also times the decision tools: tornado, break-even, one optimisation
(deterministic and P10), a 20-point efficient frontier and the reverse solver.

``--before GIT_REF`` compares this code with the engine at ``GIT_REF`` in the
same run: the ref is checked out into a temporary ``git worktree``, and both
engines are measured in paired subprocesses, alternately (before, now, now,
before, ...), ``--rounds`` times (default 3). Each figure is the best of its
rounds; the table gives both and their ratio, now / before, so the machine's
own speed cancels out. ``--engine-only`` leaves the decision tools out.

This is a measurement, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
cx_roi = None  # imported by main() from the tree being measured


def load_engine(root: Path) -> None:
    """Import cx_roi from ``root`` (this checkout, or a ref's temporary worktree)."""
    global cx_roi
    sys.path.insert(0, str(root))
    import cx_roi as engine  # noqa: PLC0415
    cx_roi = engine


def best_of(fn, repeat: int, clock=time.perf_counter) -> float:
    """Fastest of ``repeat`` runs by ``clock``, seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        t = clock()
        fn()
        times.append(clock() - t)
    return min(times)


def cpu_best_of(fn, repeat: int) -> float:
    """Least CPU time of ``repeat`` runs of a single-threaded call, seconds."""
    return best_of(fn, repeat, clock=time.process_time)


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


# Every figure: key -> (label, unit, scale from seconds or MB). The table and the plain
# report both read this list, in this order.
FIGURES = {
    "single60": ("one scenario, 60 months (wall)", "ms", 1e3),
    "single120": ("one scenario, 120 months (wall)", "ms", 1e3),
    "cpu60": ("one scenario, 60 months (CPU)", "ms", 1e3),
    "cpu120": ("one scenario, 120 months (CPU)", "ms", 1e3),
    "batch": ("10,000 draws x 120 months, one batch", "s", 1.0),
    "memory": ("100,000 draws x 120 months, float32: peak memory", "MB", 1.0),
    "held": ("  of which results held", "MB", 1.0),
    "pair": ("10,000 draws x 2 scenarios x 120 months, paired", "s", 1.0),
    "many": ("2,000 draws x 60 months (simulate_many)", "s", 1.0),
    "tornado60": ("tornado, 60 months", "ms", 1e3),
    "tornado120": ("tornado, 120 months", "ms", 1e3),
    "break_even": ("break-even of the top 5 drivers, 60 months", "s", 1.0),
    "opt60": ("one budget optimisation, NPV, 60 months", "s", 1.0),
    "opt120": ("one budget optimisation, NPV, 120 months", "s", 1.0),
    "p10": ("one budget optimisation, P10 NPV over 200 draws", "s", 1.0),
    "frontier": ("20-point efficient frontier", "s", 1.0),
    "min_budget": ("least budget for a target", "s", 1.0),
    "erlang_c": ("erlang_c on 100,000 pairs", "ms", 1e3),
}


def engine_figures() -> dict[str, float]:
    """Single runs, one large batch and its memory, in seconds and MB."""
    s60 = cx_roi.Scenario(horizon_months=60)
    s120 = cx_roi.Scenario(horizon_months=120)
    cx_roi.simulate(s60)  # warm imports and caches
    f = {
        "single60": best_of(lambda: cx_roi.simulate(s60), 15),
        "single120": best_of(lambda: cx_roi.simulate(s120), 15),
        "cpu60": cpu_best_of(lambda: cx_roi.simulate(s60), 15),
        "cpu120": cpu_best_of(lambda: cx_roi.simulate(s120), 15),
    }
    draws = draws_for(10_000)
    f["batch"] = best_of(lambda: cx_roi.simulate_batch(s120, draws=draws), 3)
    proc = subprocess.run([sys.executable, str(HERE), "--root", str(Path(cx_roi.__file__).parents[1]),
                           "--memory-child", "100000"], capture_output=True, text=True, check=True)
    _, f["held"], f["memory"] = (float(v) for v in proc.stdout.split())
    rng = np.random.default_rng(1)
    agents = rng.uniform(1, 5000, 100_000)
    load = agents * rng.uniform(0.5, 1.2, 100_000)
    f["erlang_c"] = best_of(lambda: cx_roi.queueing.erlang_c(agents, load), 5)
    return f


def decision_figures() -> dict[str, float]:
    """Ensembles, sensitivity and the optimiser, seconds."""
    quo = cx_roi.load_preset("status-quo").replace(horizon_months=120)
    boost = cx_roi.load_preset("service-boost").replace(horizon_months=120)
    cx_roi.simulate_many(quo, draws=100, seed=0)  # warm
    f = {}

    def pair():
        # a cold start each time: the draws cache is shared only within the pair
        cx_roi.uncertainty._draws_of.cache_clear()
        return [cx_roi.simulate_many(s, draws=10_000, seed=0) for s in (quo, boost)]

    f["pair"] = best_of(pair, 2)
    s60 = cx_roi.load_preset("status-quo")  # the default horizon, 60 months

    def many():
        cx_roi.uncertainty._draws_of.cache_clear()
        return cx_roi.simulate_many(s60, draws=2_000, seed=0)

    f["many"] = best_of(many, 3)
    f["tornado60"] = best_of(lambda: cx_roi.tornado(s60), 3)
    f["tornado120"] = best_of(lambda: cx_roi.tornado(quo), 3)
    sb60, ab60 = cx_roi.load_preset("service-boost"), cx_roi.load_preset("ad-boost")
    _, f["break_even"] = timed(lambda: cx_roi.break_even_table(sb60, ab60, top=5))
    total = 300_000.0
    _, f["opt60"] = timed(lambda: cx_roi.optimize_budget(s60, total))
    _, f["opt120"] = timed(lambda: cx_roi.optimize_budget(quo, total))
    _, f["p10"] = timed(lambda: cx_roi.optimize_budget(s60, total, objective="p10_npv", draws=200))
    totals = np.linspace(100_000, 800_000, 20)
    _, f["frontier"] = timed(lambda: cx_roi.efficient_frontier(s60, totals))
    target = cx_roi.simulate(s60).kpis["final_customers"] * 1.1
    _, f["min_budget"] = timed(lambda: cx_roi.min_budget_for(s60, target))
    return f


def show(value: float, key: str) -> str:
    _, unit, scale = FIGURES[key]
    v = value * scale
    if unit == "s":
        return f"{v:,.2f} {unit}"
    return f"{v:,.1f} {unit}" if v < 100 else f"{v:,.0f} {unit}"


def report(f: dict[str, float]) -> None:
    """This code's figures and its targets."""
    print(f"cx_roi engine benchmark  (python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{os.cpu_count()} cores)")
    for key, (label, _, _) in FIGURES.items():
        if key in f:
            print(f"{label:<58} {show(f[key], key):>12}")
    ratio = f["batch"] / f["single120"]
    print(f"batch / one single run: {ratio:5.1f} (target <= 50): {'met' if ratio <= 50 else 'NOT met'}")
    print(f"peak memory (target < 2,048 MB): {'met' if f['memory'] < 2048 else 'NOT met'}")
    if "pair" in f:
        per = f["pair"] / 2 / f["single120"]
        print(f"paired ensembles per scenario / one single run: {per:5.1f} (target <= 50): "
              f"{'met' if per <= 50 else 'NOT met'}")


def child(root: Path, engine_only: bool) -> dict[str, float]:
    """Every figure of the engine at ``root``, from a fresh process."""
    cmd = [sys.executable, str(HERE), "--root", str(root), "--json"] + (["--engine-only"] if engine_only else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(ref: str, rounds: int, engine_only: bool) -> None:
    """This code against ``ref``, measured alternately in paired subprocesses."""
    with tempfile.TemporaryDirectory(prefix="cx-roi-before-") as tmp:
        tree = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), ref], check=True)
        try:
            # The ref's engine, this benchmark: both trees are measured by the same code.
            runs = {"before": [], "now": []}
            for r in range(rounds):
                order = ("before", "now") if r % 2 == 0 else ("now", "before")
                for side in order:
                    runs[side].append(child(tree if side == "before" else REPO, engine_only))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=True)
    best = {side: {k: min(run[k] for run in rs) for k in rs[0]} for side, rs in runs.items()}
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", ref], capture_output=True, text=True).stdout
    print(f"cx_roi engine: now against {ref} ({sha.strip()}), best of {rounds} paired rounds  "
          f"(python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores)")
    print(f"{'what':<58} {'before':>12} {'now':>12} {'now/before':>10}")
    worst = 0.0
    for key, (label, _, _) in FIGURES.items():
        if key in best["now"] and key in best["before"]:
            ratio = best["now"][key] / best["before"][key]
            worst = max(worst, ratio)
            print(f"{label:<58} {show(best['before'][key], key):>12} {show(best['now'][key], key):>12} "
                  f"{ratio:10.2f}")
    print(f"worst ratio {worst:.2f}: {'within' if worst <= 1.2 else 'NOT within'} 1.20")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", metavar="GIT_REF", help="compare with the engine at this git ref, in the same run")
    ap.add_argument("--rounds", type=int, default=3, help="paired rounds with --before (default 3)")
    ap.add_argument("--engine-only", action="store_true", help="leave the decision tools out")
    ap.add_argument("--root", type=Path, default=REPO, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.before:
        compare(args.before, args.rounds, args.engine_only)
        return
    load_engine(args.root)
    if args.memory_child:
        memory_child(args.memory_child)
        return
    figures = engine_figures()
    if not args.engine_only:
        figures.update(decision_figures())
    if args.json:
        print(json.dumps(figures))
    else:
        report(figures)


if __name__ == "__main__":
    main()
