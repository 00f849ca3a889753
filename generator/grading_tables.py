"""Classification tables drawn from a version's grading rules, so the page and the calculator
cannot disagree: the category tables print the rules' numbers, and the boundary table is the
calculator's own answers, computed at build time."""

from __future__ import annotations

from typing import Any, Callable

from calculators import grade
from calculators.fields import fmt_number
from generator.model import Table, Version
from generator.schema import GENERATED_TABLE_NAMES

BOUNDARY_STEP = {"ki67_percent": 0.01, "mitoses_per_2mm2": 0.1}


def _digestive(version: Version) -> Table:
    rules = version.grading
    ki67, mitoses = rules["digestive"]["ki67_percent"], rules["digestive"]["mitoses_per_2mm2"]
    k_from, k_to = fmt_number(ki67["g2_from"]), fmt_number(ki67["g2_to"])
    m_from, m_to = fmt_number(mitoses["g2_from"]), fmt_number(mitoses["g2_to"])
    minen = fmt_number(rules["minen"]["min_component_percent"])
    return Table(
        id="grading-digestive",
        caption="Grading of digestive and unknown-primary neuroendocrine neoplasms "
                f"({rules['digestive']['edition']})",
        header=("Category", "Differentiation", "Mitoses per 2 mm²", "Ki-67 index"),
        rows=(
            ("NET G1", "Well", f"< {m_from}", f"< {k_from} %"),
            ("NET G2", "Well", f"{m_from}–{m_to}", f"{k_from}–{k_to} %"),
            ("NET G3", "Well", f"> {m_to}", f"> {k_to} %"),
            ("NEC, small-cell type", "Poor", f"> {m_to} (high grade by definition)", f"> {k_to} %"),
            ("NEC, large-cell type", "Poor", f"> {m_to} (high grade by definition)", f"> {k_to} %"),
            ("MiNEN", "Well or poor", f"Each component at least {minen} % of the tumour",
             "Grade each component"),
        ),
        citations=tuple(dict.fromkeys(rules["digestive"]["citations"] +
                                      rules["minen"]["citations"])),
        notes=(f"A value equal to the lower limit of G2 ({k_from} % or {m_from} mitoses) is G2; "
               f"a value equal to its upper limit ({k_to} % or {m_to} mitoses) is still G2. "
               "When both indices are available the final grade is the higher of the two. "
               "Differentiation is judged on morphology: a well-differentiated tumour stays a "
               "NET whatever its Ki-67."),
    )


def _lung(version: Version) -> Table:
    rules = version.grading["lung"]
    below = fmt_number(rules["typical_carcinoid_mitoses_below"])
    most = fmt_number(rules["atypical_carcinoid_mitoses_to"])
    return Table(
        id="grading-lung",
        caption=f"Lung neuroendocrine neoplasms ({rules['edition']})",
        header=("Category", "Morphology", "Mitoses per 2 mm²", "Necrosis"),
        rows=(
            ("Typical carcinoid", "Carcinoid, at least 0.5 cm", f"< {below}", "Absent"),
            ("Atypical carcinoid", "Carcinoid", f"{below}–{most}, or < {below} with necrosis",
             "Any (often punctate)"),
            ("LCNEC", "Neuroendocrine morphology, large cells", f"> {most}", "Usually extensive"),
            ("SCLC", "Small-cell cytology", f"> {most}", "Usually extensive"),
        ),
        citations=tuple(rules["citations"]),
        notes=(f"Exactly {most} mitoses is an atypical carcinoid; the carcinomas start above "
               f"{most}. Ki-67 plays no part in the lung category."),
    )


def boundary_cases(grading: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(site label, finding, calculator inputs) at and around every threshold."""
    rules = grading
    cases: list[tuple[str, str, dict[str, Any]]] = []
    for field, (label, unit) in grade.INDEX_LABELS.items():
        bands, step = rules["digestive"][field], BOUNDARY_STEP[field]
        top = 100 if field == "ki67_percent" else float("inf")
        for value in (bands["g2_from"] - step, bands["g2_from"], bands["g2_to"],
                      bands["g2_to"] + step):
            value = round(value, 2)
            if not 0 <= value <= top:
                continue  # a band edge at 0 or 100 has no value beyond it
            cases.append(("Digestive", f"{label.capitalize()} {fmt_number(value)}{unit}",
                          {field: value}))
    k_low = round(rules["digestive"]["ki67_percent"]["g2_from"] - 1, 2)
    m_mid = rules["digestive"]["mitoses_per_2mm2"]["g2_from"] + 3
    cases.append(("Digestive", f"Ki-67 {fmt_number(k_low)} % and mitoses {fmt_number(m_mid)} "
                               "per 2 mm²", {"ki67_percent": k_low, "mitoses_per_2mm2": m_mid}))
    cases.append(("Digestive", "Ki-67 80 %, well differentiated", {"ki67_percent": 80}))
    lung = rules["lung"]
    below, most = lung["typical_carcinoid_mitoses_below"], lung["atypical_carcinoid_mitoses_to"]
    for mitoses, necrosis in ((below - 0.1, "none"), (below - 0.1, "punctate"), (below, "none"),
                              (most, "none")):
        mitoses = round(mitoses, 2)
        if mitoses < 0:
            continue
        cases.append(("Lung", f"Carcinoid, {fmt_number(mitoses)} mitoses per 2 mm², necrosis "
                              f"{necrosis}",
                      {"site": "lung", "mitoses_per_2mm2": mitoses, "necrosis": necrosis}))
    return cases


def _boundaries(version: Version) -> Table:
    rows = []
    for site, finding, fields in boundary_cases(version.grading):
        inputs = {"site": "pancreas", "differentiation": "well", **fields}
        result = grade.evaluate(inputs, version.grading)
        if not result["ok"]:  # a rules change that breaks a case must stop the build
            raise ValueError(f"boundary case {inputs} failed: {result['errors']}")
        rows.append((site, finding, result["category"]))
    return Table(
        id="grading-boundaries",
        caption="Values at the boundaries, as the grade calculator classifies them",
        header=("Site", "Finding (well differentiated)", "Category"),
        rows=tuple(rows),
        citations=tuple(dict.fromkeys(version.grading["digestive"]["citations"] +
                                      version.grading["lung"]["citations"])),
        notes="Computed by the calculator from this version's rules when the site was built.",
    )


GENERATED_TABLES: dict[str, Callable[[Version], Table]] = {
    "grading-digestive": _digestive,
    "grading-lung": _lung,
    "grading-boundaries": _boundaries,
}


assert tuple(GENERATED_TABLES) == GENERATED_TABLE_NAMES, "keep schema.py in step"


def generated_tables(version: Version) -> dict[str, Table]:
    """Every generated table of a version, by name."""
    return {name: make(version) for name, make in GENERATED_TABLES.items()}
