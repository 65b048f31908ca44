"""``qsgd-ref train``: the Fig. 2-like sparse-training experiment (clause MOD-7)."""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
import warnings
from dataclasses import fields
from typing import Any

from qsgd_ref.cli import work
from qsgd_ref.cli.flags import as_flags
from qsgd_ref.cli.options import FRACTION, SEED, IntIn, non_negative, positive
from qsgd_ref.cli.output import output_folder

HELP = "run the Fig. 2-like experiment (digits, quadratic-activation network) and write figures + summary"

DESCRIPTION = """\
The Fig. 2-like experiment (clause MOD-7): a two-layer network with quadratic activation
(--hidden units, 64 inputs: 64·h trained weights) on scikit-learn's bundled digits. Dense SGD
pre-training, pruning to the largest --keep fraction, then three schemes from the same pruned
point: "single" (no re-upload), "reupload" (download every --period steps, keep the largest
fraction, upload at once) and "reupload+m" (--classical SGD steps after each download, then
upload). Writes fig2a_hessian.png, fig2b_proxy.png, fig2c_accuracy.png and summary.json into
--out, all at the end.

Divergence is reported, not hidden: a scheme whose weights, loss or Hessian leave the float range
stops there; its line says DIVERGED at step s and summary.json lists it under "diverged" (exit
status 0, the result is data). Pre-training that diverges is refused (exit status 2, --eta): no
comparison can start from it. The time and memory are estimated first and refused beyond
--max-time or --max-memory (the default run takes about two minutes)."""

#: samples of the digits data set: the largest minibatch
SAMPLES = 1797
_STEPS = IntIn(1, 10**7)

#: Config field -> (argparse type, help)
OPTIONS: dict[str, tuple[Any, str]] = {
    "hidden": (IntIn(1, 10**9), "hidden units h (64·h trained weights)"),
    "eta": (positive(1e6), "step size η of SGD, in (0, 1e6]"),
    "batch": (IntIn(1, SAMPLES), f"minibatch size, 1 … {SAMPLES}"),
    "pretrain": (IntIn(0, 10**7), "dense SGD steps before pruning"),
    "steps": (_STEPS, "steps of each scheme after pruning"),
    "period": (_STEPS, "re-upload period K (steps per segment)"),
    "classical": (IntIn(0, 10**7), "classical SGD steps after each download (scheme reupload+m)"),
    "keep": (FRACTION, "fraction of the weights kept at each download, in (0, 1]"),
    "cutoff": (non_negative(math.inf), "error-proxy cutoff: modes with |a| < cutoff are dropped (MOD-3)"),
    "hessian_every": (_STEPS, "record the Hessian spectrum every this many steps"),
    "hessian_batch": (IntIn(1, SAMPLES), f"samples of the fixed Hessian evaluation batch, 1 … {SAMPLES}"),
    "slq_vectors": (IntIn(1, 1000), "random start vectors of stochastic Lanczos quadrature (MOD-4)"),
    "slq_steps": (IntIn(1, 1000), "Lanczos steps per start vector"),
    "seed": (SEED, "seed of the weights, minibatches and SLQ vectors"),
    "threads": (IntIn(1, os.cpu_count() or 1), "BLAS threads, at most the CPUs here (these small products run "
                                               "fastest on one)"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qsgd_ref.models.experiment import Config

    parser.add_argument("--out", default="qsgd-ref-experiment", metavar="DIR",
                        help="output folder (default: ./qsgd-ref-experiment)")
    for f in fields(Config):
        flag = f"--{f.name.replace('_', '-')}"
        if isinstance(f.default, bool):
            parser.add_argument(flag, action="store_true", help="restrict each segment's dynamics to the uploaded support")
        else:
            kind, text = OPTIONS[f.name]
            parser.add_argument(flag, type=kind, default=f.default, metavar=f.name.upper(),
                                help=f"{text} (default {f.default})")
    work.add_budget_options(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from qsgd_ref.models.experiment import Config
    from qsgd_ref.models.experiment import run as run_experiment
    from qsgd_ref.models.figures import write_outputs

    cfg = Config(**{f.name: getattr(args, f.name) for f in fields(Config)})
    flags = {f.name: f"--{f.name.replace('_', '-')}" for f in fields(Config)}
    with as_flags(flags):
        cfg.check()
    work.check(work.train_work(cfg), args)
    command = "qsgd-ref " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else ""
    with output_folder(args.out, "--out") as out:
        with as_flags(flags), np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = run_experiment(cfg)
            summary = write_outputs(result, out.staging, command)
    for name, s in summary["schemes"].items():
        diverged = s.get("diverged_at_step")
        tail = f"; DIVERGED at step {diverged} (the float range was left; η = {cfg.eta:g})" if diverged is not None else ""
        if "at_t" not in s:
            print(f"{name}: proxy {s['proxy']}; final accuracy {s['accuracy_end']:.3f}{tail}")
            continue
        print(f"{name}: proxy min {s['proxy_first_segment_min']:.3g} at t = {s['at_t']}, max {s['proxy_max']:.3g}; "
              f"accuracy {s['accuracy_start']:.3f} -> {s['accuracy_end']:.3f}{tail}")
    if summary["diverged"]:
        print(f"diverged: {', '.join(f'{k} at step {v}' for k, v in summary['diverged'].items())} "
              "(summary.json \"diverged\"); the accuracies after that step are not computed")
    print(f"wrote {args.out}/summary.json and fig2a/b/c PNGs in {summary['seconds']:.0f} s")
    return 0
