"""``qsgd-ref classify PROBLEM.json``: print the dissipation regime and its numbers (clause REG-5)."""

from __future__ import annotations

import argparse
import json

from qsgd_ref.problem import load_problem
from qsgd_ref.theory.regimes import classify

HELP = "print the dissipation regime of a problem (γ, R_d, norms, modes, reasons) as JSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json")


def run(args: argparse.Namespace) -> int:
    print(json.dumps(classify(load_problem(args.problem)).to_json(), indent=1, ensure_ascii=False))
    return 0
