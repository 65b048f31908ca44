"""Stage 2, the Carleman lift: the blocks B_jk and the truncated lifted map (LIFT, ETA and TREE clauses).

:mod:`~qsgd_ref.carleman.exact` is the slow, literal builder every other one is tested against;
:mod:`~qsgd_ref.carleman.numeric` (float64 CSR), :mod:`~qsgd_ref.carleman.operator` (matrix-free),
:mod:`~qsgd_ref.carleman.integer` (exact integers for the high-precision engines),
:mod:`~qsgd_ref.carleman.monomial` (the compressed basis) and :mod:`~qsgd_ref.carleman.symbolic`
are the fast or symbolic paths; :mod:`~qsgd_ref.carleman.lifted` wraps one step as a result.
"""
