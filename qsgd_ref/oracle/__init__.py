"""The ground-truth oracle: reference vectors, their generator, the verifier and a Python harness (clauses ORC-*)."""
