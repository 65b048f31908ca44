"""Command-line entry point: argument parsing only; each command lives in qsgd_ref.cli.commands.*.

Conventions (clauses CLI-1 … CLI-3): bad input exits with status 2 and one line on stderr naming
the option or field (no traceback); outputs are checked before any work and written whole or not
at all; work over the time or memory budget is refused before it starts; Ctrl-C exits with status
130 and one line, leaving nothing half-written; a broken installation (the spec data missing) exits
with status 1 and one line.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.specdata import SpecNotFoundError

#: command name -> module in qsgd_ref.cli.commands providing HELP, add_arguments(parser), run(args) -> int
#: and optionally DESCRIPTION (the command's --help text); in the order --help lists them
COMMANDS: dict[str, str] = {
    "demo": "qsgd_ref.cli.commands.demo",
    "validate": "qsgd_ref.cli.commands.validate",
    "convert": "qsgd_ref.cli.commands.convert",
    "classify": "qsgd_ref.cli.commands.classify",
    "reference": "qsgd_ref.cli.commands.reference",
    "tables": "qsgd_ref.cli.commands.tables",
    "hhl": "qsgd_ref.cli.commands.hhl",
    "oracle": "qsgd_ref.cli.commands.oracle",
    "cost": "qsgd_ref.cli.commands.cost",
    "model": "qsgd_ref.cli.commands.model",
    "proxy": "qsgd_ref.cli.commands.proxy",
    "train": "qsgd_ref.cli.commands.train",
    "sweep": "qsgd_ref.cli.commands.sweep",
}

DESCRIPTION = """\
qsgd-ref: a verification-backed reference implementation of the quantum algorithm for gradient
descent of Liu et al. (Nature Communications 15, 2024): a gradient step is a polynomial map, a
discrete Carleman linearization turns T steps into one sparse linear system (the paper's Eq. 6),
and HHL (simulated with Qiskit Aer) solves it. Every number it prints is backed by a clause of the
specification and an independent check.

Start with `qsgd-ref demo`; `qsgd-ref COMMAND --help` describes each command."""

EPILOG = """\
exit status: 0 done (results that are out of regime, diverge or overflow are reported as data);
  1 `oracle verify` found failures; 2 bad input or work over the budget (one line on stderr naming
  the option or field; nothing written); 130 interrupted (Ctrl-C; nothing written).
environment: QSGD_REF_MEMORY_BUDGET (bytes, or e.g. 8GiB) sets the memory budget (default 8 GiB);
  QSGD_REF_SPEC_DIR points at another copy of the specification.
documentation: docs/tutorial.md and docs/problem-files.md; the documentation's command-line
  reference collects every command's --help."""

#: the longest error line printed (argparse may echo a long argument)
MAX_LINE = 400


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2) and raw (pre-formatted) descriptions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(_one_line(f"{self.prog}: error: {message}") + "\n")
        raise SystemExit(2)


def _version() -> str:
    """The installed distribution's version (not ``qsgd_ref.__version__``: no stage imports the package root)."""
    try:
        return importlib.metadata.version("qsgd-ref")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qsgd-ref", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"qsgd-ref {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND",
                                title="commands")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP))
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv:  # `qsgd-ref` alone: the usage and the commands, as a usage error
        parser.print_help(sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error (status 2, one line already written), --help or --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    name = " ".join(x for x in (args.command, getattr(args, "oracle_command", None), getattr(args, "model", None)) if x)
    try:
        return int(args._run(args) or 0)
    except InputError as exc:
        sys.stderr.write(_one_line(f"qsgd-ref {name}: error: {exc}") + "\n")
        return 2
    except SpecNotFoundError as exc:  # a broken installation, not the user's input: status 1, one line
        sys.stderr.write(_one_line(f"qsgd-ref {name}: error: {exc}") + "\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"qsgd-ref {name}: interrupted; nothing was written\n")
        return 130
    except MemoryError:
        sys.stderr.write(f"qsgd-ref {name}: error: out of memory (the work estimate was too low); nothing was "
                         "written\n")
        return 1
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
