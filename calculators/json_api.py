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


def run(calculator: str, inputs_json: str, rules_json: str) -> str:
    """Evaluate one calculator on JSON input; always returns JSON text, never raises."""
    evaluate = CALCULATORS.get(calculator)
    if evaluate is None:
        result = _error("calculator", "Calculator", f"unknown calculator '{calculator}' "
                                                    f"(known: {', '.join(sorted(CALCULATORS))})")
    else:
        try:
            if _nesting_depth(inputs_json) > MAX_DEPTH:
                raise RecursionError
            inputs = json.loads(inputs_json)
        except ValueError as exc:
            result = _error("inputs", "Inputs", f"input is not valid JSON: {exc}")
        except RecursionError:
            result = _error("inputs", "Inputs", f"input is nested more than {MAX_DEPTH} levels deep")
        else:
            try:
                rules = _rules(rules_json)
            except ValueError as exc:
                result = _error("rules", "Rules", f"the rules are not valid JSON: {exc}")
            else:
                result = evaluate(inputs, rules)
    return dumps(result)


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
