"""Content problems, reported compiler style: `file:line: field.path: message`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


MAX_SHOWN = 200


class ContentError(Exception):
    """Raised when content has problems; carries all of them so they print in one run."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} content problems")

    def report(self, most: int = MAX_SHOWN) -> str:
        """Every problem, up to `most` of them (a broken file can give thousands that say the
        same thing); the count is always the whole."""
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        lines = [str(problem) for problem in self.problems[:most]]
        if count > most:
            lines.append(f"... and {count - most} more, not shown")
        lines.append(f"{count} {noun}; nothing was built.")
        return "\n".join(lines)


def format_path(path: tuple[str | int, ...]) -> str:
    """("recommendations", 3, "citations", 0) -> "recommendations[3].citations[0]"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
