"""The lift in SymPy (LIFT-1, LIFT-3, ETA clauses, TREE clauses): terms, block expressions and correction tables."""
