"""Server load test: many clients at once against `nenguide serve` and against Python's plain
ThreadingHTTPServer on the same files: failures, p50 and p99 latency, requests per second."""

from __future__ import annotations

import functools
import http.client
import http.server
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CLIENTS, REQUESTS = 200, 10_000


def load_test(site: Path, server) -> dict[str, float]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    paths = ["/" + str(p.relative_to(site)).replace("index.html", "")
             for p in sorted(site.rglob("*")) if p.is_file() and p.stat().st_size < 2_000_000
             and "/" in str(p.relative_to(site))
             and p.suffix not in (".br", ".gz")][:400]  # compressed copies, not addresses

    def fetch(index: int) -> float | None:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", paths[index % len(paths)])
            response = connection.getresponse()
            response.read()
            connection.close()
            return time.perf_counter() - started if response.status == 200 else None
        except OSError:
            return None

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        times = list(clients.map(fetch, range(REQUESTS)))
    elapsed = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    done = sorted(t for t in times if t is not None)
    return {"failures": len(times) - len(done), "p50": done[len(done) // 2] if done else 0,
            "p99": done[int(len(done) * 0.99)] if done else 0, "rate": REQUESTS / elapsed}


def plain_server(site: Path):
    """The baseline: the standard library's ThreadingHTTPServer, a thread per connection."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
