"""A build killed at any instant leaves a whole site (the old one or the new one), leaves no
MkDocs running, and the next build removes what the killed one left behind."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, edit
from generator import swap

KILLS = 24


def tree(site: Path) -> dict[str, str]:
    return {str(path.relative_to(site)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def start_build(content: Path, site: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator.cli", "--content", str(content),
                             "build", "--site", str(site)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def mkdocs_of(folder: Path) -> list[int]:
    """Processes whose command line names a build work folder beside the site."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "mkdocs" in command and str(folder / swap.WORK_PREFIX) in command:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads running processes from /proc")
def test_a_build_killed_anywhere_leaves_a_whole_site(tmp_path):
    contents = []
    for variant in ("one", "two"):  # two versions of the content, built in turn
        content = tmp_path / variant / "content"
        content.parent.mkdir()
        (content.parent / "site").mkdir()
        shutil.copytree(FIXTURES / "minimal", content)
        edit(content / "nen/2025.1/treatment.yaml", "Start from the grade",
             f"Start ({variant}) from the grade")
        contents.append(content)
    site = tmp_path / "served" / "site"
    site.parent.mkdir()
    trees, durations = [], []
    for content in contents:  # the two whole sites a kill may leave
        began = time.perf_counter()
        assert start_build(content, site).wait() == 0
        durations.append(time.perf_counter() - began)
        trees.append(tree(site))
    assert trees[0] != trees[1]
    rng = random.Random(10)
    for kill in range(KILLS):
        build = start_build(contents[kill % 2], site)
        time.sleep(rng.uniform(0, max(durations) * 1.1))
        build.send_signal(signal.SIGKILL)
        build.wait()
        assert site.is_dir(), f"kill {kill}: no site"
        assert tree(site) in trees, f"kill {kill}: a site that is neither the old nor the new"
        deadline = time.monotonic() + 5
        while mkdocs_of(site.parent) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mkdocs_of(site.parent) == [], f"kill {kill}: MkDocs still running"
    assert start_build(contents[0], site).wait() == 0
    assert tree(site) == trees[0]
    left = sorted(p.name for p in site.parent.iterdir() if p.name != "site")
    assert left == [], left  # the killed builds' work folders are gone


def test_recover_puts_back_a_site_left_between_two_renames(tmp_path):
    """Where RENAME_EXCHANGE is missing, two renames are used: a kill between them leaves the
    old site in the dead build's work folder, and the next run puts it back."""
    site = tmp_path / "site"
    dead = tmp_path / f"{swap.WORK_PREFIX}999999999-abc"
    (dead / swap.RETIRED).mkdir(parents=True)
    (dead / swap.RETIRED / ".nenguide-site").write_text("x")
    (dead / swap.RETIRED / "index.html").write_text("old")
    assert swap.recover(site, ".nenguide-site") == [dead]
    assert (site / "index.html").read_text() == "old" and not dead.exists()


def test_recover_leaves_a_running_build_alone(tmp_path):
    mine = tmp_path / f"{swap.WORK_PREFIX}{os.getpid()}-abc"
    mine.mkdir()
    assert swap.recover(tmp_path / "site", ".nenguide-site") == []
    assert mine.is_dir()
