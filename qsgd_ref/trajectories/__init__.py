"""Stage 4, trajectories: exact and truncated iterations at high precision or in balls (REF clauses)."""

from qsgd_ref.trajectories.certified import CertifiedTrajectories, certified_trajectories
from qsgd_ref.trajectories.iteration import carleman_trajectory, error_trajectory, exact_trajectory

__all__ = ["CertifiedTrajectories", "carleman_trajectory", "certified_trajectories", "error_trajectory",
           "exact_trajectory"]
