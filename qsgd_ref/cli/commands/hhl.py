"""``qsgd-ref hhl PROBLEM.json [--clock-qubits K] [--shots S] [--resources] [--out FILE]`` (HHL-1 … HHL-4)."""

from __future__ import annotations

import argparse
import sys

from qsgd_ref.base.errors import SizeLimitError
from qsgd_ref.base.limits import memory_budget
from qsgd_ref.cli import work
from qsgd_ref.cli.flags import as_flags
from qsgd_ref.cli.options import SEED, IntIn
from qsgd_ref.cli.output import dumps, emit, output_file
from qsgd_ref.problem import load_problem
from qsgd_ref.quantum.clock import MAX_CLOCK, MIN_CLOCK
from qsgd_ref.quantum.dilation import MAX_SYSTEM_QUBITS

HELP = "solve the Eq. 6 system of a problem with HHL (simulated) and download u(T)"

DESCRIPTION = f"""\
Solve the Eq. 6 system of a problem with HHL and download u(T) (clauses HHL-1 … HHL-4, UPL-1,
DNL-1). The circuit is simulated as built, without transpiling: each controlled power of
U = exp(iAt) is applied blockwise to the state. Writes JSON: fidelity, success probability, the
analytic resource counts of the construction (qubits, controlled powers, rotations, the CX a stated
synthesis needs), the clock and rotation constant chosen by the classical twin (the largest success
probability at the target fidelity, HHL-3), the downloaded u(T) with its standard errors and the
error budget against the exact u(T). A value that is not a number is written as "nan"/"inf".

The system is dilated to a Hermitian matrix and padded to 2^k: at most {MAX_SYSTEM_QUBITS} system qubits are
simulated. Before it starts, the command states on stderr the qubit count, the state-vector size and
the estimated peak memory and time (HHL-4), and refuses work over --max-time or --max-memory.
--resources also transpiles the circuit to {{cx, u}} for the counted resources (slow: it synthesises
the dense controlled powers; the estimate says how slow)."""

#: shots per circuit
MAX_SHOTS = 10**8


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json", help="the problem file (see `qsgd-ref validate --help`)")
    parser.add_argument("--clock-qubits", type=IntIn(MIN_CLOCK, MAX_CLOCK), default=None, metavar="K",
                        help=f"clock size, {MIN_CLOCK} … {MAX_CLOCK} (default: chosen by the classical twin for the "
                             "largest success probability at the target fidelity)")
    parser.add_argument("--shots", type=IntIn(1, MAX_SHOTS), default=None, metavar="S",
                        help="sample the download with S shots per circuit (default: the exact statevector)")
    parser.add_argument("--seed", type=SEED, default=0, help="sampling seed for --shots (default 0)")
    parser.add_argument("--resources", action="store_true",
                        help="also count the resources by transpiling to {cx, u} (slow: synthesises the dense "
                             "controlled powers; the estimate says how slow)")
    parser.add_argument("--out", default=None, metavar="FILE", help="write the JSON report here (default: stdout)")
    work.add_budget_options(parser)


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.quantum.pipeline import estimate, hhl

    with output_file(args.out, "--out") as out:
        problem = load_problem(args.problem)
        with as_flags({"clock_qubits": "--clock-qubits", "L": "PROBLEM.json", "b": "PROBLEM.json",
                       "problem": "PROBLEM.json"}):
            est = estimate(problem, clock_bits=args.clock_qubits, count_resources=args.resources, shots=args.shots)
        sys.stderr.write(f"qsgd-ref hhl: {est.line()}\n")
        if reason := est.over_time(args.max_time):
            raise SizeLimitError("--max-time", f"{reason} (raise it to run anyway)")
        if reason := est.over_memory(args.max_memory or memory_budget()):
            raise SizeLimitError("--max-memory", f"{reason} (raise it to run anyway)")
        result = hhl(problem, clock_bits=args.clock_qubits, shots=args.shots, seed=args.seed,
                     count_resources=args.resources, planned=est)
        emit(out, dumps(result.to_json()))
    return 0
