"""Stage 10, the command line: a thin layer over the API (``qsgd-ref COMMAND``)."""

from qsgd_ref.cli.main import main

__all__ = ["main"]
