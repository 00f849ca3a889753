"""WHO classification of a neuroendocrine neoplasm (reference.md §1): WHO 2019 digestive for
digestive sites and unknown primary, WHO 2021 thoracic for lung. The browser calls `evaluate`
through calculators.json_api, with the rules of the guideline version being read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from calculators.fields import error, number_text, stated, type_name
from calculators.fields import fmt_number as _fmt
from calculators.grade_inputs import validate_inputs
from calculators.grade_rules import GradeRules
from calculators.labels import (CELL_TYPE_LABELS, DIFFERENTIATION_LABELS, GRADE_FIELDS,
                                NECROSIS_LABELS, SITE_LABELS, count_of, either)

Json = dict[str, Any]

CATEGORIES = ("NET G1", "NET G2", "NET G3", "NEC", "NEC small cell", "NEC large cell", "MiNEN",
              "typical carcinoid", "atypical carcinoid", "LCNEC", "SCLC")
GRADES = ("G1", "G2", "G3")
# field -> (name in sentences, unit)
INDEX_LABELS = {"ki67_percent": ("Ki-67", " %"),
                "mitoses_per_2mm2": ("mitotic count", " per 2 mm²")}
BY_INDEX_KEYS = {"ki67_percent": "ki67", "mitoses_per_2mm2": "mitoses"}
NEC_BY_SMALL_CELL = {True: "NEC small cell", False: "NEC large cell", None: "NEC"}
LUNG_NEC_BY_SMALL_CELL = {True: "SCLC", False: "LCNEC"}

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
    """What one classification path found; errors are (field, message, kind, the fields the
    error depends on)."""

    classification: str
    citations: tuple[str, ...]
    category: str | None = None
    rule: str = ""
    warnings: list[str] = field(default_factory=list)
    errors: list[tuple[str, str, str, frozenset[str]]] = field(default_factory=list)
    extra: Json = field(default_factory=dict)

    def fail(self, name: str, message: str, *depends_on: str, kind: str = "invalid") -> None:
        self.errors.append((name, message, kind, frozenset((name, *depends_on))))

    def need(self, name: str, message: str, *depends_on: str) -> None:
        """Something the classification needs was not given: the page asks for it."""
        self.fail(name, message, *depends_on, kind="missing")


def evaluate(inputs: object, rules: object) -> Json:
    """Classify a NEN from a dict of form fields with a version's grading rules.

    Never raises; always returns JSON-safe data. Success: {"ok": True, "category", "rule",
    "interpretation", "warnings", "classification", "citations", "inputs"} (+ "grade_by_index"
    for digestive well-differentiated tumours, and "ne_component_category" for MiNEN).
    "stated_inputs" restates, in the form's words, every input the answer used.
    Failure: {"ok": False, "errors": [{"field", "label", "message", "kind"}]} listing every
    problem at once.
    The accepted input forms are described in calculators.grade_inputs.
    """
    try:
        parsed = GradeRules.from_dict(rules)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        message = f"the grading rules of this guideline version are incomplete ({exc!r})"
        return {"ok": False, "errors": [error("rules", "Grading rules", message)]}
    try:
        return _evaluate(inputs, parsed)
    except Exception as exc:  # last-resort guard: the browser must always receive JSON
        message = f"internal error ({type(exc).__name__}) while grading; please report this input"
        return {"ok": False, "errors": [error("inputs", "Inputs", message)]}


def _evaluate(inputs: object, rules: GradeRules) -> Json:
    if not isinstance(inputs, dict):
        message = f"expected an object of named fields, got {type_name(inputs)}"
        return {"ok": False, "errors": [error("inputs", "Inputs", message)]}
    values, errors = validate_inputs(inputs)
    if values["site"] is None or values["differentiation"] is None:
        return {"ok": False, "errors": errors}  # nothing can be classified without both
    outcome = _classify(values, rules)
    # A field that is already invalid was read as null: drop the errors that only follow from it.
    bad = {error["field"] for error in errors}
    errors += [error(f, GRADE_FIELDS[f], m, kind) for f, m, kind, deps in outcome.errors
               if not deps & bad]
    if errors:
        return {"ok": False, "errors": errors}
    return {"ok": True, "category": outcome.category, "rule": outcome.rule,
            "interpretation": rules.interpretations.get(outcome.category, ""),
            "warnings": outcome.warnings, "classification": outcome.classification,
            "citations": list(outcome.citations), "inputs": values,
            "stated_inputs": _stated_inputs(values, inputs), **outcome.extra}


def _stated_inputs(values: Json, raw: Json) -> list[Json]:
    """What the answer used, in the form's words, so a misread number would show: the site,
    the differentiation and both indices always; the other fields when they apply."""
    lung, poor = values["site"] == "lung", values["differentiation"] == "poor"
    shown = {
        "site": SITE_LABELS[values["site"]],
        "differentiation": DIFFERENTIATION_LABELS[values["differentiation"]],
        "ki67_percent": number_text(values["ki67_percent"], raw.get("ki67_percent"), " %"),
        "mitoses_per_2mm2": number_text(values["mitoses_per_2mm2"],
                                        raw.get("mitoses_per_2mm2")),
    }
    if lung:
        shown["necrosis"] = NECROSIS_LABELS.get(values["necrosis"], "not assessed")
    if poor:
        shown["small_cell_morphology"] = CELL_TYPE_LABELS.get(values["small_cell_morphology"],
                                                              "not stated")
    if values["mixed_component_percent"] is not None:
        shown["mixed_component_percent"] = number_text(
            values["mixed_component_percent"], raw.get("mixed_component_percent"), " %")
    return [stated(name, GRADE_FIELDS[name], text) for name, text in shown.items()]


# --- Classification ---------------------------------------------------------------------------
def _classify(v: Json, rules: GradeRules) -> _Outcome:
    lung = v["site"] == "lung"
    out = (_Outcome(rules.lung_edition, rules.lung_citations) if lung else
           _Outcome(rules.digestive_edition, rules.digestive_citations))
    if lung and v["ki67_percent"] is not None:
        out.warnings.append("Ki-67 plays no part in the WHO lung category; it is used only to "
                            "avoid calling a crushed carcinoid SCLC on small biopsies.")
    _PATHS[(lung, v["differentiation"])](v, out, rules)
    if v["mixed_component_percent"] is not None:
        _apply_mixed_component(v["mixed_component_percent"], out, lung, rules)
    if v["necrosis"] is not None and not lung:
        out.warnings.append("Necrosis is used only for lung tumours; ignored for this site "
                            f"({SITE_LABELS[v['site']]}).")
    if v["small_cell_morphology"] is not None and v["differentiation"] == "well":
        out.warnings.append("The cell type applies only to poorly differentiated tumours; "
                            "ignored.")
    if v["site"] == "unknown":
        out.warnings.append("Unknown primary: classified with the WHO 2019 digestive criteria.")
    return out


def _grade_net(v: Json, out: _Outcome, rules: GradeRules) -> None:
    """WHO 2019 digestive: each index gives a grade; the higher grade decides (§1.1)."""
    given = {name: v[name] for name in INDEX_LABELS if v[name] is not None}
    grades = {name: rules.bands[name].grade(x) for name, x in given.items()}
    out.extra["grade_by_index"] = {key: grades.get(name) for name, key in BY_INDEX_KEYS.items()}
    if not grades:
        out.need("ki67_percent", "a well-differentiated tumour is graded from the Ki-67 index "
                 "or the mitotic count: give at least one (both is better)", "mitoses_per_2mm2")
        return
    grade = max(grades.values(), key=GRADES.index)
    out.category = f"NET {grade}"
    reasons = " and ".join(_index_reason(name, x, grades[name], rules)
                           for name, x in given.items())
    if len(grades) == 2:
        out.rule = f"Well differentiated: {reasons}; the higher of the two gives NET {grade}."
    else:
        out.rule = f"Well differentiated: {reasons}, the only index given, so NET {grade}."
        missing = "mitotic count" if "ki67_percent" in given else "Ki-67"
        out.warnings.append(f"Grade based on a single index ({missing} not given).")
    ki67 = given.get("ki67_percent")
    typical_below = rules.net_g3_typical_ki67_below
    if ki67 is not None and ki67 > typical_below:
        out.warnings.append(
            f"Ki-67 {_fmt(ki67)} % is unusual for a NET G3 (typically < "
            f"{_fmt(typical_below)} %; NEC usually above). This is descriptive, not a "
            "cut-off: the category stays NET G3 because morphology decides; re-check the "
            "morphology (p53/Rb immunohistochemistry can help).")


def _index_reason(name: str, value: float, grade: str, rules: GradeRules) -> str:
    label, unit = INDEX_LABELS[name]
    low, high = rules.bands[name].g2_from, rules.bands[name].g2_to
    band = {"G1": f"< {_fmt(low)}", "G2": f"{_fmt(low)}–{_fmt(high)}", "G3": f"> {_fmt(high)}"}
    return f"{label} {_fmt(value)}{unit} is {grade} ({band[grade]}{unit})"


def _classify_nec(v: Json, out: _Outcome, rules: GradeRules) -> None:
    """Poor differentiation is a NEC whatever the indices: NECs are high grade by definition."""
    small_cell = v["small_cell_morphology"]
    out.category = NEC_BY_SMALL_CELL[small_cell]
    cell = {True: "small-cell morphology", False: "large-cell morphology"}.get(small_cell)
    out.rule = (f"Poorly differentiated, {cell or 'cell type not given'}: {out.category} "
                "(NECs are high grade by definition and get no numeric grade).")
    if small_cell is None:
        out.warnings.append("Cell type not given: choose small cell or large cell to name the "
                            "NEC type.")
    given = [(label, v[name], unit, rules.bands[name].g2_to)
             for name, (label, unit) in INDEX_LABELS.items() if v[name] is not None]
    if not given:
        out.warnings.append("Ki-67 and mitotic count not given; they are not needed to classify "
                            "a NEC.")
    elif all(x <= high for _, x, _, high in given):
        shown = " and ".join(f"{label} {_fmt(x)}{unit}" for label, x, unit, _ in given)
        out.warnings.append(
            f"Inconsistent with the WHO definition: a NEC has Ki-67 > "
            f"{_fmt(rules.bands['ki67_percent'].g2_to)} % or mitoses > "
            f"{_fmt(rules.bands['mitoses_per_2mm2'].g2_to)} per 2 mm², but the values given are {shown}. "
            "Re-check the morphology (well or poorly differentiated?) and the count.")


def _classify_lung_nec(v: Json, out: _Outcome, rules: GradeRules) -> None:
    small_cell, mitoses = v["small_cell_morphology"], v["mitoses_per_2mm2"]
    if small_cell is None:
        out.need("small_cell_morphology", "a poorly differentiated lung tumour is typed by its "
                 "morphology: choose small cell (SCLC) or large cell (LCNEC)")
        return
    out.category = LUNG_NEC_BY_SMALL_CELL[small_cell]
    cell = "small-cell" if small_cell else "large-cell"
    out.rule = f"Poorly differentiated lung tumour with {cell} morphology: {out.category}."
    limit = _fmt(rules.atypical_carcinoid_mitoses_to)
    if mitoses is None:
        out.warnings.append(f"Mitoses not given; WHO defines lung NEC by > {limit} per 2 mm².")
    elif mitoses <= rules.atypical_carcinoid_mitoses_to:
        out.warnings.append(
            f"Inconsistent with the WHO definition: lung NEC has > {limit} mitoses per 2 mm², but "
            f"{count_of(mitoses, 'mitosis was', 'mitoses were')} counted. Re-check the "
            "morphology (carcinoid?) and the count.")


def _classify_carcinoid(v: Json, out: _Outcome, rules: GradeRules) -> None:
    """WHO 2021 lung carcinoid: mitoses and necrosis decide (reference.md §1.4)."""
    mitoses, necrosis = v["mitoses_per_2mm2"], v["necrosis"]
    below, most = rules.typical_carcinoid_mitoses_below, rules.atypical_carcinoid_mitoses_to
    tc_below, ac_max = _fmt(below), _fmt(most)
    if mitoses is None:
        out.need("mitoses_per_2mm2", "lung carcinoids are classified by the mitotic count and "
                 "necrosis: give the mitotic count")
        return
    count = f"Carcinoid morphology, {count_of(mitoses, 'mitosis', 'mitoses')} per 2 mm²"
    if mitoses < below and necrosis is None:
        out.need("necrosis", f"with fewer than {tc_below} mitoses per 2 mm², necrosis separates "
                 f"typical from atypical carcinoid: choose {either(NECROSIS_LABELS.values())}")
    elif mitoses < below:
        out.category = "typical carcinoid" if necrosis == "none" else "atypical carcinoid"
        out.rule = f"{count} (< {tc_below}) and necrosis {necrosis}: {out.category}."
        if necrosis == "none":
            out.warnings.append("WHO also requires a size of at least 0.5 cm for a typical "
                                "carcinoid; this calculator does not check size.")
    elif mitoses <= most:
        out.category = "atypical carcinoid"
        out.rule = f"{count} ({tc_below}–{ac_max}): atypical carcinoid, whatever the necrosis."
    else:
        out.category = "atypical carcinoid"
        out.rule = f"{count} (> {ac_max}): kept as atypical carcinoid, not relabelled LCNEC."
        # Read by the page: no hand-off to the treatment pathway before expert review.
        out.extra["needs_expert_review"] = True
        out.warnings.insert(0, (
            f"IMPORTANT: {_fmt(mitoses)} mitoses per 2 mm² is above {ac_max} and meets the WHO "
            "mitotic criterion for LCNEC. WHO 2021 recognises \"atypical carcinoids with increased "
            "mitotic or proliferation rates\"; with carcinoid morphology this needs expert "
            "pathology review before any treatment decision."))


# (lung?, differentiation) -> the function that classifies that combination
_PATHS = {(False, "well"): _grade_net, (False, "poor"): _classify_nec,
          (True, "well"): _classify_carcinoid, (True, "poor"): _classify_lung_nec}


def _apply_mixed_component(other: float, out: _Outcome, lung: bool, rules: GradeRules) -> None:
    """MiNEN needs a NE and a non-NE component of at least 30 % each (reference.md §1.3)."""
    least = rules.minen_min_component
    ne_share, limit = 100.0 - other, _fmt(least)
    if lung and other > 0:
        out.errors = []  # the tumour is refused, so the other gaps no longer matter
        out.fail("mixed_component_percent", "MiNEN is a WHO digestive-system category; this "
                 "calculator does not classify lung tumours with a non-neuroendocrine component "
                 "(give 0 or leave empty for a pure neuroendocrine lung tumour)")
    elif not lung and other > 100.0 - least:  # compare "other": no rounding
        out.errors = []
        out.fail("mixed_component_percent", f"the neuroendocrine component is {_fmt(ne_share)} %, "
                 f"below {limit} %: the tumour is outside an NEN classification and is "
                 "classified as the non-neuroendocrine carcinoma; this calculator takes 0 to "
                 f"{_fmt(100.0 - least)}")
    elif not lung and other >= least:
        out.extra["ne_component_category"] = out.category
        if out.errors:  # an ungradable NE component does not undo the MiNEN diagnosis
            out.errors = []
            out.warnings.append("The neuroendocrine component could not be graded: give the "
                                "Ki-67 index or the mitotic count to grade it.")
        out.category = "MiNEN"
        out.rule = (f"Non-neuroendocrine component {_fmt(other)} % and neuroendocrine component "
                    f"{_fmt(ne_share)} % are each at least {limit} %: MiNEN.")
        out.warnings.append("Grade each component separately; treat according to the most "
                            "aggressive component.")
        out.citations = tuple(dict.fromkeys(out.citations + rules.minen_citations))
        if least in (other, ne_share):
            out.warnings.append(f"A component is exactly {limit} %: WHO says \"at least {limit} "
                                f"%\" (MiNEN), but some sources write \"> {limit} %\"; confirm "
                                "the estimate.")
    elif not lung and other > 0:
        out.warnings.append(f"Non-neuroendocrine component {_fmt(other)} % is below {limit} %: "
                            "not a MiNEN; classified by the neuroendocrine component.")


