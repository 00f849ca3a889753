"""Tests for the WHO grade calculator (reference.md §1): boundaries, decisions, validation."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from calculators import grade
from conftest import grade_rules

RULES = grade_rules()


def evaluate(inputs: object) -> dict[str, Any]:
    """The calculator with the rules of the latest guideline version."""
    return grade.evaluate(inputs, RULES)


def _ok(inputs: dict[str, Any]) -> dict[str, Any]:
    result = evaluate(inputs)
    assert result["ok"] is True, result
    return result


def _errors(inputs: object) -> dict[str, str]:
    """{field: message} of a failed evaluation."""
    result = evaluate(inputs)
    assert result["ok"] is False, result
    assert set(result) == {"ok", "errors"}
    return {error["field"]: error["message"] for error in result["errors"]}


def _warned(result: dict[str, Any], *words: str) -> bool:
    """True if one warning contains every word (case-insensitive)."""
    return any(all(w.lower() in text.lower() for w in words) for text in result["warnings"])


def digestive(differentiation: str = "well", **fields: Any) -> dict[str, Any]:
    return {"site": "pancreas", "differentiation": differentiation, **fields}


def lung(differentiation: str = "well", **fields: Any) -> dict[str, Any]:
    return {"site": "lung", "differentiation": differentiation, **fields}


# --- §1.1 digestive boundary table ----------------------------------------------------------

@pytest.mark.parametrize(
    ("ki67", "mitoses", "category", "by_index"),
    [
        (2.99, None, "NET G1", ("G1", None)),
        (3, None, "NET G2", ("G2", None)),  # exactly 3 % is G2
        (20, None, "NET G2", ("G2", None)),  # exactly 20 % is still G2
        (20.01, None, "NET G3", ("G3", None)),
        (None, 1.9, "NET G1", (None, "G1")),  # fractional counts are allowed
        (None, 2, "NET G2", (None, "G2")),  # exactly 2 is G2
        (None, 20, "NET G2", (None, "G2")),  # exactly 20 is still G2
        (None, 20.5, "NET G3", (None, "G3")),
        (2, 5, "NET G2", ("G1", "G2")),  # the higher of the two decides
        (25, 1, "NET G3", ("G3", "G1")),  # ... in either direction
        (2.99, 1.9, "NET G1", ("G1", "G1")),
        (0, 0, "NET G1", ("G1", "G1")),
        (100, 0, "NET G3", ("G3", "G1")),
    ],
)
def test_digestive_boundaries(ki67, mitoses, category, by_index):
    result = _ok(digestive(ki67_percent=ki67, mitoses_per_2mm2=mitoses))
    assert result["category"] == category
    assert result["grade_by_index"] == {"ki67": by_index[0], "mitoses": by_index[1]}
    assert result["classification"] == "WHO 2019 digestive"
    assert result["citations"] == ["WHO2019", "RINDI2018"]


@pytest.mark.parametrize(
    "site", ["pancreas", "small_intestine", "stomach", "rectum", "appendix", "colon", "unknown"]
)
def test_every_digestive_site_uses_the_same_thresholds(site):
    result = _ok({"site": site, "differentiation": "well", "ki67_percent": 3,
                  "mitoses_per_2mm2": 1})
    assert result["category"] == "NET G2"
    assert result["classification"] == "WHO 2019 digestive"


def test_unknown_primary_says_digestive_criteria_were_used():
    result = _ok({"site": "unknown", "differentiation": "well", "ki67_percent": 1})
    assert _warned(result, "unknown primary", "digestive")


def test_rule_names_both_indices_and_the_higher_of_two():
    rule = _ok(digestive(ki67_percent=2, mitoses_per_2mm2=5))["rule"]
    assert "Ki-67 2 %" in rule and "G1" in rule
    assert "mitotic count 5 per 2 mm²" in rule and "G2" in rule
    assert "higher" in rule


def test_both_indices_present_gives_no_single_index_warning():
    assert not _warned(_ok(digestive(ki67_percent=5, mitoses_per_2mm2=3)), "single index")


@pytest.mark.parametrize(
    ("fields", "missing"),
    [({"ki67_percent": 5}, "mitotic count"), ({"mitoses_per_2mm2": 3}, "Ki-67")],
)
def test_single_index_grades_with_a_warning(fields, missing):
    result = _ok(digestive(**fields))
    assert result["category"] == "NET G2"
    assert _warned(result, "single index", missing)
    assert "only index" in result["rule"]


def test_well_differentiated_with_both_indices_missing_asks_for_one():
    result = evaluate(digestive())
    assert result["errors"] == [{
        "field": "ki67_percent", "label": "Ki-67 index (%)", "kind": "missing",
        "message": "a well-differentiated tumour is graded from the Ki-67 index or the mitotic "
                   "count: give at least one (both is better)"}]


# --- §1.2 NET G3 vs NEC ---------------------------------------------------------------------

def test_well_differentiated_ki67_80_is_net_g3_not_nec():
    result = _ok(digestive(ki67_percent=80, mitoses_per_2mm2=5))
    assert result["category"] == "NET G3"
    assert _warned(result, "55", "morphology")  # unusual value: re-check, but keep NET G3


def test_net_g3_below_55_has_no_morphology_warning():
    assert _ok(digestive(ki67_percent=40, mitoses_per_2mm2=5))["warnings"] == []


@pytest.mark.parametrize(
    ("small_cell", "category"),
    [(True, "NEC small cell"), (False, "NEC large cell"), (None, "NEC")],
)
def test_poorly_differentiated_is_nec_by_morphology(small_cell, category):
    result = _ok(digestive("poor", ki67_percent=70, small_cell_morphology=small_cell))
    assert result["category"] == category
    assert "grade_by_index" not in result
    assert not _warned(result, "inconsistent")
    assert _warned(result, "cell type not given") is (small_cell is None)


@pytest.mark.parametrize(
    "fields",
    [
        {"ki67_percent": 15, "mitoses_per_2mm2": 20},  # both given, both <= 20
        {"ki67_percent": 20},  # the only index given, exactly 20
        {"mitoses_per_2mm2": 3},
    ],
)
def test_poorly_differentiated_with_low_proliferation_is_nec_with_warning(fields):
    result = _ok(digestive("poor", small_cell_morphology=False, **fields))
    assert result["category"] == "NEC large cell"
    assert _warned(result, "inconsistent", "WHO", "re-check", "morphology")


def test_poorly_differentiated_with_one_index_above_20_is_consistent():
    result = _ok(digestive("poor", small_cell_morphology=True, ki67_percent=15,
                           mitoses_per_2mm2=21))
    assert not _warned(result, "inconsistent")


def test_poorly_differentiated_without_indices_is_nec_with_a_note():
    result = _ok(digestive("poor", small_cell_morphology=True))
    assert result["category"] == "NEC small cell"
    assert _warned(result, "not needed")


# --- §1.3 MiNEN -----------------------------------------------------------------------------

@pytest.mark.parametrize(("percent", "edge_warning"), [(30, True), (50, False), (70, True)])
def test_minen_from_30_to_70_percent(percent, edge_warning):
    result = _ok(digestive("poor", small_cell_morphology=False, mixed_component_percent=percent))
    assert result["category"] == "MiNEN"
    assert result["ne_component_category"] == "NEC large cell"
    assert _warned(result, "at least 30", "> 30") is edge_warning
    assert _warned(result, "each component")


def test_minen_below_30_percent_is_classified_by_the_ne_component():
    result = _ok(digestive(ki67_percent=5, mixed_component_percent=29.9))
    assert result["category"] == "NET G2"
    assert _warned(result, "29.9", "not a MiNEN")


def test_zero_non_ne_component_is_a_pure_nen_without_note():
    result = _ok(digestive(ki67_percent=5, mitoses_per_2mm2=2, mixed_component_percent=0))
    assert result["category"] == "NET G2" and result["warnings"] == []


def test_ne_component_below_30_percent_is_outside_nen_classification():
    errors = _errors(digestive(ki67_percent=5, mixed_component_percent=70.1))
    assert list(errors) == ["mixed_component_percent"]
    assert "29.9" in errors["mixed_component_percent"]
    assert "non-neuroendocrine carcinoma" in errors["mixed_component_percent"]


def test_minen_with_ungraded_well_differentiated_ne_component_warns():
    result = _ok(digestive(mixed_component_percent=50))
    assert result["category"] == "MiNEN" and result["ne_component_category"] is None
    assert _warned(result, "could not be graded")


def test_mixed_lung_tumour_is_refused():
    errors = _errors(lung(mitoses_per_2mm2=1, necrosis="none", mixed_component_percent=40))
    assert list(errors) == ["mixed_component_percent"]
    assert "lung" in errors["mixed_component_percent"]


# --- §1.4 lung ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("differentiation", "mitoses", "necrosis", "small_cell", "category"),
    [
        ("well", 1.9, "none", None, "typical carcinoid"),
        ("well", 0, "none", None, "typical carcinoid"),
        ("well", 1.9, "punctate", None, "atypical carcinoid"),
        ("well", 1, "extensive", None, "atypical carcinoid"),
        ("well", 2, "none", None, "atypical carcinoid"),  # exactly 2
        ("well", 2, None, None, "atypical carcinoid"),  # 2-10: necrosis not needed
        ("well", 10, None, None, "atypical carcinoid"),  # exactly 10 (1999 WHO overlapped LCNEC)
        ("well", 10, "extensive", None, "atypical carcinoid"),
        ("poor", 11, None, True, "SCLC"),
        ("poor", 11, None, False, "LCNEC"),
        ("poor", 80, "extensive", True, "SCLC"),
    ],
)
def test_lung_boundaries(differentiation, mitoses, necrosis, small_cell, category):
    result = _ok(lung(differentiation, mitoses_per_2mm2=mitoses, necrosis=necrosis,
                      small_cell_morphology=small_cell))
    assert result["category"] == category
    assert result["classification"] == "WHO 2021 thoracic"
    assert result["citations"] == ["WHO2021L"]
    assert "grade_by_index" not in result
    assert not _warned(result, "IMPORTANT") and not _warned(result, "inconsistent")


def test_lung_carcinoid_below_2_without_necrosis_is_an_error():
    errors = _errors(lung(mitoses_per_2mm2=1.9))
    assert list(errors) == ["necrosis"]
    assert "typical" in errors["necrosis"] and "atypical" in errors["necrosis"]


def test_lung_carcinoid_without_mitoses_is_an_error():
    errors = _errors(lung(ki67_percent=2, necrosis="none"))
    assert errors == {"mitoses_per_2mm2": "lung carcinoids are classified by the mitotic count "
                      "and necrosis: give the mitotic count"}


def test_lung_carcinoid_with_more_than_10_mitoses_stays_atypical_with_prominent_warning():
    result = _ok(lung(mitoses_per_2mm2=10.5, necrosis="none"))
    assert result["category"] == "atypical carcinoid"
    first = result["warnings"][0]
    assert first.startswith("IMPORTANT") and "LCNEC" in first and "expert" in first
    assert "increased mitotic or proliferation rates" in first
    assert result["needs_expert_review"] is True
    assert "needs_expert_review" not in _ok(lung(mitoses_per_2mm2=10, necrosis="none"))


def test_lung_nec_without_cell_type_is_an_error():
    errors = _errors(lung("poor", mitoses_per_2mm2=50))
    assert list(errors) == ["small_cell_morphology"]
    assert "SCLC" in errors["small_cell_morphology"] and "LCNEC" in errors["small_cell_morphology"]


@pytest.mark.parametrize("mitoses", [10, 3])
def test_lung_nec_with_10_or_fewer_mitoses_warns(mitoses):
    result = _ok(lung("poor", mitoses_per_2mm2=mitoses, small_cell_morphology=True))
    assert result["category"] == "SCLC"
    assert _warned(result, "inconsistent", "> 10")


def test_lung_ki67_is_noted_but_does_not_change_the_category():
    result = _ok(lung(ki67_percent=30, mitoses_per_2mm2=3, necrosis="none"))
    assert result["category"] == "atypical carcinoid"  # reference §1.4: still AC
    assert _warned(result, "Ki-67", "no part", "crushed")


# --- fields that do not apply ----------------------------------------------------------------

def test_necrosis_is_ignored_outside_lung_with_a_note():
    result = _ok(digestive(ki67_percent=1, mitoses_per_2mm2=1, necrosis="extensive"))
    assert result["category"] == "NET G1"
    assert _warned(result, "necrosis", "ignored")


def test_small_cell_morphology_is_ignored_for_well_differentiated_with_a_note():
    result = _ok(digestive(ki67_percent=1, small_cell_morphology=True))
    assert result["category"] == "NET G1"
    assert _warned(result, "cell type", "ignored")


# --- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("ki67_percent", math.nan, ["NaN"]),
        ("ki67_percent", math.inf, ["infinity"]),
        ("mitoses_per_2mm2", -math.inf, ["infinity"]),
        ("ki67_percent", True, ["boolean"]),
        ("mitoses_per_2mm2", False, ["boolean"]),
        ("ki67_percent", "abc", ["'abc'", "number"]),
        ("ki67_percent", "5%%", ["'5%%'", "% sign"]),
        ("mitoses_per_2mm2", "5%", ["'5%'", "not a percentage"]),
        ("ki67_percent", "1,600", ["'1,600'", "ambiguous", "1.600 (decimal comma)",
                                   "1600 (thousands separator)"]),
        ("ki67_percent", "nan", ["'nan'"]),
        ("ki67_percent", "1e1", ["'1e1'"]),
        ("ki67_percent", -1, ["0 to 100", "-1"]),
        ("ki67_percent", 100.5, ["0 to 100", "100.5"]),
        ("mitoses_per_2mm2", -0.5, ["0 or more", "-0.5"]),
        ("mitoses_per_2mm2", 10**400, ["too large"]),
        ("mixed_component_percent", 100.5, ["0 to 100"]),
        ("mixed_component_percent", [30], ["a list"]),
        ("small_cell_morphology", "true", ["true, false or null"]),
        ("small_cell_morphology", 1, ["true, false or null"]),
        ("necrosis", "absent", ["None, Punctate, Extensive"]),
        ("necrosis", 0, ["None, Punctate, Extensive"]),
    ],
)
def test_invalid_values_are_reported_on_their_field(field, value, words):
    inputs = digestive(ki67_percent=5, mitoses_per_2mm2=1)
    inputs[field] = value
    errors = _errors(inputs)
    assert list(errors) == [field]
    for word in words:
        assert word in errors[field]


def test_unknown_site_lists_the_allowed_values():
    errors = _errors({"site": "liver", "differentiation": "well", "ki67_percent": 5})
    assert list(errors) == ["site"]
    assert "'liver'" in errors["site"]
    assert ("choose one of: Pancreas, Duodenum, Small intestine, Stomach, Rectum, Appendix, "
            "Colon, Lung, Unknown primary" in errors["site"])


def test_misspelt_site_gets_a_suggestion():
    assert "did you mean 'Pancreas'" in _errors(digestive() | {"site": "pancras"})["site"]


def test_moderately_differentiated_is_explained():
    errors = _errors(digestive("moderately differentiated", ki67_percent=5))
    assert "not a WHO 2019 category" in errors["differentiation"]
    assert ("Well differentiated (NET, carcinoid), Poorly differentiated (NEC)"
            in errors["differentiation"])


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("ki67", "ki67_percent"), ("mitoses", "mitoses_per_2mm2"), ("necroses", "necrosis"),
     ("sites", "site")],
)
def test_unknown_key_is_an_error_with_a_suggestion(key, suggestion):
    errors = _errors(digestive(ki67_percent=5) | {key: 3})
    assert list(errors) == [key]
    assert "unknown field" in errors[key] and f"did you mean '{suggestion}'" in errors[key]


def test_unknown_key_without_close_match_lists_known_fields():
    message = _errors(digestive(ki67_percent=5) | {"zzz": 1})["zzz"]
    assert "did you mean" not in message and "known fields: site, differentiation" in message


@pytest.mark.parametrize("inputs", [None, [], "pancreas", 5, ["site", "pancreas"]])
def test_non_dict_input_is_an_error(inputs):
    errors = _errors(inputs)
    assert list(errors) == ["inputs"] and "object" in errors["inputs"]


@pytest.mark.parametrize("field", ["site", "differentiation"])
@pytest.mark.parametrize("value", ["missing", None, ""])
def test_site_and_differentiation_are_required(field, value):
    inputs = digestive(ki67_percent=5)
    if value == "missing":
        del inputs[field]
    else:
        inputs[field] = value
    errors = _errors(inputs)
    assert list(errors) == [field] and "required" in errors[field]


@pytest.mark.parametrize(
    ("ki67", "mitoses", "category"),
    [("5", "1", "NET G2"), ("1.6", " 1.9 ", "NET G1"), (" 20 ", "20", "NET G2"),
     (".5", "+0", "NET G1")],
)
def test_numeric_strings_from_forms_are_accepted(ki67, mitoses, category):
    result = _ok(digestive(ki67_percent=ki67, mitoses_per_2mm2=mitoses))
    assert result["category"] == category
    assert isinstance(result["inputs"]["ki67_percent"], float)


def test_empty_strings_count_as_null():
    result = _ok(digestive(ki67_percent="5", mitoses_per_2mm2="", necrosis="",
                           small_cell_morphology="", mixed_component_percent=""))
    assert result["category"] == "NET G2"
    assert _warned(result, "single index")
    assert result["inputs"] == {"site": "pancreas", "differentiation": "well", "ki67_percent": 5.0,
                                "mitoses_per_2mm2": None, "necrosis": None,
                                "small_cell_morphology": None, "mixed_component_percent": None}


def test_choices_are_normalised():
    result = _ok({"site": " Lung ", "differentiation": "WELL", "mitoses_per_2mm2": 0,
                  "necrosis": "None"})
    assert result["category"] == "typical carcinoid"
    assert result["inputs"]["site"] == "lung" and result["inputs"]["necrosis"] == "none"


def test_all_errors_are_reported_at_once():
    errors = _errors({"site": "liver", "differentiation": "moderate", "ki67_percent": math.nan,
                      "mitoses_per_2mm2": -1, "necrosis": "lots", "small_cell_morphology": "yes",
                      "mixed_component_percent": "abc", "ki_67": 3})
    assert list(errors) == ["site", "differentiation", "ki67_percent", "mitoses_per_2mm2",
                            "necrosis", "small_cell_morphology", "mixed_component_percent",
                            "ki_67"]


def test_validation_and_classification_errors_are_reported_together():
    errors = _errors(lung(ki67_percent="abc", necrosis="none"))
    assert list(errors) == ["ki67_percent", "mitoses_per_2mm2"]


def test_a_classification_error_caused_by_an_invalid_field_is_not_repeated():
    errors = _errors(digestive(ki67_percent="abc"))  # would otherwise also say "both missing"
    assert list(errors) == ["ki67_percent"] and "'abc'" in errors["ki67_percent"]


# --- output contract -------------------------------------------------------------------------

CASES: list[object] = [
    digestive(ki67_percent=5, mitoses_per_2mm2=1),
    digestive(ki67_percent=80),
    digestive("poor", ki67_percent=10, necrosis="punctate"),
    digestive("poor", small_cell_morphology=True, mixed_component_percent=30),
    digestive(mixed_component_percent=50),
    lung(mitoses_per_2mm2=12, ki67_percent=30),
    lung(mitoses_per_2mm2=1.9),
    lung("poor"),
    {"site": "pancreas", "differentiation": "well", "ki67_percent": math.nan, "x": math.inf},
    {"site": math.nan, 1: 2, (1, 2): "a", "differentiation": {"a": 1}},
    None,
    [math.nan],
    "x" * 10_000,
]


@pytest.mark.parametrize("inputs", CASES)
def test_every_result_is_strict_json(inputs):
    result = evaluate(inputs)
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text) == result  # only str/int/float/bool/None/list/dict survive a round trip


@pytest.mark.parametrize("inputs", CASES)
def test_success_results_have_the_documented_keys(inputs):
    result = evaluate(inputs)
    if result["ok"]:
        keys = {"category", "rule", "warnings", "classification", "citations", "inputs"}
        assert keys <= set(result)
        assert result["category"] in {
            "NET G1", "NET G2", "NET G3", "NEC", "NEC small cell", "NEC large cell", "MiNEN",
            "typical carcinoid", "atypical carcinoid", "LCNEC", "SCLC"}
        assert result["rule"].endswith(".") and result["rule"][0].isupper()
    else:
        assert result["errors"] and all(set(e) == {"field", "label", "message", "kind"}
                                        for e in result["errors"])


def test_evaluate_never_raises_even_for_hostile_objects():
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    result = evaluate({"site": "pancreas", "differentiation": "well", "ki67_percent": Hostile()})
    assert result["ok"] is False and [e["field"] for e in result["errors"]] == ["ki67_percent"]
    # A key whose repr fails reaches the last-resort guard: still a JSON error, never an exception.
    result = evaluate({"site": "pancreas", "differentiation": "well", Hostile(): 1})
    assert result["ok"] is False and result["errors"][0]["field"] == "inputs"
    json.dumps(result, allow_nan=False)


# --- Rules come from the guideline version -------------------------------------------------

def test_the_thresholds_come_from_the_rules():
    """Moving the G1/G2 boundary in the rules moves the calculator's answer."""
    rules = json.loads(json.dumps(RULES))
    rules["digestive"]["ki67_percent"]["g2_from"] = 2
    inputs = digestive(ki67_percent=2.5)
    assert evaluate(inputs)["category"] == "NET G1"
    assert grade.evaluate(inputs, rules)["category"] == "NET G2"


def test_the_result_names_the_edition_and_interprets_the_category():
    result = _ok(digestive(ki67_percent=5))
    assert result["classification"] == RULES["digestive"]["edition"]
    assert result["interpretation"] == RULES["interpretations"]["NET G2"]


def test_minen_adds_the_minen_citations():
    result = _ok(digestive(ki67_percent=5, mixed_component_percent=40))
    assert set(RULES["minen"]["citations"]) <= set(result["citations"])


@pytest.mark.parametrize("rules", [None, {}, {"digestive": {}}, "rules", []])
def test_missing_or_broken_rules_are_an_error_not_an_exception(rules):
    result = grade.evaluate(digestive(ki67_percent=5), rules)
    assert result["ok"] is False
    assert result["errors"][0]["field"] == "rules"


def test_every_field_has_the_label_its_form_shows():
    from calculators.grade_inputs import PARSERS
    from calculators.labels import GRADE_FIELDS

    assert list(GRADE_FIELDS) == list(PARSERS)


def test_the_result_restates_its_inputs_in_the_forms_words():
    result = _ok(lung(mitoses_per_2mm2="1", necrosis="none", ki67_percent="2,5"))
    assert result["stated_inputs"] == [
        {"field": "site", "label": "Primary site", "value": "Lung"},
        {"field": "differentiation", "label": "Differentiation (morphology)",
         "value": "Well differentiated (NET, carcinoid)"},
        {"field": "ki67_percent", "label": "Ki-67 index", "value": "2.5 % (typed “2,5”)"},
        {"field": "mitoses_per_2mm2", "label": "Mitoses per 2 mm²", "value": "1"},
        {"field": "necrosis", "label": "Necrosis", "value": "None"},
    ]
    assert "1 mitosis per 2 mm²" in result["rule"]  # not "1 mitoses"


def test_labels_are_accepted_as_values():
    result = _ok({"site": "Small intestine", "differentiation": "Poorly differentiated (NEC)"})
    assert result["inputs"]["site"] == "small_intestine"
    assert result["category"] == "NEC"
