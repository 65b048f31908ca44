"""Stage 7, models: losses → maps, Hessian spectra, the error proxy and the experiment (MOD clauses)."""
