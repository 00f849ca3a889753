"""Accessibility of every page type, as axe-core and a reader with a phone meet it.

axe-core (pinned in package.json, installed by `npm ci`) runs inside each page view at desktop
and phone width; the test fails on any serious or critical violation and prints the rule, the
elements and what to fix. The phone tests read the site at 375 px: nothing scrolls sideways
but a wide table, which the keyboard can reach and scroll and which says it scrolls; the site
title is whole.

Every page carries a Content-Security-Policy that allows no inline script, so axe is not added
as a <script> element: Playwright's init script (the debugging protocol's "evaluate on new
document") runs it in each page before the page's own scripts, outside the policy, and the
console stays free of policy violations (which conftest.open_context fails on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pytest

from conftest import ROOT, wait_until
from generator.labels import STRENGTH_LABELS
from test_browser import CALCULATOR_TIMEOUT_MS

pytestmark = pytest.mark.browser

GRADE = "/2025.1/calculators/grade/"
PATHWAY = "/2025.1/calculators/pathway/"


def answered(prefix: str) -> Callable:
    """Wait until the calculator on the page has shown an answer (a result or its errors)."""
    def wait(page) -> None:
        wait_until(page, f"document.getElementById('{prefix}-status').dataset.state === 'ready'",
                   CALCULATOR_TIMEOUT_MS)
        wait_until(page, f"(document.getElementById('{prefix}-result').dataset.answers || '0')"
                         " !== '0'", CALCULATOR_TIMEOUT_MS)
    return wait


def patient_view(page) -> None:
    """The reader chooses the plain-language view."""
    page.get_by_label("Patient, family member or carer: plain language").check()


@dataclass(frozen=True)
class View:
    """A page in the state a reader sees it: its path, then what brings it there."""
    name: str
    path: str
    then: Callable | None = None


# Every page type, one line each. A new page type (a question in each reader view, an About
# page, the print page) is one more line; `then` receives the Playwright page once loaded.
VIEWS = [
    View("home", "/2025.1/"),
    View("section", "/2025.1/treatment/"),
    View("references", "/2025.1/references/"),
    View("disclaimer", "/2025.1/disclaimer/"),
    View("what changed", "/2025.1/changes/"),
    View("grade result", GRADE + "?site=pancreas&differentiation=well&ki67=5&mitoses=1",
         answered("grade")),
    View("grade error", GRADE + "?site=pancreas&differentiation=well&ki67=abc",
         answered("grade")),
    View("pathway result", PATHWAY + "?category=NET+G1&site=pancreas"
         "&stage=unresectable_metastatic&sstr=true", answered("pathway")),
    View("pathway error", PATHWAY + "?category=NET+G1&site=pancreas", answered("pathway")),
    View("not found", "/2025.1/404.html"),
    View("not found, served at depth", "/2025.1/no/such/page/"),
    View("questions", "/2025.1/questions/"),
    View("question, clinician view", "/2025.1/questions/nec-treatment/"),
    View("question, patient view", "/2025.1/questions/nec-treatment/", patient_view),
    View("section, patient view", "/2025.1/treatment/", patient_view),
    View("about", "/2025.1/about/"),
    View("whole guideline to print", "/2025.1/print/"),
    View("published release", "/2024.1/treatment/"),  # its banner, its frozen words
]
WIDTHS = {"desktop": 1280, "phone": 375}
PHONE = {"width": 375, "height": 740}

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_ALSO = ["aria-dialog-name"]  # a best practice, not a WCAG rule: the search dialog's name
BLOCKING = ("serious", "critical")
SHOTS = ROOT / "test-results"
TABLE_PAGES = ["/2025.1/classification/", "/2024.1/classification/"]
SCROLL_HINT = "Scroll sideways"


def open_view(open_context, site_url, view: View, width: int):
    context = open_context(viewport={"width": width, "height": 900})
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (make test does)")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(site_url + view.path)
    if view.then:
        view.then(page)
    settle(page)
    return page


def settle(page) -> None:
    """Wait for what the theme draws after loading (the version menu), for fonts, and for
    transitions to end: an answer moves focus and scrolls, and the header fades from the
    site's title to the page's, which axe would measure half-faded."""
    wait_until(page, "document.querySelector('.md-version__current') !== null")
    page.evaluate("document.fonts.ready.then(() => new Promise(requestAnimationFrame))")
    wait_until(page, "document.getAnimations().every(a => !(a instanceof CSSTransition)"
                     " || a.playState !== 'running')", 10_000)


def axe_violations(page) -> list[dict]:
    return page.evaluate("""async ([tags, also]) => {
        const results = await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            rules: Object.fromEntries(also.map(rule => [rule, {enabled: true}])),
            resultTypes: ["violations"],
        });
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
        }));
    }""", [AXE_TAGS, AXE_ALSO])


def describe(violations: list[dict], most: int = 5) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']} {v['id']} ({len(v['nodes'])} elements): {v['help']}")
        for node in v["nodes"][:most]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}\n        {summary}")
        if len(v["nodes"]) > most:
            lines.append(f"    … and {len(v['nodes']) - most} more")
    return "\n".join(lines)


# --- axe-core: no serious or critical violation on any page view -----------------------------

@pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))
@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_axe_finds_nothing_serious(open_context, site_url, view, width):
    page = open_view(open_context, site_url, view, width)
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"{view.path} at {width} px:\n{describe(blocking)}"


def test_axe_is_awake(open_context, site_url):
    """A page made worse on purpose fails: axe runs, with the rules this file relies on."""
    page = open_view(open_context, site_url, VIEWS[0], WIDTHS["desktop"])
    page.evaluate("""() => {
        const faint = document.createElement("p");
        faint.textContent = "Faint words";
        faint.style.color = "#bbbbbb";
        const dialog = document.createElement("div");
        dialog.setAttribute("role", "dialog");
        dialog.textContent = "A dialog without a name";
        document.querySelector("article").append(faint, dialog);
    }""")
    found = {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING}
    assert {"color-contrast", "aria-dialog-name"} <= found, found


# --- a phone ----------------------------------------------------------------------------------

@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_no_page_scrolls_sideways_on_a_phone(open_context, site_url, view):
    page = open_view(open_context, site_url, view, PHONE["width"])
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{view.path} is {width} px wide on a phone"


def regions_too_wide(page) -> list:
    """The table regions whose table is wider than the region, after the hint module ran."""
    regions = page.locator(".nen-table-scroll")
    wait_until(page, "[...document.querySelectorAll('.nen-table-scroll')].every(region =>"
                     " region.previousElementSibling?.classList.contains('nen-scroll-hint'))")
    return [regions.nth(i) for i in range(regions.count())
            if regions.nth(i).evaluate("r => r.scrollWidth > r.clientWidth + 1")]


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_a_wide_table_scrolls_from_the_keyboard_and_says_so(open_context, site_url, path):
    page = open_context(viewport=PHONE).new_page()
    page.goto(site_url + path)
    wide = regions_too_wide(page)
    assert wide, f"no table on {path} is wider than a phone: the test needs one"
    for region in wide:
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        name = region.evaluate("""r => r.getAttribute("aria-label") ||
            document.getElementById(r.getAttribute("aria-labelledby"))?.textContent || "" """)
        assert name.strip(), "a scroll region without a name"
        hint = region.locator("xpath=preceding-sibling::*[1]")
        assert hint.is_visible() and SCROLL_HINT in hint.inner_text()
    # Tab from just before the first wide table (its hint): the next stop is the table.
    first = wide[0]
    first.evaluate("r => { const hint = r.previousElementSibling;"
                   " hint.tabIndex = -1; hint.focus(); }")
    page.keyboard.press("Tab")
    assert first.evaluate("r => document.activeElement === r"), "Tab does not reach the table"
    outline = first.evaluate("r => getComputedStyle(r).outlineStyle")
    assert outline != "none", "the focused table shows no focus ring"
    page.keyboard.press("ArrowRight")
    wait_until(page, "document.activeElement.scrollLeft > 0", 5_000)
    shoot_around(page, first, f"a11y-phone-table-{path.strip('/').replace('/', '-')}")


def shoot_around(page, region, name: str) -> None:
    """A screenshot of a table region with its hint and caption above it, the page's width."""
    SHOTS.mkdir(exist_ok=True)
    box = region.evaluate("""region => {
        const hint = region.previousElementSibling;
        const caption = hint.previousElementSibling;
        const top = (caption?.matches(".nen-table-caption") ? caption : hint)
            .getBoundingClientRect().top + scrollY - 8;
        const bottom = region.getBoundingClientRect().bottom + scrollY + 8;
        return {x: 0, y: top, width: innerWidth, height: bottom - top};
    }""")
    page.screenshot(path=str(SHOTS / f"{name}.png"), clip=box, full_page=True)


def test_a_table_that_fits_shows_no_hint(open_context, site_url):
    page = open_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(site_url + "/2025.1/treatment/")
    assert regions_too_wide(page) == []
    assert page.locator(".nen-scroll-hint").count() > 0
    assert not any(hint.is_visible() for hint in page.locator(".nen-scroll-hint").all())


@pytest.mark.parametrize("path, title", [("/2025.1/", "Neuroendocrine neoplasms"),
                                         ("/2024.1/", "Neuroendocrine neoplasms")])
def test_the_site_title_is_whole_on_a_phone(open_context, site_url, path, title):
    page = open_context(viewport=PHONE).new_page()
    page.goto(site_url + path)
    settle(page)
    shown = page.locator(".md-header__topic:first-child > .md-ellipsis")
    assert " ".join(shown.inner_text().split()) == title  # the version is in the menu beside it
    cut = shown.evaluate("e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight")
    assert not cut, "the site title is cut"
    box, button = shown.bounding_box(), page.locator(".md-version__current").bounding_box()
    assert box["x"] + box["width"] <= button["x"], "the title runs under the version menu"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"a11y-phone-header-{path.strip('/')}.png"))


def test_the_version_menu_is_named_by_what_it_shows(page, site_url):
    page.goto(site_url + "/2025.1/")
    settle(page)
    # Speech input users say what they see: the button answers to its visible text.
    assert page.get_by_role("button", name="2025.1 (draft)").is_visible()


# --- words and shapes, never colour alone -----------------------------------------------------

def test_citations_are_underlined_links(page, site_url):
    page.goto(site_url + "/2025.1/treatment/")
    citations = page.locator("article a[href*='#ref-']")
    assert citations.count() > 10
    for text, line in citations.evaluate_all(
            "links => links.map(a => [a.textContent, getComputedStyle(a).textDecorationLine])"):
        assert re.fullmatch(r"\[\d+\]", text), text
        assert "underline" in line, f"citation {text} is told apart by colour alone"


@pytest.mark.parametrize("path", ["/2025.1/treatment/", "/2024.1/treatment/"])
def test_each_recommendation_says_its_strength_and_number_in_words(page, site_url, path):
    page.goto(site_url + path)
    boxes = page.locator("article .nen-rec")
    assert boxes.count() > 5
    for strength, number in boxes.evaluate_all("""boxes => boxes.map(box => [
            box.querySelector('.nen-badge')?.textContent.trim() || '',
            box.querySelector('.nen-rec__number')?.textContent.trim() || ''])"""):
        assert strength in STRENGTH_LABELS.values(), f"strength by colour alone: {strength!r}"
        assert re.fullmatch(r"Recommendation \d+(\.\d+)*", number), number


def test_a_draft_says_so_in_large_dark_bold_type(open_context, site_url):
    page = open_context(viewport=PHONE).new_page()
    page.goto(site_url + "/2025.1/")
    line = page.locator(".nen-release")
    assert "draft, not published" in line.inner_text()
    size, weight, colour = line.evaluate("""e => { const s = getComputedStyle(e);
        return [parseFloat(s.fontSize), Number(s.fontWeight), s.color]; }""")
    assert size >= 16 and weight >= 700, (size, weight)
    assert colour == "rgb(107, 59, 0)", colour  # 9.3:1 on white, the draft banner's hue
