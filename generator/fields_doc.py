"""Write the authors' field reference (docs/content-fields.md) from the schema declarations."""

from __future__ import annotations

from generator import schema
from generator.schema import Field

FILES = [
    ("guideline.yaml", schema.GUIDELINE),
    ("search.yaml", schema.SEARCH),
    ("<version>/release.yaml", schema.RELEASE),
    ("<version>/references.yaml", schema.REFERENCES),
    ("<version>/grading.yaml", schema.GRADING),
    ("<version>/pathway.yaml", schema.PATHWAY),
    ("<version>/<section>.yaml", schema.SECTION),
    ("<version>/questions.yaml", schema.QUESTIONS),
]


def render_field_reference() -> str:
    lines = ["# Content fields", "",
             "Generated from `generator/schema.py` by `nenguide fields`; do not edit by hand.", ""]
    for name, spec in FILES:
        lines += [f"## {name}", "", spec.doc, "", "| field | required | what it is |",
                  "| --- | --- | --- |"]
        lines += [f"| `{path}` | {'yes' if field.required else 'no'} | {_describe(field)} |"
                  for path, field in _flatten(spec, "")]
        lines.append("")
    return "\n".join(lines)


def _flatten(spec: Field, prefix: str):
    for name, field in spec.fields.items():
        path = f"{prefix}{name}"
        yield path, field
        item = field.item
        if field.kind == "object":
            yield from _flatten(field, path + ".")
        elif item is not None and item.kind == "object":
            yield from _flatten(item, path + "[].")


def _describe(field: Field) -> str:
    text = field.doc
    if field.choices:
        text += f"; one of {', '.join(f'`{c}`' for c in field.choices)}"
    if field.pattern_hint:
        text += f"; {field.pattern_hint}"
    if field.min_items:
        text += f"; at least {field.min_items}"
    return text.replace("|", "\\|")
