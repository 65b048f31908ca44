"""From models to maps (spec/clauses/12-models.md): losses → F_ℓ, Hessian spectra, the error proxy."""
