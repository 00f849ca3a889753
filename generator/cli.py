"""The `nenguide` command: check, build, serve, calc.

One `except` turns expected failures into `error: ...` lines; --debug re-raises them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from calculators import json_api
from generator import build, content, serve
from generator.problems import ContentError
from generator.releases import publish
from generator.releases.engine import EngineError
from generator.runtime import RuntimeMissing

LOOPBACK = ("127.0.0.1", "localhost")


class UsageError(Exception):
    """A command-line value that names nothing (an unknown version, say)."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ContentError as exc:
        if args.debug:
            raise
        print(exc.report(), file=sys.stderr)
        return 1
    except publish.ReleaseRefused as exc:
        if args.debug:
            raise
        print(exc.report(), file=sys.stderr)
        return 1
    except (build.BuildError, RuntimeMissing, UsageError, EngineError, OSError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nenguide", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="content folder (default: content)")
    commands = parser.add_subparsers(required=True, metavar="command")

    check = commands.add_parser("check", help="validate the content and report every problem")
    check.set_defaults(handler=_check)

    build_cmd = commands.add_parser("build", help="validate, then build site/")
    build_cmd.add_argument("--site", type=Path, default=Path("site"), help="output folder")
    build_cmd.add_argument("--drafts", action="store_true",
                           help="list drafts in the version menu (they are built either way)")
    build_cmd.add_argument("--version", dest="only", metavar="VERSION",
                           help="rebuild only this version in an existing site/")
    build_cmd.add_argument("--site-url", help="the address the site is served from (default: "
                           "guideline.yaml's site_url, else http://127.0.0.1:8000/)")
    build_cmd.set_defaults(handler=_build)

    release_cmd = commands.add_parser("release", help="publish a draft version: check it, "
                                      "freeze its words and calculators, mark it published")
    release_cmd.add_argument("version")
    release_cmd.add_argument("--unreviewed", action="store_true",
                             help="publish without clinical approval; every page then says "
                                  "\"Not clinically reviewed\", for good")
    release_cmd.add_argument("--date", type=_date, default=None,
                             help="the publication date (default: today)")
    release_cmd.set_defaults(handler=_release)

    withdraw_cmd = commands.add_parser("withdraw", help="withdraw a published release, with "
                                       "the reason shown on every page")
    withdraw_cmd.add_argument("version")
    withdraw_cmd.add_argument("--reason", required=True)
    withdraw_cmd.add_argument("--date", type=_date, default=None)
    withdraw_cmd.set_defaults(handler=_withdraw)

    erratum_cmd = commands.add_parser("erratum", help="start a draft that corrects a published "
                                      "release (a copy under the next erratum version)")
    erratum_cmd.add_argument("version")
    erratum_cmd.set_defaults(handler=_erratum)

    diff_cmd = commands.add_parser("diff", help="what changed between two versions")
    diff_cmd.add_argument("old")
    diff_cmd.add_argument("new")
    diff_cmd.add_argument("--json", action="store_true", help="print the comparison as JSON")
    diff_cmd.set_defaults(handler=_diff)

    serve_cmd = commands.add_parser("serve", help="serve site/ on the loopback interface")
    serve_cmd.add_argument("--site", type=Path, default=Path("site"))
    serve_cmd.add_argument("--host", default="127.0.0.1", choices=LOOPBACK)
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.set_defaults(handler=_serve)

    fields = commands.add_parser("fields", help="print the authors' field reference (Markdown)")
    fields.set_defaults(handler=_fields)

    calc = commands.add_parser("calc", help="run a calculator on JSON input, with the rules of "
                                             "a guideline version")
    calc.add_argument("calculator", choices=["grade", "pathway"])
    calc.add_argument("--version", default="latest",
                      help="guideline version whose rules and calculators apply (default: "
                           "latest, the newest published release)")
    given = calc.add_mutually_exclusive_group(required=True)
    given.add_argument("--json", help="the inputs as one JSON object")
    given.add_argument("--batch", action="store_true",
                       help="read JSON Lines on stdin, write one result per line (line n "
                            "answers line n; the exit status is 1 when any line failed)")
    calc.add_argument("--max-line-bytes", type=int, default=100_000,
                      help="longer input lines are answered with an error (default 100000)")
    calc.set_defaults(handler=_calc)
    return parser


def _check(args) -> int:
    from generator.releases.reviews import overdue_reviews

    guidelines = content.load_guidelines(args.content)
    today = datetime.date.today().isoformat()
    for guideline in guidelines:
        versions = ", ".join(f"{v.version} ({v.status})" for v in guideline.all_versions())
        print(f"{guideline.id}: versions {versions}; no problems")
        for line in overdue_reviews(guideline, today):
            print(f"review overdue: {line}")
    return 0


def _build(args) -> int:
    started = time.perf_counter()
    build.build_site(args.content, args.site, list_drafts=args.drafts, only=args.only,
                     site_url=args.site_url)
    what = f"version {args.only} of {args.site}/" if args.only else f"{args.site}/"
    print(f"built {what} in {time.perf_counter() - started:.1f} s")
    return 0


def _date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}")


def _today(args) -> str:
    return args.date or datetime.date.today().isoformat()


def _release(args) -> int:
    release = publish.release(args.content, args.version, unreviewed=args.unreviewed,
                              today=_today(args))
    stamp = ", not clinically reviewed" if release.unreviewed else ""
    print(f"published {release.version} on {release.published}{stamp}; its record is "
          f"{release.folder}/ (commit it with the content)")
    return 0


def _withdraw(args) -> int:
    release = publish.withdraw(args.content, args.version, reason=args.reason,
                               today=_today(args))
    print(f"withdrew {release.version} on {release.withdrawn}: {release.withdrawn_reason}")
    return 0


def _erratum(args) -> int:
    folder = publish.erratum(args.content, args.version)
    print(f"started the erratum {folder.name} in {folder}/: correct the content, say what it "
          f"corrects in release.yaml's notes, then `nenguide release {folder.name}`")
    return 0


def _diff(args) -> int:
    from generator.releases import diff_text
    from generator.releases.sources import engine_for, export_of
    from generator.releases.diff import compare

    guideline = _single(content.load_guidelines(args.content))
    old, new = (_find(guideline, name) for name in (args.old, args.new))
    result = compare(export_of(guideline, old), export_of(guideline, new), engine_for(old),
                     engine_for(new))
    if args.json:
        print(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False))
    else:
        print(diff_text.render(result), end="")
    return 0


def _serve(args) -> int:
    if not (args.site / "index.html").is_file():
        print(f"error: {args.site}/ has no built site; run `nenguide build` first",
              file=sys.stderr)
        return 1
    server = serve.make_server(args.site, args.host, args.port)
    port = server.server_address[1]  # the OS's choice when --port 0
    print(f"serving {args.site}/ on http://{args.host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _fields(args) -> int:
    from generator.fields_doc import render_field_reference

    print(render_field_reference(), end="")
    return 0


def _calc(args) -> int:
    """A draft answers with today's calculators; a published release with its own wheel."""
    from generator.releases.sources import engine_for

    guideline = _single(content.load_guidelines(args.content))
    engine = engine_for(_pick_version(guideline, args.version))
    if args.json is not None:
        answer = engine.answer(args.calculator, [args.json])[0]
        print(answer)
        return 0 if json.loads(answer)["ok"] else 1
    answers = batch_answers(engine, args.calculator, sys.stdin.buffer, args.max_line_bytes)
    for answer in answers:
        print(answer)
    return 0 if all(json.loads(answer)["ok"] for answer in answers) else 1


def batch_answers(engine, calculator: str, stream, max_line_bytes: int) -> list[str]:
    """One answer per input line, in order, so that line n of the output answers line n of the
    input: a blank, over-long or non-UTF-8 line gets an error line of its own."""
    answers: list[str | None] = []
    asked: list[tuple[int, str]] = []
    for raw in stream:
        raw = raw.rstrip(b"\r\n")
        problem = None
        if len(raw) > max_line_bytes:
            problem = f"the line is {len(raw):,} bytes long; at most {max_line_bytes:,} are read"
        elif not raw.strip():
            problem = "the line is empty; write one JSON object per line"
        else:
            try:
                asked.append((len(answers), raw.decode("utf-8")))
            except UnicodeDecodeError as exc:
                problem = f"the line is not UTF-8 (byte {exc.start + 1})"
        answers.append(None if problem is None else json_api.dumps({
            "ok": False, "errors": [{"field": "inputs", "label": "Inputs", "kind": "invalid",
                                     "message": problem}]}))
    for (index, _), answer in zip(asked, engine.answer(calculator, [t for _, t in asked])):
        answers[index] = answer
    return answers


def _single(guidelines):
    if len(guidelines) != 1:
        raise UsageError("one guideline per content folder is supported")
    return guidelines[0]


def _pick_version(guideline, wanted: str):
    """`latest` is the newest published release, or the newest draft while none is."""
    if wanted == "latest":
        return guideline.latest or guideline.all_versions()[-1]
    return _find(guideline, wanted)


def _find(guideline, wanted: str):
    found = guideline.find(wanted)
    if found is None:
        known = ", ".join(v.version for v in guideline.all_versions())
        raise UsageError(f"unknown version '{wanted}' (known: {known}, latest)")
    return found


if __name__ == "__main__":
    sys.exit(main())
