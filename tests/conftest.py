"""Shared test set-up: Hypothesis profiles, the mpmath precision guard, the clause marker, the ``cli`` fixture.

Tests that take more than about 2 s are marked ``@pytest.mark.slow``; the default run (and CI) runs
them, ``python -m pytest -m "not slow"`` gives a quick run without them. Float comparisons go through
tests/assertions.py (tolerances in units of eps or of a stated tolerance, failures reported per entry).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The thorough stage (.ci/thorough, issue 18): derandomized like ci, so a failure reproduces and the
# stage's wall time is stable. `--hypothesis-profile=thorough-random` is the same search with fresh random
# draws on every run (what to run when hunting for new counterexamples).
settings.register_profile(
    "thorough",
    derandomize=True,
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough-random", settings.get_profile("thorough"), derandomize=False)
settings.register_profile("dev", max_examples=10, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _mpmath_precision_unchanged():
    """Fail a test that leaves mpmath's global precision changed (use workdps/workprec)."""
    before = (mpmath.mp.prec, mpmath.mp.dps)
    yield
    after = (mpmath.mp.prec, mpmath.mp.dps)
    mpmath.mp.prec = before[0]
    assert after == before, f"test changed mpmath precision from {before} to {after}"


def pytest_collection_modifyitems(config, items):
    """Every clause named by a marker must exist in the spec registry."""
    from qsgd_ref.base.spec import clauses

    known = clauses()
    for item in items:
        for mark in item.iter_markers("clause"):
            for cid in mark.args:
                if cid not in known:
                    raise pytest.UsageError(f"{item.nodeid} names unknown spec clause {cid!r}")


@dataclass(frozen=True)
class CliRun:
    """One in-process ``qsgd-ref`` run: its exit status and what it wrote."""

    status: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.strip().splitlines()


@pytest.fixture
def cli(capsys) -> Callable[..., CliRun]:
    """``cli("validate", path)`` runs ``qsgd_ref.cli.main.main([...])`` in-process and returns a CliRun.

    The exit status is main's return value, or the code of a SystemExit (argparse's usage errors,
    --help, --version), as ``sys.exit(main())`` in ``python -m qsgd_ref`` would exit. Any other
    exception propagates: in a real process it would be a traceback. tests/test_cli_entry.py runs the
    real entry point in a subprocess.
    """
    from qsgd_ref.cli.main import main

    def run(*argv: str) -> CliRun:
        capsys.readouterr()  # what the test printed before belongs to no run
        try:
            status = main([str(a) for a in argv])
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliRun(status, captured.out, captured.err)

    return run
