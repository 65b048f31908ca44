"""qsgd-ref: verification-backed reference implementation of the discrete Carleman
linearization and HHL pipeline for (stochastic) gradient descent.

Normative definitions live in ``spec/clauses``; :mod:`qsgd_ref.base.spec` makes them importable.
"""

from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.problem import Problem, load_problem, parse_problem

__version__ = "0.1.0"
__all__ = ["InputError", "Problem", "SizeLimitError", "load_problem", "parse_problem"]
