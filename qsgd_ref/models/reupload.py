"""Download / re-upload on a model (clause MOD-9), with the classical Eq. 6 solver.

Each segment linearises gradient descent around the uploaded point θ* (u(0) = 0, the exact q = 3
map of MOD-2), solves the Eq. 6 system of K steps at order N by forward substitution
(qsgd_ref.system.eq6.solve_forward), and downloads u(K) from the level-1 block, optionally keeping
only the largest entries. In the variant with m classical steps, m exact gradient steps follow each
download. The truncation error at every step is measured against exact gradient descent started
from the same uploaded point. (The HHL version on a fixed map is qsgd_ref.quantum.reupload.)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.progress import progress
from qsgd_ref.base.results import Result
from qsgd_ref.base.sparsify import keep_largest
from qsgd_ref.models.quadnet import QuadNet, quadnet_problem
from qsgd_ref.system.eq6 import solve_forward


@dataclass(frozen=True)
class ModelReupload(Result):
    """A re-upload run on the network (MOD-9): the upload steps, the truncation error against exact
    gradient descent from the same upload at every step (None on classical steps), the loss at every
    step, the final weights, and the run's parameters."""

    uploads: list[int]
    errors: list[float | None]
    loss: list[float]
    theta: list[float]
    order: int
    period: int
    classical: int
    keep: int | None

    def summary(self) -> list[str]:
        worst = max((e for e in self.errors if e is not None), default=0.0)
        return [f"re-upload on the network: {len(self.uploads)} uploads, period {self.period}, N = {self.order}; "
                f"largest truncation error {worst:.3g}, final loss {self.loss[-1]:.6g}"]


def reupload_quadnet(net: QuadNet, theta0: np.ndarray, eta: float, steps: int, *, period: int = 100,
                     order: int = 3, classical: int = 0, keep: int | None = None) -> ModelReupload:
    """Run ``steps`` steps in segments of ``period`` (Eq. 6 solves) with downloads in between."""
    if period < 1 or steps < 0 or classical < 0:
        raise InputError("period", "period must be ≥ 1 and steps, classical ≥ 0")
    theta = np.asarray(theta0, dtype=float).copy()
    errors: list[float | None] = []
    losses: list[float] = []
    uploads: list[int] = []
    s = 0
    bar = progress(steps, "re-upload")
    while s < steps:
        k = min(period, steps - s)
        star = [Fraction(repr(float(x))) for x in theta]
        p = quadnet_problem(net, star, [0] * net.n, eta, steps=k, order=order)
        y1 = solve_forward(p)[:, : net.n]
        base = np.array([float(x) for x in star])
        exact = base.copy()
        uploads.append(s)
        for t in range(k + 1 if s + k == steps else k):
            errors.append(float(np.linalg.norm(base + y1[t] - exact)))
            losses.append(net.loss(base + y1[t]))
            exact = exact - eta * net.grad(exact)
        theta = base + y1[k]
        if keep is not None:
            theta = keep_largest(theta, keep)
        s += k
        bar.update(k)
        for _ in range(min(classical, steps - s)):
            errors.append(None)
            losses.append(net.loss(theta))
            theta = theta - eta * net.grad(theta)
            s += 1
            bar.update(1)
    bar.close()
    return ModelReupload(uploads, errors, losses, theta.tolist(), order, period, classical, keep)
