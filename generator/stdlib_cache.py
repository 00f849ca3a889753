"""Python's standard library precompiled to bytecode for the browser, made once per Pyodide.

Pyodide's python_stdlib.zip ships .py files only, and compiling the modules Python imports at
start-up is most of the wait before a calculator's first answer. scripts/precompile-stdlib.mjs
compiles them inside the pinned npm Pyodide under Node (the same Python as the browser's) into
a zip of .pyc files; that takes seconds, so the zip is kept in .nenguide-cache/ under the hash
of everything that decides its bytes, and later builds copy it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from generator import build_cache

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = PROJECT_ROOT / "scripts" / "precompile-stdlib.mjs"
DEFAULT_CACHE = PROJECT_ROOT / ".nenguide-cache" / "stdlib"
# The name the worker asks for, in the runtime folder beside Pyodide's own python_stdlib.zip
# (which stays: a published release's frozen worker loads that one).
COMPILED_NAME = "python_stdlib_pyc.zip"
# The Pyodide files whose bytes decide the output: the Python that compiles, its loader, and
# the sources it compiles.
INPUT_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
TIMEOUT_SECONDS = 300


class PrecompileError(Exception):
    """Node is missing or the script failed; the message says what to do."""


def compiled_stdlib(pyodide_dir: Path, cache_dir: Path = DEFAULT_CACHE) -> Path:
    """The precompiled standard library zip for the Pyodide in `pyodide_dir`, from the cache
    if it holds one for the same inputs, else made now and cached."""
    return build_cache.cached(cache_dir, f"python_stdlib_pyc-{input_hash(pyodide_dir)}.zip",
                              lambda output: run_precompile(pyodide_dir, output))


def input_hash(pyodide_dir: Path) -> str:
    """The sha256 of the script and of the Pyodide files it reads, names included."""
    return build_cache.files_digest([SCRIPT, *(pyodide_dir / name for name in INPUT_FILES)])


def run_precompile(pyodide_dir: Path, output: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise PrecompileError("Node.js is needed to precompile Python's standard library for "
                              "the browser: install it (README, Two commands)")
    try:
        finished = subprocess.run([node, str(SCRIPT), str(pyodide_dir), str(output)],
                                  capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise PrecompileError(f"{SCRIPT.name} took more than {TIMEOUT_SECONDS} s") from exc
    if finished.returncode != 0 or not output.stat().st_size:
        raise PrecompileError(f"{SCRIPT.name} failed:\n{finished.stderr}".rstrip())
