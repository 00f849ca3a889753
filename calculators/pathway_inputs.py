"""The pathway calculator's inputs: how each is read, which combinations contradict each other,
and how an answer restates them (see calculators.fields for the reading of each value).

Decisions on contradictory inputs (each tested in tests/test_pathway.py):
  * a lung category with another site, or a digestive category with the lung: error;
  * a Ki-67 outside the NET grade given (NET G1 with Ki-67 5 %): error;
  * insulinoma, gastrinoma, VIPoma or glucagonoma outside the pancreas, duodenum or an unknown
    primary (ENETS 2023 scope: the pancreas, and the duodenum for some): error;
  * a gastric NET type with another site: error;
  * an SSTR uptake with SSTR status not positive: error (uptake describes positive imaging);
  * months after PRRT without PRRT among the treatments given: error;
  * treatments for advanced disease with a localized stage: a warning, not an error (a tumour
    can be localized after treatment); the answer is for the stage given.
"""

from __future__ import annotations

from typing import Any

from calculators.fields import (error, fmt_number, is_blank, number_text, parse_bool,
                                parse_choice, parse_count, parse_number, read_fields, show,
                                stated, type_name)
from calculators.grade import CATEGORIES
from calculators.labels import (GASTRIC_TYPE_LABELS, PATHWAY_FIELDS, SITE_LABELS,
                                SSTR_LABELS, SSTR_UPTAKE_LABELS, STAGE_LABELS,
                                SYNDROME_LABELS, TREATMENT_LABELS)

Json = dict[str, Any]

CATEGORY_LABELS = {category: category for category in CATEGORIES}
LUNG_CATEGORIES = ("typical carcinoid", "atypical carcinoid", "LCNEC", "SCLC")
FLAGS = ("progressing", "bone_mets", "liver_dominant")
# Numbers a rule may test with a range; an unknown one does not rule a rule out (the answer
# then says it was not given).
NUMBERS = ("ki67_percent", "tumour_size_mm", "ecog", "age", "prrt_pfs_months")
LISTS = ("treatments_given",)
PANCREATIC_SYNDROMES = ("insulinoma", "gastrinoma", "vipoma", "glucagonoma")
PANCREATIC_SYNDROME_SITES = ("pancreas", "duodenum", "unknown")


def _flag(value: object) -> tuple[bool | None, str]:
    """Yes/no facts default to no: a form's unticked box and a missing key mean the same."""
    flag, message = parse_bool(value)
    return (False if flag is None else flag), message


def _ecog(value: object) -> tuple[int | None, str]:
    number, message = parse_count(value)
    if message or number is None:
        return None, message.replace("a whole number of 0 or more", "a whole number from 0 to 4")
    if number > 4:
        return None, f"expected a whole number from 0 to 4, got {number} (out of range)"
    return number, ""


def _gastric_type(value: object) -> tuple[str | None, str]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # JSON may give the type as a number
    return parse_choice(value, GASTRIC_TYPE_LABELS, required=False)


def _treatments(value: object) -> tuple[list[str], str]:
    """A list of treatment codes (or their labels); empty when none were given."""
    if is_blank(value):
        return [], ""
    if not isinstance(value, list):
        return [], (f"expected a list of treatments, got {type_name(value)}; choose from: "
                    f"{', '.join(TREATMENT_LABELS.values())}")
    given, problems = [], []
    for item in value:
        code, message = parse_choice(item, TREATMENT_LABELS, required=True)
        if message:
            problems.append(f"{show(item)}: {message}")
        elif code not in given:
            given.append(code)
    order = list(TREATMENT_LABELS)
    return sorted(given, key=order.index), "; ".join(problems)


PARSERS = {
    "category": lambda v: parse_choice(v, CATEGORY_LABELS, required=True),
    "site": lambda v: parse_choice(v, SITE_LABELS, required=True),
    # No default stage: the options differ completely between stages, so it is asked for.
    "stage": lambda v: parse_choice(v, STAGE_LABELS, required=True),
    # Unknown SSTR status stays None: SSA and PRRT depend on it, so it is asked for, not assumed.
    "sstr_positive": parse_bool,
    "sstr_uptake": lambda v: parse_choice(v, SSTR_UPTAKE_LABELS, required=False),
    "ki67_percent": lambda v: parse_number(v, high=100.0, percent=True),
    "tumour_size_mm": lambda v: parse_number(v, high=500.0),
    "gastric_type": _gastric_type,
    "functional_syndrome": lambda v: parse_choice(v, SYNDROME_LABELS, required=False),
    "ecog": _ecog,
    "age": lambda v: parse_number(v, high=120.0),
    "treatments_given": _treatments,
    "prrt_pfs_months": lambda v: parse_number(v, high=600.0),
    "progressing": _flag,
    "bone_mets": _flag,
    "liver_dominant": _flag,
}
assert list(PARSERS) == list(PATHWAY_FIELDS), "keep the labels in step"


def read_inputs(raw: dict[Any, Any], limits: Json) -> tuple[Json, list[Json], list[str]]:
    """(values, errors, warnings) for one patient."""
    values, errors = read_fields(raw, PARSERS, PATHWAY_FIELDS)
    errors += _contradictions(values, errors, limits)
    warnings = []
    if values["stage"] == "localized" and values["treatments_given"]:
        warnings.append("Treatments for advanced disease are listed, but the stage is "
                        "localized: the options shown are for localized disease; check the "
                        "stage.")
    return values, errors, warnings


def ki67_fits(category: str, ki67: float | None, limits: Json) -> bool:
    """Whether a Ki-67 can belong to a category: a NET G1 has Ki-67 below the G2 threshold and
    a NET G2 at most the G3 one (the higher index decides, so the other bounds are open)."""
    if ki67 is None or category not in limits:
        return True
    bounds = limits[category]
    return not (("below" in bounds and ki67 >= bounds["below"]) or
                ("max" in bounds and ki67 > bounds["max"]))


def _contradictions(values: Json, errors: list[Json], limits: Json) -> list[Json]:
    bad = {e["field"] for e in errors}
    found = []

    def fail(name: str, message: str) -> None:
        found.append(error(name, PATHWAY_FIELDS[name], message))

    if not bad & {"category", "site"}:
        category, site = values["category"], values["site"]
        if "ki67_percent" not in bad and not ki67_fits(category, values["ki67_percent"], limits):
            bounds = ", ".join(f"{key} {fmt_number(value)}" for key, value in
                               limits[category].items())
            fail("ki67_percent", f"Ki-67 {fmt_number(values['ki67_percent'])} % does not fit "
                                 f"a {category} ({bounds} %); check the grade and the index")
        if site == "lung" and category not in LUNG_CATEGORIES:
            fail("category", f"'{category}' is not a lung category; for lung tumours use one of "
                             f"{', '.join(LUNG_CATEGORIES)}")
        if site != "lung" and category in LUNG_CATEGORIES:
            fail("category", f"'{category}' is a lung category; for other sites use the WHO "
                             "2019 digestive categories (NET G1-G3, NEC, MiNEN)")
        syndrome = values["functional_syndrome"]
        if syndrome in PANCREATIC_SYNDROMES and site not in PANCREATIC_SYNDROME_SITES:
            fail("functional_syndrome", f"{SYNDROME_LABELS[syndrome]} arises in the pancreas "
                 f"or the duodenum, not in the {SITE_LABELS[site].lower()}; check the site or "
                 "the syndrome")
        if values["gastric_type"] is not None and site != "stomach":
            fail("gastric_type", f"the gastric NET type applies to stomach primaries only, and "
                                 f"the site is {SITE_LABELS[site].lower()}; leave it empty")
    if values["sstr_uptake"] is not None and values["sstr_positive"] is not True \
            and "sstr_positive" not in bad:
        fail("sstr_uptake", "the uptake compared with the liver describes SSTR-positive "
                            "imaging; set the SSTR status to positive, or leave the uptake empty")
    if values["prrt_pfs_months"] is not None and "prrt" not in values["treatments_given"]:
        fail("prrt_pfs_months", "months without progression after PRRT need PRRT among the "
                                "treatments already given")
    return found


def stated_inputs(values: Json, raw: Json, names: tuple[str, ...]) -> list[Json]:
    """The inputs an answer used, in the form's words (a yes/no fact left unticked is "no")."""
    words = {"site": SITE_LABELS, "stage": STAGE_LABELS, "sstr_uptake": SSTR_UPTAKE_LABELS,
             "gastric_type": GASTRIC_TYPE_LABELS}
    units = {"ki67_percent": " %", "tumour_size_mm": " mm", "age": " years",
             "prrt_pfs_months": " months"}

    def shown(name: str) -> str:
        value = values[name]
        if name in words:
            return words[name].get(value, "not given")
        if name == "sstr_positive":
            return SSTR_LABELS.get(value, "Unknown")
        if name == "functional_syndrome":
            return SYNDROME_LABELS.get(value, "None")
        if name == "treatments_given":
            return ", ".join(TREATMENT_LABELS[t] for t in value) or "none"
        if name in units:
            return number_text(value, raw.get(name), units[name])
        if name == "ecog":
            return "not given" if value is None else str(value)
        if name in FLAGS:
            return "yes" if value else "no"
        return str(value)

    return [stated(name, PATHWAY_FIELDS[name], shown(name)) for name in names]
