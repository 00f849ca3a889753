"""Load YAML content files, keeping the line of every field.

PyYAML's ordinary loaders throw the line numbers away and let a duplicate key silently
overwrite the first one. Authors need both: errors must point at a line, and a duplicate key
is almost always a copy-paste mistake. So this module walks PyYAML's node tree itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import unicodedata

import yaml

from generator.problems import Problem, format_path
from generator.text_safety import character_problem, is_unsafe_character

# A path into the data: ("recommendations", 3, "citations", 0).
FieldPath = tuple[str | int, ...]


@dataclass
class LoadedFile:
    """One YAML file: its data, the line of every field and the source text of every scalar."""

    path: Path
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)
    raw: dict[FieldPath, str] = field(default_factory=dict)
    shape_ok: bool = False  # set once the file has passed its schema check

    def line_of(self, path: FieldPath) -> int:
        """The line of `path`, or of its nearest parent that has one (1 for the whole file)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


# Limits that keep any file, however hostile, to a bounded time and memory. Real content is
# far below them: the largest file is about 60 kB, nested 8 deep, without aliases.
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 40
MAX_VALUES = 200_000  # values built, aliases expanded: a few hundred bytes can ask for billions


MAPPING_TAG, SEQUENCE_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _TooBig(Exception):
    """The file asks for more than the limits above, or for what plain YAML does not have; the
    message says which."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def load_file(path: Path, display_name: str) -> tuple[LoadedFile | None, list[Problem]]:
    """Parse one file. Returns the data (None when it cannot be parsed) and the problems found.
    Never raises for what a file holds: every failure is a problem with its line."""
    def failed(line: int, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(display_name, line, "", message)]

    if path.is_symlink():  # its target could be any file on the machine: never read it
        return failed(1, "is a symbolic link; write the file itself")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return failed(1, f"is {size / 1e6:.1f} MB; a content file may be at most "
                             f"{MAX_FILE_BYTES / 1e6:.0f} MB (split it, or check that it is the "
                             "file you meant)")
        data = path.read_bytes()
    except OSError as exc:
        return failed(1, f"cannot read the file: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return failed(line, f"is not UTF-8: byte 0x{data[exc.start]:02X} at column {column}; "
                            "save the file as UTF-8")
    problems: list[Problem] = []
    loader = None
    try:
        loader = yaml.SafeLoader(text)  # reads ahead: a bad character can fail right here
        root = loader.get_single_node()
        loaded = LoadedFile(path=path, data={})
        if root is not None:
            loaded.data = _build(root, (), loader, loaded, problems, display_name, Budget())
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        return failed(line, f"contains a character YAML does not allow, U+{exc.character:04X}"
                            f"{_name(exc.character)}; delete it (it often comes with text "
                            "pasted from Word or PDF)")
    except yaml.MarkedYAMLError as exc:  # syntax, or a tag safe YAML cannot construct
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        return failed(mark.line + 1 if mark else 1, f"YAML syntax error: {message}")
    except yaml.YAMLError as exc:
        return failed(1, f"YAML error: {type(exc).__name__}")
    except _TooBig as exc:
        return failed(exc.line, str(exc))
    except RecursionError:
        return failed(1, f"is nested too deeply to read; content is at most {MAX_DEPTH} levels "
                         "deep")
    finally:
        if loader is not None:
            loader.dispose()
    return loaded, problems


@dataclass
class Budget:
    """How many values one file may still build."""

    left: int = MAX_VALUES


def _name(code: int) -> str:
    try:
        return f" ({unicodedata.name(chr(code))})"
    except ValueError:
        return ""


def _build(node: yaml.Node, path: FieldPath, loader: yaml.SafeLoader, loaded: LoadedFile,
           problems: list[Problem], display_name: str, budget: Budget,
           parents: tuple[int, ...] = ()) -> Any:
    line = node.start_mark.line + 1
    loaded.lines[path] = line
    budget.left -= 1
    if budget.left < 0:
        raise _TooBig(line, f"holds more than {MAX_VALUES:,} values once its aliases are "
                            "expanded; write the values out instead of repeating aliases")
    if len(path) > MAX_DEPTH:
        raise _TooBig(line, f"is nested more than {MAX_DEPTH} levels deep at "
                            f"{format_path(path[:3])}…; content is never that deep")
    if id(node) in parents:  # an alias to one of its own parents (&a [*a]) never ends
        problems.append(Problem(display_name, line, format_path(path),
                                "this alias refers to itself; write the value out"))
        return None
    parents += (id(node),)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and \
            node.tag not in (MAPPING_TAG, SEQUENCE_TAG):
        raise _TooBig(line, f"the tag '{node.tag}' is not allowed; content is plain YAML "
                            "(mappings, lists, text, numbers, true and false)")
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = _safe(loader.construct_object(key_node, deep=True), path, key_node, problems,
                        display_name)
            if not isinstance(key, str):
                # `no:` or `2025.1:` as a key: YAML turns them into other types.
                problems.append(Problem(display_name, key_node.start_mark.line + 1,
                                        format_path(path),
                                        f"key {key_node.value!r} is read as a {type(key).__name__}; "
                                        f"quote it: \"{key_node.value}\""))
                key = str(key_node.value)
            key_line = key_node.start_mark.line + 1
            if key in result:
                problems.append(Problem(display_name, key_line, format_path(path + (key,)),
                                        f"duplicate key '{key}' (first defined on line "
                                        f"{first_line[key]}); remove one of them"))
                continue
            first_line[key] = key_line
            result[key] = _build(value_node, path + (key,), loader, loaded, problems,
                                 display_name, budget, parents)
            loaded.lines[path + (key,)] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (index,), loader, loaded, problems, display_name, budget,
                       parents) for index, item in enumerate(node.value)]
    loaded.raw[path] = node.value
    return _safe(loader.construct_object(node, deep=True), path, node, problems, display_name)


def _safe(value: Any, path: FieldPath, node: yaml.Node, problems: list[Problem],
          display_name: str) -> Any:
    """A string written with escapes ("\\x1b", "\\ud800", "\\u202e") can hold characters
    that YAML itself lets through: report them here, for keys and values alike, and replace
    them, so that no later message prints a terminal escape or a lone surrogate."""
    if not isinstance(value, str):
        return value
    bad = [index for index, char in enumerate(value) if is_unsafe_character(char)]
    if not bad:
        return value
    problems.append(Problem(display_name, node.start_mark.line + 1, format_path(path),
                            character_problem(value, bad[0])))
    replaced = set(bad)
    return "".join("\ufffd" if index in replaced else char for index, char in enumerate(value))
