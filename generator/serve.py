"""Serve the built site over HTTP on the loopback interface, fit for a ward's intranet preview.

Pyodide, search and the version menu all use fetch(), so the site needs HTTP, not file://.
The server is the standard library's, with what a shared preview needs on top:

  * a fixed pool of worker threads fed by a bounded queue, behind a real listen backlog: a
    burst of clients waits its turn instead of being reset, and no number of clients makes
    more threads;
  * a timeout on every connection, so a client that sends half a request and waits holds a
    worker for seconds, not for ever;
  * no directory listings; a malformed path (a NUL byte, an encoding that does not decode) is
    a plain 400, never a traceback;
  * security headers on every answer: the site's Content-Security-Policy (written by the
    build, generator/csp.py), X-Content-Type-Options, Referrer-Policy, X-Frame-Options.
"""

from __future__ import annotations

import http.server
import queue
import threading
import urllib.parse
from pathlib import Path

from generator.csp import POLICY_FILE, policy

# Python's table lacks or varies on these; Pyodide needs the exact wasm type to stream-compile.
CONTENT_TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
}
WORKERS = 32
BACKLOG = 1024
CONNECTION_TIMEOUT_S = 10


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}
    timeout = CONNECTION_TIMEOUT_S  # applied to the socket: a stalled client is dropped
    server_version = "nenguide"
    sys_version = ""

    def __init__(self, *args, directory: str, headers: dict[str, str], **kwargs):
        self.security_headers = headers
        super().__init__(*args, directory=directory, **kwargs)

    def send_head(self):
        if "\0" in self.path or "%00" in self.path:
            self.send_error(400, "Bad request path")
            return None
        try:
            return super().send_head()
        except (ValueError, UnicodeError):
            self.send_error(400, "Bad request path")
            return None

    def list_directory(self, path):
        self.send_error(404, "Not found")
        return None

    def send_error(self, code, message=None, explain=None):
        """A missing page gets the site's own "Page not found" page (of the version in the
        path, or the site's), styled and linked like every page; other errors stay plain."""
        page = self._not_found_page() if code == 404 and self.command != "HEAD" else None
        if page is None:
            super().send_error(code, message, explain)
            return
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(page)

    def _not_found_page(self) -> bytes | None:
        root = Path(self.directory)
        first = urllib.parse.unquote(self.path.split("?", 1)[0]).lstrip("/").split("/", 1)[0]
        folders = [first] if first not in ("", ".", "..") and "\\" not in first else []
        for folder in [*folders, ""]:  # the version's page, else the site's
            page = root / folder / "404.html"
            if page.is_file():
                return page.read_bytes()
        return None

    def end_headers(self) -> None:
        for name, value in self.security_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


class SiteServer(http.server.HTTPServer):
    """HTTPServer with a fixed pool of workers instead of a thread per connection."""

    request_queue_size = BACKLOG
    allow_reuse_address = True

    def __init__(self, address, handler, workers: int = WORKERS):
        super().__init__(address, handler)
        self.quiet = False
        self._requests: queue.Queue = queue.Queue(maxsize=workers * 4)
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for worker in self._workers:
            worker.start()

    def process_request(self, request, client_address) -> None:
        # Blocks when every worker is busy and the queue is full: new connections then wait
        # in the listen backlog, which is what it is for.
        self._requests.put((request, client_address))

    def _work(self) -> None:
        while True:
            item = self._requests.get()
            if item is None:
                return
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        if not self.quiet:
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        for _ in self._workers:
            self._requests.put(None)


def security_headers(site_dir: Path) -> dict[str, str]:
    try:
        content_policy = (site_dir / POLICY_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        content_policy = policy(set())  # a site built before policies: no inline script runs
    return {"Content-Security-Policy": content_policy + "; frame-ancestors 'self'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "SAMEORIGIN"}


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 8000,
                quiet: bool = False) -> SiteServer:
    """A server for site_dir; port 0 picks a free port (see server.server_address)."""
    headers = security_headers(site_dir)

    def handler(*args, **kwargs):
        return SiteHandler(*args, directory=str(site_dir), headers=headers, **kwargs)

    server = SiteServer((host, port), handler)
    server.quiet = quiet
    return server
