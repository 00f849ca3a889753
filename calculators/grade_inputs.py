"""The grade calculator's input fields and how each is read (see calculators.fields)."""

from __future__ import annotations

from typing import Any

from calculators.fields import parse_bool, parse_choice, parse_number, read_fields

Json = dict[str, Any]

SITES = ("pancreas", "small_intestine", "stomach", "rectum", "appendix", "colon", "lung", "unknown")
DIFFERENTIATIONS = ("well", "poor")
NECROSIS = ("none", "punctate", "extensive")
# Users still type the pre-2010 term; it names no WHO 2019 category (reference.md §1.5, §4).
MODERATE_HINT = ("; 'moderately differentiated' is not a WHO 2019 category: NET G1, G2 and G3 are "
                 "all well differentiated, and the grade comes from Ki-67 and mitoses")

PARSERS = {
    "site": lambda v: parse_choice(v, SITES, required=True),
    "differentiation": lambda v: parse_choice(v, DIFFERENTIATIONS, required=True,
                                              hints={"moderate": MODERATE_HINT}),
    "ki67_percent": lambda v: parse_number(v, high=100.0),
    "mitoses_per_2mm2": lambda v: parse_number(v, high=None),
    "necrosis": lambda v: parse_choice(v, NECROSIS, required=False),
    "small_cell_morphology": parse_bool,
    "mixed_component_percent": lambda v: parse_number(v, high=100.0),
}


def validate_inputs(raw: dict[Any, Any]) -> tuple[Json, list[Json]]:
    """Return (normalised values, errors) for the grade calculator's fields."""
    return read_fields(raw, PARSERS)
