"""The nenguide command as a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import grade_rules
from generator import cli

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_calc_grade_prints_the_calculator_json():
    done = run_cli("calc", "grade", "--json",
                   '{"site": "pancreas", "differentiation": "well", "ki67_percent": 5, '
                   '"mitoses_per_2mm2": 1}')
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True
    assert result["category"] == "NET G2"
    assert result["grade_by_index"] == {"ki67": "G2", "mitoses": "G1"}


def test_calc_grade_reports_bad_json_as_an_error_result(capsys):
    assert cli.main(["calc", "grade", "--json", "{not json"]) == 1  # an answer, and a failure
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False
    assert result["errors"][0]["message"].startswith("input is not valid JSON")


def test_calc_output_is_the_same_bytes_as_the_json_api(capsys):
    from calculators import json_api

    inputs = '{"site": "lung", "differentiation": "well", "mitoses_per_2mm2": 2}'
    cli.main(["calc", "grade", "--json", inputs])
    rules = json.dumps(grade_rules())
    assert capsys.readouterr().out == json_api.run("grade", inputs, rules) + "\n"


def _batch(data: bytes, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", "calc", "grade", "--batch",
                           *options], cwd=ROOT, input=data, capture_output=True)


def test_calc_batch_answers_line_n_on_line_n():
    lines = ['{"site": "pancreas", "differentiation": "well", "ki67_percent": 3}',
             "",
             '{"site": "lung", "differentiation": "poor", "small_cell_morphology": true}',
             "not json",
             "   ",
             '{"site": "pancreas", "differentiation": "well"}']
    done = _batch(("\n".join(lines) + "\n").encode())
    assert done.returncode == 1, done.stderr  # some lines failed
    results = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(results) == len(lines)
    assert [r.get("category") for r in results] == ["NET G2", None, "SCLC", None, None, None]
    assert results[1]["errors"][0]["message"] == "the line is empty; write one JSON object per line"
    assert results[3]["errors"][0]["message"].startswith("input is not valid JSON")
    assert results[4]["errors"][0]["field"] == "inputs"
    assert results[5]["errors"][0]["field"] == "ki67_percent"


def test_calc_batch_exits_0_only_when_every_line_is_answered():
    line = b'{"site": "pancreas", "differentiation": "well", "ki67_percent": 3}\n'
    assert _batch(line * 3).returncode == 0
    assert _batch(line * 3 + b"\n").returncode == 1


def test_calc_batch_refuses_long_and_non_utf8_lines_in_place():
    line = b'{"site": "pancreas", "differentiation": "well", "ki67_percent": 3}'
    done = _batch(line + b"\n" + b'{"site": "' + b"x" * 500 + b'"}\n' + b'{"site": "caf\xe9"}\n'
                  + line + b"\n", "--max-line-bytes", "200")
    results = [json.loads(text) for text in done.stdout.decode().splitlines()]
    assert [r["ok"] for r in results] == [True, False, False, True]
    assert results[1]["errors"][0]["message"] == ("the line is 512 bytes long; at most 200 are "
                                                  "read")
    assert results[2]["errors"][0]["message"] == "the line is not UTF-8 (byte 14)"


def test_calc_with_an_unknown_version_names_the_known_ones():
    done = run_cli("calc", "grade", "--version", "1999.1", "--json", "{}")
    assert done.returncode == 1
    assert done.stderr == "error: unknown version '1999.1' (known: 2024.1, 2025.1, latest)\n"


def test_calc_latest_is_the_newest_version():
    inputs = '{"site": "pancreas", "differentiation": "well", "ki67_percent": 3}'
    assert run_cli("calc", "grade", "--json", inputs).stdout == \
        run_cli("calc", "grade", "--version", "2025.1", "--json", inputs).stdout


def test_check_reports_the_real_content_clean():
    done = run_cli("check")
    assert done.returncode == 0, done.stderr
    assert "no problems" in done.stdout


def test_serve_refuses_a_host_that_is_not_loopback():
    done = run_cli("serve", "--host", "0.0.0.0")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_serve_without_a_build_says_what_to_do(tmp_path):
    done = run_cli("serve", "--site", str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert "run `nenguide build` first" in done.stderr


def test_field_reference_is_up_to_date():
    """docs/content-fields.md is generated from the schema; regenerate it after a change:
    .venv/bin/nenguide fields > docs/content-fields.md"""
    from generator.fields_doc import render_field_reference

    assert (ROOT / "docs/content-fields.md").read_text(encoding="utf-8") == \
        render_field_reference()
