"""Python's standard library precompiled for the browser (generator/stdlib_cache.py and
scripts/precompile-stdlib.mjs): bytecode for every module, the same bytes at every run, made
once per Pyodide, named with its sha256 in each lock file, and the calculators answer with it
exactly as CPython does."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import test_pyodide_parity as parity
from calculators import json_api
from generator import runtime, stdlib_cache

NODE = shutil.which("node")
STOCK_STDLIB = runtime.PYODIDE_DIR / "python_stdlib.zip"
needs_node = pytest.mark.skipif(NODE is None, reason="the precompile step needs Node.js")


@pytest.fixture(scope="module")
def compiled() -> Path:
    """The precompiled zip as builds use it (from the project's cache when it holds one)."""
    if NODE is None:
        pytest.skip("the precompile step needs Node.js")
    return runtime.compiled_stdlib()


def pyodide_with_stdlib(folder: Path, stdlib: Path) -> Path:
    """A copy of the npm Pyodide whose python_stdlib.zip is `stdlib`: Node then starts from it,
    as the browser does through `stdLibURL`."""
    shutil.copytree(runtime.PYODIDE_DIR, folder)
    shutil.copyfile(stdlib, folder / "python_stdlib.zip")
    return folder


# --- the zip ------------------------------------------------------------------------------------
def test_every_module_is_bytecode_in_place_of_its_source(compiled):
    stock = zipfile.ZipFile(STOCK_STDLIB).namelist()
    entries = zipfile.ZipFile(compiled).infolist()
    names = [entry.filename for entry in entries]
    # The same files in the same order, each module's .py replaced by its .pyc.
    assert names == [name + "c" if name.endswith(".py") else name for name in stock]
    assert "json/__init__.pyc" in names and "encodings/utf_8.pyc" in names
    assert not [name for name in names if name.endswith(".py")]
    # No clock: every entry has the same fixed date.
    assert {entry.date_time for entry in entries} == {(2020, 1, 1, 0, 0, 0)}


def test_the_bytecode_is_unchecked_hash_based(compiled):
    """PEP 552 flags 0b01: hash-based, not checked against a source (there is none), no
    timestamp. The magic number is Pyodide's Python's, checked by the import below."""
    header = zipfile.ZipFile(compiled).read("json/__init__.pyc")[:16]
    assert int.from_bytes(header[4:8], "little") == 0b01


@needs_node
def test_a_fresh_run_gives_the_cached_bytes(compiled, tmp_path):
    """Byte-reproducible: a new Node run, with no cache, writes the very bytes the cache holds
    (and the site serves)."""
    fresh = tmp_path / "fresh.zip"
    stdlib_cache.run_precompile(runtime.PYODIDE_DIR, fresh)
    assert fresh.read_bytes() == compiled.read_bytes()


@needs_node
def test_pyodide_imports_the_stdlib_from_bytecode(compiled, tmp_path):
    pyodide_dir = pyodide_with_stdlib(tmp_path / "pyodide", compiled)
    script = """
const { loadPyodide } = await import(process.argv[1] + "/pyodide.mjs");
const pyodide = await loadPyodide({ indexURL: process.argv[1] + "/" });
console.log(pyodide.runPython("import json, decimal, fractions; json.__file__"));
"""
    finished = subprocess.run([NODE, "--input-type=module", "-e", script, str(pyodide_dir)],
                              capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "/lib/python314.zip/json/__init__.pyc"


@needs_node
def test_the_calculators_answer_as_in_cpython_on_the_precompiled_stdlib(
        compiled, tmp_path, monkeypatch):
    """The whole parity case table, through Pyodide started from the precompiled zip."""
    monkeypatch.setattr(parity, "PYODIDE_DIR", pyodide_with_stdlib(tmp_path / "pyodide",
                                                                   compiled))
    run = parity.run_in_pyodide(parity.CASES, tmp_path)
    for case, result in zip(parity.CASES, run.results):
        expected = json_api.run(case.calculator, case.inputs_json, case.rules_json)
        assert result == expected.encode("utf-8"), parity._explain(case, expected,
                                                                   result.decode())


# --- the cache ----------------------------------------------------------------------------------
def test_the_cache_runs_the_precompile_once_per_input(tmp_path, monkeypatch):
    runs = []

    def fake_precompile(pyodide_dir: Path, output: Path) -> None:
        runs.append(pyodide_dir)
        output.write_bytes(b"zip of " + pyodide_dir.name.encode())

    monkeypatch.setattr(stdlib_cache, "run_precompile", fake_precompile)
    cache = tmp_path / "cache"
    first = stdlib_cache.compiled_stdlib(runtime.PYODIDE_DIR, cache)
    again = stdlib_cache.compiled_stdlib(runtime.PYODIDE_DIR, cache)
    assert first == again and len(runs) == 1  # the second build copies the cached zip
    assert [path.name for path in cache.iterdir()] == [first.name]  # no partial file left

    other = tmp_path / "other-pyodide"
    shutil.copytree(runtime.PYODIDE_DIR, other)
    (other / "python_stdlib.zip").write_bytes(b"another standard library")
    assert stdlib_cache.compiled_stdlib(other, cache) != first  # another input, another zip
    assert len(runs) == 2


def test_a_failed_precompile_leaves_nothing_in_the_cache(tmp_path, monkeypatch):
    def failing_precompile(pyodide_dir: Path, output: Path) -> None:
        output.write_bytes(b"half a zip")
        raise stdlib_cache.PrecompileError("precompile-stdlib.mjs failed")

    monkeypatch.setattr(stdlib_cache, "run_precompile", failing_precompile)
    with pytest.raises(stdlib_cache.PrecompileError):
        stdlib_cache.compiled_stdlib(runtime.PYODIDE_DIR, tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- the site -----------------------------------------------------------------------------------
def test_the_lock_file_names_the_compiled_stdlib_with_its_sha256(compiled, tmp_path):
    runtime.write_calculator_package(tmp_path)
    lock = json.loads((tmp_path / "pyodide-lock.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(compiled.read_bytes()).hexdigest()
    # The name carries the content: the runtime folder is cached as immutable.
    assert lock["tool"]["nenguide"]["stdlib"] == {
        "file_name": f"python_stdlib_pyc.{digest[:16]}.zip", "sha256": digest}
    assert "nenguide-calculators" in lock["packages"]  # still a valid lock for Pyodide


def test_the_runtime_folder_holds_both_standard_libraries(compiled, tmp_path):
    """The compiled one for today's worker; Pyodide's own for a release's frozen worker."""
    runtime.copy_runtime(tmp_path)
    [copied] = tmp_path.glob("python_stdlib_pyc.*.zip")
    assert copied.read_bytes() == compiled.read_bytes()
    assert (tmp_path / "python_stdlib.zip").read_bytes() == STOCK_STDLIB.read_bytes()
