"""Reading calculator inputs from JSON or a web form: shared by every calculator.

Each parser returns (value, message): the normalised value (None when missing or invalid) and
an error message ("" when fine), so a calculator can report every problem at once. Numbers may
be JSON numbers or text as a person types it ("2.5", "2,5", "2.5 %" in a percent field): see
calculators.typed_numbers for what is accepted and what is refused as ambiguous. An empty (or
blank) string counts as null for every field, since forms send "" when empty. A coded value may
be given by its code or by the words the form shows for it ("small_intestine" or "Small
intestine").
"""

from __future__ import annotations

import difflib
import math
from typing import Any, Callable

from calculators.typed_numbers import read_typed_number

Json = dict[str, Any]
Parser = Callable[[object], tuple[Any, str]]


def read_fields(raw: dict[Any, Any], parsers: dict[str, Parser],
                labels: dict[str, str]) -> tuple[Json, list[Json]]:
    """Return (normalised values, errors); an invalid or missing field is normalised to None.
    Keys that no parser knows are errors too, with a "did you mean" hint."""
    values: Json = {}
    errors: list[Json] = []
    for name, parse in parsers.items():
        values[name], message = parse(raw.get(name))
        if message:
            kind = "missing" if is_blank(raw.get(name)) else "invalid"
            errors.append(error(name, labels[name], message, kind))
    for key in raw:
        if key not in parsers:
            name = key if isinstance(key, str) else show(key)
            hint = did_you_mean(name, list(parsers))
            message = f"unknown field{hint}; known fields: {', '.join(parsers)}"
            errors.append(error(name, name, message, "invalid"))
    return values, errors


def error(field: str, label: str, message: str, kind: str = "invalid") -> Json:
    """One input problem. `kind` is "missing" when something needed was not given (the page
    asks for it) and "invalid" when a given value cannot be used (the page asks to correct it).
    """
    return {"field": field, "label": label, "message": message, "kind": kind}


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_choice(value: object, labels: dict[str, str], *, required: bool,
                 hints: dict[str, str] | None = None) -> tuple[Any, str]:
    """One of the codes in `labels`, given by its code or its label, matched without regard to
    case or surrounding spaces, and returned as the code; `hints` maps a lower-case prefix to
    an explanation."""
    listing = f"choose one of: {', '.join(labels.values())}"
    if is_blank(value):
        return None, (f"is required; {listing}" if required else "")
    if not isinstance(value, str):
        return None, f"expected text, got {type_name(value)}; {listing}"
    text = value.strip().lower()  # tolerate "Pancreas " or "net g2" from hand-written JSON
    known = {code.lower(): code for code in labels} | {
        label.lower(): code for code, label in labels.items()}
    if text in known:
        return known[text], ""
    hint = next((h for prefix, h in (hints or {}).items() if text.startswith(prefix)), "")
    if not hint:  # suggest by code or by label, and name the suggestion as the form does
        near = did_you_mean(text, list(known), quote=False)
        hint = f" (did you mean '{labels[known[near]]}'?)" if near else ""
    return None, f"unknown value {show(value)}{hint}; {listing}"


def parse_number(value: object, *, high: float | None,
                 percent: bool = False) -> tuple[float | None, str]:
    """A number from 0 to `high` (or 0 or more); text is read by calculators.typed_numbers,
    where `percent` allows a trailing % sign."""
    allowed = f"a number from 0 to {fmt_number(high)}" if high is not None else "a number of 0 or more"
    if is_blank(value):
        return None, ""
    if isinstance(value, bool):  # bool is an int subclass: True must not read as 1
        return None, f"expected {allowed}, got a boolean ({str(value).lower()})"
    if isinstance(value, str):
        number, why_not = read_typed_number(value, percent=percent)
        if number is None:
            return None, f"expected {allowed}, got the text {show(value)}{why_not}"
        if not math.isfinite(number):  # hundreds of digits overflow to infinity
            return None, f"expected {allowed}, got a number too large to use"
    elif isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return None, f"expected {allowed}, got a number too large to use"
    else:
        return None, f"expected {allowed}, got {type_name(value)}"
    if not math.isfinite(number):
        return None, f"expected {allowed}, got {show(value)} (NaN and infinity are not numbers)"
    if number < 0 or (high is not None and number > high):
        return None, f"expected {allowed}, got {fmt_number(number)} (out of range)"
    return number + 0.0, ""  # + 0.0 turns -0.0 into 0.0


def number_text(value: float | None, raw: object, unit: str = "") -> str:
    """A number as the result restates it: "2.5 %", with what was typed when a decimal comma
    was read ("2.5 % (typed “2,5”)"), or "not given"."""
    if value is None:
        return "not given"
    text = fmt_number(value) + unit
    if isinstance(raw, str) and "," in raw:
        text += f" (typed “{raw.strip()}”)"
    return text


def stated(field: str, label: str, text: str) -> Json:
    """One restated input: the form's label (without the unit the value carries) and the
    value: "Ki-67 index (%)" and "2.5 %" become "Ki-67 index: 2.5 %"."""
    for unit in (" (%)", " (mm)", " (years)"):
        label = label.removesuffix(unit)
    return {"field": field, "label": label, "value": text}


def parse_bool(value: object) -> tuple[bool | None, str]:
    if is_blank(value):
        return None, ""
    if isinstance(value, bool):
        return value, ""
    return None, f"expected true, false or null, got {show(value)}"


def fmt_number(number: float | None) -> str:
    """Numbers as people write them: 3 not 3.0, 20.01 not 20.010000000000002."""
    return "" if number is None else f"{number:.10g}"


def show(value: object) -> str:
    """A short repr for messages; evaluate() catches the rare repr that fails."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def did_you_mean(text: str, choices: list[str], *, quote: bool = True) -> str:
    """A " (did you mean 'x'?)" hint, or just the closest choice with quote=False ("" if none)."""
    # A prefix catches shortened keys ("ki67", "mitoses") that difflib's ratio scores too low.
    prefix = [c for c in choices if len(text) >= 3 and c.startswith(text)]
    match = prefix or difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    if not quote:
        return match[0] if match else ""
    return f" (did you mean '{match[0]}'?)" if match else ""


def parse_count(value: object) -> tuple[int | None, str]:
    """A whole number >= 0 (a form may send "2"); 2.0 is accepted as 2, 2.5 is not."""
    number, message = parse_number(value, high=None)
    if message or number is None:
        return None, message.replace("a number of 0 or more", "a whole number of 0 or more")
    if number != int(number):
        return None, f"expected a whole number of 0 or more, got {fmt_number(number)}"
    return int(number), ""
