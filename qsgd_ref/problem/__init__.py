"""Stage 1, the problem: the exact polynomial map, its files and its iteration (the MAP clauses and FMT-1)."""

from qsgd_ref.problem.model import MAX_DEGREE, MAX_ORDER, MAX_STEPS, SCHEMA_V1, SCHEMA_V2, DenseMap, Map, Problem
from qsgd_ref.problem.parse import load_problem, make_problem, parse_problem
from qsgd_ref.problem.sparse import ExactMatrix

__all__ = ["MAX_DEGREE", "MAX_ORDER", "MAX_STEPS", "SCHEMA_V1", "SCHEMA_V2", "DenseMap", "ExactMatrix", "Map", "Problem",
           "load_problem", "make_problem", "parse_problem"]
