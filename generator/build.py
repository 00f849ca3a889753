"""Build the whole site: every version side by side, the shared runtime, the version list.

Read top to bottom: gather and validate everything first, then build each version into a
temporary folder, then swap it in place of site/. A build that fails at any point leaves the
previous site/ exactly as it was.

A draft is rendered from its YAML with today's templates and calculators. A published release
is rebuilt from its record: its frozen Markdown and calculators inside today's theme, and its
words are then compared with the words recorded at publication.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from generator import compress, content, csp, render, runtime, search, swap
from generator.model import Guideline, Release, Version
from generator.releases import record, texts
from generator.releases.export import SCHEMA_FILE, export_version
from generator.releases.sources import calculator_rules, changes_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BASE_CONFIG = PROJECT_ROOT / "mkdocs.yml"
THEME_DIR = Path(__file__).parent / "theme"
ASSETS_DIR = Path(__file__).parent / "assets"
RUNTIME_ROOT = "_pyodide"
PACKAGE_LOCK = PROJECT_ROOT / "package-lock.json"


def pinned_pyodide_version() -> str:
    """The Pyodide version pinned in package-lock.json (what `npm ci` installs)."""
    lock = json.loads(PACKAGE_LOCK.read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/pyodide"]["version"]


# The shared runtime's folder is named after its version, so its URLs change whenever its bytes
# do and browsers may keep it for a year without asking (see generator/serve.py).
RUNTIME_FOLDER = f"{RUNTIME_ROOT}/{pinned_pyodide_version()}"
# Releases published before that load the runtime from the unversioned folder: a forwarding
# module there sends them to the versioned one.
UNVERSIONED_RUNTIME_URL = '"../../../_pyodide/"'
SITE_MARKER = ".nenguide-site"  # marks a folder that a build may replace
DEFAULT_SITE_URL = render.DEFAULT_SITE_URL
LATEST = "latest"


class BuildError(Exception):
    """MkDocs or an assembly step failed; the message says what to do."""


def build_site(content_root: Path, site_dir: Path, *, list_drafts: bool = False,
               only: str | None = None, site_url: str | None = None) -> list[Guideline]:
    """Validate the content and build site_dir. Raises ContentError or BuildError.

    list_drafts: show drafts in the version menu (they are built either way).
    only: rebuild this one version in an existing site/, leaving the other versions alone.
    """
    guidelines = content.load_guidelines(content_root)
    if len(guidelines) != 1:
        raise BuildError(f"one guideline per site is supported, found "
                         f"{', '.join(g.id for g in guidelines)}")
    guideline = guidelines[0]
    site_url = site_url or guideline.site_url or DEFAULT_SITE_URL
    site_dir = site_dir.resolve()
    _check_replaceable(site_dir, content_root.resolve())
    swap.recover(site_dir, SITE_MARKER)  # folders, and perhaps the site, of killed builds
    versions = guideline.all_versions()
    if only is not None:
        versions = [v for v in versions if v.version == only]
        if not versions:
            raise BuildError(f"unknown version '{only}' (known: "
                             f"{', '.join(v.version for v in guideline.all_versions())})")
        if not (site_dir / SITE_MARKER).is_file():
            raise BuildError(f"{site_dir} holds no built site yet: build all versions first")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=swap.work_prefix(), dir=site_dir.parent) as tmp:
        work = Path(tmp)
        output = work / "site"
        changed_words = []
        for version in versions:
            built = output / version.version
            build_version(guideline, version, work / "src" / version.version, built, site_url)
            if isinstance(version, Release):
                recorded = json.loads((version.folder / record.TEXTS).read_text("utf-8"))
                changed_words += [f"{version.version}/{problem}" for problem in
                                  texts.differences(recorded, texts.site_texts(built))]
        if changed_words:
            raise BuildError("the words of a published release changed; a release's words "
                             "are frozen, only its chrome may change. Pages:\n  "
                             + "\n  ".join(changed_words))
        if only is not None:
            csp.protect_pages(output / only)
            compress.precompress(output / only)
            swap.replace(output / only, site_dir / only)
            _write_site_files(guideline, site_dir, list_drafts, replace=True)
            csp.protect_pages(site_dir)  # latest/ and the root page, if they were rewritten
            csp.write_site_policy(site_dir)
            compress.precompress(site_dir)  # the rewritten files; the others come from cache
        else:
            runtime.copy_runtime(output / RUNTIME_FOLDER)
            _write_runtime_forwarder(output)
            _write_site_files(guideline, output, list_drafts)
            csp.protect_pages(output)
            csp.write_site_policy(output)
            compress.precompress(output)  # last: the copies hold the pages' final bytes
            (output / SITE_MARKER).write_text("built by nenguide; replaced by each build\n",
                                              encoding="utf-8")
            swap.replace(output, site_dir)  # output now holds the old site, removed with tmp
    return guidelines


# --- one version ------------------------------------------------------------------------------
def build_version(guideline: Guideline, version: Version | Release, source: Path,
                  output: Path, site_url: str) -> None:
    """One version into `output`: a draft from its YAML, a release from its record."""
    docs = source / "docs"
    if isinstance(version, Release):
        write_release_docs(version, docs)
        nav = record.read_record(version.folder)["nav"]
    else:
        write_draft_docs(guideline, version, docs)
        nav = render.navigation(version)
    config = source / "mkdocs.yml"
    settings = version_config(guideline, version, docs, output, nav, site_url)
    config.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
                      encoding="utf-8")
    run_mkdocs(config, version.version, build_epoch(version))
    try:
        search.improve_index(output, guideline.search_synonyms)
    except search.SearchIndexError as exc:
        raise BuildError(f"version {version.version}: {exc}") from exc


def write_draft_docs(guideline: Guideline, version: Version, docs: Path,
                     publication: dict | None = None) -> None:
    """A draft's docs folder: its pages from today's templates, today's assets and
    calculators, its rules and its data. `nenguide release` freezes the same folder."""
    changes = changes_for(guideline, version)
    shutil.copytree(ASSETS_DIR, docs / "assets", dirs_exist_ok=True)
    calc = docs / "assets" / "calc"
    wheel = runtime.write_calculator_package(calc)
    write_calculator_rules(version, calc / "rules")
    runtime.add_snapshot(calc)  # made from the wheel and the rules, so after both
    pages = render.render_version(guideline, version, publication=publication, changes=changes,
                                  integrity=calculator_integrity(wheel, calc / "rules"))
    for relative, text in pages.items():
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    _write_json(docs / record.EXPORT, export_version(guideline, version, publication))


def write_release_docs(release: Release, docs: Path) -> None:
    """A release's docs folder: its frozen pages and calculators, today's other assets."""
    shutil.copytree(release.folder / record.DOCS, docs)
    shutil.copytree(ASSETS_DIR, docs / "assets", dirs_exist_ok=True)
    shutil.rmtree(docs / "assets" / "calc")
    shutil.copytree(release.folder / record.CALC, docs / "assets" / "calc")
    runtime.write_lock_file(runtime.wheel_in(docs / "assets" / "calc"))
    runtime.add_snapshot(docs / "assets" / "calc")
    shutil.copy2(release.folder / record.EXPORT, docs / record.EXPORT)


def build_epoch(version: Version | Release) -> int:
    """The moment a version's pages last changed, for the sitemap's dates and the gzip header:
    a release's publication date, a draft's content date. Never the clock, so that the same
    commit builds to the same bytes on any day (MkDocs reads SOURCE_DATE_EPOCH)."""
    day = version.published if isinstance(version, Release) else version.date
    moment = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp())


def run_mkdocs(config: Path, version: str, epoch: int) -> None:
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config)]
    # No --quiet: MkDocs drops warnings before strict mode counts them. The output is captured
    # and shown only when the build fails.
    finished = subprocess.run(command, capture_output=True, text=True,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1",
                                   "SOURCE_DATE_EPOCH": str(epoch)},
                              preexec_fn=swap.die_with_parent)
    if finished.returncode != 0:
        raise BuildError(f"mkdocs build failed for version {version}:\n"
                         f"{finished.stdout}{finished.stderr}".rstrip())


def calculator_integrity(wheel: Path, rules: Path) -> dict[str, Any]:
    """The sha256 (hex) of the calculators wheel and of each rules file, as the calculator
    pages carry them: the browser worker runs nothing that does not match."""
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    return {"wheel": digest(wheel),
            "rules": {path.stem: digest(path) for path in sorted(rules.glob("*.json"))}}


def write_calculator_rules(version: Version, folder: Path) -> None:
    """The version's rules as the calculators read them: one JSON file per calculator."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rules in calculator_rules(version).items():
        (folder / f"{name}.json").write_text(
            json.dumps(rules, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False)
            + "\n",
            encoding="utf-8")


def version_config(guideline: Guideline, version: Version | Release, docs: Path, output: Path,
                   nav: list, site_url: str) -> dict:
    """The shared mkdocs.yml plus what belongs to one version."""
    config = yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8"))
    config.update(
        # The theme prints the site name unescaped, also inside attributes: escape it here.
        site_name=html.escape(f"{guideline.title} {version.version}", quote=True),
        # The sitemap lists every page under this address; the version menu reads it to keep
        # the reader on the same page when switching versions.
        site_url=f"{site_url.rstrip('/')}/{version.version}/",
        docs_dir=str(docs),
        site_dir=str(output),
        nav=nav,
    )
    config["theme"]["custom_dir"] = str(THEME_DIR)
    config.setdefault("extra", {}).update(
        release=release_chrome(guideline, version),
        # Material's version menu reads ../versions.json (mike's format).
        version={"provider": "mike"},
    )
    return config


def release_chrome(guideline: Guideline, version: Version | Release) -> dict[str, Any]:
    """What the theme prints around a version's words: its release line and its banner."""
    is_release = isinstance(version, Release)
    latest = guideline.latest
    chrome = {
        "guideline_title": guideline.title, "version": version.version, "date": version.date,
        "status": version.status,
        "published": version.published if is_release else None,
        "withdrawn": version.withdrawn if is_release else None,
        "unreviewed": version.unreviewed if is_release else False,
        "banner": None,
        "footer": footer_facts(guideline, version),
    }
    target = latest.version if latest is not None and latest is not version else ""
    pointer = dict(target=target, target_pages=_page_urls(latest) if target else [],
                   link_text=f"Read this page in version {target}" if target else "")
    if version.status == "draft":
        chrome["banner"] = dict(kind="draft", title="Draft.", text=(
            f"Version {version.version} is not published: it may change, and it is not for "
            "patient care." + (f" The published guideline is version {target}." if target
                               else " No version has been published yet.")), **pointer)
    elif version.status == "withdrawn":
        chrome["banner"] = dict(kind="withdrawn", title=f"Withdrawn on {version.withdrawn}.",
                                text=version.withdrawn_reason or "", **pointer)
    elif target:
        chrome["banner"] = dict(kind="superseded", title=f"Superseded by version {target}.",
                                text=f"Version {version.version} is kept as it was published; "
                                     f"version {target} was published on {latest.published}.",
                                **pointer)
    return chrome


def footer_facts(guideline: Guideline, version: Version | Release) -> dict[str, Any]:
    """What every page's footer says: the licence and where to report an error, as the
    guideline records them (and that they are not stated, when it does not)."""
    is_release = isinstance(version, Release)
    has_about = (not is_release
                 or (version.folder / record.DOCS / "about.md").is_file())
    return {"licence": guideline.licence, "feedback_email": guideline.feedback_email,
            "feedback_url": guideline.feedback_url, "about": has_about,
            "released": version.published if is_release else None}


def _page_urls(release: Release) -> list[str]:
    """The page URLs of a release ("", "treatment/", "calculators/grade/")."""
    urls = []
    for page in sorted((release.folder / record.DOCS).rglob("*.md")):
        relative = page.relative_to(release.folder / record.DOCS).with_suffix("").as_posix()
        urls.append("" if relative == "index" else relative + "/")
    return urls


# --- the site around the versions -----------------------------------------------------------
def _write_runtime_forwarder(output: Path) -> None:
    """_pyodide/pyodide.mjs for the workers frozen in releases published before the runtime's
    folder was versioned: they import it and pass `indexURL: _pyodide/`; it loads the
    versioned runtime instead, so those releases share its cached copy. Written only when a
    version needs it; served with `no-cache` like every unversioned file."""
    workers = sorted(output.glob("*/assets/calc/worker.mjs"))
    if not any(UNVERSIONED_RUNTIME_URL in w.read_text(encoding="utf-8") for w in workers):
        return
    folder = RUNTIME_FOLDER.removeprefix(f"{RUNTIME_ROOT}/")
    _write_text(output / RUNTIME_ROOT / "pyodide.mjs", f"""\
// Releases published before the runtime's folder was versioned import this file and pass
// indexURL "_pyodide/": both are sent on to the versioned runtime in ./{folder}/.
import {{ loadPyodide as loadVersioned }} from "./{folder}/pyodide.mjs";

export * from "./{folder}/pyodide.mjs";

export function loadPyodide(options = {{}}) {{
  return loadVersioned({{ ...options, indexURL: new URL("./{folder}/", import.meta.url).href }});
}}
""")


def _write_site_files(guideline: Guideline, output: Path, list_drafts: bool,
                      replace: bool = False) -> None:
    """versions.json for the version menu, latest/ (the newest published release as pages,
    so /latest/<page>/ works), the JSON Schema of guideline.json, and a root page that sends
    readers to the latest release."""
    entries = [_menu_entry(guideline, v, list_drafts) for v in reversed(guideline.all_versions())]
    _write_text(output / "versions.json", json.dumps(entries, indent=2, sort_keys=True) + "\n")
    shutil.copy2(SCHEMA_FILE, output / SCHEMA_FILE.name)
    latest = guideline.latest
    home = latest or guideline.all_versions()[-1]
    _write_text(output / "index.html", _redirect_page(guideline.title, home.version,
                                                      f"{LATEST if latest else home.version}/"))
    # For an address outside every version: the home version's page, whose links are written
    # from the site's address and so work at any depth (`nenguide serve` and static hosts).
    not_found = output / home.version / "404.html"
    if not_found.is_file():
        _write_text(output / "404.html", not_found.read_text(encoding="utf-8"))
    if latest is not None:
        # Copied beside the site in a work folder, then swapped in: a kill leaves the old
        # latest/ or the new one, and the next build removes the work folder.
        with tempfile.TemporaryDirectory(prefix=swap.work_prefix(), dir=output.parent) as tmp:
            copy = Path(tmp) / LATEST
            shutil.copytree(output / latest.version, copy)
            swap.replace(copy, output / LATEST) if replace else copy.rename(output / LATEST)
    elif (output / LATEST).exists():
        shutil.rmtree(output / LATEST)


def _menu_entry(guideline: Guideline, version: Version | Release,
                list_drafts: bool) -> dict[str, Any]:
    is_release = isinstance(version, Release)
    latest = guideline.latest
    title = {"draft": f"{version.version} (draft)",
             "withdrawn": f"{version.version} (withdrawn)"}.get(version.status, version.version)
    properties: dict[str, Any] = {"status": version.status, "date": version.date}
    if is_release:
        properties.update(published=version.published, unreviewed=version.unreviewed)
        if version.withdrawn:
            properties.update(withdrawn=version.withdrawn,
                              withdrawn_reason=version.withdrawn_reason)
    if version.status == "draft" and not list_drafts:
        properties["hidden"] = True  # Material leaves hidden versions out of its menu
    return {"version": version.version, "title": title,
            "aliases": [LATEST] if version is latest else [], "properties": properties}


def _redirect_page(title: str, version: str, url: str) -> str:
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n"
            f"<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n"
            f"<link rel=\"canonical\" href=\"{url}\"></head>\n"
            f"<body><p><a href=\"{url}\">{html.escape(title)}, version {version}</a></p>"
            "</body></html>\n")


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def _write_text(path: Path, text: str) -> None:
    """Replace a file in one step: a reader never sees half of it."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _check_replaceable(site_dir: Path, content_root: Path) -> None:
    """The old site is deleted after a build: refuse any folder that is not one."""
    protected = [Path.cwd().resolve(), PROJECT_ROOT, content_root]
    if any(site_dir == p or site_dir in p.parents for p in protected):
        raise BuildError(f"refusing to build into {site_dir}: it holds the project, the content "
                         "or the current folder")
    if site_dir.exists() and any(site_dir.iterdir()) and not (site_dir / SITE_MARKER).is_file():
        raise BuildError(f"refusing to replace {site_dir}: it is not a site built by nenguide "
                         f"(no {SITE_MARKER}); remove it or choose another --site")
