"""``qsgd-ref model NAME [options] --out FILE``: write a model's map as a problem file (clauses MOD-10, MOD-11, FMT-1).

Models: ``burgers`` (the forced viscous Burgers equation of Liu et al., PNAS 2021), ``least-squares``,
``logistic`` and ``quadnet`` (seeded synthetic data). Files are written in the sparse version 2 format,
through a temporary file in the target's folder renamed at the end, so a refusal or an error leaves no
file behind; ``--out`` is checked before anything is built.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from fractions import Fraction

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.limits import human_bytes
from qsgd_ref.cli import work
from qsgd_ref.cli.flags import as_flags
from qsgd_ref.cli.options import ExactIn, IntIn, exact_non_negative, exact_positive, shown
from qsgd_ref.cli.output import output_file
from qsgd_ref.problem import MAX_ORDER, MAX_STEPS, SCHEMA_V2, Problem

HELP = "write a model's gradient-descent or PDE map as a problem file (burgers, least-squares, logistic, quadnet)"

#: library argument -> command-line option
_FLAGS = {"nx": "--nx", "nt": "--nt", "reynolds": "--reynolds", "t_end": "--time", "order": "--order",
          "steps": "--steps", "theta_star": "--theta-star", "degree": "--degree", "hidden": "--hidden"}


# ---------------------------------------------------------------- option types (one-line refusals)

_POSITIVE = exact_positive()
_NON_NEGATIVE = exact_non_negative()
_exact = ExactIn(Fraction(-10**12), Fraction(10**12))


def _theta_star(text: str) -> str | list[Fraction]:
    if text in ("zero", "random"):
        return text
    if len(text) > 100_000:
        raise argparse.ArgumentTypeError(f"must be zero, random or a comma-separated list of exact numbers, got "
                                         f"{shown(text)}")
    return [_exact(part) for part in text.split(",")]


# ---------------------------------------------------------------- the subcommands

def _common(p: argparse.ArgumentParser, *, order: int, theta: str = "zero", gradient: bool = True) -> None:
    """--order and --out, and for the gradient-descent models --steps, --seed, --eta, --theta-star, --u0-scale."""
    if gradient:
        p.add_argument("--steps", type=IntIn(0, MAX_STEPS), default=10, help="gradient steps T (default 10)")
        p.add_argument("--seed", type=IntIn(0, 2**63 - 1), default=0, help="seed of the data (default 0)")
        p.add_argument("--eta", type=_POSITIVE, default=Fraction(1, 10), help="step size η, exact (default 1/10)")
        p.add_argument("--theta-star", type=_theta_star, default=theta, metavar="zero|random|V1,V2,...",
                       help=f"the point θ* the map is written around (default {theta})")
        p.add_argument("--u0-scale", type=_NON_NEGATIVE, default=Fraction(1, 2),
                       help="u(0) = scale · a seeded vector of entries in [-1, 1] (default 1/2)")
    p.add_argument("--order", type=IntIn(1, MAX_ORDER), default=order, help=f"truncation order N (default {order})")
    p.add_argument("--out", required=True, metavar="FILE", help="the problem file to write (version 2, sparse)")
    work.add_budget_options(p)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qsgd_ref.models.burgers import DEFAULT_NT, DEFAULT_NX, DEFAULT_REYNOLDS, DEFAULT_T_END, MAX_NX

    sub = parser.add_subparsers(dest="model", required=True, metavar="NAME")

    b = sub.add_parser("burgers", help="forced viscous Burgers equation, explicit Euler (Liu et al., PNAS 2021)",
                       description="The explicit-Euler map of the forced viscous Burgers equation in the published "
                       "configuration (spec clause MOD-10): nx points on [-1/2, 1/2], nt time points on [0, T], "
                       "U0 = 1/sqrt(nx - 1), nu = U0/Re0.")
    b.add_argument("--nx", type=IntIn(3, MAX_NX), default=DEFAULT_NX, help=f"grid points (default {DEFAULT_NX})")
    b.add_argument("--nt", type=IntIn(2, MAX_STEPS + 1), default=DEFAULT_NT,
                   help=f"time points; the problem has nt - 1 steps (default {DEFAULT_NT})")
    b.add_argument("--reynolds", type=_POSITIVE, default=Fraction(DEFAULT_REYNOLDS),
                   help=f"Reynolds number Re0, exact (default {DEFAULT_REYNOLDS})")
    b.add_argument("--time", type=_POSITIVE, default=Fraction(DEFAULT_T_END),
                   help=f"final time T, exact (default {DEFAULT_T_END})")
    _common(b, order=2, gradient=False)
    b.set_defaults(_build=_burgers)

    ls = sub.add_parser("least-squares", help="least squares on seeded data (exact affine map)",
                        description="Gradient descent on (1/2m)|X theta - y|^2 with seeded rational data "
                        "(spec clauses MOD-8, MOD-11).")
    ls.add_argument("--samples", type=IntIn(1, 1000), default=8, help="data points m (default 8)")
    ls.add_argument("--dim", type=IntIn(1, 64), default=3, help="parameters n (default 3)")
    _common(ls, order=1)
    ls.set_defaults(_build=_least_squares)

    lg = sub.add_parser("logistic", help="logistic loss on seeded data, Taylor-truncated at --degree",
                        description="Gradient descent on the logistic loss with seeded rational data and labels, "
                        "Taylor-truncated at --degree (spec clauses MOD-8, MOD-11); exact at theta* = 0.")
    lg.add_argument("--samples", type=IntIn(1, 64), default=8, help="data points m (default 8)")
    lg.add_argument("--dim", type=IntIn(1, 16), default=2, help="parameters n (default 2)")
    lg.add_argument("--degree", type=IntIn(1, 8), default=3, help="Taylor degree q of the map (default 3)")
    _common(lg, order=2)
    lg.set_defaults(_build=_logistic)

    qn = sub.add_parser("quadnet", help="quadratic-activation network on seeded data (exact cubic map)",
                        description="Gradient descent on the two-layer quadratic-activation network with fixed "
                        "output weights +-1 and seeded rational data (spec clauses MOD-2, MOD-11); n = hidden * inputs.")
    qn.add_argument("--samples", type=IntIn(1, 32), default=4, help="data points m (default 4)")
    qn.add_argument("--inputs", type=IntIn(1, 8), default=2, help="input dimension d (default 2)")
    qn.add_argument("--hidden", type=IntIn(1, 8), default=2, help="hidden units h; h * d <= 12 (default 2)")
    qn.add_argument("--outputs", type=IntIn(1, 4), default=1, help="outputs c (default 1)")
    _common(qn, order=2, theta="random")
    qn.set_defaults(_build=_quadnet)


def _burgers(a: argparse.Namespace) -> Problem:
    from qsgd_ref.models.burgers import burgers_problem

    return burgers_problem(a.order, nx=a.nx, nt=a.nt, reynolds=a.reynolds, t_end=a.time)


def _least_squares(a: argparse.Namespace) -> Problem:
    from qsgd_ref.models.synthetic import seeded_least_squares

    return seeded_least_squares(a.samples, a.dim, a.seed, a.eta, a.steps, a.order, a.theta_star, a.u0_scale)


def _logistic(a: argparse.Namespace) -> Problem:
    from qsgd_ref.models.synthetic import seeded_logistic

    return seeded_logistic(a.samples, a.dim, a.seed, a.eta, a.degree, a.steps, a.order, a.theta_star, a.u0_scale)


def _quadnet(a: argparse.Namespace) -> Problem:
    from qsgd_ref.models.synthetic import seeded_quadnet

    return seeded_quadnet(a.samples, a.inputs, a.hidden, a.outputs, a.seed, a.eta, a.steps, a.order,
                          a.theta_star, a.u0_scale)


# ---------------------------------------------------------------- writing

def _nonzeros(problem: Problem) -> str:
    parts = []
    for ell in sorted({ell for m in problem.maps for ell in m}):
        mats = [m[ell] for m in problem.maps if ell in m]
        counts = sorted({a.nnz for a in mats})
        if all(a is mats[0] for a in mats):
            parts.append(f"F_{ell} {mats[0].nnz}")
        elif len(counts) == 1:
            parts.append(f"F_{ell} {counts[0]} per step")
        else:
            parts.append(f"F_{ell} {counts[0]}–{counts[-1]} per step")
    return ", ".join(parts)


def _work(args: argparse.Namespace) -> work.Work:
    """Measured costs: burgers holds one F_0 per step, (nt − 1) · nx exact entries (about 1.3 KB and
    15 µs each); least squares sums samples · n² exact products (6 µs each); logistic samples ·
    n^(q+1) Taylor terms (30 µs each); quadnet extracts the n^4 entries of F_3 from SymPy (2 ms each)."""
    base = 100 * 2**20
    if args.model == "burgers":
        entries = (args.nt - 1) * args.nx
        return work.Work(f"the burgers problem with nx = {args.nx:,} and nt = {args.nt:,} ({entries:,} forcing "
                         "entries)", entries * 15e-6 + args.nx * 1e-3, entries * 1300 + args.nx * 4000 + base, "--nt")
    if args.model == "least-squares":
        return work.Work(f"least squares with {args.samples:,} samples in {args.dim} dimensions",
                         args.samples * args.dim**2 * 6e-6, base, "--samples")
    if args.model == "logistic":
        terms = args.samples * args.dim ** (args.degree + 1)
        return work.Work(f"the logistic map of degree {args.degree} ({terms:,} Taylor terms)", terms * 3e-5,
                         base + terms * 200, "--degree")
    n = args.hidden * args.inputs
    return work.Work(f"the quadnet map with n = {n} weights ({n**4:,} entries of F_3)",
                     n**4 * 2e-3 + 0.05 * args.samples * args.outputs, base + n**4 * 2000, "--hidden")


def run(args: argparse.Namespace) -> int:
    build: Callable[[argparse.Namespace], Problem] = args._build
    with output_file(args.out, "--out") as out:
        assert out is not None
        work.check(_work(args), args)
        with as_flags(_FLAGS):
            problem = build(args)
        try:
            problem.save(out.temporary, schema=SCHEMA_V2)
        except OSError as exc:
            raise InputError("--out", f"cannot write {args.out!r}: {exc.strerror}") from None
        out.written = True
    size = human_bytes(os.path.getsize(args.out))
    print(f"wrote {args.out} ({size}, {SCHEMA_V2}): {problem.name}, n = {problem.n}, degree q = {problem.degree}, "
          f"T = {problem.steps} steps, N = {problem.order}; non-zeros {_nonzeros(problem)}")
    return 0
