"""Stage 5, theory: the regime numbers and classification (REG clauses), truncation-error bounds
(BND clauses), and the condition-number and runtime models (COND clauses, RUN-1)."""
