"""Write the oracle's vector files (clauses ORC-1, ORC-2): deterministic, exact-input, ≥ 30 digits.

Same seed → byte-identical files. Expected values are computed by :mod:`qsgd_ref.carleman.exact`
at ``WORK_DPS`` digits and re-checked at ``CHECK_DPS`` digits before ``DIGITS`` are written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
import numpy as np

from qsgd_ref.base.indexing import lifted_dimension
from qsgd_ref.base.precision import format_decimal, fraction_to_mpf
from qsgd_ref.base.progress import tracked
from qsgd_ref.carleman import exact
from qsgd_ref.oracle import corpus, hhl, traps
from qsgd_ref.problem import Problem
from qsgd_ref.problem.iterate import iterate
from qsgd_ref.theory.regimes import classify
from qsgd_ref.theory.table import bounds

VERSION = "1"
DIGITS = 40  # significant digits written for expected values
TRAP_DIGITS = 25
BOUND_DIGITS = (
    30  # bounds are rounded up (BND-*), 30 significant digits  # known wrong answers only need to be recognised
)
WORK_DPS = 60
CHECK_DPS = 90
TOLERANCE = {
    "carleman_trajectory": {"rel": "1e-10", "abs": "0"},
    "carleman_matrix": {"rel": "1e-12", "abs": "0"},
    "eq6_solution": {"rel": "1e-10", "abs": "0"},
    "hhl_state": {"rel": "1e-9", "abs": "0"},
}
FILES = ("carleman_trajectory", "carleman_matrix", "eq6_solution", "hhl_state")

HEADERS = {
    "carleman_trajectory": [
        "Trajectories of u(t+1) = u(t) + Σ_ℓ F_ℓ u(t)^{⊗ℓ} (MAP-1, MAP-3), t = 0 … T:",
        "'exact' is u(t); 'carleman' is ŷ_1(t) of the order-N truncated lifted iteration (LIFT-2).",
        "Rows are times t = 0 … T, entries are the n components; values are decimal strings.",
        "'regime' is qsgd_ref.theory.regimes.classify's verdict (REG-*); 'bounds' maps each applicable bound (BND-*)",
        "to its T+1 values on ‖u(t) − ŷ_1(t)‖₂ (rounded up; 'inf' where it is infinite); 'not_applicable' says why not.",
    ],
    "carleman_matrix": [
        "The truncated lifted map M_N and constant c of LIFT-2 in the canonical basis",
        "(levels j = 1 … N concatenated, numpy.kron row-major order inside each level, 0-based indices).",
        "'M' is a list of [row, col, value], 'c' a list of [row, value]; absent entries are zero.",
    ],
    "hhl_state": [
        "The ideal finite-clock HHL output (HHL-1, HHL-2) for the Eq. 6 system L Y = b with p idle steps:",
        "A = [[0, L], [Lᵀ, 0]] padded to 2^k with σ_max(L) on the extra diagonal, rhs = (b, 0, …)/‖b‖,",
        "QPE with 'clock' = {bits c, time t (U = exp(iAt)), c0}; clock values k read as signed k' (two's",
        "complement); ancilla amplitude f(k) = clamp(c0/k', −1, 1), 0 at k' = 0. 'state' is the normalised",
        "post-selected (ancilla = 1, clock = 0) system state on all 2^k entries (real; a global phase is",
        "allowed), 'success_probability' its probability.",
    ],
    "eq6_solution": [
        "The solution Y of the Eq. 6 system L Y = b with p idle steps (SYS-1, SYS-2):",
        "rows are the blocks Y_0 … Y_{T+p}, each the full lifted vector of dimension D = Σ_j n^j.",
    ],
}


def _fmt(x: Any, digits: int = DIGITS) -> str:
    return format_decimal(x, digits)


def _rows(vectors: list[Any], digits: int = DIGITS) -> list[list[str]]:
    with mpmath.workdps(digits + 10):
        return [[_fmt(x, digits) for x in v] for v in vectors]


def _agree(a: list[Any], b: list[Any], what: str) -> None:
    """Precision check: values at WORK_DPS and CHECK_DPS agree far below the written digits."""
    with mpmath.workdps(CHECK_DPS):
        scale = max([mpmath.mpf(0)] + [abs(x) for v in b for x in v])
        diff = max([mpmath.mpf(0)] + [abs(x - y) for u, v in zip(a, b, strict=True) for x, y in zip(u, v, strict=True)])
        if diff > scale * mpmath.mpf(10) ** (-DIGITS - 5):
            raise RuntimeError(
                f"{what}: {WORK_DPS}-digit and {CHECK_DPS}-digit results differ by {mpmath.nstr(diff, 3)}"
            )


def _map_rows(p: Problem, dps: int) -> list[list[Any]]:
    """u(0 … T) in mpmath at ``dps`` digits (MAP-1, MAP-3)."""
    with mpmath.workdps(dps):
        return list(iterate(p, fraction_to_mpf))


def _lifted_rows(p: Problem, dps: int, builder: exact.Builder = exact.lifted_map_exact) -> list[list[Any]]:
    """ŷ(0 … T) in mpmath at ``dps`` digits from the exact triplets of ``builder`` (LIFT-2)."""
    with mpmath.workdps(dps):
        return list(exact.lifted_iteration(p, fraction_to_mpf, builder))


def _checked(fn: Callable[[int], list[Any]], what: str) -> list[Any]:
    a, b = fn(WORK_DPS), fn(CHECK_DPS)
    _agree(a, b, what)
    return b


def _max_rel(a: list[list[str]], b: list[list[str]]) -> Fraction:
    fa = [[Fraction(x) for x in r] for r in a]
    fb = [[Fraction(x) for x in r] for r in b]
    if len(fa) != len(fb):
        return Fraction(1)
    scale = max([abs(x) for r in fa for x in r] + [Fraction(0)])
    diff = max([abs(x - y) for r, s in zip(fa, fb, strict=True) for x, y in zip(r, s, strict=True)] + [Fraction(0)])
    return diff / scale if scale else diff


def _triplets(m: exact.Triplets, digits: int = DIGITS, vector: bool = False) -> list[list[Any]]:
    if vector:
        return [[r, _fmt(v, digits)] for (r, _), v in sorted(m.items())]
    return [[r, c, _fmt(v, digits)] for (r, c), v in sorted(m.items())]


def _test_base(case: corpus.Case, kind: str) -> dict[str, Any]:
    return {
        "tcId": 0,  # numbered after grouping
        "comment": case.comment,
        "flags": list(case.flags),
        "problem": case.problem.to_json(),
        "tolerance": dict(TOLERANCE[kind]),
    }


def trajectory_test(case: corpus.Case) -> dict[str, Any]:
    p = case.problem
    u = _checked(lambda d: _map_rows(p, d), f"{case.comment}: exact")
    y = _checked(lambda d: _lifted_rows(p, d), f"{case.comment}: carleman")
    test = _test_base(case, "carleman_trajectory")
    carleman = _rows([v[: p.n] for v in y])
    table = bounds(p, digits=BOUND_DIGITS)
    test["expected"] = {
        "exact": _rows(u),
        "carleman": carleman,
        "regime": classify(p).regime,
        "bounds": table.bounds,
        "not_applicable": table.not_applicable,
    }
    wrong: dict[str, Any] = {}
    cont = _lifted_rows(p, WORK_DPS, traps.continuous_lifted_map)
    rows = _rows([v[: p.n] for v in cont], TRAP_DIGITS)
    if _max_rel(rows, carleman) > 100 * Fraction(TOLERANCE["carleman_trajectory"]["rel"]):
        wrong["continuous"] = {"carleman": rows}
    if wrong:
        test["traps"] = wrong
    return test


def matrix_test(case: corpus.Case) -> dict[str, Any]:
    p = case.problem
    fmap, n, order = p.maps[0], p.n, p.order
    m, c = exact.lifted_map_exact(fmap, n, order)
    test = _test_base(case, "carleman_matrix")
    test["expected"] = {"matrix": {"D": lifted_dimension(n, order), "M": _triplets(m), "c": _triplets(c, vector=True)}}
    wrong: dict[str, Any] = {}
    for name, (tm, tc) in (
        ("continuous", traps.continuous_lifted_map(fmap, n, order)),
        ("column-major", exact.lifted_map_exact(traps.column_major_map(fmap, n), n, order)),
    ):
        if (tm, tc) != (m, c):
            wrong[name] = {"matrix": {"M": _triplets(tm, TRAP_DIGITS), "c": _triplets(tc, TRAP_DIGITS, vector=True)}}
    if wrong:
        test["traps"] = wrong
    return test


def eq6_test(case: corpus.Case, idle: int) -> dict[str, Any]:
    p = case.problem
    y = _checked(lambda d: _lifted_rows(p, d), f"{case.comment}: eq6")
    test = _test_base(case, "eq6_solution")
    test["idle"] = idle
    test["expected"] = {"eq6": _rows(y + [y[-1]] * idle)}
    return test


def hhl_test(case: corpus.Case, idle: int, bits: int) -> dict[str, Any]:
    p = case.problem
    big, rhs = hhl.eq6_exact(p, idle)
    a, r, (smax, smin) = hhl.dilation(big, rhs, CHECK_DPS)
    time, c0 = hhl.clock_for(smax, smin, bits, CHECK_DPS)
    runs = {CHECK_DPS: hhl.twin_output(a, r, bits, time, c0, CHECK_DPS)}
    a, r, _ = hhl.dilation(big, rhs, WORK_DPS)
    runs[WORK_DPS] = hhl.twin_output(a, r, bits, time, c0, WORK_DPS)
    (s1, p1), (s2, p2) = runs[WORK_DPS], runs[CHECK_DPS]
    _agree([np.array([*s1, p1])], [np.array([*s2, p2])], f"{case.comment}: hhl")
    test = _test_base(case, "hhl_state")
    test["idle"] = idle
    test["clock"] = {"bits": bits, "time": time, "c0": c0}
    with mpmath.workdps(CHECK_DPS):
        test["expected"] = {"hhl": {"state": [_fmt(x) for x in s2], "success_probability": _fmt(p2)}}
    return test


def _group_key(test: dict[str, Any]) -> tuple[int, int]:
    prob = test["problem"]
    return len(prob["u0"]), test["_degree"]


def build_file(kind: str, tests: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    """Assemble one vector file: schema, version, header, numberOfTests, notes, testGroups."""
    groups: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for t in tests:
        groups.setdefault(_group_key(t), []).append(t)
    used = sorted({f for t in tests for f in t["flags"]})
    doc: dict[str, Any] = {
        "schema": f"qsgd-ref.vectors.{kind}.v1",
        "version": VERSION,
        "generator": f"qsgd-ref oracle generate --seed {seed}",
        "header": HEADERS[kind],
        "numberOfTests": len(tests),
        "notes": {f: corpus.NOTES[f] for f in used},
        "testGroups": [],
    }
    for (n, degree), members in sorted(groups.items()):
        for t in members:
            del t["_degree"]
        doc["testGroups"].append({"n": n, "degree": degree, "tests": members})
    return doc


def generate(out: str | Path, seed: int = 0) -> list[Path]:
    """Write every vector file into ``out``; returns the paths written (ORC-1)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, corpus.Case, int]] = [("carleman_trajectory", c, 0) for c in corpus.trajectory_cases(seed)]
    jobs += [("carleman_matrix", c, 0) for c in corpus.matrix_cases(seed)]
    jobs += [("eq6_solution", c, idle) for c, idle in corpus.eq6_cases(seed)]
    jobs += [("hhl_state", c, idle * 100 + bits) for c, idle, bits in corpus.hhl_cases(seed)]
    tests: dict[str, list[dict[str, Any]]] = {k: [] for k in FILES}
    for kind, case, idle in tracked(jobs, "vectors"):
        if kind == "carleman_trajectory":
            t = trajectory_test(case)
        elif kind == "carleman_matrix":
            t = matrix_test(case)
        elif kind == "eq6_solution":
            t = eq6_test(case, idle)
        else:
            t = hhl_test(case, idle // 100, idle % 100)
        t["_degree"] = case.problem.degree
        tests[kind].append(t)
    docs = [build_file(kind, tests[kind], seed) for kind in FILES]
    tc_id = 0
    for doc in docs:  # tcIds run 1, 2, … across the corpus in file and group order
        for group in doc["testGroups"]:
            for t in group["tests"]:
                tc_id += 1
                t["tcId"] = tc_id
    paths = []
    for kind, doc in zip(FILES, docs, strict=True):
        path = out / f"{kind}.json"
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths
