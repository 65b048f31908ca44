"""Wall time of the full test suite under the ci Hypothesis profile (docs/performance.md).

    python -m benchmarks.bench_suite [--timeout 1800]

Runs ``python -m pytest --hypothesis-profile=ci -q -p no:randomly`` from the repository root in a
subprocess and reports its wall time and pytest's summary line (passed / failed / skipped counts).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "pytest", "--hypothesis-profile=ci", "-q", "-p", "no:randomly"]


def measure(timeout: float = 1800.0, extra: list[str] | None = None) -> dict[str, Any]:
    """Run the suite once; wall time (s), exit code, pytest's counts and summary line."""
    cmd = COMMAND + (extra or [])
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        code, out = proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as exc:
        code, out = None, exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    elapsed = time.perf_counter() - t0
    lines = [ln for ln in out.splitlines() if re.search(r"\d+ (passed|failed|error)", ln)]
    summary = lines[-1].strip("= ") if lines else "no summary (timed out)" if code is None else "no summary"
    counts = {word: int(num) for num, word in re.findall(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)",
                                                         summary)}
    return {"command": " ".join(["python"] + cmd[1:]), "wall_s": elapsed, "exit_code": code,
            "summary": summary, "counts": counts}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--timeout", type=float, default=1800.0)
    args = ap.parse_args(argv)
    r = measure(args.timeout)
    print(f"{r['command']}: {r['wall_s']:.0f} s wall, exit code {r['exit_code']}, {r['summary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
