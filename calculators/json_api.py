"""The JSON boundary of the calculators: the browser worker and the CLI both call `run`.

Both sides exchange JSON text, so CPython and Pyodide can be compared byte for byte. The rules
are the guideline version's data (grading thresholds, pathway rules), passed in as JSON too.
"""

from __future__ import annotations

import json

from calculators import grade, pathway

CALCULATORS = {"grade": grade.evaluate, "pathway": pathway.evaluate}


def run(calculator: str, inputs_json: str, rules_json: str) -> str:
    """Evaluate one calculator on JSON input; always returns JSON text, never raises."""
    evaluate = CALCULATORS.get(calculator)
    if evaluate is None:
        result = _error("calculator", f"unknown calculator '{calculator}' "
                                      f"(known: {', '.join(sorted(CALCULATORS))})")
    else:
        try:
            inputs = json.loads(inputs_json)
        except ValueError as exc:
            result = _error("inputs", f"input is not valid JSON: {exc}")
        except RecursionError:
            result = _error("inputs", "input is nested too deeply to read")
        else:
            try:
                rules = json.loads(rules_json)
            except ValueError as exc:
                result = _error("rules", f"the rules are not valid JSON: {exc}")
            else:
                result = evaluate(inputs, rules)
    return dumps(result)


def dumps(result: dict) -> str:
    """The one JSON spelling of a result: sorted keys, no NaN, valid UTF-8 text.

    An unknown key is echoed back in its error; JSON can spell a lone surrogate ("\\ud800"),
    which no UTF-8 output can carry, so such characters become "?".
    """
    text = json.dumps(result, sort_keys=True, allow_nan=False, ensure_ascii=False)
    return text.encode("utf-8", "replace").decode("utf-8")


def _error(field: str, message: str) -> dict:
    return {"ok": False, "errors": [{"field": field, "message": message}]}
