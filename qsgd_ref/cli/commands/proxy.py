"""``qsgd-ref proxy``: the error proxy of Eq. 7–8 (clause MOD-3) from eigenvalues or a density."""

from __future__ import annotations

import argparse
import math

import numpy as np

from qsgd_ref.cli import work
from qsgd_ref.cli.options import IntIn, non_negative, positive
from qsgd_ref.cli.output import dumps, output_file
from qsgd_ref.models.proxy import ProxyResult, Spectrum

HELP = "error proxy (Eq. 7-8) from a Hessian eigenvalue file or a tabulated density of a"

DESCRIPTION = """\
The error proxy of the paper's Eq. 7-8 (clause MOD-3): P(t) = Σ ρ(a) |1 + a|^t / N_c over the modes
with |a| ≥ --cutoff, split into dissipative (−2 < a < 0), divergent (a > 0), oscillating (a ≤ −2)
and marginal parts, with the step where the divergent modes take over.

a = −scale · λ for Hessian eigenvalues λ (--scale is typically the step size η), or a density of a
tabulated on a grid (--density). Undefined or unrepresentable values are reported, never hidden:
when no mode passes the cutoff the proxy is undefined (kept mass 0; written as "nan"), and values
beyond the float64 range are written as "inf", with the first step where that happens."""

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="Hessian eigenvalues (.txt/.json/.npy), or with --density "
                        "a two-column text file 'a rho'")
    parser.add_argument("--density", action="store_true", help="FILE tabulates a density of a on a grid")
    parser.add_argument("--scale", type=positive(1e6), default=1.0,
                        help="a = −scale · eigenvalue, scale in (0, 1e6] (e.g. the step size η; default 1)")
    parser.add_argument("--cutoff", type=non_negative(math.inf), default=0.4,
                        help="drop modes with |a| < cutoff, a finite number ≥ 0 (default 0.4)")
    parser.add_argument("--steps", type=IntIn(0, 10**12), default=50, metavar="T",
                        help="evaluate t = 0 … T (default 50)")
    parser.add_argument("--json", metavar="OUT.json", help="write the full result as JSON")
    work.add_budget_options(parser)


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.models import proxy

    with output_file(args.json, "--json") as out:
        if args.density:
            spec = proxy.load_density(args.file)
        else:
            spec = proxy.from_eigenvalues(proxy.load_eigenvalues(args.file), scale=args.scale)
        work.check(work.proxy_work(spec.a.size, args.steps, json=out is not None), args)
        with np.errstate(over="ignore", invalid="ignore"):
            res = proxy.error_proxy(spec, np.arange(args.steps + 1), cutoff=args.cutoff)
        for line in _report(res, spec, args):
            print(line)
        if out is not None:
            out.write_text(dumps({**res.to_json(), "undefined": res.kept_mass == 0,
                                  "first_step_beyond_float64": _first_overflow(res)}))
    return 0


def _first_overflow(res: ProxyResult) -> int | None:
    proxy = np.asarray(res.proxy)
    bad = np.nonzero(np.isinf(proxy))[0]
    return int(bad[0]) if bad.size else None


def _report(res: ProxyResult, spec: Spectrum, args: argparse.Namespace) -> list[str]:
    p = np.asarray(res.proxy)
    kept = float(res.kept_mass)
    a = np.asarray(spec.a)
    if kept == 0:
        return [f"no mode has |a| ≥ cutoff {args.cutoff:g} (largest |a| = {float(np.max(np.abs(a))):.4g}): the proxy "
                "is undefined (kept mass 0, clause MOD-3)"]
    i = int(np.nanargmin(p)) if not np.all(np.isnan(p)) else 0
    take = res.takeover_step
    lines = [f"kept mass {kept:.4g}; proxy(0) = {p[0]:.6g}, minimum {p[i]:.6g} at t = {i}, "
             f"proxy({args.steps}) = {p[-1]:.6g}; divergent modes take over at "
             f"{'t = ' + str(take) if take is not None else 'no evaluated step'}"]
    first = _first_overflow(res)
    if first is not None:
        lines.append(f"the proxy exceeds the float64 range (1.8e308) from t = {first} on: those values are "
                     "reported as inf")
    return lines
