"""BENCHMARKS.md from one bench run: every figure beside its baseline, targets met or missed."""

from __future__ import annotations

import statistics

from load import CLIENTS, REQUESTS
from stats import Samples, millis, seconds, size, sizes, target

THROTTLE_TEXT = "20 Mbit/s down and up, 40 ms latency (Network.emulateNetworkConditions)"


def _s(visits, attribute="first_result") -> Samples:
    """Seconds from a list of visits (their figures are kept in ms)."""
    return Samples.of(getattr(v, attribute) / 1000 for v in visits)


def _ms(visits, attribute) -> Samples:
    return Samples.of(getattr(v, attribute) for v in visits)


def _bytes(visits, attribute) -> Samples:
    return Samples.of(getattr(v, attribute) for v in visits)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _timeline(visits) -> list[tuple[str, float]]:
    """Median ms of each stage the visits share, in time order, then the result drawn."""
    names = [name for name in visits[0].stages if all(name in v.stages for v in visits)]
    stages = [(name, statistics.median(v.stages[name] for v in visits)) for name in names]
    stages.append(("result drawn", statistics.median(v.first_result for v in visits)))
    return sorted(stages, key=lambda stage: stage[1])


def _longest_step(visits) -> str:
    stages = [("navigation", 0.0), *_timeline(visits)]
    gaps = [(later[1] - earlier[1], earlier[0], later[0])
            for earlier, later in zip(stages, stages[1:])]
    gap, start, end = max(gaps)
    return f"the longest step is {start} → {end}: {gap / 1000:.2f} s (medians)"


def markdown(results: dict) -> str:
    figures = results["figures"]
    options = results["options"]
    out = ["# Benchmarks", "",
           f"Written by `make bench` (bench/run.py) on {results['date']}, commit "
           f"{results['git']}; the bench took {results['duration'] / 60:.1f} min. Every figure is "
           "the median and (min–max) of n runs, beside a baseline measured in the same run. "
           "Do not compare figures from different machines or from a busy machine with an "
           "idle one: see the load average below.", ""]
    out += _machine(results) + _commands(options) + _targets(results)
    out += _first_results(results) + _timelines(figures)
    out += _recalculation(results) + _long_tasks(figures) + _transfer(figures)
    out += _throttled(figures) + _builds(results) + _server(results)
    return "\n".join(out).rstrip() + "\n"


def _machine(results: dict) -> list[str]:
    rows = [[name, value] for name, value in results["machine"]]
    rows.append(["load average at start", results["load_start"]])
    rows.append(["load average at end", results["load_end"]])
    return ["## Machine", ""] + _table(["", ""], rows)


def _commands(options) -> list[str]:
    return ["## Commands", "", "```sh",
            "make bench    # = .venv/bin/python bench/run.py, after the usual set-up",
            f".venv/bin/python bench/run.py --runs {options.runs}"
            + (f" --throttled-runs {options.throttled_runs}" if options.throttled_runs else "")
            + f" --large-build-runs {options.large_build_runs}" + "    # this run", "```", "",
            "The site under test is built into a temporary folder from `content/` and served by "
            "`nenguide serve`'s server on 127.0.0.1; the browser is headless Chromium, one fresh "
            "context (empty HTTP cache) per cold visit, the same context for a reload. The bench "
            "reads the runtime's paths from the built site. Baseline pages are copied into the "
            "site under `_bench/` (bench/pages/): `bare.html` only calls `loadPyodide()` on the "
            "site's runtime files and the version's lock file, on the main thread; `floor.html` "
            "only fetches and compiles `pyodide.asm.wasm` with `WebAssembly.compileStreaming`.",
            ""]


def _targets(results: dict) -> list[str]:
    figures = results["figures"]
    grade_cold = _s(figures["grade cold"]).median
    grade_reload = _s(figures["grade reload"]).median
    recalculation = results["recalculation"].median
    calculator_visits = [v for name, visits in figures.items() if "bare" not in name
                         and "floor" not in name and "content" not in name for v in visits]
    longest = max(v.longest_task_after_worker for v in calculator_visits)
    content_pyodide = max(v.bytes_pyodide for v in figures["content page cold"])
    check = results["checks"][0]["samples"].median
    why_cold = _longest_step(figures["grade cold"])
    why_reload = _longest_step(figures["grade reload"])
    rows = [
        ["first grade result, cold", "≤ 0.70 s", f"{grade_cold:.2f} s",
         target(grade_cold, 0.7, "s"), why_cold],
        ["first grade result, reload", "≤ 0.45 s", f"{grade_reload:.2f} s",
         target(grade_reload, 0.45, "s"), why_reload],
        ["recalculation, median", "< 10 ms", f"{recalculation:.1f} ms",
         target(recalculation, 10, "ms", below=True), ""],
        ["main-thread task from the calculators (longest of every calculator visit, tasks "
         "starting once the calculator's worker exists)", "none > 50 ms",
         f"{longest:.0f} ms" if longest else "none over 50 ms",
         target(longest, 50, "ms"),
         "a long task does not name its script: Material's own work counts too (its content "
         "page alone: longest "
         f"{max(v.longest_task for v in figures['content page cold']):.0f} ms)"],
        ["content page, bytes of Pyodide", "0 B", size(content_pyodide),
         target(content_pyodide, 0, "B"), ""],
        ["`nenguide check`, today's content", "< 1 s", f"{check:.2f} s",
         target(check, 1.0, "s", below=True),
         "includes starting Python and importing the command line "
         f"({results['python_start'].median:.2f} s alone)"],
    ]
    return ["## Targets", ""] + _table(["figure", "target", "median", "status", "why"], rows)


def _first_results(results: dict) -> list[str]:
    figures = results["figures"]
    bare_cold, bare_reload = _s(figures["bare loadPyodide cold"]), _s(figures["bare loadPyodide reload"])
    rows = []
    for label, name in (("grade calculator", "grade"), ("pathway calculator", "pathway")):
        cold, reload = _s(figures[f"{name} cold"]), _s(figures[f"{name} reload"])
        rows.append([label, seconds(cold), seconds(reload),
                     f"{cold.median / bare_cold.median:.2f} / "
                     f"{reload.median / bare_reload.median:.2f}"])
    after = _s(figures["pathway after grade"])
    rows.append(["pathway calculator opened after the grade result (same context, second "
                 "calculator)", seconds(after), "–",
                 f"{after.median / bare_reload.median:.2f} of bare reload"])
    rows.append(["baseline: bare `loadPyodide()` page", seconds(bare_cold), seconds(bare_reload),
                 "1"])
    rows.append(["floor: fetch + `compileStreaming` of pyodide.asm.wasm",
                 seconds(_s(figures["floor cold"])), seconds(_s(figures["floor reload"])),
                 f"{_s(figures['floor cold']).median / bare_cold.median:.2f} / "
                 f"{_s(figures['floor reload']).median / bare_reload.median:.2f}"])
    urls = results["urls"]
    return (["## Navigation → first result (loopback)", "",
             f"Version {results['version']}; the pages are opened with their inputs in the URL "
             "(a shared link asks at once), so the time runs from navigation start to the "
             "answer drawn in the page. Grade: "
             f"`{urls.grade().split('/', 3)[3]}`; pathway: `{urls.pathway().split('/', 3)[3]}`.",
             ""]
            + _table(["page", "cold", "reload", "ratio to bare loadPyodide (cold / reload)"],
                     rows))


def _timelines(figures: dict) -> list[str]:
    out = ["## Timelines", "",
           "Medians, ms after navigation start, as the page sees them: the calculator's worker "
           "created, the first message of each progress step it posts (with its text), "
           "\"ready\", the first answer's message, the result drawn; the wasm download ends "
           "from the worker's Resource Timing; `nen-bench:` marks if a page sets any. Stages "
           "that not every run reported are left out.", ""]
    for name in ("grade cold", "grade reload", "pathway cold", "pathway reload",
                 "pathway after grade", "bare loadPyodide cold", "bare loadPyodide reload"):
        visits = figures[name]
        out.append(f"**{name}** (n={len(visits)}): " + " → ".join(
            f"{stage} {at:.0f}" for stage, at in _timeline(visits)))
        out.append("")
    return out


def _recalculation(results: dict) -> list[str]:
    ours, python = results["recalculation"], results["cpython_recalculation"]
    rows = [["grade page: input change → answer in the page (worker round trip, drawing)",
             f"{ours.median:.1f} ms", f"{ours.percentile(0.95):.1f} ms",
             f"{ours.low:.1f}–{ours.high:.1f} ms"],
            ["baseline: the same calculator in CPython, in-process `json_api.run`",
             f"{python.median:.2f} ms", f"{python.percentile(0.95):.2f} ms",
             f"{python.low:.2f}–{python.high:.2f} ms"]]
    return (["## Recalculation", "",
             f"{len(ours.values)} changes in a row of the Ki-67 field (values across G1–G3), "
             "each submitted at once; the time runs from the change to the answer counter "
             "(`data-answers`) moving.", ""]
            + _table(["", "median", "p95", "min–max"], rows))


def _long_tasks(figures: dict) -> list[str]:
    rows = []
    for name in ("grade cold", "grade reload", "pathway cold", "pathway after grade",
                 "content page cold", "bare loadPyodide cold"):
        visits = figures[name]
        rows.append([name, millis(_ms(visits, "longest_task")),
                     millis(_ms(visits, "longest_task_after_worker"))
                     if "bare" not in name and "content" not in name else "–"])
    return (["## Main thread: longest task while a calculator loads", "",
             "PerformanceObserver `longtask` (only tasks over 50 ms are reported; 0 means none), "
             "from navigation to the first result (content page: to load + 1 s). The content "
             "page is the baseline for what the page itself costs (Material's CSS and bundle); "
             "the bare page runs `loadPyodide()` on the main thread.", ""]
            + _table(["page", "longest task, navigation → result",
                      "longest task starting once the calculator's worker exists"], rows))


def _transfer(figures: dict) -> list[str]:
    rows = []
    for label, name in (("content page (the version's home page), cold", "content page cold"),
                        ("grade calculator, cold", "grade cold"),
                        ("grade calculator, reload", "grade reload"),
                        ("pathway calculator after the grade calculator", "pathway after grade"),
                        ("pathway calculator, cold", "pathway cold"),
                        ("baseline: bare loadPyodide(), cold", "bare loadPyodide cold"),
                        ("baseline: bare loadPyodide(), reload", "bare loadPyodide reload"),
                        ("floor, cold", "floor cold")):
        visits = figures[name]
        rows.append([label, sizes(_bytes(visits, "bytes_total")),
                     sizes(_bytes(visits, "bytes_pyodide"))])
    return (["## Bytes transferred", "",
             "Sum of Resource Timing `transferSize` (headers and encoded body; 0 for an answer "
             "from the HTTP cache) of the page and its workers, up to the first result. "
             "\"Pyodide\" counts the runtime folder and any wasm, zip, wheel, lock file or "
             "snapshot.", ""]
            + _table(["page", "all", "of which Pyodide"], rows))


def _throttled(figures: dict) -> list[str]:
    rows = []
    for label, name in (("grade calculator, cold", "throttled grade cold"),
                        ("grade calculator, reload", "throttled grade reload"),
                        ("baseline: bare loadPyodide(), cold", "throttled bare loadPyodide cold"),
                        ("floor: fetch + compileStreaming, cold", "throttled floor cold")):
        rows.append([label, seconds(_s(figures[name]))])
    return (["## Navigation → first result, throttled", "",
             f"Chromium's devtools throttling: {THROTTLE_TEXT}, set on the page before "
             "navigation; it applies to the worker's requests too.", ""]
            + _table(["page", "first result"], rows))


def _builds(results: dict) -> list[str]:
    rows = []
    for row in results["builds"]:
        ours, plain = row["ours"], row["plain"]
        rows.append([row["label"], str(row["versions"]), str(row["recommendations"]),
                     seconds(ours), seconds(plain), f"{ours.median / plain.median:.1f}×"])
    checks = [[row["label"], seconds(row["samples"])] for row in results["checks"]]
    checks.append(["baseline: `python -c 'import generator.cli'`",
                   seconds(results["python_start"])])
    return (["## Build and check", "",
             "`nenguide --content <tree> build` from the command line (validation, rendering, "
             "`mkdocs build --strict` per version, search index, runtime, wheel, policy) vs "
             "plain `python -m mkdocs build` of the same rendered Markdown, once per version. "
             "Synthetic trees are made in a temporary folder from the newest draft: N copies of "
             "it as versions, or one version with every section ten times over (ids renamed).",
             ""]
            + _table(["content", "versions", "recommendations (drafts)", "`nenguide build`",
                      "plain `mkdocs build`", "ratio"], rows)
            + ["`nenguide check` (every check, the pathway's every-patient search included):", ""]
            + _table(["content", "`nenguide check`"], checks))


def _server(results: dict) -> list[str]:
    ours, plain = results["load"]
    rows = []
    for name, key in (("failed requests", "failures"), ("p50 latency", "p50"),
                      ("p99 latency", "p99"), ("requests per second", "rate")):
        form = "{:.0f}" if key in ("failures", "rate") else "{:.3f} s"
        rows.append([name, form.format(ours[key]), form.format(plain[key])])
    return (["## Server load", "",
             f"{CLIENTS} clients at once, {REQUESTS:,} requests over up to 400 of the site's "
             "files (one run).",
             ""]
            + _table(["", "`nenguide serve`", "Python's ThreadingHTTPServer"], rows))
