"""The calculators wheel and its lock file, as the browser will load them."""

import hashlib
import json
import zipfile

from generator import runtime


def test_wheel_holds_the_calculators_and_is_reproducible(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = runtime.build_wheel(tmp_path / "a")
    second = runtime.build_wheel(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    names = zipfile.ZipFile(first).namelist()
    assert "calculators/grade.py" in names
    assert "calculators/json_api.py" in names
    assert any(name.endswith(".dist-info/RECORD") for name in names)


def test_lock_file_lists_the_wheel_with_its_sha256(tmp_path):
    wheel = runtime.write_calculator_package(tmp_path)
    lock = json.loads((tmp_path / "pyodide-lock.json").read_text())
    entry = lock["packages"]["nenguide-calculators"]
    assert entry["file_name"] == wheel.name
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert entry["imports"] == ["calculators"]
    assert lock["info"]["python"].startswith("3.")


def test_runtime_copy_has_what_the_browser_needs(tmp_path):
    runtime.copy_runtime(tmp_path)
    for name in ("pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
        assert (tmp_path / name).stat().st_size > 0
