// Wide tables on a narrow screen. The theme's content partial puts every table in a focusable
// scroll region (.nen-table-scroll, built into the page); this module does the two things that
// depend on the reader's screen and on the page around the table:
//
//  - names each region after the table's caption, where the table has one, so a screen reader
//    says which table the focused region holds instead of a bare "Table";
//  - while a table is wider than its region, shows a "scroll sideways" hint above it, so a
//    reader on a phone knows there are more columns. The hint is hidden from screen readers
//    (they read every column whatever the width) and is not part of the page's words.

const HINT_TEXT = "Scroll sideways to see the whole table →";

function nameAfterCaption(region) {
  const caption = region.previousElementSibling;
  if (caption?.matches(".nen-table-caption[id]")) {
    region.removeAttribute("aria-label");
    region.setAttribute("aria-labelledby", caption.id);
  }
}

function addHint(region) {
  const hint = document.createElement("p");
  hint.className = "nen-scroll-hint";
  hint.setAttribute("aria-hidden", "true");
  hint.textContent = HINT_TEXT;
  hint.hidden = true;
  region.before(hint);
  return hint;
}

function showHintWhileTooWide(region, hint) {
  const update = () => {
    const tooWide = region.scrollWidth > region.clientWidth + 1; // +1: sub-pixel rounding
    hint.hidden = !tooWide;
    region.toggleAttribute("data-too-wide", tooWide);
  };
  const watcher = new ResizeObserver(update);
  watcher.observe(region);
  // The theme wraps the table after this module may have run; the table's own size is what
  // changes when it does, and when fonts or the viewport change.
  const table = region.querySelector("table");
  if (table) watcher.observe(table);
  update();
}

for (const region of document.querySelectorAll(".nen-table-scroll")) {
  nameAfterCaption(region);
  showHintWhileTooWide(region, addHint(region));
}
