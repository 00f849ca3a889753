"""Running a version's calculators: a draft's are today's code, a release's are its wheel.

A published release answers with the calculators wheel it was published with. The wheel runs
in a separate Python started with -I -S (no site-packages, no project folder on the path), so
`import calculators` finds the wheel and nothing else, exactly as Pyodide finds it in the
browser. Many questions go through one process, as JSON Lines.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Iterable

import calculators
from calculators import json_api

CALCULATORS_DIR = Path(calculators.__file__).parent

# Reads {"calculator", "inputs"} lines (inputs as JSON text) and writes one answer per line.
_RUNNER = """
import json, sys
wheel, rules_files = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, wheel)
from calculators import json_api
rules = {name: open(path, encoding="utf-8").read() for name, path in rules_files.items()}
for line in sys.stdin:
    question = json.loads(line)
    answer = json_api.run(question["calculator"], question["inputs"],
                          rules.get(question["calculator"], "null"))
    sys.stdout.write(answer.replace("\\n", " ") + "\\n")
"""


class EngineError(Exception):
    """The release's calculators could not be run."""


class Engine:
    """The calculators of one version, with that version's rules, as JSON text in and out."""

    def __init__(self, rules: dict[str, str], wheel: Path | None = None,
                 rules_files: dict[str, Path] | None = None):
        self.rules = rules  # calculator -> rules as JSON text
        self.wheel = wheel  # None: today's calculators, in this process
        self.rules_files = rules_files or {}

    def identity(self) -> str:
        """What the answers depend on: the calculators' code and the rules (a sha256)."""
        digest = hashlib.sha256()
        if self.wheel is None:
            for source in sorted(CALCULATORS_DIR.glob("*.py")):
                digest.update(source.name.encode() + source.read_bytes())
        else:
            digest.update(self.wheel.read_bytes())
        for name in sorted(self.rules):
            digest.update(name.encode() + self.rules[name].encode())
        return digest.hexdigest()

    def answer(self, calculator: str, inputs: Iterable[str]) -> list[str]:
        """One answer (JSON text) per input (JSON text)."""
        questions = list(inputs)
        if self.wheel is None:
            return [json_api.run(calculator, text, self.rules.get(calculator, "null"))
                    for text in questions]
        stdin = "".join(json.dumps({"calculator": calculator, "inputs": text}) + "\n"
                        for text in questions)
        files = {name: str(path) for name, path in self.rules_files.items()}
        finished = subprocess.run([sys.executable, "-I", "-S", "-c", _RUNNER, str(self.wheel),
                                   json.dumps(files)], input=stdin, capture_output=True,
                                  text=True, encoding="utf-8")
        answers = finished.stdout.splitlines()
        if finished.returncode != 0 or len(answers) != len(questions):
            raise EngineError(f"the calculators in {self.wheel} failed: "
                              f"{finished.stderr.strip()[-2000:]}")
        return answers

    def evaluate(self, calculator: str, inputs: list[dict]) -> list[dict]:
        """The same for Python values."""
        texts = [json.dumps(item, ensure_ascii=False) for item in inputs]
        return [json.loads(answer) for answer in self.answer(calculator, texts)]
