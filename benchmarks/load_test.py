"""Load test: N concurrent dashboard sessions moving the spend sliders, on one local server or
through the replicated layout's proxy.

    python benchmarks/load_test.py                 # 25 sessions, 6 slider moves each
    python benchmarks/load_test.py --sessions 50 --moves 10
    python benchmarks/load_test.py --replicas 2 --sessions 50 --pause 2 6   # a room reading each answer
    python benchmarks/load_test.py --replicas 3    # deploy/run_local.py's layout: 50, then 100 sessions
    python benchmarks/load_test.py --url http://127.0.0.1:8080 --sessions 50

Without ``--replicas`` or ``--url`` it starts ``streamlit run app.py`` on a free loopback port
(headless), waits for ``/_stcore/health``, then opens the sessions at once. Each session speaks
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
value set by the server; a slider the server sends without a value keeps the
browser's own, as in a browser). Memory is the server process's resident set size from /proc, sampled
every 100 ms: idle before the sessions, with every session open, and the peak.

Through the proxy (``--replicas N`` starts deploy/run_local.py's layout: PostgreSQL, N replicas,
HAProxy; ``--url`` uses a running proxy) each session first loads the page over HTTP, as a
browser does, and keeps the proxy's stickiness cookie from that response for its websocket and
its later requests. The proxy names the replica that served each response (the ``X-CX-Replica``
header of haproxy.cfg), so the test reports how sessions spread over the replicas and counts as
an error a session whose websocket, or a request after its moves, reached another replica than
its cookie names. Memory is per replica (the Streamlit process, and its odds process apart);
with ``--url`` it is known only for a layout that deploy/run_local.py started on this machine.

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
import contextlib
import json
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
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.run_local import COOKIE, REPLICA_HEADER, LocalLayout, http_get, route_cookie, state_path  # noqa: E402

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


def children_rss_mb(pid: int) -> float:
    """Resident set size of a process's children, MB (a replica's odds process), from /proc."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        total += sum(rss_mb(int(k)) for k in kids)
    return total


class MemorySampler(threading.Thread):
    """Samples the RSS of each server process every ``interval`` seconds; keeps each one's peak."""

    def __init__(self, pids: dict[str, int], interval: float = 0.1):
        super().__init__(daemon=True)
        self.pids, self.interval = pids, interval
        self.peak = dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_mb(pid))
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
    replica: str = ""  # through the proxy: the replica its cookie names


class Session:
    """One dashboard session over Streamlit's websocket protocol."""

    def __init__(self, index: int, base_url: str, moves: int, timeout: float, rng: random.Random,
                 hold: "Hold | None" = None, sticky: bool = False, pause: tuple[float, float] = (0.05, 0.4)):
        self.stats = SessionStats(index)
        self.pause = pause  # seconds between a move's answer and the next move, drawn uniformly
        self.hold = hold
        self.base_url, self.moves, self.timeout, self.rng = base_url.rstrip("/"), moves, timeout, rng
        self.sticky = sticky  # through the proxy: carry its cookie, check where each request lands
        self.page_hash = ""
        self.sliders: dict[str, Slider] = {}

    async def run(self) -> SessionStats:
        import websockets
        from streamlit.proto.BackMsg_pb2 import BackMsg

        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        try:
            extra = {}
            if self.sticky:
                cookie = await self._load_page()
                if cookie is None:
                    return self.stats
                extra = {"additional_headers": {"Cookie": cookie}, "origin": self.base_url}
            async with websockets.connect(url, subprotocols=["streamlit"], max_size=None,
                                          open_timeout=self.timeout, ping_interval=None, **extra) as ws:
                if self.sticky:
                    self._check_replica("the websocket", ws.response.headers.get(REPLICA_HEADER))
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
                    await asyncio.sleep(self.rng.uniform(*self.pause))  # a person's pause between moves
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
                if self.sticky:  # a later request of the same browser, e.g. an upload or a download
                    status, headers, _ = await asyncio.to_thread(
                        http_get, self.base_url + "/_stcore/health", cookie, self.timeout)
                    self._check_replica("a request after the moves", headers.get(REPLICA_HEADER))
                if self.hold is not None:
                    await self.hold.arrive()  # keep the session open until every session is done
        except (OSError, asyncio.TimeoutError) as exc:
            self.stats.errors.append(f"connection: {type(exc).__name__}: {exc}")
        except Exception as exc:  # a load test reports every failure instead of stopping at the first
            self.stats.errors.append(f"{type(exc).__name__}: {exc}")
        return self.stats

    async def _load_page(self) -> str | None:
        """Load the page over HTTP as a browser does: the proxy's stickiness cookie it set
        (``CXROUTE=<replica>``), or None with an error."""
        status, headers, _ = await asyncio.to_thread(http_get, self.base_url + "/", None, self.timeout)
        replica = route_cookie(headers)
        if status != 200 or replica is None:
            self.stats.errors.append(f"page load: status {status}, stickiness cookie {replica!r}")
            return None
        self.stats.replica = replica
        return f"{COOKIE}={replica}"

    def _check_replica(self, what: str, served: str | None) -> None:
        if served != self.stats.replica:
            self.stats.errors.append(f"stickiness: {what} reached {served}, the cookie names {self.stats.replica}")

    def _new_value(self, s: Slider) -> float:
        steps = int(round((s.hi - s.lo) / s.step))
        while True:
            v = s.lo + s.step * self.rng.randint(0, steps)
            if abs(v - s.value) > s.step / 2:
                return v

    def _shown(self, sl, key: str, sent: dict[str, float]) -> float:
        """The value a browser shows for this slider after the run: the server's when it sets one
        (``set_value``); otherwise the browser keeps its own, the value it sent (or held), and a
        slider it has not seen yet shows its default."""
        if sl.set_value and sl.value:
            return sl.value[0]
        if sl.id in sent:
            return sent[sl.id]
        held = self.sliders.get(key)
        return held.value if held is not None else sl.default[0]

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
                                         self._shown(sl, key, values))
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


async def run_sessions(n: int, base_url: str, moves: int, timeout: float, seed: int,
                       on_full=None, sticky: bool = False,
                       pause: tuple[float, float] = (0.05, 0.4)) -> list[SessionStats]:
    hold = Hold(n, on_full) if on_full is not None else None
    sessions = [Session(i + 1, base_url, moves, timeout, random.Random(seed + i), hold, sticky, pause)
                for i in range(n)]

    async def one(s: Session) -> SessionStats:
        stats = await s.run()
        if hold is not None and not hold.released.is_set() and s.stats.errors and len(s.stats.latencies) < moves:
            hold.mark()  # a session that failed early still counts, so the others are not held forever
        return stats

    return await asyncio.gather(*(one(s) for s in sessions))


@dataclass
class Target:
    """What the sessions talk to, and the server processes whose memory is measured."""
    base_url: str
    pids: dict[str, int]  # "server", or each replica's name -> its Streamlit process; empty when unknown
    sticky: bool  # through the proxy


@dataclass
class Run:
    """One measurement: ``n`` sessions at once, and the memory of each server process."""
    n: int
    stats: list[SessionStats]
    wall: float
    idle: dict[str, float]
    open: dict[str, float]
    peak: dict[str, float]
    odds: dict[str, float]  # each server's children (its odds process), with the sessions open
    names: list[str]  # the server processes measured, in order


def measure(target: Target, n: int, moves: int, timeout: float, seed: int,
            pause: tuple[float, float] = (0.05, 0.4)) -> Run:
    """Open ``n`` sessions at once against ``target``, each moving sliders ``moves`` times, ``pause``
    seconds (drawn uniformly from the range) after each answer."""
    idle = {name: rss_mb(pid) for name, pid in target.pids.items()}
    sampler = MemorySampler(target.pids)
    sampler.start()
    opened: dict[str, float] = {}
    odds: dict[str, float] = {}

    def on_full() -> None:
        opened.update({name: rss_mb(pid) for name, pid in target.pids.items()})
        odds.update({name: children_rss_mb(pid) for name, pid in target.pids.items()})

    started = time.perf_counter()
    stats = asyncio.run(run_sessions(n, target.base_url, moves, timeout, seed, on_full=on_full,
                                     sticky=target.sticky, pause=pause))
    wall = time.perf_counter() - started
    sampler.stop()
    if not opened:
        on_full()
    peak = {name: max(sampler.peak[name], opened[name]) for name in target.pids}
    return Run(n, stats, wall, idle, opened, peak, odds, list(target.pids))


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.0f}"


def report(run: Run, moves: int, per_replica: bool) -> list[tuple[int, str]]:
    """Print one run's figures; return its errors as (session, message)."""
    stats = run.stats
    all_lat = [x for s in stats for x in s.latencies]
    errors = [(s.index, e) for s in stats for e in s.errors]
    first = [s.first_load for s in stats if s.first_load == s.first_load]
    print()
    if per_replica:
        names = sorted({s.replica for s in stats if s.replica} | set(run.names))
        print(f"{'replica':>7} {'sessions':>8} {'reruns':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
              f"{'RSS idle MB':>11} {'open MB':>8} {'peak MB':>8} {'odds MB':>8}")
        for name in names:
            mine = [s for s in stats if s.replica == name]
            lat = [x for s in mine for x in s.latencies]
            mem = (f"{run.idle[name]:>11.0f} {run.open[name]:>8.0f} {run.peak[name]:>8.0f} {run.odds[name]:>8.0f}"
                   if name in run.idle else f"{'?':>11} {'?':>8} {'?':>8} {'?':>8}")
            print(f"{name:>7} {len(mine):>8} {len(lat):>6} {ms(percentile(lat, .5)):>7} "
                  f"{ms(percentile(lat, .95)):>7} {ms(max(lat, default=float('nan'))):>7} {mem}")
        kept = sum(1 for s in stats if s.replica and not any(e.startswith("stickiness") for e in s.errors))
        print(f"stickiness: {kept} of {run.n} sessions had their websocket and a later request on the "
              f"replica their cookie names")
    else:
        print(f"{'session':>7} {'first load s':>12} {'reruns':>6} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
        for s in stats:
            print(f"{s.index:>7} {s.first_load:>12.2f} {len(s.latencies):>6} {ms(percentile(s.latencies, .5)):>8} "
                  f"{ms(percentile(s.latencies, .95)):>8} {len(s.errors):>6}")
    print(f"reruns: {len(all_lat)} of {run.n * moves} in {run.wall:.1f} s; "
          f"latency p50 {ms(percentile(all_lat, .5))} ms, p95 {ms(percentile(all_lat, .95))} ms, "
          f"max {ms(max(all_lat, default=float('nan')))} ms")
    if first:
        print(f"first page load (all sessions at once): p50 {statistics.median(first):.2f} s, "
              f"max {max(first):.2f} s")
    if run.idle:
        idle, opened, peak = (sum(d.values()) for d in (run.idle, run.open, run.peak))
        label = "server RSS" if len(run.idle) == 1 else f"RSS of the {len(run.idle)} Streamlit processes together"
        print(f"{label}: warm idle {idle:.0f} MB, with {run.n} sessions open {opened:.0f} MB, "
              f"peak {peak:.0f} MB; {(opened - idle) / max(run.n, 1):.1f} MB per session; "
              f"odds processes {sum(run.odds.values()):.0f} MB on top")
    else:
        print("memory: not known (a proxy that deploy/run_local.py did not start on this machine)")
    print(f"errors: {len(errors)}")
    for index, e in errors[:30]:
        print(f"  session {index}: {e}")
    if len(errors) > 30:
        print(f"  ... and {len(errors) - 30} more")
    return errors


def running_layout_pids(url: str) -> dict[str, int]:
    """The replicas' processes of a layout deploy/run_local.py runs on this machine behind ``url``
    (from its state file), or {} when it is not one."""
    parts = urlsplit(url)
    path = state_path(parts.port or 80)
    if parts.hostname not in ("127.0.0.1", "localhost") or not path.exists():
        return {}
    return {r["name"]: r["pid"] for r in json.loads(path.read_text())["replicas"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=None,
                    help="concurrent sessions, one run for each number given "
                         "(default 25; through the proxy 50 100)")
    ap.add_argument("--moves", type=int, default=6, help="slider moves per session (default 6)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds a single run may take (default 180)")
    ap.add_argument("--pause", type=float, nargs=2, default=(0.05, 0.4), metavar=("LO", "HI"),
                    help="seconds each session waits after an answer before its next move, drawn uniformly "
                         "(default 0.05 0.4: moves back to back; 2 6: a person reading each answer)")
    ap.add_argument("--seed", type=int, default=1, help="random seed for the slider moves")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--replicas", type=int, choices=(2, 3),
                       help="start deploy/run_local.py's layout with this many replicas and go through its proxy")
    where.add_argument("--url", help="go through a running proxy, e.g. http://127.0.0.1:8080")
    args = ap.parse_args(argv)
    if not 0 <= args.pause[0] <= args.pause[1]:
        ap.error(f"--pause {args.pause[0]:g} {args.pause[1]:g}: LO and HI are seconds with 0 <= LO <= HI")
    through_proxy = args.replicas is not None or args.url is not None
    counts = args.sessions or ([50, 100] if through_proxy else [25])

    errors: list[tuple[int, str]] = []
    with contextlib.ExitStack() as stack:
        if args.replicas is not None:
            started = time.perf_counter()
            layout = stack.enter_context(LocalLayout(args.replicas))
            target = Target(layout.proxy_url, {r.name: r.proc.pid for r in layout.replicas}, True)
            print(f"layout: PostgreSQL, {args.replicas} replicas (streamlit run app.py) and HAProxy at "
                  f"{layout.proxy_url}, every part healthy after {time.perf_counter() - started:.1f} s")
        elif args.url is not None:
            target = Target(args.url.rstrip("/"), running_layout_pids(args.url), True)
            print(f"proxy: {target.base_url}")
        else:
            port = free_port()
            log_path = Path(tempfile.gettempdir()) / f"cx-roi-load-{port}.log"
            proc = start_server(port, log_path)
            stack.callback(stop_server, proc)
            boot = wait_healthy(port, proc)
            cold = rss_mb(proc.pid)
            target = Target(f"http://127.0.0.1:{port}", {"server": proc.pid}, False)
        # Warm-up, then closed: the app's imports and caches load once per process, so the
        # per-session figures count only what each session adds. Through the proxy, one session
        # per replica (round robin; three when the replicas are not known).
        warm = asyncio.run(run_sessions(len(target.pids) or 3, target.base_url, 1, args.timeout,
                                        args.seed - 1, sticky=target.sticky))
        time.sleep(1.0)
        warm_errors = sum(len(s.errors) for s in warm)
        if through_proxy:
            print(f"warm-up: {len(warm)} sessions (first load max {max(s.first_load for s in warm):.1f} s, "
                  f"{warm_errors} errors)")
        else:
            print(f"server: streamlit run app.py on 127.0.0.1:{port}, healthy after {boot:.1f} s, RSS {cold:.0f} MB; "
                  f"after one warm-up session (first load {warm[0].first_load:.1f} s, {warm_errors} errors) "
                  f"{rss_mb(proc.pid):.0f} MB")
        for n in counts:
            print()
            print(f"sessions: {n} at once, {args.moves} slider moves each, {args.pause[0]:g}-{args.pause[1]:g} s "
                  f"after each answer, over Streamlit's websocket protocol"
                  + (" through the proxy" if through_proxy else ""))
            run = measure(target, n, args.moves, args.timeout, args.seed, tuple(args.pause))
            errors += report(run, args.moves, per_replica=through_proxy)
            time.sleep(1.0)
    return 1 if errors else 0


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


if __name__ == "__main__":
    sys.exit(main())
