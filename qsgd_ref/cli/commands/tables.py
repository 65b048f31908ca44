"""``qsgd-ref tables``: correction tables of the discrete Carleman blocks (clauses ETA-1, ETA-3, FMT-3)."""

from __future__ import annotations

import argparse

from qsgd_ref.base.errors import InputError
from qsgd_ref.carleman.symbolic.render import render
from qsgd_ref.carleman.symbolic.tables import correction_table
from qsgd_ref.carleman.symbolic.terms import MAX_DEGREE, MAX_LEVEL
from qsgd_ref.carleman.symbolic.trees import MAX_DEPTH, leading_search_size, render_leading_trees
from qsgd_ref.cli import work
from qsgd_ref.cli.flags import as_flags
from qsgd_ref.cli.options import IntIn

_ARGUMENT = {"steps": "--trees", "degree": "--degree", "order": "--order", "format": "--format"}

HELP = "print the terms of every Carleman block (j, k) grouped by η order"

DESCRIPTION = """\
Print the terms of every block B_jk (j, k ≤ N) of the discrete Carleman matrix of a degree-q map,
grouped by their order in the step size η (clauses ETA-1, ETA-3), as Markdown, LaTeX or JSON
(schema qsgd-ref.tables.v1, FMT-3). Terms of η order ≥ 2 exist only in the discrete scheme.

--trees T prints instead the leading dropped trees of u(T) − ŷ_1(T) (clause TREE-3), with
--forcing to allow F_0 ≠ 0 nodes. Sizes beyond the enumeration limits are refused by name."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--degree", type=IntIn(0, MAX_DEGREE), default=2, metavar="Q",
                        help=f"degree q of the map, 0 … {MAX_DEGREE} (default 2)")
    parser.add_argument("--order", type=IntIn(1, MAX_LEVEL), default=3, metavar="N",
                        help=f"truncation order N, 1 … {MAX_LEVEL} (default 3)")
    parser.add_argument("--format", choices=("markdown", "latex", "json"), default="markdown",
                        help="output format (default markdown; --trees: markdown or latex)")
    parser.add_argument("--continuous", action="store_true", help="the continuous Carleman blocks instead")
    parser.add_argument("--dropped", action="store_true", help="add the blocks k > N removed by truncation")
    parser.add_argument("--trees", type=IntIn(0, MAX_DEPTH), metavar="T",
                        help=f"instead: the leading dropped trees of u(T) − ŷ_1(T), T = 0 … {MAX_DEPTH} (TREE-3)")
    parser.add_argument("--forcing", action="store_true", help="with --trees: allow F_0 ≠ 0 nodes")
    work.add_budget_options(parser)

#: seconds per tree the leading-tree search enumerates (measured: 12,244 trees in 24 s)
TREE_SECONDS = 2e-3


def run(args: argparse.Namespace) -> int:
    if args.trees is None and args.forcing:
        raise InputError("--forcing", "applies to the tree reports only: give --trees T as well")
    if args.trees is not None:
        for flag, given in (("--continuous", args.continuous), ("--dropped", args.dropped)):
            if given:
                raise InputError(flag, "applies to the correction tables, not to --trees")
    with as_flags(_ARGUMENT):
        if args.trees is not None:
            if args.degree <= 4:  # larger degrees are refused by name by the enumeration itself
                trees = leading_search_size(args.degree, args.trees, args.order, allow_f0=args.forcing)
                work.check(work.Work(f"the leading-tree search (q = {args.degree}, t = {args.trees}, N = {args.order}: "
                                     f"up to {trees:,} trees)", trees * TREE_SECONDS, trees * 4096 + 100 * 2**20,
                                     "--trees"), args)
            text = render_leading_trees(args.degree, args.trees, args.order, args.format, allow_f0=args.forcing)
        else:
            table = correction_table(args.degree, args.order, continuous=args.continuous, dropped=args.dropped)
            text = render(table, args.format)
    print(text, end="")
    return 0
