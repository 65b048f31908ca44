"""``qsgd-ref cost PROBLEM.json [--eps E] [--idle P]``: the end-to-end cost of one run and the verdict
on the paper's Theorems 1–2, as JSON (clauses COST-1 … COST-3, FMT-4)."""

from __future__ import annotations

import argparse
import json

from qsgd_ref.cli.flags import as_flags
from qsgd_ref.problem import load_problem
from qsgd_ref.theory.cost import DEFAULT_EPS, KAPPA_MAX_DIM, cost

HELP = ("print the end-to-end cost of one run (κ, success probability, upload, download, quantum and classical "
        "cost) and the verdict on Theorems 1–2 as JSON")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json")
    parser.add_argument("--eps", default=str(DEFAULT_EPS), metavar="E",
                        help=f"target precision ε in (0, 1): a decimal or a rational (default {DEFAULT_EPS})")
    parser.add_argument("--idle", type=int, default=0, metavar="P", help="idle steps p of the Eq. 6 system (default 0)")
    parser.add_argument("--kappa-max-dim", type=int, default=KAPPA_MAX_DIM, metavar="D",
                        help=f"measure κ(L) only up to this dimension (default {KAPPA_MAX_DIM:,}); beyond, the bound is used")


def run(args: argparse.Namespace) -> int:
    with as_flags({"eps": "--eps", "idle": "--idle", "kappa_max_dim": "--kappa-max-dim"}):
        problem = load_problem(args.problem)
        report = cost(problem, eps=args.eps, idle=args.idle, kappa_max_dim=args.kappa_max_dim)
    print(json.dumps(report.to_json(), indent=1, ensure_ascii=False, allow_nan=False))
    return 0
