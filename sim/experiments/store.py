"""Sweep results on disk: Parquet parts, the manifest, resume, and :func:`load_results`.

A results folder ``DIR`` holds:

- ``DIR/runs/part-<first run_id>.parquet``: one row per run (ids, seed, status, error, factor
  columns, path, metrics), all parts with one Arrow schema, so plain
  ``pandas.read_parquet(DIR / "runs")`` reads the whole table without project code;
- ``DIR/series/part-<first run_id>.parquet`` (optional): per-day series, one row per run and day;
- ``DIR/design.parquet``: the design (one row per design point, with the sampler's raw values);
- ``DIR/manifest.json``: the spec, the resolved base config and its hash, master seed, package
  versions, git commit, counts by status and the sessions that wrote the folder.

Every file is written under a temporary dot-name and renamed (:mod:`sim.ioutil`), so a reader or
a resumed sweep never sees a partial part; readers skip dot-files. A ``runs`` part is written
after its ``series`` part and is the commit mark: a run is done when its row is in ``runs/``.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from sim.config import UserError
from sim.ioutil import atomic_write, write_json

RUNS = "runs"
SERIES = "series"
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
#: Entries a sweep writes into its folder (removed by ``force``).
OWNED = (RUNS, SERIES, MANIFEST, DESIGN, "report")
#: Packages whose versions the manifest records.
PACKAGES = ("escalation-sim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib",
            "dask", "distributed")


def _part_name(first_run_id: int) -> str:
    return f"part-{first_run_id:012d}.parquet"


def _parts(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_")))


def read_manifest(root: str | Path) -> dict[str, Any]:
    """Return the manifest of a results folder (a one-line error if it is missing or bad)."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise UserError(f"{root}: not a sweep results folder (no {MANIFEST})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: unreadable manifest (not a JSON object)")
    return data


def check_target(out: str | Path, fingerprint: str, *, resume: bool, force: bool) -> bool:
    """Check an output folder before anything is written; return True to resume it.

    A path that is a file, a non-empty folder without ``resume``/``force``, and a resume of a
    folder written by a different spec are one-line :class:`UserError` s. ``force`` wins over
    ``resume``. Writes nothing.
    """
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise UserError(f"--out {root}: is a file, expected a folder")
    if not root.exists() or not any(root.iterdir()):
        return False
    if force:
        return False
    if not resume:
        raise UserError(f"--out {root}: folder is not empty; pass --resume to finish the sweep "
                        "there or --force to overwrite it")
    manifest = read_manifest(root)
    old = manifest.get("fingerprint")
    if old != fingerprint:
        raise UserError(f"--out {root}: was written by a different spec or base config "
                        f"(fingerprint {old}, now {fingerprint}); cannot resume: use a new --out "
                        "or --force")
    return True


class ResultStore:
    """Writer of one results folder: parts, design and manifest (one writer at a time)."""

    def __init__(self, root: str | Path, schema: pa.Schema,
                 series_schema: pa.Schema | None = None) -> None:
        self.root = Path(root)
        self.schema = schema
        self.series_schema = series_schema

    @classmethod
    def create(cls, root: str | Path, schema: pa.Schema, series_schema: pa.Schema | None = None,
               *, resume: bool, force: bool) -> ResultStore:
        """Make (or, with ``force``, clear) the folder; on resume, drop debris of a crash.

        Call :func:`check_target` first: this method writes.
        """
        store = cls(root, schema, series_schema)
        store.root.mkdir(parents=True, exist_ok=True)
        if force and not resume:
            for name in OWNED:
                target = store.root / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
        for sub in (RUNS, SERIES):
            (store.root / sub).mkdir(exist_ok=True)
            for tmp in (store.root / sub).glob(".*.tmp"):  # a crash mid-write
                tmp.unlink(missing_ok=True)
        committed = {p.name for p in _parts(store.root / RUNS)}
        for orphan in _parts(store.root / SERIES):  # series written, runs part never committed
            if orphan.name not in committed:
                orphan.unlink()
        return store

    # ------------------------------------------------------------------ reading
    def done_run_ids(self) -> np.ndarray:
        """Run ids with a row in ``runs/`` (done, whatever their status)."""
        return done_run_ids(self.root)

    def counts(self) -> dict[str, int]:
        """Rows in ``runs/`` by status."""
        if not _parts(self.root / RUNS):
            return {}
        status = pads.dataset(self.root / RUNS, format="parquet").to_table(columns=["status"])
        return {str(k): int(v) for k, v in
                pd.Series(status.column("status").to_pylist()).value_counts().sort_index().items()}

    # ------------------------------------------------------------------ writing
    def write(self, rows: Sequence[Mapping[str, Any]],
              series: Sequence[pd.DataFrame] = ()) -> Path | None:
        """Write one part of rows (and their series): series first, then the runs part."""
        if not rows:
            return None
        name = _part_name(min(int(r["run_id"]) for r in rows))
        frames = [f for f in series if len(f)]
        if frames and self.series_schema is not None:
            table = pa.Table.from_pandas(pd.concat(frames, ignore_index=True),
                                         schema=self.series_schema, preserve_index=False)
            atomic_write(self.root / SERIES / name, lambda p: pq.write_table(table, p))
        runs = pa.Table.from_pylist(list(rows), schema=self.schema)
        return atomic_write(self.root / RUNS / name, lambda p: pq.write_table(runs, p))

    def write_design(self, design: pd.DataFrame) -> None:
        """Write the design table (one row per design point)."""
        atomic_write(self.root / DESIGN,
                     lambda p: design.reset_index().to_parquet(p, index=False))

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        """Write (replace) the manifest atomically."""
        write_json(self.root / MANIFEST, dict(manifest))


def done_run_ids(root: str | Path) -> np.ndarray:
    """Sorted run ids already stored in ``root/runs/``."""
    runs = Path(root) / RUNS
    if not _parts(runs):
        return np.empty(0, dtype=np.int64)
    ids = pads.dataset(runs, format="parquet").to_table(columns=["run_id"]).column("run_id")
    return np.sort(ids.to_numpy())


def load_results(results_dir: str | Path, *, series: bool = False) -> pd.DataFrame:
    """Read a sweep's runs table (or, with ``series=True``, its per-day series), by run id.

    The same as ``pandas.read_parquet(DIR / "runs")`` sorted by ``run_id``; an empty table when
    no run has finished yet.
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise UserError(f"{root}: no such results folder")
    read_manifest(root)
    folder = root / (SERIES if series else RUNS)
    if not _parts(folder):
        return pd.DataFrame()
    frame = pd.read_parquet(folder)
    keys = ["run_id", "day"] if series else ["run_id"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def package_versions() -> dict[str, str | None]:
    """Versions of Python and the packages that shape the results."""
    out: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(repo: str | Path | None = None) -> dict[str, Any]:
    """Return the git commit of the code and whether the tree had uncommitted changes."""
    where = Path(repo) if repo is not None else Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=where, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": head, "dirty": bool(dirty)}


def now() -> str:
    """Return the current UTC time (ISO 8601, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
