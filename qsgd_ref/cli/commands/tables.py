"""``qsgd-ref tables``: correction tables of the discrete Carleman blocks (clauses ETA-1, ETA-3, FMT-3)."""

from __future__ import annotations

import argparse

from qsgd_ref.carleman.symbolic.render import render, write_spec_tables
from qsgd_ref.carleman.symbolic.tables import correction_table
from qsgd_ref.carleman.symbolic.trees import render_leading_trees
from qsgd_ref.cli.flags import as_flags

_ARGUMENT = {"steps": "--trees", "degree": "--degree", "order": "--order", "format": "--format"}

HELP = "print the terms of every Carleman block (j, k) grouped by η order"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--degree", type=int, default=2, help="degree q of the map (default 2)")
    parser.add_argument("--order", type=int, default=3, help="truncation order N (default 3)")
    parser.add_argument("--format", choices=("markdown", "latex", "json"), default="markdown")
    parser.add_argument("--continuous", action="store_true", help="the continuous Carleman blocks instead")
    parser.add_argument("--dropped", action="store_true", help="add the blocks k > N removed by truncation")
    parser.add_argument(
        "--trees", type=int, metavar="T", help="instead: the leading dropped trees of u(T) − ŷ_1(T) (TREE-3)"
    )
    parser.add_argument("--forcing", action="store_true", help="with --trees: allow F_0 ≠ 0 nodes")
    parser.add_argument(
        "--write-spec", action="store_true", help="regenerate the committed tables under spec/tables and exit"
    )


def run(args: argparse.Namespace) -> int:
    if args.write_spec:
        for path in write_spec_tables():
            print(path)
        return 0
    with as_flags(_ARGUMENT):
        if args.trees is not None:
            text = render_leading_trees(args.degree, args.trees, args.order, args.format, allow_f0=args.forcing)
        else:
            table = correction_table(args.degree, args.order, continuous=args.continuous, dropped=args.dropped)
            text = render(table, args.format)
    print(text, end="")
    return 0
