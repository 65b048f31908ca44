"""``qsgd-ref demo``: the main job on a built-in problem or the user's own (see qsgd_ref.report.demo)."""

from __future__ import annotations

import argparse

HELP = "run the end-to-end demonstration on a built-in (or your own) problem"


def _orders(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of orders, got {text!r}") from None
    if not values or any(v < 1 or v > 8 for v in values):
        raise argparse.ArgumentTypeError("orders must be between 1 and 8")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--problem", metavar="PROBLEM.json", help="use this problem instead of the built-in one")
    parser.add_argument("--orders", type=_orders, default=[1, 2, 3, 4], help="orders N to compare (default 1,2,3,4)")
    parser.add_argument("--shots", type=int, default=20000, help="shots for the download (0 skips the HHL stage)")
    parser.add_argument("--out", default="qsgd-ref-demo", help="directory for figures (default ./qsgd-ref-demo)")


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.problem import load_problem
    from qsgd_ref.report.demo import run_demo

    problem = load_problem(args.problem) if args.problem else None
    return run_demo(problem, orders=args.orders, shots=args.shots, out=args.out, source=args.problem or "")
