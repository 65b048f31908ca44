"""The end-to-end cost of one run and the verdict on the paper's Theorems 1–2 (clauses COST-1 …
COST-3, FMT-4; proofs in docs/theory/cost.md).

One run solves the Eq. 6 system L Y = b with p idle steps (SYS-1) on a quantum computer, post-selects
the level-1 block of the last time steps and downloads u(T) from samples (DNL-1). The model counts,
with every constant set to 1 (as RUN-1):

* one solve: s·κ·log₂(1/ε) queries to the sparse oracle of L (s its row/column sparsity, κ = κ(L))
  and κ·log₂(1/ε) preparations of b, each costing the UPL-1 gate count of the sparse state
  preparation of b;
* κ(L) measured where feasible, and its certified bound: COND-1 (COST-2 with idle steps), with
  COND-2's bounds uniform in T;
* the post-selection amplitude g = √(p+1)·‖ŷ_1(T)‖/‖Y‖ of the exact Eq. 6 solution (measured), with
  the certified lower bound of COST-1;
* the download: the pipeline's DNL-1 scheme (every shot one solve; the reference entry is the
  largest of ŷ(0), known classically), or the amplified scheme (⌈1/g⌉ solves per post-selected copy,
  the reference inside the block; it yields the direction u(T)/‖u(T)‖ only);
* classical: T·Σ_ℓ nnz(F_ℓ) for gradient descent itself, Σ_t nnz(M_N(t)) + nnz(c(t)) for forward
  substitution (SYS-2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import flint
import numpy as np
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence

from qsgd_ref.base.balls import arb_prec, ball, upper_decimal
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.precision import parse_exact
from qsgd_ref.base.results import Result, jsonable
from qsgd_ref.problem import Problem
from qsgd_ref.problem.iterate import iterate
from qsgd_ref.system.eq6 import condition_number, eq6_system, solve_forward
from qsgd_ref.theory.conditioning import conditioning, kappa_bound
from qsgd_ref.theory.majorant import level_coefficients
from qsgd_ref.theory.norms import problem_norms, r_upper
from qsgd_ref.theory.output_state import DIGITS, a_priori, lower_decimal, normalised_bound
from qsgd_ref.theory.regimes import ALMOST, FULLY, classify

SCHEMA = "qsgd-ref.cost.v1"
#: κ(L) is measured (dense SVD up to 2,000 rows, ARPACK estimates beyond) up to this dimension.
KAPPA_MAX_DIM = 20_000
#: Default target precision ε.
DEFAULT_EPS = Fraction(1, 100)

THEOREM_1 = ("Theorem 1 (informal, Liu et al. 2024): a sparse model of size n, T iterations, fully dissipative "
             "with small learning rates ⇒ a quantum algorithm in O(T · poly(log n, 1/ε)); sparsity makes "
             "upload and download efficient")
THEOREM_2 = ("Theorem 2 (informal, Liu et al. 2024): a sparse model of size n, T iterations, almost dissipative "
             "with small learning rates ⇒ a quantum algorithm in O(T² · poly(log n, 1/ε)); sparsity makes "
             "upload and download efficient")


# ---------------------------------------------------------------------------------------------
# COST-1: a certified lower bound on the success amplitude


def truncated_majorant_balls(problem: Problem) -> list[list[flint.arb]]:
    """w_j(t) ≥ ‖ŷ_j(t)‖₂, t = 0 … T, j = 0 … N (w_0 = 1): the order-N truncated iteration of the
    scalar majorant map, w_j(t+1) = Σ_{k=0..N} b_jk(t) w_k(t), w_j(0) = r^j. Call inside ``arb_prec``."""
    hs = [{ell: ball(x) for ell, x in h.items()} for h in problem_norms(problem)]
    coeffs = [level_coefficients(h, problem.order) for h in hs]
    r = ball(r_upper(problem))
    w = [r**j for j in range(problem.order + 1)]
    out = [w]
    for t in range(problem.steps):
        b = coeffs[t if len(coeffs) > 1 else 0]
        w = [w[0]] + [sum((b[j][k] * w[k] for k in range(min(len(b[j]), problem.order + 1))), flint.arb(0))
                      for j in range(1, problem.order + 1)]
        out.append(w)
    return out


@dataclass(frozen=True)
class _Amplitude:
    lower: flint.arb  # g_lower (ball; its lower end is the bound)
    carleman_lower: flint.arb  # ℓ_ŷ ≤ ‖ŷ_1(T)‖
    y_upper: flint.arb  # ≥ ‖Y‖
    output_bound: flint.arb  # OUT-1, a priori
    truncation: flint.arb  # BND-1 at T


def amplitude_lower(problem: Problem, idle: int, prec: int = 128) -> _Amplitude:
    """COST-1: g ≥ √(p+1)·ℓ_ŷ / √(Σ_{t≤T} W(t)² + p·W(T)²), W(t)² = Σ_{j=1..N} w_j(t)², ℓ_ŷ the a
    priori lower bound on ‖ŷ_1(T)‖₂ of OUT-1."""
    with arb_prec(prec):
        low = a_priori(problem, prec)
        w = truncated_majorant_balls(problem)
        sq = [sum((x * x for x in row[1:]), flint.arb(0)) for row in w]
        total = sum(sq, flint.arb(0)) + idle * sq[-1]
        y_up = total.sqrt()
        lower_y = low.y.max(flint.arb(0))
        g = (flint.arb(idle + 1).sqrt() * lower_y / y_up) if y_up > 0 else flint.arb(0)
        return _Amplitude(g.max(flint.arb(0)), lower_y, y_up, normalised_bound(low.e, low.u, low.y), low.e)


# ---------------------------------------------------------------------------------------------
# the report


def criterion(name: str, holds: bool | None, rule: str, values: dict[str, Any]) -> dict[str, Any]:
    """One hypothesis or requirement of the verdict (COST-3): whether it ``holds`` (None: not decidable
    on one instance), the ``criterion`` applied and the numbers it was decided on."""
    return {"name": name, "holds": holds, "criterion": rule, "values": jsonable(values)}


def _all(items: list[dict[str, Any]]) -> bool | None:
    if any(c["holds"] is False for c in items):
        return False
    if any(c["holds"] is None for c in items):
        return None
    return True


@dataclass(frozen=True)
class CostReport(Result):
    """The end-to-end cost of one run (COST-3) in the layout of ``schemas/cost.v1.json`` (FMT-4):
    ``to_json()`` writes exactly that document; the fields are its sections."""

    problem: dict[str, Any]
    eps: float
    system: dict[str, Any]
    kappa: dict[str, Any]
    success_probability: dict[str, Any]
    output_state: dict[str, Any]
    upload: dict[str, Any]
    download: dict[str, Any]
    quantum: dict[str, Any]
    classical: dict[str, Any]
    ratio: dict[str, Any]
    verdict: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        out = {"schema": SCHEMA}
        out.update({name: jsonable(getattr(self, name)) for name in (
            "problem", "eps", "system", "kappa", "success_probability", "output_state", "upload", "download",
            "quantum", "classical", "ratio", "verdict")})
        return out

    def summary(self) -> list[str]:
        p, k, sp_, q, c = self.problem, self.kappa, self.success_probability, self.quantum, self.classical
        kap = f"{k['used']:.4g} ({k['used_source']})"
        lines = [f"cost of {p['name'] or 'problem'} (n = {p['n']}, T = {p['steps']}, N = {p['order']}, "
                 f"idle p = {p['idle']}, ε = {self.eps:g})",
                 f"  κ(L) = {kap}; g² = {_g(sp_['value'])} (certified ≥ {_g(sp_['lower_bound'])})",
                 f"  quantum: {_g(q['total_amplified'])} (amplified), {_g(q['total'])} (DNL-1 pipeline); "
                 f"classical: {_g(c['gradient_descent'])} (gradient descent), "
                 f"{_g(c['forward_substitution'])} (forward substitution)",
                 f"  {self.verdict['summary']}"]
        return lines


def _g(x: Any) -> str:
    return f"{x:.4g}" if isinstance(x, float | int) else str(x)


def _float_down(text: str) -> float:
    """The largest float ≤ the decimal ``text`` (certified lower bounds stay lower bounds)."""
    if text in ("-inf", "inf"):
        return float(text)
    f = float(text)
    if not math.isfinite(f):  # beyond the float range
        return math.copysign(1.7976931348623157e308, f) if f > 0 else -math.inf
    return math.nextafter(f, -math.inf) if Fraction(f) > Fraction(Decimal(text)) else f


def _ceil(x: float) -> float:
    """⌈x⌉ as a float count (inf when x is not finite)."""
    return float(math.ceil(x)) if math.isfinite(x) else math.inf


def _times(*xs: float) -> float:
    """A product of non-negative counts, inf when it overflows or a factor is infinite (an
    infinite factor wins over a zero one: a run that cannot be done has no finite cost)."""
    if any(math.isinf(x) for x in xs):
        return math.inf
    out = 1.0
    for x in xs:
        if x == 0:
            return 0.0
        out *= x
    return out if math.isfinite(out) else math.inf


def _check(eps: Any, idle: Any, kappa_max_dim: Any) -> Fraction:
    try:
        e = eps if isinstance(eps, Fraction) else parse_exact(eps)
    except (ValueError, TypeError):
        raise InputError("eps", f"must be a number in (0, 1), got {eps!r}") from None
    if not 0 < e < 1:
        raise InputError("eps", f"must lie in (0, 1), got {eps}")
    if isinstance(idle, bool) or not isinstance(idle, int) or idle < 0:
        raise InputError("idle", f"must be a non-negative integer, got {idle!r}")
    if isinstance(kappa_max_dim, bool) or not isinstance(kappa_max_dim, int) or kappa_max_dim < 0:
        raise InputError("kappa_max_dim", f"must be a non-negative integer, got {kappa_max_dim!r}")
    return e


def cost(problem: Problem, *, eps: Fraction | str | float = DEFAULT_EPS, idle: int = 0,
         kappa_max_dim: int = KAPPA_MAX_DIM) -> CostReport:
    """The end-to-end cost of one run of ``problem`` with ``idle`` idle steps at precision ``eps``
    (COST-3): κ(L) measured and bounded, the success probability g² and its certified lower bound,
    upload, download, quantum and classical costs, their ratio, and the verdict on Theorems 1–2.

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/10"]], 2: [["1/20"]]}, u0=["1/2"], steps=5, order=2)
    >>> c = qsgd_ref.cost(p, idle=2)
    >>> round(c.success_probability["value"], 6), c.kappa["method"]
    (0.226006, 'dense SVD')
    >>> c.success_probability["lower_bound"] <= c.success_probability["value"]
    True
    >>> [h["name"] for h in c.verdict["theorem_1"]["hypotheses"]]
    ['sparse model', 'sparse upload', 'fully dissipative', 'small learning rate']
    """
    e = _check(eps, idle, kappa_max_dim)
    T, n, order = problem.steps, problem.n, problem.order
    system = eq6_system(problem, idle)
    dim, block = int(system.matrix.shape[0]), system.block
    csr = system.matrix.tocsr()
    row_nnz = int(np.max(np.diff(csr.indptr))) if dim else 0
    col_nnz = int(np.max(np.bincount(csr.indices, minlength=dim))) if dim else 0
    sparsity = max(row_nnz, col_nnz)
    qubits = max(1, math.ceil(math.log2(max(dim, 2))))
    dilated = math.ceil(math.log2(2 * dim))

    # the exact Eq. 6 solution (forward substitution, SYS-2) and the success amplitude
    sol = solve_forward(problem, idle)
    y_norm = float(np.linalg.norm(sol))
    target = sol[T, :n]
    target_norm = float(np.linalg.norm(target))
    g = math.sqrt(idle + 1) * target_norm / y_norm if y_norm > 0 else 0.0
    amp = amplitude_lower(problem, idle)
    g_low = _float_down(lower_decimal(amp.lower, 17))

    # κ(L): measured where feasible, and the COND / COST-2 bounds
    measured: float | None = None
    method: str | None = None
    why = ""
    if dim <= kappa_max_dim:
        try:
            kn = condition_number(system)
            measured, method = kn.value, kn.method
        except (ArpackNoConvergence, ArpackError, RuntimeError) as exc:  # pragma: no cover - ARPACK failure
            why = f"not measured: {type(exc).__name__}"
    else:
        why = f"not measured: dimension {dim:,} above {kappa_max_dim:,}"
    cond = conditioning(problem)
    bound = cond.kappa_bound_at_T if idle == 0 else kappa_bound(problem, idle=idle)
    use_measured = measured is not None and math.isfinite(measured)
    kappa_used = measured if measured is not None and use_measured else bound
    explicit = None if idle or cond.kappa_explicit_uniform is None else {
        "bound": cond.kappa_explicit_uniform, "s": cond.explicit_uniform_s}
    kappa = {"measured": measured, "method": method or why, "bound": bound,
             "spectral_radius_m": cond.spectral_radius_m, "bound_clause": "COND-1" if idle == 0 else "COST-2",
             "uniform_bound": None if idle else cond.kappa_uniform_bound, "uniform_explicit": explicit,
             "used": kappa_used, "used_source": "measured" if use_measured else "bound"}

    # upload (UPL-1) of b on the dilated register
    s_b = int(np.count_nonzero(system.rhs))
    q_b = max(0, math.ceil(math.log2(s_b))) if s_b else 0
    up_gates = (2**q_b + s_b * (2 * (dilated - 1) + min(dilated - 1, max(s_b - 1, 0)))) if s_b else 0
    logs = math.log2(1 / float(e))
    queries = float(sparsity) * kappa_used * logs
    preps = kappa_used * logs
    per_solve = queries + preps * up_gates

    # download (DNL-1): the pipeline's scheme and the amplified one
    wanted = int(np.count_nonzero(target))
    ref_block = sol[0] if np.any(sol[0]) else (sol[1] if T >= 1 else sol[0])
    ref_index = int(np.argmax(np.abs(ref_block)))
    ref_value = float(ref_block[ref_index])
    ef = float(e)
    s_mag: float
    if g > 0 and ref_value != 0 and wanted:
        s_mag = _ceil((wanted + (idle + 1) * target_norm**2 / ref_value**2) / (4 * ef * ef * g * g))
    else:
        s_mag = math.inf
    runs = 1 + wanted
    shots = _times(runs, s_mag)
    s_amp: float
    per_copy: float
    if wanted and g > 0:
        p_max = float(np.max(target**2)) / target_norm**2
        s_amp = max(1, math.ceil((wanted - 2 + 1 / p_max) / (4 * ef * ef)))
        per_copy = _ceil(1 / g)
    else:
        s_amp, per_copy = math.inf, math.inf
    copies = _times(wanted, s_amp)
    total = _times(shots, per_solve)
    total_amp = _times(copies, per_copy, per_solve)

    # classical costs
    gd = sum(sum(a.nnz for a in problem.map_at(t).values()) for t in range(T))
    fs = int(system.matrix.nnz) - dim - idle * block + int(np.count_nonzero(system.rhs[block:(T + 1) * block]))

    best = min(total, total_amp)
    ratio = {"quantum_over_gradient_descent": best / gd if gd else math.inf,
             "quantum_over_forward_substitution": best / fs if fs else math.inf,
             "quantum": "amplified" if total_amp <= total else "pipeline"}

    # the output state (OUT-1) and its measured error
    exact_t = np.array([float(x) for x in list(iterate(problem, float))[-1]])
    measured_out = _normalised_distance(exact_t, target)
    with arb_prec(128):
        out_bound = _up(amp.output_bound)
        trunc = _up(amp.truncation)
    output = {"truncation_bound": trunc, "bound": out_bound, "measured": measured_out,
              "carleman_norm_lower": _float_down(lower_decimal(amp.carleman_lower, 17))}

    regime = classify(problem)
    verdict = _verdict(problem=problem, idle=idle, eps=ef, regime=regime, sparsity=sparsity, s_b=s_b,
                       qubits=dilated, kappa=kappa, g=g, out_bound=out_bound, measured_out=measured_out,
                       best=best, gd=gd)
    return CostReport(
        problem={"name": problem.name, "n": n, "degree": problem.degree, "order": order, "steps": T, "idle": idle,
                 "time_dependent": problem.time_dependent},
        eps=ef,
        system={"dimension": dim, "block": block, "nnz": int(system.matrix.nnz), "sparsity": sparsity,
                "qubits": qubits, "dilated_qubits": dilated},
        kappa=kappa,
        success_probability={"value": g * g, "amplitude": g, "lower_bound": g_low * g_low, "amplitude_lower_bound": g_low,
                             "target_norm": target_norm, "solution_norm": y_norm,
                             "log10_value": 2 * (math.log10(g)) if g > 0 else -math.inf},
        output_state=output,
        upload={"nonzeros": s_b, "qubits": dilated, "gates": up_gates, "per_solve": preps},
        download={"scheme": "DNL-1 pipeline: one magnitude run and one interference run per wanted entry, "
                            "S shots each, reference in block 0",
                  "reference_index": ref_index, "reference_value": ref_value, "wanted": wanted,
                  "shots_per_run": s_mag, "runs": runs, "shots": shots,
                  "amplified": {"samples_per_run": s_amp, "runs": wanted, "copies": copies, "solves_per_copy": per_copy}},
        quantum={"solve_queries": queries, "state_preparations": preps, "per_solve": per_solve,
                 "run1_queries": queries / g if g > 0 else math.inf, "total": total, "total_amplified": total_amp},
        classical={"gradient_descent": gd, "forward_substitution": fs},
        ratio=ratio,
        verdict=verdict,
    )


def _up(x: flint.arb) -> float:
    """A float ≥ every value in the ball."""
    text = upper_decimal(x, DIGITS)
    if text == "inf":
        return math.inf
    f = float(text)
    if not math.isfinite(f):  # beyond the float range
        return math.inf
    return math.nextafter(f, math.inf) if Fraction(f) < Fraction(Decimal(text)) else f


def _normalised_distance(x: np.ndarray, y: np.ndarray) -> float | None:
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx == 0 or ny == 0 or not (math.isfinite(nx) and math.isfinite(ny)):
        return None
    return float(np.linalg.norm(x / nx - y / ny))


def _verdict(*, problem: Problem, idle: int, eps: float, regime: Any, sparsity: int, s_b: int, qubits: int,
             kappa: dict[str, Any], g: float, out_bound: float, measured_out: float | None, best: float,
             gd: float) -> dict[str, Any]:
    """The hypotheses of Theorems 1–2 and the requirements of their runtimes, decided on this instance
    (COST-3)."""
    k2 = qubits * qubits
    horizon = problem.steps + 1 + idle
    sparse_model = criterion("sparse model", sparsity <= k2, "row/column sparsity s of L ≤ (dilated qubits)²",
                             {"sparsity": sparsity, "limit": k2})
    sparse_upload = criterion("sparse upload", s_b <= k2, "non-zeros of b ≤ (dilated qubits)²",
                              {"nonzeros": s_b, "limit": k2})
    numbers = {"regime": regime.regime, "basis": regime.regime_basis, "gamma": regime.gamma, "delta": regime.delta,
               "R_d": regime.R_d, "s": regime.s, "reasons": regime.reasons}
    fully = criterion("fully dissipative", regime.regime == FULLY,
                      "REG-2: γ > 0 and R_d(s) < 1 at the radius s of REG-6 (in the 2-norm or a REG-7 view)", numbers)
    almost = criterion("almost dissipative", regime.regime in (FULLY, ALMOST),
                       "REG-3 (or REG-2, which implies its conclusion)", numbers)
    small = criterion("small learning rate", None,
                      "not formalised: its definition is in the paper's supplementary material, which is not "
                      "available; the norms behind REG-1 are reported", {"norms": regime.norms})
    ratio = kappa["used"] / g if g > 0 else math.inf
    kappa_flat = criterion("κ(L) bounded in T", kappa["spectral_radius_m"] < 1,
                           "COND-2 / COST-2: ρ(m) < 1, so κ(L) has a bound uniform in T (for fixed p)",
                           {"spectral_radius_m": kappa["spectral_radius_m"], "uniform_bound": kappa["uniform_bound"]})
    per_t = criterion("κ/g ≤ T + 1 + p", ratio <= horizon,
                      "the cost per solve and post-selection, κ/g, within the claimed linear growth (constant 1)",
                      {"kappa_over_g": ratio, "limit": horizon})
    per_t2 = criterion("κ/g ≤ (T + 1 + p)²", ratio <= horizon**2,
                       "κ/g within the claimed quadratic growth (constant 1)",
                       {"kappa_over_g": ratio, "limit": horizon**2})
    trunc = criterion("output error ≤ ε (certified)", out_bound <= eps,
                      "OUT-1 bound on ‖u(T)/‖u(T)‖ − ŷ_1(T)/‖ŷ_1(T)‖‖₂ ≤ ε",
                      {"bound": out_bound, "measured": measured_out, "eps": eps})
    advantage = {"holds": best < gd, "quantum": best, "classical_gradient_descent": gd,
                 "ratio": best / gd if gd else math.inf}
    t1: dict[str, Any] = {"statement": THEOREM_1, "hypotheses": [sparse_model, sparse_upload, fully, small],
          "requirements": [kappa_flat, per_t, trunc]}
    t2: dict[str, Any] = {"statement": THEOREM_2, "hypotheses": [sparse_model, sparse_upload, almost, small],
          "requirements": [per_t2, trunc]}
    for t in (t1, t2):
        t["hypotheses_hold"] = _all(t["hypotheses"])
        t["requirements_hold"] = _all(t["requirements"])
    failing = [c["name"] for c in [sparse_model, sparse_upload, fully, kappa_flat, per_t, trunc] if c["holds"] is False]
    adv = "survives" if advantage["holds"] else "does not survive"
    summary = (f"Theorem 1: hypotheses {_word(t1['hypotheses_hold'])}, runtime requirements "
               f"{_word(t1['requirements_hold'])}; Theorem 2: hypotheses {_word(t2['hypotheses_hold'])}, "
               f"runtime requirements {_word(t2['requirements_hold'])}; the advantage over gradient descent {adv} "
               f"(quantum/classical = {_g(advantage['ratio'])})"
               + (f"; failing: {', '.join(failing)}" if failing else ""))
    return {"theorem_1": t1, "theorem_2": t2, "advantage": advantage, "summary": summary}


def _word(x: bool | None) -> str:
    return {True: "hold", False: "fail", None: "not decided"}[x]
