"""``qsgd-ref validate PROBLEM.json``: check a problem file (clause FMT-1) and summarise it."""

from __future__ import annotations

import argparse

from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.problem import load_problem

HELP = "validate a problem file and print its size"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json")


def run(args: argparse.Namespace) -> int:
    p = load_problem(args.problem)
    kind = f"time-dependent ({len(p.maps)} maps)" if p.time_dependent else "time-independent"
    print(
        f"{p.name or args.problem}: n = {p.n}, degree q = {p.degree}, {kind}, T = {p.steps}, "
        f"N = {p.order}, lifted dimension D = {lifted_dimension(p.n, p.order):,}"
    )
    return 0
