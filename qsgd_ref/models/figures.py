"""Figures and the JSON summary of the Fig. 2-like experiment (clause MOD-7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.base.results import jsonable
from qsgd_ref.models.experiment import summarise
from qsgd_ref.models.hessian import smooth_density

#: values of a proxy above this are not drawn (a diverging run; the axis could not hold them)
CEILING = 1e100


def _drawable(values: Any) -> np.ndarray:
    """A series for a log axis: zeros, undefined values and values above :data:`CEILING` (a diverging
    run, up to inf) are not drawn; summary.json keeps them."""
    arr = np.array(values, dtype=float)
    return np.where(np.isfinite(arr) & (arr > 0) & (arr <= CEILING), arr, np.nan)


def write_outputs(result: dict[str, Any], outdir: str | Path, command: str = "") -> dict[str, Any]:
    """fig2a_hessian.png, fig2b_proxy.png, fig2c_accuracy.png and summary.json in ``outdir``."""
    from matplotlib.figure import Figure

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    eta = result["config"]["eta"]
    runs = {r["scheme"]: r for r in result["runs"]}

    # (a) Hessian spectra over the steps (scheme "reupload"), as densities of a = −ηλ
    spectra = runs["reupload"]["spectra"]
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    ax.set(xlabel="step", ylabel="a = −ηλ", title="(a) Hessian spectrum density (SLQ), re-upload every K steps")
    if spectra:
        a_all = np.concatenate([-eta * np.array(s["nodes"]) for s in spectra])
        grid = np.linspace(a_all.min() - 0.1, a_all.max() + 0.1, 400)
        width = 0.02 * (grid[-1] - grid[0])
        dens = np.array([smooth_density(-eta * np.array(s["nodes"]), np.array(s["weights"]), grid, width)
                         for s in spectra])
        steps = [s["step"] for s in spectra]
        im = ax.pcolormesh(steps, grid, np.log10(dens.T + 1e-6), shading="nearest", cmap="viridis")
        for x in (-2, -0.4, 0.4):
            ax.axhline(x, color="w", lw=0.6, ls="--")
        fig.colorbar(im, ax=ax, label="log10 density")
    else:  # the run left the float range before a spectrum could be computed
        ax.text(0.5, 0.5, f"no spectrum: diverged at step {runs['reupload']['diverged_at_step']}",
                ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(out / "fig2a_hessian.png", dpi=120)

    # (b) the error proxy
    fig = Figure(figsize=(7, 7))
    (ax, ax2) = fig.subplots(2, 1, sharex=True)
    for name, r in runs.items():
        ax2.semilogy(_drawable(r["proxy_upload"]), label=name)
    ax2.set(xlabel="step", ylabel="proxy, spectrum at upload", title="(b2) proxy from the spectrum at the last upload")
    ax2.legend(fontsize=7)
    for name, r in runs.items():
        ax.semilogy(_drawable(r["proxy"]), label=f"proxy, {name}")
    r = runs["single"]
    ax.semilogy(_drawable(r["dissipative"]), ":", label="dissipative part (single)")
    ax.semilogy(_drawable(np.array(r["oscillating"], dtype=float) + np.array(r["divergent"], dtype=float)), "--",
                label="growing part a>0 or a≤−2 (single)")
    if any(np.any(np.array(r[k], dtype=float) > CEILING) for r in runs.values() for k in ("proxy", "proxy_upload")):
        ax.text(0.02, 0.02, f"values above {CEILING:.0e} (divergence) not drawn", transform=ax.transAxes, fontsize=7)
    ax.set(ylabel="error proxy (Eq. 7–8)",
           title=f"(b) proxy from the current spectrum, t = steps since upload, cutoff {result['config']['cutoff']}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "fig2b_proxy.png", dpi=120)

    # (c) accuracy
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    for name, r in runs.items():
        ax.plot(r["accuracy"], label=name)
    ax.set(xlabel="step", ylabel="training accuracy", title="(c) accuracy (digits, full training set)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "fig2c_accuracy.png", dpi=120)

    summary = summarise(result)
    if command:
        summary["command"] = command
    (out / "summary.json").write_text(json.dumps(jsonable(summary), indent=1, allow_nan=False) + "\n")
    return summary
