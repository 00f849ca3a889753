"""The browser side of the calculators: the Pyodide runtime and the calculators wheel.

The same `calculators` package that pytest imports is zipped into a pure-Python wheel, listed
with its sha256 in a site-local pyodide-lock.json, and loaded by name in the worker. Building
the wheel by hand keeps the build offline: a pure wheel is a zip with three metadata files.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import zipfile
from pathlib import Path

from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec

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


class RuntimeMissing(Exception):
    """The npm package is not installed."""


def copy_runtime(destination: Path) -> None:
    """Copy the Pyodide runtime from node_modules into `destination`."""
    missing = [name for name in RUNTIME_FILES if not (PYODIDE_DIR / name).is_file()]
    if missing:
        raise RuntimeMissing(f"{PYODIDE_DIR} lacks {', '.join(missing)}; run `npm ci`")
    destination.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_FILES:
        shutil.copy2(PYODIDE_DIR / name, destination / name)


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
    spec.to_json(wheel.parent / "pyodide-lock.json", indent=1)


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
