"""Truncation-error bounds (clauses BND-*) and the condition-number and runtime models (COND-*, RUN-1)."""
