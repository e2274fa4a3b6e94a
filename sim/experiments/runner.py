"""Running sweeps: one task of runs at a time, in-process, in a local process pool, or on Dask.

This module owns execution. :func:`run_task` runs a :class:`~sim.experiments.spec.Task` (pieces of
design points, each a list of seeded replicates) with the ``ensemble`` engine (all replicates
of a piece at once, :func:`sim.engines.ensemble.run_ensemble`) or the ``mesa`` engine (one
:class:`~sim.engines.mesa_model.EscalationModel` per run) and never raises: a run that fails is a row with
``status="failed"`` and its error. Both engines give identical rows (the ensemble is the Mesa
model's exact twin).

:func:`sweep` is the whole experiment: validate the spec and the output folder, connect to the
cluster (if any), then stream tasks to workers and rows to Parquet parts (:mod:`sim.experiments.store`),
skipping runs already stored (``resume``), with a progress bar. Results do not depend on the
engine, the number of workers, the cluster or the chunk size.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import multiprocessing
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.config import UserError, with_overrides
from sim.core.events import SERIES_COLUMNS
from sim.engines.batch import simulate_configs
from sim.engines.ensemble import run_ensemble
from sim.experiments.spec import Experiment, Piece, SweepSpec, Task, load_experiment
from sim.experiments.store import (
    ResultStore,
    check_target,
    git_commit,
    now,
    package_versions,
    read_manifest,
)

ENGINES: tuple[str, ...] = ("ensemble", "mesa")
#: Default runs per task: the ensemble is fastest on big arrays, Mesa runs are slow one by one.
DEFAULT_CHUNK = {"ensemble": 2000, "mesa": 8}
#: Seconds to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = 10.0


@dataclass
class TaskResult:
    """Rows of a finished task (one per run) and, if recorded, their per-day series."""

    rows: list[dict[str, Any]]
    series: list[pd.DataFrame] = field(default_factory=list)


#: Longest error text kept in a row (some messages quote whole config sections).
MAX_ERROR = 400


def _error(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR - 3] + "..."


def _row(piece: Piece, k: int, status: str, error: str | None,
         record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run_id": piece.run_ids[k], "design_id": piece.design_id,
        "replicate": piece.replicates[k], "seed": piece.seeds[k], "status": status,
        "error": error, **piece.factors,
    }
    if record is not None:
        row.update({key: v for key, v in record.items() if key != "seed"})
    return row


def _series_frame(run_id: int, series: Mapping[str, np.ndarray], col: int) -> pd.DataFrame:
    frame = pd.DataFrame({c: series[c][:, col] for c in SERIES_COLUMNS})
    frame.insert(0, "run_id", np.int64(run_id))
    return frame


def _ensemble_piece(task: Task, piece: Piece, out: TaskResult) -> None:
    cfg = with_overrides(task.base, piece.factors)
    try:
        res = run_ensemble(cfg, piece.seeds, task.days, record_series=task.record_series)
    except Exception:  # noqa: BLE001 - isolate the failing replicates one by one
        for k, seed in enumerate(piece.seeds):
            try:
                one = run_ensemble(cfg, [seed], task.days, record_series=task.record_series)
            except Exception as exc:  # noqa: BLE001 - a failed run is a row
                out.rows.append(_row(piece, k, "failed", _error(exc)))
                continue
            out.rows.append(_row(piece, k, "ok", None, one.records()[0]))
            if one.series is not None:
                out.series.append(_series_frame(piece.run_ids[k], one.series, 0))
        return
    for k, record in enumerate(res.records()):
        out.rows.append(_row(piece, k, "ok", None, record))
        if res.series is not None:
            out.series.append(_series_frame(piece.run_ids[k], res.series, k))


def _mesa_piece(task: Task, piece: Piece, out: TaskResult) -> None:
    from sim.engines.mesa_model import EscalationModel  # Mesa is imported only by the mesa engine

    cfg = with_overrides(task.base, piece.factors)
    for k, seed in enumerate(piece.seeds):
        try:
            model = EscalationModel(cfg, rng=seed, days=task.days).run()
            record = model.metrics()
            timeline = model.timeline() if task.record_series else None
        except Exception as exc:  # noqa: BLE001 - a failed run is a row
            out.rows.append(_row(piece, k, "failed", _error(exc)))
            continue
        out.rows.append(_row(piece, k, "ok", None, record))
        if timeline is not None:
            frame = timeline[list(SERIES_COLUMNS)].copy()
            frame.insert(0, "run_id", np.int64(piece.run_ids[k]))
            out.series.append(frame)


def _ensemble_batch(task: Task, out: TaskResult) -> bool:
    """Run all pieces of a task as one vectorised batch (design points side by side).

    Worth it when pieces are small (e.g. Sobol designs with few replicates each); returns False
    (nothing recorded) if the pieces cannot share one batch, and the caller runs them apart.
    """
    try:
        cfgs = [with_overrides(task.base, p.factors) for p in task.pieces]
        res = simulate_configs(cfgs, [len(p.seeds) for p in task.pieces],
                               [s for p in task.pieces for s in p.seeds], task.days,
                               record_series=task.record_series)
    except Exception:  # noqa: BLE001 - fall back to piece by piece (isolates failures)
        return False
    records = res.records()
    col = 0
    for piece in task.pieces:
        for k in range(len(piece.seeds)):
            out.rows.append(_row(piece, k, "ok", None, records[col]))
            if res.series is not None:
                out.series.append(_series_frame(piece.run_ids[k], res.series, col))
            col += 1
    return True


def run_task(task: Task) -> TaskResult:
    """Run every run of a task; never raises (failed runs are ``status="failed"`` rows)."""
    out = TaskResult(rows=[])
    if task.engine != "mesa" and len(task.pieces) > 1 and _ensemble_batch(task, out):
        return out
    for piece in task.pieces:
        try:
            if task.engine == "mesa":
                _mesa_piece(task, piece, out)
            else:
                _ensemble_piece(task, piece, out)
        except Exception as exc:  # noqa: BLE001 - e.g. a design point's config is invalid
            done = {r["run_id"] for r in out.rows}
            out.rows.extend(_row(piece, k, "failed", _error(exc))
                            for k in range(len(piece.run_ids)) if piece.run_ids[k] not in done)
    return out


# ------------------------------------------------------------------------------ executors


def _serial(tasks: Iterable[Task]) -> Generator[TaskResult, None, None]:
    for task in tasks:
        yield run_task(task)


def _bounded(submit: Callable[[Task], Any], wait_any: Callable[[set[Any]], set[Any]],
             tasks: Iterable[Task], in_flight: int) -> Generator[TaskResult, None, None]:
    """Keep at most ``in_flight`` tasks submitted; yield results as they finish."""
    pending: set[Any] = set()
    source = iter(tasks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < in_flight:
            task = next(source, None)
            if task is None:
                exhausted = True
            else:
                pending.add(submit(task))
        if not pending:
            return
        finished = wait_any(pending)
        pending -= finished
        for fut in finished:
            yield fut.result()


def _local_pool(tasks: Iterable[Task], workers: int) -> Generator[TaskResult, None, None]:
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent (tqdm, pyarrow)
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    try:
        yield from _bounded(
            lambda t: pool.submit(run_task, t),
            lambda p: cf.wait(p, return_when=cf.FIRST_COMPLETED).done,
            tasks, 2 * workers)
    except cf.process.BrokenProcessPool as exc:
        pool.shutdown(wait=False, cancel_futures=True)
        raise UserError(
            f"a worker process died ({exc}); finished runs are kept, so rerun with --resume. "
            "From a Python script, call sweep(workers>1) under if __name__ == '__main__':"
        ) from None
    except BaseException:  # interrupted or closed early: do not wait for running tasks
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """Connect to a running Dask scheduler; fail with a one-line error within ``timeout`` s."""
    from distributed import Client

    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise UserError(f"--scheduler {address}: cannot connect to a Dask scheduler within "
                        f"{timeout:g} s ({_error(exc)})") from None


def _dask(tasks: Iterable[Task], client: Any) -> Generator[TaskResult, None, None]:
    from distributed import as_completed

    in_flight = 2 * max(1, sum(client.nthreads().values()))
    source = iter(tasks)
    first = [client.submit(run_task, t, pure=False)
             for t in itertools.islice(source, in_flight)]
    if not first:
        return
    finished = as_completed(first, loop=client.loop)
    for fut in finished:  # as one finishes, submit the next: memory stays bounded
        result = fut.result()
        fut.release()
        task = next(source, None)
        if task is not None:
            finished.add(client.submit(run_task, task, pure=False))
        yield result


# ------------------------------------------------------------------------------ the sweep


def _chunk_size(engine: str, chunk_size: int | None, todo: int, workers: int) -> int:
    if chunk_size is not None:
        if chunk_size < 1:
            raise UserError(f"--chunk-size {chunk_size}: must be 1 or more")
        return chunk_size
    # enough tasks to keep every worker busy to the end
    return max(1, min(DEFAULT_CHUNK[engine], math.ceil(todo / (4 * max(workers, 1)))))


def _manifest(exp: Experiment, fingerprint: str, created: str,
              sessions: list[dict[str, Any]], counts: dict[str, int]) -> dict[str, Any]:
    s = exp.spec
    return {
        "format": 1,
        "spec": exp.spec_dict(),
        "spec_source": exp.source,
        "fingerprint": fingerprint,
        "base": {"path": str(exp.base_path), "hash": exp.base.hash(),
                 "config": exp.base.model_dump(mode="json")},
        "days": exp.days,
        "master_seed": s.master_seed,
        "replicates": s.replicates,
        "sampler": s.sampler,
        "problem": exp.problem if s.sampler != "grid" else None,
        "factors": list(s.factors),
        "n_designs": exp.n_designs,
        "n_runs": exp.n_runs,
        "record": s.record,
        "seeds": "sim.core.draws.seed_for(master_seed, design_id, replicate)",
        "run_id": "design_id * replicates + replicate",
        "versions": package_versions(),
        "git": git_commit(),
        "created": created,
        "updated": now(),
        "sessions": sessions,
        "counts": counts,
        "complete": sum(counts.values()) >= exp.n_runs,
    }


def sweep(
    spec: str | Path | Mapping[str, Any] | SweepSpec,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    engine: str = "ensemble",
    chunk_size: int | None = None,
    progress: bool = True,
    connect_timeout: float = CONNECT_TIMEOUT,
    flush_rows: int = 5000,
    flush_seconds: float = 30.0,
) -> Path:
    """Run a sweep into ``out`` and return the folder (see :mod:`sim.experiments.store` for its layout).

    Args:
        spec: a sweep spec: YAML path, mapping or :class:`~sim.experiments.spec.SweepSpec`.
        out: results folder; must be new or empty unless ``resume`` or ``force``.
        workers: local worker processes (1 runs in this process); ignored with ``scheduler``.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``).
        resume: finish a sweep in ``out``: run only the runs not yet stored.
        force: delete earlier results in ``out`` and start over.
        engine: ``ensemble`` (vectorised, default) or ``mesa`` (one Mesa model per run).
        chunk_size: runs per task (default: by engine, small enough to balance the workers).
        progress: show a progress bar (runs done, runs/s, ETA).
        connect_timeout: seconds to wait for the Dask scheduler.
        flush_rows: write a part once this many rows are waiting ...
        flush_seconds: ... or once the oldest waiting row is this old (the most finished work
            a crash can lose).
    """
    if engine not in ENGINES:
        raise UserError(f"--engine {engine!r}: unknown engine; choose one of {', '.join(ENGINES)}")
    if workers < 1:
        raise UserError(f"--workers {workers}: must be 1 or more")
    exp = load_experiment(spec)
    fingerprint = exp.fingerprint()
    resuming = check_target(out, fingerprint, resume=resume, force=force)
    client = connect(scheduler, connect_timeout) if scheduler else None
    try:
        return _run(exp, fingerprint, Path(out), resuming, force, client, workers, engine,
                    chunk_size, progress, flush_rows, flush_seconds)
    finally:
        if client is not None:
            client.close()


def _run(exp: Experiment, fingerprint: str, out: Path, resuming: bool, force: bool,
         client: Any, workers: int, engine: str, chunk_size: int | None, progress: bool,
         flush_rows: int, flush_seconds: float) -> Path:
    series = exp.spec.record == "series"
    store = ResultStore.create(out, exp.schema(), exp.series_schema() if series else None,
                               resume=resuming, force=force)
    old: dict[str, Any] = {}
    if resuming:
        old = read_manifest(out)
    done = store.done_run_ids()
    counts = store.counts()
    todo = exp.n_runs - len(done)
    n_workers = (sum(client.nthreads().values()) if client is not None else workers)
    size = _chunk_size(engine, chunk_size, todo, n_workers)
    session: dict[str, Any] = {"started": now(), "engine": engine, "chunk_size": size,
               "workers": n_workers, "scheduler": client.scheduler.address if client else None,
               "runs_before": int(len(done)), "runs": 0}
    sessions = [*old.get("sessions", []), session]
    created = str(old.get("created", session["started"]))
    if not resuming:
        store.write_design(exp.design.assign(**{
            f"raw:{p}": exp.raw_design[:, j] for j, p in enumerate(exp.spec.factors)
            if exp.spec.sampler != "grid"}))
    store.write_manifest(_manifest(exp, fingerprint, created, sessions, counts))

    tasks = exp.tasks(done, size, engine)
    if client is not None:
        results = _dask(tasks, client)
    elif workers > 1:
        results = _local_pool(tasks, workers)
    else:
        results = _serial(tasks)
    rows: list[dict[str, Any]] = []
    frames: list[pd.DataFrame] = []
    oldest = time.monotonic()

    def flush() -> None:
        nonlocal rows, frames
        if rows:
            store.write(rows, frames)
            for r in rows:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
            session["runs"] += len(rows)
        rows, frames = [], []

    bar = tqdm(total=exp.n_runs, initial=len(done), unit="run", disable=not progress,
               desc=exp.spec.name, smoothing=0.05, dynamic_ncols=True)
    try:
        for result in results:
            if not rows:
                oldest = time.monotonic()
            rows.extend(result.rows)
            frames.extend(result.series)
            bar.update(len(result.rows))
            failed = counts.get("failed", 0) + sum(r["status"] == "failed" for r in rows)
            if failed:
                bar.set_postfix(failed=failed, refresh=False)
            if len(rows) >= flush_rows or time.monotonic() - oldest >= flush_seconds:
                flush()
    finally:
        # On Ctrl-C or an executor failure, keep what finished: those runs need not rerun.
        results.close()
        flush()
        bar.close()
        session["finished"] = now()
        store.write_manifest(_manifest(exp, fingerprint, created, sessions, counts))
    return out

