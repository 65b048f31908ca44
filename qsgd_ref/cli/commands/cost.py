"""``qsgd-ref cost PROBLEM.json [--eps E] [--idle P]``: the end-to-end cost of one run and the verdict
on the paper's Theorems 1–2, as JSON (clauses COST-1 … COST-3, FMT-4)."""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

from qsgd_ref.cli.flags import as_flags
from qsgd_ref.cli.options import ExactIn, IntIn
from qsgd_ref.cli.output import dumps
from qsgd_ref.problem import load_problem
from qsgd_ref.theory.cost import DEFAULT_EPS, KAPPA_MAX_DIM, cost

HELP = ("print the end-to-end cost of one run (κ, success probability, upload, download, quantum and classical "
        "cost) and the verdict on Theorems 1–2 as JSON")


DESCRIPTION = """\
Print, as JSON (schema qsgd-ref.cost.v1, clause FMT-4), the end-to-end cost of one run of the
quantum algorithm on a problem (clauses COST-1 … COST-3): κ(L) of the Eq. 6 system (measured up to
--kappa-max-dim, and its certified COND/COST-2 bounds), the success probability g² and its certified
lower bound, the upload and download costs for precision ε, the quantum and classical costs and
their ratio, and which hypotheses of the paper's Theorems 1–2 hold, with the numbers."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json", help="the problem file (see `qsgd-ref validate --help`)")
    parser.add_argument("--eps", type=ExactIn(Fraction(0), Fraction(1), lo_open=True, hi_open=True), default=str(DEFAULT_EPS),
                        metavar="E", help=f"target precision ε in (0, 1): a decimal or p/q (default {DEFAULT_EPS})")
    parser.add_argument("--idle", type=IntIn(0, 10**6), default=0, metavar="P",
                        help="idle steps p of the Eq. 6 system, 0 … 10^6 (default 0)")
    parser.add_argument("--kappa-max-dim", type=IntIn(0, 10**7), default=KAPPA_MAX_DIM, metavar="D",
                        help=f"measure κ(L) only up to this dimension (default {KAPPA_MAX_DIM:,}); beyond, the bound is used")


def run(args: argparse.Namespace) -> int:
    with as_flags({"eps": "--eps", "idle": "--idle", "kappa_max_dim": "--kappa-max-dim"}):
        problem = load_problem(args.problem)
        report = cost(problem, eps=args.eps, idle=args.idle, kappa_max_dim=args.kappa_max_dim)
    sys.stdout.write(dumps(report.to_json()))
    return 0
