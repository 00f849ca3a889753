"""Reading calculator inputs from JSON or a web form: shared by every calculator.

Each parser returns (value, message): the normalised value (None when missing or invalid) and
an error message ("" when fine), so a calculator can report every problem at once. Numbers may
be given as strings that read as a plain finite decimal ("5", "1.6", " 20 "), because HTML form
fields deliver strings; "5%", "1,6", "1e3", "nan" and "abc" are rejected. An empty (or blank)
string counts as null for every field, since forms send "" when empty.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any, Callable

Json = dict[str, Any]
Parser = Callable[[object], tuple[Any, str]]


def read_fields(raw: dict[Any, Any], parsers: dict[str, Parser]) -> tuple[Json, list[Json]]:
    """Return (normalised values, errors); an invalid or missing field is normalised to None.
    Keys that no parser knows are errors too, with a "did you mean" hint."""
    values: Json = {}
    errors: list[Json] = []
    for name, parse in parsers.items():
        values[name], message = parse(raw.get(name))
        if message:
            errors.append({"field": name, "message": message})
    for key in raw:
        if key not in parsers:
            name = key if isinstance(key, str) else show(key)
            hint = did_you_mean(name, list(parsers))
            message = f"unknown field{hint}; known fields: {', '.join(parsers)}"
            errors.append({"field": name, "message": message})
    return values, errors


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_choice(value: object, allowed: tuple[str, ...], *, required: bool,
                 hints: dict[str, str] | None = None) -> tuple[Any, str]:
    """One of `allowed`, matched without regard to case or surrounding spaces and returned in
    its canonical spelling; `hints` maps a lower-case prefix to an explanation."""
    listing = f"allowed values: {', '.join(allowed)}"
    if is_blank(value):
        return None, (f"is required; {listing}" if required else "")
    if not isinstance(value, str):
        return None, f"expected text, got {type_name(value)}; {listing}"
    text = value.strip().lower()  # tolerate "Pancreas " or "net g2" from hand-written JSON
    canonical = {choice.lower(): choice for choice in allowed}
    if text in canonical:
        return canonical[text], ""
    hint = next((h for prefix, h in (hints or {}).items() if text.startswith(prefix)), "")
    hint = hint or did_you_mean(value.strip(), list(allowed))
    return None, f"unknown value {show(value)}{hint}; {listing}"


# A plain decimal only: float() would also take "nan", "inf", "1e3" and "1_0", which no form sends.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def parse_number(value: object, *, high: float | None) -> tuple[float | None, str]:
    allowed = f"a number from 0 to {fmt_number(high)}" if high is not None else "a number of 0 or more"
    if is_blank(value):
        return None, ""
    if isinstance(value, bool):  # bool is an int subclass: True must not read as 1
        return None, f"expected {allowed}, got a boolean ({str(value).lower()})"
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            tip = " (leave out the % sign)" if "%" in text else ""
            tip += " (use a decimal point, not a comma)" if "," in text else ""
            return None, f"expected {allowed}, got the text {show(value)}{tip}"
        number = float(text)
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


def did_you_mean(text: str, choices: list[str]) -> str:
    # A prefix catches shortened keys ("ki67", "mitoses") that difflib's ratio scores too low.
    prefix = [c for c in choices if len(text) >= 3 and c.startswith(text)]
    match = prefix or difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def parse_count(value: object) -> tuple[int | None, str]:
    """A whole number >= 0 (a form may send "2"); 2.0 is accepted as 2, 2.5 is not."""
    number, message = parse_number(value, high=None)
    if message or number is None:
        return None, message.replace("a number of 0 or more", "a whole number of 0 or more")
    if number != int(number):
        return None, f"expected a whole number of 0 or more, got {fmt_number(number)}"
    return int(number), ""
