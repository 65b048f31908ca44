"""The high-precision reference solver (clauses REF-1, REF-2, FMT-2)."""

from qsgd_ref.reference.certified import CertifiedTrajectories, certified_trajectories
from qsgd_ref.reference.iteration import carleman_trajectory, error_trajectory, exact_trajectory
from qsgd_ref.reference.result import SCHEMA, reference_result

__all__ = [
    "SCHEMA",
    "CertifiedTrajectories",
    "carleman_trajectory",
    "certified_trajectories",
    "error_trajectory",
    "exact_trajectory",
    "reference_result",
]
