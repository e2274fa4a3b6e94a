"""One writer per results folder: an exclusive lock on ``DIR/.lock``.

:class:`FolderLock` takes an ``flock`` on ``DIR/.lock`` (kept open while the sweep writes) and
writes the holder into it: process id, host and start time. A second writer is refused with a
one-line :class:`~sim.errors.UserError` naming the holder. The kernel drops an ``flock`` when its
process dies, however it dies (``kill -9`` included), so a lock left by a killed sweep is stale
by construction: the next writer takes it and says whose it was. On a file system without
``flock`` the holder's liveness is checked instead (same host: is the pid running?).

The lock file is never deleted (deleting a lock file races with a writer that has just opened
it); readers skip dot-files, and a folder holding nothing but ``.lock`` counts as empty.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.ioutil import os_reason

try:
    import fcntl
except ImportError:  # not POSIX: liveness check only
    fcntl = None  # type: ignore[assignment]

LOCK = ".lock"


def _holder_text(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "a process that left no details"
    return (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
            f"started {holder.get('started', '?')}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FolderLock:
    """Exclusive lock of a results folder (use as a context manager or acquire/release)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.path = self.root / LOCK
        self.fd: int | None = None
        #: The holder recorded by an earlier writer that died without releasing (or None).
        self.stale: dict[str, Any] | None = None

    def _read_holder(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def acquire(self) -> FolderLock:
        """Take the lock or raise a one-line UserError naming the writer that holds it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise UserError(f"--out {self.root}: cannot create the folder's lock file "
                            f"({os_reason(exc)})") from None
        try:
            locked = self._flock(fd)
        except BaseException:
            os.close(fd)
            raise
        holder = self._read_holder()
        if not locked:  # no flock here: fall back on the recorded holder's liveness
            if holder and holder.get("host") == socket.gethostname() and \
                    holder.get("pid") != os.getpid() and _alive(int(holder.get("pid", -1))):
                os.close(fd)
                raise self._busy(holder)
        if holder and holder.get("pid") is not None:
            self.stale = holder  # a holder's record survives only if it never released
        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode(), 0)
        except OSError:
            pass  # a full disk: the lock holds without the details
        self.fd = fd
        return self

    def _flock(self, fd: int) -> bool:
        """True when the flock is held; False when the file system has no flock."""
        if fcntl is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise self._busy(self._read_holder()) from None
        except OSError as exc:
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                return False
            raise UserError(f"--out {self.root}: cannot lock the folder ({os_reason(exc)})") \
                from None
        return True

    def _busy(self, holder: dict[str, Any] | None) -> UserError:
        return UserError(f"--out {self.root}: another sweep is writing this folder "
                         f"({_holder_text(holder)}); wait for it to finish or stop it, "
                         "then --resume")

    def release(self) -> None:
        """Clear the holder record and drop the lock (the file stays: see the module doc)."""
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        if fcntl is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            except OSError:
                pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def stale_note(lock: FolderLock) -> str | None:
    """A line saying whose stale lock was taken over, or None."""
    if lock.stale is None:
        return None
    return f"took over the lock left by {_holder_text(lock.stale)} (no longer running)"
