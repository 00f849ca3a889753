"""Benchmarks, each figure beside a baseline measured in the same run; writes BENCHMARKS.md.

    make bench        (or: .venv/bin/python bench/run.py [--runs 7] [--output BENCHMARKS.md])

1. Browser (headless Chromium, `nenguide serve` on loopback), bench/browser.py: navigation to
   the first grade and pathway result, cold and on reload, with each one's timeline; the
   pathway after the grade page; recalculation; the main thread's longest task; bytes
   transferred; the same under network throttling. Baselines: a bare loadPyodide() page and
   a fetch + WebAssembly.compileStreaming floor of pyodide.asm.wasm, from the same files.
2. Builds and checks (bench/builds.py): today's content, 1, 2 and 10 releases, a guideline
   10× today's size, each vs plain `mkdocs build` of the same Markdown; `nenguide check`
   vs starting Python.
3. Server load (bench/load.py): `nenguide serve` vs Python's ThreadingHTTPServer.
Figures come out as median and min–max of --runs runs (7 unless told).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import browser  # noqa: E402
import builds  # noqa: E402
import load  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
from generator import build, content  # noqa: E402
from generator.serve import make_server  # noqa: E402
from stats import Samples  # noqa: E402


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument("--throttled-runs", type=int, help="runs per throttled figure "
                        "(default: --runs)")
    # Each of these builds takes minutes (about 100 s on 2 busy cores): 3 runs keep the bench
    # bounded; their n is printed beside them like every other figure's.
    parser.add_argument("--large-build-runs", type=int, default=3, help="runs of the "
                        "10-release and 10×-size builds (default 3; 0 leaves them out)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--screenshot", type=Path, default=Path("/tmp/shots/bench-grade.png"))
    return parser.parse_args()


def browser_figures(site: Path, version: str, options, results: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        bench = browser.Bench(playwright, site, version)
        try:
            results["chromium"] = bench.browser.version
            results["urls"] = bench.site
            bench.run_loopback(options.runs, say)
            bench.run_throttled(options.throttled_runs or options.runs, say)
            results["recalculation"] = Samples.of(bench.recalculations(options.screenshot))
            say("recalculations done")
        finally:
            bench.close()
        results["figures"] = bench.figures


def cpython_recalculation(site: Path, version: str) -> Samples:
    """The baseline of a recalculation: the same calculator called in CPython, in-process."""
    import json

    from calculators import json_api

    rules = (site / version / "assets" / "calc" / "rules" / "grade.json").read_text("utf-8")
    times = []
    for index in range(browser.RECALCULATIONS):
        inputs = json.dumps({"site": "pancreas", "differentiation": "well",
                             "ki67_percent": str(0.5 + (index * 7) % 60),
                             "mitoses_per_2mm2": "1"})  # the browser's inputs, as it sends them
        started = time.perf_counter()
        json_api.run("grade", inputs, rules)
        times.append((time.perf_counter() - started) * 1000)
    return Samples.of(times)


def build_figures(work: Path, options, results: dict) -> None:
    large_runs = options.large_build_runs
    trees = [("today's content", ROOT / "content", options.runs)]
    for count in (1, 2, 10):
        runs = options.runs if count < 10 else large_runs
        label = f"{count} release{'s' if count > 1 else ''} (copies of the draft)"
        trees.append((label, builds.releases_tree(work / f"releases-{count}", count), runs))
    trees.append(("guideline 10× today's size", builds.scaled_tree(work / "scaled", 10),
                  large_runs))
    trees = [tree for tree in trees if tree[2] > 0]
    rows = []
    for label, tree, runs in trees:
        configs = builds.plain_mkdocs_configs(tree, work / "plain" / str(len(rows)))
        ours, plain = [], []
        for run in range(runs):
            ours.append(builds.time_build(tree, work / "sites" / f"{len(rows)}"))
            plain.append(builds.time_plain_mkdocs(configs))
            say(f"build {label}: run {run + 1}/{runs}")
        versions = len(content.load_guidelines(tree)[0].all_versions())
        rows.append({"label": label, "versions": versions,
                     "recommendations": builds.count_recommendations(tree),
                     "ours": Samples.of(ours), "plain": Samples.of(plain)})
    results["builds"] = rows
    checks = []
    for label, tree, runs in [t for t in trees if not t[0].startswith(("1 ", "2 "))]:
        checks.append({"label": label,
                       "samples": Samples.of(builds.time_check(tree) for _ in range(runs))})
        say(f"check {label} done")
    results["checks"] = checks
    results["python_start"] = Samples.of(builds.time_python_start() for _ in range(options.runs))


def git_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout
    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = bool(git("status", "--porcelain", "--untracked-files=no").strip())
    return f"{commit}{' with uncommitted changes' if dirty else ''}"


def main() -> None:
    options = arguments()
    started = time.perf_counter()
    results: dict = {"options": options, "load_start": machine.load_average(),
                     "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
                     "git": git_state()}
    with tempfile.TemporaryDirectory(prefix="nenguide-bench-") as tmp:
        work = Path(tmp)
        site = work / "site"
        say("building the site under test")
        build.build_site(ROOT / "content", site)
        version = content.load_guidelines(ROOT / "content")[0].current.version
        results["version"] = version
        browser_figures(site, version, options, results)
        results["cpython_recalculation"] = cpython_recalculation(site, version)
        build_figures(work, options, results)
        say("server load test")
        results["load"] = (load.load_test(site, make_server(site, "127.0.0.1", 0, quiet=True)),
                           load.load_test(site, load.plain_server(site)))
    results["load_end"] = machine.load_average()
    results["machine"] = machine.describe(results["chromium"])
    results["duration"] = time.perf_counter() - started
    options.output.write_text(report.markdown(results), encoding="utf-8")
    say(f"wrote {options.output} in {results['duration'] / 60:.1f} min")


if __name__ == "__main__":
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    main()
