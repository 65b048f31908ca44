"""``qsgd-ref validate PROBLEM.json``: check a problem file (clause FMT-1) and summarise it."""

from __future__ import annotations

import argparse

from qsgd_ref.problem import load_problem

HELP = "check a problem file and print its size"

DESCRIPTION = """\
Check a problem file and print its size: n, the degree q, the horizon T, the order N and the
lifted dimension D = n + n² + … + n^N. Exit status 0 if the file is valid, 2 (one line naming the
field) if it is not.

A problem file is a JSON object holding the map u(t+1) = u(t) + Σ_ℓ F_ℓ u(t)^{⊗ℓ} (clause FMT-1):

  {"schema": "qsgd-ref.problem.v2", "name": "example",
   "F": {"1": [["-1/4", "0"], ["0", "-1/5"]],
         "2": {"shape": [2, 4], "entries": [[0, 0, "1/10"], [1, 3, "-1/20"]]}},
   "u0": ["0.3", "-0.2"], "steps": 3, "order": 2}

  F        ℓ -> F_ℓ, an n × n^ℓ matrix (F_0 a list of n numbers): dense rows, or sparse
           {"shape": [n, n^ℓ], "entries": [[row, col, value], ...]} with 0-based indices and the
           column in numpy.kron order; an absent ℓ means F_ℓ = 0
  F_steps  one map per step instead (time-dependent, e.g. SGD minibatches); in version 2 a
           per-step map lists only the F_ℓ that change, the rest comes from F
  u0       the n entries of u(0)
  steps    the horizon T ≥ 0;  order: the truncation order N ≥ 1;  name, comment, meta: optional

Numbers are exact: a JSON number is read from its decimal text, a string may hold a decimal
("-0.125", "3e-2") or a rational ("1/8"). Version 1 ("qsgd-ref.problem.v1") has dense arrays
only; `qsgd-ref convert` rewrites one version as the other. All the rules, and the size limits:
docs/problem-files.md."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json", help="the problem file to check")


def run(args: argparse.Namespace) -> int:
    problem = load_problem(args.problem)
    summary = str(problem)
    print(summary if problem.name else f"{args.problem}: {summary.split(': ', 1)[1]}")
    return 0
