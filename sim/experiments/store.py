"""Sweep results on disk: the layout, its integrity rules, and the one reader of a results folder
(:func:`open_results`, :func:`load_results`); the writer is
:class:`sim.experiments.writer.ResultStore`.

A results folder ``DIR`` holds:

- ``DIR/runs/part-<first run_id>.parquet``: one row per run (ids, seed, status, error, factor
  columns, path, metrics), all parts with one Arrow schema, so plain
  ``pandas.read_parquet(DIR / "runs")`` reads the whole table without project code;
- ``DIR/series/part-<first run_id>.parquet`` (optional): per-day series, one row per run and day;
- ``DIR/design.parquet``: the design (one row per design point, with the sampler's raw values);
- ``DIR/manifest.json``: the spec, the resolved base config and its hash, master seed, the
  sessions that wrote the folder (each with its git commit, model-code hash and package
  versions), the **parts index** (per part: rows, run ids, counts by status, size and SHA-256
  of the runs part and of its series part, the session that wrote it) and counts by status;
- ``DIR/.lock``: the writer's lock (:mod:`sim.experiments.lock`).

**Integrity.** Every file is written under a temporary dot-name and renamed
(:mod:`sim.ioutil`); a part's checksum is taken from the bytes on disk before the rename, and
the manifest (rewritten after every part) is the commit mark: a run is done when its part is in
the index. The reader verifies every indexed part (size and SHA-256) and refuses a damaged or
missing part, or a run id stored twice, with a one-line error naming the part and the repair
command (``escalation sweep SPEC --out DIR --resume --repair``). A part on disk but not in the
index is a write cut short between the part and the manifest: the reader ignores it (and says
so); a resume adopts it when it has this sweep's schema and new run ids, and otherwise names it.

**Completeness.** :func:`completeness` counts the runs present of those expected per design
point; the report and the dashboard show it at the top and mark figures drawn from incomplete
designs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads

from sim.errors import UserError
from sim.ioutil import os_reason

__all__ = [
    "FORMAT", "RUNS", "SERIES", "MANIFEST", "DESIGN", "DAMAGED", "OWNED", "INCOMPLETE", "Problem",
    "Results", "check_target", "completeness", "completeness_line", "done_run_ids",
    "load_results", "open_results", "read_manifest", "verify_parts",
]

#: Layout version written into ``manifest.json`` (``format``); the reader reads this one only.
FORMAT = 2
RUNS = "runs"
SERIES = "series"
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
#: Where ``--repair`` moves damaged or foreign parts (kept for inspection, never read).
DAMAGED = "damaged"
#: Entries a sweep writes into its folder (removed by ``force``).
OWNED = (RUNS, SERIES, MANIFEST, DESIGN, "report", DAMAGED)
#: Marker shown on every figure and row drawn from a design point with runs missing.
INCOMPLETE = "INCOMPLETE"


def part_name(first_run_id: int) -> str:
    return f"part-{first_run_id:012d}.parquet"


def visible_parts(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith((".", "_")))


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_entry(path: Path, rows: int) -> dict[str, Any]:
    return {"sha256": sha256_file(path), "bytes": path.stat().st_size, "rows": rows}


# ------------------------------------------------------------------------------ manifest


def read_manifest(root: str | Path) -> dict[str, Any]:
    """Return the manifest of a results folder (a one-line error if missing, bad or foreign)."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise UserError(f"{root}: not a sweep results folder (no {MANIFEST})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: unreadable manifest ({os_reason(exc)})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: unreadable manifest (not a JSON object)")
    if data.get("format") != FORMAT:
        raise UserError(f"{path}: results layout format {data.get('format')!r:.20}, this version "
                        f"reads format {FORMAT}; re-run the sweep into a new folder")
    return data


def check_target(out: str | Path, fingerprint: str, *, resume: bool, force: bool) -> bool:
    """Check an output folder before anything is written; return True to resume it.

    A path that is a file, a non-empty folder without ``resume``/``force``, and a resume of a
    folder written by a different spec are one-line :class:`UserError` s. ``force`` wins over
    ``resume``. Writes nothing. A folder holding only what a sweep writes before its first
    manifest (the lock, empty ``runs/`` and ``series/``, the design, temporary files: a sweep
    stopped at once, e.g. by a full disk) counts as empty: nothing computed is in it.
    """
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise UserError(f"--out {root}: is a file, expected a folder")
    if not root.exists() or _blank(root):
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


def _blank(root: Path) -> bool:
    """Whether a folder holds nothing a sweep computed (see :func:`check_target`)."""
    for entry in root.iterdir():
        if entry.name in (".lock", DESIGN) or (entry.name.startswith(".") and
                                                entry.name.endswith(".tmp")):
            continue
        if entry.name in (RUNS, SERIES) and entry.is_dir() and not any(
                p for p in entry.iterdir() if not p.name.startswith(".")):
            continue
        return False
    return True


# ------------------------------------------------------------------------------ integrity


@dataclass(frozen=True)
class Problem:
    """A part that cannot be trusted: its file name under ``runs/``, why, and its runs."""

    part: str
    reason: str
    rows: int = 0


def _check_file(path: Path, entry: Mapping[str, Any]) -> str | None:
    """Why a file does not match its index entry (size, then SHA-256), or None."""
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    if size == 0:
        return f"zero bytes (written as {entry['bytes']:,})"
    if size != entry["bytes"]:
        return f"{'truncated' if size < entry['bytes'] else 'grown'}: {size:,} bytes, " \
               f"written as {entry['bytes']:,}"
    if sha256_file(path) != entry["sha256"]:
        return "checksum mismatch (its bytes changed since it was written)"
    return None


def verify_parts(root: Path, parts: Mapping[str, Mapping[str, Any]]) -> list[Problem]:
    """Check every indexed part (and its series part) against its recorded size and SHA-256."""
    problems = []
    for name, entry in sorted(parts.items()):
        reason = _check_file(root / RUNS / name, entry)
        if reason is None and entry.get("series") is not None:
            why = _check_file(root / SERIES / name, entry["series"])
            reason = f"its series part: {why}" if why else None
        if reason is not None:
            problems.append(Problem(name, reason, int(entry["rows"])))
    return problems


def _repair_hint(root: Path, manifest: Mapping[str, Any]) -> str:
    source = manifest.get("spec_source")
    spec = source if isinstance(source, str) and source != "<spec>" else "SPEC"
    return f"escalation sweep {spec} --out {root} --resume --repair"


def problems_message(root: Path, manifest: Mapping[str, Any], problems: Sequence[Problem]) -> str:
    """One line naming the first bad part, how many more, and the repair command."""
    first = problems[0]
    runs = sum(p.rows for p in problems)
    more = f" (and {len(problems) - 1} more part{'s' if len(problems) > 2 else ''})" \
        if len(problems) > 1 else ""
    return (f"{root / RUNS / first.part}: damaged part: {first.reason}{more}; re-run exactly "
            f"its {runs:,} run{'s' if runs != 1 else ''} with: {_repair_hint(root, manifest)}")


def read_ids(files: Sequence[Path]) -> np.ndarray:
    if not files:
        return np.empty(0, dtype=np.int64)
    ids = pads.dataset([str(f) for f in files], format="parquet").to_table(columns=["run_id"])
    return ids.column("run_id").to_numpy()


def duplicates(root: Path, names: Sequence[str]) -> tuple[list[Problem], np.ndarray]:
    """Parts holding a run id that is stored more than once, and the duplicated ids."""
    ids = {n: read_ids([root / RUNS / n]) for n in names}
    if not ids:
        return [], np.empty(0, dtype=np.int64)
    every = np.concatenate(list(ids.values()))
    uniq, counts = np.unique(every, return_counts=True)
    dup = uniq[counts > 1]
    if not len(dup):
        return [], dup
    bad = [Problem(n, f"holds run ids stored more than once (e.g. run_id {int(dup[0])})", len(v))
           for n, v in ids.items() if np.isin(v, dup).any()]
    return bad, dup


# ------------------------------------------------------------------------------ reading


@dataclass
class Results:
    """A verified results folder: its manifest, runs table and completeness per design."""

    root: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    completeness: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every design point has all its replicates."""
        return bool(self.completeness["complete"].all())

    @property
    def incomplete_designs(self) -> list[int]:
        """Design ids with runs missing."""
        c = self.completeness
        return [int(d) for d in c.loc[~c["complete"], "design_id"]]

    @property
    def code_hashes(self) -> list[str]:
        """Model-code hashes of the sessions whose rows are in the table."""
        return code_hashes_of(self.manifest)


def code_hashes_of(manifest: Mapping[str, Any]) -> list[str]:
    sessions = manifest["sessions"]
    used = sorted({int(p["session"]) for p in manifest["parts"].values()})
    return list(dict.fromkeys(sessions[i]["code_hash"] for i in used))


def _read_table(files: Sequence[Path]) -> pd.DataFrame:
    if not files:
        return pd.DataFrame()
    table = pads.dataset([str(f) for f in files], format="parquet").to_table()
    return table.to_pandas()


def open_results(results_dir: str | Path, *, series: bool = False) -> Results:
    """Read and verify a results folder: the one reader used by the report and the dashboard.

    Checks the manifest, every indexed part's size and SHA-256, and that no run id is stored
    twice; any failure is a one-line :class:`UserError` naming the file (and the repair
    command). Reads only indexed parts, so a part cut short by a crash is never shown; the
    ``notes`` say when such parts were ignored. With ``series=True`` the table is the per-day
    series (sorted by run id and day).
    """
    root = Path(results_dir)
    if not root.exists():
        raise UserError(f"{root}: no such results folder")
    if not root.is_dir():
        raise UserError(f"{root}: is a file, expected a results folder")
    manifest = read_manifest(root)
    parts: dict[str, Any] = manifest["parts"]
    problems = verify_parts(root, parts)
    if problems:
        raise UserError(problems_message(root, manifest, problems))
    names = sorted(parts)
    dup_problems, dup = duplicates(root, names)
    if dup_problems:
        raise UserError(f"{root}: run_id {int(dup[0])} is stored more than once "
                        f"({len(dup):,} run ids in {len(dup_problems)} parts, e.g. "
                        f"{dup_problems[0].part}); the table cannot be trusted: "
                        f"{_repair_hint(root, manifest)}")
    notes = []
    stray = [p.name for p in visible_parts(root / RUNS) if p.name not in parts]
    if stray:
        notes.append(f"{len(stray)} part(s) in runs/ are not in the manifest (a write cut short,"
                     f" e.g. {stray[0]}) and were ignored; --resume adopts or repairs them")
    try:
        runs = _read_table([root / RUNS / n for n in names])
        frame = runs
        if series:
            frame = _read_table([root / SERIES / n for n in names
                                 if parts[n].get("series") is not None])
    except (OSError, pa.ArrowException) as exc:  # verified bytes that still do not parse
        raise UserError(f"{root}: unreadable Parquet parts ({os_reason(exc)})") from None
    if len(frame):
        keys = ["run_id", "day"] if series else ["run_id"]
        frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    return Results(root, manifest, frame, completeness(manifest, runs), notes)


def load_results(results_dir: str | Path, *, series: bool = False) -> pd.DataFrame:
    """Read a sweep's runs table (or, with ``series=True``, its per-day series), by run id.

    The verified table of :func:`open_results` (every part checked against its checksum, no
    run id twice); an empty table when no run has finished yet.
    """
    return open_results(results_dir, series=series).runs


def done_run_ids(root: str | Path) -> np.ndarray:
    """Sorted run ids in the parts the manifest indexes (runs that are done)."""
    root = Path(root)
    parts = read_manifest(root)["parts"]
    return np.sort(read_ids([root / RUNS / n for n in sorted(parts)]))


def completeness(manifest: Mapping[str, Any], runs: pd.DataFrame) -> pd.DataFrame:
    """Runs expected and present per design point (``design_id, expected, present, ok,
    failed, complete``); a design is complete when all its replicates have a row.
    """
    n_designs, reps = int(manifest["n_designs"]), int(manifest["replicates"])
    index = pd.RangeIndex(n_designs, name="design_id")
    if len(runs):
        present = runs.groupby("design_id").size().reindex(index, fill_value=0)
        ok = runs[runs["status"] == "ok"].groupby("design_id").size().reindex(index, fill_value=0)
    else:
        present = ok = pd.Series(0, index=index)
    frame = pd.DataFrame({"design_id": np.arange(n_designs), "expected": reps,
                          "present": present.to_numpy(np.int64), "ok": ok.to_numpy(np.int64)})
    frame["failed"] = frame["present"] - frame["ok"]
    frame["complete"] = frame["present"] >= frame["expected"]
    return frame


def completeness_line(comp: pd.DataFrame) -> str:
    """One line: runs present of expected, and designs complete (naming incomplete ones)."""
    present, expected = int(comp["present"].sum()), int(comp["expected"].sum())
    done = int(comp["complete"].sum())
    line = (f"runs present: {present:,} of {expected:,}; design points complete: {done:,} of "
            f"{len(comp):,}")
    if done < len(comp):
        missing = comp.loc[~comp["complete"], "design_id"].tolist()
        shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
        line += f" ({INCOMPLETE}: design {shown})"
    return line
