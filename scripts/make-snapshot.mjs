// Makes a memory snapshot of Pyodide with the calculators imported, at build time, offline.
//
//   node scripts/make-snapshot.mjs <pyodide folder> <stdlib zip> <calc folder> <output>
//
// Even with the precompiled standard library, a start spends most of its time running
// Python's start-up and importing the calculators. A memory snapshot is the WebAssembly memory
// of a Pyodide that has done both: the worker hands it to loadPyodide (`_loadSnapshot`) and
// skips that work. The snapshot options are Pyodide internals (`_makeSnapshot`,
// `makeMemorySnapshot`); the worker falls back to the normal start on any problem.
//
// A snapshot holds memory, not files: the wheel's files are gone after a restore, so every
// module of the calculators is imported here, and each calculator is called on a few inputs so
// that whatever the standard library imports lazily on the way is imported too. The snapshot
// must be restored with the same standard library zip (zipimport keeps its directory in
// memory) and the same Pyodide build (loadPyodide refuses another build id).
// <calc folder> holds the calculators wheel, its pyodide-lock.json and rules/<name>.json.
// The output is gzipped (Node's zlib, no time stamp): 31 MB of memory is about 5 MB; the
// worker unpacks it with DecompressionStream.
// generator/snapshot_cache.py runs this script and caches its output by its inputs' hash.

import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [pyodideDir, stdlibZip, calcDir, output] =
  process.argv.slice(2).map((arg) => arg && path.resolve(arg));
if (!pyodideDir || !stdlibZip || !calcDir || !output) {
  process.stderr.write("usage: node make-snapshot.mjs <pyodide folder> <stdlib zip> " +
                       "<calc folder> <output>\n");
  process.exit(2);
}

const toStderr = (text) => process.stderr.write(`${text}\n`);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
// File-system paths, not file:// URLs: see tests/pyodide_runner.mjs.
const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  lockFileURL: path.join(calcDir, "pyodide-lock.json"),
  packageBaseUrl: calcDir + path.sep,
  stdLibURL: stdlibZip,
  _makeSnapshot: true,
  stdout: toStderr,
  stderr: toStderr,
});
const problems = [];
await pyodide.loadPackage("nenguide-calculators", {
  messageCallback: toStderr,
  errorCallback: (message) => problems.push(message),
});
if (problems.length) throw new Error(`the calculators wheel did not load: ${problems}`);

// The version's rules, by calculator name, as the worker passes them.
const rulesDir = path.join(calcDir, "rules");
const rules = {};
for (const name of (await readdir(rulesDir)).filter((file) => file.endsWith(".json"))) {
  rules[name.slice(0, -".json".length)] = await readFile(path.join(rulesDir, name), "utf8");
}
pyodide.globals.set("version_rules", pyodide.toPy(rules));

// Import every module, then call each calculator on fixed inputs (answers, refusals, a
// misspelt key, invalid JSON) so the paths that import lazily have run; the parsed-rules
// cache is emptied again, so the snapshot holds modules, not answers.
const WARM_UP = `
import importlib, json, pkgutil
import calculators
for module in pkgutil.iter_modules(calculators.__path__):
    importlib.import_module(f"calculators.{module.name}")
from calculators import json_api

INPUTS = [
    {"site": "pancreas", "differentiation": "well", "ki67_percent": 5, "mitoses_per_2mm2": 1},
    {"site": "lung", "differentiation": "poor", "mitoses_per_2mm2": 11},
    {"site": "pancras", "differentiation": "well", "ki67": "5%"},
    {},
]
for name in json_api.CALCULATORS:
    rules_json = version_rules.get(name, "{}")
    for inputs in INPUTS:
        json_api.run(name, json.dumps(inputs), rules_json)
    json_api.run(name, "{not json", rules_json)
json_api._rules.cache_clear()
del version_rules
`;
pyodide.runPython(WARM_UP);

// The JS-side record of loaded packages holds values the snapshot cannot carry
// ("Unexpected hiwire entry"); the worker does not load the package again after a restore.
for (const name of Object.keys(pyodide.loadedPackages)) delete pyodide.loadedPackages[name];
const snapshot = pyodide.makeMemorySnapshot();
await writeFile(output, gzipSync(snapshot, { level: 6 }));
process.exit(0);
