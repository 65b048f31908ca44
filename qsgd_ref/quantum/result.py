"""Results of the quantum pipeline (clause HHL-4): the normalised state, its norm, the success
probability and the resources are kept apart, and the error of u(T) is split into a budget."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from qsgd_ref.base.results import Result, jsonable


@dataclass(frozen=True)
class ErrorBudget:
    """Upper estimate of ‖u_T(estimate) − u(T)‖₂ as a sum of three parts:

    * ``carleman_truncation``: ‖ŷ₁(T) − u(T)‖₂ between the Carleman and the exact iteration
      (both at ``dps`` digits: measured, not a bound);
    * ``hhl_clock``: ‖download of the twin's exact finite-clock state − ŷ₁(T)‖₂ (infinite shots);
    * ``shot_noise``: 3 × the delta-method standard error of the sampled download (0 without shots);
    * ``rounding``: float64 allowance, 1e-9 (1 + ‖u(T)‖₂).
    """

    carleman_truncation: float
    hhl_clock: float
    shot_noise: float
    rounding: float

    @property
    def total(self) -> float:
        return self.carleman_truncation + self.hhl_clock + self.shot_noise + self.rounding


@dataclass(frozen=True)
class HHLResult(Result):
    """The quantum pipeline's result (HHL-4): the post-selected state, its norm and success
    probability, fidelity against the exact normalised solution, the resources, the clock, the
    downloaded u(T) with its standard errors, and the error budget."""

    state: np.ndarray  # post-selected, normalised system state (padded, dilated encoding)
    state_norm: float  # ‖L⁻¹ b‖₂ implied by the success probability (HHL-2: √p ‖b‖ / C)
    success_probability: float
    fidelity: float
    twin_deviation: float  # max |Aer amplitude − twin amplitude| (un-normalised, post-selected)
    resources: dict[str, Any]
    clock: dict[str, Any]
    u_T: list[float] | None
    u_T_stderr: list[float] | None
    u_T_exact: list[float]
    u_T_carleman: list[float]
    budget: ErrorBudget
    shots: int | None
    flags: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"HHL: fidelity {self.fidelity:.6f}, success probability {self.success_probability:.4g}, "
                 f"{self.clock.get('bits')} clock qubits, {self.resources.get('qubits')} qubits"]
        if self.u_T is not None:
            lines.append(f"  u(T) = {self.u_T} ({'statevector' if self.shots is None else f'{self.shots} shots'}); "
                         f"exact {self.u_T_exact}; error budget {self.budget.total:.3g}")
        lines += [f"  flag: {f}" for f in self.flags]
        return lines

    def to_json(self) -> dict[str, Any]:
        exact = np.array(self.u_T_exact)
        carl = np.array(self.u_T_carleman)
        err_exact = None if self.u_T is None else float(np.linalg.norm(np.array(self.u_T) - exact))
        err_carl = None if self.u_T is None else float(np.linalg.norm(np.array(self.u_T) - carl))
        doc: dict[str, Any] = jsonable({
            "fidelity": self.fidelity,
            "success_probability": self.success_probability,
            "state_norm": self.state_norm,
            "twin_deviation": self.twin_deviation,
            **{k: self.resources[k] for k in ("qubits", "depth", "cx")},
            "resources": self.resources,
            "clock": self.clock,
            "shots": self.shots,
            "u_T": self.u_T,
            "u_T_stderr": self.u_T_stderr,
            "u_T_exact": self.u_T_exact,
            "u_T_carleman": self.u_T_carleman,
            "error_vs_exact": err_exact,
            "error_vs_carleman": err_carl,
            "error_budget": {**asdict(self.budget), "total": self.budget.total},
            "within_budget": None if err_exact is None else err_exact <= self.budget.total,
            "flags": self.flags,
        })
        return doc
