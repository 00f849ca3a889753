"""Pre-compressed copies of the site's files, made once at build time.

Every file that compresses well gets a `.gz` and a `.br` copy beside it (`page.html`,
`page.html.gz`, `page.html.br`). `nenguide serve` sends a copy when the browser accepts its
encoding, and any static host can do the same from the same files (nginx `gzip_static` /
`brotli_static`, Caddy `precompressed`, Apache with type maps), so no server compresses a
file per request.

Choices, measured on this site:

  * gzip at level 9 with no name and mtime 0 in its header: the same bytes from every build;
  * Brotli from the PyPI `brotli` package, pinned in pyproject.toml: it runs in this process
    and gives the same bytes on every machine (Node's built-in Brotli would follow whichever
    Node is installed). Quality 11, its densest: the Pyodide wasm goes from 9.6 MB to 2.7 MB
    (gzip: 3.5 MB), the pages and scripts to 18 % of their size (gzip: 22 %);
  * quality 11 is slow (about 30 s for the wasm alone), so every result is kept in
    .nenguide-cache/compressed/ under the sha256 of the file: the runtime and Material's
    scripts are the same bytes in every build, and only changed pages are compressed again;
  * a copy that does not save at least 10 % is not written: zip files (the Python standard
    library, the calculators wheel) are deflated already and shrink by 2–5 %;
  * a copy is never older than its file: `nenguide serve` takes an older copy for a stale
    one (a file changed after the build) and sends the file itself.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import brotli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CACHE = PROJECT_ROOT / ".nenguide-cache" / "compressed"
# Text and wasm compress well; zip is listed so that a stored (uncompressed) zip would gain,
# and the 10 % rule drops a deflated one.
COMPRESSIBLE = frozenset({".html", ".js", ".mjs", ".css", ".json", ".wasm", ".svg", ".xml",
                          ".txt", ".zip"})
MIN_SAVING = 0.10
GZIP_LEVEL = 9
BROTLI_QUALITY = 11


def _gzip(data: bytes) -> bytes:
    # mtime 0 and no file name: the header carries nothing that changes between builds.
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=BROTLI_QUALITY)


# suffix -> (cache tag naming the encoder and its settings, encoder). gzip comes first: a file
# it cannot shrink is not given to the much slower Brotli.
ENCODERS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    ".gz": (f"gz{GZIP_LEVEL}", _gzip),
    ".br": (f"br{BROTLI_QUALITY}-{brotli.__version__}", _brotli),
}


def precompress(root: Path) -> int:
    """Write .gz and .br copies beside every compressible file under `root` that they shrink
    by at least 10 %, and remove copies left from an earlier version of a file. Returns the
    number of copies written."""
    written = 0
    for path in sorted(root.rglob("*")):
        if path.suffix in COMPRESSIBLE and path.is_file():
            written += _precompress_file(path)
    return written


def _precompress_file(path: Path) -> int:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    written = 0
    for suffix, (tag, encoder) in ENCODERS.items():
        copy = path.with_name(path.name + suffix)
        compressed = _compressed(data, digest, tag, encoder)
        if compressed is None:
            _remove(copy)  # a copy left from an earlier version of the file
            if suffix == ".gz":
                _remove(path.with_name(path.name + ".br"))
                break  # what gzip cannot shrink, Brotli is not asked to
            continue
        if _same_bytes(copy, compressed) or (suffix == ".gz" and _holds(copy, data)):
            # A valid copy already there (MkDocs writes sitemap.xml.gz): kept, and made no
            # older than its file, since a server takes an older copy for a stale one.
            _not_older_than(copy, path)
            continue
        _write_bytes(copy, compressed)
        written += 1
    return written


def _compressed(data: bytes, digest: str, tag: str,
                encoder: Callable[[bytes], bytes]) -> bytes | None:
    """The compressed bytes, or None when they save less than MIN_SAVING; from the cache
    when this content was compressed this way before. An empty cache file records "no gain"."""
    cached = CACHE / f"{digest}.{tag}"
    try:
        result = cached.read_bytes()
    except OSError:
        result = encoder(data)
        if len(result) > len(data) * (1 - MIN_SAVING):
            result = b""
        try:
            CACHE.mkdir(parents=True, exist_ok=True)
            _write_bytes(cached, result)
        except OSError:
            pass  # a read-only checkout still builds, only more slowly
    return result or None


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _not_older_than(copy: Path, original: Path) -> None:
    modified = original.stat().st_mtime_ns
    if copy.stat().st_mtime_ns < modified:
        os.utime(copy, ns=(modified, modified))


def _holds(copy: Path, data: bytes) -> bool:
    """Whether `copy` is a gzip file that decompresses to `data`."""
    try:
        return gzip.decompress(copy.read_bytes()) == data
    except (OSError, EOFError, gzip.BadGzipFile):
        return False


def _write_bytes(path: Path, data: bytes) -> None:
    """Replace a file in one step: a reader never sees half of it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
