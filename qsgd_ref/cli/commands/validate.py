"""``qsgd-ref validate PROBLEM.json``: check a problem file (clause FMT-1) and summarise it."""

from __future__ import annotations

import argparse

from qsgd_ref.problem import load_problem

HELP = "validate a problem file and print its size"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json")


def run(args: argparse.Namespace) -> int:
    problem = load_problem(args.problem)
    summary = str(problem)
    print(summary if problem.name else f"{args.problem}: {summary.split(': ', 1)[1]}")
    return 0
