"""``qsgd-ref hhl PROBLEM.json [--clock-qubits K] [--shots S] [--resources] [--out FILE]`` (issue 5, HHL-4).

Before running it states the work on one line of stderr (qubits, state-vector memory, estimated peak
memory and time, CX by the stated synthesis) and refuses, in one line, a run over the budget
(--max-seconds, --max-memory)."""

from __future__ import annotations

import argparse
import json
import sys

from qsgd_ref.base.errors import InputError, SizeLimitError
from qsgd_ref.base.limits import memory_budget, parse_size
from qsgd_ref.problem import load_problem

HELP = "solve the Eq. 6 system of a problem with HHL (simulated) and download u(T)"
#: Default time budget of one run (seconds).
MAX_SECONDS = 600.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json")
    parser.add_argument("--clock-qubits", type=int, default=None, metavar="K",
                        help="clock size (default: chosen by the classical twin for the largest success probability)")
    parser.add_argument("--shots", type=int, default=None, metavar="S",
                        help="sample the download with S shots per circuit (default: exact statevector)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed for --shots (default 0)")
    parser.add_argument("--resources", action="store_true",
                        help="also count the resources by transpiling to {cx, u} (slow: synthesises the dense "
                             "controlled powers; the estimate says how slow)")
    parser.add_argument("--max-seconds", type=float, default=MAX_SECONDS, metavar="S",
                        help=f"refuse a run estimated to take longer (default {MAX_SECONDS:g})")
    parser.add_argument("--max-memory", default=None, metavar="SIZE",
                        help="refuse a run estimated to need more memory, e.g. 4GiB (default: the memory budget)")
    parser.add_argument("--out", default=None, metavar="FILE", help="write the JSON report here")


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.quantum.pipeline import estimate, hhl

    if args.shots is not None and args.shots < 1:
        raise InputError("--shots", f"must be a positive integer, got {args.shots}")
    if not args.max_seconds > 0:
        raise InputError("--max-seconds", f"must be positive, got {args.max_seconds}")
    max_bytes = memory_budget() if args.max_memory is None else parse_size(args.max_memory, "--max-memory")
    problem = load_problem(args.problem)
    est = estimate(problem, clock_bits=args.clock_qubits, count_resources=args.resources, shots=args.shots)
    if reason := est.over_time(args.max_seconds):
        raise SizeLimitError("--max-seconds", f"{reason} (raise it to run anyway)")
    if reason := est.over_memory(max_bytes):
        raise SizeLimitError("--max-memory", f"{reason} (raise it to run anyway)")
    sys.stderr.write(f"qsgd-ref hhl: {est.line()}\n")
    result = hhl(problem, clock_bits=args.clock_qubits, shots=args.shots, seed=args.seed,
                 count_resources=args.resources, planned=est)
    text = json.dumps(result.to_json(), indent=1)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0
