"""The pathway flowcharts as Chromium shows and prints them: each fits its column on a desktop
and on a 375 px phone without the page scrolling sideways, its text is at least 11 px as
shown and lies inside its boxes in the browser's own font, and on paper every chart is whole.
Screenshots go to /tmp/shots/ to look at."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PATHWAY_PAGE = "/2025.1/calculators/pathway/"
SHOTS = Path("/tmp/shots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
A4 = {"width": 794, "height": 1123}  # px at 96 dpi
CHART_COUNT = 7

# Per chart frame: its width, the drawings shown, how the shown bands sit and scale, and the
# lines whose rendered text runs past the right edge of their box.
MEASURE_CHARTS = """() => [...document.querySelectorAll('.nen-flowchart-frame')].map(frame => {
  const shown = [...frame.querySelectorAll('svg.nen-flowchart')]
    .filter(svg => svg.getBoundingClientRect().width > 0);
  const boxes = shown.map(svg => svg.getBoundingClientRect());
  const scale = Math.min(...shown.map((svg, i) => boxes[i].width / svg.viewBox.baseVal.width));
  const fontPx = parseFloat(getComputedStyle(shown[0].querySelector('text')).fontSize);
  const overflowing = [];
  for (const svg of shown) {
    for (const text of svg.querySelectorAll('text')) {
      const rect = text.previousElementSibling;
      const right = rect.x.baseVal.value + rect.width.baseVal.value;
      for (const span of text.querySelectorAll('tspan')) {
        if (span.x.baseVal[0].value + span.getComputedTextLength() > right - 4) {
          overflowing.push(span.textContent);
        }
      }
    }
  }
  const frameBox = frame.getBoundingClientRect();
  return {
    frameWidth: frameBox.width,
    scrollsInside: frame.scrollWidth > frame.clientWidth,
    drawings: [...new Set(shown.map(svg => svg.classList.contains('nen-flowchart--wide')
                                           ? 'wide' : 'narrow'))],
    bands: shown.length,
    right: Math.max(...boxes.map(box => box.right)) - frameBox.left,
    gaps: boxes.slice(1).map((box, i) => Math.abs(box.top - boxes[i].bottom)),
    effectiveFontPx: fontPx * scale,
    breakInside: getComputedStyle(shown[0]).breakInside,
    overflowing,
  };
})"""
PAGE_SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"

# The pathway page prints its answer, not the rest of the page (generator/assets/print.css):
# to print the charts, show their section on paper, as a print of the charts would.
CHARTS_ON_PAPER = """@media print {
  .md-content__inner > :is(h2, h3, p, .nen-flowchart-frame) { display: block !important; }
}"""


def open_charts(open_context, site_url, viewport, **options):
    page = open_context(viewport=viewport, **options).new_page()
    page.goto(site_url + PATHWAY_PAGE)
    page.locator(".nen-flowchart-frame").first.wait_for(state="attached")
    return page


def shoot(page, name: str) -> None:
    """The first chart's top in the window, saved to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#flowchart-net-g1-g2").evaluate("heading => heading.scrollIntoView()")
    page.screenshot(path=str(SHOTS / name))


def assert_charts_fit(charts: list[dict], drawing: str) -> None:
    assert len(charts) == CHART_COUNT
    for number, chart in enumerate(charts, start=1):
        where = f"chart {number}: {chart}"
        assert chart["drawings"] == [drawing], where
        assert chart["right"] <= chart["frameWidth"] + 0.5, where  # nothing cut at the right
        assert not chart["scrollsInside"], where
        assert all(gap < 0.5 for gap in chart["gaps"]), where  # bands meet: one picture
        assert chart["overflowing"] == [], where


def test_charts_fit_the_desktop_column(open_context, site_url):
    page = open_charts(open_context, site_url, DESKTOP)
    charts = page.evaluate(MEASURE_CHARTS)
    assert_charts_fit(charts, "wide")
    assert all(chart["effectiveFontPx"] == 12 for chart in charts)  # drawn size, not shrunk
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    shoot(page, "flowchart-desktop.png")


def test_charts_fit_a_phone_and_stay_readable(open_context, site_url):
    page = open_charts(open_context, site_url, PHONE, is_mobile=True, has_touch=True,
                       device_scale_factor=2)
    charts = page.evaluate(MEASURE_CHARTS)
    assert_charts_fit(charts, "narrow")
    assert all(chart["effectiveFontPx"] >= 11 for chart in charts), charts
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    # The whole text of a recommendation is on screen, not in a tooltip.
    box = page.locator("svg.nen-flowchart--narrow a").first
    assert box.is_visible()
    assert "atrophic gastritis" in box.text_content()
    shoot(page, "flowchart-phone.png")


@pytest.mark.parametrize("width", [320, 600, 700, 960, 1024])
def test_charts_fit_at_every_width(open_context, site_url, width):
    """Between the phone and the desktop column the narrow drawing shows (the wide one once
    the frame has room for it); below 375 px the narrow one shrinks to fit."""
    page = open_charts(open_context, site_url, {"width": width, "height": 800})
    for chart in page.evaluate(MEASURE_CHARTS):
        assert chart["right"] <= chart["frameWidth"] + 0.5, (width, chart)
        assert not chart["scrollsInside"] and chart["overflowing"] == [], (width, chart)


def test_a_printed_chart_is_whole(open_context, site_url):
    pypdf = pytest.importorskip("pypdf")
    page = open_charts(open_context, site_url, A4)
    page.add_style_tag(content=CHARTS_ON_PAPER)
    page.emulate_media(media="print")
    charts = page.evaluate(MEASURE_CHARTS)
    assert_charts_fit(charts, "wide")
    # A page breaks between bands, never through a line of text.
    assert all(chart["breakInside"] == "avoid" for chart in charts)
    shoot(page, "flowchart-print.png")

    lines = page.evaluate("""() => [...document.querySelectorAll(
        'svg.nen-flowchart--wide a tspan, svg.nen-flowchart--wide g.note tspan')]
        .map(span => span.textContent)""")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (SHOTS / "flowchart-print.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    printed = " ".join(" ".join(sheet.extract_text() for sheet in reader.pages).split())
    # Every line of every recommendation and note box, the right-hand column, is on paper.
    missing = [line for line in lines if " ".join(line.split()) not in printed]
    assert len(lines) > 300 and missing == []


def test_charts_of_a_published_release_fit_the_paper(open_context, site_url):
    """2024.1 keeps its one-piece 884 px charts (its words are frozen): on screen they scroll
    inside their frame, never the page; on paper they shrink to the page's width."""
    page = open_context(viewport=PHONE).new_page()
    page.goto(site_url + "/2024.1/calculators/pathway/")
    frame = page.locator(".nen-flowchart-frame").first
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    page.set_viewport_size(A4)
    page.add_style_tag(content=CHARTS_ON_PAPER)
    page.emulate_media(media="print")
    widths = page.evaluate("""() => [...document.querySelectorAll('.nen-flowchart-frame')]
        .map(f => [f.querySelector('svg').getBoundingClientRect().width, f.clientWidth])""")
    assert widths and all(svg <= frame + 0.5 for svg, frame in widths)
