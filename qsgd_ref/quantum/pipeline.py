"""HHL on the Eq. 6 system of a problem, end to end (clauses HHL-1 … HHL-4, UPL-1, DNL-1).

Upload b (sparse), HHL with the chosen clock, post-select, download u(T) = level 1 of the last
time block relative to the classically known entry u0_r of block 0 (Y_0 = ŷ(0), SYS-2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.quantum_info import Operator

from qsgd_ref.base.errors import SizeLimitError
from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.precision import DEFAULT_DPS
from qsgd_ref.base.progress import progress
from qsgd_ref.problem import Problem
from qsgd_ref.quantum.clock import Clock, check_clock_bits, make_clock
from qsgd_ref.quantum.dilation import MAX_SYSTEM_QUBITS, Encoded, encode
from qsgd_ref.quantum.download import Counts, Download, download
from qsgd_ref.quantum.hhl import aer_statevector, hhl_circuit, postselect, resources
from qsgd_ref.quantum.result import ErrorBudget, HHLResult
from qsgd_ref.quantum.twin import choose_clock, twin
from qsgd_ref.system.eq6 import Eq6System, eq6_system
from qsgd_ref.trajectories.iteration import carleman_trajectory, exact_trajectory

#: Largest clock the automatic choice uses for the u_T criterion (larger clocks only when given).
MAX_AUTO_CLOCK = 9


def exact_and_carleman(problem: Problem, dps: int = DEFAULT_DPS) -> tuple[np.ndarray, np.ndarray]:
    """u(T) of the exact iteration and ŷ₁(T) of the Carleman iteration (reference, float64 view)."""
    with mpmath.workdps(dps):
        ex = np.array([float(x) for x in exact_trajectory(problem, dps)[-1]])
        ca = np.array([float(x) for x in carleman_trajectory(problem, dps)[-1]])
    return ex, ca


def statevector_sampler(out: np.ndarray) -> Callable[[QuantumCircuit | None], Counts]:
    """Exact post-selected probabilities (infinitely many shots) of the system register."""
    def sample(extra: QuantumCircuit | None) -> Counts:
        v = out if extra is None else Operator(extra).data @ out
        return {i: float(abs(a) ** 2) for i, a in enumerate(v)}
    return sample


def aer_sampler(qc: QuantumCircuit, enc: Encoded, clock: Clock, shots: int, seed: int) -> Callable[[QuantumCircuit | None], Counts]:
    """Aer shots of the HHL circuit (+ extra system gates), post-selected on ancilla = 1, clock = 0."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="statevector", seed_simulator=seed)
    calls = [0]

    def sample(extra: QuantumCircuit | None) -> Counts:
        c = qc.copy()
        if extra is not None:
            c.compose(extra, list(range(enc.qubits)), inplace=True)
        creg = ClassicalRegister(c.num_qubits, "m")
        c.add_register(creg)
        c.measure(list(range(c.num_qubits)), creg)
        calls[0] += 1
        res = sim.run(transpile(c, sim, optimization_level=0), shots=shots, seed_simulator=seed + calls[0]).result()
        out: Counts = {}
        for key, n in res.get_counts().items():
            v = int(key.replace(" ", ""), 2)
            sys_val, rest = v % 2**enc.qubits, v >> enc.qubits
            if rest % clock.size == 0 and rest >> clock.bits == 1:
                out[sys_val] = out.get(sys_val, 0) + n
        return out
    return sample


def _u_indices(problem: Problem, enc: Encoded) -> tuple[list[int], int]:
    D = lifted_dimension(problem.n, problem.order)
    off = enc.solution_slice.start
    return [off + problem.steps * D + i for i in range(problem.n)], off


def _twin_download(enc: Encoded, clk: Clock, idx: list[int], ref: int, refv: float) -> np.ndarray:
    """u_T from the twin's exact state at infinitely many shots."""
    out = twin(enc, clk).unnormalised
    return download(idx, ref, refv, enc.qubits, statevector_sampler(out), statevector=True).values


@dataclass(frozen=True)
class HHLPlan:
    """What a run of :func:`hhl` decides before it builds a circuit: the Eq. 6 system, its encoding
    (system qubits), the clock (and the rule that chose it), u(T) and ŷ₁(T) at ``dps`` digits, and
    the download's indices and classically known reference entry."""

    system: Eq6System
    enc: Encoded
    clock: Clock
    rule: str
    exact: np.ndarray
    carleman: np.ndarray
    indices: list[int]
    ref: int
    ref_value: float
    has_ref: bool

    @property
    def qubits(self) -> int:
        """System, clock and ancilla qubits of the circuit."""
        return self.enc.qubits + self.clock.bits + 1


def system_qubits(problem: Problem) -> tuple[int, int]:
    """(rows of the Eq. 6 system, qubits of its encoding) before anything is built: (T + 1)·D rows,
    doubled by the Hermitian dilation (HHL-1) unless T = 0 (L = I is Hermitian), padded to 2^k."""
    rows = (problem.steps + 1) * lifted_dimension(problem.n, problem.order)
    size = rows if problem.steps == 0 else 2 * rows
    return rows, max(1, (size - 1).bit_length())


def plan_hhl(problem: Problem, *, clock_bits: int | None = None, dps: int = DEFAULT_DPS,
             u_tol: float = 0.01) -> HHLPlan:
    """Build and encode the Eq. 6 system and choose the clock (HHL-1, HHL-3), without a circuit.

    Without ``clock_bits`` the clock of HHL-3 is enlarged further (up to MAX_AUTO_CLOCK) until the
    twin's u_T is within ``u_tol`` · ‖ŷ₁(T)‖₂ of the Carleman solution."""
    rows, _ = system_qubits(problem)
    if (rows - 1).bit_length() > MAX_SYSTEM_QUBITS:  # even undilated: refused before it is built
        raise SizeLimitError("problem", f"the Eq. 6 system has {rows:,} rows: at least {(rows - 1).bit_length()} "
                             f"system qubits, over the {MAX_SYSTEM_QUBITS} simulated here")
    if clock_bits is not None:
        check_clock_bits(clock_bits)
    system = eq6_system(problem)
    enc = encode(system.matrix, system.rhs)
    ex, ca = exact_and_carleman(problem, dps)
    idx, ref_base = _u_indices(problem, enc)
    u0 = problem.u0_float()
    r = int(np.argmax(np.abs(u0)))
    ref, refv = ref_base + r, float(u0[r])
    has_ref = bool(np.any(u0 != 0))
    if clock_bits is None:
        clk, rule = choose_clock(enc)
        while has_ref and clk.bits < MAX_AUTO_CLOCK and (
                np.linalg.norm(_twin_download(enc, clk, idx, ref, refv) - ca) > u_tol * np.linalg.norm(ca)):
            clk = make_clock(enc.eigenvalues, clk.bits + 1)
        rule += f"; u_T criterion (twin within {u_tol} relative) -> {clk.bits}"
    else:
        clk, rule = make_clock(enc.eigenvalues, clock_bits), "given"
    return HHLPlan(system, enc, clk, rule, ex, ca, idx, ref, refv, has_ref)


def hhl(problem: Problem, *, clock_bits: int | None = None, shots: int | None = None,
        seed: int = 0, dps: int = DEFAULT_DPS, count_resources: bool = True,
        u_tol: float = 0.01, plan: HHLPlan | None = None) -> HHLResult:
    """The whole pipeline for ``problem`` (no idle steps): upload, HHL, post-selection, download
    (HHL-1 … HHL-4, UPL-1, DNL-1); ``shots=None`` reads the statevector (infinitely many shots).

    The system and the clock come from :func:`plan_hhl` (``clock_bits``, ``dps``, ``u_tol``), or
    from ``plan`` when it is given (made by plan_hhl for the same problem).

    >>> import qsgd_ref
    >>> p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=1, order=1)
    >>> r = qsgd_ref.hhl(p, count_resources=False)
    >>> r.fidelity > 0.999, r.u_T_carleman, r.u_T_exact      # N = 1 drops F_2 u²
    (True, [0.25], [0.3125])
    >>> abs(r.u_T[0] - 0.25) <= r.budget.hhl_clock + r.budget.rounding
    True
    """
    if plan is None:
        plan = plan_hhl(problem, clock_bits=clock_bits, dps=dps, u_tol=u_tol)
    enc, clk, ex, ca = plan.enc, plan.clock, plan.exact, plan.carleman
    idx, ref, refv, has_ref = plan.indices, plan.ref, plan.ref_value, plan.has_ref
    with progress(4 if has_ref else 3, "HHL") as bar:
        qc = hhl_circuit(enc, clk)
        sv = aer_statevector(qc)
        bar.update()
        out, p = postselect(sv, enc, clk)
        tw = twin(enc, clk)
        ideal = enc.solution()
        ideal /= np.linalg.norm(ideal)
        state = out / np.sqrt(p)
        fid = float(abs(np.vdot(ideal, state)) ** 2)
        flags: list[str] = []
        u_T: list[float] | None = None
        stderr: list[float] | None = None
        twin_u = np.full(problem.n, np.nan)
        if has_ref:
            twin_u = _twin_download(enc, clk, idx, ref, refv)
            if shots is None:
                dl: Download = download(idx, ref, refv, enc.qubits, statevector_sampler(out), statevector=True)
            else:
                dl = download(idx, ref, refv, enc.qubits, aer_sampler(qc, enc, clk, shots, seed))
                if not dl.signs_resolved.all():
                    flags.append("download: some interference counts tied; sign taken as +")
            u_T, stderr = [float(x) for x in dl.values], [float(x) for x in dl.stderr]
            bar.update()
        else:
            flags.append("download: u0 = 0 leaves no classically known reference entry; u_T not estimated")
        budget = ErrorBudget(
            carleman_truncation=float(np.linalg.norm(ca - ex)),
            hhl_clock=float(np.linalg.norm(twin_u - ca)),
            shot_noise=0.0 if stderr is None else 3.0 * float(np.linalg.norm(stderr)),
            rounding=1e-9 * (1.0 + float(np.linalg.norm(ex))),
        )
        if fid < 0.99:
            flags.append(f"fidelity {fid:.4f} below 0.99 with {clk.bits} clock qubits")
        bar.update()
        res = resources(qc) if count_resources else {"qubits": qc.num_qubits, "depth": None, "cx": None}
        bar.update()
    return HHLResult(
        state=state, state_norm=float(np.sqrt(p) * enc.rhs_norm / clk.scale), success_probability=p,
        fidelity=fid, twin_deviation=float(np.max(np.abs(out - tw.unnormalised))), resources=res,
        clock={"bits": clk.bits, "time": clk.time, "c0": clk.c0, "rule": plan.rule, "kappa": enc.kappa,
               "system_qubits": enc.qubits, "dilated": enc.dilated},
        u_T=u_T, u_T_stderr=stderr, u_T_exact=[float(x) for x in ex], u_T_carleman=[float(x) for x in ca],
        budget=budget, shots=shots, flags=flags,
    )
