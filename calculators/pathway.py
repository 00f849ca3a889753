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

from calculators.fields import (error, fmt_number, is_blank, number_text, parse_bool,
                                parse_choice, parse_count, parse_number, read_fields, stated)
from calculators.grade import CATEGORIES
from calculators.labels import (PATHWAY_FIELDS, SITE_LABELS, SSTR_LABELS, STAGE_LABELS,
                                SYNDROME_LABELS, count_of)

Json = dict[str, Any]

STAGES = tuple(STAGE_LABELS)
SYNDROMES = tuple(SYNDROME_LABELS)
CATEGORY_LABELS = {category: category for category in CATEGORIES}
LUNG_CATEGORIES = ("typical carcinoid", "atypical carcinoid", "LCNEC", "SCLC")
FLAGS = ("progressing", "elderly_or_poor_ps", "bone_mets", "liver_dominant")
# SSA and PRRT are NET treatments: SSTR status matters only for the other categories.
NEC_LIKE = ("NEC", "NEC small cell", "NEC large cell", "LCNEC", "SCLC", "MiNEN")


def _flag(value: object) -> tuple[bool | None, str]:
    """Yes/no facts default to no: a form's unticked box and a missing key mean the same."""
    flag, message = parse_bool(value)
    return (False if flag is None else flag), message


PARSERS = {
    "category": lambda v: parse_choice(v, CATEGORY_LABELS, required=True),
    "site": lambda v: parse_choice(v, SITE_LABELS, required=True),
    # No default stage: the options differ completely between stages, so it is asked for.
    "stage": lambda v: parse_choice(v, STAGE_LABELS, required=True),
    # Unknown SSTR status stays None: SSA and PRRT depend on it, so it is asked for, not assumed.
    "sstr_positive": parse_bool,
    "functional_syndrome": lambda v: parse_choice(v, SYNDROME_LABELS, required=False),
    "progressing": _flag,
    "elderly_or_poor_ps": _flag,
    "prior_lines": lambda v: (0, "") if is_blank(v) else parse_count(v),
    "bone_mets": _flag,
    "liver_dominant": _flag,
    "ki67_percent": lambda v: parse_number(v, high=100.0, percent=True),
}
# What a patient outside the rules' scope is still asked for: the scope depends on these only.
SCOPE_FIELDS = ("category", "site")


def evaluate(inputs: object, rules: object) -> Json:
    """The answer for one patient, or {"ok": False, "errors": [...]}; never raises.

    An answer is {"ok": True, "kind": "options", "options", "not_recommended", "notes", ...}, or
    {"ok": True, "kind": "out_of_scope", "why", ...} for a patient this version does not cover:
    that is an answer about the guideline, not a mistake in the input. Both restate the inputs
    they used ("stated_inputs")."""
    try:
        return _evaluate(inputs, rules)
    except Exception as exc:  # last-resort guard: the browser must always receive JSON
        message = f"internal error ({type(exc).__name__}) in the pathway; please report this input"
        return _error("inputs", "Inputs", message)


def _evaluate(inputs: object, rules: object) -> Json:
    if not isinstance(rules, dict) or not isinstance(rules.get("rules"), list):
        return _error("rules", "Pathway rules",
                      "the pathway rules of this guideline version are missing")
    if not isinstance(inputs, dict):
        return _error("inputs", "Inputs", "expected an object of named fields")
    values, errors = read_fields(inputs, PARSERS, PATHWAY_FIELDS)
    errors += _consistency_errors(values, errors, rules.get("ki67_limits", {}))
    # Out of scope by category and site: no options whatever the other inputs say, so a
    # missing stage is not asked for and unused fields are not checked.
    if not {e["field"] for e in errors} & set(SCOPE_FIELDS):
        why = out_of_scope(values, rules, SCOPE_FIELDS)
        if why is not None:
            return _out_of_scope_answer(why, values, inputs, SCOPE_FIELDS, rules)
    if errors:
        return {"ok": False, "errors": errors}
    why = out_of_scope(values, rules)
    if why is not None:
        return _out_of_scope_answer(why, values, inputs, tuple(PATHWAY_FIELDS), rules)
    return {"ok": True, "kind": "options", "version": rules.get("version", ""),
            **decide(values, rules), "inputs": values,
            "stated_inputs": _stated_inputs(values, inputs, tuple(PATHWAY_FIELDS))}


def out_of_scope(values: Json, rules: Json,
                 fields: tuple[str, ...] | None = None) -> str | None:
    """Why this version gives no options for this patient, or None. With `fields`, only the
    scope conditions on those fields count (the grade page asks with category and site to
    decide whether to offer its hand-off)."""
    for scope in rules.get("out_of_scope", []):
        if (fields is None or set(scope["when"]) <= set(fields)) and matches(scope["when"],
                                                                            values):
            return scope["why"]
    return None


def _out_of_scope_answer(why: str, values: Json, raw: Json, used: tuple[str, ...],
                         rules: Json) -> Json:
    return {"ok": True, "kind": "out_of_scope", "version": rules.get("version", ""), "why": why,
            "inputs": {name: values[name] for name in used},
            "stated_inputs": _stated_inputs(values, raw, used)}


def _stated_inputs(values: Json, raw: Json, names: tuple[str, ...]) -> list[Json]:
    """The inputs the answer used, in the form's words (a yes/no fact left unticked is "no")."""
    def shown(name: str) -> str:
        value = values[name]
        if name == "site":
            return SITE_LABELS[value]
        if name == "stage":
            return STAGE_LABELS[value]
        if name == "sstr_positive":
            return SSTR_LABELS.get(value, "Unknown")
        if name == "functional_syndrome":
            return SYNDROME_LABELS.get(value, "None")
        if name == "prior_lines":
            return count_of(value, "line", "lines")
        if name == "ki67_percent":
            return number_text(value, raw.get(name), " %")
        if name in FLAGS:
            return "yes" if value else "no"
        return str(value)

    return [stated(name, PATHWAY_FIELDS[name], shown(name)) for name in names]


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
                avoided[rec_id] = {"id": rec_id, "number": rec.get("number", ""),
                                   "title": rec["title"], "text": rec["text"], "why": rule["why"],
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
        bounds = ", ".join(f"{key} {fmt_number(value)}" for key, value in
                           limits[values["category"]].items())
        message = (f"Ki-67 {fmt_number(values['ki67_percent'])} % does not fit a "
                   f"{values['category']} ({bounds} %); check the grade and the index")
        return [error("ki67_percent", PATHWAY_FIELDS["ki67_percent"], message)]
    lung_site = values["site"] == "lung"
    if lung_site and values["category"] not in LUNG_CATEGORIES:
        message = (f"'{values['category']}' is not a lung category; for lung tumours use one "
                   f"of {', '.join(LUNG_CATEGORIES)}")
        return [error("category", PATHWAY_FIELDS["category"], message)]
    if not lung_site and values["category"] in LUNG_CATEGORIES:
        message = (f"'{values['category']}' is a lung category; for other sites use the WHO "
                   "2019 digestive categories (NET G1-G3, NEC, MiNEN)")
        return [error("category", PATHWAY_FIELDS["category"], message)]
    return []


def _option(rec_id: str, rec: Json, why: str) -> Json:
    return {"id": rec_id, "number": rec.get("number", ""), "title": rec["title"],
            "text": rec["text"],
            "strength": rec["strength"], "citations": list(rec["citations"]), "why": why,
            "page": rec["page"], "anchor": rec["anchor"]}


def _error(field: str, label: str, message: str) -> Json:
    return {"ok": False, "errors": [error(field, label, message)]}
