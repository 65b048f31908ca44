"""Write the problem files of docs/sweeps/tightness.yaml: one fully dissipative 2-d quadratic map (F_1
non-normal) started from u(0) = a·(1/2, −1/3) for eleven values of a, so that R_d runs from 0.05 to 1.08.

    python docs/sweeps/make_tightness_problems.py      # rewrites docs/sweeps/tightness-problems/
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from qsgd_ref.problem import SCHEMA_V2, make_problem

F = {1: [["-1/5", "1/20"], ["0", "-3/10"]], 2: [["1/20", "0", "1/40", "1/30"], ["0", "1/25", "0", "-1/30"]]}
SCALES = ["1/4", "1/2", "1", "3/2", "2", "5/2", "3", "7/2", "4", "9/2", "5"]


def main() -> None:
    out = Path(__file__).resolve().parent / "tightness-problems"
    out.mkdir(exist_ok=True)
    for text in SCALES:
        a = Fraction(text)
        p = make_problem(F=F, u0=[str(a / 2), str(-a / 3)], steps=40, order=1, name=f"u(0) = {text}·(1/2, -1/3)")
        name = f"a-{float(a):04.2f}.json"
        (out / name).write_text(json.dumps(p.to_json(SCHEMA_V2)) + "\n")


if __name__ == "__main__":
    main()
