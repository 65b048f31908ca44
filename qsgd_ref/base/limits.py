"""Memory budget and size guards (refuse what would not fit, saying how large it would be)."""

from __future__ import annotations

import os

from qsgd_ref.base.errors import SizeLimitError
from qsgd_ref.base.indexing import lifted_dimension

#: Default budget for one dense or sparse object: 8 GiB, overridable by QSGD_REF_MEMORY_BUDGET (bytes).
DEFAULT_BUDGET = 8 * 2**30


def memory_budget() -> int:
    """The memory budget in bytes (env QSGD_REF_MEMORY_BUDGET, else 8 GiB)."""
    raw = os.environ.get("QSGD_REF_MEMORY_BUDGET")
    return int(raw) if raw else DEFAULT_BUDGET


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
