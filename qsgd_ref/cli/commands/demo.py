"""``qsgd-ref demo``: the main job on a built-in problem or the user's own (see qsgd_ref.report.demo)."""

from __future__ import annotations

import argparse
from typing import Any

from qsgd_ref.base.limits import memory_budget
from qsgd_ref.cli import work
from qsgd_ref.cli.options import IntIn, IntList
from qsgd_ref.cli.output import output_folder

HELP = "run the end-to-end demonstration on a built-in (or your own) problem"

DESCRIPTION = """\
Run one problem through every stage, printing each: its regime, an excerpt of the correction
table, the truncation error against every applicable bound for the orders --orders (a table and
the figure error_vs_bounds.png), the Eq. 6 system's size and condition number, and HHL with the
download of u(T) and its error budget, on a copy of the problem reduced to N ≤ 2, T ≤ 2.

Without --problem it runs a built-in quadratic map with forcing (n = 2, T = 10) in a few seconds.
The problem is validated and the work estimated before anything is written; the figure goes into
--out, created at the end. A stage that cannot run on the problem (too many qubits for HHL, an
order whose lifted dimension is too large) is skipped with the reason."""

#: shots of the demo's download (0 skips the HHL stage)
MAX_SHOTS = 10**7


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--problem", metavar="PROBLEM.json",
                        help="use this problem instead of the built-in one (see `qsgd-ref validate --help`)")
    parser.add_argument("--orders", type=IntList(1, 8), default=[1, 2, 3, 4], metavar="N1,N2,...",
                        help="orders N to compare, each 1 … 8 (default 1,2,3,4)")
    parser.add_argument("--shots", type=IntIn(0, MAX_SHOTS), default=20000,
                        help="shots for the download (default 20000; 0 skips the HHL stage)")
    parser.add_argument("--out", default="qsgd-ref-demo", metavar="DIR",
                        help="folder for the figure (default ./qsgd-ref-demo)")
    work.add_budget_options(parser)


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.problem import load_problem
    from qsgd_ref.quantum.result import HHLEstimate
    from qsgd_ref.report.demo import default_problem, demo_orders, run_demo

    problem = load_problem(args.problem) if args.problem else default_problem()
    shown, _ = demo_orders(problem, args.orders)
    estimate = work.reference_work(problem, dps=30, levels=max(len(shown), 1),
                                   option="PROBLEM.json" if args.problem else "--orders")
    work.check(estimate._replace_what(f"the demo's trajectories of {problem.name or 'the problem'} for N = "
                                      f"{','.join(map(str, shown)) or '-'} (T = {problem.steps:,})"), args)

    def gate(plan: HHLEstimate) -> str | None:
        return plan.over_time(args.max_time) or plan.over_memory(args.max_memory or memory_budget())

    options: dict[str, Any] = {"orders": args.orders, "shots": args.shots, "source": args.problem or "",
                               "hhl_gate": gate}
    with output_folder(args.out, "--out") as out:
        return run_demo(None if not args.problem else problem, out=out.staging, shown_as=args.out, **options)
