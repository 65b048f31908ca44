"""Sweeps (clause FMT-5): grids of problems and parameters, run as pure tasks — one after the other,
on a local Dask cluster or on a Dask scheduler anywhere — into one Parquet or CSV table.

``spec`` reads and expands sweep files; ``task`` is the pure function of one case; ``table`` the
columns, the journal and the table file; ``run`` the executor and the resumable run; ``figures`` the
summary figure of each quantity. ``qsgd-ref sweep`` (``qsgd_ref.cli.commands.sweep``) is the command.
"""
