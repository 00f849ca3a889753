"""`nenguide diff` for the terminal: the comparison of releases/diff.py as plain text, with
deleted words as [-old-] and added words as {+new+}."""

from __future__ import annotations

from typing import Any


def render(result: dict[str, Any]) -> str:
    old, new = result["from"]["version"], result["to"]["version"]
    lines = [f"What changed from {old} ({result['from']['status']}) to {new} "
             f"({result['to']['status']})", ""]
    recs = result["recommendations"]
    lines.append(f"Recommendations: {len(recs['added'])} added, {len(recs['removed'])} removed, "
                 f"{len(recs['modified'])} modified")
    for rec in recs["added"]:
        lines.append(f"  + {rec['number']} {rec['id']} ({rec['strength']}): {rec['text']}")
    for rec in recs["removed"]:
        lines.append(f"  - {rec['number']} {rec['id']} ({rec['strength']}): {rec['text']}")
    for rec in recs["modified"]:
        lines.append(f"  ~ {rec['to']['number']} {rec['id']} (was {rec['from']['number']})")
        for name, change in rec["changes"].items():
            lines.append(f"      {name}: {_change(name, change)}")
    refs = result["references"]
    lines += ["", f"References: {len(refs['added'])} added, {len(refs['removed'])} removed, "
                  f"{len(refs['modified'])} modified"]
    lines += [f"  + {ref['id']}: {ref['title']} ({ref['year']})" for ref in refs["added"]]
    lines += [f"  - {ref['id']}: {ref['title']} ({ref['year']})" for ref in refs["removed"]]
    for ref in refs["modified"]:
        fields = "; ".join(f"{name} {c['from']} -> {c['to']}" for name, c in ref["fields"].items())
        lines.append(f"  ~ {ref['id']}: {fields}")
    lines += ["", f"Grading: {len(result['grading'])} changed"]
    lines += [f"  ~ {item['path']}: {item['from']} -> {item['to']}" for item in result["grading"]]
    pathway = result["pathway"]
    count = len(pathway["changed"])
    lines += ["", f"Pathway: {count} {'situation' if count == 1 else 'situations'} answered "
                  f"differently, of {pathway['patients_compared']} patients compared "
                  f"({pathway.get('compared', 'every situation the changed rules tell apart')})"]
    for item in pathway["changed"]:
        lines.append(f"  * {item['situation']}")
        for kind, verb in (("offers", "offers"), ("advises_against", "advises against")):
            for change, word in (("added", "now"), ("removed", "no longer")):
                for option in item[kind][change]:
                    lines.append(f"      {word} {verb} {option['number']} {option['id']}")
        lines.append(f"      {old}: {_answer(item['from'])}")
        lines.append(f"      {new}: {_answer(item['to'])}")
    return "\n".join(lines) + "\n"


def _change(name: str, change: Any) -> str:
    if name in ("text", "rationale"):
        marks = {"-": ("[-", "-]"), "+": ("{+", "+}"), "=": ("", "")}
        return "".join(f"{marks[op][0]}{text}{marks[op][1]}" for op, text in change).strip()
    if name == "citations":
        return f"added {change['added'] or 'none'}, removed {change['removed'] or 'none'}"
    return f"{change['from']} -> {change['to']}"


def _answer(answer: dict[str, Any]) -> str:
    if answer["kind"] == "error":
        return "input error: " + "; ".join(answer["errors"])
    if answer["kind"] == "out_of_scope":
        return "not covered: " + answer["why"]
    shown = ", ".join(f"{o['number']} {o['id']}" for o in answer["options"]) or "no options"
    if answer["not_recommended"]:
        shown += "; advises against " + ", ".join(o["id"] for o in answer["not_recommended"])
    return shown
