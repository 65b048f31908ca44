"""Running cases: one after the other in this process, or as Dask tasks on a cluster (clause FMT-5).

:class:`Executor` is the one place that knows about Dask. With ``workers=0`` it runs every task in
this process; otherwise it starts a :class:`distributed.LocalCluster` of ``workers`` processes (one
thread each; by default one process per usable core), or connects to the scheduler at
``scheduler`` (``dask scheduler`` / ``dask worker``, or dask-jobqueue on a batch system). Before
anything runs it checks that every worker imports the same qsgd-ref as this process (a fingerprint of
the package's source files), so that no row is computed by other code.

:func:`run_sweep` runs a sweep's unfinished cases through an executor, appends each row to the
journal as it arrives, keeps the table current, and ends with the table in case order and one
figure per quantity. ``proofs_numeric`` maps its grids through :meth:`Executor.map`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.progress import progress
from qsgd_ref.report.sweep.spec import SCHEMA, Case, Sweep, columns
from qsgd_ref.report.sweep.table import (
    JOURNAL,
    TABLE_FILES,
    Journal,
    read_journal,
    read_table,
    replace_file,
    table_bytes,
)
from qsgd_ref.report.sweep.task import run_case

#: the package folder and the folder that holds it (what worker processes must import)
PACKAGE = Path(__file__).resolve().parents[2]
#: the file in the output folder that names the sweep and the code that computed its rows
MANIFEST = "sweep.json"
#: the table is rewritten from the finished rows at most this often while a sweep runs (seconds)
TABLE_EVERY = 10.0
#: problem files larger than this are sent to the workers once (scattered), not with every task
SCATTER_BYTES = 1 << 20


@cache
def fingerprint() -> str:
    """qsgd-ref's version and a hash of its source files: equal in two processes when they run the
    same code."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        release = version("qsgd-ref")
    except PackageNotFoundError:
        release = "not installed"
    return f"qsgd-ref {release}, source {digest.hexdigest()[:12]}"


def worker_identity() -> tuple[str, str]:
    """Run on a worker: its fingerprint and the file its qsgd_ref package was imported from. It also
    imports what a case computes with, so that a worker's first case does not pay for the imports."""
    import qsgd_ref.report.reference
    import qsgd_ref.theory.cost  # noqa: F401

    return fingerprint(), str(PACKAGE)


def usable_cores() -> int:
    """The cores this process may run on (the default size of a local cluster)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Done:
    """One finished task: its position in the submitted list, and its value or why it has none
    (``lost``: the scheduler gave up on it, e.g. its workers kept dying)."""

    index: int
    value: Any
    lost: str | None = None


class Executor:
    """Runs pure functions over lists of arguments, serially or on Dask (a context manager)."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        if workers is not None and workers < 0:
            raise InputError("--workers", f"must be ≥ 0, got {workers}")
        if scheduler is not None and workers is not None:
            raise InputError("--workers", "sizes the local cluster; with --scheduler the cluster has its own workers")
        self.scheduler = scheduler
        self.workers = workers
        self.client: Any = None
        self.cluster: Any = None
        self.where = "this process"

    def __enter__(self) -> Executor:
        return self

    @property
    def serial(self) -> bool:
        """True when the tasks run in this process (``workers=0``, no scheduler)."""
        return self.scheduler is None and self.workers == 0

    def start(self) -> None:
        """Start the local cluster or connect to the scheduler (once; nothing for a serial executor),
        and check that every worker runs this qsgd-ref. Called by the first :meth:`unordered`, so an
        executor that has nothing to run starts no cluster."""
        if self.serial or self.client is not None:
            return
        import distributed

        dask: Any = distributed  # untyped
        if self.scheduler is None:
            k = self.workers or usable_cores()
            path = os.pathsep.join(x for x in (str(PACKAGE.parent), os.environ.get("PYTHONPATH", "")) if x)
            self.cluster = dask.LocalCluster(n_workers=k, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.ERROR,
                                        env={"PYTHONPATH": path})
            self.client = dask.Client(self.cluster)
            self.where = f"a local Dask cluster of {k} worker processes"
        else:
            try:
                self.client = dask.Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError("--scheduler", f"cannot reach a Dask scheduler at {self.scheduler!r} ({exc})") from None
            self.where = f"the Dask scheduler at {self.scheduler}"
        try:
            self._check_workers()
        except BaseException:
            self.close()
            raise

    def _check_workers(self) -> None:
        mine = fingerprint()
        field = "--scheduler" if self.scheduler else "--workers"
        if self.scheduler is not None:
            self.client.wait_for_workers(1, timeout=60)
        for address, (theirs, where) in sorted(self.client.run(worker_identity).items()):
            if theirs != mine:
                raise InputError(field, f"the worker at {address} runs {theirs} from {where}, this process {mine} "
                                 f"from {PACKAGE}: every worker must run the same qsgd-ref")

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def unordered(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], keys: Sequence[str] | None = None,
                  costs: Sequence[float] | None = None) -> Iterator[Done]:
        """``fn(*a)`` for every ``a`` of ``args``, yielded as each finishes; on a cluster the tasks with
        the largest ``costs`` (estimates) start first, so that no long task is left to run alone at
        the end. A task whose workers were
        lost (the scheduler gives up after several) is yielded with ``lost`` set; an exception raised
        by ``fn`` itself propagates."""
        if self.serial:
            for i, a in enumerate(args):
                yield Done(i, fn(*a))
            return
        self.start()
        import distributed

        as_completed: Any = distributed.as_completed
        shared: dict[str, Any] = {}

        def send(x: Any) -> Any:  # large byte strings go to the workers once, not with every task
            if isinstance(x, bytes) and len(x) > SCATTER_BYTES:
                key = hashlib.sha256(x).hexdigest()
                if key not in shared:
                    shared[key] = self.client.scatter(x, hash=True, broadcast=True)
                return shared[key]
            return x

        futures = {}
        for i, a in enumerate(args):
            key = None if keys is None else keys[i]
            rank = 0 if costs is None else costs[i]
            future = self.client.submit(fn, *(send(x) for x in a), key=key, pure=False, priority=rank)
            futures[future.key] = (i, future)
        try:
            for future in as_completed([f for _, f in futures.values()]):
                i = futures[future.key][0]
                if future.status == "finished":
                    value = future.result()
                    future.release()
                    yield Done(i, value)
                    continue
                if future.status != "error":  # cancelled or lost with its worker: no exception to raise
                    yield Done(i, None, f"the task was {future.status} (its worker was lost)")
                    continue
                exc = future.exception()  # status "error": the task raised, or its workers were killed
                if type(exc).__name__ in ("KilledWorker", "CancelledError", "FutureCancelledError"):
                    yield Done(i, None, f"{type(exc).__name__}: {exc}")
                    continue
                raise exc
        finally:
            for _, f in futures.values():
                f.cancel()

    def map(self, fn: Callable[..., Any], args: Sequence[tuple[Any, ...]], what: str) -> list[Any]:
        """``[fn(*a) for a in args]`` in order, through the executor, with a progress bar labelled
        ``what``; a task lost on the cluster is an error here (these grids have no journal)."""
        out: list[Any] = [None] * len(args)
        with progress(len(args), what) as bar:
            for done in self.unordered(fn, args):
                if done.lost:
                    raise RuntimeError(f"{what}: task {done.index} was lost on the cluster ({done.lost})")
                out[done.index] = done.value
                bar.update(1)
        return out


# ---------------------------------------------------------------- sweeps


def problem_size(data: bytes | None) -> tuple[int, int, int] | None:
    """(n, T, N) of a problem file, read from its JSON without building the problem (None if unreadable)."""
    if data is None:
        return None
    try:
        doc = json.loads(data)
        return len(doc["u0"]), int(doc["steps"]), int(doc.get("order", 1))
    except (ValueError, KeyError, TypeError):
        return None


def estimated_cost(case: Case, size: tuple[int, int, int] | None) -> float:
    """A rough cost of a case for ordering the tasks, not a prediction: T times the lifted dimension
    n + n² + … + n^N, with the case's T and N where it sets them."""
    if size is None:
        return 0.0
    n, steps, order = size
    steps = case.parameters["steps"] if case.parameters["steps"] is not None else steps
    order = case.parameters["order"] if case.parameters["order"] is not None else order
    return float(max(steps, 1) * sum(n**j for j in range(1, order + 1)))


@dataclass(frozen=True)
class Outcome:
    """What a run of a sweep did: ``total`` cases, ``skipped`` (finished by an earlier run),
    ``computed`` now, ``failed`` (rows with status "error", old and new), ``lost`` (cases that did
    not finish: a rerun runs them), where, how long, and the files written."""

    total: int
    skipped: int
    computed: int
    failed: int
    lost: int
    where: str
    seconds: float
    table: Path
    figures: tuple[Path, ...]


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


def run_sweep(sweep: Sweep, out: Path, executor: Executor, *, log: Callable[[str], None] = _stderr,
              figures: bool = True) -> Outcome:
    """Run the cases of ``sweep`` that ``out`` does not hold yet through ``executor`` (entered),
    streaming rows to the journal and the table in ``out`` (created if missing); ends with the
    table in case order and (unless ``figures`` is False) the figures. An interrupt (Ctrl-C) leaves the
    finished rows in the journal and the table: the next run resumes. ``out/sweep.json`` records the
    code (:func:`fingerprint`) that computed the rows; a folder whose rows other code computed is
    refused, naming --out."""
    from qsgd_ref.report.sweep.figures import summary_figures

    start = time.perf_counter()
    cols = columns(sweep.option_names, sweep.quantities)
    cases = sweep.cases()
    index = {c.case_id: c.index for c in cases}
    table_path, journal_path = out / TABLE_FILES[sweep.table], out / JOURNAL
    rows: dict[str, dict[str, Any]] = {}
    for row in read_table(table_path, cols) + read_journal(journal_path, cols):
        rows[row["case_id"]] = row
    stray = [cid for cid in rows if cid not in index]
    if stray:
        raise InputError("--out", f"{table_path.name} holds {len(stray)} rows of cases that are not in this sweep "
                         "(another sweep's results, or the sweep file changed); use another folder")
    code = fingerprint()
    manifest_path = out / MANIFEST
    if rows and manifest_path.exists():
        try:
            before = json.loads(manifest_path.read_text(encoding="utf-8")).get("code")
        except (ValueError, AttributeError):
            before = None
        if before != code:
            raise InputError("--out", f"its {len(rows)} finished cases were computed by {before or 'unknown code'}, "
                             f"this is {code}: rows of two versions are not mixed in one table; use another folder")
    for cid, row in rows.items():
        row["case"] = index[cid]  # the position in this expansion (an extended sweep renumbers)
    skipped = len(rows)
    todo = [c for c in cases if c.case_id not in rows]
    metadata = {"qsgd-ref.sweep": sweep.name, "qsgd-ref.schema": SCHEMA, "qsgd-ref.code": code}
    manifest = json.dumps({"schema": SCHEMA, "sweep": sweep.name, "code": code}, ensure_ascii=False) + "\n"

    def write_table() -> None:
        ordered = sorted(rows.values(), key=lambda r: r["case"])
        replace_file(table_path, table_bytes(ordered, cols, sweep.table, metadata))

    sources = {s.label: s for s in sweep.sources}
    args = [(sources[c.problem].data, c, sources[c.problem].failure) for c in todo]
    sizes = {label: problem_size(s.data) for label, s in sources.items()}
    lost = 0
    if todo:
        executor.start()  # a scheduler that cannot be reached is refused before anything is written
    replace_file(manifest_path, manifest.encode())
    journal = Journal(journal_path)
    last = time.monotonic()
    try:
        with progress(len(todo), f"sweep {sweep.name}") as bar:
            keys = [f"qsgd-ref-case-{c.case_id}" for c in todo]
            costs = [estimated_cost(c, sizes.get(c.problem)) for c in todo]
            for done in executor.unordered(run_case, args, keys=keys, costs=costs):
                case: Case = todo[done.index]
                if done.lost is not None:
                    lost += 1
                    log(f"case {case.index} ({case.problem}) did not finish: {done.lost}")
                    continue
                row = done.value
                journal.append(row)
                rows[case.case_id] = row
                bar.update(1)
                if time.monotonic() - last > TABLE_EVERY:
                    write_table()
                    last = time.monotonic()
    finally:
        journal.close()
        write_table()
    drawn = summary_figures(sweep, [rows[c.case_id] for c in cases if c.case_id in rows], out) if figures else []
    if len(rows) == len(cases):
        journal_path.unlink(missing_ok=True)
    return Outcome(total=len(cases), skipped=skipped, computed=len(rows) - skipped,
                   failed=sum(r["status"] == "error" for r in rows.values()), lost=lost, where=executor.where,
                   seconds=time.perf_counter() - start, table=table_path, figures=tuple(drawn))
