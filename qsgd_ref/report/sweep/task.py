"""One case of a sweep as a pure function (clause FMT-5): problem-file bytes and a :class:`Case` in,
one table row out.

:func:`run_case` reads nothing but its arguments and keeps no state between calls: it parses the
problem from the bytes, applies the parameters, and computes the quantities with one BLAS thread
(the result of a dense SVD may depend on the number of threads in its last bits, and the cases, not
the threads, are what runs in parallel). It sets every precision it uses through the library's own
contexts, so the same arguments give the same row in any process, on any worker, in any order. A
case that fails — the problem does not load, a parameter does not fit it, a computation runs out of
memory — is a row with ``status`` "error" and the reason in ``message``, never an exception.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import decode, parse_json
from qsgd_ref.problem import ExactMatrix, Map, Problem, parse_problem
from qsgd_ref.report.sweep.spec import BOUND_NAMES, Case, columns, option_column

#: the longest error message kept in a row
MAX_MESSAGE = 400


def run_case(data: bytes | None, case: Case, failure: str | None = None) -> dict[str, Any]:
    """The row of ``case`` on the problem file ``data`` (``failure`` says why there is none).

    Every column the case's quantities define is present (None where it has no value); the
    quantities' columns are filled only when ``status`` is "ok"."""
    from threadpoolctl import threadpool_limits

    row = dict.fromkeys(columns(case.options, case.quantities))
    row.update({"case": case.index, "case_id": case.case_id, "problem": case.problem})
    row.update({option_column(k): v for k, v in case.options.items()})
    row.update({k: v for k, v in case.parameters.items() if k in row})
    try:
        if data is None:
            raise InputError("problem", failure or "no problem")
        with threadpool_limits(limits=1):
            problem = _problem(data, case)
            row.update({"n": problem.n, "degree": problem.degree, "order": problem.order, "steps": problem.steps})
            values = _quantities(problem, case)
    except Exception as exc:  # noqa: BLE001 - a failed case is a row (FMT-5), whatever failed
        row.update(status="error", message=_message(exc))
        return row
    row.update(status="ok", **values)
    return row


def _message(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _problem(data: bytes, case: Case) -> Problem:
    problem = parse_problem(parse_json(decode(data, "problem"), "problem", case.problem))
    scale = Fraction(case.parameters["eta_scale"])
    if scale != 1:
        problem = scaled(problem, scale)
    steps, order = case.parameters["steps"], case.parameters["order"]
    if steps is not None and problem.time_dependent and steps > len(problem.maps):
        raise InputError("steps", f"a time-dependent problem has {len(problem.maps)} maps: at most "
                         f"{len(problem.maps)} steps, got {steps}")
    return problem.with_(steps=steps, order=order)


def scaled(problem: Problem, c: Fraction) -> Problem:
    """The problem with every F_ℓ of every step multiplied by ``c``: for a gradient-descent map
    (F_ℓ = η·G_ℓ, MAP-2) the same loss with the step size c·η. A matrix shared by several steps
    stays shared."""
    done: dict[int, ExactMatrix] = {}

    def one(a: ExactMatrix) -> ExactMatrix:
        if id(a) not in done:
            done[id(a)] = ExactMatrix.from_entries(a.shape, ((r, col, v * c) for r, col, v in a.entries()), a.source)
        return done[id(a)]

    maps: tuple[Map, ...] = tuple({ell: one(a) for ell, a in m.items()} for m in problem.maps)
    return Problem(problem.u0, maps, problem.steps, problem.order, problem.name, dict(problem.meta))


def _float(text: str) -> float:
    return float(text)  # "inf" and "nan" included


def _ratio(err: float, bound: float) -> float | None:
    if not (math.isfinite(bound) and bound > 0 and math.isfinite(err)):
        return None
    return err / bound


def _quantities(problem: Problem, case: Case) -> dict[str, Any]:
    from qsgd_ref.report.reference import reference
    from qsgd_ref.theory.regimes import classify

    params, q = case.parameters, set(case.quantities)
    out: dict[str, Any] = {}
    result = None
    if "error" in q:
        result = reference(problem, dps=params["dps"], engine=params["engine"], scheme=params["scheme"])
        errors = [_float(x) for x in result.error]
        complete = len(errors) == problem.steps + 1  # the float64 engine stops where a state leaves its range
        out.update(error_T=errors[-1] if complete else math.inf, error_max=max(errors) if complete else math.inf,
                   error_series=json.dumps(result.error, separators=(",", ":")))
        if "bounds" in q:
            series = result.bounds.bounds
            for name in BOUND_NAMES:
                values = [_float(x) for x in series[name]] if name in series else None
                tight = complete and values is not None and params["scheme"] == "discrete"
                out[f"bound_{name}"] = None if values is None else values[-1]
                out[f"tightness_{name}"] = _ratio(errors[-1], values[-1]) if tight and values else None
                ratios = [r for e, b in zip(errors, values or []) if (r := _ratio(e, b)) is not None]
                out[f"worst_{name}"] = max(ratios) if tight and ratios else None
    if "regime" in q:
        reg = result.regime if result is not None else classify(problem)
        out.update(regime=reg.regime, regime_basis=reg.regime_basis, gamma=reg.gamma, delta=reg.delta, R_d=reg.R_d,
                   r=reg.r, s=reg.s, rho=reg.spectral_radius_I_plus_F1, norm_I_plus_F1=reg.norm_I_plus_F1)
    if q & {"kappa", "success", "cost"}:
        out.update(_system(problem, case))
    return out


def _system(problem: Problem, case: Case) -> dict[str, Any]:
    """κ(L) and its bound, the success probability g² and its certified lower bound, and the COST-3
    figures: the columns of one cost report (κ is not measured when only the success probability is
    asked for)."""
    from qsgd_ref.theory.cost import DEFAULT_EPS, KAPPA_MAX_DIM, cost

    q, idle, eps = set(case.quantities), case.parameters["idle"], case.parameters["eps"]
    report = cost(problem, eps=Fraction(eps) if eps is not None else DEFAULT_EPS, idle=idle,
                  kappa_max_dim=KAPPA_MAX_DIM if q & {"kappa", "cost"} else 0)
    out: dict[str, Any] = {}
    if q & {"kappa", "cost"}:
        k = report.kappa
        out.update(system_dimension=report.system["dimension"], kappa=k["measured"], kappa_method=k["method"],
                   kappa_bound=k["bound"], kappa_bound_clause=k["bound_clause"],
                   kappa_uniform_bound=k["uniform_bound"])
    if q & {"success", "cost"}:
        g = report.success_probability
        out.update(success_probability=g["value"], success_lower_bound=g["lower_bound"])
    if "cost" in q:
        out.update(qubits=report.system["dilated_qubits"], sparsity=report.system["sparsity"],
                   solve_queries=report.quantum["solve_queries"], quantum_total=report.quantum["total"],
                   quantum_total_amplified=report.quantum["total_amplified"],
                   classical_gradient_descent=report.classical["gradient_descent"],
                   classical_forward_substitution=report.classical["forward_substitution"],
                   quantum_over_gradient_descent=report.ratio["quantum_over_gradient_descent"],
                   verdict=report.verdict["summary"])
    return out
