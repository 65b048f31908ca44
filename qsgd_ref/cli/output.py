"""Output files of the commands: checked before any work, written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from qsgd_ref.base.errors import InputError


def check_writable(path: str | Path, option: str) -> Path:
    """Refuse an output path that cannot be written (missing folder, a folder, no permission),
    naming the option, before any computation starts."""
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise InputError(option, f"{str(p)!r} is a folder, not a file")
    if not folder.is_dir():
        raise InputError(option, f"the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise InputError(option, f"cannot write {str(p)!r} (permission denied)")
    return p


def write_atomic(path: str | Path, text: str, option: str) -> None:
    """Write ``text`` to a temporary file next to ``path`` and rename it into place, so that an
    interrupted or failed write leaves no partial file."""
    p = check_writable(path, option)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent if str(p.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
