"""Benchmarks, each figure from one run, side by side with its baseline.

    make bench        (or: .venv/bin/python bench/run.py)

1. Build: `nenguide build` of all content vs a plain `mkdocs build` of the same rendered pages.
2. Size of site/ and of its parts.
3. Browser (headless Chromium, loopback HTTP): opening the grade calculator page until the
   first result is shown, vs a bare page that only calls loadPyodide() on the same runtime.
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
BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare loadPyodide</title>
<script type="module">
const t0 = performance.now();
const { loadPyodide } = await import("./_pyodide/pyodide.mjs");
// The shared runtime has no lock file of its own: each version brings one (a tiny one).
const pyodide = await loadPyodide({ indexURL: new URL("./_pyodide/", location.href).href,
  lockFileURL: new URL("./VERSION/assets/calc/pyodide-lock.json", location.href).href });
pyodide.runPython("1 + 1");
document.title = "done " + ((performance.now() - t0) / 1000).toFixed(3);
</script>"""


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
    (site / "bare.html").write_text(BARE_PAGE.replace("VERSION", latest), encoding="utf-8")
    server = make_server(site, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/bare.html")
            page.wait_for_function("document.title.startsWith('done')", timeout=120_000)
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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        site = work / "site"
        build_seconds = time_build(site)
        plain_seconds = time_plain_mkdocs(work / "plain")
        runtime_bytes = folder_size(site / build.RUNTIME_FOLDER)
        total_bytes = folder_size(site)
        calculator_seconds, bare_seconds = time_browser(site)
    mb = 1024 * 1024
    print("| measure | nenguide | baseline |")
    print("| --- | --- | --- |")
    print(f"| build (all versions) | {build_seconds:.2f} s `nenguide build` | "
          f"{plain_seconds:.2f} s plain `mkdocs build` of the same pages |")
    print(f"| size of site/ | {total_bytes / mb:.1f} MB | Pyodide runtime alone "
          f"{runtime_bytes / mb:.1f} MB |")
    print(f"| open grade page -> first result | {calculator_seconds:.2f} s | bare "
          f"loadPyodide() {bare_seconds:.2f} s |")


if __name__ == "__main__":
    main()
