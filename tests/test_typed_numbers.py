"""Numbers as pathologists type them: every decision of calculators.typed_numbers, pinned.

The same table runs through the grade calculator (what the browser and the CLI call), and the
Pyodide parity test sends the same texts through Pyodide (tests/test_pyodide_parity.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from calculators import grade, pathway
from calculators.typed_numbers import read_typed_number
from conftest import ROOT, grade_rules

RULES = grade_rules()

# (typed text, the number read) for a percent field (Ki-67).
ACCEPTED = [
    ("2.5", 2.5),
    ("2,5", 2.5),            # a decimal comma: European reports
    (" 2.5 ", 2.5),          # spaces around, as pasted
    ("\u00a02,5\u00a0", 2.5),  # no-break spaces from a word processor
    ("2.5 %", 2.5),          # a percent field ignores one trailing % sign
    ("2,5%", 2.5),
    ("2,5\u202f%", 2.5),     # French typography: a narrow no-break space before %
    ("+2.5", 2.5),
    (".5", 0.5),
    (",5", 0.5),
    ("5.", 5.0),
    ("05", 5.0),
    ("0,125", 0.125),        # a zero before the comma cannot be a thousands group
    ("1.234", 1.234),        # a point is always decimal (1234 is no Ki-67 or mitotic count)
    ("12,50", 12.5),         # two digits after the comma: a decimal comma
    ("1,2345", 1.2345),      # four digits: a decimal comma
    ("20", 20.0),
]

# (typed text, words the message must contain) for a percent field (Ki-67).
REFUSED = [
    ("1,234", ["'1,234'", "ambiguous", "1.234 (decimal comma)", "1234 (thousands separator)"]),
    ("12,500", ["ambiguous", "12.500 (decimal comma)", "12500 (thousands separator)"]),
    ("2,5,1", ["'2,5,1'", "not one number", "more than one decimal separator"]),
    ("2.5.1", ["'2.5.1'", "not one number"]),
    ("1.234,5", ["not one number"]),
    ("1,234.5", ["not one number"]),
    ("2 5", ["'2 5'", "space inside the number"]),
    ("<1", ["'<1'", "a limit rather than a value"]),
    ("> 20", ["a limit rather than a value"]),
    ("≤2", ["a limit rather than a value"]),
    ("5%%", ["only one % sign"]),
    ("%5", ["only one % sign"]),
    ("1e3", ["'1e3'"]),
    ("nan", ["'nan'"]),
    ("inf", ["'inf'"]),
    ("½", ["'½'"]),
    ("２", ["'２'"]),           # a full-width digit: not read as 2
    ("abc", ["'abc'"]),
    (".", ["'.'"]),
    (",", ["','"]),
    ("-", ["'-'"]),
    ("1" * 400, ["too large"]),
]


@pytest.mark.parametrize(("text", "number"), ACCEPTED)
def test_accepted_forms_read_as_one_number(text, number):
    assert read_typed_number(text, percent=True) == (number, "")
    result = grade.evaluate({"site": "pancreas", "differentiation": "well",
                             "ki67_percent": text}, RULES)
    assert result["ok"] and result["inputs"]["ki67_percent"] == number


@pytest.mark.parametrize(("text", "words"), REFUSED)
def test_refused_forms_name_the_field_and_what_was_read(text, words):
    result = grade.evaluate({"site": "pancreas", "differentiation": "well",
                             "ki67_percent": text}, RULES)
    assert result["ok"] is False
    [error] = result["errors"]
    assert (error["field"], error["label"], error["kind"]) == (
        "ki67_percent", "Ki-67 index (%)", "invalid")
    assert error["message"].startswith("expected a number from 0 to 100, got ")
    for word in words:
        assert word in error["message"], error["message"]


def test_a_decimal_comma_is_never_read_as_a_number_ten_times_larger():
    """The case that started it: "2,5" must be G1 (2.5 %), never G3 (25 %)."""
    result = grade.evaluate({"site": "pancreas", "differentiation": "well",
                             "ki67_percent": "2,5"}, RULES)
    assert result["category"] == "NET G1"
    assert {"field": "ki67_percent", "label": "Ki-67 index",
            "value": "2.5 % (typed “2,5”)"} in result["stated_inputs"]


def test_a_percent_sign_is_refused_where_the_field_is_not_a_percentage():
    result = grade.evaluate({"site": "pancreas", "differentiation": "well",
                             "mitoses_per_2mm2": "2 %"}, RULES)
    assert "not a percentage: leave out the % sign" in result["errors"][0]["message"]


def test_mitoses_take_a_decimal_comma_too():
    result = grade.evaluate({"site": "pancreas", "differentiation": "well",
                             "mitoses_per_2mm2": "1,9"}, RULES)
    assert result["category"] == "NET G1"  # 1.9 < 2, not 19
    assert {"field": "mitoses_per_2mm2", "label": "Mitoses per 2 mm²",
            "value": "1.9 (typed “1,9”)"} in result["stated_inputs"]


def test_the_pathway_reads_ki67_the_same_way():
    from test_pathway import RULES as PATHWAY_RULES

    inputs = {"category": "NET G1", "site": "pancreas", "stage": "unresectable_metastatic",
              "ki67_percent": "2,5"}
    result = pathway.evaluate(inputs, PATHWAY_RULES)
    assert result["ok"] and result["inputs"]["ki67_percent"] == 2.5
    result = pathway.evaluate(inputs | {"ki67_percent": "2,5,1"}, PATHWAY_RULES)
    assert "not one number" in result["errors"][0]["message"]


def test_pathway_numbers_are_typed_numbers_too():
    """ECOG is a whole number; sizes and months may be decimals typed with a comma."""
    from test_pathway import RULES as PATHWAY_RULES

    base = {"category": "NET G1", "site": "stomach", "stage": "localized"}
    answer = pathway.evaluate(base | {"ecog": "2,0", "tumour_size_mm": "9,5"}, PATHWAY_RULES)
    assert (answer["inputs"]["ecog"], answer["inputs"]["tumour_size_mm"]) == (2, 9.5)
    message = pathway.evaluate(base | {"ecog": "1,5"}, PATHWAY_RULES)["errors"][0]["message"]
    assert "whole number from 0 to 4" in message
    message = pathway.evaluate(base | {"tumour_size_mm": "1,234"}, PATHWAY_RULES)["errors"][0][
        "message"]
    assert "ambiguous" in message


def test_the_command_line_reads_typed_numbers_as_the_browser_does():
    inputs = json.dumps({"site": "pancreas", "differentiation": "well", "ki67_percent": "2,5",
                         "mitoses_per_2mm2": "1,234"})
    cli = subprocess.run([sys.executable, "-m", "generator.cli", "calc", "grade", "--json",
                          inputs], cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 1  # an answer with an error
    from calculators import json_api

    assert cli.stdout.strip() == json_api.run("grade", inputs, json.dumps(RULES))
    assert "ambiguous" in cli.stdout
