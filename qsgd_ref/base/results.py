"""The common shape of every result the API returns: a frozen dataclass with ``to_json()`` and a
readable ``__str__``.

``to_json()`` gives plain JSON values only: numpy arrays and scalars become lists and numbers,
exact rationals "p/q" strings, nested results their own ``to_json()``, and a non-finite float the
string "inf", "-inf" or "nan" (never a bare NaN/Infinity token, which is not JSON).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np


def jsonable(x: Any) -> Any:
    """``x`` as plain JSON values (see the module docstring)."""
    if isinstance(x, Result):
        return x.to_json()
    if isinstance(x, bool) or x is None or isinstance(x, str | int):
        return x
    if isinstance(x, float | np.floating):
        f = float(x)
        return f if math.isfinite(f) else ("nan" if math.isnan(f) else ("inf" if f > 0 else "-inf"))
    if isinstance(x, np.integer | np.bool_):
        return x.item()
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    if isinstance(x, complex | np.complexfloating):
        return [jsonable(x.real), jsonable(x.imag)]
    if isinstance(x, np.ndarray):
        return [jsonable(v) for v in x.tolist()] if x.ndim else jsonable(x.item())
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    raise TypeError(f"{type(x).__name__} has no JSON form")


def triplets(matrix: Any) -> list[list[int | float]]:
    """A sparse matrix as [row, col, value] triplets (0-based, float values), for ``to_json``."""
    coo = matrix.tocoo()
    return [[int(r), int(c), float(v)] for r, c, v in zip(coo.row, coo.col, coo.data)]


class Result:
    """Base of the frozen result dataclasses (subclasses are ``@dataclass(frozen=True)``).

    Subclasses give :meth:`summary` (the lines of ``str(result)``) and may override :meth:`to_json`
    when their document has a fixed layout (a spec schema).
    """

    def to_json(self) -> dict[str, Any]:
        """The fields as plain JSON values."""
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def summary(self) -> list[str]:
        """The lines of the readable form (default: one ``field = value`` line per scalar field)."""
        lines = [type(self).__name__]
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, bool | int | float | str) or value is None:
                lines.append(f"  {f.name} = {value}")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.summary())
