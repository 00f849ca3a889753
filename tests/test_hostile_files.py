"""The loader never crashes and never runs away: every file, however broken or hostile, ends in
`file:line: message` within bounded time and memory (generator/loader.py's limits), and content
never reads through a symbolic link."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, edit
from generator.content import load_guidelines
from generator.loader import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, load_file
from generator.problems import ContentError

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))

# (name, the file's bytes, the problem it must give: "line: words", or None when it loads).
CORPUS = [
    ("form feed pasted into a value", b'a: 1\nx: "a\x0cb"\n',
     "2: contains a character YAML does not allow, U+000C"),
    ("NUL byte", b"a: 1\nb: 2\nc: x\x00y\n", "3: contains a character YAML does not allow, U+0000"),
    ("escape character raw", b"a: \x1b[2J\n", "1: contains a character YAML does not allow, U+001B"),
    ("escape sequence written as an escape", b'a: "\\e[2Jcleared"\n',
     "1: a: contains an invisible or control character U+001B"),
    ("lone surrogate written as an escape", b'a: "x\\ud800y"\n',
     "1: a: contains an invisible or control character U+D800"),
    ("bidi override in a key", b'"ti\\u202etle": x\n',
     "1: contains an invisible or control character U+202E"),
    ("zero-width joiner in a value", b'dose: "1\\u200d0 mg"\n',
     "1: dose: contains an invisible or control character U+200D"),
    ("C1 control written as an escape", b'a: "x\\x85y\\x9b"\n',
     "1: a: contains an invisible or control character U+0085"),
    ("byte order mark", b"\xef\xbb\xbfa: 1\n", None),
    ("Windows line endings", b"a: 1\r\nb: two\r\n", None),
    ("Latin-1 byte on line 9", b"a: 1\n" * 8 + b"b: caf\xe9\n",
     "9: is not UTF-8: byte 0xE9 at column 7"),
    ("UTF-16 file", "a: 1\n".encode("utf-16"), "1: is not UTF-8: byte 0xFF at column 1"),
    ("random binary", bytes(range(256)) * 4, "2: is not UTF-8: byte 0x80"),
    ("tab indentation", b"a:\n\tb: 1\n", "2: YAML syntax error"),
    ("unclosed quote", b'a: "open\nb: 2\n', "3: YAML syntax error"),
    ("unclosed bracket", b"a: [1, 2\nb: 3\n", "2: YAML syntax error"),
    ("python object tag", b"a: !!python/object/apply:os.system [echo hi]\n",
     "1: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    ("python tag on a scalar", b"a: !!python/name:os.system\n",
     "1: YAML syntax error: could not determine a constructor"),
    ("unknown tag", b"a: !include other.yaml\n", "1: YAML syntax error"),
    ("alias to nothing", b"a: *missing\n", "1: YAML syntax error"),
    ("alias to its own parent", b"a: &a [*a]\n", "1: a[0]: this alias refers to itself"),
    ("billion laughs", BILLION_LAUGHS.encode(),
     "values once its aliases are expanded"),
    ("deep nesting in brackets", b"a: " + b"[" * 20_000 + b"]" * 20_000 + b"\n",
     "1: is nested too deeply to read"),
    ("deep nesting in indentation", "".join(f"{'  ' * i}k{i}:\n" for i in range(60)).encode()
     + b"  " * 60 + b"v: 1\n", f"is nested more than {MAX_DEPTH} levels deep"),
    ("two documents", b"a: 1\n---\nb: 2\n", "2: YAML syntax error"),
    ("empty file", b"", None),
    ("only a comment", b"# nothing here\n", None),
    ("duplicate key", b"a: 1\na: 2\n", "2: a: duplicate key 'a' (first defined on line 1)"),
    ("a key read as a number", b"2025.1: x\n", "1: key '2025.1' is read as a float"),
    ("very long line", b"a: " + b"x" * 500_000 + b"\n", None),
]


@pytest.mark.parametrize("name, data, expected", CORPUS, ids=[row[0] for row in CORPUS])
def test_every_hostile_file_ends_in_a_line_and_a_message(tmp_path, name, data, expected):
    path = tmp_path / "file.yaml"
    path.write_bytes(data)
    loaded, problems = load_file(path, "file.yaml")
    shown = [str(problem) for problem in problems]
    if expected is None:
        assert problems == [] and loaded is not None, shown
        return
    assert any(expected in line and line.startswith("file.yaml:") for line in shown), shown
    for line in shown:  # what a terminal or a CI log shows: nothing that acts on it
        assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in line), line
        line.encode("utf-8")  # no lone surrogate left to crash a print


def test_the_corpus_is_kept_whole():
    assert len(CORPUS) >= 29


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES + 1) + b"\n")
    loaded, problems = load_file(path, "big.yaml")
    assert loaded is None
    assert str(problems[0]).startswith("big.yaml:1: is 2.0 MB; a content file may be at most 2 MB")


def test_the_limits_leave_room_for_real_content():
    sizes = [path.stat().st_size for path in (ROOT / "content").rglob("*.yaml")]
    assert max(sizes) * 10 < MAX_FILE_BYTES
    assert MAX_VALUES > 50_000


# --- Content never reads through a link -----------------------------------------------------

def _check_output(content):
    """What `nenguide check` prints, as a contributor's CI log would show it."""
    run = subprocess.run([sys.executable, "-m", "generator.cli", "--content", str(content),
                          "check"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return run.returncode, run.stdout + run.stderr


@pytest.mark.skipif(not os.path.exists("/etc/passwd"), reason="needs a file outside the tree")
def test_a_link_to_a_file_outside_is_refused_and_not_printed(content_copy):
    target = content_copy / "nen/2025.1/treatment.yaml"
    target.unlink()
    target.symlink_to("/etc/passwd")
    code, output = _check_output(content_copy)
    assert code != 0
    assert "content/nen/2025.1/treatment.yaml:1: is a symbolic link" in output
    assert "root:" not in output


def test_a_linked_version_folder_is_refused(content_copy):
    folder = content_copy / "nen/2025.1"
    folder.rename(content_copy / "elsewhere")
    folder.symlink_to(content_copy / "elsewhere", target_is_directory=True)
    with pytest.raises(ContentError) as caught:
        load_guidelines(content_copy)
    assert [str(p) for p in caught.value.problems] == [
        "content/nen/2025.1:1: is a symbolic link; content and release records must be plain "
        "files and folders inside the tree (replace the link with the file itself)"]


def test_a_link_inside_the_tree_is_refused_too(content_copy):
    (content_copy / "nen/2025.1/copy.yaml").symlink_to(content_copy / "nen/2025.1/treatment.yaml")
    with pytest.raises(ContentError) as caught:
        load_guidelines(content_copy)
    assert "content/nen/2025.1/copy.yaml:1: is a symbolic link" in str(caught.value.problems[0])


def test_a_hostile_line_in_a_real_file_is_reported_not_raised(content_copy):
    """The reported form-feed case: appended to a content file, `check` names its line."""
    path = content_copy / "nen/2025.1/treatment.yaml"
    lines = path.read_text(encoding="utf-8").count("\n")
    with path.open("ab") as file:
        file.write(b'x: "a\x0cb"\n')
    with pytest.raises(ContentError) as caught:
        load_guidelines(content_copy)
    assert str(caught.value.problems[0]).startswith(
        f"content/nen/2025.1/treatment.yaml:{lines + 1}: contains a character YAML does not "
        "allow, U+000C")


def test_an_escaped_surrogate_cannot_pass_check_and_crash_build(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", '"Median survival is about 11 months."',
         '"Median survival is about 11 months.\\ud800"')
    with pytest.raises(ContentError) as caught:
        load_guidelines(content_copy)
    assert "U+D800" in str(caught.value.problems[0])


def test_thousands_of_problems_print_as_a_capped_list_with_the_full_count(content_copy):
    path = content_copy / "nen/2025.1/treatment.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "".join(
        f"unknown_{i}: x\n" for i in range(5_000)), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_guidelines(content_copy)
    report = caught.value.report().splitlines()
    assert len(caught.value.problems) == 5_000
    assert len(report) == 202
    assert report[-2:] == ["... and 4800 more, not shown", "5000 errors; nothing was built."]
