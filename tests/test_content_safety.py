"""Content is text, not markup: every field that reaches a page refuses what could run script,
load from elsewhere or hide what a reader sees, with file:line; and what is allowed is escaped
where it is printed (the second line of defence, tested on a built site)."""

from __future__ import annotations

import html.parser
from pathlib import Path

import pytest

from conftest import edit
from generator import build
from generator.content import load_guidelines
from generator.problems import ContentError
from generator.text_safety import text_problems

XSS = "<img src=x onerror=alert(1)>"
TREATMENT = "nen/2025.1/treatment.yaml"
REFERENCES = "nen/2025.1/references.yaml"

# (name, file, text to replace, replacement, "file:line: field" the problem names, words).
# Each row is a hostile or careless edit of the small test guideline.
INJECTIONS = [
    ("guideline title", "nen/guideline.yaml", "title: Test guideline",
     f'title: "Test guideline {XSS}"', "nen/guideline.yaml:2: title", "raw HTML is not allowed"),
    ("guideline description", "nen/guideline.yaml", "description: A small guideline",
     "description: A <script>alert(1)</script> small guideline", "nen/guideline.yaml:3: description",
     "'<script>'"),
    ("disclaimer", "nen/guideline.yaml", "  For testing only.", "  For <b>testing</b> only.",
     "nen/guideline.yaml:4: disclaimer", "raw HTML"),
    ("section title", TREATMENT, "title: Treatment", f'title: "Treatment {XSS}"',
     "nen/2025.1/treatment.yaml:2: title", "raw HTML"),
    ("intro", TREATMENT, "  Start from the grade", f"  {XSS} Start from the grade",
     "nen/2025.1/treatment.yaml:5: intro", "raw HTML"),
    ("table caption", TREATMENT, 'caption: "Grades"', 'caption: "Grades <svg/onload=alert(1)>"',
     "nen/2025.1/treatment.yaml:9: tables[0].caption", "'<svg/onload=al'"),
    ("table heading", TREATMENT, 'header: ["Category", "Ki-67"]',
     'header: ["Category", "<iframe src=//x>"]', "nen/2025.1/treatment.yaml:10: tables[0].header[1]",
     "raw HTML"),
    ("table cell", TREATMENT, '["NET G1", "< 3 %"]', '["NET G1", "<a href=javascript:x>3</a>"]',
     "nen/2025.1/treatment.yaml:12: tables[0].rows[0][1]", "raw HTML"),
    ("recommendation text", TREATMENT, '"Give carboplatin with etoposide first line."',
     f'"Give carboplatin {XSS} with etoposide first line."',
     "nen/2025.1/treatment.yaml:19: subsections[0].recommendations[0].text", "raw HTML"),
    ("point text", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival is about 11 months.<!--"',
     "nen/2025.1/treatment.yaml:24: subsections[0].points[0].text", "'<!--' at column 36"),
    ("attribute list", TREATMENT, '"Give carboplatin with etoposide first line."',
     '"Give carboplatin with etoposide first line. {: onclick=alert(1) }"',
     "subsections[0].recommendations[0].text", "Markdown attribute lists are not allowed"),
    ("attribute list by id", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival is about 11 months. { #x .y }"', "subsections[0].points[0].text",
     "Markdown attribute lists"),
    ("javascript link", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival is about [11 months](javascript:alert(1))."',
     "subsections[0].points[0].text", "not 'javascript:'"),
    ("data link", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival is about [11](data:text/html;base64,PHNjcmlwdD4=) months."',
     "subsections[0].points[0].text", "not 'data:'"),
    ("vbscript link, upper case", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival is about [11](VBScript:msgbox) months."', "subsections[0].points[0].text",
     "not 'VBScript:'"),
    ("link definition", TREATMENT, "  Start from the grade [@WHO2019].",
     "  Start from the [grade][g] [@WHO2019].\n\n  [g]: javascript:alert(1)",
     "nen/2025.1/treatment.yaml:5: intro", "not 'javascript:'"),
    ("image from elsewhere", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival is about 11 months. ![x](https://example.org/x.png)"',
     "subsections[0].points[0].text", "images are not allowed"),
    ("numeric character reference", TREATMENT, '"Median survival is about 11 months."',
     '"[11](java&#115;cript:alert(1)) months."', "subsections[0].points[0].text",
     "numeric character references are not allowed ('&#115;'"),
    ("right-to-left override", TREATMENT, '"Give carboplatin with etoposide first line."',
     '"Give carboplatin \\u202Ewith etoposide first line."',
     "subsections[0].recommendations[0].text", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("zero-width space in a dose", TREATMENT, '"Median survival is about 11 months."',
     '"Give 1\\u200B0 mg."', "subsections[0].points[0].text",
     "U+200B (ZERO WIDTH SPACE), a zero-width character, at column 7"),
    ("soft hyphen", TREATMENT, '"Median survival is about 11 months."',
     '"Median sur\\u00ADvival is about 11 months."', "subsections[0].points[0].text",
     "U+00AD (SOFT HYPHEN)"),
    ("form feed pasted from a PDF", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival\\fis about 11 months."', "subsections[0].points[0].text",
     "U+000C, a control character"),
    ("escape sequence for a terminal", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival \\e[2Jis about 11 months."', "subsections[0].points[0].text",
     "U+001B, a control character"),
    ("reference title", REFERENCES, 'title: "The 2019 WHO classification of tumours of the digestive system"',
     'title: "The 2019 WHO classification <!--<script>"', "nen/2025.1/references.yaml:5: "
     "references[0].title", "raw HTML"),
    ("reference journal", REFERENCES, 'journal: "Histopathology"',
     f'journal: "Histopathology {XSS}"', "references[0].journal", "raw HTML"),
    ("reference author", REFERENCES, '["Nagtegaal ID", "Odze RD", "Klimstra D"]',
     f'["Nagtegaal ID", "{XSS}", "Klimstra D"]', "references[0].authors[1]", "raw HTML"),
    ("reference pages", REFERENCES, 'pages: "182–188"', 'pages: "182<b>–188"',
     "references[0].pages", "raw HTML"),
    ("DOI with markup", REFERENCES, 'doi: "10.1111/his.13975"',
     'doi: "10.1111/his.13975<svg/onload=alert(1)>"', "references[0].doi", "is not valid"),
    ("DOI with a quote", REFERENCES, 'doi: "10.1111/his.13975"',
     'doi: "10.1111/his.13975\\" onmouseover=\\"alert(1)"', "references[0].doi", "is not valid"),
    ("grading edition", "nen/2025.1/grading.yaml", 'edition: "WHO 2019 digestive"',
     f'edition: "WHO 2019 digestive {XSS}"', "nen/2025.1/grading.yaml:4: digestive.edition",
     "raw HTML"),
    ("pathway out-of-scope reason", "nen/2025.1/pathway.yaml",
     '"This test guideline covers neuroendocrine carcinoma only."',
     f'"This test guideline covers neuroendocrine carcinoma only. {XSS}"',
     "nen/2025.1/pathway.yaml:3: out_of_scope[0].why", "raw HTML"),
    ("pathway rule reason", "nen/2025.1/pathway.yaml", 'why: "Neuroendocrine carcinoma."',
     f'why: "Neuroendocrine carcinoma. {XSS}"', "nen/2025.1/pathway.yaml:9: rules[0].why",
     "raw HTML"),
    ("release summary", "nen/2025.1/release.yaml", "  Treatment depends on differentiation",
     f"  Treatment {XSS} depends on differentiation", "nen/2025.1/release.yaml:5: summary",
     "raw HTML"),
    ("template syntax is text, not code", TREATMENT, '"Median survival is about 11 months."',
     '"Median survival is about {{ 7 * 7 }} months <x>."', "subsections[0].points[0].text",
     "'<x>'"),
]


def problems_of(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_guidelines(content)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("name, file, old, new, where, words", INJECTIONS,
                         ids=[row[0] for row in INJECTIONS])
def test_unsafe_text_is_refused_at_its_line(content_copy, name, file, old, new, where, words):
    edit(content_copy / file, old, new)
    problems = problems_of(content_copy)
    assert any(where in problem and words in problem for problem in problems), problems


def test_the_injection_table_covers_every_kind_of_field():
    assert len(INJECTIONS) >= 34


@pytest.mark.parametrize("text", [
    "Ki-67 < 10 % and <3 %", "x <= 2 and y >= 3", "5 > 3", "R&D & more", "[a link](https://x.org)",
    "[in the site](treatment.md#rec-x)", "[anchor](#here)", "**bold**, *em* and `code`",
    "line one\nline two\twith a tab", "Rényi, Ångström, 10⁹/L, ≥ 2 mm², µg", "{ not an attribute",
    "a colon: here", "see [ref](HTTPS://X.ORG)"])
def test_ordinary_text_is_accepted(text):
    assert text_problems(text) == []


def test_the_real_guideline_has_no_unsafe_text():
    from conftest import ROOT

    load_guidelines(ROOT / "content")  # raises on any problem


# --- The second line of defence: what is allowed is escaped where it is printed -----------------

class _Attributes(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.names.update(name for name, _ in attrs)


@pytest.fixture(scope="module")
def quoted_site(tmp_path_factory):
    """The small guideline with quotes, ampersands and a would-be attribute in text that is
    allowed (no tag, so the check accepts it), built for real."""
    import shutil

    from conftest import FIXTURES

    root = tmp_path_factory.mktemp("quoted")
    content = root / "content"
    shutil.copytree(FIXTURES / "minimal", content)
    payload = '" onmouseover="alert(1)" x="'
    edit(content / "nen/guideline.yaml", "title: Test guideline",
         f"title: 'Test {payload} & guideline'")
    edit(content / TREATMENT, "title: Treatment", f"title: 'Treatment {payload}'")
    edit(content / TREATMENT, 'caption: "Grades"', f"caption: 'Grades {payload}'")
    edit(content / REFERENCES, 'title: "The 2019 WHO classification of tumours of the digestive system"',
         f"title: 'The 2019 WHO classification {payload}'")
    site = root / "site"
    build.build_site(content, site)
    return site


def test_quotes_in_text_never_become_attributes(quoted_site):
    pages = list(quoted_site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        parser = _Attributes()
        parser.feed(page.read_text(encoding="utf-8"))
        assert "onmouseover" not in parser.names, page


def test_the_escaped_text_still_reads_as_written(quoted_site):
    text = (quoted_site / "2025.1" / "treatment" / "index.html").read_text(encoding="utf-8")
    assert "Treatment &quot; onmouseover=&quot;alert(1)&quot;" in text


# --- Author mistakes that used to pass silently ---------------------------------------------

def _rename_version(content: Path, name: str) -> None:
    (content / "nen/2025.1").rename(content / "nen" / name)
    edit(content / "nen" / name / "release.yaml", 'version: "2025.1"', f'version: "{name}"')


@pytest.mark.parametrize("change, expected", [
    (lambda c: edit(c / "nen/2025.1/release.yaml", "sections: [treatment]",
                    "sections: [treatment, index]"),
     "content/nen/2025.1/release.yaml:7: sections[1]: 'index' is the name of a page the build "
     "writes itself; choose another section id"),
    (lambda c: edit(c / "nen/2025.1/release.yaml", "sections: [treatment]",
                    "sections: [treatment, disclaimer]"),
     "sections[1]: 'disclaimer' is the name of a page the build writes itself"),
    (lambda c: (c / "nen/2025.1/notes.yml").write_text("a: 1\n"),
     "content/nen/2025.1/notes.yml:1: content files end in .yaml; rename it to notes.yaml"),
    (lambda c: (c / "nen/extra.yml").write_text("a: 1\n"),
     "content/nen/extra.yml:1: content files end in .yaml"),
    (lambda c: edit(c / "nen/2025.1/release.yaml", 'date: "2025-10-01"', 'date: "2025-02-30"'),
     "content/nen/2025.1/release.yaml:3: date: '2025-02-30' is not a date in the calendar"),
    (lambda c: edit(c / "nen/2025.1/treatment.yaml", "  Start from the grade [@WHO2019].",
                    "  Start from the grade [@WHO2019; @ENETS-NEC]."),
     "content/nen/2025.1/treatment.yaml:5: intro: '[@WHO2019; @ENETS-NEC]' is not a citation "
     "mark: write each reference as [@ID], several as [@A] [@B]"),
    (lambda c: edit(c / "nen/2025.1/treatment.yaml", "  Start from the grade [@WHO2019].",
                    "  Start from the grade [@ WHO2019]."),
     "intro: '[@ WHO2019]' is not a citation mark"),
    (lambda c: edit(c / "nen/2025.1/treatment.yaml", '["NET G1", "< 3 %"]',
                    '["NET G1", "< 3 % [@WHO2019]"]'),
     "tables[0].rows[0][1]: citation marks ([@ID]) are not linked in this field"),
    (lambda c: _rename_version(c, "2025.01"),
     "content/nen/2025.01/release.yaml:2: version: '2025.01' is not valid"),
    (lambda c: __import__("shutil").copytree(c / "nen", c / "other"),
     "content/other:1: a second guideline folder; a content folder holds one guideline (nen)"),
])
def test_author_mistakes_are_errors_at_their_line(content_copy, change, expected):
    change(content_copy)
    problems = problems_of(content_copy)
    assert any(expected in problem for problem in problems), problems
