"""Layered trees (tensor diagrams) of the iterate and of the truncation error (clauses TREE-1 … TREE-3).

A tree of depth t has its root at layer t; every node at layer s ≥ 1 is a factor "I" (a plain wire),
"F0" (no inputs) or "Fℓ" (ℓ inputs) whose children are trees of depth s − 1; depth-0 trees are
leaves "u" (u_in). The width at level s is the number of depth-s subtrees (live legs). u(t) is the
sum of all trees of depth t (TREE-1); ŷ_1(t) the sum of those whose widths never exceed N (TREE-2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from qsgd_ref.base.errors import InputError
from qsgd_ref.carleman.symbolic.blocks import factor_symbol, n
from qsgd_ref.carleman.symbolic.terms import label_degree, labels

#: the initial point u_in as a symbolic column
u_in = sp.MatrixSymbol("u", n, 1)

#: enumeration guard: refuse depths/degrees whose tree count explodes
MAX_DEPTH = 4
MAX_TREES = 200_000
MAX_TREES_F0 = 5_000_000


@dataclass(frozen=True)
class Tree:
    """A layered tree: ``label`` ∈ {"u", "I", "F0", …} and its children (left to right = tensor order)."""

    label: str
    children: tuple[Tree, ...] = ()

    @cached_property
    def leaves(self) -> int:
        return 1 if self.label == "u" else sum(c.leaves for c in self.children)

    def levels(self, depth: int) -> list[list[Tree]]:
        """levels[s] = the depth-s subtrees, left to right, for s = depth … 0 (index 0 is the root level)."""
        out = [[self]]
        for _ in range(depth):
            out.append([c for t in out[-1] for c in t.children])
        return out

    def widths(self, depth: int) -> list[int]:
        """Number of live legs at each level, from the root (1) down to the leaves."""
        return [len(level) for level in self.levels(depth)]


def _trees(q: int, depth: int, max_leaves: int, allow_f0: bool) -> Iterator[tuple[Tree, int]]:
    """All trees of the given depth with at most ``max_leaves`` leaves, with their leaf counts."""
    if depth == 0:
        if max_leaves >= 1:
            yield Tree("u"), 1
        return
    for lab in labels(q):
        if lab == "F0" and not allow_f0:
            continue
        arity = label_degree(lab)
        for kids, count in _forests(q, depth - 1, arity, max_leaves, allow_f0):
            yield Tree(lab, kids), count


def _forests(q: int, depth: int, width: int, max_leaves: int, allow_f0: bool) -> Iterator[tuple[tuple[Tree, ...], int]]:
    if width == 0:
        yield (), 0
        return
    for first, c1 in _trees(q, depth, max_leaves, allow_f0):
        for rest, c2 in _forests(q, depth, width - 1, max_leaves - c1, allow_f0):
            yield (first,) + rest, c1 + c2


def _check(q: int, depth: int, order: int | None = None) -> None:
    if not 0 <= q <= 4:
        raise InputError("degree", f"must be in 0 … 4 for tree enumeration, got {q}")
    if not 0 <= depth <= MAX_DEPTH:
        raise InputError("steps", f"must be in 0 … {MAX_DEPTH} for tree enumeration, got {depth}")
    if order is not None and order < 1:
        raise InputError("order", f"must be ≥ 1, got {order}")


def all_trees(q: int, depth: int, *, allow_f0: bool = True, max_leaves: int | None = None) -> list[Tree]:
    """Every layered tree of the given depth (TREE-1), optionally with a bound on the leaves."""
    _check(q, depth)
    if max_leaves is None and count_trees(q, depth, allow_f0) > MAX_TREES:
        raise InputError("steps", f"{count_trees(q, depth, allow_f0):,} trees of depth {depth} (limit {MAX_TREES:,})")
    bound = max(q, 1) ** depth if max_leaves is None else max_leaves
    return [t for t, _ in _trees(q, depth, bound, allow_f0)]


def count_trees_upto(q: int, depth: int, max_leaves: int, allow_f0: bool) -> int:
    """How many trees of the given depth have at most ``max_leaves`` leaves, without enumerating them:
    the generating polynomial in the leaf count, P_0 = x, P_d = Σ_labels P_{d−1}^arity, truncated."""
    poly = [0, 1][: max_leaves + 1]
    for _ in range(depth):
        new = [0] * (max_leaves + 1)
        for lab in labels(q):
            if lab == "F0" and not allow_f0:
                continue
            power = [1]
            for _ in range(label_degree(lab)):
                power = [sum(power[i] * poly[k - i] for i in range(len(power)) if 0 <= k - i < len(poly))
                         for k in range(min(len(power) + len(poly) - 1, max_leaves + 1))]
            for k, c in enumerate(power):
                new[k] += c
        poly = new
    return sum(poly)


def leading_search_size(q: int, depth: int, order: int, *, allow_f0: bool = False) -> int:
    """An upper bound on the trees :func:`leading_trees` enumerates: every tree with at most L leaves
    for L = 0 … N + 1 (the search stops at the first L with a dropped tree; without F_0 that is N + 1)."""
    return sum(count_trees_upto(q, depth, leaves, allow_f0) for leaves in range(order + 2))


def is_dropped(tree: Tree, depth: int, order: int) -> bool:
    """True iff the tree's width exceeds N at some level (TREE-2, TREE-3)."""
    return max(tree.widths(depth)) > order


def dropped_trees(q: int, depth: int, order: int, *, allow_f0: bool = True, max_leaves: int | None = None) -> list[Tree]:
    """The trees that order-N truncation drops (width > N somewhere), TREE-3."""
    _check(q, depth, order)
    return [t for t in all_trees(q, depth, allow_f0=allow_f0, max_leaves=max_leaves) if is_dropped(t, depth, order)]


def leading_trees(q: int, depth: int, order: int, *, allow_f0: bool = False) -> list[Tree]:
    """The dropped trees with the fewest leaves: they give the leading term of e_1(t) as u_in → 0 (TREE-3).

    With ``allow_f0 = False`` (F_0 = 0) widths never decrease downwards, so these have N + 1 leaves;
    with F_0 nodes a tree wider than N above the leaf level may have no leaves at all. Either way
    a dropped tree with at most N + 1 leaves exists once anything is dropped (N < q^t).
    """
    _check(q, depth, order)
    if order >= max(q, 1) ** depth:  # no level can be wider than q^t: nothing is dropped
        return []
    if allow_f0 and count_trees(q, depth, True) > MAX_TREES_F0:
        raise InputError("steps", f"{count_trees(q, depth, True):,} trees with F_0 nodes at depth {depth} (limit {MAX_TREES_F0:,})")
    count = leading_search_size(q, depth, order, allow_f0=allow_f0)
    if count > MAX_TREES:
        raise InputError("steps", f"finding the leading trees of depth {depth} for N = {order} may enumerate "
                         f"{count:,} trees (limit {MAX_TREES:,}); lower the depth, the order or the degree")
    for leaves in range(0, order + 2):
        found = [t for t in dropped_trees(q, depth, order, allow_f0=allow_f0, max_leaves=leaves) if t.leaves == leaves]
        if found:
            return found
    return []


# ---------------------------------------------------------------- values


def tree_value(tree: Tree, mats: Mapping[str, np.ndarray], u0: np.ndarray) -> np.ndarray:
    """The contraction of the tree on concrete matrices (object arrays allowed), numpy.kron order."""
    if tree.label == "u":
        return np.asarray(u0, dtype=object).reshape(-1)
    if tree.label == "I":
        return tree_value(tree.children[0], mats, u0)
    m = np.asarray(mats[tree.label], dtype=object)
    if tree.label == "F0":
        return m.reshape(-1)
    arg = np.ones(1, dtype=object)
    for c in tree.children:
        arg = np.kron(arg, tree_value(c, mats, u0))
    return np.asarray(m.reshape(m.shape[0], -1).dot(arg), dtype=object)


def tree_expr(tree: Tree, name: str = "F") -> sp.Expr:
    """The tree as a SymPy matrix expression in u and the matrix symbols F_ℓ (wires are dropped)."""
    if tree.label == "u":
        return u_in
    if tree.label == "I":
        return tree_expr(tree.children[0], name)
    F = factor_symbol(tree.label, name)
    if tree.label == "F0":
        return sp.MatrixSymbol(f"{name}_0", n, 1)
    kids = [tree_expr(c, name) for c in tree.children]
    arg = kids[0] if len(kids) == 1 else sp.KroneckerProduct(*kids)
    return sp.MatMul(F, arg)


def leading_error_expr(q: int, depth: int, order: int, *, allow_f0: bool = False, name: str = "F") -> sp.Expr:
    """The leading term of u(t) − ŷ_1(t) as u_in → 0: the sum of the leading dropped trees (TREE-3)."""
    trees = leading_trees(q, depth, order, allow_f0=allow_f0)
    if not trees:
        return sp.ZeroMatrix(n, 1)
    return sp.MatAdd(*[tree_expr(t, name) for t in trees]).doit()


def evaluate_expr(expr: sp.Expr, mats: Mapping[str, np.ndarray], u0: np.ndarray, name: str = "F") -> sp.Matrix:
    """Substitute concrete matrices (keyed "F0", "F1", …) and u0 into a tree expression."""
    n_dim = len(u0)
    rep: dict[sp.Basic, sp.Basic] = {}
    for lab, m in mats.items():
        if lab == "I":
            continue
        ell = label_degree(lab)
        shape = (n_dim, 1) if ell == 0 else (n_dim, n_dim**ell)
        rep[sp.MatrixSymbol(f"{name}_{ell}", n, 1 if ell == 0 else n**ell)] = sp.ImmutableMatrix(np.asarray(m).reshape(shape).tolist())
    rep[u_in] = sp.ImmutableMatrix([[x] for x in u0])
    return sp.Matrix(expr.xreplace(rep).doit())


# ---------------------------------------------------------------- rendering


def tree_text(tree: Tree) -> str:
    """Nested plain text, wires shown: e.g. "F2(I(u), F1(u))"."""
    if tree.label == "u":
        return "u"
    if tree.label == "F0":
        return "F0"
    return f"{tree.label}({', '.join(tree_text(c) for c in tree.children)})"


def tree_latex(tree: Tree, name: str = "F") -> str:
    r"""LaTeX formula of the contraction (wires dropped), e.g. "F_{2}\left(u \otimes F_{1} u\right)"."""
    if tree.label == "u":
        return "u"
    if tree.label == "I":
        return tree_latex(tree.children[0], name)
    head = f"{name}_{{{tree.label[1:]}}}"
    if tree.label == "F0":
        return head
    kids = [tree_latex(c, name) for c in tree.children]
    if len(kids) == 1 and kids[0] == "u":
        return f"{head} u"
    return head + r"\left(" + r" \otimes ".join(kids) + r"\right)"


def tree_diagram(tree: Tree, depth: int) -> str:
    """Layered text diagram: one line per level from the root down, children of one node in brackets."""
    lines = [f"t={depth}: {tree.label}   (width 1)"]
    for s, level in enumerate(tree.levels(depth)[:-1]):
        groups = ["[" + " ".join(c.label for c in t.children) + "]" for t in level]
        width = sum(len(t.children) for t in level)
        lines.append(f"t={depth - s - 1}: {' '.join(groups)}   (width {width})")
    return "\n".join(lines)


def tree_diagram_latex(tree: Tree, depth: int) -> str:
    r"""Layered LaTeX diagram: an array with one row per level (root first)."""
    def lab(t: Tree) -> str:
        return "u" if t.label == "u" else ("I" if t.label == "I" else f"F_{{{t.label[1:]}}}")

    rows = [lab(tree)]
    for level in tree.levels(depth)[:-1]:
        rows.append(r"\;".join("[" + r"\,".join(lab(c) for c in t.children) + "]" for t in level))
    return r"\begin{array}{c}" + r" \\ ".join(rows) + r"\end{array}"


def count_trees(q: int, depth: int, allow_f0: bool = True) -> int:
    """Number of layered trees of a depth (recurrence c(s) = Σ_labels c(s−1)^{arity}), for size guards."""
    c = 1
    for _ in range(depth):
        c = sum(c ** label_degree(lab) for lab in labels(q) if allow_f0 or lab != "F0")
    return c



def render_leading_trees(q: int, depth: int, order: int, fmt: str = "markdown", *, allow_f0: bool = False) -> str:
    """The leading dropped trees of u(t) − ŷ_1(t) (TREE-3) with their diagrams, and their sum L(t)."""
    trees = leading_trees(q, depth, order, allow_f0=allow_f0)
    expr = leading_error_expr(q, depth, order, allow_f0=allow_f0)
    forcing = "F_0 ≠ 0" if allow_f0 else "F_0 = 0"
    if fmt == "latex":
        out = [f"% leading dropped trees: q = {q}, t = {depth}, N = {order}, {forcing}", r"\begin{itemize}"]
        out += [rf"\item ${tree_latex(t)}$ \quad ${tree_diagram_latex(t, depth)}$" for t in trees]
        out += [r"\end{itemize}", rf"$u(t) - \hat y_1(t) = {sp.latex(expr)} + \dots$", ""]
        return "\n".join(out)
    if fmt != "markdown":
        raise InputError("--format", f"tree reports are markdown or latex, got {fmt!r}")
    out = [f"# Leading dropped trees: q = {q}, t = {depth}, N = {order}, {forcing}", ""]
    if not trees:
        return "\n".join(out + ["No tree is dropped: no level is wider than N, and u(t) = ŷ_1(t) exactly.", ""])
    leaves = trees[0].leaves
    out.append(f"{len(trees)} trees with {leaves} leaves (the fewest among the dropped trees).")
    out.append("")
    for t in trees:
        out += [f"- `{tree_text(t)}` = ${tree_latex(t)}$", "", "  ```", *("  " + line for line in tree_diagram(t, depth).splitlines()), "  ```", ""]
    out += [f"Leading term: `u(t) − ŷ_1(t) = {expr} + O(|u|^{leaves + 1})`", ""]
    return "\n".join(out)
