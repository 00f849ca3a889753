"""What changed between two versions, computed from their data and their calculators.

Recommendations are matched by id (ids, and so anchors, stay the same across versions):
added, removed, and modified with a word-level diff of text and rationale and the changes of
strength, evidence and citations. References are matched by id, grading thresholds by their
path in grading.yaml. The pathway is compared by asking both versions' calculators, each with
its own rules, about the same patients, and listing the situations whose answers differ.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from calculators import pathway
from calculators.labels import PATHWAY_FIELDS, SITE_LABELS, STAGE_LABELS, SYNDROME_LABELS
from generator.pathway_rules import consistent, domains
from generator.releases.engine import Engine
from generator.releases.export import recommendations_of

REC_FIELDS = ("strength", "evidence")
REFERENCE_FIELDS = ("authors", "et_al", "title", "journal", "year", "volume", "issue", "pages",
                    "doi", "pmid", "note")
# The engine reads these itself (scope, consistency, notes): always compared value by value.
ALWAYS = ("category", "site", "stage", "sstr_positive", "ki67_percent")


def compare(old: dict[str, Any], new: dict[str, Any], old_engine: Engine,
            new_engine: Engine) -> dict[str, Any]:
    """Everything that changed from `old` to `new` (two exports), as plain data."""
    return {
        "from": _release(old), "to": _release(new),
        "recommendations": _recommendations(old, new),
        "references": _references(old["references"], new["references"]),
        "grading": _grading(old["grading"], new["grading"]),
        "pathway": _pathway(old, new, old_engine, new_engine),
    }


def _release(export: dict[str, Any]) -> dict[str, Any]:
    release = export["release"]
    return {key: release[key] for key in ("version", "status", "date", "published")}


# --- recommendations and references -------------------------------------------------------------
def _recommendations(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    before, after = recommendations_of(old), recommendations_of(new)
    modified = []
    for rec_id in (i for i in after if i in before):
        a, b = before[rec_id], after[rec_id]
        changes: dict[str, Any] = {}
        for name in ("text", "rationale"):
            if (a[name] or "") != (b[name] or ""):
                changes[name] = word_diff(a[name] or "", b[name] or "")
        for name in REC_FIELDS:
            if a[name] != b[name]:
                changes[name] = {"from": a[name], "to": b[name]}
        added = [c for c in b["citations"] if c not in a["citations"]]
        removed = [c for c in a["citations"] if c not in b["citations"]]
        if added or removed:
            changes["citations"] = {"added": added, "removed": removed}
        if changes:
            modified.append({"id": rec_id, "from": _place(a), "to": _place(b),
                             "changes": changes})
    return {"added": [_brief(after[i]) for i in after if i not in before],
            "removed": [_brief(before[i]) for i in before if i not in after],
            "modified": modified}


def _place(rec: dict[str, Any]) -> dict[str, Any]:
    return {"number": rec["number"], "section": rec["section"], "anchor": rec["anchor"]}


def _brief(rec: dict[str, Any]) -> dict[str, Any]:
    return {"id": rec["id"], **_place(rec), "heading": rec["heading"], "text": rec["text"],
            "strength": rec["strength"]}


def word_diff(old: str, new: str) -> list[list[str]]:
    """[[op, text], ...] with op "=", "-" or "+", word by word (spaces kept)."""
    # Citation marks as [ID], words (with their inner hyphens, points and % signs),
    # punctuation and spaces.
    token = r"\s+|\[[^\]\s]+\]|[\w%](?:[\w%\-–/]|\.(?=\w))*|[^\w\s]"
    cite = re.compile(r"\[@([^\]\s]+)\]")
    a, b = (re.findall(token, cite.sub(r"[\1]", text)) for text in (old, new))
    parts: list[list[str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(["=", "".join(a[i1:i2])])
        else:
            if i2 > i1:
                parts.append(["-", "".join(a[i1:i2])])
            if j2 > j1:
                parts.append(["+", "".join(b[j1:j2])])
    return parts


def _references(old: list[dict], new: list[dict]) -> dict[str, list]:
    before, after = {r["id"]: r for r in old}, {r["id"]: r for r in new}
    modified = []
    for ref_id in (i for i in after if i in before):
        fields = {name: {"from": before[ref_id][name], "to": after[ref_id][name]}
                  for name in REFERENCE_FIELDS if before[ref_id][name] != after[ref_id][name]}
        if fields:
            modified.append({"id": ref_id, "fields": fields})
    brief = ("id", "title", "journal", "year", "doi", "pmid")
    return {"added": [{k: after[i][k] for k in brief} for i in after if i not in before],
            "removed": [{k: before[i][k] for k in brief} for i in before if i not in after],
            "modified": modified}


def _grading(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    a, b = dict(_leaves(old, "")), dict(_leaves(new, ""))
    return [{"path": path, "from": a.get(path), "to": b.get(path)}
            for path in sorted(set(a) | set(b)) if a.get(path) != b.get(path)]


def _leaves(value: Any, path: str):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, f"{path}.{key}" if path else str(key))
    else:
        yield path, value


# --- the pathway ------------------------------------------------------------------------------
def _pathway(old: dict[str, Any], new: dict[str, Any], old_engine: Engine,
             new_engine: Engine) -> dict[str, Any]:
    rules_a, rules_b = old["pathway"], new["pathway"]
    space = patient_space(rules_a, rules_b)
    patients = patients_to_ask(rules_a, rules_b, space)
    answers_a = old_engine.evaluate("pathway", [_full(p, space) for p in patients])
    answers_b = new_engine.evaluate("pathway", [_full(p, space) for p in patients])
    groups: dict[tuple, list[dict]] = {}
    examples: dict[tuple, tuple[dict, dict]] = {}
    for patient, a, b in zip(patients, answers_a, answers_b):
        key = (_signature(a), _signature(b))
        if key[0] != key[1]:
            groups.setdefault(key, []).append(patient)
            examples.setdefault(key, (a, b))
    changed = []
    for key, members in groups.items():
        a, b = examples[key]
        before, after = _answer(a), _answer(b)
        for box in _boxes(members, space):
            changed.append({"when": {name: values for name, values in box.items()},
                            "situation": describe(box, space), "from": before, "to": after,
                            "offers": _moved(before, after, "options"),
                            "advises_against": _moved(before, after, "not_recommended")})
    changed.sort(key=lambda item: item["situation"])
    return {"patients_compared": len(patients), "changed": changed}


def patient_space(rules_a: dict, rules_b: dict) -> dict[str, list[Any]]:
    """Every input with the values worth trying under either version's rules."""
    a = domains(rules_a["rules"], rules_a.get("ki67_limits"))
    b = domains(rules_b["rules"], rules_b.get("ki67_limits"))
    space = {}
    for name in PATHWAY_FIELDS:
        values = a.get(name, []) + [v for v in b.get(name, []) if v not in a.get(name, [])]
        if name in ("ki67_percent", "prior_lines"):
            values = sorted(values, key=lambda v: -1 if v is None else v)
        space[name] = values
    return space


def patients_to_ask(rules_a: dict, rules_b: dict, space: dict[str, list]) -> list[dict[str, Any]]:
    """The patients to ask about: every value of the inputs the engine itself reads, and of
    any other input only where a rule that differs between the versions looks at it (the
    other inputs keep their first value: none, no, 0). A patient is a partial assignment:
    a missing input means "whatever its value"."""
    same = {_key(r) for r in rules_a["rules"]} & {_key(r) for r in rules_b["rules"]}
    differing = [r for r in rules_a["rules"] + rules_b["rules"] if _key(r) not in same]
    scopes = rules_a.get("out_of_scope", []) + rules_b.get("out_of_scope", [])
    names = list(PATHWAY_FIELDS)
    found: list[dict[str, Any]] = []

    def walk(index: int, patient: dict[str, Any], candidates: list[dict]) -> None:
        if index == len(names):
            found.append(dict(patient))
            return
        name = names[index]
        if name == "site" and any(set(s["when"]) == {"category"} and
                                  pathway.matches(s["when"], patient) for s in scopes):
            found.append(dict(patient))  # out of scope whatever the rest
            return
        if name not in ALWAYS and not any(name in rule["when"] for rule in candidates):
            walk(index + 1, patient, candidates)
            return
        for value in space[name]:
            if name == "site" and not consistent(patient["category"], value):
                continue
            patient[name] = value
            walk(index + 1, patient,
                 [r for r in candidates if _accepts(r["when"], name, value)])
            del patient[name]

    walk(0, {}, differing)
    return found


def _key(rule: dict[str, Any]) -> str:
    """A rule's identity: the same rule from YAML and from JSON compares equal."""
    return json.dumps(rule, sort_keys=True)


def _accepts(when: dict[str, Any], name: str, value: Any) -> bool:
    return name not in when or pathway.matches({name: when[name]}, {name: value})


def _full(patient: dict[str, Any], space: dict[str, list]) -> dict[str, Any]:
    return {name: patient.get(name, space[name][0]) for name in space}


def _signature(answer: dict[str, Any]) -> tuple:
    if not answer.get("ok"):
        return ("error", tuple(sorted(e["field"] for e in answer["errors"])))
    if answer.get("kind") == "out_of_scope":
        return ("out_of_scope",)
    return ("options", tuple(o["id"] for o in answer["options"]),
            tuple(o["id"] for o in answer["not_recommended"]))


def _answer(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer as the what-changed page shows it."""
    if not answer.get("ok"):
        return {"kind": "error", "errors": [f"{e.get('label', e['field'])}: {e['message']}"
                                            for e in answer["errors"]]}
    if answer.get("kind") == "out_of_scope":
        return {"kind": "out_of_scope", "why": answer["why"]}
    return {"kind": "options",
            "options": [_option(o) for o in answer["options"]],
            "not_recommended": [_option(o) for o in answer["not_recommended"]]}


def _moved(before: dict[str, Any], after: dict[str, Any], kind: str) -> dict[str, list]:
    """The recommendations an answer gained and lost under `kind` (options or not_recommended)."""
    old = {o["id"]: o for o in before.get(kind, [])}
    new = {o["id"]: o for o in after.get(kind, [])}
    return {"added": [o for i, o in new.items() if i not in old],
            "removed": [o for i, o in old.items() if i not in new]}


def _option(option: dict[str, Any]) -> dict[str, Any]:
    return {"id": option["id"], "number": option.get("number", ""),
            "strength": option.get("strength", "not_recommended"),
            "text": option["text"], "page": option["page"], "anchor": option["anchor"]}


def _boxes(members: list[dict[str, Any]], space: dict[str, list]) -> list[dict[str, list]]:
    """Patients merged into as few situations as possible. A situation gives some inputs a
    set of values; an input it does not name may take any value. Two situations that agree on
    every other input merge into one with the union of their values for the remaining one."""
    boxes = {_frozen({name: {value} for name, value in patient.items()}) for patient in members}
    while True:
        before = boxes
        for name in space:
            groups: dict[tuple, list] = {}
            for box in boxes:
                values = dict(box)
                rest = tuple(item for item in box if item[0] != name)
                groups.setdefault(rest, []).append(values.get(name))  # None: any value
            boxes = set()
            for rest, value_sets in groups.items():
                merged = dict(rest)
                if all(v is not None for v in value_sets):
                    union = frozenset().union(*value_sets)
                    if union != frozenset(space[name]):
                        merged[name] = union
                boxes.add(_frozen(merged))
        if boxes == before:
            break
    return sorted(({name: [v for v in space[name] if v in dict(box)[name]]
                    for name in space if name in dict(box)} for box in boxes), key=repr)


def _frozen(box: dict[str, Any]) -> tuple:
    return tuple(sorted((name, frozenset(values)) for name, values in box.items()))


# --- words --------------------------------------------------------------------------------------
FLAG_WORDS = {"progressing": ("progressing", "not progressing"),
              "elderly_or_poor_ps": ("elderly or poor performance status",
                                     "fit (not elderly, good performance status)"),
              "bone_mets": ("bone metastases", "no bone metastases"),
              "liver_dominant": ("liver-dominant", "not liver-dominant")}
SSTR_WORDS = {True: "SSTR-positive", False: "SSTR-negative", None: "SSTR status unknown"}


def describe(box: dict[str, list], space: dict[str, list]) -> str:
    """A situation in a clinician's words:
    "NET G2 · pancreas · unresectable or metastatic · SSTR-positive · Ki-67 10–20 %"."""
    parts = []
    categories = box.get("category", space["category"])
    for name, values in box.items():
        if name == "site" and set(values) == {site for site in space["site"]
                                              if any(consistent(c, site) for c in categories)}:
            continue  # every site these categories can have
        if name == "ki67_percent":
            parts.append(f"Ki-67 {_number_range(values, space[name], name)}")
        elif name == "prior_lines":
            parts.append(_lines(values, space[name]))
        elif name in FLAG_WORDS:
            parts.append(" or ".join(FLAG_WORDS[name][0 if v else 1] for v in values))
        elif name == "sstr_positive":
            parts.append(" or ".join(SSTR_WORDS[v] for v in values))
        elif name == "functional_syndrome":
            parts.append(" or ".join(SYNDROME_LABELS[v].lower() if v else
                                     "no functional syndrome" for v in values))
        else:
            words = {"site": SITE_LABELS, "stage": STAGE_LABELS}.get(name, {})
            shown = [words.get(v, v) for v in values]
            parts.append(", ".join(word if name == "category" else word.lower()
                                   for word in shown))
    return " · ".join(parts) if parts else "every patient"


def _lines(values: list, domain: list) -> str:
    if values == [0]:
        return "no prior systemic line"
    text = _number_range(values, domain, "prior_lines")
    return f"{text} prior systemic {'line' if text == '1' else 'lines'}"


def _number_range(values: list, domain: list, name: str) -> str:
    """Sample values shown as the ranges they cover: "10–55 %", "not given, 0–2.999 %"."""
    text = ["not given"] if None in values else []
    known = [v for v in domain if v is not None]
    positions = sorted(known.index(v) for v in values if v is not None)
    unit = " %" if name == "ki67_percent" else ""
    runs: list[list[int]] = []
    for position in positions:
        if runs and position == runs[-1][-1] + 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    for run in runs:
        low, high = known[run[0]], known[run[-1]]
        text.append(f"{_fmt(low)}{unit}" if low == high else f"{_fmt(low)}–{_fmt(high)}{unit}")
    return ", ".join(text)


def _fmt(number: float) -> str:
    return f"{number:.10g}"
