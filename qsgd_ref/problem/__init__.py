"""Stage 1, the problem: the exact polynomial map, its files and its iteration (the MAP clauses and FMT-1)."""

from qsgd_ref.problem.model import MAX_DEGREE, MAX_ORDER, MAX_STEPS, SCHEMA, Map, Problem
from qsgd_ref.problem.parse import load_problem, make_problem, parse_problem

__all__ = ["MAX_DEGREE", "MAX_ORDER", "MAX_STEPS", "SCHEMA", "Map", "Problem", "load_problem", "make_problem",
           "parse_problem"]
