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
    build, generator/csp.py), X-Content-Type-Options, Referrer-Policy, X-Frame-Options;
  * HTTP/1.1 with keep-alive, but an idle connection holds its worker for a few seconds at
    most, and not at all while other connections wait for a worker;
  * caching with validators: an ETag (a hash of the bytes sent) and Last-Modified on every
    file, 304 on If-None-Match / If-Modified-Since; the versioned runtime (_pyodide/<version>/)
    and Material's content-hashed files are immutable for a year, everything else is
    revalidated on each use (`no-cache`), so a new build is seen at once;
  * the build's pre-compressed copies (generator/compress.py): `page.html.br` or
    `page.html.gz` is sent for `page.html` when Accept-Encoding allows it.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import os
import queue
import re
import select
import threading
import time
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
# How long a kept-alive connection may wait for its next request while holding a worker.
IDLE_TIMEOUT_S = 3
IDLE_POLL_S = 0.05  # how often an idle connection looks whether others wait for a worker

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # may be stored, but asked again (a 304 when unchanged) before use
# The runtime's folder is named after the pinned Pyodide version: new bytes, new URL.
VERSIONED_RUNTIME = re.compile(r"^/_pyodide/[^/]+/[^/]")
# Material's own content-hashed files: assets/javascripts/bundle.a5f9d56c.min.js.
CONTENT_HASHED = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:js|css)$")
# Pre-compressed copies, in the order of preference: (Content-Encoding, file suffix).
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a page's many files over a few connections
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}
    timeout = CONNECTION_TIMEOUT_S  # applied to the socket: a stalled client is dropped
    server_version = "nenguide"
    sys_version = ""

    def __init__(self, *args, directory: str, headers: dict[str, str], **kwargs):
        self.security_headers = headers
        super().__init__(*args, directory=directory, **kwargs)

    def handle(self) -> None:
        """Answer requests on one connection until the client closes it, it stays idle too
        long, or other connections are waiting for this worker."""
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection and self._next_request_comes():
            self.handle_one_request()

    def _next_request_comes(self) -> bool:
        """Whether the client sends another request soon; False frees the worker.

        A browser keeps its connections open after the page has loaded. Each one would hold
        a worker of the fixed pool, so an idle connection is given IDLE_TIMEOUT_S, and is let
        go at once when another connection is queued for a worker."""
        connection = self.connection
        connection.settimeout(0.0)
        try:
            if self.rfile.peek(1):  # a request already read into the buffer (pipelined)
                return True
        except OSError:
            return False
        finally:
            connection.settimeout(self.timeout)
        deadline = time.monotonic() + IDLE_TIMEOUT_S
        while time.monotonic() < deadline:
            if select.select([connection], [], [], IDLE_POLL_S)[0]:
                return True  # a request, or the client closing (then the read ends it)
            if self.server.connections_waiting():
                return False
        return False

    def send_head(self):
        if "\0" in self.path or "%00" in self.path:
            self.send_error(400, "Bad request path")
            return None
        try:
            return self._send_file_head()
        except (ValueError, UnicodeError):
            self.send_error(400, "Bad request path")
            return None

    def _send_file_head(self):
        """The headers of a file: its pre-compressed copy if accepted, with its validators
        and caching policy; a 304 when the client's copy is current. Returns the open file
        to send, or None."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) and path.endswith("/"):
            path = os.path.join(path, "index.html")  # a page; without one, a 404 below
        elif os.path.isdir(path) or path.endswith("/"):
            return super().send_head()  # the redirect to "folder/", or a 404
        if not os.path.isfile(path):
            self.send_error(404, "File not found")
            return None
        url_path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        encoding, sent_path = self._representation(path)
        modified = os.stat(path).st_mtime
        file = open(sent_path, "rb")  # opened first: a rebuild's swap cannot change it now
        try:
            stat = os.fstat(file.fileno())
            headers = {"Cache-Control": cache_control(url_path),
                       "ETag": self.server.etags.etag(file, stat),
                       "Last-Modified": self.date_time_string(modified)}
            if encoding is not None or any(os.path.isfile(path + suffix)
                                           for _, suffix in ENCODINGS):
                headers["Vary"] = "Accept-Encoding"
            if self._client_copy_is_current(headers["ETag"], modified):
                file.close()
                self._send_headers(304, headers)
                return None
            if encoding is not None:
                headers["Content-Encoding"] = encoding
            self._send_headers(200, {"Content-Type": self.guess_type(path),  # the original's
                                     "Content-Length": str(stat.st_size), **headers})
            return file
        except BaseException:
            file.close()
            raise

    def _send_headers(self, code: int, headers: dict[str, str]) -> None:
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _representation(self, path: str) -> tuple[str | None, str]:
        """(Content-Encoding or None, the file to send) for what the client accepts."""
        accepted = accepted_encodings(self.headers.get("Accept-Encoding", ""))
        for encoding, suffix in ENCODINGS:
            if encoding in accepted and _is_current_copy(path + suffix, path):
                return encoding, path + suffix
        return None, path

    def _client_copy_is_current(self, etag: str, modified: float) -> bool:
        """If-None-Match decides when present (RFC 9110 13.2.2); else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False  # an ill-formed date is ignored
        return int(modified) <= since

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
        self.etags = ETagCache()
        self._requests: queue.Queue = queue.Queue(maxsize=workers * 4)
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for worker in self._workers:
            worker.start()

    def process_request(self, request, client_address) -> None:
        # Blocks when every worker is busy and the queue is full: new connections then wait
        # in the listen backlog, which is what it is for.
        self._requests.put((request, client_address))

    def connections_waiting(self) -> bool:
        """Whether accepted connections are queued for a worker."""
        return not self._requests.empty()

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


class ETagCache:
    """Strong ETags from a hash of a file's bytes, computed once per file version: a rebuild
    that writes the same bytes keeps the same ETag, so a browser's copy stays valid."""

    def __init__(self) -> None:
        self._tags: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def etag(self, file, stat: os.stat_result) -> str:
        """The ETag of an open file (read from its start, left at its start)."""
        key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            tag = self._tags.get(key)
        if tag is None:
            digest = hashlib.sha256()
            while chunk := file.read(1 << 20):
                digest.update(chunk)
            file.seek(0)
            tag = f'"{digest.hexdigest()[:32]}"'
            with self._lock:
                self._tags[key] = tag
        return tag


def _is_current_copy(copy: str, original: str) -> bool:
    """Whether a pre-compressed copy exists and is not older than its file. The build writes
    copies after their files; a file changed since (edited by hand, half updated) is sent as
    it is, never as the copy of what it was."""
    try:
        return os.stat(copy).st_mtime_ns >= os.stat(original).st_mtime_ns
    except OSError:
        return False


def cache_control(url_path: str) -> str:
    """Immutable for a year where the URL changes with the bytes (the versioned runtime,
    content-hashed files); revalidated on every use for the rest (pages, versions.json,
    the search index, the calculators' files)."""
    if VERSIONED_RUNTIME.match(url_path) or CONTENT_HASHED.search(url_path):
        return IMMUTABLE
    return REVALIDATE


def accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header allows (q > 0); `*` stands for any
    coding not named."""
    accepted, refused = set(), set()
    for item in header.split(","):
        name, _, parameters = item.partition(";")
        name = name.strip().lower()
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            (accepted if quality > 0 else refused).add(name)
    if "*" in accepted:
        accepted |= {encoding for encoding, _ in ENCODINGS} - refused
    return accepted


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
