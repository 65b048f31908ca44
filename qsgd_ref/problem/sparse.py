"""Exact sparse matrices: the storage of every F_ℓ (clauses MAP-1, FMT-1).

An :class:`ExactMatrix` holds the non-zero entries of an m × c rational matrix as integer numerators
over one common denominator, with their (row, column) positions sorted row-major. Its size follows
the number of non-zeros, never m · c, so an n = 1000 map with F_2 of shape 1000 × 10⁶ and five
non-zeros per row takes a few hundred kilobytes. Float64 views are correctly rounded; an entry beyond
the float64 range (legitimate exact input, such as 1e400) makes them refuse with an InputError naming
the matrix (``source``, the field it was read from) and the entry, never an OverflowError.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.sparse as sp

from qsgd_ref.base import limits
from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.base.inputs import MAX_COMMON_DIGITS
from qsgd_ref.base.precision import fits_float64, format_decimal

#: Columns are int64 positions: n^ℓ must stay below this.
MAX_COLUMNS = 2**62
#: numerators and denominators below this convert to float64 by one correctly rounded division
_EXACT_FLOAT = 2**53
#: a common denominator of more bits than this has more than MAX_COMMON_DIGITS digits
_COMMON_BITS = math.ceil(MAX_COMMON_DIGITS * math.log2(10))
def float64_or_refuse(x: Fraction, field: str, label: str = "") -> float:
    """x rounded to float64, or an InputError naming ``field`` (``label`` says which value) when |x| is
    beyond the float64 range."""
    if not fits_float64(x):
        raise InputError(field, f"{label}{format_decimal(x, 4)} is beyond the float64 range (about ±1.8e308): "
                                "it is held exactly, but this computation runs in float64")
    return float(x)


class ExactMatrix:
    """An exact rational matrix stored by its non-zeros: numerators[k] / denominator at
    (rows[k], cols[k]), sorted row-major, no zeros, no repeated position, lowest terms overall."""

    __slots__ = ("shape", "rows", "cols", "numerators", "denominator", "source", "_float")

    def __init__(self, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray, numerators: list[int],
                 denominator: int, source: str = "") -> None:
        self.shape = (int(shape[0]), int(shape[1]))
        self.rows = rows
        self.cols = cols
        self.numerators = numerators
        self.denominator = denominator
        #: the field the matrix was read from (F[2], F_steps[3][0]), named by refusals; "" if built in code
        self.source = source
        self._float: sp.csr_matrix | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_entries(cls, shape: tuple[int, int], entries: Iterable[tuple[int, int, Fraction]],
                     source: str = "") -> ExactMatrix:
        """From (row, col, value) triplets with distinct positions (zeros are dropped). A common
        denominator of more than MAX_COMMON_DIGITS digits, or numerators over it that would not fit in
        the memory budget, are refused naming ``source``."""
        items = sorted((int(r), int(c), Fraction(v)) for r, c, v in entries if v != 0)
        den = _common_denominator((v.denominator for _, _, v in items), source or "F")
        top = max((v.numerator.bit_length() + den.bit_length() - v.denominator.bit_length() + 1 for _, _, v in items),
                  default=0)
        limits.check_bytes(source or "F", f"{len(items):,} exact entries over a common denominator of "
                           f"{den.bit_length():,} bits", len(items) * (top + 7) // 8)
        nums = [v.numerator * (den // v.denominator) for _, _, v in items]
        rows = np.fromiter((r for r, _, _ in items), dtype=np.int64, count=len(items))
        cols = np.fromiter((c for _, c, _ in items), dtype=np.int64, count=len(items))
        return cls(shape, rows, cols, nums, den, source)

    @classmethod
    def from_dense(cls, a: Any) -> ExactMatrix:
        """From a dense array-like of exact values (Fractions, ints, or floats taken exactly); a
        1-D array becomes a column (F_0 is n × 1)."""
        arr = np.asarray(a, dtype=object)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        if arr.ndim != 2:
            raise ValueError(f"expected a matrix, got {arr.ndim} dimensions")
        rows, cols = np.nonzero(arr != 0)
        return cls.from_entries(arr.shape, ((int(r), int(c), Fraction(arr[r, c])) for r, c in zip(rows, cols)))

    @classmethod
    def zeros(cls, shape: tuple[int, int]) -> ExactMatrix:
        return cls(shape, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [], 1)

    @classmethod
    def identity(cls, n: int) -> ExactMatrix:
        idx = np.arange(n, dtype=np.int64)
        return cls((n, n), idx, idx.copy(), [1] * n, 1)

    def plus_identity(self) -> ExactMatrix:
        """I + self for a square matrix (H_1 = I + F_1 of LIFT-1), exactly, in O(nnz + n)."""
        n, c = self.shape
        if n != c:
            raise ValueError(f"I + F needs a square matrix, got {n} × {c}")
        den = self.denominator
        on_diag = self.rows == self.cols
        nums = np.array(self.numerators, dtype=object)
        nums[on_diag] = nums[on_diag] + den
        missing = np.setdiff1d(np.arange(n, dtype=np.int64), self.rows[on_diag], assume_unique=True)
        rows = np.concatenate([self.rows, missing])
        cols = np.concatenate([self.cols, missing])
        nums = np.concatenate([nums, np.full(len(missing), den, dtype=object)])
        keep = nums != 0
        order = np.lexsort((cols[keep], rows[keep]))
        rows, cols, kept = rows[keep][order], cols[keep][order], nums[keep][order].tolist()
        g = math.gcd(den, *kept)  # dropping a cancelled 1 + F_ii may leave a common factor
        return ExactMatrix(self.shape, rows, cols, [x // g for x in kept], den // g)

    # ------------------------------------------------------------------ reading

    @property
    def nnz(self) -> int:
        return len(self.numerators)

    def is_zero(self) -> bool:
        return not self.numerators

    def entries(self) -> Iterator[tuple[int, int, Fraction]]:
        """(row, col, value) of every non-zero, row-major."""
        den = self.denominator
        for r, c, num in zip(self.rows.tolist(), self.cols.tolist(), self.numerators):
            yield r, c, Fraction(num, den)

    def values(self) -> list[Fraction]:
        return [Fraction(num, self.denominator) for num in self.numerators]

    def __getitem__(self, index: tuple[int, int] | int) -> Fraction:
        """The entry at (row, col), zero where none is stored; an n × 1 column (F_0) also takes a row."""
        if isinstance(index, int | np.integer):
            if self.shape[1] != 1:
                raise IndexError(f"a {self.shape[0]} × {self.shape[1]} matrix needs a (row, col) index")
            index = (int(index), 0)
        r, c = index
        lo = int(np.searchsorted(self.rows, r, side="left"))
        hi = int(np.searchsorted(self.rows, r, side="right"))
        k = lo + int(np.searchsorted(self.cols[lo:hi], c))
        if k < hi and int(self.cols[k]) == c:
            return Fraction(self.numerators[k], self.denominator)
        return Fraction(0)

    def dense(self, field: str = "F") -> np.ndarray:
        """The full matrix as an object array of Fractions (refused beyond the memory budget)."""
        m, c = self.shape
        limits.check_bytes(field, f"a dense exact {m:,} × {c:,} matrix", m * c * 64)
        out = np.full(self.shape, Fraction(0), dtype=object)
        for r, col, v in self.entries():
            out[r, col] = v
        return out

    def to_csr(self) -> sp.csr_matrix:
        """Float64 CSR, every entry correctly rounded (cached: the matrix is immutable)."""
        if self._float is None:
            data = np.array(self.float_values(), dtype=np.float64)
            idx_t = np.int32 if max(self.shape) < 2**31 else np.int64
            self._float = sp.csr_matrix((data, (self.rows.astype(idx_t), self.cols.astype(idx_t))), shape=self.shape)
        return self._float

    def float_values(self) -> list[float]:
        """The non-zero values in float64, each correctly rounded, in entry order (an entry beyond the
        float64 range is refused, naming the matrix and the entry)."""
        den = self.denominator
        if den < _EXACT_FLOAT and all(-_EXACT_FLOAT < x < _EXACT_FLOAT for x in self.numerators):
            return [x / den for x in self.numerators]  # one IEEE division of exact operands: correctly rounded
        out = []
        for r, c, x in zip(self.rows.tolist(), self.cols.tolist(), self.numerators):
            out.append(float64_or_refuse(Fraction(x, den), self.source or "F", f"entry ({r}, {c}) = "))
        return out

    def scaled_integers(self) -> tuple[list[int], int]:
        """(numerators, denominator): the entries are numerators[k] / denominator exactly."""
        return self.numerators, self.denominator

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExactMatrix):
            return NotImplemented
        return (self.shape == other.shape and self.denominator == other.denominator
                and self.numerators == other.numerators and np.array_equal(self.rows, other.rows)
                and np.array_equal(self.cols, other.cols))

    def __hash__(self) -> int:
        return hash((self.shape, self.denominator, tuple(self.numerators), self.rows.tobytes(), self.cols.tobytes()))

    def __repr__(self) -> str:
        return f"ExactMatrix(shape={self.shape}, nnz={self.nnz}, denominator={self.denominator})"


def _common_denominator(denominators: Iterable[int], field: str) -> int:
    """The least common multiple, refused (naming ``field``) once it passes MAX_COMMON_DIGITS digits."""
    den = 1
    for d in denominators:
        if den % d:
            den = math.lcm(den, d)
            if den.bit_length() > _COMMON_BITS:
                raise SizeLimitError(
                    field, f"the entries' denominators have a common multiple of more than {MAX_COMMON_DIGITS:,} "
                    "digits, beyond what an exact matrix holds (write the entries with fewer distinct denominators)")
    return den
