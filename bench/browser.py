"""Browser figures: headless Chromium against `nenguide serve` on loopback.

Every page is read the same way: bench/pages/probe.js (an init script) notes, in ms since
navigation started, when the calculator worker is created, when its messages arrive, when a
result box counts its first answer (data-answers), and every main-thread long task. The
baseline pages (bench/pages/bare.*, floor.*) are copied into the built site and set
data-answers when done, so "first result" means the same for all of them.

Cold: a fresh browser context (its own empty HTTP cache). Reload: the same context, the same
URL a second time. Bytes: transferSize from Resource Timing, in the page and in its workers
(0 for an answer from the HTTP cache; the worker's own script file is not listed there).
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from generator.build import RUNTIME_FOLDER
from generator.serve import make_server

PAGES = Path(__file__).resolve().parent / "pages"
BENCH_FOLDER = "_bench"  # where the baseline pages go inside the site under test
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
VISIT_TIMEOUT_S = 180
POLL_S = 0.05
# Chromium's devtools throttling: 20 Mbit/s both ways, 40 ms latency.
THROTTLE = {"offline": False, "latency": 40, "downloadThroughput": 20_000_000 / 8,
            "uploadThroughput": 20_000_000 / 8}
# A shared link asks at once, so navigation alone leads to the first result.
GRADE_QUERY = {"site": "pancreas", "differentiation": "well", "ki67": "5", "mitoses": "1"}
PATHWAY_QUERY = {"category": "NEC", "site": "pancreas", "stage": "unresectable_metastatic"}
RECALCULATIONS = 100


@dataclass
class Visit:
    """One navigation, in ms since it started, and the bytes it transferred."""

    first_result: float
    stages: dict[str, float] = field(default_factory=dict)
    longest_task: float = 0.0  # the longest main-thread task until the first result
    longest_task_after_worker: float = 0.0  # ... of those that started once the worker existed
    bytes_total: int = 0
    bytes_pyodide: int = 0


@dataclass
class Site:
    """The URLs of the site under test, all found in the built site rather than assumed."""

    base: str
    version: str
    runtime: str  # the folder that holds pyodide.mjs
    wasm: str
    lock: str

    def grade(self) -> str:
        return f"{self.base}/{self.version}/calculators/grade/?{urlencode(GRADE_QUERY)}"

    def pathway(self) -> str:
        return f"{self.base}/{self.version}/calculators/pathway/?{urlencode(PATHWAY_QUERY)}"

    def content(self) -> str:
        return f"{self.base}/{self.version}/"

    def bare(self) -> str:
        query = urlencode({"runtime": self.runtime, "lock": self.lock})
        return f"{self.base}/{BENCH_FOLDER}/bare.html?{query}"

    def floor(self) -> str:
        return f"{self.base}/{BENCH_FOLDER}/floor.html?{urlencode({'wasm': self.wasm})}"


def runtime_files(site: Path, version: str) -> tuple[str, str, str]:
    """Site paths of the runtime folder, its wasm and the version's lock file, wherever the
    build put them (the runtime's folder layout is allowed to change)."""
    wasm = _only(site.rglob("pyodide.asm.wasm"), "pyodide.asm.wasm")
    _only(wasm.parent.glob("pyodide.mjs"), "pyodide.mjs beside pyodide.asm.wasm")
    lock = _only((site / version).glob("**/pyodide-lock.json"), f"{version}'s pyodide-lock.json")
    as_url = lambda path: "/" + path.relative_to(site).as_posix()  # noqa: E731
    return as_url(wasm.parent) + "/", as_url(wasm), as_url(lock)


def _only(paths, what: str) -> Path:
    found = sorted(paths)
    if len(found) != 1:
        raise SystemExit(f"bench: expected one {what} in the built site, found {len(found)}")
    return found[0]


def _is_pyodide(url: str) -> bool:
    """Bytes of the Python runtime and what it loads (wasm, stdlib, wheel, lock, snapshot)."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    runtime = "/" + RUNTIME_FOLDER.split("/")[0] + "/"
    return (runtime in path or name.endswith((".wasm", ".whl", ".zip"))
            or "pyodide" in name or "snapshot" in name)


# --- one visit ----------------------------------------------------------------------------------
def visit(page, url: str, *, settle_s: float | None = None) -> Visit:
    """Navigate and wait for the first result (or, for a content page, load + settle_s)."""
    page.goto(url, wait_until="commit", timeout=VISIT_TIMEOUT_S * 1000)
    deadline = time.monotonic() + VISIT_TIMEOUT_S
    if settle_s is not None:
        page.wait_for_load_state("load")
        time.sleep(settle_s)
        end = page.evaluate("performance.now()")
    else:
        while not (answers := page.evaluate("window.__nenBench?.answers ?? []")):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no result within {VISIT_TIMEOUT_S} s: {url}")
            time.sleep(POLL_S)
        end = answers[0]
    record = page.evaluate("window.__nenBench")
    worker = _calculator_worker(record)
    result = Visit(first_result=end, stages=_stages(page, record, worker))
    tasks = [t for t in record["longtasks"] if t["start"] <= end]
    result.longest_task = max((t["duration"] for t in tasks), default=0.0)
    if worker is not None:
        created = record["workers"][worker]["at"]
        result.longest_task_after_worker = max(
            (t["duration"] for t in tasks if t["start"] >= created), default=0.0)
    for url_seen, size, _ in _resources(page):
        result.bytes_total += size
        if _is_pyodide(url_seen):
            result.bytes_pyodide += size
    return result


def _calculator_worker(record: dict) -> int | None:
    """The calculator's worker: the one that reports progress or answers (a page may also
    start Material's search worker)."""
    return next((m["worker"] for m in record["messages"]
                 if m.get("type") in ("progress", "ready", "result")), None)


def _stages(page, record: dict, worker: int | None) -> dict[str, float]:
    """The calculator's timeline: its worker created, the first message of each progress step
    (named by its text), ready, the answer; the wasm download from the workers' Resource
    Timing; and any `nen-bench:` performance marks on the page."""
    stages = {}
    if worker is not None:
        stages["worker created"] = record["workers"][worker]["at"]
    for message in record["messages"]:
        if message["worker"] != worker:
            continue
        kind = message.get("type")
        if kind == "progress":
            label = f"progress {message.get('step')}: “{message.get('text')}”"
        elif kind in ("ready", "result"):
            label = {"ready": "worker says ready", "result": "first answer arrives"}[kind]
        else:
            continue  # Pyodide's own messages, or kinds this bench does not know
        stages.setdefault(label, message["at"])
    for url, _, response_end in _resources(page):
        if url.endswith("pyodide.asm.wasm"):
            stages.setdefault("pyodide.asm.wasm downloaded", response_end)
    marks = page.evaluate("performance.getEntriesByType('mark')"
                          ".filter((m) => m.name.startsWith('nen-bench:'))"
                          ".map((m) => [m.name.slice(10), m.startTime])")
    for name, at in marks:
        stages.setdefault(name, at)
    return stages


_RESOURCES = """() => [performance.timeOrigin,
  [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .map((e) => [e.name, e.transferSize, e.responseEnd])]"""


def _resources(page) -> list[tuple[str, int, float]]:
    """(url, transferSize, responseEnd in the page's ms) for the page and its workers."""
    origin, entries = page.evaluate(_RESOURCES)
    found = [tuple(entry) for entry in entries]
    for worker in page.workers:
        try:
            worker_origin, worker_entries = worker.evaluate(_RESOURCES)
        except Exception:  # a worker that ended meanwhile
            continue
        found += [(url, size, end + worker_origin - origin) for url, size, end in worker_entries]
    return found


# --- the runs -----------------------------------------------------------------------------------
class Bench:
    """One browser and one server for all browser figures; each figure a list of visits."""

    def __init__(self, playwright, site_dir: Path, version: str):
        shutil.copytree(PAGES, site_dir / BENCH_FOLDER, dirs_exist_ok=True)
        self.probe = (PAGES / "probe.js").read_text(encoding="utf-8")
        self.server = make_server(site_dir, "127.0.0.1", 0, quiet=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.site = Site(base, version, *runtime_files(site_dir, version))
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.figures: dict[str, list[Visit]] = {}

    def close(self) -> None:
        self.browser.close()
        self.server.shutdown()
        self.server.server_close()

    def _page(self, throttled: bool = False):
        context = self.browser.new_context()
        context.add_init_script(self.probe)
        page = context.new_page()
        if throttled:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", THROTTLE)
        return context, page

    def _note(self, name: str, result: Visit) -> None:
        self.figures.setdefault(name, []).append(result)

    def cold_and_reload(self, name: str, url: str, *, then: tuple[str, str] | None = None,
                        throttled: bool = False, reload: bool = True) -> None:
        prefix = "throttled " if throttled else ""
        context, page = self._page(throttled)
        try:
            self._note(f"{prefix}{name} cold", visit(page, url))
            if reload:
                self._note(f"{prefix}{name} reload", visit(page, url))
            if then:  # another page in the same context: what the first one left in the cache
                self._note(f"{prefix}{then[0]}", visit(page, then[1]))
        finally:
            context.close()

    def run_loopback(self, runs: int, progress) -> None:
        """The unthrottled figures, every variant once per run, interleaved."""
        site = self.site
        for run in range(runs):
            self.cold_and_reload("grade", site.grade(),
                                 then=("pathway after grade", site.pathway()))
            self.cold_and_reload("pathway", site.pathway())
            self.cold_and_reload("bare loadPyodide", site.bare())
            self.cold_and_reload("floor", site.floor())
            context, page = self._page()
            try:
                self._note("content page cold", visit(page, site.content(), settle_s=1.0))
            finally:
                context.close()
            progress(f"browser run {run + 1}/{runs}")

    def run_throttled(self, runs: int, progress) -> None:
        site = self.site
        for run in range(runs):
            self.cold_and_reload("grade", site.grade(), throttled=True)
            self.cold_and_reload("bare loadPyodide", site.bare(), throttled=True, reload=False)
            self.cold_and_reload("floor", site.floor(), throttled=True, reload=False)
            progress(f"throttled run {run + 1}/{runs}")

    def recalculations(self, screenshot: Path | None = None) -> list[float]:
        """ms from an input change to the answer in the page, RECALCULATIONS times in a row."""
        context, page = self._page()
        try:
            visit(page, self.site.grade())
            times = page.evaluate(_RECALCULATE, RECALCULATIONS)
            if screenshot:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=False)
            return times
        finally:
            context.close()


# Changes the Ki-67 field (values across G1–G3), submits, and waits for the answer counter.
_RECALCULATE = """async (count) => {
  const box = document.querySelector("[data-answers]");
  const input = document.querySelector('[data-param="ki67"]');
  const times = [];
  for (let i = 0; i < count; i++) {
    const before = Number(box.dataset.answers);
    const answered = new Promise((resolve) => {
      const watch = new MutationObserver(() => {
        if (Number(box.dataset.answers) > before) { watch.disconnect(); resolve(); }
      });
      watch.observe(box, { attributes: true, attributeFilter: ["data-answers"] });
    });
    const started = performance.now();
    input.value = String(0.5 + (i * 7) % 60);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.form.requestSubmit();
    await answered;
    times.push(performance.now() - started);
  }
  return times;
}"""
