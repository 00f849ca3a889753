// What every calculator page shares: the worker and its progress, reading the labelled form,
// the inputs in the URL (so a result can be shared and reopened), errors tied to their fields,
// the inputs a result used, and a result that never outlives the form it answered.
// A page supplies only how to draw a successful answer.
import { startCalculators } from "./calculator-client.mjs";

export function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// A link that carries the answer (share, hand-off): disabled while the answer is out of date.
export function resultLink(text, href, className) {
  const link = element("a", text, className);
  link.href = href;
  link.dataset.resultLink = href;
  return link;
}

// A download that takes longer than this shows how much of it has arrived.
const SLOW_DOWNLOAD_MS = 1000;

export function setupCalculatorPage({ calculator, prefix, showResult }) {
  const form = document.getElementById(`${prefix}-form`);
  const status = document.getElementById(`${prefix}-status`);
  const bar = document.getElementById(`${prefix}-progress`);
  const statusText = document.getElementById(`${prefix}-status-text`);
  const percent = document.getElementById(`${prefix}-status-percent`);
  const resultBox = document.getElementById(`${prefix}-result`);
  const references = JSON.parse(document.getElementById("nen-references").textContent);
  const fields = [...form.elements].filter((field) => field.name);
  let ready = false;
  let waiting = false; // a question asked before the runtime was ready
  let asked = 0; // answers to older questions are dropped
  let answered = null; // {key, url} of the form state the shown result answers

  const startedAt = performance.now();
  let stage = 0;

  // The stage in words is announced; the share of the download that has arrived is shown
  // (and on the bar) only while a slow download lasts, and not announced at every step.
  function showProgress({ step, steps, text, loaded, total }) {
    if (step < stage) return; // a byte count that arrives after the download has ended
    stage = step;
    const fraction = step === 1 && total ? Math.min(loaded / total, 1) : 0;
    bar.max = steps;
    bar.value = step - 1 + fraction;
    const slow = performance.now() - startedAt > SLOW_DOWNLOAD_MS;
    percent.textContent = step === 1 && total && slow ? `${Math.floor(100 * fraction)} %` : "";
    // Rewriting the same words would make some screen readers say them again.
    if (!waiting && statusText.textContent !== text) statusText.textContent = text;
  }

  const calculators = startCalculators({
    calculator,
    onProgress: showProgress,
    onReady({ seconds }) {
      ready = true;
      status.dataset.state = "ready";
      bar.hidden = true;
      percent.textContent = "";
      if (!waiting) statusText.textContent = `Calculator ready (loaded in ${seconds.toFixed(1)} s).`;
    },
    onFailure(message) {
      status.dataset.state = "failed";
      bar.hidden = true;
      percent.textContent = "";
      statusText.textContent = `The calculator could not start: ${message}. Reload the page to try again.`;
    },
  });

  // Fields that apply only in some situations are hidden otherwise, and not sent.
  function updateVisibility() {
    for (const wrapper of form.querySelectorAll("[data-show-when]")) {
      const [name, value] = wrapper.dataset.showWhen.split("=");
      wrapper.hidden = form.elements[name].value !== value;
    }
  }

  const isShown = (field) => !field.closest("[data-show-when]")?.hidden;

  // Form fields deliver text; the calculator reads and checks it ("2,5" is 2.5), so the browser
  // and the command line share one set of rules. Empty means "not given".
  function valueOf(field) {
    if (field.type === "checkbox") return field.checked;
    const value = isShown(field) ? field.value.trim() : "";
    if (value === "") return null;
    if (field.dataset.kind === "bool") return value === "true";
    return value;
  }

  // A list input is a group of boxes with one name: the ticked values, in form order.
  const isList = (field) => field.dataset.kind === "list";

  function readInputs() {
    const inputs = {};
    for (const field of fields) {
      if (isList(field)) {
        inputs[field.name] ??= [];
        if (field.checked && isShown(field)) inputs[field.name].push(field.value);
      } else {
        inputs[field.name] = valueOf(field);
      }
    }
    return inputs;
  }

  function readUrl() {
    const params = new URLSearchParams(location.search);
    let given = false;
    for (const field of fields) {
      const value = params.get(field.dataset.param);
      if (value === null) continue;
      given = true;
      if (isList(field)) field.checked = value.split(",").includes(field.value);
      else if (field.type === "checkbox") field.checked = value === "true";
      else if (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === value)) {
        field.value = value; // an unknown value in a shared link must not blank a select
      }
    }
    return given;
  }

  // The form as a query string: the share link, and the key that tells whether the form still
  // says what the shown result answered.
  function formQuery() {
    const params = new URLSearchParams();
    for (const field of fields) {
      if (!isShown(field)) continue;
      if (isList(field)) {
        if (!field.checked) continue;
        const before = params.get(field.dataset.param);
        params.set(field.dataset.param, before ? `${before},${field.value}` : field.value);
      } else if (field.type === "checkbox") {
        if (field.checked) params.set(field.dataset.param, "true");
      } else if (field.value.trim() !== "") {
        params.set(field.dataset.param, field.value.trim());
      }
    }
    return params.toString();
  }

  function citationLinks(ids) {
    const span = element("span", undefined, "nen-result__citations");
    for (const id of ids || []) {
      const ref = references[id];
      if (!ref) continue;
      const link = element("a", `[${ref.number}]`);
      link.href = ref.url;
      link.title = ref.title;
      link.setAttribute("aria-label", `Reference ${ref.number}: ${ref.title}`);
      span.append(link);
    }
    return span;
  }

  // "Based on: …": every input the answer used, in the form's words, as the calculator read
  // them, so a misread number would show ("Ki-67 index: 2.5 % (typed “2,5”)").
  function statedInputs(items) {
    const box = element("div", undefined, "nen-result__inputs");
    box.append(element("span", "Based on: ", "nen-result__inputs-label"));
    const list = element("ul");
    for (const item of items || []) list.append(element("li", `${item.label}: ${item.value}`));
    box.append(list);
    return box;
  }

  function heading(text) {
    const node = element("h2", text, "nen-result__heading");
    node.tabIndex = -1; // focus moves here when an answer arrives
    return node;
  }

  // --- errors, each tied to its field -------------------------------------------------------
  function fieldOf(name) {
    const field = form.elements[name];
    if (field instanceof RadioNodeList) return field[0] ?? null; // a list: its first box
    return field instanceof Element ? field : null;
  }

  const errorSlot = (field) =>
    document.getElementById(field.dataset.errorSlot || `${field.id}-error`);

  function clearFieldErrors() {
    for (const field of fields) {
      field.removeAttribute("aria-invalid");
      const slot = errorSlot(field);
      if (slot) {
        slot.hidden = true;
        slot.textContent = "";
      }
      const described = (field.getAttribute("aria-describedby") || "").split(" ")
        .filter((id) => id && id !== slot?.id);
      if (described.length) field.setAttribute("aria-describedby", described.join(" "));
      else field.removeAttribute("aria-describedby");
    }
  }

  function markField(field, message) {
    field.setAttribute("aria-invalid", "true");
    const slot = errorSlot(field);
    if (!slot) return;
    slot.textContent = message;
    slot.hidden = false;
    const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    field.setAttribute("aria-describedby", [...described, slot.id].join(" "));
  }

  // Returns the element that should take focus: the first field in error, else the summary.
  function showErrors(errors) {
    const needsOnly = errors.every((error) => error.kind === "missing");
    const title = needsOnly ? "To answer, the calculator needs:" : "Please correct the input:";
    const summary = heading(title);
    resultBox.append(summary);
    const list = element("ul", undefined, "nen-result__errors");
    let first = null;
    for (const error of errors) {
      const field = fieldOf(error.field);
      const item = element("li");
      if (field && isShown(field)) {
        const link = element("a", error.label);
        link.href = `#${field.id}`;
        link.addEventListener("click", (event) => {
          event.preventDefault();
          field.focus();
        });
        item.append(link, `: ${error.message}`);
        markField(field, error.message);
        first ??= field;
      } else {
        item.textContent = `${error.label}: ${error.message}`;
      }
      list.append(item);
    }
    resultBox.append(list);
    const names = errors.map((error) => error.label).join(", ");
    announce(needsOnly ? `Needed: ${names}.` : `Please correct: ${names}.`);
    return first || summary;
  }

  function announce(text) {
    statusText.textContent = text;
  }

  // --- out of date ---------------------------------------------------------------------------
  // Any change to the form after an answer marks the answer out of date at once, and disables
  // the links that carry it, until it is asked again (or the form is changed back).
  function markStale() {
    if (!answered) return;
    const stale = formQuery() !== answered.key;
    if (stale === resultBox.classList.contains("nen-result--stale")) return;
    resultBox.classList.toggle("nen-result--stale", stale);
    resultBox.querySelector(".nen-result__stale")?.remove();
    for (const link of resultBox.querySelectorAll("[data-result-link]")) {
      if (stale) {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
      } else {
        link.href = link.dataset.resultLink;
        link.removeAttribute("aria-disabled");
      }
    }
    const button = form.querySelector("button[type=submit]").textContent;
    if (stale) {
      const notice = element("p", `Out of date: the form has changed since this answer. Press ` +
                                  `“${button}” to update it.`, "nen-result__stale");
      resultBox.prepend(notice);
      announce(`The answer is out of date; press “${button}” to update it.`);
    }
    // The address bar never carries a result the form no longer shows.
    history.replaceState(null, "", stale ? location.pathname : answered.url);
  }

  // --- asking --------------------------------------------------------------------------------
  async function run({ moveFocus = true } = {}) {
    // Read the form once: edits made while the worker answers make the answer out of date.
    const inputs = readInputs();
    const key = formQuery();
    const url = `${location.pathname}?${key}`;
    const question = ++asked;
    if (!ready) {
      waiting = true;
      announce("Your answer will appear as soon as the calculator has loaded.");
    }
    let result;
    try {
      result = await calculators.evaluate(calculator, inputs);
    } catch (error) {
      if (question !== asked) return;
      resultBox.replaceChildren(element("p", `The calculation failed: ${error.message}`));
      announce(`The calculation failed: ${error.message}`);
      return;
    }
    if (question !== asked) return;
    waiting = false;
    // A run started by the page itself (a shared link) must not pull focus from a reader
    // who has started to use the page meanwhile.
    const focusFree = document.activeElement === document.body || !document.activeElement;
    resultBox.replaceChildren();
    resultBox.classList.remove("nen-result--stale");
    clearFieldErrors();
    let target;
    if (result.ok) {
      const summary = showResult(result, resultBox, { citationLinks, heading, inputs });
      target = resultBox.querySelector(".nen-result__heading");
      target.after(statedInputs(result.stated_inputs)); // right under the answer it explains
      announce(summary || "Answer ready.");
    } else {
      target = showErrors(result.errors);
    }
    answered = { key, url };
    history.replaceState(null, "", url);
    const share = element("p", undefined, "nen-result__share");
    share.append(resultLink("Link to this result", url));
    resultBox.append(share);
    markStale(); // the form may have changed while the worker answered
    // Counts answers, so a reader (or a test) can tell a new result from the previous one.
    resultBox.dataset.answers = String(Number(resultBox.dataset.answers || 0) + 1);
    if (target && (moveFocus || focusFree)) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: target.matches("input, select") ? "center" : "start" });
    }
  }

  const fromUrl = readUrl();
  updateVisibility();
  form.addEventListener("change", updateVisibility);
  for (const type of ["input", "change"]) form.addEventListener(type, markStale);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  // A shared link (or a hand-off) asks at once; the worker answers when it is ready.
  if (fromUrl) run({ moveFocus: false });
  return { form, readUrl };
}
