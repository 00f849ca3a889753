"""A memory snapshot of Pyodide with the calculators imported, made once per set of inputs.

scripts/make-snapshot.mjs loads the pinned npm Pyodide under Node with the precompiled
standard library, installs a version's calculators wheel, imports and calls the calculators,
and writes the WebAssembly memory, gzipped. The worker starts from it instead of running
Python's start-up and the imports. Snapshots are not byte-reproducible, so the file is kept in
.nenguide-cache/ under the hash of everything that decides its contents: later builds copy
the same bytes, and the sha256 the lock file records stays the same.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from generator import build_cache

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT_ROOT / "scripts" / "make-snapshot.mjs"
DEFAULT_CACHE = PROJECT_ROOT / ".nenguide-cache" / "snapshot"
# The Pyodide files whose bytes decide the memory: the Python that runs, and its loader.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
TIMEOUT_SECONDS = 300


class SnapshotError(Exception):
    """Node is missing or the script failed; the message says what to do."""


def snapshot(pyodide_dir: Path, stdlib_zip: Path, calc_dir: Path,
             cache_dir: Path = DEFAULT_CACHE) -> Path:
    """The gzipped snapshot for this Pyodide, standard library and calc folder (its wheel,
    and the rules the warm-up calls use), from the cache or made now and cached."""
    name = f"snapshot-{input_hash(pyodide_dir, stdlib_zip, calc_dir)}.bin"
    return build_cache.cached(cache_dir, name, lambda output: run_script(
        pyodide_dir, stdlib_zip, calc_dir, output))


def input_hash(pyodide_dir: Path, stdlib_zip: Path, calc_dir: Path) -> str:
    """The sha256 of the script, the Pyodide files, the standard library zip, the wheel and
    the rules, names included (the lock file only lists the wheel, whose bytes are here)."""
    return build_cache.files_digest([
        SCRIPT, *(pyodide_dir / name for name in PYODIDE_FILES), stdlib_zip,
        *sorted(calc_dir.glob("*.whl")), *sorted((calc_dir / "rules").glob("*.json"))])


def run_script(pyodide_dir: Path, stdlib_zip: Path, calc_dir: Path, output: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise SnapshotError("Node.js is needed to make the calculators' memory snapshot: "
                            "install it (README, Two commands)")
    command = [node, str(SCRIPT), str(pyodide_dir), str(stdlib_zip), str(calc_dir), str(output)]
    try:
        # cwd: Pyodide under Node may write a package cache relative to it.
        finished = subprocess.run(command, capture_output=True, text=True,
                                  timeout=TIMEOUT_SECONDS, cwd=output.parent)
    except subprocess.TimeoutExpired as exc:
        raise SnapshotError(f"{SCRIPT.name} took more than {TIMEOUT_SECONDS} s") from exc
    if finished.returncode != 0 or not output.stat().st_size:
        raise SnapshotError(f"{SCRIPT.name} failed:\n{finished.stderr[-4000:]}".rstrip())
