"""Words shown to readers for the calculators' fields and coded values.

The forms' labels, the calculators' messages and the restated inputs of a result all come from
here, so the page, the command line and the error text name a field the same way. The codes
(`small_intestine`, `unresectable_metastatic`) stay the JSON spelling; readers never need them.
"""

from __future__ import annotations

from calculators.fields import fmt_number

# --- Field labels, exactly as the forms show them ----------------------------------------------
GRADE_FIELDS = {
    "site": "Primary site",
    "differentiation": "Differentiation (morphology)",
    "ki67_percent": "Ki-67 index (%)",
    "mitoses_per_2mm2": "Mitoses per 2 mm²",
    "necrosis": "Necrosis",
    "small_cell_morphology": "Cell type",
    "mixed_component_percent": "Non-neuroendocrine component (%)",
}
PATHWAY_FIELDS = {  # in the form's order, which the restated inputs follow
    "category": "WHO category",
    "site": "Primary site",
    "stage": "Stage",
    "sstr_positive": "Somatostatin receptor (SSTR) status",
    "ki67_percent": "Ki-67 index (%)",
    "prior_lines": "Systemic lines already given for advanced disease",
    "functional_syndrome": "Functional syndrome",
    "progressing": "Disease is progressing",
    "elderly_or_poor_ps": "Elderly or poor performance status",
    "bone_mets": "Bone metastases",
    "liver_dominant": "Liver-dominant disease",
}

# --- Coded values -------------------------------------------------------------------------------
SITE_LABELS = {
    "pancreas": "Pancreas",
    "small_intestine": "Small intestine",
    "stomach": "Stomach",
    "rectum": "Rectum",
    "appendix": "Appendix",
    "colon": "Colon",
    "lung": "Lung",
    "unknown": "Unknown primary",
}
DIFFERENTIATION_LABELS = {
    "well": "Well differentiated (NET, carcinoid)",
    "poor": "Poorly differentiated (NEC)",
}
NECROSIS_LABELS = {"none": "None", "punctate": "Punctate", "extensive": "Extensive"}
CELL_TYPE_LABELS = {True: "Small cell", False: "Large cell"}
SSTR_LABELS = {True: "Positive", False: "Negative"}
STAGE_LABELS = {
    "localized": "Localized",
    "locoregional": "Locoregional",
    "resectable_liver_mets": "Resectable liver metastases",
    "unresectable_metastatic": "Unresectable or metastatic",
}
SYNDROME_LABELS = {
    "carcinoid_syndrome": "Carcinoid syndrome",
    "carcinoid_syndrome_refractory_diarrhoea": "Carcinoid syndrome with diarrhoea refractory "
                                               "to SSA",
    "gastrinoma": "Gastrinoma",
    "insulinoma": "Insulinoma",
    "vipoma": "VIPoma",
    "glucagonoma": "Glucagonoma",
}


def count_of(number: float, one: str, many: str) -> str:
    """"1 mitosis", "2 mitoses", "1.5 mitoses": the singular only for exactly one."""
    return f"{fmt_number(number)} {one if number == 1 else many}"


def either(words) -> str:
    """"a, b or c"."""
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
