"""Numeric certification of spec clauses: one module per clause with a numeric side.

Each module defines ``CLAUSES`` (the IDs it certifies) and ``sweep(quick: bool) -> Report``;
``python -m proofs_numeric [--quick]`` runs them all and writes docs/proofs_numeric.md.
"""
