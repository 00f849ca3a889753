// The only file that knows about Pyodide. Runs as a module Web Worker (Pyodide 314 has no
// classic-worker build) so loading the runtime never freezes the page.
//
// Messages in:  {id, calculator, inputs}
// Messages out: {type: "progress", step, steps, text} | {type: "ready", seconds}
//               {type: "result", id, json} | {type: "failure", id, message}

// One shared runtime per site, next to the version folders: site/_pyodide/.
// This file is site/<version>/assets/calc/worker.mjs.
const RUNTIME_URL = new URL("../../../_pyodide/", import.meta.url).href;
// The calculators wheel, its lock file and the rules belong to this version.
const PACKAGE_URL = new URL("./", import.meta.url).href;
const rulesCache = new Map();

// The version's rules for one calculator, as JSON text (fetched once).
function rulesFor(calculator) {
  if (!rulesCache.has(calculator)) {
    const rules = fetch(new URL(`rules/${calculator}.json`, PACKAGE_URL)).then((response) => {
      if (!response.ok) throw new Error(`no rules for ${calculator} (${response.status})`);
      return response.text();
    });
    rules.catch(() => rulesCache.delete(calculator)); // try again on the next call
    rulesCache.set(calculator, rules);
  }
  return rulesCache.get(calculator);
}
const STEPS = 4;

function progress(step, text) {
  self.postMessage({ type: "progress", step, steps: STEPS, text });
}

async function start() {
  const started = performance.now();
  progress(1, "Loading the Python runtime…");
  const { loadPyodide } = await import(RUNTIME_URL + "pyodide.mjs");
  const pyodide = await loadPyodide({
    indexURL: RUNTIME_URL,
    lockFileURL: PACKAGE_URL + "pyodide-lock.json",
    packageBaseUrl: PACKAGE_URL,
  });
  progress(2, "Loading the calculators…");
  await pyodide.loadPackage("nenguide-calculators", { messageCallback: () => {} });
  progress(3, "Starting…");
  const run = pyodide.pyimport("calculators.json_api").run;
  progress(4, "Ready.");
  self.postMessage({ type: "ready", seconds: (performance.now() - started) / 1000 });
  return run;
}

const ready = start();
// Fetch the page's rules while the runtime loads (a failure is reported on first use).
const pageCalculator = new URL(import.meta.url).searchParams.get("calculator");
if (pageCalculator) rulesFor(pageCalculator).catch(() => {});
ready.catch((error) => self.postMessage({ type: "failure", id: null, message: String(error) }));

self.onmessage = async (event) => {
  const { id, calculator, inputs } = event.data;
  try {
    const [run, rules] = await Promise.all([ready, rulesFor(calculator)]);
    self.postMessage({ type: "result", id, json: run(calculator, JSON.stringify(inputs), rules) });
  } catch (error) {
    self.postMessage({ type: "failure", id, message: String(error) });
  }
};
