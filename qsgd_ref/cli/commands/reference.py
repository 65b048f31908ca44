"""``qsgd-ref reference PROBLEM.json``: the high-precision reference result (clauses REF-1, REF-2, FMT-2)."""

from __future__ import annotations

import argparse

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import DEFAULT_DPS, MAX_DPS, MIN_DPS
from qsgd_ref.cli import work
from qsgd_ref.cli.flags import as_flags
from qsgd_ref.cli.options import IntIn
from qsgd_ref.cli.output import dumps, emit, output_file
from qsgd_ref.problem import MAX_ORDER, MAX_STEPS, load_problem
from qsgd_ref.report.reference import ENGINES, reference
from qsgd_ref.trajectories.float64 import SCHEMES

HELP = "exact and truncated Carleman trajectories at high precision (JSON)"

DESCRIPTION = """\
The reference result of a problem (clauses REF-1, REF-2, FMT-2): the exact trajectory u(t), the
truncated Carleman trajectory ŷ_1(t) and their distance ‖u(t) − ŷ_1(t)‖₂ for t = 0 … T as decimal
strings with --dps significant digits, with the regime and every applicable error bound, as JSON
(schema qsgd-ref.reference.v1). --certified adds rigorous radii from ball arithmetic.

The time and memory are estimated first and the run is refused beyond --max-time or --max-memory;
on a terminal a progress bar shows the steps."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json", help="the problem file (see `qsgd-ref validate --help`)")
    parser.add_argument("--order", type=IntIn(1, MAX_ORDER), metavar="N", help="truncation order N (default: the problem's)")
    parser.add_argument("--steps", type=IntIn(0, MAX_STEPS), metavar="T",
                        help="horizon T (default: the problem's; a time-dependent problem can only be shortened)")
    parser.add_argument("--dps", type=IntIn(MIN_DPS, MAX_DPS), default=DEFAULT_DPS, metavar="DIGITS",
                        help=f"significant decimal digits of every value (default {DEFAULT_DPS})")
    parser.add_argument("--certified", action="store_true", help="add rigorous radii (arb ball arithmetic)")
    parser.add_argument("--engine", choices=ENGINES, default="mp",
                        help="mp: every value at --dps digits (default); float64: the matrix-free binary64 engine, "
                             "for large problems")
    parser.add_argument("--scheme", choices=SCHEMES, default="discrete",
                        help="discrete: the paper's Carleman step (default); continuous: the continuous Carleman "
                             "matrix stepped by explicit Euler (LIFT-3), for comparison")
    parser.add_argument("--out", metavar="FILE", help="write the JSON here instead of stdout")
    work.add_budget_options(parser)


def run(args: argparse.Namespace) -> int:
    with output_file(args.out, "--out") as out:
        problem = load_problem(args.problem)
        if args.order is not None or args.steps is not None:
            if args.steps is not None and problem.time_dependent and args.steps > problem.steps:
                raise InputError("--steps", f"a time-dependent problem has {problem.steps} maps: at most "
                                 f"{problem.steps} steps")
            with as_flags({"steps": "--steps", "order": "--order"}):
                problem = problem.with_(steps=args.steps, order=args.order)
        if args.engine == "float64" and args.certified:
            raise InputError("--certified", "certified radii need the high-precision engine (--engine mp)")
        if args.scheme == "continuous" and args.certified:
            raise InputError("--certified", "certified radii are for the discrete scheme")
        cause = "--steps" if args.steps is not None else "--order" if args.order is not None else "PROBLEM.json"
        work.check(work.reference_work(problem, dps=args.dps, certified=args.certified, engine=args.engine,
                                       option=cause), args)
        with as_flags({"engine": "--engine", "scheme": "--scheme", "certified": "--certified"}):
            result = reference(problem, dps=args.dps, certified=args.certified, engine=args.engine,
                               scheme=args.scheme)
        emit(out, dumps(result.to_json()))
    return 0
