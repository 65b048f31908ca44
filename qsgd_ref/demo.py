"""The end-to-end demonstration behind ``qsgd-ref demo`` (issue: the user's view)."""

from __future__ import annotations

import argparse

from qsgd_ref.limits import lifted_dimension
from qsgd_ref.problem import Problem, load_problem, make_problem


def default_problem() -> Problem:
    """A small fully dissipative quadratic problem with a forcing term (n = 2, q = 2)."""
    return make_problem(
        F={0: ["1/100", "-1/200"], 1: [["-1/4", "1/20"], ["0", "-1/5"]], 2: [["1/10", "0", "-1/20", "0"], ["0", "1/25", "0", "1/10"]]},
        u0=["1/2", "-1/4"],
        steps=10,
        order=3,
        name="demo-quadratic-forced",
    )


def run_demo(args: argparse.Namespace) -> int:
    problem = load_problem(args.problem) if args.problem else default_problem()
    print(f"problem {problem.name}: n = {problem.n}, q = {problem.degree}, T = {problem.steps}, N = {problem.order}")
    print(f"lifted dimension D = {lifted_dimension(problem.n, problem.order)}")
    return 0
