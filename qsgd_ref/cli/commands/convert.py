"""``qsgd-ref convert IN OUT``: rewrite a problem file as version 1 (dense) or version 2 (sparse) (FMT-1)."""

from __future__ import annotations

import argparse

from qsgd_ref.cli.output import dumps, output_file
from qsgd_ref.problem import SCHEMA_V1, SCHEMA_V2, parse_problem
from qsgd_ref.problem.parse import load_document

HELP = "rewrite a problem file in the other format version (v1 dense ↔ v2 sparse)"
VERSIONS = {"v1": SCHEMA_V1, "v2": SCHEMA_V2}

DESCRIPTION = """\
Rewrite a problem file in the other format version (clause FMT-1): version 1 holds dense arrays,
version 2 sparse entries (and, for per-step maps, only what changes at each step). The values are
exact and are kept exactly. OUT is written whole or not at all (a dense version 1 file over the
memory budget is refused before anything is written)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IN", help="problem file (version 1 or 2)")
    parser.add_argument("output", metavar="OUT", help="file to write")
    parser.add_argument("--to", choices=sorted(VERSIONS), default=None,
                        help="target version (default: the other one)")


def run(args: argparse.Namespace) -> int:
    with output_file(args.output, "OUT") as out:
        assert out is not None
        doc = load_document(args.input)
        problem = parse_problem(doc)
        target = VERSIONS[args.to] if args.to else (SCHEMA_V1 if doc.get("schema") == SCHEMA_V2 else SCHEMA_V2)
        out.write_text(dumps(problem.to_json(target)))
    print(f"wrote {args.output} ({target}): {problem}")
    return 0
