#!/usr/bin/env python3
"""Load test of the served SPARQL endpoint: N concurrent clients for a bounded time.

Not run by CI. Each client (a thread) sends the stored queries of queries/ in rotation, one
at a time, and the script reports throughput, p50 and p99 latency, errors (there should be
none) and, when it started the server itself, the server's resident memory.

    python scripts/load_test.py [--clients 8] [--seconds 20] [--dist dist]
    python scripts/load_test.py --endpoint http://127.0.0.1:7878/query

Without --endpoint it loads dist/peron-kg.nq into a temporary store and starts
``oxigraph serve-read-only`` on a free loopback port with peron-kg's own functions, then stops
it. Only loopback endpoints are accepted: this is a load generator, and must not be pointed at
someone else's server.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    per_query: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(seconds)
                self.per_query.setdefault(name, []).append(seconds)
            else:
                self.errors.append(f"{name}: {error}")


def stored_queries(queries_dir: Path) -> list[tuple[str, str]]:
    """(name, text) of each local stored query, its declared defaults bound in VALUES, as
    ``peron-kg query --endpoint`` sends them."""
    from peron_kg.engines import bind_params, with_values
    from peron_kg.queries import read_query

    found = []
    for path in sorted(queries_dir.glob("*.rq")):
        stored = read_query(path)
        if stored.header.network:
            continue
        found.append((stored.name, with_values(stored.text, bind_params(stored, {}))))
    if not found:
        sys.exit(f"no stored query in {queries_dir}")
    return found


def client(index: int, url: str, queries: list[tuple[str, str]], deadline: float,
           tally: Tally, timeout: float) -> None:
    # No proxy: the endpoint is on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    i = index  # each client starts at another query, so the mix is even from the start
    while time.monotonic() < deadline:
        name, text = queries[i % len(queries)]
        i += 1
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode({"query": text}).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/sparql-results+json, application/n-triples"},
        )
        started = time.perf_counter()
        error = None
        try:
            with opener.open(request, timeout=timeout) as response:
                response.read()
                if response.status != 200:
                    error = f"HTTP {response.status}"
        except urllib.error.HTTPError as e:
            error = f"HTTP {e.code} {e.read()[:200]!r}"
        except (urllib.error.URLError, OSError) as e:
            error = f"{type(e).__name__}: {e}"
        tally.add(name, time.perf_counter() - started, error)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of a process, from /proc (Linux)."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    except OSError:
        pass
    return found


def is_loopback_url(url: str) -> bool:
    from peron_kg.serve import is_loopback

    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return is_loopback(host) or is_loopback(socket.gethostbyname(host))
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--endpoint", help="a running loopback endpoint (default: start one)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="holds peron-kg.nq, for the server this script starts")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    options = parser.parse_args()
    if not 1 <= options.clients <= 256 or not 0 < options.seconds <= 3600:
        parser.error("--clients must be 1..256 and --seconds 0..3600")

    from peron_kg.serve import (
        endpoint_url,
        prepare_store,
        start_server,
        stop_server,
        wait_until_ready,
    )

    queries = stored_queries(options.queries)
    proc = None
    with tempfile.TemporaryDirectory(prefix="peron-kg-load-") as tmp:
        if options.endpoint:
            if not is_loopback_url(options.endpoint):
                parser.error(f"{options.endpoint}: not a loopback endpoint")
            url = options.endpoint
        else:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            prepared = prepare_store(options.dist / "peron-kg.nq", Path(tmp) / "store")
            log = Path(tmp) / "server.log"
            proc = start_server(prepared.path, "127.0.0.1", port, timeout_s=30, log=log)
            url = endpoint_url("127.0.0.1", port)
        try:
            if proc is not None:
                wait_until_ready(url, timeout=30, proc=proc, log=log)
                idle = memory_kb(proc.pid)
            tally = Tally()
            deadline = time.monotonic() + options.seconds
            threads = [threading.Thread(target=client, daemon=True,
                                        args=(i, url, queries, deadline, tally, options.timeout))
                       for i in range(options.clients)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                # Bounded: a request in flight at the deadline gets its own timeout, no more.
                t.join(timeout=options.seconds + options.timeout + 5)
            elapsed = time.monotonic() - started
            loaded = memory_kb(proc.pid) if proc is not None else {}
        finally:
            if proc is not None:
                stop_server(proc)

    done = len(tally.latencies)
    print(f"endpoint: {url}")
    print(f"queries in rotation: {len(queries)} ({', '.join(n for n, _ in queries)})")
    print(f"clients: {options.clients}, duration: {elapsed:.1f} s")
    print(f"answered: {done}, throughput: {done / elapsed:.1f} queries/s")
    if done:
        print(f"latency: p50 {percentile(tally.latencies, 0.50) * 1000:.1f} ms, "
              f"p99 {percentile(tally.latencies, 0.99) * 1000:.1f} ms, "
              f"max {max(tally.latencies) * 1000:.1f} ms")
        width = max(len(n) for n in tally.per_query)
        for name, values in sorted(tally.per_query.items()):
            print(f"  {name:<{width}}  n={len(values):<6} p50 "
                  f"{statistics.median(values) * 1000:8.1f} ms  p99 "
                  f"{percentile(values, 0.99) * 1000:8.1f} ms")
    print(f"errors: {len(tally.errors)}")
    for error in tally.errors[:5]:
        print(f"  {error}")
    if proc is not None:
        print(f"server memory: VmRSS {idle.get('VmRSS', 0) / 1024:.1f} MiB idle, "
              f"{loaded.get('VmRSS', 0) / 1024:.1f} MiB after the run, "
              f"peak VmHWM {loaded.get('VmHWM', 0) / 1024:.1f} MiB")
    return 1 if tally.errors or not done else 0


if __name__ == "__main__":
    sys.exit(main())
