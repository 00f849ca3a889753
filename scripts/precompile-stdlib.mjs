// Precompiles Pyodide's standard library to bytecode, at build time, offline.
//
//   node scripts/precompile-stdlib.mjs <pyodide folder> <output zip>
//
// Pyodide's python_stdlib.zip holds .py files only, so every page load spends most of
// loadPyodide() compiling the modules Python imports at start-up. This script loads the pinned
// npm Pyodide under Node, so the bytecode comes from exactly the Python the browser runs, and
// writes a copy of the zip in which every module is a .pyc in place of its .py. The worker
// loads that copy through loadPyodide's public `stdLibURL` option.
//
// The .pyc files are "unchecked hash-based" (PEP 552): Python uses them without looking for a
// source, and they hold no timestamp. The .py files are left out: keeping them for the source
// lines of tracebacks would add 2.5 MB to every first visit, and the calculators never let an
// exception out. Entries keep the input's order and get a fixed date, so the same inputs
// always give the same bytes.
// generator/stdlib_cache.py runs this script and caches its output by the hash of its inputs.

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, output] = process.argv.slice(2).map((arg) => arg && path.resolve(arg));
if (!pyodideDir || !output) {
  process.stderr.write("usage: node precompile-stdlib.mjs <pyodide folder> <output zip>\n");
  process.exit(2);
}

const toStderr = (text) => process.stderr.write(`${text}\n`);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  stdout: toStderr,
  stderr: toStderr,
});

// Inside Pyodide, the standard library is the zip at /lib/pythonXY.zip on sys.path: read it
// there, and give each code object the file name the import system would give it, so that
// tracebacks read the same as with the plain zip.
const COMPILE = `
import importlib.util, io, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

ZIP_DATE = (2020, 1, 1, 0, 0, 0)
stdlib = f"/lib/python{sys.version_info.major}{sys.version_info.minor}.zip"

def entry(name):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.external_attr = (0o40755 if name.endswith("/") else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info

def bytecode(name, source):
    code = compile(source, f"{stdlib}/{name}", "exec", dont_inherit=True, optimize=0)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))

compiled = skipped = 0
out = io.BytesIO()
with zipfile.ZipFile(stdlib) as source_zip, zipfile.ZipFile(out, "w") as target:
    for name in source_zip.namelist():
        data = source_zip.read(name)
        if name.endswith(".py"):
            try:
                target.writestr(entry(name + "c"), bytecode(name, data))
                compiled += 1
                continue
            except SyntaxError:  # a file that is not meant to be imported: it stays as source
                skipped += 1
        target.writestr(entry(name), data)
print(f"{compiled} modules compiled, {skipped} left as source", file=sys.stderr)
out.getvalue()
`;
const zipBytes = pyodide.runPython(COMPILE).toJs();
await writeFile(output, zipBytes);
process.exit(0);
