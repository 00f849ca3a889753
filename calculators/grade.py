"""WHO classification of a neuroendocrine neoplasm (reference.md §1): WHO 2019 digestive for
digestive sites and unknown primary, WHO 2021 thoracic for lung. The browser calls `evaluate`."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

# --- Thresholds -------------------------------------------------------------------------------
# One block on purpose: a later change moves these numbers into the guideline YAML so that the
# published table and the calculator read the same values. Every upper bound is inclusive and
# every "below" bound strict, exactly as WHO words them (reference.md §1.1 boundary table).
KI67_G2_MIN = 3.0  # digestive: Ki-67 < 3 % is G1, 3-20 % G2
KI67_G2_MAX = 20.0  # digestive: Ki-67 > 20 % is G3
MITOSES_G2_MIN = 2.0  # digestive: mitoses < 2 per 2 mm² is G1, 2-20 G2
MITOSES_G2_MAX = 20.0  # digestive: mitoses > 20 per 2 mm² is G3
LUNG_TC_MITOSES_BELOW = 2.0  # lung: typical carcinoid needs < 2 per 2 mm² (and no necrosis)
LUNG_AC_MITOSES_MAX = 10.0  # lung: atypical carcinoid 2-10; lung NEC is defined by > 10
MINEN_MIN_COMPONENT = 30.0  # MiNEN: each component "at least 30 %" (WHO 2019)
NET_G3_TYPICAL_KI67_MAX = 55.0  # descriptive only: NET G3 usually < 55 %, NEC usually > 55 %

# --- Vocabularies and tables ------------------------------------------------------------------
SITES = ("pancreas", "small_intestine", "stomach", "rectum", "appendix", "colon", "lung", "unknown")
DIFFERENTIATIONS = ("well", "poor")
NECROSIS = ("none", "punctate", "extensive")
DIGESTIVE, THORACIC = "WHO 2019 digestive", "WHO 2021 thoracic"
CITATIONS = {DIGESTIVE: ["WHO2019", "RINDI2018"], THORACIC: ["WHO2021L"]}
GRADES = ("G1", "G2", "G3")
# field -> (label in sentences, unit, lowest G2 value, highest G2 value)
DIGESTIVE_INDICES = {
    "ki67_percent": ("Ki-67", " %", KI67_G2_MIN, KI67_G2_MAX),
    "mitoses_per_2mm2": ("mitoses", " per 2 mm²", MITOSES_G2_MIN, MITOSES_G2_MAX),
}
BY_INDEX_KEYS = {"ki67_percent": "ki67", "mitoses_per_2mm2": "mitoses"}
NEC_BY_SMALL_CELL = {True: "NEC small cell", False: "NEC large cell", None: "NEC"}
LUNG_NEC_BY_SMALL_CELL = {True: "SCLC", False: "LCNEC"}
# Users still type the pre-2010 term; it names no WHO 2019 category (reference.md §1.5, §4).
MODERATE_HINT = ("; 'moderately differentiated' is not a WHO 2019 category: NET G1, G2 and G3 are "
                 "all well differentiated, and the grade comes from Ki-67 and mitoses")

# --- Clinical decisions that the sources leave open (each is tested) ---------------------------
# * Poorly differentiated, non-lung, with every given index <= 20: WHO defines NEC as > 20, so
#   the data contradict each other. We return NEC with a warning rather than an error, because
#   morphology decides NET vs NEC (reference.md §1.2) and Ki-67 from a small or heterogeneous
#   sample can under-call; the warning asks to re-check morphology and the count.
# * Lung carcinoid morphology with > 10 mitoses: the count meets the WHO LCNEC criterion, but we
#   do NOT relabel it LCNEC. WHO 2021 recognises "atypical carcinoids with increased mitotic or
#   proliferation rates" (reference.md §1.4), so we return "atypical carcinoid" with a prominent
#   first warning and recommend expert review: relabelling silently would hide the conflict.
# * MiNEN at exactly 30 %: WHO says "at least 30 %", so 30 counts; some sources write "> 30 %",
#   so we warn. MiNEN is a WHO digestive category: a lung tumour with a non-NE component is
#   refused (error) instead of being classified as if it were pure.
# * Ki-67 > 55 % in a well-differentiated tumour stays NET G3 (morphology decides) with a
#   warning; 55 % is a descriptive range, not a cut-off.


@dataclass
class _Outcome:
    """What one classification path found; errors name (field, message, fields it depends on)."""

    classification: str
    category: str | None = None
    rule: str = ""
    warnings: list[str] = field(default_factory=list)
    errors: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    extra: Json = field(default_factory=dict)

    def fail(self, name: str, message: str, *depends_on: str) -> None:
        self.errors.append((name, message, frozenset((name, *depends_on))))


def evaluate(inputs: object) -> Json:
    """Classify a NEN from a dict of form fields; never raises, always returns JSON-safe data.

    Success: {"ok": True, "category", "rule", "warnings", "classification", "citations",
    "inputs"} (+ "grade_by_index" for digestive well-differentiated tumours, and
    "ne_component_category" for MiNEN). Failure: {"ok": False, "errors": [{"field", "message"}]}
    listing every problem at once.

    Numbers may be given as strings that read as a plain finite decimal ("5", "1.6", " 20 "),
    because HTML form fields deliver strings; "5%", "1,6", "1e3", "nan" and "abc" are rejected.
    An empty (or blank) string counts as null for every field, since forms send "" when empty.
    """
    try:
        return _evaluate(inputs)
    except Exception as exc:  # last-resort guard: the browser must always receive JSON
        message = f"internal error ({type(exc).__name__}) while grading; please report this input"
        return {"ok": False, "errors": [{"field": "inputs", "message": message}]}


def _evaluate(inputs: object) -> Json:
    if not isinstance(inputs, dict):
        message = f"expected an object of named fields, got {_type_name(inputs)}"
        return {"ok": False, "errors": [{"field": "inputs", "message": message}]}
    values, errors = _validate_inputs(inputs)
    if values["site"] is None or values["differentiation"] is None:
        return {"ok": False, "errors": errors}  # nothing can be classified without both
    outcome = _classify(values)
    # A field that is already invalid was read as null: drop the errors that only follow from it.
    bad = {error["field"] for error in errors}
    errors += [{"field": f, "message": m} for f, m, deps in outcome.errors if not deps & bad]
    if errors:
        return {"ok": False, "errors": errors}
    return {"ok": True, "category": outcome.category, "rule": outcome.rule,
            "warnings": outcome.warnings, "classification": outcome.classification,
            "citations": list(CITATIONS[outcome.classification]), "inputs": values,
            **outcome.extra}


# --- Validation -------------------------------------------------------------------------------
def _validate_inputs(raw: dict[Any, Any]) -> tuple[Json, list[Json]]:
    """Return (normalised values, errors); an invalid or missing field is normalised to None."""
    parsers = {
        "site": lambda v: _parse_choice(v, SITES, required=True),
        "differentiation": lambda v: _parse_choice(v, DIFFERENTIATIONS, required=True),
        "ki67_percent": lambda v: _parse_number(v, high=100.0),
        "mitoses_per_2mm2": lambda v: _parse_number(v, high=None),
        "necrosis": lambda v: _parse_choice(v, NECROSIS, required=False),
        "small_cell_morphology": _parse_bool,
        "mixed_component_percent": lambda v: _parse_number(v, high=100.0),
    }
    values: Json = {}
    errors: list[Json] = []
    for name, parse in parsers.items():
        values[name], message = parse(raw.get(name))
        if message:
            errors.append({"field": name, "message": message})
    for key in raw:
        if key not in parsers:
            name = key if isinstance(key, str) else _show(key)
            hint = _did_you_mean(name, list(parsers))
            message = f"unknown field{hint}; known fields: {', '.join(parsers)}"
            errors.append({"field": name, "message": message})
    return values, errors


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_choice(value: object, allowed: tuple[str, ...], *, required: bool) -> tuple[Any, str]:
    listing = f"allowed values: {', '.join(allowed)}"
    if _is_blank(value):
        return None, (f"is required; {listing}" if required else "")
    if not isinstance(value, str):
        return None, f"expected text, got {_type_name(value)}; {listing}"
    text = value.strip().lower()  # tolerate "Pancreas " from hand-written JSON
    if text in allowed:
        return text, ""
    hint = MODERATE_HINT if text.startswith("moderate") else _did_you_mean(text, list(allowed))
    return None, f"unknown value {_show(value)}{hint}; {listing}"


# A plain decimal only: float() would also take "nan", "inf", "1e3" and "1_0", which no form sends.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _parse_number(value: object, *, high: float | None) -> tuple[float | None, str]:
    allowed = f"a number from 0 to {_fmt(high)}" if high is not None else "a number of 0 or more"
    if _is_blank(value):
        return None, ""
    if isinstance(value, bool):  # bool is an int subclass: True must not read as 1
        return None, f"expected {allowed}, got a boolean ({str(value).lower()})"
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            tip = " (leave out the % sign)" if "%" in text else ""
            tip += " (use a decimal point, not a comma)" if "," in text else ""
            return None, f"expected {allowed}, got the text {_show(value)}{tip}"
        number = float(text)
    elif isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return None, f"expected {allowed}, got a number too large to use"
    else:
        return None, f"expected {allowed}, got {_type_name(value)}"
    if not math.isfinite(number):
        return None, f"expected {allowed}, got {_show(value)} (NaN and infinity are not numbers)"
    if number < 0 or (high is not None and number > high):
        return None, f"expected {allowed}, got {_fmt(number)} (out of range)"
    return number + 0.0, ""  # + 0.0 turns -0.0 into 0.0


def _parse_bool(value: object) -> tuple[bool | None, str]:
    if _is_blank(value):
        return None, ""
    if isinstance(value, bool):
        return value, ""
    return None, f"expected true, false or null, got {_show(value)}"


# --- Classification ---------------------------------------------------------------------------
def _classify(v: Json) -> _Outcome:
    lung = v["site"] == "lung"
    out = _Outcome(THORACIC if lung else DIGESTIVE)
    if lung and v["ki67_percent"] is not None:
        out.warnings.append("Ki-67 plays no part in the WHO lung category; it is used only to "
                            "avoid calling a crushed carcinoid SCLC on small biopsies.")
    _PATHS[(lung, v["differentiation"])](v, out)
    if v["mixed_component_percent"] is not None:
        _apply_mixed_component(v["mixed_component_percent"], out, lung)
    if v["necrosis"] is not None and not lung:
        out.warnings.append(f"necrosis is used only for lung tumours; ignored for {v['site']}.")
    if v["small_cell_morphology"] is not None and v["differentiation"] == "well":
        out.warnings.append("small_cell_morphology applies only to poorly differentiated "
                            "tumours; ignored.")
    if v["site"] == "unknown":
        out.warnings.append("Unknown primary: classified with the WHO 2019 digestive criteria.")
    return out


def _grade_net(v: Json, out: _Outcome) -> None:
    """WHO 2019 digestive: each index gives a grade; the higher grade decides (§1.1)."""
    given = {name: v[name] for name in DIGESTIVE_INDICES if v[name] is not None}
    grades = {name: _index_grade(x, *DIGESTIVE_INDICES[name][2:]) for name, x in given.items()}
    out.extra["grade_by_index"] = {key: grades.get(name) for name, key in BY_INDEX_KEYS.items()}
    if not grades:
        out.fail("ki67_percent", "a well-differentiated tumour needs a grade: give ki67_percent "
                 "or mitoses_per_2mm2 (or both); both are missing", "mitoses_per_2mm2")
        return
    grade = max(grades.values(), key=GRADES.index)
    out.category = f"NET {grade}"
    reasons = " and ".join(_index_reason(name, x, grades[name]) for name, x in given.items())
    if len(grades) == 2:
        out.rule = f"Well differentiated: {reasons}; the higher of the two gives NET {grade}."
    else:
        out.rule = f"Well differentiated: {reasons}, the only index given, so NET {grade}."
        missing = "mitoses" if "ki67_percent" in given else "Ki-67"
        out.warnings.append(f"Grade based on a single index ({missing} not given).")
    ki67 = given.get("ki67_percent")
    if ki67 is not None and ki67 > NET_G3_TYPICAL_KI67_MAX:
        out.warnings.append(
            f"Ki-67 {_fmt(ki67)} % is unusual for a NET G3 (typically < "
            f"{_fmt(NET_G3_TYPICAL_KI67_MAX)} %; NEC usually above). This is descriptive, not a "
            "cut-off: the category stays NET G3 because morphology decides; re-check the "
            "morphology (p53/Rb immunohistochemistry can help).")


def _index_grade(value: float, g2_min: float, g2_max: float) -> str:
    return "G1" if value < g2_min else "G2" if value <= g2_max else "G3"


def _index_reason(name: str, value: float, grade: str) -> str:
    label, unit, low, high = DIGESTIVE_INDICES[name]
    band = {"G1": f"< {_fmt(low)}", "G2": f"{_fmt(low)}–{_fmt(high)}", "G3": f"> {_fmt(high)}"}
    return f"{label} {_fmt(value)}{unit} is {grade} ({band[grade]}{unit})"


def _classify_nec(v: Json, out: _Outcome) -> None:
    """Poor differentiation is a NEC whatever the indices: NECs are high grade by definition."""
    small_cell = v["small_cell_morphology"]
    out.category = NEC_BY_SMALL_CELL[small_cell]
    cell = {True: "small-cell morphology", False: "large-cell morphology"}.get(small_cell)
    out.rule = (f"Poorly differentiated, {cell or 'cell type not given'}: {out.category} "
                "(NECs are high grade by definition and get no numeric grade).")
    if small_cell is None:
        out.warnings.append("Cell type not given: set small_cell_morphology to name the NEC type.")
    given = [(label, v[name], unit, high)
             for name, (label, unit, _, high) in DIGESTIVE_INDICES.items() if v[name] is not None]
    if not given:
        out.warnings.append("Ki-67 and mitoses not given; they are not needed to classify a NEC.")
    elif all(x <= high for _, x, _, high in given):
        shown = " and ".join(f"{label} {_fmt(x)}{unit}" for label, x, unit, _ in given)
        out.warnings.append(
            f"Inconsistent with the WHO definition: a NEC has Ki-67 > {_fmt(KI67_G2_MAX)} % or "
            f"mitoses > {_fmt(MITOSES_G2_MAX)} per 2 mm², but the values given are {shown}. "
            "Re-check the morphology (well or poorly differentiated?) and the count.")


def _classify_lung_nec(v: Json, out: _Outcome) -> None:
    small_cell, mitoses = v["small_cell_morphology"], v["mitoses_per_2mm2"]
    if small_cell is None:
        out.fail("small_cell_morphology", "a poorly differentiated lung tumour must be typed by "
                 "morphology: give true (small cell, SCLC) or false (large cell, LCNEC)")
        return
    out.category = LUNG_NEC_BY_SMALL_CELL[small_cell]
    cell = "small-cell" if small_cell else "large-cell"
    out.rule = f"Poorly differentiated lung tumour with {cell} morphology: {out.category}."
    limit = _fmt(LUNG_AC_MITOSES_MAX)
    if mitoses is None:
        out.warnings.append(f"Mitoses not given; WHO defines lung NEC by > {limit} per 2 mm².")
    elif mitoses <= LUNG_AC_MITOSES_MAX:
        out.warnings.append(
            f"Inconsistent with the WHO definition: lung NEC has > {limit} mitoses per 2 mm², but "
            f"{_fmt(mitoses)} were counted. Re-check the morphology (carcinoid?) and the count.")


def _classify_carcinoid(v: Json, out: _Outcome) -> None:
    """WHO 2021 lung carcinoid: mitoses and necrosis decide (reference.md §1.4)."""
    mitoses, necrosis = v["mitoses_per_2mm2"], v["necrosis"]
    tc_below, ac_max = _fmt(LUNG_TC_MITOSES_BELOW), _fmt(LUNG_AC_MITOSES_MAX)
    if mitoses is None:
        out.fail("mitoses_per_2mm2", "lung carcinoids are classified by mitotic count and "
                 "necrosis; give mitoses_per_2mm2")
        return
    count = f"Carcinoid morphology, {_fmt(mitoses)} mitoses per 2 mm²"
    if mitoses < LUNG_TC_MITOSES_BELOW and necrosis is None:
        out.fail("necrosis", f"with < {tc_below} mitoses per 2 mm², necrosis separates typical "
                 f"from atypical carcinoid; give necrosis ({', '.join(NECROSIS)})")
    elif mitoses < LUNG_TC_MITOSES_BELOW:
        out.category = "typical carcinoid" if necrosis == "none" else "atypical carcinoid"
        out.rule = f"{count} (< {tc_below}) and necrosis {necrosis}: {out.category}."
        if necrosis == "none":
            out.warnings.append("WHO also requires a size of at least 0.5 cm for a typical "
                                "carcinoid; this calculator does not check size.")
    elif mitoses <= LUNG_AC_MITOSES_MAX:
        out.category = "atypical carcinoid"
        out.rule = f"{count} ({tc_below}–{ac_max}): atypical carcinoid, whatever the necrosis."
    else:
        out.category = "atypical carcinoid"
        out.rule = f"{count} (> {ac_max}): kept as atypical carcinoid, not relabelled LCNEC."
        out.warnings.insert(0, (
            f"IMPORTANT: {_fmt(mitoses)} mitoses per 2 mm² is above {ac_max} and meets the WHO "
            "mitotic criterion for LCNEC. WHO 2021 recognises \"atypical carcinoids with increased "
            "mitotic or proliferation rates\"; with carcinoid morphology this needs expert "
            "pathology review before any treatment decision."))


# (lung?, differentiation) -> the function that classifies that combination
_PATHS = {(False, "well"): _grade_net, (False, "poor"): _classify_nec,
          (True, "well"): _classify_carcinoid, (True, "poor"): _classify_lung_nec}


def _apply_mixed_component(other: float, out: _Outcome, lung: bool) -> None:
    """MiNEN needs a NE and a non-NE component of at least 30 % each (reference.md §1.3)."""
    ne_share, limit = 100.0 - other, _fmt(MINEN_MIN_COMPONENT)
    if lung and other > 0:
        out.errors = []  # the tumour is refused, so the other gaps no longer matter
        out.fail("mixed_component_percent", "MiNEN is a WHO digestive-system category; this "
                 "calculator does not classify lung tumours with a non-neuroendocrine component "
                 "(give 0 or leave empty for a pure neuroendocrine lung tumour)")
    elif not lung and other > 100.0 - MINEN_MIN_COMPONENT:  # compare "other": no rounding
        out.errors = []
        out.fail("mixed_component_percent", f"the neuroendocrine component is {_fmt(ne_share)} %, "
                 f"below {limit} %: the tumour is outside an NEN classification and is "
                 "classified as the non-neuroendocrine carcinoma; this calculator takes 0 to "
                 f"{_fmt(100.0 - MINEN_MIN_COMPONENT)}")
    elif not lung and other >= MINEN_MIN_COMPONENT:
        out.extra["ne_component_category"] = out.category
        if out.errors:  # an ungradable NE component does not undo the MiNEN diagnosis
            out.errors = []
            out.warnings.append("The neuroendocrine component could not be graded: give "
                                "ki67_percent or mitoses_per_2mm2 to grade it.")
        out.category = "MiNEN"
        out.rule = (f"Non-neuroendocrine component {_fmt(other)} % and neuroendocrine component "
                    f"{_fmt(ne_share)} % are each at least {limit} %: MiNEN.")
        out.warnings.append("Grade each component separately; treat according to the most "
                            "aggressive component.")
        if MINEN_MIN_COMPONENT in (other, ne_share):
            out.warnings.append(f"A component is exactly {limit} %: WHO says \"at least {limit} "
                                f"%\" (MiNEN), but some sources write \"> {limit} %\"; confirm "
                                "the estimate.")
    elif not lung and other > 0:
        out.warnings.append(f"Non-neuroendocrine component {_fmt(other)} % is below {limit} %: "
                            "not a MiNEN; classified by the neuroendocrine component.")


# --- Small helpers ----------------------------------------------------------------------------
def _fmt(number: float | None) -> str:
    """Numbers as people write them: 3 not 3.0, 20.01 not 20.010000000000002."""
    return "" if number is None else f"{number:.10g}"


def _show(value: object) -> str:
    """A short repr for messages; evaluate() catches the rare repr that fails."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def _did_you_mean(text: str, choices: list[str]) -> str:
    # A prefix catches shortened keys ("ki67", "mitoses") that difflib's ratio scores too low.
    prefix = [c for c in choices if len(text) >= 3 and c.startswith(text)]
    match = prefix or difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
