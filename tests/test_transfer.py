"""Caching and transfer: what `nenguide serve` says about each file (Cache-Control, ETag,
Last-Modified, 304), the build's pre-compressed copies and their negotiation, HTTP/1.1
keep-alive that never starves the worker pool, the versioned runtime URL, and, in Chromium,
that the runtime crosses the network once: not again for the pathway page after the grade page,
and never for a content page."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import socket
import threading
from pathlib import Path

import brotli
import pytest

from conftest import _is_local
from generator import build, compress, serve
from generator.build import RUNTIME_FOLDER
from test_browser import CALCULATOR_TIMEOUT_MS, GRADE_PAGE, PATHWAY_PAGE, open_page
from test_calculator_pages import screenshot, wait_for_answer

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = f"/{RUNTIME_FOLDER}/"
WASM = RUNTIME + "pyodide.asm.wasm"
PAGE = "/2025.1/treatment/"


# --- a server that records what it sent -----------------------------------------------------

class RecordingHandler(serve.SiteHandler):
    """The site's handler, noting (path, status, body bytes) of every answer."""

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def copyfile(self, source, outputfile):
        start = source.tell()
        super().copyfile(source, outputfile)
        self.server.sent.append((self.path, self._status, source.tell() - start))

    def send_head(self):
        self._status = None
        result = super().send_head()
        if result is None and self.command == "GET":
            self.server.sent.append((self.path, self._status, 0))
        return result


def start_server(site: Path, handler=serve.SiteHandler):
    headers = serve.security_headers(site)
    server = serve.SiteServer(("127.0.0.1", 0), lambda *args, **kwargs: handler(
        *args, directory=str(site), headers=headers, **kwargs))
    server.quiet = True
    server.site = site
    server.sent = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def server(built_site):
    server = start_server(built_site, RecordingHandler)
    yield server
    server.shutdown()
    server.server_close()


def request(server, path, headers=None, method="GET"):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# --- caching policy and validators ----------------------------------------------------------

@pytest.mark.parametrize("path", [WASM, RUNTIME + "pyodide.mjs", RUNTIME + "pyodide.asm.mjs"])
def test_the_versioned_runtime_is_immutable(server, path):
    status, headers, _ = request(server, path)
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"


def test_materials_content_hashed_files_are_immutable(server, built_site):
    bundle = next((built_site / "2025.1" / "assets" / "javascripts").glob("bundle.*.min.js"))
    _, headers, _ = request(server, "/2025.1/assets/javascripts/" + bundle.name)
    assert headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/", "/2025.1/", PAGE, "/versions.json",
                                  "/2025.1/search/search_index.json",
                                  "/2025.1/assets/calc/worker.mjs",
                                  "/2025.1/assets/calc/pyodide-lock.json",
                                  "/2025.1/assets/nenguide.css", "/_pyodide/pyodide.mjs"])
def test_pages_and_unversioned_files_are_revalidated(server, path):
    status, headers, _ = request(server, path)
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    assert headers["etag"].startswith('"') and headers["last-modified"].endswith("GMT")


def test_a_current_copy_gets_304_by_etag_and_by_date(server):
    _, first, body = request(server, PAGE)
    assert body
    status, headers, body = request(server, PAGE, {"If-None-Match": first["etag"]})
    assert (status, body) == (304, b"")
    assert headers["etag"] == first["etag"] and headers["cache-control"] == "no-cache"
    assert "content-security-policy" in headers  # security headers on every answer
    status, _, body = request(server, PAGE, {"If-Modified-Since": first["last-modified"]})
    assert (status, body) == (304, b"")


def test_a_changed_copy_gets_the_file(server):
    _, first, _ = request(server, PAGE)
    assert request(server, PAGE, {"If-None-Match": '"old"'})[0] == 200
    # If-None-Match decides when both are sent (RFC 9110): a stale ETag with a recent date.
    assert request(server, PAGE, {"If-None-Match": '"old"',
                                  "If-Modified-Since": first["last-modified"]})[0] == 200
    assert request(server, PAGE, {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})[0] == 200
    assert request(server, PAGE, {"If-Modified-Since": "not a date"})[0] == 200


def test_each_encoding_has_its_own_etag(server):
    tags = {request(server, WASM, {"Accept-Encoding": coding})[1]["etag"]
            for coding in ("identity", "gzip", "br")}
    assert len(tags) == 3


# --- pre-compressed copies ----------------------------------------------------------------

@pytest.mark.parametrize("accept, coding", [
    ("gzip, deflate, br, zstd", "br"),  # Chromium's header
    ("gzip", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("*", "br"),
    ("", None),
    ("identity", None),
])
def test_the_accepted_copy_is_sent_with_the_original_type(server, built_site, accept, coding):
    status, headers, body = request(server, WASM, {"Accept-Encoding": accept})
    assert status == 200 and headers["content-type"] == "application/wasm"
    assert headers.get("content-encoding") == coding
    assert headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(body)
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding]
    assert decode(body) == (built_site / WASM.lstrip("/")).read_bytes()


def test_pages_are_sent_compressed_to_a_browser(server, built_site):
    _, headers, body = request(server, PAGE, {"Accept-Encoding": "gzip, br"})
    assert headers["content-encoding"] == "br"
    assert headers["content-type"].startswith("text/html")
    original = (built_site / "2025.1" / "treatment" / "index.html").read_bytes()
    assert brotli.decompress(body) == original and len(body) < len(original) / 3


def test_head_answers_like_get_without_a_body(server):
    status, headers, body = request(server, WASM, {"Accept-Encoding": "br"}, method="HEAD")
    assert (status, body, headers["content-encoding"]) == (200, b"", "br")


def test_every_copy_holds_its_file_and_saves_at_least_a_tenth(built_site):
    copies = sorted(built_site.rglob("*.br")) + sorted(built_site.rglob("*.gz"))
    assert len(copies) > 100
    for copy in copies:
        original = copy.with_suffix("")
        if copy.name == "sitemap.xml.gz":
            continue  # MkDocs' own copy, kept as it wrote it
        decode = brotli.decompress if copy.suffix == ".br" else gzip.decompress
        assert decode(copy.read_bytes()) == original.read_bytes(), copy
        assert copy.stat().st_size <= 0.9 * original.stat().st_size, copy


def test_what_does_not_shrink_has_no_copy(built_site, server):
    stdlib = built_site / RUNTIME_FOLDER / "python_stdlib.zip"  # deflated already
    assert not stdlib.with_name(stdlib.name + ".gz").exists()
    assert not stdlib.with_name(stdlib.name + ".br").exists()
    _, headers, _ = request(server, RUNTIME + "python_stdlib.zip", {"Accept-Encoding": "br"})
    assert "content-encoding" not in headers and "vary" not in headers


def test_compression_is_reproducible_and_keeps_a_valid_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(compress, "CACHE", tmp_path / "cache")
    site = tmp_path / "site"
    site.mkdir()
    text = ("<p>Neuroendocrine neoplasms</p>\n" * 200).encode()
    (site / "page.html").write_bytes(text)
    (site / "noise.json").write_bytes(os.urandom(4096))  # incompressible
    (site / "sitemap.xml").write_bytes(text)
    theirs = gzip.compress(text, mtime=1_700_000_000)
    (site / "sitemap.xml.gz").write_bytes(theirs)
    compress.precompress(site)
    first = {p.name: p.read_bytes() for p in site.iterdir()}
    assert first["page.html.gz"][4:8] == b"\0\0\0\0"  # gzip's mtime field: no clock
    assert "noise.json.gz" not in first and "noise.json.br" not in first
    assert first["sitemap.xml.gz"] == theirs  # a valid copy is kept as it was written
    for name in ("page.html.gz", "page.html.br"):
        (site / name).unlink()
    compress.precompress(site)  # from the cache this time
    assert {p.name: p.read_bytes() for p in site.iterdir()} == first
    # A file that no longer shrinks loses the copies of its earlier version.
    (site / "page.html").write_bytes(os.urandom(4096))
    compress.precompress(site)
    assert not (site / "page.html.gz").exists() and not (site / "page.html.br").exists()


def test_a_file_changed_after_the_build_is_sent_as_it_is(tmp_path, monkeypatch):
    """Not its copy, which holds what the file was (the integrity tests tamper this way)."""
    monkeypatch.setattr(compress, "CACHE", tmp_path / "cache")
    site = tmp_path / "site"
    site.mkdir()
    rules = site / "rules.json"
    rules.write_text(json.dumps({"g2_from": 3}, indent=1) * 50)
    compress.precompress(site)
    server = start_server(site)
    try:
        assert request(server, "/rules.json", {"Accept-Encoding": "br"})[1][
            "content-encoding"] == "br"
        changed = json.dumps({"g2_from": 50}, indent=1) * 50
        rules.write_text(changed)
        os.utime(rules, ns=(rules.stat().st_mtime_ns + 10**9,) * 2)  # later, on any clock
        _, headers, body = request(server, "/rules.json", {"Accept-Encoding": "br"})
        assert "content-encoding" not in headers and body == changed.encode()
    finally:
        server.shutdown()
        server.server_close()


# --- the versioned runtime URL ----------------------------------------------------------------

def test_the_runtime_folder_is_named_after_the_pinned_pyodide():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
    assert RUNTIME_FOLDER == f"_pyodide/{pinned}" == f"_pyodide/{build.pinned_pyodide_version()}"
    worker = (ROOT / "generator" / "assets" / "calc" / "worker.mjs").read_text()
    url = re.search(r'const RUNTIME_URL = new URL\("([^"]+)"', worker).group(1)
    assert url == f"../../../{RUNTIME_FOLDER}/"  # the worker asks for the folder the build writes


def test_releases_frozen_before_it_are_forwarded_to_the_versioned_runtime(built_site):
    frozen = (built_site / "2024.1" / "assets" / "calc" / "worker.mjs").read_text()
    assert build.UNVERSIONED_RUNTIME_URL in frozen
    forwarder = (built_site / "_pyodide" / "pyodide.mjs").read_text()
    folder = RUNTIME_FOLDER.split("/")[1]
    assert f'from "./{folder}/pyodide.mjs"' in forwarder
    assert sorted(p.name for p in (built_site / "_pyodide").iterdir()
                  if not p.name.startswith("pyodide.mjs")) == [folder]


# --- keep-alive and the worker pool ---------------------------------------------------------

def test_one_connection_carries_many_requests(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    try:
        for path in (PAGE, "/versions.json", "/2025.1/assets/nenguide.css", "/nothing-here",
                     PAGE):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.version == 11 and response.status in (200, 404)
        assert response.getheader("Connection") != "close"
    finally:
        connection.close()


def idle_connections(port: int, count: int) -> list[socket.socket]:
    """`count` connections that asked for one file and then keep silent."""
    held = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"GET /versions.json HTTP/1.1\r\nHost: x\r\n\r\n")
        client.settimeout(30)
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
        held.append(client)
    return held


def test_idle_connections_do_not_starve_the_pool(built_site, monkeypatch):
    # An idle timeout far longer than this test may take: only giving way can serve the
    # newcomer within the client's 30 s timeout (a hang would fail the request).
    monkeypatch.setattr(serve, "IDLE_TIMEOUT_S", 120)
    server = start_server(built_site)
    port = server.server_address[1]
    held = []
    try:
        held = idle_connections(port, serve.WORKERS + 8)  # every worker, and some waiting
        assert request(server, "/versions.json")[0] == 200
    finally:
        for client in held:
            client.close()
        server.shutdown()
        server.server_close()


def test_an_idle_connection_is_closed_after_the_idle_timeout(built_site, monkeypatch):
    monkeypatch.setattr(serve, "IDLE_TIMEOUT_S", 0.3)
    server = start_server(built_site)
    try:
        [client] = idle_connections(server.server_address[1], 1)
        assert client.recv(1024) == b""  # closed by the server, long before recv's 30 s
        client.close()
    finally:
        server.shutdown()
        server.server_close()


# --- in Chromium: the runtime crosses the network once ------------------------------------

@pytest.fixture
def cached_context(browser):
    """A browser context with Chromium's HTTP cache at work: Playwright turns the cache off
    in a context that routes requests (conftest.open_context does), so this one only
    records them, and fails on any that left the host or any policy violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests, errors = [], []
    context.on("request", lambda r: requests.append(r.url))
    context.on("console", lambda message: errors.append(message.text)
               if "Content Security Policy" in message.text else None)
    context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
    context.requests = requests
    yield context
    context.close()
    assert [url for url in requests if not _is_local(url)] == []
    assert errors == []


def runtime_bytes(server, since: int) -> list[tuple[str, int, int]]:
    """What the server sent of the runtime after its `since`-th answer."""
    return [entry for entry in server.sent[since:] if entry[0].startswith("/_pyodide/")]


@pytest.mark.browser
def test_the_runtime_is_fetched_once_for_every_calculator_page(cached_context, server):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    page = cached_context.new_page()

    # A content page loads nothing of Pyodide.
    mark = len(server.sent)
    page.goto(base + PAGE)
    page.wait_for_load_state("networkidle")
    assert runtime_bytes(server, mark) == []
    assert [url for url in cached_context.requests if "pyodide" in url] == []

    # The first calculator page fetches the runtime, compressed.
    mark = len(server.sent)
    open_page(page, base + GRADE_PAGE + "?site=pancreas&differentiation=well&ki67=5", "grade")
    wait_for_answer(page, "grade")
    fetched = runtime_bytes(server, mark)
    wasm = [size for path, status, size in fetched if path == WASM and status == 200]
    assert wasm and wasm[0] < (server.site / WASM.lstrip("/")).stat().st_size / 2

    # The hand-off to the pathway: no request for the runtime reaches the server.
    mark = len(server.sent)
    page.get_by_role("link", name="Use this result in the treatment pathway").click()
    page.wait_for_url("**/calculators/pathway/**")
    wait_for_answer(page, "pathway")
    assert runtime_bytes(server, mark) == []

    # Nor for a second calculator page in another tab.
    mark = len(server.sent)
    second = cached_context.new_page()
    open_page(second, base + PATHWAY_PAGE, "pathway")
    assert runtime_bytes(server, mark) == []
    screenshot(page, "transfer-pathway-after-handoff")


@pytest.mark.browser
def test_a_release_frozen_before_versioning_runs_through_the_forwarder(cached_context, server):
    page = cached_context.new_page()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    open_page(page, base + "/2024.1/calculators/grade/?site=pancreas&differentiation=well"
              "&ki67=5", "grade")
    page.locator(".nen-result__category").wait_for(timeout=CALCULATOR_TIMEOUT_MS)
    assert page.locator(".nen-result__category").inner_text() == "NET G2"
    asked = [url for url in cached_context.requests if "/_pyodide/" in url]
    assert any(url.endswith("/_pyodide/pyodide.mjs") for url in asked)
    assert any(url.endswith(WASM) for url in asked)
    assert not any(url.endswith("/_pyodide/pyodide.asm.wasm") for url in asked)

