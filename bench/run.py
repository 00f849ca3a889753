"""Benchmarks, each figure from one run, side by side with its baseline.

    make bench        (or: .venv/bin/python bench/run.py)

1. Build: `nenguide build` of all content vs a plain `mkdocs build` of the same rendered pages.
2. Size of site/ and of its parts.
3. Browser (headless Chromium, loopback HTTP): opening the grade calculator page until the
   first result is shown, vs a bare page that only calls loadPyodide() on the same runtime.
4. Load: 200 clients at once, 10,000 requests over the site's files, against `nenguide serve`
   and against Python's plain ThreadingHTTPServer: failures, p50 and p99 latency, rate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import build, content, render  # noqa: E402
from generator.model import Release  # noqa: E402
from generator.serve import make_server  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
# The bare page's script is a file of its own: the site's Content-Security-Policy (sent by
# `nenguide serve`) runs no inline script it does not know.
BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare loadPyodide</title>
<script type="module" src="bare.mjs"></script>"""
BARE_SCRIPT = """const t0 = performance.now();
const { loadPyodide } = await import("./_pyodide/pyodide.mjs");
// The shared runtime has no lock file of its own: each version brings one (a tiny one).
const pyodide = await loadPyodide({ indexURL: new URL("./_pyodide/", location.href).href,
  lockFileURL: new URL("./VERSION/assets/calc/pyodide-lock.json", location.href).href });
pyodide.runPython("1 + 1");
document.title = "done " + ((performance.now() - t0) / 1000).toFixed(3);
"""
LOAD_CLIENTS, LOAD_REQUESTS = 200, 10_000


def time_build(site: Path) -> float:
    started = time.perf_counter()
    build.build_site(ROOT / "content", site)
    return time.perf_counter() - started


def time_plain_mkdocs(work: Path) -> float:
    """The same pages, prepared beforehand as the build prepares them (each draft rendered,
    each release's frozen pages), built by mkdocs alone: what our steps add."""
    import yaml

    guideline = content.load_guidelines(ROOT / "content")[0]
    configs = []
    for version in guideline.all_versions():
        docs = work / version.version / "docs"
        if isinstance(version, Release):
            build.write_release_docs(version, docs)
            nav = json.loads((version.folder / "record.json").read_text())["nav"]
        else:
            build.write_draft_docs(guideline, version, docs)
            nav = render.navigation(version)
        config = build.version_config(guideline, version, docs, work / version.version / "out",
                                      nav, build.DEFAULT_SITE_URL)
        configs.append(work / version.version / "mkdocs.yml")
        configs[-1].write_text(yaml.safe_dump(config), encoding="utf-8")
    started = time.perf_counter()
    for config in configs:
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config)],
                       check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return time.perf_counter() - started


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def time_browser(site: Path) -> tuple[float, float]:
    from playwright.sync_api import sync_playwright

    latest = content.load_guidelines(ROOT / "content")[0].latest.version
    (site / "bare.html").write_text(BARE_PAGE, encoding="utf-8")
    (site / "bare.mjs").write_text(BARE_SCRIPT.replace("VERSION", latest), encoding="utf-8")
    server = make_server(site, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/bare.html")
            deadline = time.monotonic() + 120
            while not page.title().startswith("done") and time.monotonic() < deadline:
                time.sleep(0.02)  # not wait_for_function: the policy forbids its eval
            bare = float(page.title().split()[1])
            page.close()

            page = browser.new_page()
            started = time.perf_counter()
            page.goto(f"{base}/{latest}/calculators/grade/")
            page.get_by_label("Ki-67 index (%)").fill("5")
            page.get_by_label("Mitoses per 2 mm²").fill("1")
            # Asked at once: the page keeps the question until the runtime is ready.
            page.get_by_role("button", name="Classify").click()
            page.locator(".nen-result__category").wait_for(timeout=120_000)
            calculator = time.perf_counter() - started
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return calculator, bare


def load_test(site: Path, server) -> dict[str, float]:
    """LOAD_CLIENTS clients at once, LOAD_REQUESTS requests in all, over the site's pages and
    files: failures (errors, resets, non-200), p50 and p99 latency, requests per second."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    paths = ["/" + str(p.relative_to(site)).replace("index.html", "")
             for p in sorted(site.rglob("*")) if p.is_file() and p.stat().st_size < 2_000_000
             and "/" in str(p.relative_to(site))][:400]

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
    with ThreadPoolExecutor(max_workers=LOAD_CLIENTS) as clients:
        times = list(clients.map(fetch, range(LOAD_REQUESTS)))
    elapsed = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    done = sorted(t for t in times if t is not None)
    return {"failures": len(times) - len(done), "p50": done[len(done) // 2] if done else 0,
            "p99": done[int(len(done) * 0.99)] if done else 0,
            "rate": LOAD_REQUESTS / elapsed}


def plain_server(site: Path):
    """The baseline: the standard library's ThreadingHTTPServer, a thread per connection."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    return http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = work / "site"
        build_seconds = time_build(site)
        plain_seconds = time_plain_mkdocs(work / "plain")
        runtime_bytes = folder_size(site / build.RUNTIME_FOLDER)
        total_bytes = folder_size(site)
        calculator_seconds, bare_seconds = time_browser(site)
        ours = load_test(site, make_server(site, "127.0.0.1", 0, quiet=True))
        plain = load_test(site, plain_server(site))
    mb = 1024 * 1024
    print("| measure | nenguide | baseline |")
    print("| --- | --- | --- |")
    print(f"| build (all versions) | {build_seconds:.2f} s `nenguide build` | "
          f"{plain_seconds:.2f} s plain `mkdocs build` of the same pages |")
    print(f"| size of site/ | {total_bytes / mb:.1f} MB | Pyodide runtime alone "
          f"{runtime_bytes / mb:.1f} MB |")
    print(f"| open grade page -> first result | {calculator_seconds:.2f} s | bare "
          f"loadPyodide() {bare_seconds:.2f} s |")
    for name, key, unit in (("failed requests", "failures", ""), ("p50 latency", "p50", " s"),
                            ("p99 latency", "p99", " s"), ("requests per second", "rate", "")):
        form = "{:.0f}" if key in ("failures", "rate") else "{:.3f}"
        print(f"| load: {LOAD_CLIENTS} clients, {LOAD_REQUESTS:,} requests, {name} | "
              f"{form.format(ours[key])}{unit} `nenguide serve` | "
              f"{form.format(plain[key])}{unit} Python's ThreadingHTTPServer |")


if __name__ == "__main__":
    main()
