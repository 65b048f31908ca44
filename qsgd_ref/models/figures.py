"""Figures and the JSON summary of the Fig. 2-like experiment (clause MOD-7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from qsgd_ref.models.experiment import summarise
from qsgd_ref.models.hessian import smooth_density


def write_outputs(result: dict[str, Any], outdir: str | Path, command: str = "") -> dict[str, Any]:
    """fig2a_hessian.png, fig2b_proxy.png, fig2c_accuracy.png and summary.json in ``outdir``."""
    from matplotlib.figure import Figure

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    eta = result["config"]["eta"]
    runs = {r["scheme"]: r for r in result["runs"]}

    # (a) Hessian spectra over the steps (scheme "reupload"), as densities of a = −ηλ
    spectra = runs["reupload"]["spectra"]
    a_all = np.concatenate([-eta * np.array(s["nodes"]) for s in spectra])
    grid = np.linspace(a_all.min() - 0.1, a_all.max() + 0.1, 400)
    width = 0.02 * (grid[-1] - grid[0])
    dens = np.array([smooth_density(-eta * np.array(s["nodes"]), np.array(s["weights"]), grid, width) for s in spectra])
    steps = [s["step"] for s in spectra]
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    im = ax.pcolormesh(steps, grid, np.log10(dens.T + 1e-6), shading="nearest", cmap="viridis")
    for x in (-2, -0.4, 0.4):
        ax.axhline(x, color="w", lw=0.6, ls="--")
    ax.set(xlabel="step", ylabel="a = −ηλ", title="(a) Hessian spectrum density (SLQ), re-upload every K steps")
    fig.colorbar(im, ax=ax, label="log10 density")
    fig.tight_layout()
    fig.savefig(out / "fig2a_hessian.png", dpi=120)

    # (b) the error proxy
    fig = Figure(figsize=(7, 7))
    (ax, ax2) = fig.subplots(2, 1, sharex=True)
    for name, r in runs.items():
        ax2.semilogy(np.array(r["proxy_upload"], dtype=float), label=name)
    ax2.set(xlabel="step", ylabel="proxy, spectrum at upload", title="(b2) proxy from the spectrum at the last upload")
    ax2.legend(fontsize=7)
    for name, r in runs.items():
        ax.semilogy(np.array(r["proxy"], dtype=float), label=f"proxy, {name}")
    r = runs["single"]
    ax.semilogy(np.array(r["dissipative"], dtype=float), ":", label="dissipative part (single)")
    ax.semilogy(np.array(r["oscillating"], dtype=float) + np.array(r["divergent"], dtype=float), "--",
                label="growing part a>0 or a≤−2 (single)")
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
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary
