"""Build the whole site: every version side by side, the shared runtime, the version list.

Read top to bottom: gather and validate everything first, then render and run MkDocs into a
temporary folder, then swap it in place of site/. A build that fails at any point leaves the
previous site/ exactly as it was.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from generator import content, render, runtime
from generator.model import Guideline, Version
from generator.pathway_rules import compile_rules
from generator.labels import REVIEW_LABELS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BASE_CONFIG = PROJECT_ROOT / "mkdocs.yml"
THEME_DIR = Path(__file__).parent / "theme"
ASSETS_DIR = Path(__file__).parent / "assets"
RUNTIME_FOLDER = "_pyodide"
SITE_MARKER = ".nenguide-site"  # marks a folder that a build may replace


class BuildError(Exception):
    """MkDocs or an assembly step failed; the message says what to do."""


def build_site(content_root: Path, site_dir: Path) -> list[Guideline]:
    """Validate the content and build site_dir. Raises ContentError or BuildError."""
    guidelines = content.load_guidelines(content_root)
    if len(guidelines) != 1:
        raise BuildError(f"one guideline per site is supported, found "
                         f"{', '.join(g.id for g in guidelines)}")
    guideline = guidelines[0]
    site_dir = site_dir.resolve()
    _check_replaceable(site_dir, content_root.resolve())
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".nenguide-build-", dir=site_dir.parent) as tmp:
        work = Path(tmp)
        output = work / "site"
        for version in guideline.versions:
            _build_version(guideline, version, work / "src" / version.version,
                           output / version.version)
        runtime.copy_runtime(output / RUNTIME_FOLDER)
        _write_version_index(guideline, output)
        (output / SITE_MARKER).write_text("built by nenguide; replaced by each build\n",
                                          encoding="utf-8")
        _swap_into_place(output, site_dir)
    return guidelines


def _build_version(guideline: Guideline, version: Version, source: Path, output: Path) -> None:
    docs = source / "docs"
    for relative, text in render.render_version(guideline, version).items():
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shutil.copytree(ASSETS_DIR, docs / "assets", dirs_exist_ok=True)
    runtime.write_calculator_package(docs / "assets" / "calc")
    write_calculator_rules(version, docs / "assets" / "calc" / "rules")
    config = source / "mkdocs.yml"
    config.write_text(yaml.safe_dump(version_config(guideline, version, docs, output),
                                     sort_keys=False, allow_unicode=True), encoding="utf-8")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config)]
    # No --quiet: MkDocs drops warnings before strict mode counts them. The output is captured
    # and shown only when the build fails.
    finished = subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if finished.returncode != 0:
        raise BuildError(f"mkdocs build failed for version {version.version}:\n"
                         f"{finished.stdout}{finished.stderr}".rstrip())


def write_calculator_rules(version: Version, folder: Path) -> None:
    """The version's rules as the calculators read them: one JSON file per calculator."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rules in calculator_rules(version).items():
        (folder / f"{name}.json").write_text(
            json.dumps(rules, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False)
            + "\n",
            encoding="utf-8")


def calculator_rules(version: Version) -> dict[str, dict]:
    """Calculator name -> the rules it applies for this version."""
    return {"grade": version.grading, "pathway": compile_rules(version)}


def version_config(guideline: Guideline, version: Version, docs: Path, output: Path) -> dict:
    """The shared mkdocs.yml plus what belongs to one version."""
    config = yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8"))
    config.update(
        site_name=f"{guideline.title} {version.version}",
        docs_dir=str(docs),
        site_dir=str(output),
        nav=render.navigation(version),
    )
    config["theme"]["custom_dir"] = str(THEME_DIR)
    config.setdefault("extra", {}).update(
        release={
            "guideline_title": guideline.title,
            "version": version.version,
            "date": version.date,
            "status": version.status,
            "review": REVIEW_LABELS[version.review_status],
        },
        # Material's version menu reads ../versions.json (mike's format).
        version={"provider": "mike"},
    )
    return config


def _write_version_index(guideline: Guideline, output: Path) -> None:
    """versions.json for the version menu, and a root page that sends readers to the latest."""
    latest = guideline.latest.version
    entries = [{"version": v.version, "title": f"{v.version} ({v.date})",
                "aliases": ["latest"] if v.version == latest else [], "properties": {}}
               for v in reversed(guideline.versions)]
    (output / "versions.json").write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n",
                                          encoding="utf-8")
    (output / "index.html").write_text(_redirect_page(guideline.title, latest, f"{latest}/"),
                                       encoding="utf-8")
    (output / "latest").mkdir()
    (output / "latest" / "index.html").write_text(
        _redirect_page(guideline.title, latest, f"../{latest}/"), encoding="utf-8")


def _redirect_page(title: str, version: str, url: str) -> str:
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n"
            f"<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n"
            f"<link rel=\"canonical\" href=\"{url}\"></head>\n"
            f"<body><p><a href=\"{url}\">{html.escape(title)}, version {version}</a></p>"
            "</body></html>\n")


def _check_replaceable(site_dir: Path, content_root: Path) -> None:
    """The old site is deleted after a build: refuse any folder that is not one."""
    protected = [Path.cwd().resolve(), PROJECT_ROOT, content_root]
    if any(site_dir == p or site_dir in p.parents for p in protected):
        raise BuildError(f"refusing to build into {site_dir}: it holds the project, the content "
                         "or the current folder")
    if site_dir.exists() and any(site_dir.iterdir()) and not (site_dir / SITE_MARKER).is_file():
        raise BuildError(f"refusing to replace {site_dir}: it is not a site built by nenguide "
                         f"(no {SITE_MARKER}); remove it or choose another --site")


def _swap_into_place(output: Path, site_dir: Path) -> None:
    """Replace site_dir with output; the old site is removed only once the new one is in place."""
    retired = output.parent / "previous-site"
    if site_dir.exists():
        site_dir.rename(retired)
    try:
        output.rename(site_dir)
    except OSError:
        if retired.exists():
            retired.rename(site_dir)
        raise
