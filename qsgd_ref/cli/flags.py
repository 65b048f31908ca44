"""Library errors name fields; on the command line the same error names the option that set it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from qsgd_ref.base.errors import InputError


@contextmanager
def as_flags(mapping: Mapping[str, str]) -> Iterator[None]:
    """Re-raise an InputError whose field is a key of ``mapping`` (a library argument) under the
    command-line option it came from (the value), e.g. {"degree": "--degree"}."""
    try:
        yield
    except InputError as exc:
        if exc.field in mapping:
            raise InputError(mapping[exc.field], exc.reason) from None
        raise
