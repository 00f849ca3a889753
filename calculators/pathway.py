"""Treatment pathway: the options a guideline version recommends for a patient's situation.

A generic engine: the clinical content is the version's rules (content/<guideline>/<version>/
pathway.yaml, compiled by the generator into JSON with the recommendations' text), so the
pathway, the treatment pages and the citations come from one source and an old release keeps
its own rules. Stdlib only; runs unchanged in CPython and Pyodide.

Rules: {"out_of_scope": [{"when", "why"}], "rules": [{"id", "when", "offer", "avoid", "why",
"note"}], "recommendations": {id: {"title", "text", "strength", "citations", "page", "anchor"}},
"version": V}. A "when" maps an input to the values it must take (a list), or for numbers to a
range {"min": a, "max": b, "below": c} (inclusive, inclusive, exclusive). An unknown Ki-67 does
not rule a rule out: the rule's "why" states the Ki-67 it assumes.
"""

from __future__ import annotations

from typing import Any

from calculators.fields import (is_blank, parse_bool, parse_choice, parse_count, parse_number,
                                read_fields)
from calculators.grade import CATEGORIES
from calculators.grade_inputs import SITES

Json = dict[str, Any]

STAGES = ("localized", "locoregional", "resectable_liver_mets", "unresectable_metastatic")
SYNDROMES = ("carcinoid_syndrome", "carcinoid_syndrome_refractory_diarrhoea", "gastrinoma",
             "insulinoma", "vipoma", "glucagonoma")
LUNG_CATEGORIES = ("typical carcinoid", "atypical carcinoid", "LCNEC", "SCLC")
FLAGS = ("progressing", "elderly_or_poor_ps", "bone_mets", "liver_dominant")
# SSA and PRRT are NET treatments: SSTR status matters only for the other categories.
NEC_LIKE = ("NEC", "NEC small cell", "NEC large cell", "LCNEC", "SCLC", "MiNEN")


def _flag(value: object) -> tuple[bool | None, str]:
    """Yes/no facts default to no: a form's unticked box and a missing key mean the same."""
    flag, message = parse_bool(value)
    return (False if flag is None else flag), message


PARSERS = {
    "category": lambda v: parse_choice(v, CATEGORIES, required=True),
    "site": lambda v: parse_choice(v, SITES, required=True),
    "stage": lambda v: parse_choice(v, STAGES, required=True),
    # Unknown SSTR status stays None: SSA and PRRT depend on it, so it is asked for, not assumed.
    "sstr_positive": parse_bool,
    "functional_syndrome": lambda v: parse_choice(v, SYNDROMES, required=False),
    "progressing": _flag,
    "elderly_or_poor_ps": _flag,
    "prior_lines": lambda v: (0, "") if is_blank(v) else parse_count(v),
    "bone_mets": _flag,
    "liver_dominant": _flag,
    "ki67_percent": lambda v: parse_number(v, high=100.0),
}


def evaluate(inputs: object, rules: object) -> Json:
    """The options for one patient, or {"ok": False, "errors": [...]}; never raises."""
    try:
        return _evaluate(inputs, rules)
    except Exception as exc:  # last-resort guard: the browser must always receive JSON
        message = f"internal error ({type(exc).__name__}) in the pathway; please report this input"
        return {"ok": False, "errors": [{"field": "inputs", "message": message}]}


def _evaluate(inputs: object, rules: object) -> Json:
    if not isinstance(rules, dict) or not isinstance(rules.get("rules"), list):
        return _error("rules", "the pathway rules of this guideline version are missing")
    if not isinstance(inputs, dict):
        return _error("inputs", "expected an object of named fields")
    values, errors = read_fields(inputs, PARSERS)
    errors += _consistency_errors(values, errors, rules.get("ki67_limits", {}))
    if errors:
        return {"ok": False, "errors": errors}
    for scope in rules.get("out_of_scope", []):
        if matches(scope["when"], values):
            return _error("category", scope["why"])
    return {"ok": True, "version": rules.get("version", ""), **decide(values, rules),
            "inputs": values}


def decide(values: Json, rules: Json) -> Json:
    """Apply every rule whose conditions hold: options, options not to use, notes."""
    recommendations = rules["recommendations"]
    offered: dict[str, Json] = {}
    avoided: dict[str, Json] = {}
    notes: list[str] = []
    for rule in rules["rules"]:
        if not matches(rule["when"], values):
            continue
        for rec_id in rule.get("offer", []):
            if rec_id not in offered:
                offered[rec_id] = _option(rec_id, recommendations[rec_id], rule["why"])
        for rec_id in rule.get("avoid", []):
            if rec_id not in avoided:
                rec = recommendations[rec_id]
                avoided[rec_id] = {"id": rec_id, "text": rec["text"], "why": rule["why"],
                                   "citations": list(rec["citations"]), "page": rec["page"],
                                   "anchor": rec["anchor"]}
        if rule.get("note") and rule["note"] not in notes:
            notes.append(rule["note"])
    if values["sstr_positive"] is None and values["category"] not in NEC_LIKE:
        notes.append("SSTR status not given: somatostatin analogues and 177Lu-DOTATATE are "
                     "offered only for SSTR-positive disease.")
    if values["ki67_percent"] is None:
        notes.append("Ki-67 not given: options that depend on Ki-67 state the range they "
                     "assume; check it against the pathology report.")
    return {"options": list(offered.values()), "not_recommended": list(avoided.values()),
            "notes": notes}



def matches(when: Json, values: Json) -> bool:
    """True when every condition of a rule holds for these inputs."""
    for name, condition in when.items():
        value = values.get(name)
        if isinstance(condition, dict):
            if value is None:
                if name == "ki67_percent":
                    continue  # unknown Ki-67: the rule's text says what it assumes
                return False
            if "min" in condition and value < condition["min"]:
                return False
            if "max" in condition and value > condition["max"]:
                return False
            if "below" in condition and value >= condition["below"]:
                return False
        elif value not in condition:
            return False
    return True


def ki67_fits(category: str, ki67: float | None, limits: Json) -> bool:
    """Whether a Ki-67 can belong to a category: a NET G1 has Ki-67 below the G2 threshold and
    a NET G2 at most the G3 one (the higher index decides, so the other bounds are open)."""
    return ki67 is None or category not in limits or matches({"k": limits[category]}, {"k": ki67})


def _consistency_errors(values: Json, errors: list[Json], limits: Json) -> list[Json]:
    """A category names its classification: lung categories go with the lung site only, and
    a NET grade bounds its Ki-67."""
    bad = {error["field"] for error in errors}
    if bad & {"category", "site"}:
        return []
    if "ki67_percent" not in bad and not ki67_fits(values["category"], values["ki67_percent"],
                                                    limits):
        bounds = ", ".join(f"{key} {value:g}" for key, value in
                           limits[values["category"]].items())
        return [{"field": "ki67_percent", "message": f"Ki-67 {values['ki67_percent']:g} % does "
                 f"not fit a {values['category']} ({bounds} %); check the grade and the index"}]
    lung_site = values["site"] == "lung"
    if lung_site and values["category"] not in LUNG_CATEGORIES:
        return [{"field": "category", "message": f"'{values['category']}' is not a lung "
                 f"category; for lung tumours use one of {', '.join(LUNG_CATEGORIES)}"}]
    if not lung_site and values["category"] in LUNG_CATEGORIES:
        return [{"field": "category", "message": f"'{values['category']}' is a lung category; "
                 "for other sites use the WHO 2019 digestive categories (NET G1-G3, NEC, "
                 "MiNEN)"}]
    return []


def _option(rec_id: str, rec: Json, why: str) -> Json:
    return {"id": rec_id, "title": rec["title"], "text": rec["text"],
            "strength": rec["strength"], "citations": list(rec["citations"]), "why": why,
            "page": rec["page"], "anchor": rec["anchor"]}


def _error(field: str, message: str) -> Json:
    return {"ok": False, "errors": [{"field": field, "message": message}]}
