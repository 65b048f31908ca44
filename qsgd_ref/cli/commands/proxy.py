"""``qsgd-ref proxy``: the error proxy of Eq. 7–8 (clause MOD-3) from eigenvalues or a density."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

HELP = "error proxy (Eq. 7-8) from a Hessian eigenvalue file or a tabulated density of a"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="Hessian eigenvalues (.txt/.json/.npy), or with --density "
                        "a two-column text file 'a rho'")
    parser.add_argument("--density", action="store_true", help="FILE tabulates a density of a on a grid")
    parser.add_argument("--scale", type=float, default=1.0, help="a = -scale * eigenvalue (e.g. the step size)")
    parser.add_argument("--cutoff", type=float, default=0.4, help="drop modes with |a| < cutoff (default 0.4)")
    parser.add_argument("--steps", type=int, default=50, help="evaluate t = 0 .. STEPS (default 50)")
    parser.add_argument("--json", metavar="OUT.json", help="write the full result as JSON")


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.base.errors import InputError
    from qsgd_ref.models import proxy

    if args.steps < 0:
        raise InputError("--steps", f"must be ≥ 0, got {args.steps}")
    if args.density:
        spec = proxy.load_density(args.file)
    else:
        spec = proxy.from_eigenvalues(proxy.load_eigenvalues(args.file), scale=args.scale)
    res = proxy.error_proxy(spec, np.arange(args.steps + 1), cutoff=args.cutoff)
    i = int(np.nanargmin(res.proxy)) if res.kept_mass > 0 else 0
    print(f"kept mass {res.kept_mass:.4g}; proxy(0) = {res.proxy[0]:.6g}, minimum {res.proxy[i]:.6g} at t = {i}, "
          f"proxy({args.steps}) = {res.proxy[-1]:.6g}; divergent modes take over at t = {res.takeover_step}")
    if args.json:
        Path(args.json).write_text(json.dumps(res.to_json(), indent=1) + "\n")
    return 0
