"""Reading a number the way a pathologist types it or copies it from a report.

The forms use text fields (a browser's number field silently turns "2,5" into 25 on an English
page), so the reading happens here, where the command line and the browser share it. Every
decision below is pinned by tests/test_typed_numbers.py and listed in the README:

    "2.5", " 2.5 ", "+2.5", ".5", "5."    a decimal point
    "2,5", ",5", "0,125"                   a decimal comma (European reports)
    "2.5 %", "2,5%"                        a percent field ignores one trailing % sign;
                                           any other field refuses it
    "1,234", "12,500"                      refused as ambiguous: a comma before exactly three
                                           digits may be a thousands separator (1234)
    "1.234"                                1.234: a point is always decimal; read as a thousands
                                           separator it would give 1234, which no field allows
                                           (Ki-67 stops at 100, and no tumour has a thousand
                                           mitoses per 2 mm²), and the result restates the value
    "2,5,1", "2.5.1", "1.234,5", "2 5"     refused: not one number
    "<1", "> 20", "≤ 2"                    refused: a limit is not a value
    "1e3", "nan", "inf", "½", "２"          refused: not a plain decimal
"""

from __future__ import annotations

import re

_DECIMAL = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]*)(?:(?P<mark>[.,])(?P<fraction>[0-9]*))?")
_SEPARATED = re.compile(r"[+-]?[0-9.,]+(?:\s+[0-9.,]+)+")
_LIMIT_SIGNS = ("<", ">", "≤", "≥", "=<", ">=", "<=", "=>")


def read_typed_number(text: str, *, percent: bool) -> tuple[float | None, str]:
    """(the number, "") or (None, why not): `why` continues a sentence that has just quoted the
    text ("got the text '2,5,1'" + why), or is "" when there is nothing more useful to say."""
    body = text.strip()  # str.strip() also removes no-break and narrow no-break spaces (fr-FR)
    if percent and body.endswith("%"):
        body = body[:-1].rstrip()
    match = _DECIMAL.fullmatch(body)
    if match and (match["whole"] or match["fraction"]):
        sign, whole, fraction = match["sign"], match["whole"], match["fraction"]
        if match["mark"] == "," and len(fraction) == 3 and whole.lstrip("0"):
            as_decimal = f"{sign}{whole}.{fraction}"
            as_thousands = f"{sign}{int(whole)}{fraction}"
            return None, (f", which is ambiguous: it could be {as_decimal} (decimal comma) or "
                          f"{as_thousands} (thousands separator); type {as_decimal} or "
                          f"{as_thousands}")
        return float(f"{sign}{whole or '0'}.{fraction or '0'}"), ""
    return None, _why_not_a_number(body, percent)


def _why_not_a_number(body: str, percent: bool) -> str:
    if body.startswith(_LIMIT_SIGNS):
        return ", a limit rather than a value: type the number itself"
    if "%" in body:
        return (" (only one % sign, at the end)" if percent else
                " (this field is not a percentage: leave out the % sign)")
    if re.fullmatch(r"[+-]?[0-9.,]+", body) and sum(body.count(mark) for mark in ".,") > 1:
        return (", which is not one number (more than one decimal separator); type a single "
                "number such as 2.5 or 2,5, without thousands separators")
    if _SEPARATED.fullmatch(body):
        return ", which has a space inside the number; type a single number such as 2.5"
    return ""
