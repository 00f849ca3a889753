"""The YAML loader keeps line numbers and refuses what YAML would silently accept."""

from generator.loader import load_file


def load(tmp_path, text):
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    return load_file(path, "file.yaml")


def test_keeps_the_line_of_every_field(tmp_path):
    loaded, problems = load(tmp_path, "a: 1\nitems:\n  - id: x\n    text: y\n  - id: z\n")
    assert problems == []
    assert loaded.data == {"a": 1, "items": [{"id": "x", "text": "y"}, {"id": "z"}]}
    assert loaded.lines[("a",)] == 1
    assert loaded.lines[("items", 0, "text")] == 4
    assert loaded.lines[("items", 1, "id")] == 5
    assert loaded.line_of(("items", 1, "missing")) == 5


def test_rejects_duplicate_keys_with_both_lines(tmp_path):
    loaded, problems = load(tmp_path, "title: one\nother: 2\ntitle: two\n")
    assert [str(p) for p in problems] == [
        "file.yaml:3: title: duplicate key 'title' (first defined on line 1); remove one of them"]
    assert loaded.data["title"] == "one"


def test_keeps_the_source_text_of_scalars(tmp_path):
    loaded, _ = load(tmp_path, "version: 2.10\nflag: no\n")
    assert loaded.data == {"version": 2.1, "flag": False}
    assert loaded.raw[("version",)] == "2.10"
    assert loaded.raw[("flag",)] == "no"


def test_syntax_error_names_the_line(tmp_path):
    loaded, problems = load(tmp_path, "a: 1\nb: [unclosed\nc: 3\n")
    assert loaded is None
    assert len(problems) == 1
    assert str(problems[0]).startswith("file.yaml:3: YAML syntax error: ")


def test_non_string_key_is_reported(tmp_path):
    _, problems = load(tmp_path, "no: 1\n")
    assert [str(p) for p in problems] == [
        "file.yaml:1: key 'no' is read as a bool; quote it: \"no\""]


def test_empty_file_is_an_empty_mapping(tmp_path):
    loaded, problems = load(tmp_path, "")
    assert problems == [] and loaded.data == {}
