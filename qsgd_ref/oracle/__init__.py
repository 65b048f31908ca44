"""Stage 8, the oracle: reference vectors, their generator, the verifier and a Python harness (ORC clauses)."""
