"""Memory budget and size guards (refuse what would not fit, saying how large it would be)."""

from __future__ import annotations

import os
import re
from decimal import Decimal

from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.base.indexing import lifted_dimension

#: Default budget for one dense or sparse object: 8 GiB, overridable by QSGD_REF_MEMORY_BUDGET.
DEFAULT_BUDGET = 8 * 2**30
#: The environment variable of the budget: bytes, or a number with a unit of :data:`UNITS`.
BUDGET_ENV = "QSGD_REF_MEMORY_BUDGET"
#: Units of a size: binary (KiB … TiB) and decimal (KB … TB); B is a byte.
UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
         "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_SIZE = re.compile(r"^\s*(\d{1,15}(?:\.\d{1,15})?)\s*([A-Za-z]*)\s*$")


def parse_size(text: str, field: str) -> int:
    """A size in bytes from "8589934592", "8GiB", "8 GiB", "1.5 TB" (units of :data:`UNITS`, in any
    letter case); anything else, or a size below one byte, is an InputError naming ``field``.

    >>> parse_size("8GiB", "QSGD_REF_MEMORY_BUDGET"), parse_size("500 mb", "QSGD_REF_MEMORY_BUDGET")
    (8589934592, 500000000)
    """
    m = _SIZE.match(text)
    units = {k.lower(): v for k, v in UNITS.items()}
    if m and m.group(2).lower() in units | {"": 1}:
        size = int(Decimal(m.group(1)) * (units | {"": 1})[m.group(2).lower()])
        if size >= 1:
            return size
    shown = text if len(text) <= 40 else text[:39] + "…"
    raise InputError(field, f"must be a size in bytes, or a number with a unit ({', '.join(UNITS)}), "
                            f"such as 8GiB; got {shown!r}")


def memory_budget() -> int:
    """The memory budget in bytes (env QSGD_REF_MEMORY_BUDGET, e.g. "8GiB", else 8 GiB)."""
    raw = os.environ.get(BUDGET_ENV)
    return parse_size(raw, BUDGET_ENV) if raw else DEFAULT_BUDGET


def human_bytes(nbytes: float) -> str:
    """Format a byte count with a binary unit."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.1f} {unit}" if unit != "B" else f"{int(nbytes)} B"
        nbytes /= 1024
    raise AssertionError("unreachable")


def check_bytes(field: str, what: str, nbytes: int) -> None:
    """Raise SizeLimitError naming ``field`` if ``nbytes`` exceeds the budget."""
    budget = memory_budget()
    if nbytes > budget:
        raise SizeLimitError(
            field,
            f"{what} would need {human_bytes(nbytes)}, over the memory budget of "
            f"{human_bytes(budget)} (set QSGD_REF_MEMORY_BUDGET to change it)",
        )


def check_lifted(field: str, n: int, order: int, copies: int = 1, bytes_per_entry: int = 8) -> int:
    """Check that ``copies`` lifted vectors of dimension Σ n^j fit; return the dimension."""
    dim = lifted_dimension(n, order)
    check_bytes(
        field,
        f"a lifted dimension of {dim:,} (n = {n}, N = {order})"
        + (f" times {copies:,} copies" if copies > 1 else ""),
        dim * copies * bytes_per_entry,
    )
    return dim
