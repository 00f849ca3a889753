"""The words a reader reads on each built page, without the chrome around them.

A published release's pages are rebuilt with today's theme, so theme, accessibility and
security fixes reach it; its words may not change. The text of each page's article (what the
Markdown says, as rendered) is recorded at publication and compared at every build. Left out:
scripts and styles, permalink signs, the theme's buttons, and everything marked nen-chrome
(the release line and the banners, which are meant to change).
"""

from __future__ import annotations

import difflib
from html.parser import HTMLParser
from pathlib import Path

SKIPPED_TAGS = {"script", "style", "template"}
SKIPPED_CLASSES = {"nen-chrome", "headerlink", "md-content__button"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}


class _ArticleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article> when > 0
        self.skipping = 0  # inside a skipped element when > 0
        self.stack: list[bool] = []  # per open element inside the article: is it skipped?
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article" and self.depth == 0:
            self.depth = 1
            return
        if self.depth == 0 or tag in VOID_TAGS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipped = tag in SKIPPED_TAGS or bool(classes & SKIPPED_CLASSES)
        self.stack.append(skipped)
        self.skipping += skipped

    def handle_endtag(self, tag):
        if self.depth == 0 or tag in VOID_TAGS:
            return
        if not self.stack:
            if tag == "article":
                self.depth = 0
            return
        self.skipping -= self.stack.pop()

    def handle_data(self, data):
        if self.depth and not self.skipping:
            self.words.extend(data.split())


def page_text(html: str) -> str:
    parser = _ArticleText()
    parser.feed(html)
    return " ".join(parser.words)


def site_texts(version_dir: Path) -> dict[str, str]:
    """{page URL: its text} for every page of a built version ("" is the home page)."""
    texts = {}
    for path in sorted(version_dir.rglob("index.html")):
        url = path.parent.relative_to(version_dir).as_posix()
        if url.startswith("assets") or url.startswith("search"):
            continue
        texts["" if url == "." else url + "/"] = page_text(path.read_text(encoding="utf-8"))
    return texts


def differences(recorded: dict[str, str], built: dict[str, str]) -> list[str]:
    """One line per page whose words differ, with the first difference shown."""
    problems = []
    for url in sorted(set(recorded) | set(built)):
        if url not in built:
            problems.append(f"{url or 'home page'}: missing from the build")
        elif url not in recorded:
            problems.append(f"{url or 'home page'}: not in the published release")
        elif recorded[url] != built[url]:
            problems.append(f"{url or 'home page'}: {_first_difference(recorded[url], built[url])}")
    return problems


def _first_difference(old: str, new: str) -> str:
    a, b = old.split(), new.split()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            before = " ".join(a[i1:i2][:12]) or "(nothing)"
            after = " ".join(b[j1:j2][:12]) or "(nothing)"
            return f"published “{before}”, now “{after}”"
    return "the words differ"
