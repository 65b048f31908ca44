"""``qsgd-ref train``: the Fig. 2-like sparse-training experiment (clause MOD-7)."""

from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import fields

HELP = "run the Fig. 2-like experiment (digits, quadratic-activation network) and write figures + summary"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qsgd_ref.models.experiment import Config

    parser.add_argument("--out", default="qsgd-ref-experiment",
                        help="output directory (default: ./qsgd-ref-experiment)")
    for f in fields(Config):
        flag = f"--{f.name.replace('_', '-')}"
        if isinstance(f.default, bool):
            parser.add_argument(flag, action="store_true", help="restrict each segment's dynamics to the uploaded support")
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default, help=f"(default: {f.default})")


def run(args: argparse.Namespace) -> int:
    from qsgd_ref.models.experiment import Config
    from qsgd_ref.models.experiment import run as run_experiment
    from qsgd_ref.models.figures import write_outputs

    cfg = Config(**{f.name: getattr(args, f.name) for f in fields(Config)})
    result = run_experiment(cfg)
    command = "qsgd-ref " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else ""
    summary = write_outputs(result, args.out, command)
    for name, s in summary["schemes"].items():
        if "at_t" not in s:
            print(f"{name}: proxy {s['proxy']}; final accuracy {s['accuracy_end']:.3f}")
            continue
        print(f"{name}: proxy min {s['proxy_first_segment_min']:.3g} at t = {s['at_t']}, max {s['proxy_max']:.3g}; "
              f"accuracy {s['accuracy_start']:.3f} -> {s['accuracy_end']:.3f}")
    print(f"wrote {args.out}/summary.json and fig2a/b/c PNGs in {summary['seconds']:.0f} s")
    return 0
