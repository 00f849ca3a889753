"""Reading the grade calculator's inputs: every field checked, all problems reported at once.

Numbers may be given as strings that read as a plain finite decimal ("5", "1.6", " 20 "),
because HTML form fields deliver strings; "5%", "1,6", "1e3", "nan" and "abc" are rejected.
An empty (or blank) string counts as null for every field, since forms send "" when empty.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

Json = dict[str, Any]

SITES = ("pancreas", "small_intestine", "stomach", "rectum", "appendix", "colon", "lung", "unknown")
DIFFERENTIATIONS = ("well", "poor")
NECROSIS = ("none", "punctate", "extensive")
# Users still type the pre-2010 term; it names no WHO 2019 category (reference.md §1.5, §4).
MODERATE_HINT = ("; 'moderately differentiated' is not a WHO 2019 category: NET G1, G2 and G3 are "
                 "all well differentiated, and the grade comes from Ki-67 and mitoses")


def validate_inputs(raw: dict[Any, Any]) -> tuple[Json, list[Json]]:
    """Return (normalised values, errors); an invalid or missing field is normalised to None."""
    parsers = {
        "site": lambda v: _parse_choice(v, SITES, required=True),
        "differentiation": lambda v: _parse_choice(v, DIFFERENTIATIONS, required=True),
        "ki67_percent": lambda v: _parse_number(v, high=100.0),
        "mitoses_per_2mm2": lambda v: _parse_number(v, high=None),
        "necrosis": lambda v: _parse_choice(v, NECROSIS, required=False),
        "small_cell_morphology": _parse_bool,
        "mixed_component_percent": lambda v: _parse_number(v, high=100.0),
    }
    values: Json = {}
    errors: list[Json] = []
    for name, parse in parsers.items():
        values[name], message = parse(raw.get(name))
        if message:
            errors.append({"field": name, "message": message})
    for key in raw:
        if key not in parsers:
            name = key if isinstance(key, str) else _show(key)
            hint = _did_you_mean(name, list(parsers))
            message = f"unknown field{hint}; known fields: {', '.join(parsers)}"
            errors.append({"field": name, "message": message})
    return values, errors


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_choice(value: object, allowed: tuple[str, ...], *, required: bool) -> tuple[Any, str]:
    listing = f"allowed values: {', '.join(allowed)}"
    if _is_blank(value):
        return None, (f"is required; {listing}" if required else "")
    if not isinstance(value, str):
        return None, f"expected text, got {_type_name(value)}; {listing}"
    text = value.strip().lower()  # tolerate "Pancreas " from hand-written JSON
    if text in allowed:
        return text, ""
    hint = MODERATE_HINT if text.startswith("moderate") else _did_you_mean(text, list(allowed))
    return None, f"unknown value {_show(value)}{hint}; {listing}"


# A plain decimal only: float() would also take "nan", "inf", "1e3" and "1_0", which no form sends.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _parse_number(value: object, *, high: float | None) -> tuple[float | None, str]:
    allowed = f"a number from 0 to {fmt_number(high)}" if high is not None else "a number of 0 or more"
    if _is_blank(value):
        return None, ""
    if isinstance(value, bool):  # bool is an int subclass: True must not read as 1
        return None, f"expected {allowed}, got a boolean ({str(value).lower()})"
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            tip = " (leave out the % sign)" if "%" in text else ""
            tip += " (use a decimal point, not a comma)" if "," in text else ""
            return None, f"expected {allowed}, got the text {_show(value)}{tip}"
        number = float(text)
    elif isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return None, f"expected {allowed}, got a number too large to use"
    else:
        return None, f"expected {allowed}, got {_type_name(value)}"
    if not math.isfinite(number):
        return None, f"expected {allowed}, got {_show(value)} (NaN and infinity are not numbers)"
    if number < 0 or (high is not None and number > high):
        return None, f"expected {allowed}, got {fmt_number(number)} (out of range)"
    return number + 0.0, ""  # + 0.0 turns -0.0 into 0.0


def _parse_bool(value: object) -> tuple[bool | None, str]:
    if _is_blank(value):
        return None, ""
    if isinstance(value, bool):
        return value, ""
    return None, f"expected true, false or null, got {_show(value)}"


# --- Small helpers ----------------------------------------------------------------------------
def fmt_number(number: float | None) -> str:
    """Numbers as people write them: 3 not 3.0, 20.01 not 20.010000000000002."""
    return "" if number is None else f"{number:.10g}"


def _show(value: object) -> str:
    """A short repr for messages; evaluate() catches the rare repr that fails."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def _did_you_mean(text: str, choices: list[str]) -> str:
    # A prefix catches shortened keys ("ki67", "mitoses") that difflib's ratio scores too low.
    prefix = [c for c in choices if len(text) >= 3 and c.startswith(text)]
    match = prefix or difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
