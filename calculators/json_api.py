"""The JSON boundary of the calculators: the browser worker and the CLI both call `run`.

Both sides exchange JSON text, so CPython and Pyodide can be compared byte for byte. The rules
are the guideline version's data (grading thresholds, pathway rules), passed in as JSON too.
"""

from __future__ import annotations

import functools
import json

from calculators import grade, pathway
from calculators.fields import error

CALCULATORS = {"grade": grade.evaluate, "pathway": pathway.evaluate}
# Deeply nested JSON exhausts the stack of json.loads; in Pyodide that kills the whole runtime
# instead of raising, so depth is checked before parsing. Real inputs are flat objects.
MAX_DEPTH = 64


# Real inputs are a few hundred characters; an answer a few kilobytes. Anything far larger is
# a mistake or an attack, and is answered with an error instead of being worked through.
MAX_INPUT_CHARS = 100_000
MAX_OUTPUT_CHARS = 1_000_000


def run(calculator: str, inputs_json: str, rules_json: str) -> str:
    """Evaluate one calculator on JSON input; always returns JSON text, never raises, whatever
    it is given, and never returns more than MAX_OUTPUT_CHARS."""
    try:
        text = dumps(_run(calculator, inputs_json, rules_json))
    except Exception as exc:  # a bug must not take the page or the batch down with it
        text = dumps(_error("calculator", "Calculator", f"the calculator failed "
                                                        f"({type(exc).__name__}); please report "
                                                        "the inputs to the site's editors"))
    if len(text) > MAX_OUTPUT_CHARS:
        text = dumps(_error("inputs", "Inputs", f"the answer would be {len(text):,} characters "
                                                "long; the inputs are far larger than any "
                                                "report's"))
    return text


def _run(calculator: object, inputs_json: object, rules_json: object) -> dict:
    if not isinstance(calculator, str) or calculator not in CALCULATORS:
        shown = calculator if isinstance(calculator, str) else type(calculator).__name__
        return _error("calculator", "Calculator", f"unknown calculator '{shown[:40]}' "
                                                  f"(known: {', '.join(sorted(CALCULATORS))})")
    if not isinstance(inputs_json, str) or not isinstance(rules_json, str):
        return _error("inputs", "Inputs", "the inputs and the rules must be JSON text")
    if len(inputs_json) > MAX_INPUT_CHARS:
        return _error("inputs", "Inputs", f"the input is {len(inputs_json):,} characters long; "
                                          f"at most {MAX_INPUT_CHARS:,} are read")
    try:
        if _nesting_depth(inputs_json) > MAX_DEPTH:
            return _error("inputs", "Inputs", f"input is nested more than {MAX_DEPTH} levels "
                                              "deep")
        inputs = json.loads(inputs_json)
    except (ValueError, RecursionError) as exc:
        return _error("inputs", "Inputs", f"input is not valid JSON: {exc}")
    try:
        rules = _rules(rules_json)
    except (ValueError, RecursionError) as exc:
        return _error("rules", "Rules", f"the rules are not valid JSON: {exc}")
    return CALCULATORS[calculator](inputs, rules)


@functools.lru_cache(maxsize=8)
def _rules(rules_json: str) -> object:
    """Rules parsed once per text: a batch asks many questions with the same rules. The
    calculators only read the rules, so the parsed object can be shared."""
    return json.loads(rules_json)


def dumps(result: dict) -> str:
    """The one JSON spelling of a result: sorted keys, no NaN, valid UTF-8 text.

    An unknown key is echoed back in its error; JSON can spell a lone surrogate ("\\ud800"),
    which no UTF-8 output can carry, so such characters become "?".
    """
    text = json.dumps(result, sort_keys=True, allow_nan=False, ensure_ascii=False)
    return text.encode("utf-8", "replace").decode("utf-8")


def _nesting_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (a linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _error(field: str, label: str, message: str) -> dict:
    return {"ok": False, "errors": [error(field, label, message)]}
