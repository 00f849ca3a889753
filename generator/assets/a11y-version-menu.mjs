// The version menu's button says the version it shows ("2025.1 (draft)"), but the theme names
// it "Select version" for assistive technology. Someone using speech input says what they
// see, "click 2025.1", and nothing answers: WCAG 2.5.3 asks that the accessible name contain
// the visible text. The theme draws the button with script once it has read versions.json,
// so this module waits for it and gives it a name that starts with its visible text and
// keeps the theme's words after it: "2025.1 (draft), Select version".

const header = document.querySelector("[data-md-component=header]");

function nameAfterVisibleText(button) {
  const visible = button.textContent.replace(/\s+/g, " ").trim();
  const purpose = button.getAttribute("aria-label") || "";
  if (!visible || purpose.startsWith(visible)) return;
  button.setAttribute("aria-label", purpose ? `${visible}, ${purpose}` : visible);
}

function fixWhenDrawn() {
  const button = header?.querySelector(".md-version__current");
  if (button) nameAfterVisibleText(button);
  return Boolean(button);
}

if (header && !fixWhenDrawn()) {
  const watcher = new MutationObserver(() => {
    if (fixWhenDrawn()) watcher.disconnect();
  });
  watcher.observe(header, { childList: true, subtree: true });
}
