"""Command-line entry point: argument parsing only; each command lives in qsgd_ref.cli.commands.*.

Bad input exits with status 2 and one line on stderr naming the field (no traceback); a broken
installation (the spec data missing) with status 1 and one line.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.specdata import SpecNotFoundError

#: command name -> module in qsgd_ref.cli.commands providing HELP, add_arguments(parser), run(args) -> int
COMMANDS: dict[str, str] = {
    "demo": "qsgd_ref.cli.commands.demo",
    "validate": "qsgd_ref.cli.commands.validate",
    "convert": "qsgd_ref.cli.commands.convert",
    "proxy": "qsgd_ref.cli.commands.proxy",
    "train": "qsgd_ref.cli.commands.train",
    "hhl": "qsgd_ref.cli.commands.hhl",
    "oracle": "qsgd_ref.cli.commands.oracle",
    "tables": "qsgd_ref.cli.commands.tables",
    "reference": "qsgd_ref.cli.commands.reference",
    "classify": "qsgd_ref.cli.commands.classify",
    "cost": "qsgd_ref.cli.commands.cost",
    "model": "qsgd_ref.cli.commands.model",
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _version() -> str:
    """The installed distribution's version (not ``qsgd_ref.__version__``: no stage imports the package root)."""
    try:
        return importlib.metadata.version("qsgd-ref")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qsgd-ref", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"qsgd-ref {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    prog = "qsgd-ref"
    try:
        args = build_parser().parse_args(argv)
        prog = f"qsgd-ref {args.command}"
        return int(args._run(args) or 0)
    except InputError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 2
    except SpecNotFoundError as exc:  # a broken installation, not the user's input: status 1, one line
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("qsgd-ref: interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, as Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
