"""``qsgd-ref oracle generate|verify``: the ground-truth vectors and the verifier (clauses ORC-1 … ORC-5)."""

from __future__ import annotations

import argparse
from pathlib import Path

from qsgd_ref.cli.flags import as_flags
from qsgd_ref.cli.options import IntIn
from qsgd_ref.cli.output import output_folder

HELP = "generate the oracle's reference vectors, or verify an implementation's results against them"

DESCRIPTION = """\
The ground-truth oracle for other implementations (clauses ORC-1 … ORC-6). `generate` writes the
vector files (carleman_trajectory, carleman_matrix, eq6_solution, hhl_state .json) into a folder,
deterministically: the same seed gives the same bytes; the files appear only when all are
computed. `verify` judges a qsgd-ref.results.v1 file against the vectors and exits with status 1
on any failure."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="oracle_command", required=True, metavar="{generate,verify}")
    gen = sub.add_parser("generate", help="write the vector files (deterministic: same seed, same bytes)",
                         description="Write the oracle's vector files into DIR (created if needed; existing vector "
                                     "files are replaced, all at the end). Deterministic: the same seed gives "
                                     "byte-identical files.")
    gen.add_argument("--out", required=True, metavar="DIR", help="folder to write the *.json vector files into")
    gen.add_argument("--seed", type=IntIn(0, 2**63 - 1), default=0,
                     help="seed of the random-looking coefficients, 0 … 2^63 − 1 (default 0)")
    gen.add_argument("--guide", metavar="FILE", default=None,
                     help="also rewrite the worked example of this guide (docs/oracle.md) from the new vectors")
    ver = sub.add_parser("verify", help="judge a qsgd-ref.results.v1 file; exit status 1 on any failure, when "
                         "nothing was checked, or (without --allow-partial) when a check was not provided",
                         description="Judge a results file (schema qsgd-ref.results.v1) against the vector files: "
                                     "one line per failed test with its cause, then a RESULT line; exit status 0 "
                                     "when every check provided passes (and, without --allow-partial, every "
                                     "applicable check was provided), 1 otherwise or when nothing was checked, 2 "
                                     "for an unreadable file.")
    ver.add_argument("--vectors", required=True, metavar="DIR", help="folder holding the vector files")
    ver.add_argument("--results", required=True, metavar="FILE", help="your qsgd-ref.results.v1 JSON file")
    ver.add_argument("--allow-partial", action="store_true",
                     help="pass on the checks provided (at least one) even if others are not provided")


def run(args: argparse.Namespace) -> int:
    if args.oracle_command == "generate":
        from qsgd_ref.oracle.generator import generate

        with as_flags({"guide": "--guide"}), output_folder(args.out, "--out") as out:
            paths = generate(out.staging, args.seed, guide=args.guide)
        for path in paths:
            print(out.path / path.name if path.parent == Path(out.staging) else path)
        return 0
    from qsgd_ref.oracle.verifier import verify

    with as_flags({"vectors": "--vectors", "results": "--results"}):
        report = verify(args.results, args.vectors, allow_partial=args.allow_partial)
    print(report)
    return 1 if report.failed else 0
