"""What changed between two versions, computed from their data and their calculators.

Recommendations are matched by id (ids, and so anchors, stay the same across versions):
added, removed, and modified with a word-level diff of text and rationale and the changes of
strength, evidence and citations. References are matched by id, grading thresholds by their
path in grading.yaml. The pathway is compared by asking both versions' calculators, each with
its own rules, about the same patients, and listing the situations whose answers differ.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

from calculators import pathway
from calculators.labels import (GASTRIC_TYPE_LABELS, PATHWAY_FIELDS, SITE_LABELS,
                                SSTR_UPTAKE_LABELS, STAGE_LABELS, SYNDROME_LABELS,
                                TREATMENT_LABELS)
from calculators.pathway_inputs import NUMBERS
from generator import pathway_space
from generator.pathway_space import _later_checks, consistent, domains, engine_accepts
from generator.releases.engine import Engine
from generator.releases.export import recommendations_of

REC_FIELDS = ("strength", "evidence")
REFERENCE_FIELDS = ("authors", "et_al", "title", "journal", "year", "kind", "volume", "issue",
                    "pages", "doi", "pmid", "pmcid", "note")
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
        fields = {name: {"from": before[ref_id].get(name), "to": after[ref_id].get(name)}
                  for name in REFERENCE_FIELDS
                  if before[ref_id].get(name) != after[ref_id].get(name)}
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
CACHE = Path(__file__).resolve().parent.parent.parent / ".nenguide-cache" / "pathway-changes"


def _pathway(old: dict[str, Any], new: dict[str, Any], old_engine: Engine,
             new_engine: Engine) -> dict[str, Any]:
    """The pathway comparison, kept in .nenguide-cache/ under a hash of both versions'
    calculators and rules and of the comparing code: it takes seconds, and the same two
    versions compared the same way give the same result."""
    key = hashlib.sha256(f"{_comparing_code()}:{old_engine.identity()}:"
                         f"{new_engine.identity()}".encode()).hexdigest()
    cached = CACHE / f"{key}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    result = _compare_pathways(old, new, old_engine, new_engine)
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, cached)
    except OSError:
        pass  # a read-only checkout still compares, only more slowly
    return result


def _comparing_code() -> str:
    """A hash of the code that decides what a comparison holds: this module and the search
    space it walks (a change to either makes earlier cached comparisons stale)."""
    digest = hashlib.sha256()
    for module in (__file__, pathway_space.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def _compare_pathways(old: dict[str, Any], new: dict[str, Any], old_engine: Engine,
                      new_engine: Engine) -> dict[str, Any]:
    rules_a, rules_b = old["pathway"], new["pathway"]
    space = patient_space(rules_a, rules_b)
    asked_with_classes = asked_patients(rules_a, rules_b, space)
    compared = "every situation the changed rules tell apart"
    if asked_with_classes is None:  # the versions differ too much to ask about every situation
        asked_with_classes = [(p, {name: [value] for name, value in p.items()})
                              for p in core_slices(space, rules_b.get("ki67_limits", {}))]
        compared = ("every category, site, stage, SSTR status and Ki-67 band, untreated and "
                    "stable, untreated and progressing, and progressing after an SSA; the "
                    "versions' rules differ too much to compare every other combination")
    patients = [patient for patient, _ in asked_with_classes]
    asked = [_full(p, space) for p in patients]
    answers_a = old_engine.evaluate("pathway", _in_terms_of(old_engine, asked))
    answers_b = new_engine.evaluate("pathway", _in_terms_of(new_engine, asked))
    groups: dict[tuple, list[dict]] = {}
    examples: dict[tuple, tuple[dict, dict]] = {}
    for (_, classes), a, b in zip(asked_with_classes, answers_a, answers_b):
        key = (_signature(a), _signature(b))
        if key[0] != key[1]:
            groups.setdefault(key, []).append(classes)
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
    return {"patients_compared": len(patients), "compared": compared, "changed": changed}


def patient_space(rules_a: dict, rules_b: dict) -> dict[str, list[Any]]:
    """Every input with the values worth trying under either version's rules."""
    a = domains(rules_a["rules"], rules_a.get("ki67_limits"))
    b = domains(rules_b["rules"], rules_b.get("ki67_limits"))
    space = {}
    for name in PATHWAY_FIELDS:
        values = a.get(name, []) + [v for v in b.get(name, []) if v not in a.get(name, [])]
        if name in NUMBERS or name == "prior_lines":
            values = sorted(values, key=lambda v: -1 if v is None else v)
        space[name] = values
    return space


def patients_to_ask(rules_a: dict, rules_b: dict, space: dict[str, list]) -> list[dict[str, Any]]:
    """The patients to ask about (see asked_patients), without the values each stands for."""
    asked = asked_patients(rules_a, rules_b, space)
    return None if asked is None else [patient for patient, _ in asked]


def asked_patients(rules_a: dict, rules_b: dict, space: dict[str, list]
                   ) -> list[tuple[dict[str, Any], dict[str, list]]] | None:
    """The patients to ask about: every value of the inputs the engine itself reads, and of
    any other input only where a rule that differs between the versions looks at it (the
    other inputs keep their first value: none, no, 0). Values that the differing rules (and
    the inputs of former versions derived from them) treat alike are asked about once, and
    the patient records every value it stands for, so that a situation is described by all
    of them. A patient is a partial assignment: a missing input means "whatever its value".
    None when there are more than MAX_PATIENTS."""
    same = {_key(r) for r in rules_a["rules"]} & {_key(r) for r in rules_b["rules"]}
    differing = [r for r in rules_a["rules"] + rules_b["rules"] if _key(r) not in same]
    scopes = rules_a.get("out_of_scope", []) + rules_b.get("out_of_scope", [])
    limits = rules_b.get("ki67_limits", {})
    names = list(PATHWAY_FIELDS)
    found: list[tuple[dict[str, Any], dict[str, list]]] = []
    stands_for: dict[str, list] = {}

    def walk(index: int, patient: dict[str, Any], candidates: list[dict]) -> None:
        if len(found) > MAX_PATIENTS:
            raise _TooMany
        if index == len(names):
            found.append((dict(patient), dict(stands_for)))
            return
        name = names[index]
        if name == "site" and any(set(s["when"]) == {"category"} and
                                  pathway.matches(s["when"], patient) for s in scopes):
            found.append((dict(patient), dict(stands_for)))  # out of scope whatever the rest
            return
        if name not in ALWAYS and not any(name in rule["when"] for rule in candidates):
            walk(index + 1, patient, candidates)
            return
        classes: dict[tuple, tuple[list, list[dict]]] = {}
        for value in space[name]:
            patient[name] = value
            kept = [r for r in candidates if _accepts(r["when"], name, value)]
            key = (repr(value) if name in ALWAYS else tuple(id(r) for r in kept),
                   _later_checks(name, value),
                   tuple(derive(patient) for derive in FORMER_INPUTS.values()))
            if engine_accepts(patient, limits):
                classes.setdefault(key, ([], kept))[0].append(value)
            del patient[name]
        for values, kept in classes.values():
            patient[name], stands_for[name] = values[0], values
            walk(index + 1, patient, kept)
            del patient[name], stands_for[name]

    try:
        walk(0, {}, differing)
    except _TooMany:
        return None
    return found


MAX_PATIENTS = 20_000
# Situations of core_slices: (progressing, treatments given)
SLICES = ((False, []), (True, []), (True, ["ssa"]))


class _TooMany(Exception):
    pass


def core_slices(space: dict[str, list], limits: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the inputs the engine itself reads, in a few typical courses."""
    patients = []
    for values in itertools.product(*(space[name] for name in ALWAYS)):
        core = dict(zip(ALWAYS, values))
        if not consistent(core["category"], core["site"]) or not engine_accepts(core, limits):
            continue
        for progressing, treatments in SLICES:
            patients.append({**core, "progressing": progressing,
                             "treatments_given": treatments})
    return patients


# Inputs that later versions replaced, and how to put today's patient in their terms.
SYSTEMIC = ("ssa", "everolimus", "sunitinib", "prrt", "captem", "streptozocin",
            "platinum_etoposide", "folfiri", "folfox", "interferon", "checkpoint_inhibitor")
FORMER_INPUTS = {
    # until 2025.1: a count of systemic lines, and one flag for age and fitness
    "prior_lines": lambda p: sum(t in SYSTEMIC for t in p.get("treatments_given") or ()),
    "elderly_or_poor_ps": lambda p: p.get("ecog") is not None and p["ecog"] >= 2,
}


def _in_terms_of(engine: Engine, patients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The patients as this engine's inputs: the fields it knows, former fields derived."""
    known = engine_fields(engine)
    return [{**{name: value for name, value in patient.items() if name in known},
             **{name: derive(patient) for name, derive in FORMER_INPUTS.items()
                if name in known}} for patient in patients]


def engine_fields(engine: Engine) -> set[str]:
    """The input fields a version's pathway calculator knows, asked of the calculator itself:
    its answer to an unknown field lists the known ones (every version so far does)."""
    answer = engine.evaluate("pathway", [{"?": None}])[0]
    for error in answer.get("errors", []):
        if error["field"] == "?" and "known fields: " in error["message"]:
            return set(error["message"].split("known fields: ", 1)[1].split(", "))
    return set(PATHWAY_FIELDS)


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


def _boxes(members: list[dict[str, list]], space: dict[str, list]) -> list[dict[str, list]]:
    """Patients (each input with the values it stands for) merged into as few situations as
    possible. A situation gives some inputs a set of values; an input it does not name may
    take any value. Two situations that agree on every other input merge into one with the
    union of their values for the remaining one."""
    boxes = {_frozen({name: {_hashable(value) for value in values}
                      for name, values in classes.items()}) for classes in members}
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
                    if union != frozenset(_hashable(v) for v in space[name]):
                        merged[name] = union
                boxes.add(_frozen(merged))
        if boxes == before:
            break
    return sorted(({name: [v for v in space[name] if _hashable(v) in dict(box)[name]]
                    for name in space if name in dict(box)} for box in boxes), key=repr)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _frozen(box: dict[str, Any]) -> tuple:
    return tuple(sorted((name, frozenset(values)) for name, values in box.items()))


# --- words --------------------------------------------------------------------------------------
FLAG_WORDS = {"progressing": ("progressing", "not progressing"),
              "elderly_or_poor_ps": ("elderly or poor performance status",
                                     "fit (not elderly, good performance status)"),
              "bone_mets": ("bone metastases", "no bone metastases"),
              "liver_dominant": ("liver-dominant", "not liver-dominant")}
SSTR_WORDS = {True: "SSTR-positive", False: "SSTR-negative", None: "SSTR status unknown"}
UPTAKE_WORDS = {None: "SSTR uptake not given", **{k: f"SSTR uptake {v.lower()}"
                                                   for k, v in SSTR_UPTAKE_LABELS.items()}}
GASTRIC_WORDS = {None: "gastric type not given", **{k: f"gastric type {k}"
                                                     for k in GASTRIC_TYPE_LABELS}}
# A number input as "<label> <ranges><unit>", e.g. "Ki-67 10–20 %", "ECOG 2–4".
NUMBER_WORDS = {"ki67_percent": ("Ki-67", " %"), "tumour_size_mm": ("size", " mm"),
                "ecog": ("ECOG", ""), "age": ("age", " years"),
                "prrt_pfs_months": ("months without progression after PRRT", "")}


def describe(box: dict[str, list], space: dict[str, list]) -> str:
    """A situation in a clinician's words:
    "NET G2 · pancreas · unresectable or metastatic · SSTR-positive · Ki-67 10–20 %"."""
    parts = []
    categories = box.get("category", space["category"])
    for name, values in box.items():
        if name == "site" and set(values) == {site for site in space["site"]
                                              if any(consistent(c, site) for c in categories)}:
            continue  # every site these categories can have
        if name in NUMBER_WORDS:
            label, unit = NUMBER_WORDS[name]
            parts.append(f"{label} {_number_range(values, space[name], unit)}")
        elif name == "prior_lines":
            parts.append(_lines(values, space[name]))
        elif name in FLAG_WORDS:
            parts.append(" or ".join(FLAG_WORDS[name][0 if v else 1] for v in values))
        elif name == "sstr_positive":
            parts.append(" or ".join(SSTR_WORDS[v] for v in values))
        elif name == "treatments_given":
            parts.append(" or ".join("after " + ", ".join(TREATMENT_LABELS[t] for t in v)
                                     if v else "no treatment yet" for v in values))
        elif name == "functional_syndrome":
            parts.append(" or ".join(SYNDROME_LABELS[v].lower() if v else
                                     "no functional syndrome" for v in values))
        else:
            words = {"site": SITE_LABELS, "stage": STAGE_LABELS,
                     "sstr_uptake": UPTAKE_WORDS, "gastric_type": GASTRIC_WORDS}.get(name, {})
            shown = [words.get(v, v) for v in values]
            parts.append(", ".join(word if name == "category" else word.lower()
                                   for word in shown))
    return " · ".join(parts) if parts else "every patient"


def _lines(values: list, domain: list) -> str:
    if values == [0]:
        return "no prior systemic line"
    text = _number_range(values, domain, "")
    return f"{text} prior systemic {'line' if text == '1' else 'lines'}"


def _number_range(values: list, domain: list, unit: str) -> str:
    """Sample values shown as the ranges they cover: "10–55 %", "not given, 0–2.999 %"."""
    text = ["not given"] if None in values else []
    known = [v for v in domain if v is not None]
    positions = sorted(known.index(v) for v in values if v is not None)
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
