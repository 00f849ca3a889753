// Runs calculators.json_api.run inside Pyodide under Node, for tests/test_pyodide_parity.py
// and tests/test_snapshot.py.
//
//   node tests/pyodide_runner.mjs <package folder> <pyodide folder> [<stdlib zip> <snapshot>]
//         < cases.jsonl
//
// <package folder> holds the calculators wheel and its pyodide-lock.json, as written by
// generator.runtime.write_calculator_package; <pyodide folder> is node_modules/pyodide.
// With a standard library zip and a gzipped memory snapshot (generator/snapshot_cache.py),
// Pyodide starts as generator/assets/calc/worker.mjs starts it: from the snapshot, or, if that
// fails in any way, normally with the wheel (the header's "start" says which).
// stdin: JSON Lines, each {"calculator", "inputs_json", "rules_json"} (all strings).
// stdout, and nothing else on it:
//   line 1: a header {"runner": "pyodide", "python": ..., "platform": ..., "module": ...,
//           "start": "snapshot" | "normal"} that proves where the code ran;
//   then, for each input line, exactly the string json_api.run returned, on its own line
//           (json.dumps escapes newlines inside strings, so a result never spans two lines;
//           json_api.dumps guarantees valid UTF-8, so Node writes it unchanged).
//   A call that throws gives the line "RUNNER-ERROR <message>" in its place.
// Pyodide's loading messages and anything Python prints go to stderr.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

const [packageDir, pyodideDir, stdlibZip, snapshotFile] =
  process.argv.slice(2).map((arg) => arg && path.resolve(arg));
if (!packageDir || !pyodideDir) {
  process.stderr.write("usage: node pyodide_runner.mjs <package folder> <pyodide folder> " +
                       "[<stdlib zip> <snapshot>]\n");
  process.exit(2);
}

const toStderr = (text) => process.stderr.write(`${text}\n`);

// The same options as generator/assets/calc/worker.mjs, but as file-system paths, not
// file:// URLs. Under Node, Pyodide 314 resolves indexURL with path.resolve (a file:// URL
// becomes "<cwd>/file:/..."), reads the lock file with fs.readFile(lockFileURL) (a "file://..."
// string is taken as a relative path: ENOENT), and uses packageBaseUrl also as the package cache
// folder: given a file:// URL it misses the "cache", loads the wheel from the URL and then
// writes a copy of it into "<cwd>/file:/...". With plain absolute paths (ending in "/", since
// Pyodide appends file names) it reads everything in place and writes nothing.
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const options = {
  indexURL: pyodideDir + path.sep,
  lockFileURL: path.join(packageDir, "pyodide-lock.json"),
  packageBaseUrl: packageDir + path.sep,
  // By default Python's stdout and stderr go to console.log/console.warn; keep stdout clean.
  stdout: toStderr,
  stderr: toStderr,
  ...(stdlibZip ? { stdLibURL: stdlibZip } : {}),
};

// Like the worker: the snapshot is a shortcut, and any failure means the normal start.
async function fromSnapshot() {
  try {
    const memory = gunzipSync(await readFile(snapshotFile));
    const started = await loadPyodide({ ...options, _loadSnapshot: memory });
    started.pyimport("calculators.json_api");
    return started;
  } catch (error) {
    toStderr(`The calculator starts without its snapshot: ${error}`);
    return null;
  }
}

async function normally() {
  const started = await loadPyodide(options);
  await started.loadPackage("nenguide-calculators", {
    messageCallback: toStderr, // "Loading nenguide-calculators" etc. would go to console.log
    errorCallback: toStderr,
  });
  return started;
}

let pyodide = snapshotFile ? await fromSnapshot() : null;
const start = pyodide ? "snapshot" : "normal";
pyodide ??= await normally();
// Note: reading the wheel from a local folder, Pyodide does not check the lock file's sha256
// (the browser's fetch does); tests/test_runtime.py checks that hash instead.

const header = pyodide.runPython(`
import json, platform, sys
import calculators.json_api
json.dumps({"runner": "pyodide", "python": platform.python_version(),
            "implementation": sys.implementation.name, "platform": sys.platform,
            "module": calculators.json_api.__file__})
`);
const out = [JSON.stringify({ ...JSON.parse(header), pyodide: pyodide.version, start })];

const run = pyodide.pyimport("calculators.json_api").run;
// Read stdin as a stream: readFileSync(0) fails with EAGAIN when stdin is a non-blocking pipe.
let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
for (const line of input.split("\n")) {
  if (line.trim() === "") continue;
  try {
    const { calculator, inputs_json, rules_json } = JSON.parse(line);
    out.push(run(calculator, inputs_json, rules_json));
  } catch (error) {
    out.push(`RUNNER-ERROR ${String(error).replaceAll("\n", " | ")}`);
  }
}
run.destroy();

// One write, then exit once it is flushed (Pyodide may keep the event loop alive).
process.stdout.write(out.join("\n") + "\n", () => process.exit(0));
