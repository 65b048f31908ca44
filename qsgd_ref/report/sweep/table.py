"""The result table of a sweep (clause FMT-5): its columns, the journal rows are streamed to, and
the Parquet or CSV file they are written to.

The columns are fixed by the sweep (its model options and its quantities), never by the rows, so
that every row — a failed case included — has every column (null where it has no value). Rows are
written in case order, so the table does not depend on the order in which cases finished, and a
rerun that computes the same rows writes the same bytes.

While a sweep runs, each finished row is appended to the journal (one JSON line, flushed to disk
before the next row is taken), which is what a rerun resumes from; the table is rewritten from the
finished rows every few seconds (a new file renamed over the old one: a reader never sees half a
table) and once at the end, when the journal, no longer needed, is removed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError

TABLE_FILES = {"parquet": "results.parquet", "csv": "results.csv"}
JOURNAL = "journal.jsonl"


# ---------------------------------------------------------------- the journal


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    return str(value)


def journal_line(row: dict[str, Any]) -> str:
    """One journal line: the row as JSON (non-finite floats as "inf", "-inf", "nan")."""
    return json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False, allow_nan=False) + "\n"


def read_journal(path: Path, cols: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of a journal; a last line cut short (the process was killed while writing it) is
    skipped, since its case is simply run again."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        return []
    for line in lines:
        if not line.endswith("\n"):
            break
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(raw, dict) and set(raw) == set(cols):
            rows.append({c: _decode(raw[c], kind) for c, kind in cols.items()})
    return rows


class Journal:
    """The append-only journal of finished rows: each row is written and flushed to disk before
    :meth:`append` returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = path.open("a", encoding="utf-8")

    def append(self, row: dict[str, Any]) -> None:
        self._fh.write(journal_line(row))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


# ---------------------------------------------------------------- the table


def read_table(path: Path, cols: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of an existing table; a table whose columns are not this sweep's is refused, naming
    --out (it holds another sweep's results)."""
    if not path.exists():
        return []
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise InputError("--out", f"{path.name} is not a readable Parquet table ({exc}); move it away") from None
        names = table.column_names
        rows = table.to_pylist()
    else:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            names = list(reader.fieldnames or [])
            rows = [{k: (None if v == "" else v) for k, v in r.items()} for r in reader]
    if names != list(cols):
        raise InputError("--out", f"{path.name} has other columns than this sweep's results (another sweep's "
                         "table?); use another folder")
    return [{c: _decode(r[c], kind) for c, kind in cols.items()} for r in rows]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else "-inf" if value == -math.inf
                                                  else repr(value))
    return str(value)


def table_bytes(rows: Iterable[dict[str, Any]], cols: dict[str, str], fmt: str, metadata: dict[str, str]) -> bytes:
    """The table of ``rows`` (already in case order) as Parquet or CSV bytes. The same rows give the
    same bytes: no timestamps, floats in their shortest round-trip text in CSV."""
    rows = list(rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(list(cols))
        for r in rows:
            writer.writerow([_csv_cell(r[c]) for c in cols])
        return buf.getvalue().encode("utf-8")
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}
    schema = pa.schema([pa.field(c, types[kind]) for c, kind in cols.items()], metadata=metadata)
    table = pa.Table.from_pydict({c: [r[c] for r in rows] for c in cols}, schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path`` and rename it over ``path``: a reader sees
    the old file or the new one, never part of one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
