"""Running sweeps: one task of runs at a time, in-process, in a local process pool, or on Dask.

This module owns execution. :func:`run_task` runs a :class:`~sim.experiments.spec.Task` (pieces of
design points, each a list of seeded replicates) with the ``ensemble`` engine (all replicates
of a piece at once, :func:`sim.engines.ensemble.run_ensemble`) or the ``mesa`` engine (one
:class:`~sim.engines.mesa_model.EscalationModel` per run) and never raises: a run that fails is a row with
``status="failed"`` and its error. Both engines give identical rows (the ensemble is the Mesa
model's exact twin).

:func:`sweep` is the whole experiment: validate the spec, connect to the cluster (if any), lock
the output folder (:mod:`sim.experiments.lock`), check it (on resume: every stored part against
its checksum, the model code against the code that made the stored rows), then stream tasks to
workers (:mod:`sim.experiments.executors`) and rows to Parquet parts
(:mod:`sim.experiments.writer`), skipping runs already stored, with a progress bar. Results do
not depend on the engine, the number of workers, the cluster or the chunk size.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.config import with_overrides
from sim.core.events import SERIES_COLUMNS
from sim.engines.batch import simulate_configs
from sim.engines.ensemble import run_ensemble
from sim.errors import UserError
from sim.experiments import executors
from sim.experiments.executors import CONNECT_TIMEOUT, DEFAULT_CHUNK, ENGINES, connect
from sim.experiments.lock import FolderLock, stale_note
from sim.experiments.provenance import code_hash
from sim.experiments.spec import Experiment, Piece, SweepSpec, Task, load_experiment
from sim.experiments.store import DAMAGED, check_target, problems_message
from sim.experiments.writer import ResultStore
from sim.ioutil import WriteError, is_disk_full


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


# ------------------------------------------------------------------------------ the sweep


def _chunk_size(engine: str, chunk_size: int | None, todo: int, workers: int) -> int:
    if chunk_size is not None:
        if chunk_size < 1:
            raise UserError(f"--chunk-size {chunk_size}: must be 1 or more")
        return chunk_size
    # enough tasks to keep every worker busy to the end
    return max(1, min(DEFAULT_CHUNK[engine], math.ceil(todo / (4 * max(workers, 1)))))


def _header(exp: Experiment, fingerprint: str) -> dict[str, Any]:
    """The experiment's fields of the manifest (the store adds sessions, parts and counts)."""
    s = exp.spec
    return {
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
        "seeds": exp.seed_rule,
        "run_id": "design_id * replicates + replicate",
    }


def sweep(
    spec: str | Path | Mapping[str, Any] | SweepSpec,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    repair: bool = False,
    allow_code_change: bool = False,
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
        resume: finish a sweep in ``out``: run only the runs not yet stored (after checking
            every stored part against its checksum).
        force: delete earlier results in ``out`` and start over.
        repair: with ``resume``, move damaged or foreign parts to ``out/damaged/`` and re-run
            exactly their runs (without it, a bad part stops the resume with its name).
        allow_code_change: with ``resume``, add rows although the model code differs from the
            code that made the stored rows (recorded in the session; the report says so).
        engine: ``ensemble`` (vectorised, default) or ``mesa`` (one Mesa model per run).
        chunk_size: runs per task (default: by engine, small enough to balance the workers).
        progress: show a progress bar (runs done, runs/s, ETA).
        connect_timeout: seconds to wait for the Dask scheduler.
        flush_rows: write a part once this many rows are waiting ...
        flush_seconds: ... or once the oldest waiting row is this old (the most finished work
            a crash can lose).

    Only one process writes a folder at a time (a second one is refused, naming the first).
    """
    if engine not in ENGINES:
        raise UserError(f"--engine {engine!r}: unknown engine; choose one of {', '.join(ENGINES)}")
    if workers < 1:
        raise UserError(f"--workers {workers}: must be 1 or more")
    if not (math.isfinite(flush_seconds) and flush_seconds > 0):
        raise UserError(f"--flush-seconds {flush_seconds!r}: must be a finite number of seconds, "
                        "more than 0")
    if not (math.isfinite(connect_timeout) and connect_timeout > 0):
        raise UserError(f"--connect-timeout {connect_timeout!r}: must be a finite number of "
                        "seconds, more than 0")
    if (repair or allow_code_change) and not resume:
        flag = "--repair" if repair else "--allow-code-change"
        raise UserError(f"{flag}: only with --resume (it changes how stored rows are resumed)")
    exp = load_experiment(spec)
    fingerprint = exp.fingerprint()
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise UserError(f"--out {target}: is a file, expected a folder")
    client = connect(scheduler, connect_timeout) if scheduler else None  # before any write
    try:
        lock = FolderLock(target).acquire()
        try:
            resuming = check_target(target, fingerprint, resume=resume, force=force)
            return _run(exp, fingerprint, target, resuming, force, repair, allow_code_change,
                        client, workers, engine, chunk_size, progress, flush_rows,
                        flush_seconds, stale_note(lock))
        finally:
            lock.release()
    finally:
        if client is not None:
            client.close()


def _open_store(exp: Experiment, fingerprint: str, out: Path, resuming: bool, force: bool,
                repair: bool, allow_code_change: bool) -> tuple[ResultStore, list[str]]:
    """Open the folder for writing; on resume, verify it (and repair it if asked)."""
    series = exp.spec.record == "series"
    store = ResultStore.create(out, exp.schema(), exp.series_schema() if series else None,
                               header=_header(exp, fingerprint), resume=resuming, force=force)
    notes: list[str] = []
    if resuming:
        problems = store.audit()
        if problems and not repair:
            raise UserError(problems_message(out, store.manifest(), problems))
        if problems:
            n = store.repair(problems)
            notes.append(f"repair: moved {len(problems)} bad part(s) to {out / DAMAGED}; "
                         f"re-running their {n:,} runs")
        ours = code_hash()
        theirs = [h for h in store.code_hashes() if h != ours]
        if theirs and not allow_code_change:
            raise UserError(f"--out {out}: its rows were made by different model code (code hash "
                            f"{theirs[0]}, now {ours}); resuming would mix two models in one "
                            "table: use a new --out, or pass --allow-code-change to mix them "
                            "knowingly (recorded in the manifest)")
        if theirs:
            notes.append(f"model code changed ({theirs[0]} -> {ours}); rows of both are kept "
                         "(--allow-code-change, recorded in the manifest)")
    if not resuming or store.design_missing:
        store.write_design(exp.design.assign(**{
            f"raw:{p}": exp.raw_design[:, j] for j, p in enumerate(exp.spec.factors)
            if exp.spec.sampler != "grid"}))
    return store, notes


def _run(exp: Experiment, fingerprint: str, out: Path, resuming: bool, force: bool,
         repair: bool, allow_code_change: bool, client: Any, workers: int, engine: str,
         chunk_size: int | None, progress: bool, flush_rows: int, flush_seconds: float,
         stale: str | None) -> Path:
    store, notes = _open_store(exp, fingerprint, out, resuming, force, repair,
                               allow_code_change)
    done = store.done_run_ids()
    todo = exp.n_runs - len(done)
    n_workers = (sum(client.nthreads().values()) if client is not None else workers)
    size = _chunk_size(engine, chunk_size, todo, n_workers)
    session = store.start_session({
        "engine": engine, "chunk_size": size, "workers": n_workers,
        "scheduler": client.scheduler.address if client else None, "runs_before": int(len(done)),
        "resumed": resuming, "repair": repair, "allow_code_change": allow_code_change,
        "notes": [n for n in (stale, *notes) if n]})
    for note in session["notes"]:
        tqdm.write(f"sweep: {note}")

    tasks = exp.tasks(done, size, engine)
    if client is not None:
        results = executors.dask(tasks, run_task, client)
    elif workers > 1:
        results = executors.local_pool(tasks, run_task, workers)
    else:
        results = executors.serial(tasks, run_task)
    rows: list[dict[str, Any]] = []
    frames: list[pd.DataFrame] = []
    oldest = time.monotonic()
    write_failed = False

    def flush() -> None:
        nonlocal rows, frames, write_failed
        waiting, frames_now, rows, frames = rows, frames, [], []
        if waiting and not write_failed:
            try:
                store.write(waiting, frames_now)
            except WriteError:
                write_failed = True  # nothing more is written; the folder stays consistent
                raise

    counts = store.counts()
    bar = tqdm(total=exp.n_runs, initial=len(done), unit="run", disable=not progress,
               desc=exp.spec.name, smoothing=0.05, dynamic_ncols=True)
    reported = False
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
                counts = _add_counts(counts, rows)
                flush()
    except WriteError as exc:
        reported = True
        raise _write_failure(out, exc, store) from None
    finally:
        # On Ctrl-C or an executor failure, keep what finished: those runs need not rerun.
        results.close()
        bar.close()
        try:
            flush()
            store.finish()
        except WriteError as exc:
            if not reported:  # the last rows or the closing manifest could not be written
                raise _write_failure(out, exc, store) from None
    return out


def _add_counts(counts: dict[str, int], rows: list[dict[str, Any]]) -> dict[str, int]:
    out = dict(counts)
    for r in rows:
        out[r["status"]] = out.get(r["status"], 0) + 1
    return out


def _write_failure(out: Path, exc: WriteError, store: ResultStore) -> UserError:
    """The one-line error of a sweep stopped by a failed write (disk full, read-only ...)."""
    stored = sum(store.counts().values())
    hint = "free some space" if is_disk_full(exc) else "fix the folder"
    return UserError(f"{exc}; the sweep stopped with {stored:,} runs safely stored in {out}: "
                     f"{hint}, then rerun with --resume")
