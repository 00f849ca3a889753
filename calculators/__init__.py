"""Pure-Python, stdlib-only calculators that run unchanged in CPython and in Pyodide."""
