"""``qsgd-ref convert IN OUT``: rewrite a problem file as version 1 (dense) or version 2 (sparse) (FMT-1)."""

from __future__ import annotations

import argparse
import json

from qsgd_ref.cli.output import check_writable, write_atomic
from qsgd_ref.problem import SCHEMA_V1, SCHEMA_V2, parse_problem
from qsgd_ref.problem.parse import load_document

HELP = "rewrite a problem file in the other format version (v1 dense ↔ v2 sparse)"
VERSIONS = {"v1": SCHEMA_V1, "v2": SCHEMA_V2}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IN", help="problem file (version 1 or 2)")
    parser.add_argument("output", metavar="OUT", help="file to write")
    parser.add_argument("--to", choices=sorted(VERSIONS), default=None,
                        help="target version (default: the other one)")


def run(args: argparse.Namespace) -> int:
    check_writable(args.output, "OUT")
    doc = load_document(args.input)
    problem = parse_problem(doc)
    target = VERSIONS[args.to] if args.to else (SCHEMA_V1 if doc.get("schema") == SCHEMA_V2 else SCHEMA_V2)
    write_atomic(args.output, json.dumps(problem.to_json(target), indent=1) + "\n", "OUT")
    print(f"wrote {args.output} ({target}): {problem}")
    return 0
