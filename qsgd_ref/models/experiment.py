"""A Fig. 2-like experiment (clause MOD-7): sparse training with download / re-upload, Hessian
spectra, the error proxy and accuracy over the steps, on scikit-learn's bundled digits.

Model: the quadratic-activation network of MOD-2 (first layer trained, h·64 weights). After a dense
pre-training phase the weights are pruned to the largest ``keep`` fraction (MOD-5) and uploaded. A
segment runs SGD (the dynamics the quantum solver would emulate) for K steps from the uploaded
point; the download keeps the largest ``keep`` fraction again. Scheme "reupload": upload right after
each download. Scheme "reupload+m": m classical SGD steps after each download, then upload of the
dense parameters. Scheme "single": one segment for the whole run (no re-upload). With ``restrict``
the dynamics of a segment (and its Hessian) is restricted to the support of the uploaded weights. The proxy at step
s is P(t), t = s − (last upload), of the SLQ spectrum of the Hessian (on a fixed evaluation batch)
recorded most recently (every ``hessian_every`` steps and at every upload): "proxy", which tracks the
spectrum during training; and of the spectrum at the last upload, the point the segment's map is
linearised at: "proxy_upload".
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.progress import tracked
from qsgd_ref.models.hessian import slq
from qsgd_ref.models.proxy import DEFAULT_CUTOFF, error_proxy, from_quadrature
from qsgd_ref.models.pruning import magnitude_mask
from qsgd_ref.models.quadnet import QuadNet


@dataclass(frozen=True)
class Config:
    hidden: int = 512
    eta: float = 0.5
    batch: int = 256
    pretrain: int = 100
    steps: int = 300
    period: int = 100
    classical: int = 10
    keep: float = 0.1
    cutoff: float = DEFAULT_CUTOFF
    hessian_every: int = 10
    hessian_batch: int = 256
    slq_vectors: int = 2
    slq_steps: int = 24
    seed: int = 0
    threads: int = 1
    restrict: bool = False

    def check(self) -> None:
        for name in ("hidden", "batch", "steps", "period", "hessian_every", "hessian_batch", "slq_vectors", "slq_steps"):
            if getattr(self, name) < 1:
                raise InputError(name, f"must be ≥ 1, got {getattr(self, name)}")
        for name in ("pretrain", "classical"):
            if getattr(self, name) < 0:
                raise InputError(name, f"must be ≥ 0, got {getattr(self, name)}")
        if not self.eta > 0:
            raise InputError("eta", f"must be > 0, got {self.eta}")


def digits_net(hidden: int, seed: int) -> tuple[QuadNet, np.ndarray, np.ndarray]:
    """Digits (1797 × 64, pixels / 16), one-hot targets, fixed output weights ±1/√h; and θ(0)."""
    from sklearn.datasets import load_digits

    X, labels = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    A = rng.choice([-1.0, 1.0], size=(10, hidden)) / np.sqrt(hidden)
    net = QuadNet(X / 16.0, np.eye(10)[labels], A)
    theta0 = 0.5 * rng.normal(size=net.n) / np.sqrt(X.shape[1])
    return net, labels, theta0


def prune(theta: np.ndarray, keep: float) -> np.ndarray:
    """Keep the largest-magnitude fraction (the output layer is fixed, hence never pruned)."""
    return np.where(magnitude_mask([theta, np.zeros(1)], keep)[0], theta, 0.0)


def run_scheme(net: QuadNet, labels: np.ndarray, theta: np.ndarray, cfg: Config, scheme: str,
               rng: np.random.Generator, eval_idx: np.ndarray) -> dict[str, Any]:
    """One training run of ``cfg.steps`` steps; records accuracy, loss, spectra and the proxy."""
    ev = net.subset(eval_idx)
    m = cfg.classical if scheme == "reupload+m" else 0
    period = cfg.steps + 1 if scheme == "single" else cfg.period
    upload, in_segment, classical_left = 0, True, 0
    acc: list[float] = []
    loss: list[float] = []
    proxy: list[float] = []
    diss: list[float] = []
    div: list[float] = []
    osc: list[float] = []
    tsince: list[int | None] = []
    uploads: list[int] = []
    downloads: list[int] = []
    spectra: list[dict[str, Any]] = []
    spec = None  # the spectrum recorded most recently
    spec_up = None  # the spectrum at the last upload
    proxy_up: list[float] = []
    diverged: int | None = None
    support: np.ndarray | None = None
    for s in tracked(range(cfg.steps + 1), scheme):
        if s > 0 and in_segment and (s - upload) % period == 0:  # download (sparse)
            theta = prune(theta, cfg.keep)
            downloads.append(s)
            in_segment, classical_left = m == 0, m
            if m == 0:
                upload = s
                uploads.append(s)
        if not in_segment and classical_left == 0:
            in_segment, upload = True, s
            uploads.append(s)
        if s == upload:
            support = np.flatnonzero(theta) if cfg.restrict else None
        if in_segment and (s == upload or s % cfg.hessian_every == 0):
            try:
                with np.errstate(all="ignore"):
                    nodes, w = slq(ev.hessian_operator(theta, support), cfg.slq_vectors, cfg.slq_steps,
                                   seed=cfg.seed + s)
            except (ValueError, np.linalg.LinAlgError):  # a Hessian beyond the float range
                nodes = w = np.array([np.nan])
            if np.all(np.isfinite(nodes)) and np.all(np.isfinite(w)):
                spec = from_quadrature(nodes, w, scale=cfg.eta)
                if s == upload:
                    spec_up = spec
                spectra.append({"step": s, "nodes": nodes.tolist(), "weights": w.tolist()})
            else:  # out of regime: recorded below as the divergence, not a crash
                spec = spec_up = None
        with np.errstate(over="ignore", invalid="ignore"):
            out = net.outputs(theta)
            loss.append(float(0.5 * np.sum((out - net.Y) ** 2) / net.X.shape[0]))
        acc.append(float(np.mean(np.argmax(out, axis=1) == labels)))
        t = s - upload if in_segment else 0
        tsince.append(t if in_segment else None)
        if in_segment and spec is not None and spec_up is not None:
            r = error_proxy(spec, [t], cfg.cutoff)
            vals = (r.proxy[0], r.dissipative[0], r.divergent[0], r.oscillating[0])
            proxy_up.append(float(error_proxy(spec_up, [t], cfg.cutoff).proxy[0]))
        else:  # classical steps accrue no error
            vals = (np.nan,) * 4
            proxy_up.append(np.nan)
        for lst, v in zip((proxy, diss, div, osc), vals):
            lst.append(float(v))
        if not np.isfinite(loss[-1]) or (in_segment and spec is None):  # the float range was left
            diverged = s
            break
        if s == cfg.steps:
            break
        idx = rng.choice(net.X.shape[0], cfg.batch, replace=False)
        with np.errstate(over="ignore", invalid="ignore"):
            g = net.subset(idx).grad(theta)
            if support is not None and in_segment:
                g[np.setdiff1d(np.arange(g.size), support)] = 0.0
            theta = theta - cfg.eta * g
        if not np.all(np.isfinite(theta)):  # out of regime: data, not a crash
            diverged = s + 1
            break
        if not in_segment:
            classical_left -= 1
    return {"scheme": scheme, "accuracy": acc, "loss": loss, "proxy": proxy, "proxy_upload": proxy_up, "dissipative": diss,
            "divergent": div, "oscillating": osc, "t_since_upload": tsince, "uploads": uploads,
            "downloads": downloads, "spectra": spectra, "final_sparsity": float(np.mean(theta == 0)),
            "diverged_at_step": diverged}


def run(cfg: Config) -> dict[str, Any]:
    """Pre-train, prune, then the three schemes from the same pruned point with the same seeds.

    BLAS is limited to ``cfg.threads`` threads: these small products run fastest single-threaded.
    """
    from threadpoolctl import threadpool_limits

    cfg.check()
    with threadpool_limits(cfg.threads):
        return _run(cfg)


def _run(cfg: Config) -> dict[str, Any]:
    start = time.time()
    net, labels, theta = digits_net(cfg.hidden, cfg.seed)
    rng = np.random.default_rng(cfg.seed + 1)
    for _ in tracked(range(cfg.pretrain), "pretrain"):
        with np.errstate(over="ignore", invalid="ignore"):
            theta = theta - cfg.eta * net.subset(rng.choice(net.X.shape[0], cfg.batch, replace=False)).grad(theta)
    if not np.all(np.isfinite(theta)):
        raise InputError("eta", f"dense pre-training diverged with η = {cfg.eta}; use a smaller step")
    dense_acc = net.accuracy(theta, labels)
    pruned = prune(theta, cfg.keep)
    eval_idx = np.random.default_rng(cfg.seed + 2).choice(net.X.shape[0], cfg.hessian_batch, replace=False)
    runs = [run_scheme(net, labels, pruned.copy(), cfg, s, np.random.default_rng(cfg.seed + 3), eval_idx)
            for s in ("single", "reupload", "reupload+m")]
    return {"config": asdict(cfg), "parameters": net.n, "samples": int(net.X.shape[0]),
            "dense_accuracy_after_pretrain": dense_acc, "accuracy_after_pruning": net.accuracy(pruned, labels),
            "runs": runs, "seconds": time.time() - start}


def summarise(result: dict[str, Any]) -> dict[str, Any]:
    """Headline numbers per scheme: proxy minimum and its t, take-over, accuracy at key steps."""
    out: dict[str, Any] = {k: v for k, v in result.items() if k != "runs"}
    out["diverged"] = {r["scheme"]: r["diverged_at_step"] for r in result["runs"] if r["diverged_at_step"] is not None}
    out["schemes"] = {}
    for r in result["runs"]:
        p = np.array(r["proxy"], dtype=float)
        t = np.array([np.nan if x is None else x for x in r["t_since_upload"]], dtype=float)
        seg0 = (~np.isnan(p)) & (np.arange(p.size) < (r["downloads"][0] if r["downloads"] else p.size))
        if not np.any(seg0):  # no mode passed the cutoff: the proxy is undefined (MOD-3)
            out["schemes"][r["scheme"]] = {"proxy": "undefined (no mode passes the cutoff)",
                                           "accuracy_end": r["accuracy"][-1], "uploads": r["uploads"],
                                           "downloads": r["downloads"], "diverged_at_step": r["diverged_at_step"]}
            continue
        i_min = int(np.nanargmin(np.where(seg0, p, np.nan)))
        d, g, o = (np.array(r[k], dtype=float) for k in ("dissipative", "divergent", "oscillating"))
        grow = np.nonzero(seg0 & (g + o >= d))[0]
        pu = np.array(r["proxy_upload"], dtype=float)
        out["schemes"][r["scheme"]] = {
            "proxy_first_segment_min": float(p[i_min]), "at_t": int(t[i_min]),
            "proxy_max": float(np.nanmax(p)),
            "proxy_upload_min": float(np.nanmin(pu)) if np.any(~np.isnan(pu)) else None,
            "proxy_upload_max": float(np.nanmax(pu)) if np.any(~np.isnan(pu)) else None,
            "first_t_growing_modes_dominate": int(t[grow[0]]) if grow.size else None,
            "first_t_divergent_dominate": int(t[np.nonzero(seg0 & (g >= d))[0][0]]) if np.any(seg0 & (g >= d)) else None,
            "accuracy_start": r["accuracy"][0], "accuracy_end": r["accuracy"][-1],
            "accuracy_min": float(np.min(r["accuracy"])),
            "uploads": r["uploads"], "downloads": r["downloads"], "final_sparsity": r["final_sparsity"],
            "diverged_at_step": r["diverged_at_step"],
        }
    return out
