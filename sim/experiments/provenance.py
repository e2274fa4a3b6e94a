"""Provenance of a sweep session: the model code's hash, the git commit, package versions, time.

**The model-code hash** (:func:`code_hash`) is a SHA-256 over the Python source of every module
that decides what a run's row holds: the packages ``sim/core`` (rules, draws, outcomes, the
transition), ``sim/engines`` (Mesa model, ensemble), ``sim/config`` (the config schema and its
defaults) and ``agents``, plus ``sim/experiments/spec.py`` and ``sim/experiments/runner.py``
(design points, seeds and the making of rows). Each file enters as its path relative to the
project root and its bytes, in sorted order, so the hash changes when any of those files changes
(``sim/core/outcomes.py`` included) and does not change with the checkout's location, ``.pyc``
files, the CLI, the analysis or the dashboards. Configuration files are not in it: the resolved
base config is hashed into the sweep's fingerprint, which ``--resume`` checks separately.
A resumed sweep refuses to add rows made by different model code unless
``--allow-code-change`` is given (and that is recorded).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The project root (holding ``sim/`` and ``agents/``).
ROOT = Path(__file__).resolve().parents[2]
#: Folders (all ``*.py`` below them) and files whose source makes up the model code.
CODE_FOLDERS: tuple[str, ...] = ("sim/core", "sim/engines", "sim/config", "agents")
CODE_FILES: tuple[str, ...] = ("sim/experiments/spec.py", "sim/experiments/runner.py")
#: Packages whose versions the manifest records.
PACKAGES = ("escalation-sim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib",
            "dask", "distributed")


def code_files(root: Path = ROOT) -> list[Path]:
    """The source files hashed by :func:`code_hash`, sorted by their path under ``root``."""
    files = [p for folder in CODE_FOLDERS for p in (root / folder).rglob("*.py")]
    files += [root / f for f in CODE_FILES if (root / f).is_file()]
    return sorted(set(files), key=lambda p: p.relative_to(root).as_posix())


def code_hash(root: Path = ROOT) -> str:
    """SHA-256 (first 16 hex digits) of the model code's source (see the module doc)."""
    h = hashlib.sha256()
    for path in code_files(root):
        rel = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()[:16]


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
    where = Path(repo) if repo is not None else ROOT
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
