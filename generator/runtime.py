"""The browser side of the calculators: the Pyodide runtime and the calculators wheel.

The same `calculators` package that pytest imports is zipped into a pure-Python wheel, listed
with its sha256 in a site-local pyodide-lock.json, and loaded by name in the worker. Building
the wheel by hand keeps the build offline: a pure wheel is a zip with three metadata files.

Beside Pyodide's files goes its standard library precompiled to bytecode (stdlib_cache.py);
the lock file carries that zip's sha256 too, and the worker loads nothing that differs. Beside
the wheel goes a memory snapshot of Pyodide with the calculators imported (snapshot_cache.py),
also named in the lock with its sha256; the worker starts from it, or normally without it.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import zipfile
from pathlib import Path

from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec

from generator import snapshot_cache, stdlib_cache

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CALCULATORS_DIR = PROJECT_ROOT / "calculators"
PYODIDE_DIR = PROJECT_ROOT / "node_modules" / "pyodide"
DISTRIBUTION = "nenguide_calculators"
WHEEL_VERSION = "1.0.0"
# The files of the npm package the browser needs; the rest (Node.js glue, type stubs, the
# REPL console pages) stays out of the site.
# Its own pyodide-lock.json stays out too: each version brings the lock file it loads.
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
# Fixed timestamp so the same sources always give the same wheel and the same sha256.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
# The memory snapshot in a calc/ folder: snapshot.<first 16 hex digits of its sha256>.bin,
# gzipped bytes under a name that does not end in .gz, which servers and hosts take for a
# precompressed copy of another file (and may send with Content-Encoding: gzip).
SNAPSHOT_GLOB = "snapshot.*.bin"
# What a worker that can start from a snapshot passes to loadPyodide; a release's frozen
# worker without it gets no snapshot.
SNAPSHOT_OPTION = "_loadSnapshot"


class RuntimeMissing(Exception):
    """The npm package is not installed, or its standard library could not be precompiled."""


def copy_runtime(destination: Path) -> None:
    """Copy the Pyodide runtime from node_modules into `destination`, with the precompiled
    standard library beside it."""
    _check_runtime_installed()
    destination.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_FILES:
        shutil.copy2(PYODIDE_DIR / name, destination / name)
    shutil.copyfile(compiled_stdlib(), destination / stdlib_entry()["file_name"])


def compiled_stdlib() -> Path:
    """The precompiled standard library zip of today's Pyodide (made once, then cached)."""
    _check_runtime_installed()
    try:
        return stdlib_cache.compiled_stdlib(PYODIDE_DIR)
    except stdlib_cache.PrecompileError as exc:
        raise RuntimeMissing(str(exc)) from exc


def _check_runtime_installed() -> None:
    missing = [name for name in RUNTIME_FILES if not (PYODIDE_DIR / name).is_file()]
    if missing:
        raise RuntimeMissing(f"{PYODIDE_DIR} lacks {', '.join(missing)}; run `npm ci`")


def write_calculator_package(destination: Path) -> Path:
    """Write the calculators wheel and a pyodide-lock.json listing it into `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(destination)
    write_lock_file(wheel)
    return wheel


def write_lock_file(wheel: Path) -> None:
    """A pyodide-lock.json beside `wheel` that lists it with its sha256, for today's runtime
    (a published release brings its own wheel; the lock file follows the runtime)."""
    base = PyodideLockSpec.from_json(PYODIDE_DIR / "pyodide-lock.json")
    # Only our package: the worker loads nothing else, so the lock stays small.
    base.packages.clear()
    spec = add_wheels_to_spec(base, [wheel], base_path=wheel.parent)
    stdlib = stdlib_entry()
    spec.tool["nenguide"] = {"stdlib": stdlib, "download_bytes": download_bytes(stdlib)}
    spec.to_json(wheel.parent / "pyodide-lock.json", indent=1)


def stdlib_entry() -> dict[str, str]:
    """The precompiled standard library as the lock file records it (its `tool` table, which
    Pyodide leaves to other tools): the worker loads that file and checks it against the
    sha256. The lock follows the runtime at every build, so a page frozen in a release never
    has to carry the hash of a runtime that came later."""
    digest = hashlib.sha256(compiled_stdlib().read_bytes()).hexdigest()
    # The name carries the content: the runtime folder is cached as immutable for a year, so
    # a changed zip must have a new address, never new bytes under the old one.
    stem, suffix = stdlib_cache.COMPILED_NAME.rsplit(".", 1)
    return {"file_name": f"{stem}.{digest[:16]}.{suffix}", "sha256": digest}


def download_bytes(stdlib: dict[str, str]) -> dict[str, int]:
    """The sizes of the runtime's two big downloads as their bodies deliver them: the server
    may send them compressed, and then the response's Content-Length does not tell the worker
    how far the download has come (the page shows a percentage on a slow network)."""
    return {"pyodide.asm.wasm": (PYODIDE_DIR / "pyodide.asm.wasm").stat().st_size,
            stdlib["file_name"]: compiled_stdlib().stat().st_size}


def add_snapshot(calc: Path) -> None:
    """Put the memory snapshot of `calc`'s wheel beside it and name it in the lock file.

    Like the lock, the snapshot follows the runtime: it is made at each build (from the cache
    when nothing changed) and never frozen into a release. `calc` holds the wheel, the lock
    and the rules; a release whose frozen worker cannot use a snapshot is given none."""
    for old in calc.glob(SNAPSHOT_GLOB):
        old.unlink()
    worker = calc / "worker.mjs"
    if worker.is_file() and SNAPSHOT_OPTION not in worker.read_text(encoding="utf-8"):
        return
    try:
        made = snapshot_cache.snapshot(PYODIDE_DIR, compiled_stdlib(), calc)
    except snapshot_cache.SnapshotError as exc:
        raise RuntimeMissing(str(exc)) from exc
    digest = hashlib.sha256(made.read_bytes()).hexdigest()
    # A new name for new bytes, so a cached old snapshot is never taken for the new one.
    entry = {"file_name": f"snapshot.{digest[:16]}.bin", "sha256": digest}
    shutil.copyfile(made, calc / entry["file_name"])
    lock_path = calc / "pyodide-lock.json"
    spec = PyodideLockSpec.from_json(lock_path)
    spec.tool["nenguide"]["snapshot"] = entry
    spec.tool["nenguide"]["download_bytes"][entry["file_name"]] = made.stat().st_size
    spec.to_json(lock_path, indent=1)


def wheel_in(folder: Path) -> Path:
    """The calculators wheel of a calc/ folder."""
    return folder / f"{DISTRIBUTION}-{WHEEL_VERSION}-py3-none-any.whl"


def build_wheel(destination: Path) -> Path:
    """A reproducible pure-Python wheel of the `calculators` package."""
    tag = f"{DISTRIBUTION}-{WHEEL_VERSION}"
    wheel_path = destination / f"{tag}-py3-none-any.whl"
    files: dict[str, bytes] = {}
    for source in sorted(CALCULATORS_DIR.glob("*.py")):
        files[f"calculators/{source.name}"] = source.read_bytes()
    dist_info = f"{tag}.dist-info"
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: nenguide-calculators\nVersion: {WHEEL_VERSION}\n"
        "Summary: nenguide calculators (WHO grade) for the browser\n").encode()
    files[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: nenguide\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    files[f"{dist_info}/top_level.txt"] = b"calculators\n"
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(wheel_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel_path


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
