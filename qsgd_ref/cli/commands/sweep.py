"""``qsgd-ref sweep SWEEP.yaml|json [--scheduler ADDRESS] [--workers K] [--out DIR]``: run a grid of
cases as Dask tasks into one table (clause FMT-5).

Each case (a problem of the sweep's source with one combination of its parameters) is a pure task
whose row is appended to the journal in DIR as soon as it finishes; DIR ends with the table
(``results.parquet`` or ``results.csv``, in case order) and one figure per quantity. A rerun skips
the cases DIR already holds, so an interrupted or partly failed sweep resumes where it stopped.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from qsgd_ref.base.errors import InputError
from qsgd_ref.cli.options import IntIn
from qsgd_ref.cli.output import OutputFile

HELP = "run a grid of problems and parameters as Dask tasks into one Parquet or CSV table, resumably"


DESCRIPTION = __doc__.split("\n\n", 1)[1].strip() if __doc__ else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sweep", metavar="SWEEP", help="the sweep file (.yaml, .yml or .json)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a running Dask scheduler (tcp://host:8786); default: a local cluster")
    parser.add_argument("--workers", type=IntIn(0, 4096), metavar="K",
                        help="worker processes of the local cluster (default: one per usable core); "
                             "0: no cluster, the cases run one after the other in this process")
    parser.add_argument("--out", metavar="DIR",
                        help="the results folder (default: the sweep file's path without its suffix)")


def _folder(sweep_path: Path, out: str | None) -> Path:
    folder = Path(out) if out else sweep_path.with_suffix("")
    if folder.exists() and not folder.is_dir():
        raise InputError("--out", f"{str(folder)!r} is a file, not a folder")
    if not folder.parent.is_dir():
        raise InputError("--out", f"the folder {str(folder.parent)!r} does not exist")
    return folder


def _missing(args: argparse.Namespace) -> list[str]:
    """The packages of the ``sweep`` extra this run needs and cannot import."""
    needed = {"jsonschema": "jsonschema", "threadpoolctl": "threadpoolctl"}
    if Path(args.sweep).suffix.lower() in (".yaml", ".yml"):
        needed["yaml"] = "PyYAML"
    if args.scheduler is not None or args.workers != 0:
        needed["distributed"] = "dask[distributed]"
    needed["pyarrow"] = "pyarrow"  # a csv table does not need it, but the sweep file is not read yet
    return [dist for module, dist in needed.items() if importlib.util.find_spec(module) is None]


def run(args: argparse.Namespace) -> int:
    missing = _missing(args)
    if missing:
        sys.stderr.write(f"qsgd-ref sweep: error: needs {', '.join(missing)}; install the sweep extra: "
                         "python -m pip install 'qsgd-ref[sweep]'\n")
        return 1
    from qsgd_ref.report.sweep.run import Executor, run_sweep
    from qsgd_ref.report.sweep.spec import load_sweep
    from qsgd_ref.report.sweep.table import TABLE_FILES

    sweep = load_sweep(args.sweep)
    folder = _folder(Path(args.sweep), args.out)
    executor = Executor(args.scheduler, args.workers)  # refuses --scheduler with --workers
    created = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError("--out", f"cannot create {str(folder)!r}: {exc.strerror}") from None
    try:
        OutputFile(folder / TABLE_FILES[sweep.table], "--out").discard()  # the table can be written there
        with executor:
            outcome = run_sweep(sweep, folder, executor)
    except KeyboardInterrupt:
        sys.stderr.write(f"qsgd-ref sweep: interrupted; the finished cases are kept in {folder} (rerun the same "
                         "command to resume)\n")
        return 130
    except InputError:  # e.g. the scheduler cannot be reached: refused before any row was written
        if created and not any(folder.iterdir()):
            folder.rmdir()
        raise
    where = f"on {outcome.where}" if outcome.computed else "(nothing left to run)"
    print(f"sweep {sweep.name}: {outcome.total} cases, {outcome.skipped} finished before, {outcome.computed} run now "
          f"{where} in {outcome.seconds:.1f} s; {outcome.failed} failed (rows with status 'error')")
    print(f"wrote {outcome.table}" + (f" and {', '.join(p.name for p in outcome.figures)}" if outcome.figures else ""))
    if outcome.lost:
        sys.stderr.write(f"qsgd-ref sweep: {outcome.lost} cases did not finish (their workers were lost); rerun the "
                         "same command to run them\n")
        return 1
    return 0
