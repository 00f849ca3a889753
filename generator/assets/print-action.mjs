// The Print button of every page (theme partial nen-print.html). It is built hidden, so a
// reader without scripts never sees a button that does nothing; here it is shown and wired to
// the browser's print dialog. What goes on paper is decided by print.css.
for (const button of document.querySelectorAll("button[data-nen-print]")) {
  button.addEventListener("click", () => window.print());
  button.hidden = false;
}
