// Baseline: the stock way to start Pyodide, on the same files the calculators use.
// ?runtime=<folder of pyodide.mjs>&lock=<a version's pyodide-lock.json> (the shared runtime has
// no lock file of its own). Marks "nen-bench:" stages and sets data-answers when done, as the
// calculator pages do, so the bench reads every page the same way.
const params = new URLSearchParams(location.search);
const runtime = new URL(params.get("runtime"), location.href).href;
const { loadPyodide } = await import(runtime + "pyodide.mjs");
performance.mark("nen-bench:pyodide.mjs imported");
const pyodide = await loadPyodide({
  indexURL: runtime,
  lockFileURL: new URL(params.get("lock"), location.href).href,
});
performance.mark("nen-bench:loadPyodide() done");
pyodide.runPython("1 + 1");
document.body.dataset.answers = "1";
