"""``qsgd-ref oracle generate|verify``: the ground-truth vectors and the verifier (clauses ORC-1 … ORC-5)."""

from __future__ import annotations

import argparse

from qsgd_ref.cli.flags import as_flags

HELP = "generate the oracle's reference vectors, or verify an implementation's results against them"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="oracle_command", required=True)
    gen = sub.add_parser("generate", help="write the vector files (deterministic: same seed, same bytes)")
    gen.add_argument("--out", required=True, metavar="DIR", help="directory to write the *.json vector files into")
    gen.add_argument("--seed", type=int, default=0, help="seed of the random-looking coefficients (default 0)")
    gen.add_argument("--guide", metavar="FILE", default=None,
                     help="also rewrite the worked example of this guide (docs/oracle.md) from the new vectors")
    ver = sub.add_parser("verify", help="judge a qsgd-ref.results.v1 file; exit status 1 on any failure, when "
                         "nothing was checked, or (without --allow-partial) when a check was not provided")
    ver.add_argument("--vectors", required=True, metavar="DIR", help="directory holding the vector files")
    ver.add_argument("--results", required=True, metavar="FILE", help="your qsgd-ref.results.v1 JSON file")
    ver.add_argument("--allow-partial", action="store_true",
                     help="pass on the checks provided (at least one) even if others are not provided")


def run(args: argparse.Namespace) -> int:
    if args.oracle_command == "generate":
        from qsgd_ref.oracle.generator import generate

        with as_flags({"guide": "--guide"}):
            paths = generate(args.out, args.seed, guide=args.guide)
        for path in paths:
            print(path)
        return 0
    from qsgd_ref.oracle.verifier import verify

    with as_flags({"vectors": "--vectors", "results": "--results"}):
        report = verify(args.results, args.vectors, allow_partial=args.allow_partial)
    print(report)
    return 1 if report.failed else 0
