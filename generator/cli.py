"""The `nenguide` command: check, build, serve, calc.

One `except` turns expected failures into `error: ...` lines; --debug re-raises them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from generator import build, content, serve
from generator.problems import ContentError
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
    except (build.BuildError, RuntimeMissing, UsageError, OSError) as exc:
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
    build_cmd.set_defaults(handler=_build)

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
                      help="guideline version whose rules apply (default: latest)")
    given = calc.add_mutually_exclusive_group(required=True)
    given.add_argument("--json", help="the inputs as one JSON object")
    given.add_argument("--batch", action="store_true",
                       help="read JSON Lines on stdin, write one result per line")
    calc.set_defaults(handler=_calc)
    return parser


def _check(args) -> int:
    guidelines = content.load_guidelines(args.content)
    for guideline in guidelines:
        versions = ", ".join(v.version for v in guideline.versions)
        count = sum(1 for v in guideline.versions for s in v.sections
                    for _ in s.all_recommendations())
        print(f"{guideline.id}: versions {versions}; {count} recommendations; no problems")
    return 0


def _build(args) -> int:
    started = time.perf_counter()
    build.build_site(args.content, args.site)
    print(f"built {args.site}/ in {time.perf_counter() - started:.1f} s")
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
    from calculators import json_api

    version = _pick_version(content.load_guidelines(args.content), args.version)
    rules = json.dumps(build.calculator_rules(version)[args.calculator])
    if args.json is not None:
        print(json_api.run(args.calculator, args.json, rules))
        return 0
    for line in sys.stdin:
        if line.strip():  # blank lines separate nothing in JSON Lines; skip them
            print(json_api.run(args.calculator, line, rules), flush=True)
    return 0


def _pick_version(guidelines, wanted: str):
    versions = {v.version: v for g in guidelines for v in g.versions}
    if wanted == "latest":
        return guidelines[0].latest
    if wanted not in versions:
        raise UsageError(f"unknown version '{wanted}' (known: {', '.join(versions)}, latest)")
    return versions[wanted]


if __name__ == "__main__":
    sys.exit(main())
