"""The memory snapshot (generator/snapshot_cache.py) changes how Pyodide starts, never an answer.

Every parity case (tests/test_pyodide_parity.py) goes through Pyodide under Node started from
the snapshot, and started normally after each way a snapshot can fail; the JSON text must be
CPython's, byte for byte. A snapshot also fixes the hash seed and the random state of every
visit: the last tests prove that the calculators depend on neither.
"""

from __future__ import annotations

import ast
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calculators import json_api
from generator import runtime, snapshot_cache
from test_pyodide_parity import CASES, NODE, PYODIDE_DIR, RULES_JSON, RUNNER

ROOT = Path(__file__).resolve().parent.parent
CALCULATORS = ROOT / "calculators"


# --- one calc folder with its snapshot, made once ---------------------------------------------
@pytest.fixture(scope="module")
def calc(tmp_path_factory) -> Path:
    """A calc/ folder as the build writes it: the wheel, the rules, the lock, the snapshot."""
    folder = tmp_path_factory.mktemp("calc")
    runtime.write_calculator_package(folder)
    (folder / "rules").mkdir()
    (folder / "rules" / "grade.json").write_text(RULES_JSON, encoding="utf-8")
    runtime.add_snapshot(folder)
    return folder


def _snapshot_of(calc: Path) -> Path:
    [snapshot] = calc.glob(runtime.SNAPSHOT_GLOB)
    return snapshot


def test_the_lock_names_the_snapshot_with_its_sha256(calc):
    snapshot = _snapshot_of(calc)
    entry = json.loads((calc / "pyodide-lock.json").read_text())["tool"]["nenguide"]
    digest = runtime.hashlib.sha256(snapshot.read_bytes()).hexdigest()
    assert entry["snapshot"] == {"file_name": f"snapshot.{digest[:16]}.bin", "sha256": digest}
    assert entry["download_bytes"][snapshot.name] == snapshot.stat().st_size


def test_the_snapshot_is_cached_by_its_inputs(calc):
    """Same inputs, same cached file (snapshots are not byte-reproducible, the cache makes the
    build's output stable); another wheel, another snapshot."""
    stdlib = runtime.compiled_stdlib()
    first = snapshot_cache.input_hash(PYODIDE_DIR, stdlib, calc)
    assert snapshot_cache.input_hash(PYODIDE_DIR, stdlib, calc) == first
    assert snapshot_cache.snapshot(PYODIDE_DIR, stdlib, calc).read_bytes() == \
        _snapshot_of(calc).read_bytes()
    (calc / "rules" / "grade.json").write_text(RULES_JSON + " ", encoding="utf-8")
    try:
        assert snapshot_cache.input_hash(PYODIDE_DIR, stdlib, calc) != first
    finally:
        (calc / "rules" / "grade.json").write_text(RULES_JSON, encoding="utf-8")


# --- the ways a snapshot fails ----------------------------------------------------------------
def _as_made(snapshot: Path, tmp: Path) -> Path:
    return snapshot


def _missing(snapshot: Path, tmp: Path) -> Path:
    return tmp / "no-such-snapshot.bin.gz"


def _corrupt(snapshot: Path, tmp: Path) -> Path:
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the deflate stream: gzip's CRC catches it
    (tmp / "corrupt.bin.gz").write_bytes(bytes(data))
    return tmp / "corrupt.bin.gz"


def _another_build(snapshot: Path, tmp: Path) -> Path:
    """A well-formed snapshot whose header names another Pyodide build (bytes 16-47 hold the
    build id, after the magic number and two sizes)."""
    memory = bytearray(gzip.decompress(snapshot.read_bytes()))
    memory[16] ^= 0xFF
    (tmp / "other.bin.gz").write_bytes(gzip.compress(bytes(memory), compresslevel=1))
    return tmp / "other.bin.gz"


def _garbage(snapshot: Path, tmp: Path) -> Path:
    """Valid gzip around memory that is no snapshot at all (wrong magic number)."""
    (tmp / "garbage.bin.gz").write_bytes(gzip.compress(b"\0" * 4096))
    return tmp / "garbage.bin.gz"


STARTS = {"snapshot": (_as_made, "snapshot"), "missing": (_missing, "normal"),
          "corrupt": (_corrupt, "normal"), "another-build": (_another_build, "normal"),
          "not-a-snapshot": (_garbage, "normal")}


def _run(calc: Path, snapshot: Path, cwd: Path) -> tuple[dict, list[bytes], str]:
    lines = "".join(json.dumps({"calculator": c.calculator, "inputs_json": c.inputs_json,
                                "rules_json": c.rules_json}) + "\n" for c in CASES)
    completed = subprocess.run(
        [NODE, str(RUNNER), str(calc), str(PYODIDE_DIR), str(runtime.compiled_stdlib()),
         str(snapshot)],
        input=lines.encode("ascii"), capture_output=True, timeout=180, cwd=cwd)
    stderr = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == 0, f"the Pyodide runner failed:\n{stderr[-4000:]}"
    header, *results = completed.stdout.split(b"\n")[:-1]
    assert len(results) == len(CASES), stderr[-2000:]
    return json.loads(header), results, stderr


@pytest.mark.parametrize("name", STARTS)
def test_every_parity_case_is_cpythons_answer_whatever_the_snapshot(calc, tmp_path, name):
    make, expected_start = STARTS[name]
    header, results, stderr = _run(calc, make(_snapshot_of(calc), tmp_path), tmp_path)
    assert header["start"] == expected_start, stderr[-2000:]
    assert header["platform"] == "emscripten" and header["python"].startswith("3.14."), header
    assert header["module"] == "/lib/python3.14/site-packages/calculators/json_api.py", header
    if expected_start == "normal":
        assert "starts without its snapshot" in stderr, stderr[-2000:]
    different = [case.name for case, line in zip(CASES, results)
                 if line != json_api.run(*case[1:]).encode("utf-8")]
    assert not different, f"{len(different)} cases differ from CPython: {different[:10]}"


# --- no hash seed, no random state ------------------------------------------------------------
# Every visit started from one snapshot has the same str hash seed and the same `random`
# state. Only output built by iterating a set (or a dict keyed by hashing order) could depend
# on the seed; the calculators import nothing random and sort every key they write.
ALLOWED_IMPORTS = {"__future__", "dataclasses", "difflib", "functools", "json", "math", "re",
                   "typing", "calculators"}


def _imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


def test_the_calculators_import_nothing_random_nor_time_nor_hash_based():
    used = set().union(*(_imports(path) for path in CALCULATORS.glob("*.py")))
    assert used <= ALLOWED_IMPORTS, used - ALLOWED_IMPORTS  # no random, secrets, uuid, time, os
    calls = {node.func.id for path in CALCULATORS.glob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not calls & {"hash", "id"}, calls & {"hash", "id"}


ANSWERS = """
import json, sys
from calculators import json_api
cases = json.loads(sys.stdin.read())
sys.stdout.write(json.dumps([json_api.run(*case) for case in cases]))
"""


def test_every_parity_case_has_one_answer_whatever_the_hash_seed():
    """Sets are used for membership and intersections only; this proves it on every case."""
    cases = json.dumps([list(case[1:]) for case in CASES])
    answers = set()
    for seed in ("0", "1", "4242", "random"):
        completed = subprocess.run(
            [sys.executable, "-c", ANSWERS], input=cases, capture_output=True, text=True,
            cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120, check=True)
        answers.add(completed.stdout)
    assert len(answers) == 1
