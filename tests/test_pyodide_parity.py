"""The browser's Pyodide and pytest's CPython give the same JSON text for the same input.

The calculators wheel is built as for the site, loaded into Pyodide under Node.js the way
generator/assets/calc/worker.mjs loads it, and every case of CASES goes through
calculators.json_api.run on both sides (tests/pyodide_runner.mjs is the Pyodide side). The
results must be identical strings: same keys, same order, same number spelling, same messages.
"""

from __future__ import annotations

import difflib
import json
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from calculators import grade, json_api
from calculators.grade_inputs import SITES
from conftest import grade_rules
from test_typed_numbers import ACCEPTED as TYPED_ACCEPTED
from test_typed_numbers import REFUSED as TYPED_REFUSED
from generator import runtime

RUNNER = Path(__file__).with_name("pyodide_runner.mjs")
NODE = shutil.which("node")
PYODIDE_DIR = runtime.PYODIDE_DIR
RULES = grade_rules()
RULES_JSON = json.dumps(RULES)

if NODE is None:
    pytest.skip("Node.js is not installed: the Pyodide parity tests need `node` on PATH",
                allow_module_level=True)
if not (PYODIDE_DIR / "pyodide.mjs").is_file():
    pytest.skip(f"{PYODIDE_DIR} is missing: run `npm ci` (make setup does)",
                allow_module_level=True)


# --- the case table -----------------------------------------------------------------------------
class Raw(str):
    """Inputs given as JSON text, sent as is (NaN tokens, invalid JSON, escapes)."""


class Case(NamedTuple):
    name: str
    calculator: str
    inputs_json: str
    rules_json: str


def _case(name: str, inputs: Any, *, calculator: str = "grade", rules: str = RULES_JSON) -> Case:
    text = inputs if isinstance(inputs, Raw) else json.dumps(inputs, ensure_ascii=False)
    return Case(name, calculator, text, rules)


def dig(differentiation: str = "well", site: str = "pancreas", **fields: Any) -> dict[str, Any]:
    return {"site": site, "differentiation": differentiation, **fields}


def lung(differentiation: str = "well", **fields: Any) -> dict[str, Any]:
    return {"site": "lung", "differentiation": differentiation, **fields}


def _rules_with(path: tuple[str, ...], value: Any) -> str:
    rules = json.loads(RULES_JSON)
    node = rules
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return json.dumps(rules)


CASES: list[Case] = [
    # §1.1 digestive, well differentiated: every boundary of both indices
    _case("ki67 0", dig(ki67_percent=0)),
    _case("ki67 2.99 G1", dig(ki67_percent=2.99, mitoses_per_2mm2=1)),
    _case("ki67 3 G2", dig(ki67_percent=3, mitoses_per_2mm2=1)),
    _case("ki67 20 G2", dig(ki67_percent=20, mitoses_per_2mm2=1)),
    _case("ki67 20.01 G3", dig(ki67_percent=20.01, mitoses_per_2mm2=1)),
    _case("ki67 55 G3 no warning", dig(ki67_percent=55, mitoses_per_2mm2=1)),
    _case("ki67 55.01 G3 warning", dig(ki67_percent=55.01, mitoses_per_2mm2=1)),
    _case("ki67 100", dig(ki67_percent=100, mitoses_per_2mm2=0)),
    _case("mitoses 0", dig(mitoses_per_2mm2=0)),
    _case("mitoses 1.9 G1", dig(mitoses_per_2mm2=1.9)),
    _case("mitoses 2 G2", dig(mitoses_per_2mm2=2)),
    _case("mitoses 20 G2", dig(mitoses_per_2mm2=20)),
    _case("mitoses 20.5 G3", dig(mitoses_per_2mm2=20.5)),
    _case("mitoses 200", dig(mitoses_per_2mm2=200, ki67_percent=1)),
    _case("higher decides: mitoses", dig(ki67_percent=2, mitoses_per_2mm2=5)),
    _case("higher decides: ki67", dig(ki67_percent=25, mitoses_per_2mm2=1)),
    _case("float noise 0.1+0.2", dig(ki67_percent=0.1 + 0.2, mitoses_per_2mm2=1 / 3)),
    _case("tiny and subnormal", dig(ki67_percent=5e-324, mitoses_per_2mm2=1e-300)),
    _case("integer-valued float", dig(ki67_percent=3.0, mitoses_per_2mm2=2.0)),
    *[_case(f"site {site}", dig(site=site, ki67_percent=3, mitoses_per_2mm2=1))
      for site in SITES if site != "lung"],
    # §1.2 poorly differentiated outside the lung
    _case("NEC small cell", dig("poor", ki67_percent=70, small_cell_morphology=True)),
    _case("NEC large cell", dig("poor", ki67_percent=70, small_cell_morphology=False)),
    _case("NEC cell type not given", dig("poor", ki67_percent=70)),
    _case("NEC low indices inconsistent", dig("poor", ki67_percent=15, mitoses_per_2mm2=20,
                                              small_cell_morphology=False)),
    _case("NEC no indices", dig("poor", small_cell_morphology=True)),
    # §1.3 MiNEN
    _case("mixed 0", dig(ki67_percent=5, mitoses_per_2mm2=2, mixed_component_percent=0)),
    _case("mixed 29.9", dig(ki67_percent=5, mixed_component_percent=29.9)),
    _case("mixed 30 MiNEN edge", dig("poor", small_cell_morphology=False,
                                     mixed_component_percent=30)),
    _case("mixed 50 MiNEN", dig(ki67_percent=5, mitoses_per_2mm2=3, mixed_component_percent=50)),
    _case("mixed 70 MiNEN edge", dig("poor", small_cell_morphology=True,
                                     mixed_component_percent=70)),
    _case("mixed 70.1 refused", dig(ki67_percent=5, mixed_component_percent=70.1)),
    _case("mixed MiNEN ungraded NE", dig(mixed_component_percent=50)),
    _case("mixed lung refused", lung(mitoses_per_2mm2=1, necrosis="none",
                                     mixed_component_percent=40)),
    _case("mixed lung 0 is pure", lung(mitoses_per_2mm2=1, necrosis="none",
                                       mixed_component_percent=0)),
    # §1.4 lung: boundaries 2 and 10, necrosis, cell type
    _case("lung 0 none typical", lung(mitoses_per_2mm2=0, necrosis="none")),
    _case("lung 1.9 none typical", lung(mitoses_per_2mm2=1.9, necrosis="none")),
    _case("lung 1.9 punctate atypical", lung(mitoses_per_2mm2=1.9, necrosis="punctate")),
    _case("lung 1.9 no necrosis error", lung(mitoses_per_2mm2=1.9)),
    _case("lung 2 none atypical", lung(mitoses_per_2mm2=2, necrosis="none")),
    _case("lung 2 without necrosis", lung(mitoses_per_2mm2=2)),
    _case("lung 10 atypical", lung(mitoses_per_2mm2=10, necrosis="extensive")),
    _case("lung 10.1 above LCNEC line", lung(mitoses_per_2mm2=10.1, necrosis="none")),
    _case("lung no mitoses error", lung(ki67_percent=2, necrosis="none")),
    _case("lung ki67 note", lung(ki67_percent=30, mitoses_per_2mm2=3, necrosis="none")),
    _case("lung SCLC", lung("poor", mitoses_per_2mm2=11, small_cell_morphology=True)),
    _case("lung LCNEC", lung("poor", mitoses_per_2mm2=11, small_cell_morphology=False)),
    _case("lung NEC 10 inconsistent", lung("poor", mitoses_per_2mm2=10,
                                           small_cell_morphology=True)),
    _case("lung NEC no mitoses", lung("poor", small_cell_morphology=False)),
    _case("lung NEC no cell type error", lung("poor", mitoses_per_2mm2=50)),
    # fields that do not apply
    _case("necrosis ignored outside lung", dig(ki67_percent=1, necrosis="extensive")),
    _case("small cell ignored when well", dig(ki67_percent=1, small_cell_morphology=True)),
    # numbers as form strings, and normalised choices
    _case("numeric strings", dig(ki67_percent="5", mitoses_per_2mm2="1")),
    _case("numeric strings spaced", dig(ki67_percent=" 1.6 ", mitoses_per_2mm2=".5")),
    _case("numeric strings signed", dig(ki67_percent="+0", mitoses_per_2mm2="20.")),
    _case("empty strings are null", dig(ki67_percent="5", mitoses_per_2mm2="", necrosis="",
                                        small_cell_morphology="", mixed_component_percent=" ")),
    _case("choices normalised", {"site": " Lung ", "differentiation": "WELL",
                                 "mitoses_per_2mm2": 0, "necrosis": "None"}),
    # invalid values and keys
    _case("ki67 text abc", dig(ki67_percent="abc")),
    _case("ki67 5%", dig(ki67_percent="5%")),
    _case("ki67 1,6", dig(ki67_percent="1,6")),
    _case("ki67 text nan", dig(ki67_percent="nan")),
    _case("ki67 1e1", dig(ki67_percent="1e1")),
    _case("ki67 -1", dig(ki67_percent=-1)),
    _case("ki67 100.5", dig(ki67_percent=100.5)),
    _case("mitoses -0.5", dig(mitoses_per_2mm2=-0.5)),
    _case("mitoses boolean", dig(mitoses_per_2mm2=True)),
    _case("mixed as a list", dig(ki67_percent=5, mixed_component_percent=[30])),
    _case("mixed as an object", dig(ki67_percent=5, mixed_component_percent={"a": 1})),
    _case("small cell 'true'", dig("poor", small_cell_morphology="true")),
    _case("necrosis absent", lung(mitoses_per_2mm2=1, necrosis="absent")),
    _case("unknown site liver", dig(site="liver", ki67_percent=5)),
    _case("misspelt site", dig(site="pancras", ki67_percent=5)),
    _case("moderately differentiated", dig("moderately differentiated", ki67_percent=5)),
    _case("unknown key ki67", dig(ki67=5)),
    _case("unknown key zzz", dig(ki67_percent=5, zzz=1)),
    _case("missing site", {"differentiation": "well", "ki67_percent": 5}),
    _case("missing differentiation", {"site": "pancreas", "ki67_percent": 5}),
    _case("empty object", {}),
    _case("well without indices", dig()),
    _case("all errors at once", {"site": "liver", "differentiation": "moderate",
                                 "ki67_percent": "x", "mitoses_per_2mm2": -1, "necrosis": "lots",
                                 "small_cell_morphology": "yes",
                                 "mixed_component_percent": "abc", "ki_67": 3}),
    _case("inputs null", None),
    _case("inputs list", ["site", "pancreas"]),
    _case("inputs text", "pancreas"),
    _case("inputs number", 5),
    # unicode
    _case("unicode site", dig(site="pâncreas", ki67_percent=5)),
    _case("unicode CJK key", dig(ki67_percent=5, **{"胰腺": "是"})),
    _case("unicode emoji value", dig(site="🫁", differentiation="wéll")),
    _case("unicode combining and RTL", dig(site="pancreas\u0301", necrosis="\u202enone")),
    _case("unicode digits", dig(ki67_percent="٣", mitoses_per_2mm2="２")),
    _case("unicode line separator key", dig(ki67_percent=5, **{"a\u2028b\u0085c": 1})),
    _case("control characters", dig(site="pan\ncreas\t\x00", ki67_percent=5)),
    # raw JSON text: non-standard tokens, huge numbers, escapes, invalid JSON
    _case("raw NaN alone", Raw("NaN")),
    _case("raw NaN ki67", Raw('{"site": "pancreas", "differentiation": "well", '
                              '"ki67_percent": NaN}')),
    _case("raw Infinity mitoses", Raw('{"site": "lung", "differentiation": "well", '
                                      '"mitoses_per_2mm2": Infinity, "necrosis": "none"}')),
    _case("raw -Infinity mixed", Raw('{"site": "colon", "differentiation": "poor", '
                                     '"mixed_component_percent": -Infinity}')),
    _case("raw 1e400 overflows to inf", Raw('{"site": "rectum", "differentiation": "well", '
                                            '"ki67_percent": 1e400}')),
    _case("raw 400-digit integer", Raw('{"site": "rectum", "differentiation": "well", '
                                       f'"mitoses_per_2mm2": {"9" * 400}}}')),
    _case("raw 5000-digit integer", Raw("1" * 5000)),
    _case("raw -0 and exponent", Raw('{"site": "stomach", "differentiation": "well", '
                                     '"ki67_percent": -0.0, "mitoses_per_2mm2": 2E0}')),
    _case("raw duplicate keys", Raw('{"site": "lung", "site": "pancreas", '
                                    '"differentiation": "well", "ki67_percent": 4}')),
    _case("raw escapes", Raw('{"site": "pancre\\u0061s", "differentiation": "w\\u00e9ll"}')),
    _case("raw lone surrogate key", Raw('{"site": "pancreas", "differentiation": "well", '
                                        '"ki67_percent": 5, "x\\ud800": 1}')),
    _case("raw BOM", Raw('\ufeff{"site": "pancreas", "differentiation": "well"}')),
    _case("raw empty text", Raw("")),
    _case("raw whitespace", Raw(" \n\t ")),
    _case("raw truncated object", Raw('{"site": "pancreas", "differentiation": ')),
    _case("raw trailing comma", Raw('{"site": "pancreas",}')),
    _case("raw single quotes", Raw("{'site': 'pancreas'}")),
    _case("raw extra data", Raw('{"site": "pancreas"} {}')),
    _case("raw bare word", Raw("pancreas")),
    _case("raw nested 1000", Raw("[" * 1000 + "]" * 1000)),
    _case("raw unclosed 3000", Raw("[" * 3000)),
    # the calculator name and the rules
    _case("unknown calculator", dig(ki67_percent=5), calculator="ki67"),
    _case("empty calculator name", dig(ki67_percent=5), calculator=""),
    _case("rules not JSON", dig(ki67_percent=5), rules="{"),
    _case("rules NaN token", dig(ki67_percent=5), rules="NaN"),
    _case("rules empty object", dig(ki67_percent=5), rules="{}"),
    _case("rules null", dig(ki67_percent=5), rules="null"),
    _case("rules threshold moved", dig(ki67_percent=2.5),
          rules=_rules_with(("digestive", "ki67_percent", "g2_from"), 2)),
    _case("rules threshold as text", dig(ki67_percent=2.5),
          rules=_rules_with(("digestive", "ki67_percent", "g2_from"), "2")),
    _case("rules without interpretations", dig(ki67_percent=2.5),
          rules=_rules_with(("interpretations",), {})),
]
# Numbers as typed in the form, accepted and refused (tests/test_typed_numbers.py decides them).
CASES += [_case(f"typed Ki-67 {text!r}", dig(ki67_percent=text))
          for text, _ in (*TYPED_ACCEPTED, *TYPED_REFUSED)]


def test_case_table_is_complete():
    """Names are unique, and the table reaches every category and both kinds of result."""
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    results = [json.loads(json_api.run(*case[1:])) for case in CASES]
    reached = {result["category"] for result in results if result["ok"]}
    assert reached == set(grade.CATEGORIES), set(grade.CATEGORIES) - reached
    fields = {error["field"] for result in results if not result["ok"]
              for error in result["errors"]}
    assert {"inputs", "rules", "calculator", "site", "differentiation", "ki67_percent",
            "mitoses_per_2mm2", "necrosis", "small_cell_morphology",
            "mixed_component_percent"} <= fields


# --- running the cases in Pyodide ----------------------------------------------------------------
class PyodideRun(NamedTuple):
    header: dict[str, Any]
    results: list[bytes]  # one stdout line per case, exactly as Pyodide's json_api.run wrote it
    stderr: str


def run_in_pyodide(cases: list[Case], workdir: Path) -> PyodideRun:
    """Build the calculators package into workdir and run every case through the Node runner."""
    package = workdir / "package"
    runtime.write_calculator_package(package)
    lines = "".join(json.dumps({"calculator": c.calculator, "inputs_json": c.inputs_json,
                                "rules_json": c.rules_json}) + "\n" for c in cases)
    completed = subprocess.run(
        [NODE, str(RUNNER), str(package), str(PYODIDE_DIR)],
        input=lines.encode("ascii"),  # json.dumps escapes all non-ASCII: no encoding question
        capture_output=True, timeout=180, cwd=workdir,  # cwd: nothing may land in the checkout
    )
    stderr = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == 0, f"the Pyodide runner failed:\n{stderr[-4000:]}"
    # Split on b"\n" only: splitlines() would also break at U+2028, U+0085 or \r in the text.
    out = completed.stdout.split(b"\n")
    assert out[-1] == b"", f"stdout does not end with a newline: {out[-1][-200:]!r}"
    header_line, *results = out[:-1]
    assert len(results) == len(cases), (
        f"expected {len(cases)} result lines after the header, got {len(results)}; "
        f"something else wrote to stdout?\n{completed.stdout[:2000]!r}\nstderr:\n{stderr[-2000:]}")
    for case, line in zip(cases, results):
        assert not line.startswith(b"RUNNER-ERROR"), f"{case.name}: {line.decode()}"
    return PyodideRun(json.loads(header_line), results, stderr)


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory) -> PyodideRun:
    return run_in_pyodide(CASES, tmp_path_factory.mktemp("pyodide"))


def test_the_cases_ran_in_pyodide_with_python_314(pyodide_run):
    header = pyodide_run.header
    assert header["runner"] == "pyodide" and header["pyodide"], header
    assert header["platform"] == "emscripten", f"not Pyodide: {header}"
    assert header["python"].startswith("3.14."), header
    # Imported from the wheel installed into Pyodide's site-packages, not from the source tree.
    assert header["module"] == "/lib/python3.14/site-packages/calculators/json_api.py", header
    # The loading messages went to stderr, which proves stdout held only what we asked for.
    assert "Loaded nenguide-calculators" in pyodide_run.stderr, pyodide_run.stderr


def _explain(case: Case, cpython: str, pyodide: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(cpython, pyodide)) if a != b),
              min(len(cpython), len(pyodide)))

    def pretty(text: str) -> list[str]:
        try:
            return json.dumps(json.loads(text), indent=1, ensure_ascii=False).splitlines()
        except ValueError:
            return [text]

    diff = "\n".join(difflib.unified_diff(pretty(cpython), pretty(pyodide), "CPython", "Pyodide",
                                          lineterm="", n=1))
    rules = case.rules_json if len(case.rules_json) <= 120 else case.rules_json[:117] + "..."
    return (f"CPython {platform.python_version()} and Pyodide differ for case {case.name!r}\n"
            f"  calculator: {case.calculator!r}\n"
            f"  inputs_json: {case.inputs_json[:300]!r}\n"
            f"  rules_json: {rules!r}\n"
            f"  first difference at character {at}:\n"
            f"    CPython: {cpython[max(0, at - 40):at + 60]!r}\n"
            f"    Pyodide: {pyodide[max(0, at - 40):at + 60]!r}\n{diff}")


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.name for case in CASES])
def test_pyodide_gives_the_same_json_text_as_cpython(pyodide_run, index):
    case = CASES[index]
    cpython = json_api.run(case.calculator, case.inputs_json, case.rules_json)
    try:
        expected = cpython.encode("utf-8")
    except UnicodeEncodeError as exc:
        pytest.fail(f"case {case.name!r}: CPython's result is not valid UTF-8 ({exc}), so it "
                    f"cannot be sent as text: {cpython[:300]!r}")
    pyodide = pyodide_run.results[index]
    if pyodide != expected:  # byte for byte
        pytest.fail(_explain(case, cpython, pyodide.decode("utf-8", "backslashreplace")))


def test_deeply_nested_input_gives_the_same_json_error_on_both(tmp_path):
    """About 5,000 levels overflow Pyodide's stack inside json.loads and kill the runtime;
    json_api checks the depth first, so both answer with the same error."""
    case = _case("raw nested 6000", Raw("[" * 6000 + "]" * 6000))
    cpython = json_api.run(*case[1:])
    result = run_in_pyodide([case], tmp_path)
    assert result.results == [cpython.encode("utf-8")]


# --- The pathway calculator: the scenario table of test_pathway, a sample of patients over ---
# --- every input, and the new inputs' typed forms and contradictions --------------------------

def _pathway_cases() -> list[Case]:
    from test_pathway import RULES as PATHWAY_RULES, SCENARIOS, sampled_patients

    rules_json = json.dumps(PATHWAY_RULES)
    cases = [_case(f"pathway {name}", inputs, calculator="pathway", rules=rules_json)
             for name, inputs, *_ in SCENARIOS]
    cases += [_case(f"pathway patient {i}", patient, calculator="pathway", rules=rules_json)
              for i, patient in enumerate(sampled_patients(60, seed=11))]
    # The new inputs as a form sends them (text), and their contradictions.
    for name, inputs in [
        ("bad input", {"category": "NET G4", "ecog": "1.5", "treatments_given": ["x"]}),
        ("typed inputs", {"category": "NET G2", "site": "pancreas",
                          "stage": "unresectable_metastatic", "sstr_positive": True,
                          "sstr_uptake": "Higher than normal liver", "ecog": "1",
                          "treatments_given": ["SSA", "prrt"], "prrt_pfs_months": "24,5",
                          "progressing": True, "ki67_percent": "8"}),
        ("insulinoma of the small intestine", {"category": "NET G2", "site": "small_intestine",
                                               "stage": "localized",
                                               "functional_syndrome": "insulinoma"}),
        ("gastric type for the colon", {"category": "NET G1", "site": "colon",
                                        "stage": "localized", "gastric_type": 1}),
        ("uptake without SSTR", {"category": "NET G1", "site": "pancreas",
                                 "stage": "localized", "sstr_uptake": "above_liver"}),
        ("history on localized disease", {"category": "NET G1", "site": "rectum",
                                          "stage": "localized", "tumour_size_mm": "8",
                                          "treatments_given": ["ssa"]}),
        ("limited-stage SCLC", {"category": "SCLC", "site": "lung", "stage": "localized"}),
    ]:
        cases.append(_case(f"pathway {name}", inputs, calculator="pathway", rules=rules_json))
    return cases


PATHWAY_CASES = _pathway_cases()


def test_pyodide_gives_the_same_pathway_json_as_cpython(tmp_path):
    result = run_in_pyodide(PATHWAY_CASES, tmp_path)
    assert len(PATHWAY_CASES) > 100
    for case, pyodide in zip(PATHWAY_CASES, result.results):
        cpython = json_api.run(case.calculator, case.inputs_json, case.rules_json)
        if pyodide != cpython.encode("utf-8"):
            pytest.fail(_explain(case, cpython, pyodide.decode("utf-8", "backslashreplace")))
