"""The grade calculator's input fields and how each is read (see calculators.fields)."""

from __future__ import annotations

from typing import Any

from calculators.fields import parse_bool, parse_choice, parse_number, read_fields
from calculators.labels import DIFFERENTIATION_LABELS, GRADE_FIELDS, NECROSIS_LABELS, SITE_LABELS

Json = dict[str, Any]

SITES = tuple(SITE_LABELS)
DIFFERENTIATIONS = tuple(DIFFERENTIATION_LABELS)
NECROSIS = tuple(NECROSIS_LABELS)
# Users still type the pre-2010 term; it names no WHO 2019 category (reference.md §1.5, §4).
MODERATE_HINT = ("; 'moderately differentiated' is not a WHO 2019 category: NET G1, G2 and G3 are "
                 "all well differentiated, and the grade comes from Ki-67 and mitoses")

PARSERS = {
    "site": lambda v: parse_choice(v, SITE_LABELS, required=True),
    "differentiation": lambda v: parse_choice(v, DIFFERENTIATION_LABELS, required=True,
                                              hints={"moderate": MODERATE_HINT}),
    "ki67_percent": lambda v: parse_number(v, high=100.0, percent=True),
    "mitoses_per_2mm2": lambda v: parse_number(v, high=None),
    "necrosis": lambda v: parse_choice(v, NECROSIS_LABELS, required=False),
    "small_cell_morphology": parse_bool,
    "mixed_component_percent": lambda v: parse_number(v, high=100.0, percent=True),
}


def validate_inputs(raw: dict[Any, Any]) -> tuple[Json, list[Json]]:
    """Return (normalised values, errors) for the grade calculator's fields."""
    return read_fields(raw, PARSERS, GRADE_FIELDS)
