"""Build and check figures on synthetic content trees, each beside plain MkDocs.

Trees are made in a temporary folder from the newest draft (the real content/ and releases/
are only read):
  - N releases: N copies of the draft as versions <year>.1 … <year>.N;
  - 10× guideline: one version whose every section is there ten times (sections, subsections
    and recommendations renamed `<id>-x<k>`), so recommendations and pages grow tenfold.
The baseline is `mkdocs build` of the very Markdown nenguide renders for the same tree, run
once per version as the build does: what loading, checking, rendering and assembling add.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from generator import build, content, render
from generator.model import Release

ROOT = Path(__file__).resolve().parent.parent
NENGUIDE = Path(sys.executable).parent / "nenguide"
MKDOCS_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ID_LINE = re.compile(r"^(\s*(?:- )?id: )\"?([A-Za-z0-9_.-]+)\"?\s*$", re.MULTILINE)


def draft_folder() -> Path:
    guideline = content.load_guidelines(ROOT / "content")[0]
    return guideline.current.folder


def releases_tree(work: Path, count: int) -> Path:
    """A content folder with `count` drafts, all copies of today's draft."""
    draft = draft_folder()
    guideline_root = work / "content" / draft.parent.name
    guideline_root.mkdir(parents=True)
    shutil.copy(draft.parent / "guideline.yaml", guideline_root)
    year = draft.name.split(".")[0]
    for number in range(1, count + 1):
        copy = guideline_root / f"{year}.{number}"
        shutil.copytree(draft, copy)
        _set_release_field(copy, "version", f'"{year}.{number}"')
    return work / "content"


def scaled_tree(work: Path, factor: int) -> Path:
    """A content folder with one draft whose sections are each there `factor` times."""
    root = releases_tree(work, 1)
    version = next(p for p in (root).glob("*/*") if p.is_dir())
    sections = yaml.safe_load((version / "release.yaml").read_text(encoding="utf-8"))["sections"]
    names = list(sections)
    for copy in range(2, factor + 1):
        for section in sections:
            text = (version / f"{section}.yaml").read_text(encoding="utf-8")
            renamed = ID_LINE.sub(lambda m: f'{m.group(1)}"{m.group(2)}-x{copy}"', text)
            (version / f"{section}-x{copy}.yaml").write_text(renamed, encoding="utf-8")
            names.append(f"{section}-x{copy}")
    _set_release_field(version, "sections", "[" + ", ".join(names) + "]")
    return root


def _set_release_field(version: Path, name: str, value: str) -> None:
    path = version / "release.yaml"
    text, count = re.subn(rf"^{name}:.*$", f"{name}: {value}", path.read_text(encoding="utf-8"),
                          count=1, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit(f"bench: {path} has no top-level `{name}:` line to change")
    path.write_text(text, encoding="utf-8")


def count_recommendations(content_root: Path) -> int:
    guideline = content.load_guidelines(content_root)[0]
    return sum(len(subsection.recommendations) for version in guideline.all_versions()
               if not isinstance(version, Release)
               for section in version.sections for subsection in section.subsections)


# --- timing -------------------------------------------------------------------------------------
def time_command(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=cwd, env=MKDOCS_ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def time_build(content_root: Path, site: Path) -> float:
    """The full `nenguide build`, from the command line, as an author runs it."""
    return time_command([str(NENGUIDE), "--content", str(content_root), "build",
                         "--site", str(site)])


def time_check(content_root: Path) -> float:
    return time_command([str(NENGUIDE), "--content", str(content_root), "check"])


def time_python_start() -> float:
    """Check's floor: starting Python and importing the command line, doing nothing."""
    return time_command([sys.executable, "-c", "import generator.cli"])


def plain_mkdocs_configs(content_root: Path, work: Path) -> list[Path]:
    """mkdocs.yml files for the same pages the build makes: each draft rendered, each release's
    frozen pages, written once so that the timed runs are MkDocs alone."""
    guideline = content.load_guidelines(content_root)[0]
    configs = []
    for version in guideline.all_versions():
        docs = work / version.version / "docs"
        if isinstance(version, Release):
            build.write_release_docs(version, docs)
            nav = json.loads((version.folder / "record.json").read_text())["nav"]
        else:
            build.write_draft_docs(guideline, version, docs)
            nav = render.navigation(version)
        config = build.version_config(guideline, version, docs, work / version.version / "out",
                                      nav, build.DEFAULT_SITE_URL)
        configs.append(work / version.version / "mkdocs.yml")
        configs[-1].write_text(yaml.safe_dump(config), encoding="utf-8")
    return configs


def time_plain_mkdocs(configs: list[Path]) -> float:
    return sum(time_command([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f",
                             str(config)]) for config in configs)
