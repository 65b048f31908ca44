"""Seeded minibatch SGD maps (clauses MAP-3, MOD-6).

Step t uses the minibatch ``batches(samples, batch, steps, seed)[t]`` (sorted indices drawn without
replacement by numpy's default_rng(seed), one draw per step in order), and its map F_ℓ(t) is the
gradient-descent map of the minibatch loss around the same θ*. The indices go into the meta data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.models.losses import as_fraction
from qsgd_ref.problem import DenseMap, Problem, make_problem


def batches(samples: int, batch: int, steps: int, seed: int) -> list[np.ndarray]:
    """The minibatches of ``steps`` SGD steps (reproducible from ``seed``)."""
    if not 1 <= batch <= samples:
        raise InputError("batch", f"must be between 1 and the number of samples {samples}, got {batch}")
    rng = np.random.default_rng(seed)
    return [np.sort(rng.choice(samples, batch, replace=False)) for _ in range(steps)]


def sgd_problem(maps_for_batch: Callable[[np.ndarray], DenseMap], samples: int, batch: int, steps: int, seed: int,
                u0: Sequence[Any], order: int, name: str = "sgd", meta: dict[str, Any] | None = None) -> Problem:
    """A time-dependent problem: one minibatch map per step."""
    idx = batches(samples, batch, steps, seed)
    maps = [maps_for_batch(b) for b in idx]
    info = dict(meta or {})
    info.update({"sgd_seed": seed, "batch": batch, "samples": samples, "batches": [b.tolist() for b in idx]})
    return make_problem(F_steps=maps, u0=[as_fraction(v) for v in u0], steps=steps, order=order, name=name, meta=info)
