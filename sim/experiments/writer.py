"""The one writer of a results folder: :class:`ResultStore` (parts, design, manifest, index).

The folder's layout, the parts index and the integrity rules are described in
:mod:`sim.experiments.store` (the reader); this module writes what that reader checks. The
caller (:func:`sim.experiments.runner.sweep`) holds the folder's lock.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import UserError
from sim.experiments.provenance import code_hash, git_commit, now, package_versions
from sim.experiments.store import (
    DAMAGED,
    DESIGN,
    FORMAT,
    MANIFEST,
    OWNED,
    RUNS,
    SERIES,
    Problem,
    code_hashes_of,
    duplicates,
    file_entry,
    part_name,
    read_ids,
    read_manifest,
    verify_parts,
    visible_parts,
)
from sim.ioutil import atomic_write, os_reason, write_json


class ResultStore:
    """The writer of one results folder: parts, design, manifest and parts index.

    The caller holds the folder's lock (:class:`sim.experiments.lock.FolderLock`). ``header``
    holds the experiment's fields of the manifest (spec, base config, design size ...); the store
    adds ``format``, ``sessions``, ``parts``, ``counts``, ``complete`` and times.
    """

    def __init__(self, root: str | Path, schema: pa.Schema, series_schema: pa.Schema | None,
                 header: Mapping[str, Any]) -> None:
        self.root = Path(root)
        self.schema = schema
        self.series_schema = series_schema
        self.header = dict(header)
        self.parts: dict[str, dict[str, Any]] = {}
        self.sessions: list[dict[str, Any]] = []
        self.created = now()

    @classmethod
    def create(cls, root: str | Path, schema: pa.Schema, series_schema: pa.Schema | None = None,
               *, header: Mapping[str, Any], resume: bool, force: bool) -> ResultStore:
        """Make (or, with ``force``, clear) the folder; on resume, read the index and drop the
        debris of a crash (temporary files, series parts whose runs part never landed).

        Call :func:`check_target` first (under the lock): this method writes.
        """
        store = cls(root, schema, series_schema, header)
        try:
            store._prepare(resume, force)
        except OSError as exc:
            raise UserError(f"--out {store.root}: cannot prepare the folder ({os_reason(exc)})") \
                from None
        if resume:
            old = read_manifest(store.root)
            store.parts = {str(k): dict(v) for k, v in old["parts"].items()}
            store.sessions = list(old["sessions"])
            store.created = old["created"]
        return store

    def _prepare(self, resume: bool, force: bool) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if force and not resume:
            for name in OWNED:
                target = self.root / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
        for tmp in self.root.glob(".*.tmp"):  # manifest or design cut short
            tmp.unlink(missing_ok=True)
        for sub in (RUNS, SERIES):
            (self.root / sub).mkdir(exist_ok=True)
            for tmp in (self.root / sub).glob(".*.tmp"):  # a part cut short
                tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------------ resume checks
    def audit(self) -> list[Problem]:
        """Verify the folder before resuming; return the parts that need ``--repair``.

        Indexed parts are checked (size, SHA-256, run ids stored twice). A runs part on disk but
        not in the index (a write cut short before the manifest) is adopted when it has this
        sweep's schema and only new, valid run ids; otherwise it is a problem. A series part
        without a runs part is debris and is removed.
        """
        problems = verify_parts(self.root, self.parts)
        for path in visible_parts(self.root / RUNS):
            if path.name not in self.parts:
                why = self._adopt(path)
                if why is not None:
                    problems.append(Problem(path.name, why, _rows_in(path)))
        for orphan in visible_parts(self.root / SERIES):
            if orphan.name not in self.parts and not (self.root / RUNS / orphan.name).exists():
                orphan.unlink()
        bad = {p.part for p in problems}
        dup, _ = duplicates(self.root, [n for n in sorted(self.parts) if n not in bad])
        return problems + dup

    def _adopt(self, path: Path) -> str | None:
        """Index an unrecorded runs part if it is this sweep's; else say why not."""
        try:
            schema = pq.read_schema(path)
            if not schema.equals(self.schema):
                return "not written by this sweep (its columns or types differ)"
            ids = read_ids([path])
        except (OSError, pa.ArrowException) as exc:
            return f"unreadable, not in the manifest ({os_reason(exc)})"
        n_runs = int(self.header["n_runs"])
        done = read_ids([self.root / RUNS / n for n in sorted(self.parts)])
        if len(ids) == 0 or ids.min() < 0 or ids.max() >= n_runs or len(np.unique(ids)) < len(ids) \
                or np.isin(ids, done).any() or path.name != part_name(int(ids.min())):
            return "not in the manifest and its run ids do not fit this sweep"
        series = None
        if self.series_schema is not None:
            spath = self.root / SERIES / path.name
            try:
                if not pq.read_schema(spath).equals(self.series_schema):
                    return "its series part was not written by this sweep"
                series = file_entry(spath, pq.read_metadata(spath).num_rows)
            except (OSError, pa.ArrowException) as exc:
                return f"its series part is unreadable ({os_reason(exc)})"
        status = pq.read_table(path, columns=["status"]).column("status").to_pylist()
        entry = self._entry(path, ids, status, series)
        entry.update(session=len(self.sessions) - 1, adopted=True)
        self.parts[path.name] = entry
        return None

    def repair(self, problems: Sequence[Problem]) -> int:
        """Move bad parts (and their series parts) to ``DIR/damaged/`` and drop them from the
        index, so a resume re-runs exactly their runs; return how many runs that is.
        """
        runs = 0
        for p in problems:
            runs += int(self.parts.get(p.part, {}).get("rows", p.rows))
            self.parts.pop(p.part, None)
            for sub in (RUNS, SERIES):
                src = self.root / sub / p.part
                if src.exists():
                    dest = self.root / DAMAGED / sub / f"{p.part}.{now().replace(':', '')}"
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    src.replace(dest)
        self.commit()
        return runs

    def code_hashes(self) -> list[str]:
        """Model-code hashes of the sessions whose rows are stored."""
        return code_hashes_of({"sessions": self.sessions, "parts": self.parts})

    # ------------------------------------------------------------------ reading
    def done_run_ids(self) -> np.ndarray:
        """Run ids in indexed parts (done, whatever their status), sorted."""
        return np.sort(read_ids([self.root / RUNS / n for n in sorted(self.parts)]))

    def counts(self) -> dict[str, int]:
        """Rows in indexed parts by status."""
        out: dict[str, int] = {}
        for entry in self.parts.values():
            for k, v in entry["counts"].items():
                out[k] = out.get(k, 0) + int(v)
        return dict(sorted(out.items()))

    @property
    def design_missing(self) -> bool:
        """Whether ``design.parquet`` is absent (a resume rewrites it)."""
        return not (self.root / DESIGN).is_file()

    # ------------------------------------------------------------------ writing
    def start_session(self, session: dict[str, Any]) -> dict[str, Any]:
        """Record a new writing session (with provenance) and commit the manifest."""
        session = {"started": now(), "git": git_commit(), "code_hash": code_hash(),
                   "versions": package_versions(), "runs": 0, **session}
        self.sessions.append(session)
        self.commit()
        return session

    def _entry(self, path: Path, ids: np.ndarray, status: Iterable[str],
               series: dict[str, Any] | None) -> dict[str, Any]:
        counts = pd.Series(list(status), dtype=object).value_counts().sort_index()
        return {**file_entry(path, len(ids)), "first_run_id": int(ids.min()),
                "last_run_id": int(ids.max()),
                "counts": {str(k): int(v) for k, v in counts.items()}, "series": series}

    def write(self, rows: Sequence[Mapping[str, Any]],
              series: Sequence[pd.DataFrame] = ()) -> Path | None:
        """Write one part of rows (and their series), then commit it into the manifest.

        Series first, then the runs part, then the manifest (the commit mark). A failure at any
        step raises :class:`sim.ioutil.WriteError` and leaves the folder consistent: the index
        names only whole parts whose checksums match.
        """
        if not rows:
            return None
        ids = np.fromiter((int(r["run_id"]) for r in rows), dtype=np.int64, count=len(rows))
        name = part_name(int(ids.min()))
        if name in self.parts:
            raise RuntimeError(f"part {name} is already in the index")  # a bug, not user input
        frames = [f for f in series if len(f)]
        series_entry = None
        if frames and self.series_schema is not None:
            table = pa.Table.from_pandas(pd.concat(frames, ignore_index=True),
                                         schema=self.series_schema, preserve_index=False)
            spath = self.root / SERIES / name
            box: dict[str, Any] = {}
            atomic_write(spath, lambda p: _write_table(table, p, box))
            series_entry = box["entry"]
        runs = pa.Table.from_pylist(list(rows), schema=self.schema)
        rbox: dict[str, Any] = {}
        path = atomic_write(self.root / RUNS / name, lambda p: _write_table(runs, p, rbox))
        entry = {**rbox["entry"], "first_run_id": int(ids.min()), "last_run_id": int(ids.max()),
                 "counts": dict(sorted(_count(r["status"] for r in rows).items())),
                 "series": series_entry, "session": len(self.sessions) - 1}
        self.parts[name] = entry
        if self.sessions:
            self.sessions[-1]["runs"] = int(self.sessions[-1].get("runs", 0)) + len(rows)
        self.commit()
        return path

    def write_design(self, design: pd.DataFrame) -> None:
        """Write the design table (one row per design point)."""
        atomic_write(self.root / DESIGN,
                     lambda p: design.reset_index().to_parquet(p, index=False))

    def manifest(self) -> dict[str, Any]:
        """The manifest as it stands (header, sessions, parts index, counts)."""
        counts = self.counts()
        return {**self.header, "format": FORMAT, "created": self.created, "updated": now(),
                "sessions": self.sessions, "parts": self.parts, "counts": counts,
                "complete": sum(counts.values()) >= int(self.header["n_runs"])}

    def commit(self) -> None:
        """Write (replace) the manifest atomically."""
        write_json(self.root / MANIFEST, self.manifest())

    def finish(self) -> None:
        """Close the current session and commit the manifest."""
        if self.sessions:
            self.sessions[-1]["finished"] = now()
        self.commit()


def _count(values: Iterable[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out


def _write_table(table: pa.Table, path: Path, box: dict[str, Any]) -> None:
    """Write a Parquet file and record its checksum from the bytes on disk (before rename)."""
    pq.write_table(table, path)
    box["entry"] = file_entry(path, table.num_rows)


def _rows_in(path: Path) -> int:
    try:
        return int(pq.read_metadata(path).num_rows)
    except (OSError, pa.ArrowException):
        return 0
