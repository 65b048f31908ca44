"""Shared test set-up: Hypothesis profiles, the mpmath precision guard, the clause marker."""

from __future__ import annotations

import os

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
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
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
