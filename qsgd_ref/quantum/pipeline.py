"""HHL on the Eq. 6 system of a problem, end to end (clauses HHL-1 … HHL-4, UPL-1, DNL-1).

Upload b (sparse), HHL with the chosen clock, post-select, download u(T) = level 1 of the last
time block relative to the classically known entry u0_r of block 0 (Y_0 = ŷ(0), SYS-2).
:func:`estimate` states the work of a run (qubits, memory, time, analytic counts) before it is
done; :func:`hhl` does it.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
from qiskit import QuantumCircuit, transpile

from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.limits import human_bytes
from qsgd_ref.base.precision import DEFAULT_DPS
from qsgd_ref.problem import Problem
from qsgd_ref.quantum import resources as rc
from qsgd_ref.quantum.clock import MIN_CLOCK, Clock, check_clock_bits, make_clock
from qsgd_ref.quantum.dilation import MAX_SYSTEM_QUBITS, Encoded, encode
from qsgd_ref.quantum.download import Counts, Download, download
from qsgd_ref.quantum.hhl import BASIS, aer_statevector, hhl_circuit, postselect, resources, simulate
from qsgd_ref.quantum.result import ErrorBudget, HHLEstimate, HHLResult
from qsgd_ref.quantum.twin import TARGET_FIDELITY, UCheck, best_rotation, choose_clock, twin
from qsgd_ref.quantum.upload import sparse_state_preparation
from qsgd_ref.system.eq6 import eq6_system
from qsgd_ref.trajectories.iteration import carleman_trajectory, exact_trajectory

#: Largest clock the automatic choice uses (larger clocks only when given).
MAX_AUTO_CLOCK = 9
#: The simulators of :func:`hhl`: "blockwise" (:func:`qsgd_ref.quantum.hhl.simulate`) or "aer".
SIMULATORS = ("blockwise", "aer")


def exact_and_carleman(problem: Problem, dps: int = DEFAULT_DPS) -> tuple[np.ndarray, np.ndarray]:
    """u(T) of the exact iteration and ŷ₁(T) of the Carleman iteration (reference, float64 view)."""
    with mpmath.workdps(dps):
        ex = np.array([float(x) for x in exact_trajectory(problem, dps)[-1]])
        ca = np.array([float(x) for x in carleman_trajectory(problem, dps)[-1]])
    return ex, ca


def _system_sampler(state: np.ndarray, enc: Encoded, clock: Clock, shots: int | None,
                    seed: int) -> Callable[[QuantumCircuit | None], Counts]:
    """Post-selected (ancilla = 1, clock = 0) counts of the system register after appending
    ``extra`` to the system qubits: probabilities (``shots`` None) or ``shots`` samples of the whole
    register drawn from the final state (every qubit measured at the end), post-selected."""
    nq = enc.qubits + clock.bits + 1
    rng = np.random.default_rng(seed)

    def sample(extra: QuantumCircuit | None) -> Counts:
        v = state
        if extra is not None:
            full = QuantumCircuit(nq)
            full.compose(extra, list(range(enc.qubits)), inplace=True)
            v = simulate(full, state)
        prob = np.abs(v) ** 2
        if shots is None:
            post = prob.reshape(2, clock.size, -1)[1, 0]
            return {i: float(x) for i, x in enumerate(post)}
        counts = rng.multinomial(shots, prob / prob.sum()).reshape(2, clock.size, -1)[1, 0]
        return {int(i): float(counts[i]) for i in np.flatnonzero(counts)}
    return sample


def _u_indices(problem: Problem, enc: Encoded) -> tuple[list[int], int]:
    D = lifted_dimension(problem.n, problem.order)
    off = enc.solution_slice.start
    return [off + problem.steps * D + i for i in range(problem.n)], off


def _twin_download(enc: Encoded, clk: Clock, idx: list[int], ref: int, refv: float) -> np.ndarray:
    """u_T from the twin's exact state at infinitely many shots."""
    out = twin(enc, clk).unnormalised
    probs = {i: float(abs(a) ** 2) for i, a in enumerate(out)}

    def sample(extra: QuantumCircuit | None) -> Counts:
        if extra is None:
            return probs
        v = simulate(extra, out)
        return {i: float(abs(a) ** 2) for i, a in enumerate(v)}
    return download(idx, ref, refv, enc.qubits, sample, statevector=True).values


@dataclass(frozen=True)
class _Plan:
    """What a run needs before simulating: the encoded system, the reference values, the download
    indices, the clock and how it was chosen, and the wall time spent."""

    enc: Encoded
    exact: np.ndarray
    carleman: np.ndarray
    indices: list[int]
    ref: int
    refv: float
    has_ref: bool
    clock: Clock
    rule: str
    upload_cx: int
    seconds: float


def system_qubits(problem: Problem) -> tuple[int, int]:
    """(rows of the Eq. 6 system, qubits of its encoding) before anything is built: (T + 1)·D rows,
    doubled by the Hermitian dilation (HHL-1) unless T = 0 (L = I is Hermitian), padded to 2^k."""
    rows = (problem.steps + 1) * lifted_dimension(problem.n, problem.order)
    size = rows if problem.steps == 0 else 2 * rows
    return rows, max(1, (size - 1).bit_length())


def _plan(problem: Problem, clock_bits: int | None, dps: int, u_tol: float, target: float,
          given: HHLEstimate | None = None) -> _Plan:
    t0 = time.perf_counter()
    if clock_bits is not None:
        check_clock_bits(clock_bits)
    rows, k = system_qubits(problem)
    if k > MAX_SYSTEM_QUBITS:  # refused before the system is built
        c = clock_bits or MIN_CLOCK
        raise SizeLimitError("problem", f"the Eq. 6 system has {rows:,} rows (T = {problem.steps}, "
                             f"D = {rows // (problem.steps + 1):,}): {k} system qubits once dilated, at least "
                             f"{k + c + 1} with clock and ancilla (a state vector of "
                             f"{human_bytes(16 * 2 ** (k + c + 1))} and dense {2 ** k:,} × {2 ** k:,} powers of U); "
                             f"at most {MAX_SYSTEM_QUBITS} system qubits are simulated")
    if not 0 < target < 1:
        raise InputError("target_fidelity", f"must be in (0, 1), got {target}")
    if not u_tol > 0:
        raise InputError("u_tol", f"must be positive, got {u_tol}")
    system = eq6_system(problem)
    enc = encode(system.matrix, system.rhs)
    ex, ca = exact_and_carleman(problem, dps)
    idx, ref_base = _u_indices(problem, enc)
    u0 = problem.u0_float()
    r = int(np.argmax(np.abs(u0)))
    ref, refv = ref_base + r, float(u0[r])
    has_ref = bool(np.any(u0 != 0))
    check = UCheck(idx, ref, refv, ca, u_tol * float(np.linalg.norm(ca))) if has_ref else None
    if given is not None:
        if given.system_dimension != enc.size or given.system_qubits != enc.qubits:
            raise InputError("planned", f"is an estimate for a system of dimension {given.system_dimension}, "
                                        f"not {enc.size}")
        clk, rule = Clock(given.clock_bits, float(given.clock["time"]), float(given.clock["c0"])), given.clock["rule"]
    elif clock_bits is None:
        clk, rule = choose_clock(enc, target, max_bits=MAX_AUTO_CLOCK, u_check=check)
    else:
        best = best_rotation(enc, clock_bits, target, check) or best_rotation(enc, clock_bits, target)
        if best is None:
            clk = make_clock(enc.eigenvalues, clock_bits)
            rule = f"given {clock_bits} clock qubits; no c0 reaches fidelity {target}: conservative c0 = {clk.c0:g}"
        else:
            clk = best.clock
            rule = (f"given {clock_bits} clock qubits; c0 = {clk.c0:.6g} maximises the success probability "
                    f"at twin fidelity >= {target}")
    t_up = transpile(sparse_state_preparation(enc.rhs, enc.qubits), basis_gates=list(BASIS),
                     optimization_level=1, seed_transpiler=0)
    upload_cx = int(dict(t_up.count_ops()).get("cx", 0))
    return _Plan(enc, ex, ca, idx, ref, refv, has_ref, clk, rule, upload_cx, time.perf_counter() - t0)


def _estimate_from(plan: _Plan, problem: Problem, count_resources: bool, shots: int | None) -> HHLEstimate:
    enc, clk = plan.enc, plan.clock
    k, c = enc.qubits, clk.bits
    counts = rc.analytic_resources(k, c, plan.upload_cx)
    rate = rc.flop_rate()
    small = 2 * (c + c * (c - 1) // 2 + c // 2) + 4 * k  # H, QFT phases and swaps, upload gates
    runs = 1 + (problem.n if plan.has_ref else 0)  # the magnitude run and one interference run per entry
    sim = rc.simulation_flops(k, c, small) + (runs - 1) * 2 ** (k + c + 1) * 64.0 * k
    seconds = rc.BASE_SECONDS + sim / rate
    tr_seconds = rc.transpile_seconds(counts["cx"]) if count_resources else 0.0
    peak = max(rc.peak_bytes(k, c), _rss())
    tr_bytes = rc.transpile_bytes(counts["cx"]) if count_resources else 0
    clock = {"bits": c, "time": clk.time, "c0": clk.c0, "rule": plan.rule, "kappa": enc.kappa,
             "system_qubits": k, "dilated": enc.dilated}
    return HHLEstimate(
        system_dimension=int(enc.size), dilated=enc.dilated, system_qubits=k, clock_bits=c, qubits=k + c + 1,
        statevector_bytes=rc.statevector_bytes(k + c + 1), peak_bytes=int(peak + tr_bytes),
        seconds=float(seconds + tr_seconds), simulation_seconds=float(seconds), resources_seconds=float(tr_seconds),
        planning_seconds=plan.seconds, flop_rate=rate, count_resources=count_resources,
        resources=counts, clock=clock, shots=shots)


def _rss() -> int:
    """Peak resident memory of this process so far (bytes)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def estimate(problem: Problem, *, clock_bits: int | None = None, count_resources: bool = False,
             shots: int | None = None, dps: int = DEFAULT_DPS, u_tol: float = 0.01,
             target_fidelity: float = TARGET_FIDELITY) -> HHLEstimate:
    """The work of :func:`hhl` with the same arguments, before doing it (HHL-4): qubits, state-vector
    bytes, estimated peak memory and time (from the flops of the simulation at this machine's measured
    rate, plus the transpiled count when ``count_resources``), and the analytic counts. Builds the
    system and chooses the clock (the twin only; no circuit is simulated).

    >>> import qsgd_ref
    >>> from qsgd_ref.quantum.pipeline import estimate
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=1, order=1)
    >>> e = estimate(p, clock_bits=4)
    >>> e.qubits, e.statevector_bytes, e.resources["controlled_powers"]
    (7, 2048, 8)
    """
    return _estimate_from(_plan(problem, clock_bits, dps, u_tol, target_fidelity), problem, count_resources, shots)


def hhl(problem: Problem, *, clock_bits: int | None = None, shots: int | None = None,
        seed: int = 0, dps: int = DEFAULT_DPS, count_resources: bool = False,
        u_tol: float = 0.01, target_fidelity: float = TARGET_FIDELITY,
        simulator: str = "blockwise", planned: HHLEstimate | None = None) -> HHLResult:
    """The whole pipeline for ``problem`` (no idle steps): upload, HHL, post-selection, download
    (HHL-1 … HHL-4, UPL-1, DNL-1); ``shots=None`` reads the statevector (infinitely many shots).

    Without ``clock_bits`` the clock and c₀ are chosen by HHL-3: the success probability is maximised
    at twin fidelity ≥ ``target_fidelity`` with the twin's u_T within ``u_tol`` · ‖ŷ₁(T)‖₂ of the
    Carleman solution (up to MAX_AUTO_CLOCK clock qubits). With ``clock_bits`` only c₀ is chosen.
    The circuit is simulated without transpilation (``simulator`` "blockwise", or "aer"); the
    resources are the analytic counts, and also the transpiled ones with ``count_resources``
    (which synthesises the dense controlled powers: see :func:`estimate` for its time). ``planned``,
    an :func:`estimate` of the same problem, supplies the clock it chose instead of choosing again.

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=1, order=1)
    >>> r = qsgd_ref.hhl(p)
    >>> r.fidelity > 0.999, r.u_T_carleman, r.u_T_exact      # N = 1 drops F_2 u²
    (True, [0.25], [0.3125])
    >>> abs(r.u_T[0] - 0.25) <= r.budget.hhl_clock + r.budget.rounding
    True
    """
    if simulator not in SIMULATORS:
        raise InputError("simulator", f"must be one of {', '.join(SIMULATORS)}, got {simulator!r}")
    if shots is not None and (isinstance(shots, bool) or shots < 1):
        raise InputError("shots", f"must be a positive integer, got {shots}")
    plan = _plan(problem, clock_bits, dps, u_tol, target_fidelity, planned)
    enc, clk = plan.enc, plan.clock
    qc = hhl_circuit(enc, clk)
    sv = simulate(qc) if simulator == "blockwise" else aer_statevector(qc)
    out, p = postselect(sv, enc, clk)
    tw = twin(enc, clk)
    state = out / np.sqrt(p)
    fid = float(abs(np.vdot(enc.normalised_solution, state)) ** 2)
    flags: list[str] = []
    u_T: list[float] | None = None
    stderr: list[float] | None = None
    twin_u = np.full(problem.n, np.nan)
    if plan.has_ref:
        twin_u = _twin_download(enc, clk, plan.indices, plan.ref, plan.refv)
        dl: Download = download(plan.indices, plan.ref, plan.refv, enc.qubits,
                                _system_sampler(sv, enc, clk, shots, seed), statevector=shots is None)
        if shots is not None and not dl.signs_resolved.all():
            flags.append("download: some interference counts tied; sign taken as +")
        u_T, stderr = [float(x) for x in dl.values], [float(x) for x in dl.stderr]
    else:
        flags.append("download: u0 = 0 leaves no classically known reference entry; u_T not estimated")
    ex, ca = plan.exact, plan.carleman
    budget = ErrorBudget(
        carleman_truncation=float(np.linalg.norm(ca - ex)),
        hhl_clock=float(np.linalg.norm(twin_u - ca)),
        shot_noise=0.0 if stderr is None else 3.0 * float(np.linalg.norm(stderr)),
        rounding=1e-9 * (1.0 + float(np.linalg.norm(ex))),
    )
    if fid < 0.99:
        flags.append(f"fidelity {fid:.4f} below 0.99 with {clk.bits} clock qubits")
    res = rc.analytic_resources(enc.qubits, clk.bits, plan.upload_cx)
    if count_resources:
        res["transpiled"] = resources(qc)
    return HHLResult(
        state=state, state_norm=float(np.sqrt(p) * enc.rhs_norm / clk.scale), success_probability=p,
        fidelity=fid, twin_deviation=float(np.max(np.abs(out - tw.unnormalised))), resources=res,
        clock={"bits": clk.bits, "time": clk.time, "c0": clk.c0, "rule": plan.rule, "kappa": enc.kappa,
               "system_qubits": enc.qubits, "dilated": enc.dilated, "twin_fidelity": tw.fidelity},
        u_T=u_T, u_T_stderr=stderr, u_T_exact=[float(x) for x in ex], u_T_carleman=[float(x) for x in ca],
        budget=budget, shots=shots, flags=flags, simulator=simulator,
    )
