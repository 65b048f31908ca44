"""Pages generated at docs build time: the spec clauses (from qsgd_ref.base.spec) and the CLI reference."""

from __future__ import annotations

import argparse
from pathlib import Path


def write_spec_page(path: Path) -> None:
    """Render every clause with its status and a link to its proof or certification."""
    from qsgd_ref.base.spec import clauses

    lines = ["# Specification clauses", "",
             "Generated from `spec/clauses/*.md` by `qsgd_ref.base.spec`. Status: *definition*, *proven*",
             "(with the proof page), *certified* (with the proofs_numeric module), or *conjecture*.", ""]
    current = None
    for c in clauses().values():
        if c.file != current:
            current = c.file
            lines += [f"## {c.file}", ""]
        lines += [f"(clause-{c.id})=", f"### {c.id} · {c.title}", "", f"*{c.kind}* — status: **{c.status_word}**"]
        if c.status_word == "proven" and c.status_target and c.status_target.startswith("docs/"):
            target = c.status_target[len("docs/"):-len(".md")]
            lines[-1] += f" ({{doc}}`proof </{target}>`)"
        elif c.status_target:
            lines[-1] += f" (`{c.status_target}`)"
        if c.encoding_path:
            lines[-1] += f"; encoding `{c.encoding_path}`"
        lines += ["", "```text", c.statement, "```", ""]
    _write_if_changed(path, "\n".join(lines) + "\n")


def write_cli_reference(path: Path) -> None:
    """The --help text of every command."""
    from qsgd_ref.cli.main import build_parser

    parser = build_parser()
    lines = ["# Command-line reference", "", "```text", parser.format_help().rstrip(), "```", ""]

    def commands(p: argparse.ArgumentParser, prefix: str, level: int) -> None:
        """Every subcommand's help, and its own subcommands' (qsgd-ref model NAME) one level down."""
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    lines.extend([f"{'#' * level} {prefix} {name}", "", "```text", sub.format_help().rstrip(), "```", ""])
                    commands(sub, f"{prefix} {name}", level + 1)

    commands(parser, "qsgd-ref", 2)
    _write_if_changed(path, "\n".join(lines) + "\n")


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def link_clauses(app, what, name, obj, options, lines):  # noqa: ARG001 - sphinx hook signature
    """autodoc hook: turn every clause ID cited in a docstring into a link to its rendered clause.

    Docstrings are plain text with math such as |a| and ‖x‖: bars are escaped for reST."""
    import re

    from qsgd_ref.base.spec import clauses

    known = clauses()

    def repl(m: re.Match[str]) -> str:
        cid = m.group(0)
        return f":ref:`{cid} <clause-{cid}>`" if cid in known else cid

    lines[:] = [re.sub(r"(?<![\w`-])[A-Z]{2,5}-\d+(?![\w-])", repl, line.replace("|", "\\|")) for line in lines]
