"""Output files and folders of the commands: checked before any work, written whole or not at all
(clause CLI-2).

A command reserves its outputs before it computes anything: :func:`output_file` creates a
temporary file next to the target (so a missing folder, a folder in place of a file, a read-only
place or a pseudo-filesystem such as /proc is refused at once, naming the option), and
:func:`output_folder` creates a temporary sibling folder (or, when the target folder exists, a
temporary folder inside it). Everything is written there; when the command's work has succeeded
the file is renamed onto the target, or the folder's files are moved into the target folder one
rename each. On an error or Ctrl-C the temporaries are removed and the target is left as it was.

Every JSON document goes through :func:`dumps`: plain JSON values only (``allow_nan=False``), a
non-finite float written as the string "nan", "inf" or "-inf" (:func:`qsgd_ref.base.results.jsonable`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.results import jsonable


def dumps(doc: Any, *, indent: int | None = 1) -> str:
    """``doc`` as JSON text ending in a newline: no NaN or Infinity tokens (non-finite floats become
    "nan", "inf", "-inf"), non-ASCII kept as UTF-8."""
    return json.dumps(jsonable(doc), indent=indent, ensure_ascii=False, allow_nan=False) + "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class OutputFile:
    """A reserved output file: a temporary file in the target's folder, renamed onto the target by
    :meth:`commit` (the permissions are those of an ordinary new file)."""

    def __init__(self, path: str | Path, option: str) -> None:
        self.path = Path(path)
        self.option = option
        if not str(path):
            raise InputError(option, "the file name is empty")
        if self.path.is_dir():
            raise InputError(option, f"{str(self.path)!r} is a folder, not a file")
        folder = self.path.parent
        if not folder.is_dir():
            what = "is a file, not a folder" if folder.exists() else "does not exist"
            raise InputError(option, f"the folder {str(folder)!r} {what}")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name[:100]}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise InputError(option, f"cannot write in {str(folder)!r}: {_why(exc)}") from None
        os.close(fd)
        self.temporary = Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        self.written = False

    def write_text(self, text: str) -> None:
        """Write ``text`` (UTF-8) into the temporary file."""
        try:
            self.temporary.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(self.option, f"cannot write {str(self.path)!r}: {_why(exc)}") from None
        self.written = True

    def commit(self) -> None:
        """Rename the temporary file onto the target."""
        try:
            os.replace(self.temporary, self.path)
        except OSError as exc:
            self.discard()
            raise InputError(self.option, f"cannot write {str(self.path)!r}: {_why(exc)}") from None

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


@contextmanager
def output_file(path: str | Path | None, option: str) -> Iterator[OutputFile | None]:
    """Reserve ``path`` (None: no file, yields None); commit it when the block ends normally after a
    write, remove the temporary on any exception (Ctrl-C included) or when nothing was written."""
    if path is None:
        yield None
        return
    out = OutputFile(path, option)
    try:
        yield out
    except BaseException:
        out.discard()
        raise
    if out.written:
        out.commit()
    else:
        out.discard()


def emit(out: OutputFile | None, text: str) -> None:
    """``text`` into the reserved file ``out``, or onto stdout when there is none."""
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)


class OutputFolder:
    """A reserved output folder. Files are written into :attr:`staging`; :meth:`commit` moves them
    into the target folder (creating it), each by one rename."""

    def __init__(self, path: str | Path, option: str) -> None:
        self.path = Path(path)
        self.option = option
        if not str(path):
            raise InputError(option, "the folder name is empty")
        if self.path.exists() and not self.path.is_dir():
            raise InputError(option, f"{str(self.path)!r} is a file, not a folder")
        parent = self.path.parent
        if not parent.is_dir():
            what = "is a file, not a folder" if parent.exists() else "does not exist"
            raise InputError(option, f"the folder {str(parent)!r} {what}")
        home = self.path if self.path.is_dir() else parent
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name[:100]}.", suffix=".tmp", dir=home))
        except OSError as exc:
            raise InputError(option, f"cannot write in {str(home)!r}: {_why(exc)}") from None

    def commit(self) -> list[Path]:
        """Move every staged file into the target folder; returns the target paths."""
        try:
            names = sorted(os.listdir(self.staging))
            if not self.path.exists() and self.staging.parent == self.path.parent:
                os.chmod(self.staging, 0o777 & ~_umask())
                os.rename(self.staging, self.path)
                return [self.path / name for name in names]
            self.path.mkdir(exist_ok=True)
            for name in names:
                os.replace(self.staging / name, self.path / name)
            self.staging.rmdir()
        except OSError as exc:
            self.discard()
            raise InputError(self.option, f"cannot write into {str(self.path)!r}: {_why(exc)}") from None
        return [self.path / name for name in names]

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


@contextmanager
def output_folder(path: str | Path, option: str) -> Iterator[OutputFolder]:
    """Reserve the folder ``path``; on normal exit the staged files are moved in (see
    :meth:`OutputFolder.commit`), on any exception the staging folder is removed."""
    out = OutputFolder(path, option)
    try:
        yield out
    except BaseException:
        out.discard()
        raise
    out.commit()
