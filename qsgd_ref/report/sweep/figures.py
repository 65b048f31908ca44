"""One summary figure per quantity of a sweep (PNG), drawn from its table (clause FMT-5).

Each figure plots the quantity's headline columns against one column of the table (``figures.x``
of the sweep file; by default the varied parameter or model option with the most values), one line
per combination of the ``figures.by`` columns (by default the other varied ones, at most three). A
varied column that is neither on the x axis nor among the groups is held at its first value (the title
says which), so no line mixes cases that differ in it. Failed cases are left out; a text column on the
x axis is drawn at equal spacing with its values as labels.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import Any

from qsgd_ref.report.sweep.spec import BOUND_NAMES, Sweep
from qsgd_ref.report.sweep.table import replace_file

#: at most this many lines per panel (one per group); the title says when more were left out
MAX_GROUPS = 10
#: what each quantity's figure shows: panels of (title, [(column, style, label)], log y allowed)
PANELS: dict[str, list[tuple[str, list[tuple[str, str, str]]]]] = {
    "error": [("‖u(T) − ŷ_1(T)‖₂", [("error_T", "-", "")])],
    "regime": [("R_d (at the radius s; REG-1, REG-6)", [("R_d", "-", "")]),
               ("γ = 1 − ‖I + F_1‖₂", [("gamma", "-", "")])],
    "kappa": [("κ(L) (solid) and its COND-1 / COST-2 bound (dashed)",
               [("kappa", "-", "κ(L)"), ("kappa_bound", "--", "bound")])],
    "success": [("success probability g² (solid) and its COST-1 lower bound (dashed)",
                 [("success_probability", "-", "g²"), ("success_lower_bound", "--", "lower bound")])],
    "cost": [("COST-3: quantum, amplified download (solid); classical gradient descent (dashed)",
              [("quantum_total_amplified", "-", "quantum"), ("classical_gradient_descent", "--", "classical")])],
    "bounds": [(f"{name}: error / bound at T", [(f"tightness_{name}", "-", "")]) for name in BOUND_NAMES],
}


def default_axes(sweep: Sweep, rows: list[dict[str, Any]]) -> tuple[str, list[str], dict[str, Any]]:
    """The x column, the grouping columns and the held columns (column -> the value kept) of the figures."""
    varied = sweep.varied
    if sweep.figure_x is not None:
        x = sweep.figure_x
    else:
        order: list[str] = [p for p in ("steps", "order", "eta_scale", "dps", "idle") if p in varied]
        order += [c for c in varied if c not in order]
        x = max(order, key=lambda c: len({r[c] for r in rows}), default="case")
    by = list(sweep.figure_by) if sweep.figure_by else [c for c in varied if c != x][:3]
    # a result column on the x axis (R_d, say) varies with the inputs: nothing is held then
    held = {c: rows[0][c] for c in varied if c != x and c not in by} if x in varied else {}
    return x, by, held


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(Fraction(str(value)))
    except (ValueError, ZeroDivisionError):
        return None


def summary_figures(sweep: Sweep, rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """Write ``<quantity>.png`` in ``out`` for each quantity of ``sweep`` that has a finished case;
    returns the files written."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, NullFormatter

    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        return []
    x, by, held = default_axes(sweep, ok)
    ok = [r for r in ok if all(r[c] == v for c, v in held.items())]
    xs_raw = [r[x] for r in ok]
    numeric = all(_number(v) is not None for v in xs_raw)
    ticks = sorted({str(v) for v in xs_raw}) if not numeric else []

    def xval(v: Any) -> float:
        num = _number(v)
        return num if numeric and num is not None else float(ticks.index(str(v)))

    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in ok:
        groups.setdefault(tuple(r[b] for b in by), []).append(r)
    keys = list(groups)[:MAX_GROUPS]
    integer_x = numeric and all(float(xval(v)).is_integer() for v in xs_raw)
    positive_x = numeric and all(xval(v) > 0 for v in xs_raw)
    spread = positive_x and max(xval(v) for v in xs_raw) >= 20 * min(xval(v) for v in xs_raw)
    written = []
    for quantity in sweep.quantities:
        panels = [(title, series) for title, series in PANELS[quantity]
                  if any(r[col] is not None for r in ok for col, _, _ in series)]
        if not panels:
            continue
        cols = min(len(panels), 4)
        nrows = (len(panels) + cols - 1) // cols
        fig = Figure(figsize=(4.6 * cols if cols > 1 else 7, 3.6 * nrows + 0.6))
        axes = fig.subplots(nrows, cols, squeeze=False).ravel()
        for ax, (title, series) in zip(axes, panels):
            curves: list[tuple[list[tuple[float, float]], str, str, str | None]] = []
            for gi, key in enumerate(keys):
                pts = sorted(((xval(r[x]), r) for r in groups[key]), key=lambda p: p[0])
                for col, style, label in series:
                    xy = [(px, float(r[col])) for px, r in pts if r[col] is not None and abs(float(r[col])) < float("inf")]
                    if xy:
                        legend = ", ".join(f"{b}={k}" for b, k in zip(by, key)) or (label or quantity)
                        curves.append((xy, style, f"C{gi % 10}", legend if style == "-" else None))
            positive = [v for xy, _, _, _ in curves for _, v in xy if v > 0]
            # a log axis when the values span more than a decade; values ≤ 0 cannot be drawn on it
            log = bool(positive) and max(positive) > 10 * min(positive) and min(v for xy, _, _, _ in curves
                                                                              for _, v in xy) >= 0
            hidden = sum(v <= 0 for xy, _, _, _ in curves for _, v in xy) if log else 0
            for xy, style, color, name in curves:
                xy = [(px, v) for px, v in xy if v > 0 or not log]
                ax.plot([p for p, _ in xy], [v for _, v in xy], style, marker="o", ms=3, color=color, label=name)
            if log:
                ax.set_yscale("log")
            if hidden:
                title = f"{title}\n({hidden} values of 0 not drawn on the log axis)"
            if spread:
                ax.set_xscale("log")
                ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels of a short log axis overlap
            if ticks:
                ax.set_xticks(range(len(ticks)), ticks, rotation=30, ha="right", fontsize=7)
            elif integer_x and not spread:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(title, fontsize=9)
            ax.set_xlabel(x)
            if by and len(keys) > 1 and ax is axes[0]:
                ax.legend(fontsize=6)
        for ax in axes[len(panels):]:
            ax.set_visible(False)
        dropped = f" (first {MAX_GROUPS} of {len(groups)} groups)" if len(groups) > MAX_GROUPS else ""
        kept = "; " + ", ".join(f"{c}={v}" for c, v in held.items()) if held else ""
        fig.suptitle(f"{sweep.name}: {quantity}{dropped}, {len(ok)} cases{kept}", fontsize=10)
        fig.tight_layout()
        path = out / f"{quantity}.png"
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
        replace_file(path, buf.getvalue())
        written.append(path)
    return written

