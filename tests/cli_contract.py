"""The contract every fuzzed ``qsgd-ref`` run must keep (issue 13; clauses CLI-1, CLI-2, CLI-3).

:func:`run_checked` runs ``main(argv)`` in-process inside a scratch folder, under a wall-clock alarm
(a run still going after :data:`BOUND` seconds is stopped by an exception no command catches, and
the test fails naming the argument vector), and asserts: exit status in ``allowed`` (0 or 2, and 1
for ``oracle verify``'s verdict), no traceback, on status 2 one line (at most three) ending with
"error: …", nothing written into the folder and no temporary left behind.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qsgd_ref.cli.main import main

#: seconds one fuzzed run may take (the commands are given --max-time 2s budgets; imports of
#: qiskit and matplotlib inside a run and a loaded 2-core machine take the rest: a hang is minutes)
BOUND = 60.0


class Hang(BaseException):  # noqa: N818 - not an error a command could catch: it stops the run
    """Raised by the alarm in a run that exceeded :data:`BOUND`."""


@dataclass(frozen=True)
class Outcome:
    status: int
    out: str
    err: str
    seconds: float


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file (with its bytes) and folder under ``folder``."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>") for p in sorted(folder.rglob("*"))}


def _alarm(signum: int, frame: object) -> None:
    raise Hang(f"still running after {BOUND} s")


def run_checked(argv: Sequence[str], work: Path, allowed: frozenset[int] = frozenset({0, 2})) -> Outcome:
    """Run ``qsgd-ref argv`` in ``work`` and assert the contract (see the module's docstring)."""
    argv = [str(a) for a in argv]
    before = snapshot(work)
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, BOUND)
    start = time.monotonic()
    try:
        os.chdir(work)  # default outputs (./qsgd-ref-demo, ./qsgd-ref-experiment) land in the scratch folder
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
    except Hang:
        raise AssertionError(f"hung: {argv}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        os.chdir(here)
    seconds = time.monotonic() - start
    text = err.getvalue()
    lines = text.strip().splitlines()
    assert status in allowed, (argv, status, text[-2000:])
    assert "Traceback" not in text, (argv, text[-2000:])
    if status == 2:
        assert 1 <= len(lines) <= 3, (argv, text[-2000:])
        assert "error: " in lines[-1], (argv, lines)
        assert snapshot(work) == before, (argv, "wrote something although it refused")
    assert not list(work.rglob("*.tmp")), (argv, "a temporary was left")
    return Outcome(status, out.getvalue(), text, seconds)
