"""Load YAML content files, keeping the line of every field.

PyYAML's ordinary loaders throw the line numbers away and let a duplicate key silently
overwrite the first one. Authors need both: errors must point at a line, and a duplicate key
is almost always a copy-paste mistake. So this module walks PyYAML's node tree itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.problems import Problem, format_path

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


def load_file(path: Path, display_name: str) -> tuple[LoadedFile | None, list[Problem]]:
    """Parse one file. Returns the data (None when it cannot be parsed) and the problems found."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(display_name, 1, "", f"cannot read the file: {exc}")]
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        return None, [Problem(display_name, line, "", f"YAML syntax error: {message}")]
    except yaml.YAMLError as exc:
        return None, [Problem(display_name, 1, "", f"YAML error: {exc}")]
    loaded = LoadedFile(path=path, data=None)
    problems: list[Problem] = []
    if root is None:
        loaded.data = {}
        return loaded, problems
    try:
        loaded.data = _build(root, (), loader, loaded, problems, display_name)
    except yaml.MarkedYAMLError as exc:  # a tag or merge key that safe YAML cannot construct
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(display_name, line, "", f"YAML error: {exc.problem or exc}"))
        return None, problems
    finally:
        loader.dispose()
    return loaded, problems


def _build(node: yaml.Node, path: FieldPath, loader: yaml.SafeLoader, loaded: LoadedFile,
           problems: list[Problem], display_name: str, parents: tuple[int, ...] = ()) -> Any:
    loaded.lines[path] = node.start_mark.line + 1
    if id(node) in parents:  # an alias to one of its own parents (&a [*a]) never ends
        problems.append(Problem(display_name, node.start_mark.line + 1, format_path(path),
                                "this alias refers to itself; write the value out"))
        return None
    parents += (id(node),)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
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
                                 display_name, parents)
            loaded.lines[path + (key,)] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (index,), loader, loaded, problems, display_name, parents)
                for index, item in enumerate(node.value)]
    loaded.raw[path] = node.value
    return loader.construct_object(node, deep=True)
