"""Shared fixtures: content copies to break, a site built once per run, a loopback server,
and a headless Chromium page that records every request it makes."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import pytest

from generator.build import build_site
from generator.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
# As root Chromium needs --no-sandbox; the rest stop it from calling home on its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def grade_rules() -> dict:
    """The grading rules of the latest version of the real guideline."""
    from generator.content import load_guidelines

    return load_guidelines(ROOT / "content")[0].current.grading


@pytest.fixture
def content_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the small test guideline at ./content, with cwd at its parent."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "minimal", target)
    monkeypatch.chdir(tmp_path)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a content file, failing loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real guideline, built once for the whole run."""
    site = tmp_path_factory.mktemp("build") / "site"
    build_site(ROOT / "content", site, list_drafts=True)  # as `make serve`: drafts in the menu
    return site


def site_copy(built_site: Path, tmp_path: Path) -> Path:
    """A copy of the built draft and the runtime to tamper with (no release, no latest/)."""
    site = tmp_path / "site"
    shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("2024.1", "latest"))
    return site


@contextlib.contextmanager
def serving(site: Path) -> Iterator[str]:
    """`site` served on a loopback port for the length of the block: its base URL."""
    server = make_server(site, "127.0.0.1", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site on a loopback port chosen by the OS."""
    server = make_server(built_site, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RequestLog(list):
    """Every URL the page asked for."""

    def external(self) -> list[str]:
        return [url for url in self if not _is_local(url)]


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob") or parsed.hostname in LOCAL_HOSTS


@pytest.fixture
def open_context(browser):
    """Opens browser contexts (a locale, a phone screen, clipboard rights: Playwright's context
    options) whose pages record every request; the test fails if any left loopback or any
    page raised a JavaScript error."""
    opened = []

    def open_(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        log = RequestLog()
        errors: list[str] = []
        # The context sees the requests of the page and of its workers.
        context.on("request", lambda request: log.append(request.url))
        context.on("page", lambda page: page.on("pageerror",
                                                 lambda error: errors.append(str(error))))
        # Every page carries a Content-Security-Policy: a blocked script, style or request
        # is reported on the console, and fails the test like a JavaScript error.
        context.on("console", lambda message: errors.append(message.text)
                   if "Content Security Policy" in message.text else None)

        def block_external(route):
            # Recorded by the listener above; aborted so a stray request cannot hang a test.
            route.continue_() if _is_local(route.request.url) else route.abort()

        context.route("**/*", block_external)
        context.requests = log
        opened.append((context, log, errors))
        return context

    yield open_
    for context, log, errors in opened:
        context.close()
        assert log.external() == [], f"requests left the host: {log.external()}"
        assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def page(open_context):
    """A fresh page whose requests are all recorded; the test fails if any left loopback."""
    context = open_context()
    page = context.new_page()
    page.requests = context.requests
    return page


def wait_until(page, expression: str, timeout_ms: float = 60_000, arg=None) -> None:
    """Wait until a JavaScript expression (or a function of `arg`) is true in the page.

    Playwright's wait_for_function evaluates its predicate with eval inside the page, which
    the site's Content-Security-Policy forbids (no 'unsafe-eval'); page.evaluate goes through
    the debugging protocol, which the policy does not govern."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
        if value:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout_ms / 1000:.0f} s: {expression}")
        time.sleep(0.05)
