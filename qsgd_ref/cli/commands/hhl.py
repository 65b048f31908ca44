"""``qsgd-ref hhl PROBLEM.json [--clock-qubits K] [--shots S] [--out FILE]`` (issue 5, HHL-4)."""

from __future__ import annotations

import argparse
import json
import sys

from qsgd_ref.base.errors import InputError
from qsgd_ref.problem import load_problem

HELP = "solve the Eq. 6 system of a problem with HHL (qiskit-aer) and download u(T)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", metavar="PROBLEM.json")
    parser.add_argument("--clock-qubits", type=int, default=None, metavar="K",
                        help="clock size (default: chosen from κ and certified by the classical twin)")
    parser.add_argument("--shots", type=int, default=None, metavar="S",
                        help="sample the download with S shots per circuit (default: exact statevector)")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed for --shots (default 0)")
    parser.add_argument("--out", default=None, metavar="FILE", help="write the JSON report here")


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.quantum.pipeline import hhl

    if args.shots is not None and args.shots < 1:
        raise InputError("--shots", f"must be a positive integer, got {args.shots}")
    problem = load_problem(args.problem)
    result = hhl(problem, clock_bits=args.clock_qubits, shots=args.shots, seed=args.seed)
    text = json.dumps(result.to_json(), indent=1)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0
