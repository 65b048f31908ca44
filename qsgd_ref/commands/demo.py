"""``qsgd-ref demo``: the main job on a built-in problem (grows as components land)."""

from __future__ import annotations

import argparse

HELP = "run the end-to-end demonstration on a built-in (or your own) problem"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--problem", metavar="PROBLEM.json", help="use this problem instead of the built-in one")


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.demo import run_demo

    return run_demo(args)
