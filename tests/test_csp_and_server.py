"""The Content-Security-Policy of every page, and the preview server's behaviour under abuse.

Every browser test already fails on a policy violation (conftest.open_context); here the
policy is read, an injected payload is shown not to run, and the server is probed."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import wait_until
from generator import csp
from generator.build import RUNTIME_FOLDER
from generator.serve import make_server

PAGES = ["/2025.1/", "/2025.1/treatment/", "/2025.1/references/", "/2025.1/changes/",
         "/2025.1/disclaimer/", "/2025.1/calculators/grade/", "/2025.1/calculators/pathway/",
         "/latest/classification/", "/2024.1/treatment/", "/2025.1/404.html"]


def test_every_built_page_carries_the_policy_first(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 30  # 2 versions, latest/ and the root page
    for page in pages:
        text = page.read_text(encoding="utf-8")
        meta = re.search(r'<meta id="nen-csp" http-equiv="Content-Security-Policy" '
                         r'content="([^"]+)">', text)
        assert meta, page
        first_script = text.find("<script")
        assert first_script == -1 or meta.start() < first_script, page
        policy = meta.group(1)
        script_src = re.search(r"script-src ([^;]+)", policy).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy
        # Exactly the page's own inline scripts are allowed.
        allowed = set(re.findall(r"'sha256-([^']+)'", script_src))
        assert allowed == csp.inline_hashes(text), page


def test_pages_run_under_the_policy_with_calculators_and_search(page, site_url):
    """conftest.open_context fails the test on any policy violation reported."""
    for path in PAGES:
        page.goto(site_url + path)
        page.locator("body").wait_for()
    page.goto(site_url + "/2025.1/calculators/grade/?site=pancreas&differentiation=well&ki67=5")
    page.locator(".nen-result__category").wait_for(timeout=90_000)
    assert page.locator(".nen-result__category").inner_text() == "NET G2"
    page.goto(site_url + "/2025.1/calculators/pathway/?category=NEC&site=pancreas"
                         "&stage=unresectable_metastatic&ki67=60&ecog=1")
    page.locator(".nen-option").first.wait_for(timeout=90_000)
    page.goto(site_url + "/2025.1/")
    page.get_by_label("Search", exact=True).first.click()
    box = page.get_by_role("textbox", name="Search")
    for _ in range(15):
        box.fill("")
        box.press_sequentially("sunitinib")
        try:
            wait_until(page, "document.querySelectorAll('.md-search-result__item').length > 0",
                       2_000)
            break
        except TimeoutError:
            continue
    assert page.locator(".md-search-result__item").count() > 0


@pytest.fixture()
def tampered_site(built_site, tmp_path):
    """A copy of one built page with a payload written into it after the build, as a content
    field would have put it there had the check let it through."""
    site = tmp_path / "site"
    shutil.copytree(built_site / "2025.1" / "assets", site / "2025.1" / "assets")
    text = (built_site / "2025.1" / "treatment" / "index.html").read_text(encoding="utf-8")
    payload = ('<script>window.__pwned = 1</script>'
               '<img src="x" onerror="window.__pwned = 2">'
               '<a id="bad" href="javascript:window.__pwned = 3">x</a>')
    (site / "2025.1" / "treatment").mkdir(parents=True)
    (site / "2025.1" / "treatment" / "index.html").write_text(
        text.replace("<article", payload + "<article", 1), encoding="utf-8")
    shutil.copy(built_site / csp.POLICY_FILE, site / csp.POLICY_FILE)
    return site


def test_an_injected_payload_does_not_run(browser, tampered_site):
    server = make_server(tampered_site, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    violations: list[str] = []
    context.on("console", lambda m: violations.append(m.text)
               if "Content Security Policy" in m.text else None)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/2025.1/treatment/")
        page.locator("#bad").click()
        time.sleep(0.5)
        assert page.evaluate("window.__pwned") is None
        assert len(violations) >= 3, violations  # the script, the handler, the javascript: URL
    finally:
        context.close()
        server.shutdown()
        server.server_close()


# --- The preview server -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server_port(built_site):
    server = make_server(built_site, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


def test_every_answer_carries_the_security_headers(server_port, built_site):
    for path in ("/2025.1/", f"/{RUNTIME_FOLDER}/pyodide.mjs", "/nothing-here"):
        status, headers, _ = get(server_port, path)
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Content-Security-Policy"].startswith(
            (built_site / csp.POLICY_FILE).read_text().strip())
        assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/_pyodide/", f"/{RUNTIME_FOLDER}/", "/2025.1/assets/",
                                  "/2025.1/assets/calc/rules/"])
def test_no_directory_listings(server_port, path):
    status, _, body = get(server_port, path)
    assert status == 404 and b"Directory listing" not in body


@pytest.mark.parametrize("path", ["/2025.1/%00", "/%00/../etc/passwd", "/2025.1/x%00.html"])
def test_a_malformed_path_is_a_clean_400(server_port, path):
    status, _, body = get(server_port, path)
    assert status == 400 and b"Traceback" not in body


def test_a_path_cannot_leave_the_site(server_port):
    for path in ("/../../../../etc/passwd", "/2025.1/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"):
        status, _, body = get(server_port, path)
        assert b"root:" not in body and status == 404, path


def test_a_burst_of_clients_is_served_without_failures(server_port):
    paths = ["/2025.1/", "/2025.1/treatment/", "/2025.1/assets/nenguide.css",
             "/2025.1/assets/calc/rules/grade.json", "/versions.json"]

    def one(index: int) -> int:
        try:
            return get(server_port, paths[index % len(paths)])[0]
        except OSError:
            return -1

    with ThreadPoolExecutor(max_workers=200) as clients:
        statuses = list(clients.map(one, range(2_000)))
    assert statuses == [200] * 2_000


def test_half_sent_requests_are_dropped_and_do_not_block_others(server_port):
    from generator.serve import CONNECTION_TIMEOUT_S, WORKERS

    stalled = []
    for _ in range(WORKERS + 8):  # every worker held, and some waiting behind them
        client = socket.create_connection(("127.0.0.1", server_port))
        client.sendall(b"GET /2025.1/ HTTP/1.1\r\nHost: x\r\n")  # never finished
        stalled.append(client)
    try:
        started = time.monotonic()
        assert get(server_port, "/2025.1/")[0] == 200  # served once the stalled time out
        assert time.monotonic() - started < 3 * CONNECTION_TIMEOUT_S
        stalled[0].settimeout(3 * CONNECTION_TIMEOUT_S)
        assert stalled[0].recv(1024) == b""  # the server closed the stalled connection
    finally:
        for client in stalled:
            client.close()
