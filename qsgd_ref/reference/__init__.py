"""Stage 4, the reference: exact and truncated trajectories at high precision or in balls (REF clauses)."""

from qsgd_ref.reference.certified import CertifiedTrajectories, certified_trajectories
from qsgd_ref.reference.iteration import carleman_trajectory, error_trajectory, exact_trajectory

__all__ = ["CertifiedTrajectories", "carleman_trajectory", "certified_trajectories", "error_trajectory",
           "exact_trajectory"]
