"""The calculator's loading status as a pathologist meets it, in headless Chromium: stages in
plain words and in order, a percentage that rises while a slow download lasts (Chromium's own
network throttling), a form that takes a question at once, and a status that axe-core and a
phone screen accept. No test asserts a wall-clock time."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest

from conftest import wait_until
from generator.serve import make_server
from test_accessibility import AXE, BLOCKING, axe_violations, describe
from test_browser import CALCULATOR_TIMEOUT_MS, GRADE_PAGE, PATHWAY_PAGE

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
STAGES = ["Preparing the calculator…", "Starting the calculator…", "Almost ready…",
          "Calculator ready"]
# Words of the machinery that mean nothing to a reader.
JARGON = re.compile(r"pyodide|wasm|webassembly|python|runtime|stdlib|package|worker|\.zip",
                    re.IGNORECASE)
# A slow link: 20 Mbit/s with 40 ms of latency (Chromium's devtools protocol).
SLOW_LINK = {"offline": False, "latency": 40, "downloadThroughput": 20e6 / 8,
             "uploadThroughput": 20e6 / 8}

# Records every text the status shows, and every percentage, in order, from the first paint:
# the page's own Content-Security-Policy does not govern scripts added through the protocol.
RECORDER = """
window.nenStatusTexts = [];
window.nenPercents = [];
new MutationObserver(() => {
  const words = document.querySelector('.nen-status [id$="-status-text"]');
  const percent = document.querySelector('.nen-status__percent');
  if (words && window.nenStatusTexts.at(-1) !== words.textContent) {
    window.nenStatusTexts.push(words.textContent);
  }
  if (percent && percent.textContent && window.nenPercents.at(-1) !== percent.textContent) {
    window.nenPercents.push(percent.textContent);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def recording_page(context):
    context.add_init_script(RECORDER)
    page = context.new_page()
    return page


def wait_ready(page, prefix):
    wait_until(page, f"document.getElementById('{prefix}-status').dataset.state === 'ready'",
               CALCULATOR_TIMEOUT_MS)


def throttle(context, page):
    """Chromium's network throttling for the page and the worker it starts."""
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", SLOW_LINK)
    return session


def in_order(texts: list[str], stages: list[str]) -> bool:
    """Whether the stages appear in the texts, in this order (other texts may come between)."""
    position = 0
    for text in texts:
        if position < len(stages) and text.startswith(stages[position]):
            position += 1
    return position == len(stages)


@pytest.fixture(scope="module")
def uncompressed_url(built_site, tmp_path_factory):
    """The site served as a static host without pre-compressed copies would serve it: each
    response's Content-Length is then the size of the bytes its body delivers, the only case
    in which the worker can tell a true percentage."""
    site = tmp_path_factory.mktemp("plain") / "site"
    shutil.copytree(built_site, site)
    for copy in [*site.rglob("*.br"), *site.rglob("*.gz")]:
        copy.unlink()
    server = make_server(site, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path, prefix", [(GRADE_PAGE, "grade"), (PATHWAY_PAGE, "pathway")])
def test_the_stages_appear_in_order_in_plain_words(open_context, site_url, path, prefix):
    page = recording_page(open_context())
    page.goto(site_url + path)
    wait_ready(page, prefix)
    texts = page.evaluate("window.nenStatusTexts")
    assert in_order(texts, STAGES), texts
    assert not [text for text in texts if JARGON.search(text)], texts
    # The bar is there while loading, and gone once ready.
    assert page.locator(f"#{prefix}-progress").is_hidden()


@pytest.mark.parametrize("served", ["compressed", "uncompressed"])
def test_a_slow_download_shows_a_rising_percentage(open_context, request, served):
    """Compressed (nenguide serve's .br copies), the sizes come from the lock file; plain, from
    Content-Length."""
    url = request.getfixturevalue("site_url" if served == "compressed" else "uncompressed_url")
    context = open_context(viewport={"width": 375, "height": 740})
    page = recording_page(context)
    throttle(context, page)
    page.goto(url + GRADE_PAGE)
    wait_until(page, "window.nenPercents.length >= 3", CALCULATOR_TIMEOUT_MS)
    SHOTS.mkdir(exist_ok=True)
    page.locator("#grade-status").screenshot(path=str(SHOTS / "progress-percent-375.png"))
    page.screenshot(path=str(SHOTS / "progress-page-375.png"))
    wait_ready(page, "grade")
    percents = page.evaluate("window.nenPercents")
    numbers = [int(text.removesuffix(" %")) for text in percents]
    assert all(re.fullmatch(r"\d{1,3} %", text) for text in percents), percents
    assert numbers == sorted(numbers) and numbers[0] < numbers[-1] <= 100, percents
    texts = page.evaluate("window.nenStatusTexts")
    assert in_order(texts, STAGES), texts
    assert not [text for text in texts + percents if JARGON.search(text)]
    # The percentage is shown, not announced: it sits outside what the live region reads.
    assert page.locator("#grade-status-percent").get_attribute("aria-hidden") == "true"


def test_each_runtime_file_is_downloaded_once(open_context, uncompressed_url):
    """The bytes are counted from the responses the runtime reads itself, not fetched again."""
    context = open_context()
    page = recording_page(context)
    page.goto(uncompressed_url + GRADE_PAGE)
    wait_ready(page, "grade")
    runtime = [url for url in context.requests if "/_pyodide/" in url]
    assert runtime and len(runtime) == len(set(runtime)), runtime


def test_an_early_question_is_answered_after_the_stages(open_context, site_url):
    context = open_context()
    held = []
    # Hold the runtime's wasm: the calculator cannot be ready before the question is asked.
    context.route(re.compile(r"/_pyodide/.*pyodide\.asm\.wasm$"), lambda route: held.append(route))
    page = recording_page(context)
    page.goto(site_url + GRADE_PAGE)
    page.get_by_label("Ki-67 index (%)", exact=True).click()
    page.keyboard.type("25")
    page.keyboard.press("Enter")
    assert "as soon as the calculator has loaded" in page.locator("#grade-status-text").inner_text()
    for _ in range(600):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the runtime was never requested"
    assert page.locator("#grade-status").get_attribute("data-state") == "loading"
    held[0].continue_()
    wait_until(page, "document.getElementById('grade-result').dataset.answers === '1'",
               CALCULATOR_TIMEOUT_MS)
    assert page.locator(".nen-result__category").inner_text() == "NET G3"
    assert "WHO category: NET G3." in page.locator("#grade-status-text").inner_text()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_loading_status_passes_axe(open_context, site_url, width):
    context = open_context(viewport={"width": width, "height": 900})
    context.add_init_script(path=str(AXE))
    held = []
    context.route(re.compile(r"/_pyodide/.*pyodide\.asm\.wasm$"), lambda route: held.append(route))
    page = context.new_page()
    page.goto(site_url + GRADE_PAGE)
    assert page.locator("#grade-progress").is_visible()
    status = page.locator("#grade-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    # On a phone the status fits the screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    if width == 375:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "progress-loading-375.png"))
    for _ in range(600):
        if held:
            break
        page.wait_for_timeout(50)
    for route in held:
        route.continue_()
    wait_ready(page, "grade")
