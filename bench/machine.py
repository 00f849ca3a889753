"""The machine a bench ran on, so figures from two machines are not compared by mistake."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1]
    except OSError:
        pass
    return "unknown"


def _command_output(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def load_average() -> str:
    """Other work on the machine slows every figure: the report says how busy it was."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def describe(chromium_version: str) -> list[tuple[str, str]]:
    memory_kb = int(_first("/proc/meminfo", "MemTotal").split()[0] or 0)
    os_name = _first("/etc/os-release", "PRETTY_NAME").strip('"')
    pyodide = json.loads((ROOT / "node_modules" / "pyodide" / "package.json")
                         .read_text(encoding="utf-8"))["version"]
    return [
        ("CPU", _first("/proc/cpuinfo", "model name")),
        ("cores (logical)", str(os.cpu_count())),
        ("RAM", f"{memory_kb / 1024 / 1024:.1f} GiB"),
        ("OS", f"{os_name}, Linux {platform.release()}"),
        ("Chromium", f"{chromium_version} (headless, Debian's /usr/bin/chromium)"),
        ("Node", _command_output("node", "--version")),
        ("Python", platform.python_version()),
        ("Pyodide (npm)", pyodide),
    ]
