"""``qsgd-ref reference PROBLEM.json``: the high-precision reference result (clauses REF-1, REF-2, FMT-2)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import DEFAULT_DPS, check_dps
from qsgd_ref.cli.flags import as_flags
from qsgd_ref.problem import load_problem
from qsgd_ref.report.reference import ENGINES, reference
from qsgd_ref.trajectories.float64 import SCHEMES

HELP = "exact and truncated Carleman trajectories at high precision (JSON)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json")
    parser.add_argument("--order", type=int, help="truncation order N (default: the problem's)")
    parser.add_argument("--steps", type=int, help="horizon T (default: the problem's)")
    parser.add_argument("--dps", type=int, default=DEFAULT_DPS, help=f"decimal digits (default {DEFAULT_DPS})")
    parser.add_argument("--certified", action="store_true", help="add rigorous radii (arb ball arithmetic)")
    parser.add_argument("--engine", choices=ENGINES, default="mp",
                        help="mp: every value at --dps digits (default); float64: the matrix-free binary64 engine, "
                             "for large problems")
    parser.add_argument("--scheme", choices=SCHEMES, default="discrete",
                        help="discrete: the paper's Carleman step (default); continuous: the continuous Carleman "
                             "matrix stepped by explicit Euler (LIFT-3), for comparison")
    parser.add_argument("--out", metavar="FILE", help="write the JSON here instead of stdout")


def run(args: argparse.Namespace) -> int:
    check_dps(args.dps, "--dps")
    problem = load_problem(args.problem)
    if args.order is not None or args.steps is not None:
        if args.steps is not None and problem.time_dependent and args.steps > problem.steps:
            raise InputError("--steps", f"a time-dependent problem has {problem.steps} maps: at most {problem.steps} steps")
        with as_flags({"steps": "--steps", "order": "--order"}):
            problem = problem.with_(steps=args.steps, order=args.order)
    with as_flags({"engine": "--engine", "scheme": "--scheme", "certified": "--certified"}):
        result = reference(problem, dps=args.dps, certified=args.certified, engine=args.engine, scheme=args.scheme)
    text = json.dumps(result.to_json(), indent=1) + "\n"
    if args.out:
        try:
            Path(args.out).write_text(text)
        except OSError as exc:
            raise InputError("--out", f"cannot write {args.out!r}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0
