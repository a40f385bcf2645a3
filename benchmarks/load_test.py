"""Load test: N concurrent dashboard sessions moving the spend sliders, on a local server.

    python benchmarks/load_test.py                 # 25 sessions, 6 slider moves each
    python benchmarks/load_test.py --sessions 50 --moves 10

It starts ``streamlit run app.py`` on a free loopback port (headless), waits for
``/_stcore/health``, then opens the sessions at once. Each session speaks
Streamlit's own protocol over its websocket (``/_stcore/stream``), as the
browser does: it asks for a script run (``BackMsg.rerun_script``), reads the
``ForwardMsg`` stream until ``script_finished``, finds the Explore page's
spend sliders in the deltas (their keys are ``w:lever:<field>``, see
ui/controls.py and ui/state.py), and then moves one slider at a time by
sending its new value as the widget state of the next rerun. A rerun's
latency is the time from sending the BackMsg to receiving ``script_finished``.

Errors counted: a failed connection, a run that does not finish in time, an
exception element in the page, a run that finishes with a compile error, and
a slider value the server did not take (the slider comes back with another
value). Memory is the server process's resident set size from /proc, sampled
every 100 ms: idle before the sessions, with every session open, and the peak.

Why the protocol and not browsers: 25 headless Chromium pages need several GB
and most of the 2 CPU cores of the reference machine, so the browsers would
measure themselves; a websocket client costs a few MB and almost no CPU, and
what the server does for it is exactly what it does for a browser (the same
BackMsg and the same ForwardMsgs). What it does not measure is the browser's
own rendering of the charts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEND_KEYS = ("w:lever:service_capacity_spend_per_month", "w:lever:service_quality_spend_per_month",
              "w:lever:ad_spend_per_month")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident set size of a process, MB, from /proc/<pid>/status (Linux)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


class MemorySampler(threading.Thread):
    """Samples the server's RSS every ``interval`` seconds; keeps the peak and the last value."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0.0
        self.last = 0.0
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            self.last = rss_mb(self.pid)
            self.peak = max(self.peak, self.last)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()


@dataclass
class Slider:
    id: str
    key: str
    lo: float
    hi: float
    step: float
    value: float


@dataclass
class SessionStats:
    index: int
    first_load: float = float("nan")
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Session:
    """One dashboard session over Streamlit's websocket protocol."""

    def __init__(self, index: int, port: int, moves: int, timeout: float, rng: random.Random,
                 hold: "Hold | None" = None):
        self.stats = SessionStats(index)
        self.hold = hold
        self.port, self.moves, self.timeout, self.rng = port, moves, timeout, rng
        self.page_hash = ""
        self.sliders: dict[str, Slider] = {}

    async def run(self) -> SessionStats:
        import websockets
        from streamlit.proto.BackMsg_pb2 import BackMsg

        url = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        try:
            async with websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                          open_timeout=self.timeout, ping_interval=None) as ws:
                started = time.perf_counter()
                ok, seen = await self._rerun(ws, BackMsg, {})
                self.stats.first_load = time.perf_counter() - started
                if not ok:
                    return self.stats
                self._remember(seen)
                if not self.sliders:
                    self.stats.errors.append("no spend sliders on the first page")
                    return self.stats
                for _ in range(self.moves):
                    await asyncio.sleep(self.rng.uniform(0.05, 0.4))  # a person's pause between moves
                    slider = self.sliders[self.rng.choice(sorted(self.sliders))]
                    value = self._new_value(slider)
                    started = time.perf_counter()
                    ok, seen = await self._rerun(ws, BackMsg, {slider.id: value})
                    elapsed = time.perf_counter() - started
                    if not ok:
                        continue
                    self.stats.latencies.append(elapsed)
                    back = seen.get(slider.id)
                    if back is None or abs(back.value - value) > 1e-6 * max(1.0, abs(value)):
                        got = "missing" if back is None else f"{back.value:,.0f}"
                        self.stats.errors.append(f"{slider.key}: sent {value:,.0f}, page shows {got}")
                    self._remember(seen)
                if self.hold is not None:
                    await self.hold.arrive()  # keep the session open until every session is done
        except (OSError, asyncio.TimeoutError) as exc:
            self.stats.errors.append(f"connection: {type(exc).__name__}: {exc}")
        except Exception as exc:  # a load test reports every failure instead of stopping at the first
            self.stats.errors.append(f"{type(exc).__name__}: {exc}")
        return self.stats

    def _new_value(self, s: Slider) -> float:
        steps = int(round((s.hi - s.lo) / s.step))
        while True:
            v = s.lo + s.step * self.rng.randint(0, steps)
            if abs(v - s.value) > s.step / 2:
                return v

    def _remember(self, seen: dict[str, Slider]) -> None:
        for sid, s in seen.items():
            self.sliders[s.key] = s

    async def _rerun(self, ws, BackMsg, values: dict[str, float]) -> tuple[bool, dict[str, Slider]]:
        """Send one rerun with ``values`` (widget id -> slider value); read until the run finishes."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = self.page_hash
        for wid, value in values.items():
            w = state.widget_states.widgets.add()
            w.id = wid
            w.double_array_value.data.append(value)
        await ws.send(msg.SerializeToString())
        seen: dict[str, Slider] = {}
        deadline = time.perf_counter() + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                self.stats.errors.append(f"a run did not finish within {self.timeout:.0f} s")
                return False, seen
            data = await asyncio.wait_for(ws.recv(), timeout=remaining)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                etype = el.WhichOneof("type")
                if etype == "exception":
                    self.stats.errors.append(f"exception on the page: {el.exception.type}: "
                                             f"{el.exception.message[:120]}")
                elif etype == "slider" and any(k in el.slider.id for k in SPEND_KEYS):
                    sl = el.slider
                    key = next(k for k in SPEND_KEYS if k in sl.id)
                    seen[sl.id] = Slider(sl.id, key, sl.min, sl.max, sl.step or 1.0,
                                         sl.value[0] if sl.value else sl.default[0])
            elif kind == "session_event" and fwd.session_event.WhichOneof("type") == "script_compilation_exception":
                self.stats.errors.append("the app failed to compile")
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.stats.errors.append("run finished with a compile error")
                    return False, seen
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # superseded by the run we asked for; wait for that one
                return True, seen


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    log = open(log_path, "wb")
    return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 90.0) -> float:
    started = time.perf_counter()
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the server was not healthy within {timeout:.0f} s")


class Hold:
    """A barrier: sessions wait here, still connected, until all have arrived (or failed);
    then ``on_full`` runs once (it samples memory with every session open)."""

    def __init__(self, n: int, on_full):
        self.n, self.on_full = n, on_full
        self.arrived = 0
        self.released = asyncio.Event()

    async def arrive(self) -> None:
        self.mark()
        await self.released.wait()

    def mark(self) -> None:
        self.arrived += 1
        if self.arrived >= self.n and not self.released.is_set():
            self.on_full()
            self.released.set()


async def run_sessions(n: int, port: int, moves: int, timeout: float, seed: int,
                       on_full=None) -> list[SessionStats]:
    hold = Hold(n, on_full) if on_full is not None else None
    sessions = [Session(i + 1, port, moves, timeout, random.Random(seed + i), hold) for i in range(n)]

    async def one(s: Session) -> SessionStats:
        stats = await s.run()
        if hold is not None and not hold.released.is_set() and s.stats.errors and len(s.stats.latencies) < moves:
            hold.mark()  # a session that failed early still counts, so the others are not held forever
        return stats

    return await asyncio.gather(*(one(s) for s in sessions))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=25, help="concurrent sessions (default 25)")
    ap.add_argument("--moves", type=int, default=6, help="slider moves per session (default 6)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds a single run may take (default 180)")
    ap.add_argument("--seed", type=int, default=1, help="random seed for the slider moves")
    args = ap.parse_args(argv)

    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"cx-roi-load-{port}.log"
    proc = start_server(port, log_path)
    try:
        boot = wait_healthy(port, proc)
        cold = rss_mb(proc.pid)
        # One session first, then closed: the app's imports and caches load once per
        # process, so the per-session figure below counts only what each session adds.
        warm = asyncio.run(run_sessions(1, port, 1, args.timeout, args.seed - 1))[0]
        time.sleep(1.0)
        idle = rss_mb(proc.pid)
        sampler = MemorySampler(proc.pid)
        sampler.start()
        print(f"server: streamlit run app.py on 127.0.0.1:{port}, healthy after {boot:.1f} s, RSS {cold:.0f} MB; "
              f"after one warm-up session (first load {warm.first_load:.1f} s, {len(warm.errors)} errors) "
              f"{idle:.0f} MB")
        print(f"sessions: {args.sessions} at once, {args.moves} slider moves each, over Streamlit's websocket "
              "protocol")
        started = time.perf_counter()
        open_rss: list[float] = []
        stats = asyncio.run(run_sessions(args.sessions, port, args.moves, args.timeout, args.seed,
                                         on_full=lambda: open_rss.append(rss_mb(proc.pid))))
        wall = time.perf_counter() - started
        with_sessions = open_rss[0] if open_rss else rss_mb(proc.pid)
        sampler.stop()
        peak = max(sampler.peak, with_sessions)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

    print()
    print(f"{'session':>7} {'first load s':>12} {'reruns':>6} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for s in stats:
        print(f"{s.index:>7} {s.first_load:>12.2f} {len(s.latencies):>6} {percentile(s.latencies, .5) * 1e3:>8.0f} "
              f"{percentile(s.latencies, .95) * 1e3:>8.0f} {len(s.errors):>6}")
    all_lat = [x for s in stats for x in s.latencies]
    errors = [(s.index, e) for s in stats for e in s.errors]
    first = [s.first_load for s in stats if s.first_load == s.first_load]
    print()
    print(f"reruns: {len(all_lat)} of {args.sessions * args.moves} in {wall:.1f} s; "
          f"latency p50 {percentile(all_lat, .5) * 1e3:.0f} ms, p95 {percentile(all_lat, .95) * 1e3:.0f} ms, "
          f"max {max(all_lat, default=float('nan')) * 1e3:.0f} ms")
    if first:
        print(f"first page load (all sessions at once): p50 {statistics.median(first):.2f} s, "
              f"max {max(first):.2f} s")
    print(f"server RSS: warm idle {idle:.0f} MB, with {args.sessions} sessions open {with_sessions:.0f} MB, "
          f"peak {peak:.0f} MB; {(with_sessions - idle) / max(args.sessions, 1):.1f} MB per session")
    print(f"errors: {len(errors)}")
    for index, e in errors[:30]:
        print(f"  session {index}: {e}")
    if len(errors) > 30:
        print(f"  ... and {len(errors) - 30} more")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
