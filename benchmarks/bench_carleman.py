"""Benchmark of the Carleman assembly and the matrix-free apply (issue 3; docs/performance.md).

    python -m benchmarks.bench_carleman [--sizes 300 500 1000] [--order3-sizes 40 60] [--repeat 3]

Random problems with 5 non-zeros per row in F_1 and F_2 (F_0 = 0), order N = 2 (and N = 3 for
smaller n). Compares, in one
run: our direct assembly, a naive scipy.sparse.kron + bmat assembly of the same M_N, and the time
to merely write the non-zeros (np.empty + fill of the three CSR arrays); then the matrix-free
operator against the CSR matvec of the same M_N.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import time
from collections.abc import Callable

import numpy as np
import scipy
import scipy.sparse as sp

from qsgd_ref.carleman.numeric import lifted_map
from qsgd_ref.carleman.operator import LiftedMapOperator


def random_problem(n: int, nnz_per_row: int = 5, seed: int = 0) -> dict[int, sp.csr_matrix]:
    """F_1 (n × n) and F_2 (n × n²), each row with ``nnz_per_row`` random entries."""
    rng = np.random.default_rng(seed)
    out = {}
    for ell in (1, 2):
        cols = n**ell
        idx = np.stack([rng.choice(cols, nnz_per_row, replace=False) for _ in range(n)])
        vals = rng.normal(scale=0.1, size=(n, nnz_per_row))
        indptr = np.arange(0, n * nnz_per_row + 1, nnz_per_row)
        out[ell] = sp.csr_matrix((vals.ravel(), idx.ravel(), indptr), shape=(n, cols))
    return out


def naive_transfer(fmap: dict[int, sp.csr_matrix], n: int, order: int) -> sp.csr_matrix:
    """M_N (F_0 = 0) from generic scipy.sparse.kron chains over the compositions, then bmat."""
    h = {1: sp.identity(n, format="csr") + fmap[1], 2: fmap[2]}
    blocks: list[list[sp.csr_matrix | None]] = [[None] * order for _ in range(order)]
    for j in range(1, order + 1):
        for comp in itertools.product((1, 2), repeat=j):
            k = sum(comp)
            if k <= order:
                term = h[comp[0]]
                for ell in comp[1:]:
                    term = sp.kron(term, h[ell], format="csr")
                prev = blocks[j - 1][k - 1]
                blocks[j - 1][k - 1] = term if prev is None else prev + term
    return sp.bmat(blocks, format="csr")


def write_floor(nnz: int, rows: int) -> None:
    """The bare cost of producing the three CSR arrays of a matrix of this size."""
    data = np.empty(nnz)
    data.fill(1.0)
    indices = np.empty(nnz, dtype=np.int32)
    indices.fill(1)
    indptr = np.empty(rows + 1, dtype=np.int32)
    indptr.fill(1)


def paired(fa: Callable[[], object], fb: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best-of-``repeat`` times of fa and fb, measured alternately so that load affects both alike."""
    ta, tb = [], []
    for _ in range(repeat):
        for fn, acc in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t0)
    return min(ta), min(tb)


TABLE_HEADER = ("| n | N | nnz(M_N) | ours (s) | naive kron+bmat (s) | speed-up | write floor (s) | ours / floor "
                "| ours Mnnz/s | naive Mnnz/s | CSR matvec (ms) | matrix-free (ms) | matvec / matrix-free |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def measure_row(n: int, order: int, repeat: int) -> dict[str, float]:
    """Times (s) for size n and order N: both assemblies, the write floor, both applies."""
    fmap = random_problem(n)
    m, _ = lifted_map(fmap, n, order)
    diff = abs(m - naive_transfer(fmap, n, order)).max()
    assert diff < 1e-12, f"assemblies differ by {diff}"
    t_ours, t_naive = paired(lambda: lifted_map(fmap, n, order),
                             lambda: naive_transfer(fmap, n, order), repeat)
    t_floor, _ = paired(lambda: write_floor(m.nnz, m.shape[0]), lambda: None, repeat)
    op = LiftedMapOperator(fmap, n, order)
    x = np.random.default_rng(1).normal(size=m.shape[0])
    err = np.abs(op.matvec(x) - m @ x).max() / np.abs(m @ x).max()
    assert err < 1e-13, f"matrix-free differs by {err}"
    t_csr, t_mf = paired(lambda: m @ x, lambda: op.matvec(x), 10 * repeat)
    return {"n": n, "order": order, "nnz": m.nnz, "ours_s": t_ours, "naive_s": t_naive, "floor_s": t_floor,
            "csr_matvec_s": t_csr, "matrix_free_s": t_mf}


def format_row(r: dict[str, float]) -> str:
    """One Markdown table row of :func:`measure_row`'s figures, with the ratios."""
    return (f"| {r['n']} | {r['order']} | {r['nnz']:,} | {r['ours_s']:.3f} | {r['naive_s']:.3f} "
            f"| {r['naive_s'] / r['ours_s']:.1f}× | {r['floor_s']:.3f} | {r['ours_s'] / r['floor_s']:.1f} "
            f"| {r['nnz'] / r['ours_s'] / 1e6:.0f} | {r['nnz'] / r['naive_s'] / 1e6:.1f} "
            f"| {1e3 * r['csr_matvec_s']:.2f} | {1e3 * r['matrix_free_s']:.2f} "
            f"| {r['csr_matvec_s'] / r['matrix_free_s']:.1f}× |")


def measure(n: int, order: int, repeat: int) -> str:
    """One table row for size n and order N."""
    return format_row(measure_row(n, order, repeat))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 500, 1000])
    ap.add_argument("--order3-sizes", type=int, nargs="*", default=[40, 60],
                    help="extra sizes measured at N = 3")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
          f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}; "
          f"best of {args.repeat} (assembly) / {10 * args.repeat} (apply), measured alternately")
    print(TABLE_HEADER)
    for n, order in [(n, 2) for n in args.sizes] + [(n, 3) for n in args.order3_sizes]:
        print(measure(n, order, args.repeat), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
