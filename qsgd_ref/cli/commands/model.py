"""``qsgd-ref model NAME [options] --out FILE``: write a model's map as a problem file (clauses MOD-10, MOD-11, FMT-1).

Models: ``burgers`` (the forced viscous Burgers equation of Liu et al., PNAS 2021), ``least-squares``,
``logistic`` and ``quadnet`` (seeded synthetic data). Files are written in the sparse version 2 format,
through a temporary file in the target's folder renamed at the end, so a refusal or an error leaves no
file behind; ``--out`` is checked before anything is built.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.limits import human_bytes
from qsgd_ref.base.precision import NotExact, parse_exact
from qsgd_ref.cli.flags import as_flags
from qsgd_ref.problem import MAX_ORDER, MAX_STEPS, SCHEMA_V2, Problem

HELP = "write a model's gradient-descent or PDE map as a problem file (burgers, least-squares, logistic, quadnet)"

#: library argument -> command-line option
_FLAGS = {"nx": "--nx", "nt": "--nt", "reynolds": "--reynolds", "t_end": "--time", "order": "--order",
          "steps": "--steps", "theta_star": "--theta-star", "degree": "--degree", "hidden": "--hidden"}


# ---------------------------------------------------------------- option types (one-line refusals)

def _int_range(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer between {lo} and {hi:,}, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be an integer between {lo} and {hi:,}, got {value}")
        return value

    return parse


def _exact(text: str) -> Fraction:
    try:
        return parse_exact(text)
    except NotExact as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None


def _positive(text: str) -> Fraction:
    value = _exact(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def _non_negative(text: str) -> Fraction:
    value = _exact(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0, got {text!r}")
    return value


def _theta_star(text: str) -> str | list[Fraction]:
    if text in ("zero", "random"):
        return text
    return [_exact(part) for part in text.split(",")]


# ---------------------------------------------------------------- the subcommands

def _common(p: argparse.ArgumentParser, *, order: int, theta: str = "zero", gradient: bool = True) -> None:
    """--order and --out, and for the gradient-descent models --steps, --seed, --eta, --theta-star, --u0-scale."""
    if gradient:
        p.add_argument("--steps", type=_int_range(0, MAX_STEPS), default=10, help="gradient steps T (default 10)")
        p.add_argument("--seed", type=_int_range(0, 2**63 - 1), default=0, help="seed of the data (default 0)")
        p.add_argument("--eta", type=_positive, default=Fraction(1, 10), help="step size η, exact (default 1/10)")
        p.add_argument("--theta-star", type=_theta_star, default=theta, metavar="zero|random|V1,V2,...",
                       help=f"the point θ* the map is written around (default {theta})")
        p.add_argument("--u0-scale", type=_non_negative, default=Fraction(1, 2),
                       help="u(0) = scale · a seeded vector of entries in [-1, 1] (default 1/2)")
    p.add_argument("--order", type=_int_range(1, MAX_ORDER), default=order, help=f"truncation order N (default {order})")
    p.add_argument("--out", required=True, metavar="FILE", help="the problem file to write (version 2, sparse)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qsgd_ref.models.burgers import DEFAULT_NT, DEFAULT_NX, DEFAULT_REYNOLDS, DEFAULT_T_END, MAX_NX

    sub = parser.add_subparsers(dest="model", required=True, metavar="NAME")

    b = sub.add_parser("burgers", help="forced viscous Burgers equation, explicit Euler (Liu et al., PNAS 2021)",
                       description="The explicit-Euler map of the forced viscous Burgers equation in the published "
                       "configuration (spec clause MOD-10): nx points on [-1/2, 1/2], nt time points on [0, T], "
                       "U0 = 1/sqrt(nx - 1), nu = U0/Re0.")
    b.add_argument("--nx", type=_int_range(3, MAX_NX), default=DEFAULT_NX, help=f"grid points (default {DEFAULT_NX})")
    b.add_argument("--nt", type=_int_range(2, MAX_STEPS + 1), default=DEFAULT_NT,
                   help=f"time points; the problem has nt - 1 steps (default {DEFAULT_NT})")
    b.add_argument("--reynolds", type=_positive, default=Fraction(DEFAULT_REYNOLDS),
                   help=f"Reynolds number Re0, exact (default {DEFAULT_REYNOLDS})")
    b.add_argument("--time", type=_positive, default=Fraction(DEFAULT_T_END),
                   help=f"final time T, exact (default {DEFAULT_T_END})")
    _common(b, order=2, gradient=False)
    b.set_defaults(_build=_burgers)

    ls = sub.add_parser("least-squares", help="least squares on seeded data (exact affine map)",
                        description="Gradient descent on (1/2m)|X theta - y|^2 with seeded rational data "
                        "(spec clauses MOD-8, MOD-11).")
    ls.add_argument("--samples", type=_int_range(1, 1000), default=8, help="data points m (default 8)")
    ls.add_argument("--dim", type=_int_range(1, 64), default=3, help="parameters n (default 3)")
    _common(ls, order=1)
    ls.set_defaults(_build=_least_squares)

    lg = sub.add_parser("logistic", help="logistic loss on seeded data, Taylor-truncated at --degree",
                        description="Gradient descent on the logistic loss with seeded rational data and labels, "
                        "Taylor-truncated at --degree (spec clauses MOD-8, MOD-11); exact at theta* = 0.")
    lg.add_argument("--samples", type=_int_range(1, 64), default=8, help="data points m (default 8)")
    lg.add_argument("--dim", type=_int_range(1, 16), default=2, help="parameters n (default 2)")
    lg.add_argument("--degree", type=_int_range(1, 8), default=3, help="Taylor degree q of the map (default 3)")
    _common(lg, order=2)
    lg.set_defaults(_build=_logistic)

    qn = sub.add_parser("quadnet", help="quadratic-activation network on seeded data (exact cubic map)",
                        description="Gradient descent on the two-layer quadratic-activation network with fixed "
                        "output weights +-1 and seeded rational data (spec clauses MOD-2, MOD-11); n = hidden * inputs.")
    qn.add_argument("--samples", type=_int_range(1, 32), default=4, help="data points m (default 4)")
    qn.add_argument("--inputs", type=_int_range(1, 8), default=2, help="input dimension d (default 2)")
    qn.add_argument("--hidden", type=_int_range(1, 8), default=2, help="hidden units h; h * d <= 12 (default 2)")
    qn.add_argument("--outputs", type=_int_range(1, 4), default=1, help="outputs c (default 1)")
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

def _reserve(out: str) -> Path:
    """Check that ``out`` can be written, before anything is built: a temporary file in its folder
    (removed by the caller on any error, renamed onto ``out`` on success)."""
    target = Path(out)
    if target.is_dir():
        raise InputError("--out", f"{out!r} is a directory")
    folder = target.parent
    if not folder.is_dir():
        raise InputError("--out", f"folder {str(folder)!r} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError("--out", f"cannot write in {str(folder)!r}: {exc.strerror}") from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # the permissions of an ordinary new file, not mkstemp's 0600
    return Path(tmp)


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


def run(args: argparse.Namespace) -> int:
    build: Callable[[argparse.Namespace], Problem] = args._build
    tmp = _reserve(args.out)
    try:
        with as_flags(_FLAGS):
            problem = build(args)
        try:
            problem.save(tmp, schema=SCHEMA_V2)
            os.replace(tmp, args.out)
        except OSError as exc:
            raise InputError("--out", f"cannot write {args.out!r}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    size = human_bytes(os.path.getsize(args.out))
    print(f"wrote {args.out} ({size}, {SCHEMA_V2}): {problem.name}, n = {problem.n}, degree q = {problem.degree}, "
          f"T = {problem.steps} steps, N = {problem.order}; non-zeros {_nonzeros(problem)}")
    return 0
