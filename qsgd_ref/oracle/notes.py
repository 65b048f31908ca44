"""The words of the vector files (clause ORC-1): every flag's note, every hint, every bound series' rule.

The generator writes these into the files, so that a file explains itself to an implementer in any
language: a flag's note has a ``bugType`` (the class of mistake it guards against, from
:data:`BUG_TYPES`), a ``description`` (what the test exercises) and an ``effect`` (what goes wrong in
an implementation that gets it wrong). The verifier's hints are read from the files' ``hints`` object,
keyed by the cause a judge recognises.
"""

from __future__ import annotations

from typing import Any

#: bugType -> what it means (ORC-1)
BUG_TYPES: dict[str, str] = {
    "BASIC": "the common case every implementation must get right",
    "EDGE_CASE": "the boundary of a definition (no steps, one level, one dimension, a zero coefficient)",
    "KNOWN_MISTAKE": "built so that one specific, plausible mistake changes the answer",
    "PRECISION": "numbers far from 1, or exactly representable, or exactly at a threshold",
    "SCALE": "a problem of the size implementations are written for (sparse storage, long horizons)",
    "CONVENTION": "a choice the spec fixes that other conventions would make differently",
}


def _note(bug_type: str, description: str, effect: str) -> dict[str, str]:
    assert bug_type in BUG_TYPES, bug_type
    return {"bugType": bug_type, "description": description, "effect": effect}


#: flag -> its note (each vector file carries the notes of the flags it uses)
NOTES: dict[str, dict[str, str]] = {
    "FullyDissipative": _note(
        "BASIC", "Classified fully dissipative by qsgd_ref.theory.regimes.classify: γ = 1 − h_1 > 0 and R_d(s) < 1 "
        "at the radius s ≥ ‖u(0)‖ of REG-6 (REG-2), or so in the eigenbasis or Lyapunov coordinates (REG-7).", "A wrong norm or R_d formula reports another regime and other applicable bounds."),
    "AlmostDissipative": _note(
        "BASIC", "Classified almost dissipative (REG-3): not fully dissipative, no divergent mode of I + F_1, and "
        "the order-1 majorant with the supremum norms stays within the envelope e·(r + h_0 t) on [0, T].", "Reporting 'not dissipative' (or using per-step norms "
        "for the REG-3 majorant) flips the regime."),
    "NotDissipative": _note(
        "BASIC", "Classified not dissipative (REG-1 … REG-3): neither fully nor almost dissipative; bounds may "
        "still apply but grow.", "The regime string differs."),
    "F0On": _note("BASIC", "F_0 ≠ 0: the lifted system has the constant c (c_j = F_0^{⊗j}) and blocks B_jk with "
                  "k < j.", "Dropping c or the k < j blocks changes M_N, c and every trajectory."),
    "F0Off": _note("BASIC", "F_0 = 0: c = 0 and only the blocks with k ≥ j are non-zero.",
                   "A spurious constant term shows as non-zero c entries."),
    "Degree1": _note("EDGE_CASE", "Affine map (q = 1): the Carleman iteration is exact at every order.",
                     "A truncation error where none can exist points to wrong blocks."),
    "Degree2": _note("BASIC", "Quadratic map (q = 2).", "Wrong blocks B_jk for ℓ = 2."),
    "Degree3": _note("BASIC", "Cubic map (q = 3).", "Compositions with ℓ = 3 missing from B_jk."),
    "TimeDependent": _note(
        "CONVENTION", "One map per step (stochastic gradient descent, MAP-3): step t → t+1 uses map number t. "
        "BND-1 uses each step's norms h_ℓ(t); REG-1 numbers, the closed forms BND-2 … BND-4, REG-3's majorant "
        "and COND-* use the supremum over the steps.", "Using one map for all steps, the wrong map index, or "
        "sup norms in BND-1 gives other trajectories or a looser majorant."),
    "ZeroSteps": _note("EDGE_CASE", "T = 0: the only row is t = 0 (the initial point and its lift).",
                       "An implementation that always takes a step reports two rows."),
    "OrderOne": _note("EDGE_CASE", "N = 1: the truncation keeps only level 1 (the linearisation).",
                      "Keeping level 2 or dropping F_0 from c_1 changes the answer."),
    "HighOrder": _note("BASIC", "N ≥ 4.", "Errors in the compositions of long tuples show only here."),
    "F2Zero": _note("EDGE_CASE", "F_2 = 0 while F_1 and F_3 are non-zero.",
                    "Code that infers the degree from F_2, or skips ℓ after a zero ℓ, drops F_3."),
    "Scalar": _note("EDGE_CASE", "n = 1.", "Off-by-one level offsets or shapes that assume n ≥ 2."),
    "ExactlyRepresentable": _note("PRECISION", "Every input is a dyadic rational that float64 holds exactly.",
                                  "Input parsing that rounds (decimal strings through float32) shows."),
    "LargeScale": _note("PRECISION", "u ~ 1e20 (F_ℓ scaled by s^(1−ℓ) so the dynamics are those of a unit "
                        "problem): level j is ~1e20^j.", "Tolerances relative to the whole field would hide "
                        "level 1; an implementation that loses it is caught because each block and level is judged "
                        "against its own scale (ORC-3)."),
    "TinyScale": _note("PRECISION", "u ~ 1e-20 (same scaling).", "Absolute tolerances, or underflow in higher "
                       "levels, show."),
    "IndexOrderTrap": _note(
        "KNOWN_MISTAKE", "Non-symmetric F_ℓ (ℓ ≥ 2): numpy.kron (row-major) and column-major order give different "
        "M_N entries and, through the Eq. 6 system, different HHL states. Trajectories do not depend on the order "
        "(F_ℓ only meets symmetric tensors).", "Column-major (Julia kron) order: wrong M_N, M_N(t), monomial "
        "matrices and HHL states."),
    "DiscreteTerms": _note("KNOWN_MISTAKE", "T ≥ 2 and N ≥ 2 with visible η² terms: the continuous Carleman matrix "
                           "I + A_N gives a different answer.", "Building I + A_N (LIFT-3) instead of M_N (LIFT-1)."),
    "TruncationVisible": _note("KNOWN_MISTAKE", "The order-N truncation error is far above the tolerance.",
                               "Keeping blocks with k > N (the untruncated iteration) is caught."),
    "IdleSteps": _note("EDGE_CASE", "The Eq. 6 system has idle steps p > 0 (copies of ŷ(T), SYS-1).",
                       "Ignoring p gives T + 1 instead of T + 1 + p blocks (and another HHL register)."),
    "MarginalNorm": _note(
        "PRECISION", "‖I + F_1‖₂ = 1 exactly (a marginal mode, REG-4): h_1's certified interval is [1, 1 + ε].",
        "A norm computed in floating point and rounded down (h_1 = 0.9999999999999998) makes γ > 0 and the "
        "fully dissipative closed forms seem to apply; h_ℓ must be upper bounds."),
    "ContinuousScheme": _note(
        "CONVENTION", "Carries 'scheme_difference' = ŷ_1(t) of the discrete scheme minus ŷ_1(t) of the continuous "
        "scheme (REF-3: ŷ(t+1) = ŷ(t) + A_N ŷ(t) + a with G_ℓ = F_ℓ), computed exactly in rationals.",
        "An implementation of the continuous scheme that differs from LIFT-3 (or a discrete one that is really "
        "continuous) shows a wrong difference."),
    "Burgers": _note(
        "SCALE", "The forced viscous Burgers equation of MOD-10 (n = 16, Liu et al. PNAS 2021), its first steps "
        "at the published dt = 3/3999, stored as a qsgd-ref.problem.v2 document (sparse triplets, F_1 and F_2 "
        "shared, one F_0 per step): 300 steps with N = 2 (D = 272) and 40 with N = 3 (D = 4,368, whose 90-digit "
        "reference costs about 0.05 s per step). Every 10th row is stored; the majorant BND-1 passes 10^7000 "
        "(and far beyond) within the horizon: values are compared as decimals, at any exponent.",
        "Dense storage of F_2 (16 × 256) per step, per-step F_0 mishandled, accumulated rounding over hundreds "
        "of steps, or a bound series that overflows instead of growing."),
    "LargeSparse": _note("SCALE", "n ≥ 32 with sparse F_1 and F_2, stored as a qsgd-ref.problem.v2 document.",
                         "Parsers that only read version 1 (dense) problems, or dense n^N blocks, fail."),
    "RowsSampled": _note(
        "SCALE", "Long horizon: 'expected.times' lists the rows stored (to keep the file small); results still "
        "give all T + 1 rows and bound values, and the stored ones are compared.",
        "Results with fewer rows fail the row count."),
    "MonomialBasis": _note(
        "CONVENTION", "Carries 'monomial': M^c = P_j B_jk S_k and c^c of LIFT-4 in the symmetric-monomial basis "
        "(monomials u_{i_1} ⋯ u_{i_j}, i_1 ≤ … ≤ i_j, in lexicographic order, levels concatenated; D = C(n+N, N) − 1).",
        "Assigning instead of adding the coefficients of equal monomials, or another monomial order."),
    "PerStepMatrices": _note(
        "CONVENTION", "Carries 'matrix_steps': M_N(t) and c(t) of the map of step t (MAP-3), for the steps listed.",
        "Using the first map for every step, or step t+1's map for step t."),
    "Undilated": _note(
        "CONVENTION", "T = 0 and p = 0: L = I is Hermitian, so (HHL-1) it is used undilated, only padded to 2^k "
        "(test.system.dilated is false).", "Dilating anyway gives the state (0, b) on twice the register."),
    "Conditioning": _note(
        "BASIC", "Carries κ(L) (SYS-3) and, for p = 0, the COND-1/COND-2 bounds on it.",
        "A wrong L (idle blocks, signs), or bounds below κ(L)."),
    "LossMap": _note("BASIC", "F_ℓ = −(η/ℓ!) reshape(∇^{ℓ+1} L(θ*)) of a polynomial loss (MAP-2).",
                     "A missing 1/ℓ!, a wrong sign, or derivative indices in another order."),
    "TaylorTruncated": _note("EDGE_CASE", "The loss has degree > q + 1: the map keeps ℓ ≤ q only (a Taylor truncation).",
                             "Keeping the higher terms, or truncating the loss instead of the map."),
    "ContinuousTable": _note("CONVENTION", "The continuous Carleman blocks (A_N)_jk (LIFT-3), not those of M_N.",
                             "Mixing the two: η² terms in a continuous table."),
    "DroppedBlocks": _note("CONVENTION", "The table includes the dropped blocks k > N (`--dropped`).",
                           "Wrong 'dropped' flags or missing k up to q·j."),
}

#: cause -> the hint the verifier prints when it recognises it (ORC-4)
HINTS: dict[str, str] = {
    "continuous": "it matches the continuous Carleman matrix I + A_N (LIFT-3): the discrete-only η², η³ … terms "
    "of the blocks B_jk are missing (ETA-3); build B_jk from H_1 = I + F_1 (LIFT-1)",
    "column-major": "it matches column-major (Julia-style) index order: F_ℓ columns and tensor positions must "
    "follow numpy.kron row-major order (MAP-1)",
    "keep-dropped": "it is closer to the untruncated iteration (or holds entries at levels k > N): blocks B_jk "
    "with k > N must be dropped (LIFT-2)",
    "one-step-too-many": "row t matches expected row t+1: one step too many (off-by-one in the number of steps)",
    "one-step-too-few": "row t+1 matches expected row t: one step too few (off-by-one in the number of steps)",
    "row-count": "off-by-one in the number of steps? t runs 0 … T, so there are T + 1 rows (T + 1 + p for eq6)",
    "idle-ignored": "the p idle steps are missing: the Eq. 6 system has T + 1 + p blocks, the last p copies of "
    "ŷ(T) (SYS-1), and its HHL register is sized for all of them (HHL-1)",
    "one-based": "the indices are 1-based: lowered by one they match; matrix indices are 0-based positions in "
    "the lifted basis (ORC-2)",
    "dropped-c": "c is missing: c_j = B_j0 = F_0^{⊗j} is the constant term of the lifted map (LIFT-2); it is "
    "non-zero whenever F_0 is",
    "float32": "every value is a float32 number: results rounded to single precision?",
    "single-precision": "the error is of the size of single-precision rounding (2^-24 ≈ 6e-8 of the scale)",
    "norm-rounded-down": "a norm below its certified value: h_ℓ must be upper bounds of ‖H_ℓ‖₂ (round up; REG-1). "
    "Rounded down at a marginal problem, h_1 < 1 makes γ > 0 and changes which bounds apply",
    "not-an-upper-bound": "a bound below the quantity it bounds is wrong, whatever the formula (check the norms: "
    "upper bounds, per step for BND-1)",
    "per-step-norms": "for per-step maps BND-1 runs the majorant with each step's norms h_ℓ(t); the supremum over "
    "the steps (used by REG-1, REG-3, BND-2 … BND-4 and COND-*) gives a looser majorant",
    "wrong-D": "D = Σ_{j=1..N} n^j (C(n+j−1, j) in the monomial basis)",
    "dilated": "L is Hermitian here (T = 0 and p = 0: L = I), so HHL-1 uses it undilated, padded only; the "
    "dilated system gives (0, b) on twice the register",
}

#: bound series -> its description and rule (written to the trajectory and Eq. 6 files)
BOUND_SERIES: dict[str, dict[str, Any]] = {
    "BND-1": {
        "name": "majorant", "rule": "upper", "bounds": "‖u(t) − ŷ_1(t)‖₂, t = 0 … T",
        "norms": "each step's h_ℓ(t) (per step for MAP-3)",
        "notes": "The tree majorant d_1(t) of BND-1; no dissipation assumed, so it applies to every test."},
    "BND-2": {
        "name": "closed_form_q2", "rule": "upper", "bounds": "‖u(t) − ŷ_1(t)‖₂, t = 0 … T",
        "norms": "the supremum over the steps",
        "notes": "r R^N (1 − a^t)^N with a = h_1 < 1, R = r h_2/(1 − a) ≤ 1, F_0 = 0, q ≤ 2."},
    "BND-3": {
        "name": "closed_form_any_q", "rule": "upper", "bounds": "‖u(t) − ŷ_1(t)‖₂, t = 0 … T",
        "norms": "the supremum over the steps",
        "notes": "r ρ^N (1 − a^t). The reference ρ is the rational from 60 bisection steps on (0, 1] for the "
                 "smallest ρ with Σ_{ℓ≥2} h_ℓ (r/ρ)^{ℓ−1} ≤ 1 − a, so ρ_min ≤ ρ ≤ ρ_min + 2^-60; a smaller valid "
                 "ρ gives a tighter bound, which passes."},
    "BND-4": {
        "name": "closed_form_almost", "rule": "upper", "bounds": "‖u(t) − ŷ_1(t)‖₂, t = 0 … T",
        "norms": "the supremum over the steps",
        "notes": "For t ≥ 2 the formula of BND-4 ('inf' where κ_t > 1: no bound from this form); at t = 0 the value "
                 "is 0 (ŷ(0) is exact) and at t = 1 the majorant's d_1(1) = h_2 r² for N = 1, 0 for N ≥ 2."},
    "COND-1": {
        "name": "kappa_bound", "rule": "upper", "bounds": "κ(L) of the Eq. 6 system with p = 0",
        "norms": "the supremum over the steps (m_jk = b_jk of BND-1)",
        "notes": "(1 + ‖m‖₂) Σ_{k=0..T} ‖m^k‖₂, evaluated at 60 digits and rounded up."},
    "COND-2": {
        "name": "kappa_uniform_bound", "rule": "upper", "bounds": "κ(L) of the Eq. 6 system with p = 0, every T",
        "norms": "the supremum over the steps",
        "notes": "(1 + ‖m‖₂) Σ_{k≥0} ‖m^k‖₂ when ρ(m) < 1 (the tail after the last term summed is bounded above "
                 "with ‖m^P‖₂ < 1/2); not applicable when ρ(m) ≥ 1."},
}

#: the upper-bound rule, stated in the files
UPPER_RULE = ("upper: with ref the reference value and tol = abs + rel·|ref|, a provided value v passes iff "
              "v ≤ ref + tol and (v ≥ the bounded quantity or |v − ref| ≤ tol); 'inf' (any case) only where ref "
              "is 'inf'. A different but valid, tighter bound passes.")
