"""Stage 3, the Eq. 6 system: L Y = b over T steps with idle steps, its solution and κ (SYS clauses)."""
