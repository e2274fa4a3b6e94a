"""Safe file output: write to a temporary file in the same folder, then rename.

A reader (or a crash) never sees a partial file; an existing file is replaced atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.errors import UserError


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_json(path: str | Path, data: Any) -> Path:
    """Atomically write JSON (sorted keys, indented)."""
    return atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"))


def write_parquet(path: str | Path, frame: Any) -> Path:
    """Atomically write a pandas DataFrame as Parquet."""
    return atomic_write(path, lambda p: frame.to_parquet(p, index=False))


def prepare_out_dir(path: str | Path) -> Path:
    """An output folder: created if missing; a path that is a file is a user error."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file, expected a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot create folder ({exc.strerror})") from None
    return out
