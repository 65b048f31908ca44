"""SymPy encoding of the discrete Carleman theory (clauses LIFT-1, LIFT-3, ETA-*, TREE-*) and its tables."""
