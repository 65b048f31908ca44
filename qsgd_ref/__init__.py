"""qsgd-ref: the verification-backed reference implementation of the discrete Carleman / HHL
algorithm for (stochastic) gradient descent (Liu et al., Nat. Commun. 15, 2024).

The API follows the pipeline; every function returns a frozen result with ``to_json()`` and a
readable ``str()`` (or a documented array)::

    problem = qsgd_ref.load_problem("problem.json")   # or make_problem, parse_problem, problem_from_sympy
    qsgd_ref.lift(problem)            # LiftedMap: M_N and c of one step (LIFT-2 … LIFT-4)
    qsgd_ref.classify(problem)        # Regime (REG-1 … REG-7)
    qsgd_ref.bounds(problem)          # BoundTable (BND-1 … BND-9)
    qsgd_ref.conditioning(problem)    # ConditioningBounds (COND-1 … COND-3)
    qsgd_ref.output_state_bound(problem)  # OutputStateBound: the normalised output state (OUT-1)
    qsgd_ref.cost(problem, eps="1/100", idle=0)  # CostReport: cost of one run, Theorems 1–2 (COST-1 … COST-3)
    qsgd_ref.sgd_bounds(samples, batch, u0, steps=T, order=N)  # SgdBounds: minibatch SGD (SGD-1 … SGD-3)
    qsgd_ref.reference(problem)       # ReferenceResult: 50-digit trajectories, regime, bounds (FMT-2)
    qsgd_ref.eq6_system(problem)      # Eq6System L Y = b (SYS-1); solve_forward, condition_number
    qsgd_ref.hhl(problem)             # HHLResult (HHL-1 … HHL-4)
    qsgd_ref.correction_table(2, 3)   # Table of the η-order terms (ETA-1, FMT-3)
    qsgd_ref.oracle.verify(results, vectors)   # Report (ORC-4)

Names are loaded on first use, so ``import qsgd_ref`` stays light. The normative clauses are
importable: ``qsgd_ref.clauses()``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("qsgd-ref")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

#: public name -> module that defines it (pipeline order)
_API: dict[str, str] = {
    "InputError": "qsgd_ref.base.errors",
    "SizeLimitError": "qsgd_ref.base.errors",
    "SpecNotFoundError": "qsgd_ref.base.specdata",
    "clause": "qsgd_ref.base.spec",
    "clauses": "qsgd_ref.base.spec",
    "Problem": "qsgd_ref.problem.model",
    "load_problem": "qsgd_ref.problem.parse",
    "parse_problem": "qsgd_ref.problem.parse",
    "make_problem": "qsgd_ref.problem.parse",
    "problem_from_sympy": "qsgd_ref.models.losses",
    "LiftedMap": "qsgd_ref.carleman.lifted",
    "lift": "qsgd_ref.carleman.lifted",
    "Table": "qsgd_ref.carleman.symbolic.tables",
    "correction_table": "qsgd_ref.carleman.symbolic.tables",
    "Eq6System": "qsgd_ref.system.eq6",
    "eq6_system": "qsgd_ref.system.eq6",
    "solve_forward": "qsgd_ref.system.eq6",
    "ConditionNumber": "qsgd_ref.system.eq6",
    "condition_number": "qsgd_ref.system.eq6",
    "Regime": "qsgd_ref.theory.regimes",
    "classify": "qsgd_ref.theory.regimes",
    "BoundTable": "qsgd_ref.theory.table",
    "bounds": "qsgd_ref.theory.table",
    "ConditioningBounds": "qsgd_ref.theory.conditioning",
    "conditioning": "qsgd_ref.theory.conditioning",
    "SgdBounds": "qsgd_ref.theory.sgd",
    "sgd_bounds": "qsgd_ref.theory.sgd",
    "OutputStateBound": "qsgd_ref.theory.output_state",
    "output_state_bound": "qsgd_ref.theory.output_state",
    "CostReport": "qsgd_ref.theory.cost",
    "cost": "qsgd_ref.theory.cost",
    "ReferenceResult": "qsgd_ref.report.reference",
    "reference": "qsgd_ref.report.reference",
    "HHLResult": "qsgd_ref.quantum.result",
    "hhl": "qsgd_ref.quantum.pipeline",
}
#: subpackages reachable as attributes of the top level
_SUBPACKAGES = ("oracle", "models")

__all__ = [
    "__version__", "bounds", "BoundTable", "classify", "clause", "clauses", "condition_number", "conditioning",
    "ConditioningBounds", "ConditionNumber", "correction_table", "cost", "CostReport", "eq6_system", "Eq6System",
    "hhl", "HHLResult", "InputError", "lift", "LiftedMap", "load_problem", "make_problem", "models", "oracle",
    "output_state_bound", "OutputStateBound", "parse_problem", "Problem", "problem_from_sympy", "reference",
    "ReferenceResult", "Regime", "sgd_bounds", "SgdBounds", "SizeLimitError", "solve_forward",
    "SpecNotFoundError", "Table",
]


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"qsgd_ref.{name}")
    else:
        raise AttributeError(f"module 'qsgd_ref' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from qsgd_ref import models, oracle
    from qsgd_ref.base.errors import InputError, SizeLimitError
    from qsgd_ref.base.spec import clause, clauses
    from qsgd_ref.base.specdata import SpecNotFoundError
    from qsgd_ref.carleman.lifted import LiftedMap, lift
    from qsgd_ref.carleman.symbolic.tables import Table, correction_table
    from qsgd_ref.models.losses import problem_from_sympy
    from qsgd_ref.problem.model import Problem
    from qsgd_ref.problem.parse import load_problem, make_problem, parse_problem
    from qsgd_ref.quantum.pipeline import hhl
    from qsgd_ref.quantum.result import HHLResult
    from qsgd_ref.report.reference import ReferenceResult, reference
    from qsgd_ref.system.eq6 import ConditionNumber, Eq6System, condition_number, eq6_system, solve_forward
    from qsgd_ref.theory.conditioning import ConditioningBounds, conditioning
    from qsgd_ref.theory.cost import CostReport, cost
    from qsgd_ref.theory.output_state import OutputStateBound, output_state_bound
    from qsgd_ref.theory.regimes import Regime, classify
    from qsgd_ref.theory.sgd import SgdBounds, sgd_bounds
    from qsgd_ref.theory.table import BoundTable, bounds
