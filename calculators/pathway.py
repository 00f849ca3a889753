"""Treatment pathway: the options a guideline version recommends for a patient's situation.

A generic engine: the clinical content is the version's rules (content/<guideline>/<version>/
pathway.yaml, compiled by the generator into JSON with the recommendations' text), so the
pathway, the treatment pages and the citations come from one source and an old release keeps
its own rules. Stdlib only; runs unchanged in CPython and Pyodide. The inputs and their
contradictions are in calculators.pathway_inputs.

Rules: {"out_of_scope": [{"when", "why"}], "rules": [{"id", "when", "offer", "avoid", "why",
"note"}], "recommendations": {id: {"title", "text", "strength", "citations", "page", "anchor"}},
"version": V}. A "when" maps an input to what it must be:
  * a list of values: one of them (null stands for "not given");
  * for a number, a range {"min": a, "max": b, "below": c, "above": d} (min and max inclusive,
    below and above exclusive); an unknown number does not rule a rule out, and the answer
    says which number it would have needed, unless the range also says "known": true (for a
    criterion that must be met, not assumed, such as the months after PRRT for retreatment);
  * for the treatments already given, {"any": [...]} (at least one of them was given) and
    {"none": [...]} (none of them was given).
"""

from __future__ import annotations

from typing import Any

from calculators.fields import error, stated
from calculators.labels import PATHWAY_FIELDS, STAGE_LABELS, SYNDROME_LABELS, TREATMENT_LABELS
from calculators.pathway_inputs import (CATEGORY_LABELS, FLAGS, LISTS, LUNG_CATEGORIES,  # noqa: F401
                                        NUMBERS, PARSERS, ki67_fits, read_inputs,
                                        stated_inputs)

Json = dict[str, Any]

STAGES = tuple(STAGE_LABELS)
SYNDROMES = tuple(SYNDROME_LABELS)
TREATMENTS = tuple(TREATMENT_LABELS)
# SSA and PRRT are NET treatments: SSTR status matters only for the other categories.
NEC_LIKE = ("NEC", "NEC small cell", "NEC large cell", "LCNEC", "SCLC", "MiNEN")
# What a patient outside the rules' scope is still asked for: the scope depends on these only.
SCOPE_FIELDS = ("category", "site")
ADVANCED = ("resectable_liver_mets", "unresectable_metastatic")


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
    values, errors, warnings = read_inputs(inputs, rules.get("ki67_limits", {}))
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
    answer = decide(values, rules)
    answer["notes"] = warnings + answer["notes"]
    return {"ok": True, "kind": "options", "version": rules.get("version", ""), **answer,
            "inputs": values, "stated_inputs": stated_inputs(values, inputs,
                                                             tuple(PATHWAY_FIELDS))}


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
            "stated_inputs": stated_inputs(values, raw, used)}


def decide(values: Json, rules: Json) -> Json:
    """Apply every rule whose conditions hold: options, options not to use, notes."""
    recommendations = rules["recommendations"]
    offered: dict[str, Json] = {}
    avoided: dict[str, Json] = {}
    notes: list[str] = []
    fired = []
    for rule in rules["rules"]:
        if not matches(rule["when"], values):
            notes += [note for note in _needs_a_number(rule, values, recommendations)
                      if note not in notes]
            continue
        fired.append(rule)
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
    if values["sstr_positive"] is None and values["category"] not in NEC_LIKE and \
            values["stage"] in ADVANCED:  # SSA and PRRT are for advanced disease only
        notes.append("SSTR status not given: somatostatin analogues and 177Lu-DOTATATE are "
                     "offered only for SSTR-positive disease.")
    for name in NUMBERS:  # an unknown number matched every range a fired rule tests
        if values[name] is None and any(name in rule["when"] for rule in fired):
            label = stated(name, PATHWAY_FIELDS[name], "")["label"]
            notes.append(f"{label} not given: the options shown include those that depend on "
                         "it, whatever its value; give it to narrow them.")
    return {"options": list(offered.values()), "not_recommended": list(avoided.values()),
            "notes": notes}



def _needs_a_number(rule: Json, values: Json, recommendations: Json) -> list[str]:
    """When a rule failed only for want of a number it must know, say so: the option exists
    for this patient once the number is given and meets the criterion."""
    missing = [name for name, condition in rule["when"].items()
               if isinstance(condition, dict) and condition.get("known") and values.get(name)
               is None]
    if not missing or not rule.get("offer"):
        return []
    relaxed = {name: ({k: v for k, v in c.items() if k != "known"} if name in missing else c)
               for name, c in rule["when"].items()}
    if not matches(relaxed, values):
        return []
    first = recommendations[rule["offer"][0]]
    which = f"recommendation {first['number']}" if first.get("number") else "an option"
    return [f"{stated(name, PATHWAY_FIELDS[name], '')['label']} not given: {which} "
            f"applies only when it is known to be "
            f"{_criterion(rule['when'][name])}; give it to see whether it does."
            for name in missing]


def _criterion(condition: Json) -> str:
    signs = {"min": "at least", "max": "at most", "below": "below", "above": "above"}
    return " and ".join(f"{signs[k]} {v:g}" for k, v in condition.items() if k in signs)


def matches(when: Json, values: Json) -> bool:
    """True when every condition of a rule holds for these inputs."""
    for name, condition in when.items():
        value = values.get(name)
        if name in LISTS:
            given = set(value or ())
            if given & set(condition.get("none", ())):
                return False
            if "any" in condition and not given & set(condition["any"]):
                return False
        elif isinstance(condition, dict):
            if value is None:
                if condition.get("known"):
                    return False
                continue  # an unknown number: the answer says it was not given
            if "min" in condition and value < condition["min"]:
                return False
            if "max" in condition and value > condition["max"]:
                return False
            if "below" in condition and value >= condition["below"]:
                return False
            if "above" in condition and value <= condition["above"]:
                return False
        elif value not in condition:
            return False
    return True


def _option(rec_id: str, rec: Json, why: str) -> Json:
    return {"id": rec_id, "number": rec.get("number", ""), "title": rec["title"],
            "text": rec["text"],
            "strength": rec["strength"], "citations": list(rec["citations"]), "why": why,
            "page": rec["page"], "anchor": rec["anchor"]}


def _error(field: str, label: str, message: str) -> Json:
    return {"ok": False, "errors": [error(field, label, message)]}
