"""Property-based tests of the WHO grade calculator (reference.md §1) with hypothesis.

tests/test_grade.py pins the boundaries with examples; here hypothesis looks for inputs that
crash the calculator, leak NaN into its JSON, or break the clinical invariants of the WHO rules:
a higher index never gives a lower grade, the higher of the two indices decides, morphology
(not the indices) separates NET from NEC.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calculators import grade, json_api
from calculators.grade_inputs import DIFFERENTIATIONS, NECROSIS, SITES
from conftest import grade_rules

RULES = grade_rules()
RULES_JSON = json.dumps(RULES)
KEYS = ("site", "differentiation", "ki67_percent", "mitoses_per_2mm2", "necrosis",
        "small_cell_morphology", "mixed_component_percent")
DIGESTIVE_SITES = tuple(site for site in SITES if site != "lung")  # "unknown" uses them too
GRADE_ORDER = {"NET G1": 1, "NET G2": 2, "NET G3": 3}
NEC_CATEGORIES = {"NEC", "NEC small cell", "NEC large cell", "LCNEC", "SCLC"}
# evaluate() is pure and fast; 300 examples per property keep the whole file at a few seconds.
PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _no_constant(name: str) -> Any:
    raise AssertionError(f"JSON output contains {name}")


# --- strategies -------------------------------------------------------------------------------
# Every value json.loads can produce (it also reads NaN/Infinity/-Infinity and huge integers).
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), 2**53 + 1, -1]),
    st.floats(),  # nan, inf, -inf, -0.0 and subnormals included
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
# Values that a form or a hand-written request plausibly sends for a field, good and bad.
numeric_texts = st.from_regex(r"\s?[+-]?[0-9]{0,3}(\.[0-9]{0,3})?\s?", fullmatch=True)
near_choices = st.sampled_from(
    SITES + DIFFERENTIATIONS + NECROSIS
    + (" Lung ", "WELL", "None", "moderately differentiated", "pancras", "", "  ", "true",
       "5%", "1,6", "nan", "inf", "1e3", "1_0", "٣", "２", "Pancreas\u0301"))
field_values = st.one_of(
    json_values,
    near_choices,
    numeric_texts,
    st.floats(min_value=-10, max_value=250),
    st.integers(min_value=-5, max_value=250),
    st.booleans(),
)
# Dicts that mostly use the real keys, sometimes with a stray one.
real_key_dicts = st.builds(
    lambda known, extra: {**known, **extra},
    st.fixed_dictionaries({}, optional={key: field_values for key in KEYS}),
    st.dictionaries(st.sampled_from(("ki67", "mitoses", "Site", "zzz", "")) | st.text(max_size=8),
                    field_values, max_size=1),
)


def index_values(high: float) -> st.SearchStrategy[float]:
    """Floats in [0, high] (no NaN: bounded floats exclude it), half of them on a 0.01 grid so
    that the whole range is visited, not only the simple values hypothesis prefers."""
    return st.floats(min_value=0, max_value=high) | st.integers(0, int(high * 100)).map(
        lambda hundredths: hundredths / 100)


def rising(high: float) -> st.SearchStrategy[list[float]]:
    """2 to 40 values in [0, high], in increasing order: one example checks a whole chain, so a
    narrow window where the grade drops is found without thousands of examples."""
    return st.lists(index_values(high), min_size=2, max_size=40).map(sorted)


def non_decreasing(ranks: list[int]) -> bool:
    return all(a <= b for a, b in zip(ranks, ranks[1:]))


percent = index_values(100)
mitoses = index_values(200)
optional_necrosis = st.none() | st.sampled_from(NECROSIS)
optional_small_cell = st.none() | st.booleans()


# --- helpers ----------------------------------------------------------------------------------
def check_contract(result: object) -> None:
    """The documented shape of every result of grade.evaluate."""
    assert isinstance(result, dict), result
    assert type(result.get("ok")) is bool, result
    text = json.dumps(result, allow_nan=False)  # raises on NaN/inf or a non-JSON object
    assert json.loads(text) == result  # only JSON types survive a round trip unchanged
    if result["ok"]:
        assert result["category"] in grade.CATEGORIES, result
        assert isinstance(result["rule"], str) and result["rule"], result
        assert all(isinstance(w, str) and w for w in result["warnings"]), result
    else:
        assert set(result) == {"ok", "errors"}, result
        assert isinstance(result["errors"], list) and result["errors"], result
        for error in result["errors"]:
            assert set(error) == {"field", "label", "message", "kind"}, error
            assert isinstance(error["field"], str), error
            assert isinstance(error["message"], str) and error["message"], error
            # The last-resort guard turns a crash into this message: JSON input must never hit it.
            assert not error["message"].startswith("internal error"), (error, result)


def evaluate(inputs: object) -> dict[str, Any]:
    result = grade.evaluate(inputs, RULES)
    check_contract(result)
    return result


def category(**inputs: Any) -> str:
    result = evaluate(inputs)
    assert result["ok"] is True, (inputs, result)
    return result["category"]


def net_rank(**inputs: Any) -> int:
    return GRADE_ORDER[category(**inputs)]


# --- never raises, always the documented JSON --------------------------------------------------
@PROPERTY
@given(json_values)
def test_arbitrary_json_values_give_a_well_formed_result(inputs):
    evaluate(inputs)


@PROPERTY
@given(real_key_dicts)
def test_dicts_with_the_real_keys_give_a_well_formed_result(inputs):
    result = evaluate(inputs)
    if result["ok"]:
        assert set(result["inputs"]) == set(KEYS)
        assert not set(inputs) - set(KEYS)  # an unknown key is always an error


@PROPERTY
@given(st.one_of(
    st.text(),
    json_values.map(json.dumps),  # json.dumps writes NaN / Infinity tokens for floats
    real_key_dicts.map(json.dumps),
    real_key_dicts.map(lambda d: json.dumps(d)[:-1]),  # truncated: invalid JSON
))
def test_json_api_always_returns_canonical_json_text(text):
    out = json_api.run("grade", text, RULES_JSON)
    assert isinstance(out, str)
    result = json.loads(out, parse_constant=_no_constant)
    check_contract(result)
    assert json_api.dumps(result) == out  # already in the one canonical spelling
    out.encode("utf-8")  # st.text() draws no lone surrogates: see the test just below


@PROPERTY
@given(st.text(max_size=20), st.text(max_size=50), st.text(max_size=50))
def test_json_api_never_raises_for_any_calculator_inputs_and_rules(calculator, text, rules):
    result = json.loads(json_api.run(calculator, text, rules), parse_constant=_no_constant)
    check_contract(result)


@PROPERTY
@given(st.one_of(st.none(), st.integers(), st.lists(st.integers()), st.binary(max_size=20),
                 st.text(max_size=20)),
       st.one_of(st.none(), st.integers(), st.floats(), st.dictionaries(st.text(), st.text()),
                 st.text(max_size=50)),
       st.one_of(st.none(), st.integers(), st.text(max_size=50)))
def test_json_api_never_raises_whatever_python_values_it_is_given(calculator, text, rules):
    result = json.loads(json_api.run(calculator, text, rules), parse_constant=_no_constant)
    check_contract(result)


def test_json_api_answers_huge_inputs_with_a_short_error():
    huge = json.dumps({"site": "pancreas", "k" * 400_000: 1})
    out = json_api.run("grade", huge, RULES_JSON)
    assert len(out) < 1_000
    assert "at most 100,000 are read" in json.loads(out)["errors"][0]["message"]


def test_json_api_never_answers_more_than_its_output_cap():
    many = json.dumps({f"unknown_{i}_{'x' * 60}": 1 for i in range(1_200)})  # < 100,000 chars
    out = json_api.run("grade", many, RULES_JSON)
    assert len(out) <= json_api.MAX_OUTPUT_CHARS
    check_contract(json.loads(out))


def test_json_api_output_is_utf8_even_for_a_lone_surrogate_in_a_key():
    """JSON can spell a lone surrogate; echoed back in an unknown-key error it must not make
    the output unencodable (`nenguide calc` prints it, the browser receives it)."""
    out = json_api.run("grade", '{"site": "pancreas", "differentiation": "well", '
                                '"ki67_percent": 5, "x\\ud800": 1}', RULES_JSON)
    out.encode("utf-8")
    check_contract(json.loads(out))


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 100_000 + "]" * 100_000,
                                  '{"a": ' * 50_000])
def test_json_api_returns_json_for_deeply_nested_input(text):
    result = json.loads(json_api.run("grade", text, RULES_JSON))
    check_contract(result)
    assert result["ok"] is False and result["errors"][0]["field"] == "inputs"


# --- §1.1 digestive: monotone, and the higher index decides -------------------------------------
@PROPERTY
@given(st.sampled_from(DIGESTIVE_SITES), rising(100), st.none() | mitoses, optional_necrosis,
       optional_small_cell, st.none() | st.floats(min_value=0, max_value=30, exclude_max=True))
def test_raising_ki67_never_lowers_the_digestive_grade(site, ki67s, count, necrosis, small_cell,
                                                       mixed):
    common = {"site": site, "differentiation": "well", "mitoses_per_2mm2": count,
              "necrosis": necrosis, "small_cell_morphology": small_cell,
              "mixed_component_percent": mixed}  # < 30 %: not a MiNEN, graded as a NET
    ranks = [net_rank(ki67_percent=ki67, **common) for ki67 in ki67s]
    assert non_decreasing(ranks), list(zip(ki67s, ranks))


@PROPERTY
@given(st.sampled_from(DIGESTIVE_SITES), st.none() | percent, rising(200))
def test_raising_mitoses_never_lowers_the_digestive_grade(site, ki67, counts):
    common = {"site": site, "differentiation": "well", "ki67_percent": ki67}
    ranks = [net_rank(mitoses_per_2mm2=count, **common) for count in counts]
    assert non_decreasing(ranks), list(zip(counts, ranks))


@PROPERTY
@given(st.sampled_from(DIGESTIVE_SITES), percent, mitoses)
def test_the_higher_of_the_two_indices_decides(site, ki67, count):
    well = {"site": site, "differentiation": "well"}
    by_ki67 = net_rank(**well, ki67_percent=ki67)
    by_mitoses = net_rank(**well, mitoses_per_2mm2=count)
    result = evaluate({**well, "ki67_percent": ki67, "mitoses_per_2mm2": count})
    assert GRADE_ORDER[result["category"]] == max(by_ki67, by_mitoses)
    names = {rank: name[-2:] for name, rank in GRADE_ORDER.items()}
    assert result["grade_by_index"] == {"ki67": names[by_ki67], "mitoses": names[by_mitoses]}


# --- §1.4 lung carcinoid ------------------------------------------------------------------------
@PROPERTY
@given(st.sampled_from(NECROSIS), rising(200), st.none() | percent)
def test_raising_mitoses_never_turns_an_atypical_lung_carcinoid_typical(necrosis, counts, ki67):
    common = {"site": "lung", "differentiation": "well", "necrosis": necrosis,
              "ki67_percent": ki67}
    found = [category(mitoses_per_2mm2=count, **common) for count in counts]
    assert set(found) <= {"typical carcinoid", "atypical carcinoid"}, found
    ranks = [int(name == "atypical carcinoid") for name in found]
    assert non_decreasing(ranks), list(zip(counts, found))


# --- §1.2 morphology decides NET vs NEC ----------------------------------------------------------
@PROPERTY
@given(st.sampled_from(DIGESTIVE_SITES), st.none() | percent, st.none() | mitoses,
       optional_small_cell, optional_necrosis, st.none() | st.floats(min_value=0, max_value=70))
def test_poorly_differentiated_outside_the_lung_is_always_a_nec(site, ki67, count, small_cell,
                                                                necrosis, mixed):
    result = evaluate({"site": site, "differentiation": "poor", "ki67_percent": ki67,
                       "mitoses_per_2mm2": count, "small_cell_morphology": small_cell,
                       "necrosis": necrosis, "mixed_component_percent": mixed})
    assert result["ok"] is True, result
    if result["category"] == "MiNEN":  # mixed component >= 30 %: the NE part is still a NEC
        assert mixed is not None and mixed >= 30
        assert result["ne_component_category"] in NEC_CATEGORIES
    else:
        assert result["category"] in NEC_CATEGORIES
        assert "grade_by_index" not in result


@PROPERTY
@given(st.sampled_from(SITES), st.none() | percent, st.none() | mitoses, optional_small_cell,
       optional_necrosis, st.none() | st.floats(min_value=0, max_value=100))
def test_well_differentiated_is_never_a_nec(site, ki67, count, small_cell, necrosis, mixed):
    result = evaluate({"site": site, "differentiation": "well", "ki67_percent": ki67,
                       "mitoses_per_2mm2": count, "small_cell_morphology": small_cell,
                       "necrosis": necrosis, "mixed_component_percent": mixed})
    assume(result["ok"])  # e.g. no index, lung without necrosis, mixed lung tumour
    assert result["category"] not in NEC_CATEGORIES
    assert result.get("ne_component_category") not in NEC_CATEGORIES
    if ki67 is not None and ki67 > 55 and site != "lung":
        assert result["category"] in ("NET G3", "MiNEN")  # high Ki-67 stays NET, never NEC

