"""``qsgd-ref classify PROBLEM.json``: print the dissipation regime and its numbers (clause REG-5)."""

from __future__ import annotations

import argparse
import sys

from qsgd_ref.cli.output import dumps
from qsgd_ref.problem import load_problem
from qsgd_ref.theory.regimes import classify

HELP = "print the dissipation regime of a problem (γ, R_d, norms, modes, reasons) as JSON"

DESCRIPTION = """\
Print the dissipation regime of a problem as JSON (clauses REG-1 … REG-5): fully dissipative,
almost dissipative or not dissipative, with γ = 1 − ‖I + F_1‖₂, R_d, δ, the spectral radius of
I + F_1, the norms h_ℓ and, for a symmetric F_1, the gradient-descent view (modes of ηH). An
infinite R_d is written as null; a non-finite number as the string "inf" or "nan"."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json", help="the problem file (see `qsgd-ref validate --help`)")


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(dumps(classify(load_problem(args.problem)).to_json()))
    return 0
