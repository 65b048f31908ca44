"""Work estimates and budgets of the commands (clause CLI-3).

A command whose cost grows with its options (steps, order, digits, shots, qubits, model size)
estimates its time and peak memory *before* it starts, from the sizes alone, and refuses — one
line naming the option that set the size, the estimate and the budget — when either is over:

* memory: the estimate against ``--max-memory`` (default: the library's memory budget,
  QSGD_REF_MEMORY_BUDGET, else 8 GiB);
* time: the estimate against ``--max-time`` (default :data:`DEFAULT_TIME_BUDGET`, 30 minutes).

Memory is counted with the real size of each entry (:func:`mpf_bytes`, :func:`int_bytes`,
:func:`arb_bytes`, :func:`str_bytes`: a 50-digit mpmath number takes about 210 bytes, not 8).
Times are calibrated on one core of a 2020s x86 machine (the constants below, measured with the
scripts of docs/performance.md's "estimates" section) and meant to be right within a factor of
about three: an order of magnitude, not a promise. Each estimator returns a :class:`Work`.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import Any

from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.limits import human_bytes, memory_budget
from qsgd_ref.base.precision import working_bits
from qsgd_ref.cli.options import ByteSize, Seconds
from qsgd_ref.problem import Problem
from qsgd_ref.theory import norms

#: Default time budget of one command, in seconds (override: --max-time).
DEFAULT_TIME_BUDGET = 1800.0

# ---------------------------------------------------------------- bytes per entry


def int_bytes(bits: int) -> int:
    """A Python int of ``bits`` bits in a list or object array: 28 + 4 per 30-bit digit, the
    allocator's rounding (16) and the 8-byte reference."""
    return 28 + 4 * math.ceil(max(bits, 1) / 30) + 16 + 8


def mpf_bytes(dps: int) -> int:
    """An mpmath mpf at ``dps`` digits (its object, the tuple and the mantissa int), referenced from
    a list: measured 170–220 B up to 50 digits, 385 B at 500, 2.3 KiB at 5000 (tracemalloc)."""
    return 130 + int_bytes(working_bits(dps))


def arb_bytes(prec: int) -> int:
    """One entry of a flint arb_mat at ``prec`` bits: the 48-byte struct and the limbs of the midpoint."""
    return 48 + 8 * math.ceil(prec / 64) + 16


def str_bytes(chars: int) -> int:
    """An ASCII str of ``chars`` characters in a list."""
    return 49 + chars + 8


FLOAT64 = 8

# ---------------------------------------------------------------- time constants (seconds)

#: one non-zero entry of a factor H_ℓ visited by the exact integer step (a Python loop pass)
LOOP = 4e-6
#: one element operation of the exact integer step (object arrays of Python ints), per
#: 1 + bits/1800 (multiplication cost grows with the integers' size)
ELEMENT = 1.3e-7
#: one multiplication of the mpmath iteration (per 1 + bits/2000)
MP_OP = 1.5e-6
#: one Fraction multiply-add of the exact norm bounds (dense Gram matrices)
FRACTION_OP = 3e-6
#: one entry formatted as a decimal string
FORMAT = 2.5e-5
#: one ball operation of the certified (arb) step, per 1 + prec/256
ARB_OP = 6e-8
#: one floating-point operation of numpy (BLAS, one thread)
FLOP = 2.5e-10
#: Python start-up and imports: not counted (a few seconds at most)


@dataclass(frozen=True)
class Work:
    """An estimate: ``what`` is done, in about ``seconds`` and ``nbytes`` of peak memory; ``option``
    names the option (or argument) that set the size, for a refusal."""

    what: str
    seconds: float
    nbytes: int
    option: str
    hint: str = ""  # how to do with less, added to a refusal

    def __add__(self, other: Work) -> Work:
        return Work(self.what, self.seconds + other.seconds, max(self.nbytes, other.nbytes), self.option,
                    self.hint or other.hint)

    def _replace_what(self, what: str) -> Work:
        return Work(what, self.seconds, self.nbytes, self.option, self.hint)

    def line(self) -> str:
        return f"{self.what}: about {human_time(self.seconds)} and {human_bytes(self.nbytes)}"


def human_time(seconds: float) -> str:
    """A duration in s, min, h or days, two significant digits."""
    if seconds < 60:
        return f"{seconds:.2g} s"
    if seconds < 3600:
        return f"{seconds / 60:.2g} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.2g} h"
    return f"{seconds / 86400:,.0f} days"


def add_budget_options(parser: argparse.ArgumentParser) -> None:
    """--max-time and --max-memory, the budgets the estimates are checked against."""
    parser.add_argument("--max-time", type=Seconds(), default=DEFAULT_TIME_BUDGET, metavar="DURATION",
                        help="refuse work estimated to take longer (e.g. 90s, 45m, 2h; default 30m)")
    parser.add_argument("--max-memory", type=ByteSize(), default=None, metavar="SIZE",
                        help="refuse work estimated to need more memory (e.g. 512MiB, 16GiB; default: "
                             "QSGD_REF_MEMORY_BUDGET, else 8GiB)")


def check(work: Work, args: argparse.Namespace) -> Work:
    """Refuse ``work`` if it is over either budget of ``args`` (InputError naming ``work.option``)."""
    mem = args.max_memory if getattr(args, "max_memory", None) else memory_budget()
    limit = getattr(args, "max_time", DEFAULT_TIME_BUDGET)
    hint = f"; {work.hint}" if work.hint else ""
    if work.nbytes > mem:
        raise SizeLimitError(work.option, f"{work.what} would need about {human_bytes(work.nbytes)} of memory, "
                             f"over the budget of {human_bytes(mem)} (--max-memory or QSGD_REF_MEMORY_BUDGET "
                             f"to change it{hint})")
    if work.seconds > limit:
        raise InputError(work.option, f"{work.what} would take about {human_time(work.seconds)}, over the time "
                         f"budget of {human_time(limit)} (--max-time to change it{hint})")
    return work


# ---------------------------------------------------------------- the problem's shape


def _distinct(items: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    for x in items:
        seen.setdefault(id(x), x)
    return list(seen.values())


def _norm_seconds(n: int, ell: int, nnz: int) -> float:
    """The certified bound h ≥ ‖H_ℓ‖₂ of one matrix (n × n^ℓ; a vector for ℓ = 0) by the method
    theory.norms picks for its size: the exact elimination, the verified Cholesky of the n × n Gram
    matrix, or √(‖·‖₁‖·‖∞) from the non-zeros."""
    z = nnz + (n if ell == 1 else 0)
    method = norms.planned_method((n, n**ell), z)
    if method == norms.EXACT:
        return (z * n + n**3) * FRACTION_OP if ell else z * FRACTION_OP
    if method == norms.VERIFIED:
        return (z * max(1, z // n) + n**3) * FLOP + n * n * FRACTION_OP
    return z * FRACTION_OP


@dataclass(frozen=True)
class Shape:
    """What the cost of a problem's iterations depends on."""

    n: int
    order: int
    steps: int
    nnz: dict[int, int]  # ℓ -> the largest nnz(F_ℓ) over the maps (ℓ = 1 with the identity)
    f0: bool
    denominator_bits: int  # the largest common denominator of one map, in bits
    distinct_maps: int
    norm_seconds: float  # the certified norm bounds of theory.norms, once per distinct matrix

    @classmethod
    def of(cls, problem: Problem, order: int | None = None, steps: int | None = None) -> Shape:
        n = problem.n
        maps = _distinct(problem.maps)
        nnz: dict[int, int] = {1: n}
        dbits, f0, gram = 1, False, 0.0
        for fmap in maps:
            den = 1
            for ell, a in fmap.items():
                den = math.lcm(den, a.denominator)
                if ell == 0:
                    f0 = f0 or a.nnz > 0
                else:
                    nnz[ell] = max(nnz.get(ell, 0), a.nnz + (n if ell == 1 else 0))
            dbits = max(dbits, den.bit_length())
        seen: set[int] = set()
        for ell, a in ((ell, a) for m in maps for ell, a in m.items()):
            if id(a) not in seen:
                seen.add(id(a))
                gram += _norm_seconds(n, ell, a.nnz)
        return cls(n, problem.order if order is None else order, problem.steps if steps is None else steps,
                   nnz, f0, dbits, len(maps), gram)

    @property
    def dimension(self) -> int:
        return lifted_dimension(self.n, self.order)

    def step_counts(self) -> tuple[int, int]:
        """(loop passes, element operations) of one exact integer step (carleman.levels)."""
        n, N = self.n, self.order
        loops = elems = 0
        for r in range(1, N + 1):
            for ell, z in self.nnz.items():
                for m in range(ell, N + 1):
                    rest = m - ell
                    if rest > N - r:
                        continue
                    loops += z
                    elems += z * n ** (r - 1) * n**rest
        if self.f0:
            elems += sum((r + 1) * n ** (r + a) for r in range(N) for a in range(1, N - r + 1))
        return loops, elems

    def exact_ops(self) -> int:
        """Multiplications of one step of the map iteration: Σ_ℓ ℓ · nnz(F_ℓ) (+ the sums)."""
        return sum((ell + 1) * z for ell, z in self.nnz.items()) + self.n


def reference_work(problem: Problem, *, dps: int, certified: bool = False, engine: str = "mp",
                   option: str = "PROBLEM.json", levels: int = 1) -> Work:
    """``qsgd-ref reference`` (and the trajectories of the demo, ``levels`` orders at once)."""
    s = Shape.of(problem)
    T, n, N, D = s.steps, s.n, s.order, s.dimension
    rows = (T + 1) * n
    loops, elems = s.step_counts()
    what = f"the reference of {problem.name or 'the problem'} (n = {n}, N = {N}, D = {D:,}, T = {T:,}"
    bits = working_bits(dps)
    norms = s.norm_seconds + 2 * (T + 1) * N * N * 2e-6
    json_text = 2 * (T + 1) * (2 * n + 1) * (dps + 12)
    if engine == "float64":
        seconds = T * (1.5e-4 + elems * 3e-9 + s.exact_ops() * 1e-8) + (T + 1) * (2 * n + 1) * 2e-6 + norms
        nbytes = rows * (3 * FLOAT64 + 2 * str_bytes(24)) + 12 * D * FLOAT64 + 4 * n**N * FLOAT64 + json_text
        return Work(what + ", float64)", seconds, int(nbytes + (T + 1) * N * 400), option)
    wide = bits + N * s.denominator_bits + 64
    carleman = T * (2e-4 + LOOP * loops + ELEMENT * elems * (1 + wide / 1800))
    exact = T * (MP_OP * s.exact_ops() * (1 + bits / 2000) * (2 if s.distinct_maps > 1 else 1))
    formatting = (T + 1) * (2 * n + 1) * FORMAT * (1 + dps / 200)
    seconds = levels * carleman + exact + formatting + norms
    nbytes = (rows * (2 * mpf_bytes(dps) + int_bytes(bits) + 2 * str_bytes(dps + 8))
              + (T + 1) * (mpf_bytes(dps) + str_bytes(dps + 8))
              + 6 * D * int_bytes(wide) + 4 * n**N * int_bytes(wide)
              + (T + 1) * N * 400 + json_text)
    if certified:
        prec = bits + 64
        seconds += 2 * T * (D * D + s.exact_ops()) * ARB_OP * (1 + prec / 256) + rows * 3 * FORMAT
        nbytes += D * D * arb_bytes(prec) + 2 * rows * (80 + arb_bytes(prec)) + rows * 2 * str_bytes(12)
        what += ", certified"
    return Work(f"{what}, {dps} digits)", seconds, int(nbytes), option)


# ---------------------------------------------------------------- models


def proxy_work(modes: int, steps: int, *, json: bool = False, option: str = "--steps") -> Work:
    """``qsgd-ref proxy``: the parts are (T + 1) × modes float64 arrays (a few alive at once), and
    with ``json`` six series of T + 1 numbers as text."""
    cells = (steps + 1) * max(modes, 1)
    return Work(f"the proxy at {steps + 1:,} steps over {modes:,} modes", cells * 6e-8 + (steps + 1) * 4e-7,
                int(cells * FLOAT64 * 4 + (steps + 1) * FLOAT64 * 8 + (steps + 1) * 6 * 25 * json), option)


#: the digits data set of the Fig. 2-like experiment (scikit-learn's bundled copy)
DIGITS_SAMPLES, DIGITS_PIXELS = 1797, 64


def train_work(cfg: Any, option: str = "--hidden") -> Work:
    """``qsgd-ref train``: per step a minibatch gradient and the loss and accuracy on the whole
    training set, every ``hessian_every`` steps an SLQ spectrum; three schemes after the pre-training."""
    m, d, h = DIGITS_SAMPLES, DIGITS_PIXELS, cfg.hidden
    forward = 2 * d * h + 2 * h * 10  # flops per sample
    grad = 3 * forward * cfg.batch
    evaluation = forward * m
    hessian = cfg.slq_vectors * cfg.slq_steps * 5 * forward * cfg.hessian_batch
    per_step = grad + evaluation + hessian / max(cfg.hessian_every, 1)
    flops = cfg.pretrain * grad + 3 * (cfg.steps + 1) * per_step
    nbytes = FLOAT64 * (3 * m * h + 4 * max(cfg.batch, cfg.hessian_batch) * h + (cfg.slq_steps + 8) * d * h)
    spectra = 3 * (cfg.steps // max(cfg.hessian_every, 1) + 3) * cfg.slq_vectors * cfg.slq_steps * 2 * 30
    return Work(f"training h = {h:,} hidden units ({d * h:,} weights) for {cfg.steps:,} steps",
                flops * FLOP + 3 * (cfg.steps + 1) * 2e-4, int(nbytes + spectra + 3 * (cfg.steps + 1) * 400), option)
