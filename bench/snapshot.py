"""Does the memory snapshot pay? The grade page's first answer with and without it.

    .venv/bin/python bench/snapshot.py <built site> [runs]

Two copies of one built site on loopback: as built, and with the snapshot taken out of the
2025.1 lock file (the worker then starts as before snapshots, with no fallback). In headless
Chromium, each run opens the grade page in a fresh context (cold: empty cache) and reloads it
once (warm cache); the figure is the page's own clock (performance.now(), from navigation)
when the first result shows. Runs alternate between the copies so that a busy machine slows
both alike; medians and ranges are printed.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.serve import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
GRADE = "/2025.1/calculators/grade/?site=pancreas&differentiation=well&ki67=10"
CALC = "2025.1/assets/calc"


def without_snapshot(site: Path, copy: Path) -> None:
    shutil.copytree(site, copy)
    for snapshot in (copy / CALC).glob("snapshot.*.bin"):
        snapshot.unlink()
    lock_path = copy / CALC / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    entry = lock["tool"]["nenguide"].pop("snapshot")
    lock["tool"]["nenguide"]["download_bytes"].pop(entry["file_name"])
    lock_path.write_text(json.dumps(lock, indent=1), encoding="utf-8")
    for suffix in (".gz", ".br"):
        lock_path.with_name(lock_path.name + suffix).unlink(missing_ok=True)


def serve(site: Path):
    server = make_server(site, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def first_answer(page) -> float:
    page.locator(".nen-result__category").wait_for(timeout=90_000)
    assert page.locator(".nen-result__category").inner_text() == "NET G2"
    return page.evaluate("performance.now()") / 1000


def one_run(browser, url: str) -> tuple[float, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url + GRADE)
        cold = first_answer(page)
        page.reload()
        return cold, first_answer(page)
    finally:
        context.close()


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):.2f} s "
            f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})")


def main() -> None:
    site = Path(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        without = Path(tmp) / "site"
        without_snapshot(site, without)
        servers = {"snapshot": serve(site), "no snapshot": serve(without)}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        times = {name: {"cold": [], "reload": []} for name in servers}
        one_run(browser, servers["snapshot"][1])  # warm the OS file cache for both
        one_run(browser, servers["no snapshot"][1])
        for index in range(runs):
            order = list(servers) if index % 2 == 0 else list(reversed(servers))
            for name in order:
                cold, reload = one_run(browser, servers[name][1])
                times[name]["cold"].append(cold)
                times[name]["reload"].append(reload)
        browser.close()
        for server, _ in servers.values():
            server.shutdown()
            server.server_close()
    for name, figures in times.items():
        for kind, values in figures.items():
            print(f"{name:12} {kind:6} {summary(values)}")


if __name__ == "__main__":
    main()
