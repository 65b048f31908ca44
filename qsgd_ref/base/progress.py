"""Progress bars for long runs: shown on a terminal (stderr is a TTY), silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(total: int, what: str) -> Any:
    """A tqdm bar of ``total`` units labelled ``what`` (a no-op bar when stderr is not a TTY)."""
    return tqdm(total=total, desc=what, disable=not sys.stderr.isatty(), leave=False)


def tracked(items: Iterable[T], what: str, total: int | None = None) -> Iterator[T]:
    """Iterate ``items`` with a progress bar labelled ``what`` (silent when stderr is not a TTY)."""
    yield from tqdm(items, desc=what, total=total, disable=not sys.stderr.isatty(), leave=False)
