"""Where tasks run: in this process, in a local process pool, or on a Dask cluster.

Each executor takes an iterable of tasks and a function that runs one task, keeps a bounded
number in flight (memory stays flat however big the sweep), and yields results as they finish.

**Workers die with their parent.** A local pool's workers are started by
:func:`_worker_start`, which on Linux asks the kernel to kill the worker when the sweep's
process dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) and everywhere starts a watchdog thread that
exits the worker once its parent has gone (``os.getppid()`` changes). So ``kill -9`` of a sweep
leaves no orphan workers; the multiprocessing resource tracker exits by itself once no process
holds its pipe.

**Dask connections are bounded.** :func:`connect` checks the address's form first (no
half-built client left to print an "Exception ignored" trace) and waits at most the connect
timeout (plus a short grace) even when the address answers but is not a Dask scheduler.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable
from typing import Any

from sim.errors import UserError, quote

#: How a task's runs are computed: all replicates of a design point as arrays (``ensemble``), or
#: one Mesa model per run (``mesa``); the rows are identical.
ENGINES: tuple[str, ...] = ("ensemble", "mesa")
#: Default runs per task: the ensemble is fastest on big arrays, Mesa runs are slow one by one.
DEFAULT_CHUNK = {"ensemble": 2000, "mesa": 8}
#: Seconds to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = 10.0
#: Extra seconds allowed beyond the connect timeout before the wait is abandoned.
CONNECT_GRACE = 2.0
#: How often (seconds) a worker's watchdog checks that its parent is alive.
WATCHDOG_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def serial(tasks: Iterable[Any], run: Callable[[Any], Any]) -> Generator[Any, None, None]:
    """Run tasks one after the other in this process."""
    for task in tasks:
        yield run(task)


def bounded(submit: Callable[[Any], Any], wait_any: Callable[[set[Any]], set[Any]],
            tasks: Iterable[Any], in_flight: int) -> Generator[Any, None, None]:
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


# ------------------------------------------------------------------------------ local pool


def _watchdog(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)  # the sweep is gone: nothing will read this worker's results
        time.sleep(WATCHDOG_SECONDS)


def _worker_start(parent: int) -> None:
    """Initializer of every pool worker: die when the parent process dies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still ends the worker
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watchdog, args=(parent,), name="parent-watchdog",
                     daemon=True).start()


def local_pool(tasks: Iterable[Any], run: Callable[[Any], Any], workers: int) -> Generator[Any, None, None]:
    """Run tasks in ``workers`` spawned processes that exit when this process dies."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent (tqdm, pyarrow)
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                  initializer=_worker_start, initargs=(os.getpid(),))
    try:
        yield from bounded(
            lambda t: pool.submit(run, t),
            lambda p: cf.wait(p, return_when=cf.FIRST_COMPLETED).done,
            tasks, 2 * workers)
    except cf.process.BrokenProcessPool as exc:
        pool.shutdown(wait=False, cancel_futures=True)
        raise UserError(
            f"a worker process died ({exc}); finished runs are kept, so rerun with --resume. "
            "From a Python script, call sweep(workers>1) under if __name__ == '__main__':"
        ) from None
    except BaseException:  # interrupted, closed early or a write failed: do not wait for tasks
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# ------------------------------------------------------------------------------ Dask


def check_address(address: str) -> None:
    """A one-line UserError unless ``address`` looks like a scheduler address
    (``tcp://host:port``, ``tls://host:port`` or ``host:port``).
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, loc = parse_address(address)
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(loc)
            if not host or port is None:
                raise ValueError("no host or port")
    except (ValueError, TypeError) as exc:
        raise UserError(f"--scheduler {quote(address)}: not a scheduler address ({exc}); "
                        "expected e.g. tcp://10.0.0.5:8786") from None


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """Connect to a running Dask scheduler; fail with a one-line error within about
    ``timeout`` seconds, whatever answers (or does not) at the address.

    The endpoint is first asked who it is over a bare Dask comm (no client object: a client
    that fails half-built prints an "Exception ignored" trace when it is collected); only a
    Dask scheduler that answers gets a :class:`distributed.Client`.
    """
    if not timeout > 0:
        raise UserError(f"--connect-timeout {timeout!r}: must be more than 0 seconds")
    check_address(address)
    reason = _bounded_call(lambda: _probe(address, timeout), timeout)
    if reason is not None:
        raise UserError(f"--scheduler {address}: cannot connect to a Dask scheduler within "
                        f"{timeout:g} s ({reason})")
    from distributed import Client

    box: dict[str, Any] = {}
    reason = _bounded_call(lambda: box.setdefault(
        "client", Client(address, timeout=timeout, set_as_default=False)), timeout)
    if reason is not None or "client" not in box:
        raise UserError(f"--scheduler {address}: cannot connect to a Dask scheduler within "
                        f"{timeout:g} s ({reason})")
    return box["client"]


def _bounded_call(call: Callable[[], Any], timeout: float) -> str | None:
    """Run ``call`` in a daemon thread for at most ``timeout`` + grace seconds; return why it
    failed (or None).
    """
    box: dict[str, BaseException] = {}

    def attempt() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - reported as one line
            box["error"] = exc

    thread = threading.Thread(target=attempt, name="dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + CONNECT_GRACE)
    if thread.is_alive():
        return "no answer from a Dask scheduler"
    return _reason(box["error"]) if "error" in box else None


def _probe(address: str, timeout: float) -> None:
    """Ask the endpoint for its identity over a bare comm; raise unless it is a scheduler."""
    import asyncio

    from distributed.comm import connect as comm_connect

    async def ask() -> Any:
        comm = await comm_connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    try:
        answer = asyncio.run(asyncio.wait_for(ask(), timeout))
    except (OSError, TimeoutError):
        raise
    except Exception:  # noqa: BLE001 - garbage on the wire: not a Dask scheduler
        raise ValueError("the endpoint answered, but not as a Dask scheduler") from None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise ValueError("the endpoint answered, but not as a Dask scheduler")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) and not str(exc):
        return "no answer from a Dask scheduler"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def dask(tasks: Iterable[Any], run: Callable[[Any], Any], client: Any) -> Generator[Any, None, None]:
    """Run tasks on a Dask cluster, two per worker thread in flight."""
    from distributed import as_completed

    in_flight = 2 * max(1, sum(client.nthreads().values()))
    source = iter(tasks)
    first = [client.submit(run, t, pure=False) for t in itertools.islice(source, in_flight)]
    if not first:
        return
    finished = as_completed(first, loop=client.loop)
    for fut in finished:  # as one finishes, submit the next: memory stays bounded
        result = fut.result()
        fut.release()
        task = next(source, None)
        if task is not None:
            finished.add(client.submit(run, task, pure=False))
        yield result
