// What every calculator page shares: the worker and its progress, reading the labelled form,
// the inputs in the URL (so a result can be shared and reopened), errors by field, citations.
// A page supplies only how to draw a successful result.
import { startCalculators } from "./calculator-client.mjs";

export function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

export function setupCalculatorPage({ calculator, prefix, showResult }) {
  const form = document.getElementById(`${prefix}-form`);
  const submit = document.getElementById(`${prefix}-submit`);
  const bar = document.getElementById(`${prefix}-progress`);
  const statusText = document.getElementById(`${prefix}-status-text`);
  const resultBox = document.getElementById(`${prefix}-result`);
  const references = JSON.parse(document.getElementById("nen-references").textContent);
  const fields = [...form.elements].filter((field) => field.name);
  let ready = false;

  let asked = 0; // answers to older questions are dropped
  const calculators = startCalculators({
    calculator,
    onProgress({ step, steps, text }) {
      bar.max = steps;
      bar.value = step;
      statusText.textContent = text;
    },
    onReady({ seconds }) {
      ready = true;
      bar.hidden = true;
      statusText.textContent = `Calculator ready (loaded in ${seconds.toFixed(1)} s).`;
      submit.disabled = false;
      if (location.search.length > 1) run(); // a shared link: show its result at once
    },
    onFailure(message) {
      statusText.textContent = `The calculator could not start: ${message}`;
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

  // Form fields deliver strings; the calculator parses and validates them, so the browser and
  // the command line share one set of rules. Empty means "not given".
  function valueOf(field) {
    if (field.type === "checkbox") return field.checked;
    const value = isShown(field) ? field.value.trim() : "";
    if (value === "") return null;
    if (field.dataset.kind === "bool") return value === "true";
    return value;
  }

  function readInputs() {
    return Object.fromEntries(fields.map((field) => [field.name, valueOf(field)]));
  }

  function readUrl() {
    const params = new URLSearchParams(location.search);
    for (const field of fields) {
      const value = params.get(field.dataset.param);
      if (value === null) continue;
      if (field.type === "checkbox") field.checked = value === "true";
      else if (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === value)) {
        field.value = value; // an unknown value in a shared link must not blank a select
      }
    }
  }

  function shareUrl() {
    const params = new URLSearchParams();
    for (const field of fields) {
      if (!isShown(field)) continue;
      if (field.type === "checkbox") {
        if (field.checked) params.set(field.dataset.param, "true");
      } else if (field.value.trim() !== "") {
        params.set(field.dataset.param, field.value.trim());
      }
    }
    return `${location.pathname}?${params}`;
  }

  function citationLinks(ids) {
    const span = element("span", undefined, "nen-result__citations");
    for (const id of ids || []) {
      const ref = references[id];
      if (!ref) continue;
      const link = element("a", `[${ref.number}]`);
      link.href = ref.url;
      link.title = ref.title;
      span.append(link);
    }
    return span;
  }

  function showErrors(errors) {
    resultBox.append(element("p", "Please correct the input:", "nen-result__heading"));
    const list = element("ul", undefined, "nen-result__errors");
    for (const error of errors) {
      const field = form.elements[error.field];
      const label = field && form.querySelector(`label[for="${field.id}"]`)?.textContent;
      list.append(element("li", `${label || error.field}: ${error.message}`));
      field?.setAttribute("aria-invalid", "true");
    }
    resultBox.append(list);
  }

  async function run() {
    if (!ready) return;
    // Read the form once: edits made while the worker answers belong to the next question.
    const inputs = readInputs();
    const url = shareUrl();
    const question = ++asked;
    let result;
    try {
      result = await calculators.evaluate(calculator, inputs);
    } catch (error) {
      resultBox.replaceChildren(element("p", `The calculation failed: ${error.message}`));
      return;
    }
    if (question !== asked) return;
    resultBox.replaceChildren();
    for (const field of fields) field.removeAttribute("aria-invalid");
    if (result.ok) showResult(result, resultBox, { citationLinks, inputs });
    else showErrors(result.errors);
    history.replaceState(null, "", url);
    const share = element("p", undefined, "nen-result__share");
    const link = element("a", "Link to this result");
    link.href = url;
    share.append(link);
    resultBox.append(share);
    // Counts answers, so a reader (or a test) can tell a new result from the previous one.
    resultBox.dataset.answers = String(Number(resultBox.dataset.answers || 0) + 1);
  }

  readUrl();
  updateVisibility();
  form.addEventListener("change", updateVisibility);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
}
