"""The error proxy of the paper's Eq. 7–8 (clause MOD-3).

a runs over the map's linear-part eigenvalues a = −s·λ (λ Hessian eigenvalues, s the scale, by
default η, since I + F_1 = I − ηH); modes with |a| < cutoff (default 0.4) are dropped and

    P(t) = Σ_{|a| ≥ c} ρ(a) |1+a|^t / Σ_{|a| ≥ c} ρ(a)      (N_c is the denominator).

P = D + G + O + M with D the dissipative part (−2 < a < 0, decays), G the divergent part (a > 0,
grows), O the part of oscillating unstable modes (a ≤ −2) and M of marginal modes (a = 0, only kept
when the cutoff is 0). The take-over step is the first t with G ≥ D.
A spectrum is a discrete measure (atoms a_i, weights ρ_i): eigenvalues, SLQ nodes, or a tabulated
density integrated by the trapezoid rule.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import PATH_CHARS, echo, load_json, read_bytes, read_text

DEFAULT_CUTOFF = 0.4


@dataclass(frozen=True)
class Spectrum:
    """A discrete measure on a: atoms ``a`` with non-negative ``weights``."""

    a: np.ndarray
    weights: np.ndarray

    def __post_init__(self) -> None:
        if self.a.shape != self.weights.shape or self.a.ndim != 1:
            raise InputError("spectrum", "atoms and weights must be 1-D arrays of equal length")
        if not (np.all(np.isfinite(self.a)) and np.all(np.isfinite(self.weights))):
            raise InputError("spectrum", "atoms and weights must be finite")
        if np.any(self.weights < 0):
            raise InputError("spectrum", "weights must be non-negative")


def from_eigenvalues(eigenvalues: Any, scale: float = 1.0) -> Spectrum:
    """Each Hessian eigenvalue λ becomes an atom a = −scale·λ of weight 1/n."""
    lam = np.asarray(eigenvalues, dtype=float).ravel()
    if lam.size == 0:
        raise InputError("eigenvalues", "empty")
    return Spectrum(-scale * lam, np.full(lam.size, 1.0 / lam.size))


def from_quadrature(nodes: Any, weights: Any, scale: float = 1.0) -> Spectrum:
    """An SLQ (Gauss quadrature) measure over Hessian eigenvalues, mapped to a = −scale·λ."""
    return Spectrum(-scale * np.asarray(nodes, dtype=float), np.asarray(weights, dtype=float))


def from_density(a_grid: Any, rho: Any) -> Spectrum:
    """A density ρ(a) tabulated on an increasing grid, as trapezoid-rule atoms on the grid points."""
    a = np.asarray(a_grid, dtype=float)
    r = np.asarray(rho, dtype=float)
    if a.ndim != 1 or a.shape != r.shape or a.size < 2 or np.any(np.diff(a) <= 0):
        raise InputError("density", "needs an increasing grid of ≥ 2 points and one ρ value per point")
    h = np.diff(a)
    w = np.zeros_like(a)
    w[:-1] += h / 2
    w[1:] += h / 2
    return Spectrum(a, r * w)


def load_eigenvalues(path: str | Path) -> np.ndarray:
    """Hessian eigenvalues from a file: .npy, a JSON list (or {"eigenvalues": [...]}), or plain text,
    read through the input layer (size, UTF-8, JSON depth and duplicate keys; InputError naming EIGENVALUES)."""
    p = Path(path)
    try:
        if p.suffix == ".npy":
            vals = np.load(io.BytesIO(read_bytes(p, "EIGENVALUES")))
        elif p.suffix == ".json":
            doc = load_json(p, "EIGENVALUES", root="EIGENVALUES")
            vals = np.asarray(doc["eigenvalues"] if isinstance(doc, dict) else doc, dtype=float)
        else:
            vals = np.asarray(read_text(p, "EIGENVALUES").replace(",", " ").split(), dtype=float)
    except (ValueError, KeyError, TypeError, EOFError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError("EIGENVALUES", f"cannot read eigenvalues from {echo(str(p), PATH_CHARS)}: {echo(str(exc), 80)}") from None
    vals = np.asarray(vals, dtype=float).ravel()
    if vals.size == 0 or not np.all(np.isfinite(vals)):
        raise InputError("EIGENVALUES", f"{echo(p.name)} holds no finite eigenvalues")
    return vals


def load_density(path: str | Path) -> Spectrum:
    """A density table (two columns "a rho" of a text file) as a spectrum (:func:`from_density`),
    read through the input layer (InputError naming FILE)."""
    try:
        table = np.loadtxt(io.StringIO(read_text(path, "FILE")), ndmin=2)
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError("FILE", f"cannot read a density table: {echo(str(exc), 80)}") from None
    if table.shape[1] != 2:
        raise InputError("FILE", "a density table needs two columns: a rho")
    return from_density(table[:, 0], table[:, 1])


@dataclass(frozen=True)
class ProxyResult:
    """P(t) and its parts at the steps ``t`` (all normalised by N_c)."""

    t: np.ndarray
    proxy: np.ndarray
    dissipative: np.ndarray
    divergent: np.ndarray
    oscillating: np.ndarray
    marginal: np.ndarray
    cutoff: float
    kept_mass: float
    takeover_step: int | None

    @property
    def ratio(self) -> np.ndarray:
        """Divergent over dissipative contribution (inf where the dissipative part is 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.dissipative > 0, self.divergent / np.where(self.dissipative > 0, self.dissipative, 1), np.inf)

    def to_json(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff,
            "kept_mass": self.kept_mass,
            "takeover_step": self.takeover_step,
            "t": self.t.tolist(),
            "proxy": self.proxy.tolist(),
            "dissipative": self.dissipative.tolist(),
            "divergent": self.divergent.tolist(),
            "oscillating": self.oscillating.tolist(),
            "marginal": self.marginal.tolist(),
        }


def _part(a: np.ndarray, w: np.ndarray, t: np.ndarray, norm: float) -> np.ndarray:
    """Σ w |1+a|^t / norm, summed in log space (0^0 = 1)."""
    if a.size == 0:
        return np.zeros(t.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        logb = np.log(np.abs(1.0 + a))
        logw = np.log(w)
        expo = np.where(t[:, None] == 0, 0.0, t[:, None] * logb[None, :]) + logw[None, :]
    top = np.max(expo, axis=1)
    finite = np.isfinite(top)
    safe = np.where(finite, top, 0.0)
    s = np.sum(np.exp(expo - safe[:, None]), axis=1)
    with np.errstate(over="ignore", divide="ignore"):
        return np.where(finite, np.exp(safe + np.log(s) - np.log(norm)), 0.0)


def error_proxy(spec: Spectrum, steps: Any, cutoff: float = DEFAULT_CUTOFF) -> ProxyResult:
    """Eq. 7–8 at the steps ``steps`` with its dissipative / divergent / oscillating split.

    If no mode passes the cutoff the proxy is undefined: all parts are NaN and kept_mass is 0.
    """
    if not cutoff >= 0:
        raise InputError("cutoff", f"must be ≥ 0, got {cutoff}")
    t = np.asarray(steps, dtype=float).ravel()
    if np.any(t < 0):
        raise InputError("steps", "must be ≥ 0")
    keep = (np.abs(spec.a) >= cutoff) & (spec.weights > 0)
    a, w = spec.a[keep], spec.weights[keep]
    norm = float(np.sum(w))
    if norm == 0:
        nan = np.full(t.shape, np.nan)
        return ProxyResult(t, nan, nan, nan, nan, nan, cutoff, 0.0, None)
    diss = (a > -2) & (a < 0)
    div = a > 0
    osc = a <= -2
    D, G, O, M = (_part(a[m], w[m], t, norm) for m in (diss, div, osc, a == 0))
    over = np.nonzero(G >= D)[0] if np.any(div) else np.array([], dtype=int)
    take = int(t[over[0]]) if over.size else None
    return ProxyResult(t, D + G + O + M, D, G, O, M, cutoff, norm / float(np.sum(spec.weights)), take)
