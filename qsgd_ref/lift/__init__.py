"""Stage 2, the lift: the Carleman blocks B_jk and the truncated lifted map (LIFT clauses, ETA clauses, TREE clauses).

:mod:`~qsgd_ref.lift.exact` is the slow, literal builder every other one is tested against;
:mod:`~qsgd_ref.lift.numeric` (float64 CSR), :mod:`~qsgd_ref.lift.operator` (matrix-free),
:mod:`~qsgd_ref.lift.integer` (exact integers for the high-precision engines),
:mod:`~qsgd_ref.lift.monomial` (the compressed basis) and :mod:`~qsgd_ref.lift.symbolic` are the
fast or symbolic paths.
"""
