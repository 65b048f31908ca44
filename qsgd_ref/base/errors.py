"""Error types. Every bad input raises a ValueError subclass that names the field."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: ``field`` names the offending field (a JSON path or an argument name)."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class SizeLimitError(InputError):
    """A requested size would not fit in the memory budget; the message states the size."""
