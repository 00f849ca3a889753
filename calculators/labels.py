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
    "sstr_uptake": "SSTR uptake compared with normal liver",
    "ki67_percent": "Ki-67 index (%)",
    "tumour_size_mm": "Tumour size (mm)",
    "gastric_type": "Gastric NET type",
    "functional_syndrome": "Functional syndrome",
    "ecog": "ECOG performance status",
    "age": "Age (years)",
    "treatments_given": "Treatments already given",
    "prrt_pfs_months": "Months without progression after the last PRRT",
    "progressing": "Disease is progressing",
    "bone_mets": "Bone metastases",
    "liver_dominant": "Liver-dominant disease",
}

# --- Coded values -------------------------------------------------------------------------------
SITE_LABELS = {
    "pancreas": "Pancreas",
    "duodenum": "Duodenum",
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
SSTR_UPTAKE_LABELS = {
    "above_liver": "Higher than normal liver",
    "equal_liver": "Equal to normal liver",
    "below_liver": "Lower than normal liver",
}
GASTRIC_TYPE_LABELS = {
    "1": "Type 1 (chronic atrophic gastritis)",
    "2": "Type 2 (gastrinoma, usually MEN1)",
    "3": "Type 3 (sporadic)",
}
TREATMENT_LABELS = {
    "ssa": "Somatostatin analogue",
    "everolimus": "Everolimus",
    "sunitinib": "Sunitinib",
    "prrt": "177Lu-DOTATATE (PRRT)",
    "captem": "Capecitabine with temozolomide (or temozolomide)",
    "streptozocin": "Streptozocin-based chemotherapy",
    "platinum_etoposide": "Platinum with etoposide",
    "folfiri": "FOLFIRI",
    "folfox": "FOLFOX",
    "interferon": "Interferon alfa",
    "checkpoint_inhibitor": "Immune checkpoint inhibitor",
    "liver_directed": "Liver-directed therapy (TAE, TACE, SIRT or ablation)",
}
# The ECOG scale as published by the Eastern Cooperative Oncology Group.
ECOG_LABELS = {
    "0": "0: fully active",
    "1": "1: restricted in strenuous activity, able to do light work",
    "2": "2: up and about more than half of the day, self-care, unable to work",
    "3": "3: limited self-care, in bed or chair more than half of the day",
    "4": "4: completely disabled",
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
