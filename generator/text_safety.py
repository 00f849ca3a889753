"""What content text may hold: words and a small Markdown subset, never markup.

Content arrives through pull requests from many authors, and its text ends up inside HTML
pages that run the calculators. So every text field is checked before anything is built:

  * no raw HTML (a "<" followed by a letter, "/", "!" or "?"): it would run in every reader's
    browser; a less-than sign followed by a space or a digit ("< 10 mm", "<3 %") is text;
  * no Markdown attribute lists ("{: onclick=...}", "{#id}", "{.class}"): they set HTML
    attributes;
  * links only to http:, https: or a page of the site (no "javascript:", "data:", ...), and no
    images (an image would load from elsewhere: the site makes no request off its host);
  * no numeric character references ("&#106;"): they hide any of the above;
  * no control, bidirectional-override, zero-width or other invisible characters, which come
    in with text pasted from Word or PDF and can make what a reader sees differ from what is
    stored (a dose that reads "10" but is "1" + invisible + "0").

Each problem names the character or the construct and its column, and says what to write
instead. Escaping at render time (generator.render, the theme) is a second line of defence,
not a reason to accept such text.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that are invisible or change how the text around them is shown.
INVISIBLE = {
    0x00AD: "soft hyphen",
    0x061C: "Arabic letter mark",
    0x180E: "Mongolian vowel separator",
    **{code: "zero-width character" for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)},
    **{code: "bidirectional control" for code in (0x200E, 0x200F, *range(0x202A, 0x202F),
                                                  *range(0x2066, 0x206A))},
    **{code: "invisible operator" for code in range(0x2061, 0x2065)},
}
ALLOWED_CONTROLS = {"\n", "\t"}

HTML_TAG = re.compile(r"<[A-Za-z/!?][^\s>]{0,12}>?")
ATTRIBUTE_LIST = re.compile(r"\{\s*[:#.][^\s}]{0,12}")
NUMERIC_REFERENCE = re.compile(r"&#(?:\d+|[xX][0-9A-Fa-f]+);?")
IMAGE = re.compile(r"!\[")
# [text](target "title"), [text]: target
INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S*?)>?(?:\s|$)", re.MULTILINE)
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
SAFE_SCHEMES = ("http", "https")


def text_problems(text: str) -> list[str]:
    """Why this text cannot be shown safely (an empty list when it can)."""
    problems = [character_problem(text, index) for index, char in enumerate(text)
                if is_unsafe_character(char)]
    problems = [p for p in problems if p][:3]  # the first few say enough; the rest are alike
    for pattern, message in (
            (HTML_TAG, "raw HTML is not allowed ('{found}' at column {column}); content is "
                       "shown as text: write the words, and use Markdown for emphasis, lists "
                       "and links (a less-than sign followed by a space, '< 10', is fine)"),
            (ATTRIBUTE_LIST, "Markdown attribute lists are not allowed ('{found}' at column "
                             "{column}): they set HTML attributes"),
            (NUMERIC_REFERENCE, "numeric character references are not allowed ('{found}' at "
                                "column {column}); write the character itself"),
            (IMAGE, "images are not allowed in content text ('![' at column {column}): the "
                    "site loads nothing from elsewhere")):
        match = pattern.search(text)
        if match:
            problems.append(message.format(found=match.group(0), column=_column(text,
                                                                                 match.start())))
    for pattern in (INLINE_LINK, LINK_DEFINITION):
        for match in pattern.finditer(text):
            problem = _link_problem(match.group(1), _column(text, match.start(1)))
            if problem:
                problems.append(problem)
    return problems


def is_unsafe_character(char: str) -> bool:
    code = ord(char)
    if char in ALLOWED_CONTROLS:
        return False
    return (code < 0x20 or 0x7F <= code <= 0x9F or code in INVISIBLE
            or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)
            or unicodedata.category(char) in ("Co", "Cn"))


def character_problem(text: str, index: int) -> str:
    code = ord(text[index])
    kind = INVISIBLE.get(code)
    if kind is None:
        kind = ("lone surrogate (broken text encoding)" if 0xD800 <= code <= 0xDFFF else
                "control character" if code < 0x20 or 0x7F <= code <= 0x9F else
                "private-use or unassigned character")
    try:
        name = f" ({unicodedata.name(text[index])})"
    except ValueError:
        name = ""
    return (f"contains an invisible or control character U+{code:04X}{name}, a {kind}, at "
            f"column {_column(text, index)}; delete it (it often comes with text pasted from "
            "Word or PDF)")


def _link_problem(target: str, column: str) -> str | None:
    scheme = SCHEME.match(target)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return (f"links may go to http:, https: or a page of this site, not '{scheme.group(1)}:'"
                f" (column {column})")
    return None


def _column(text: str, index: int) -> str:
    """Where index falls: "12", or "5 of the text's line 3" in a text of several lines."""
    column = index - text.rfind("\n", 0, index)
    line = text.count("\n", 0, index) + 1
    return f"{column} of the text's line {line}" if "\n" in text.strip() else str(column)
