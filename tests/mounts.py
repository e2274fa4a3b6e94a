"""Small tmpfs mounts for tests: a read-only folder and a nearly full disk.

Mounting needs root; CI runs as root. Elsewhere the tests that need a mount skip, naming why.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI is root)")


def _run(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True, timeout=30)


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "1m", read_only: bool = False) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` on ``path`` (created), unmounted on exit."""
    path.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        if read_only:
            remount(path, "ro")
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def remount(path: Path, options: str) -> None:
    """Change a mounted tmpfs's options (``ro``, ``rw``, ``size=...``)."""
    _run("mount", "-o", f"remount,{options}", str(path))
