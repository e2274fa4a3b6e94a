"""Sweep throughput and peak memory: mesa.batch_run vs `escalation sweep` (mesa and ensemble).

One invocation measures, on the baseline config at the same number of days, summary only:

  a. mesa.batch_run(EscalationModel, parameters={"rng": seeds}, max_steps=DAYS,
     number_processes=1, data_collection_period=-1)           (--batch-runs runs)
  b. sim.sweep(spec, engine="mesa")                          (--mesa-runs runs)
  c. sim.sweep(spec, engine="ensemble")  (the default engine) (--ensemble-runs runs)
  d. `escalation sweep SPEC --out DIR` (the CLI, ensemble)   (--big-runs runs; --full: 100,000)

Each measurement runs in a fresh child process (so imports and memory do not leak between them);
the parent samples the resident memory (RSS) of the child and all its descendants every
--poll seconds and reports the peak of the sum. runs/s is runs / seconds of the work itself
(measured in the child, after imports); "wall" includes interpreter start-up and imports;
runs/cpu-s divides by the CPU seconds (user + system, workers included), a figure that other
load on a shared machine does not change. The
seeds are the sweep's own (sim.core.draws.seed_for(master_seed, 0, replicate)), so every part runs the
same baseline replicates.

Usage (from the repository root):
    .venv/bin/python benchmarks/bench_sweep.py                # defaults: a few minutes on 2 cores
    .venv/bin/python benchmarks/bench_sweep.py --full         # adds the 100,000-run sweep
    .venv/bin/python benchmarks/bench_sweep.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "baseline.yaml"
MASTER_SEED = 20200103
FULL_BIG_RUNS = 100_000

try:
    import psutil
except ImportError:  # fall back to the kernel's per-child high-water mark
    psutil = None


# --------------------------------------------------------------------------- child side


def _spec(runs: int, days: int) -> dict:
    return {"name": "bench_baseline", "base": str(BASELINE), "days": days, "replicates": runs,
            "master_seed": MASTER_SEED, "sampler": "grid", "record": "summary"}


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished, waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _child(kind: str, runs: int, days: int, workers: int, out: str,
           chunk_size: int | None) -> dict:
    """Do one measured piece of work in this (child) process; return timing as a dict."""
    if kind == "batch_run":
        import mesa

        from sim import EscalationModel
        from sim.core.draws import seed_for

        seeds = [seed_for(MASTER_SEED, 0, r) for r in range(runs)]
        t0, c0 = time.perf_counter(), _cpu_seconds()
        rows = mesa.batch_run(EscalationModel, parameters={"rng": seeds}, max_steps=days,
                              number_processes=workers, data_collection_period=-1,
                              display_progress=False)
        seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
        done = len({row["rng"] for row in rows})
    else:
        import pandas as pd

        from sim import sweep

        engine = "mesa" if kind == "sweep_mesa" else "ensemble"
        t0, c0 = time.perf_counter(), _cpu_seconds()
        folder = sweep(_spec(runs, days), out, workers=workers, engine=engine, progress=False,
                       chunk_size=chunk_size if engine == "ensemble" else None)
        seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
        done = len(pd.read_parquet(Path(folder) / "runs", columns=["status"]))
    return {"runs": done, "seconds": seconds, "cpu": cpu}


# --------------------------------------------------------------------------- parent side


def _tree_rss(proc) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def _measure(cmd: list[str], poll: float, result_file: Path | None) -> dict:
    """Run ``cmd``; return its wall time, peak tree RSS (MB) and the child's JSON result."""
    t0 = time.perf_counter()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if psutil is None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run(cmd, check=True, cwd=ROOT)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        # ru_maxrss: KB on Linux; the largest single child so far (not a tree sum).
        peak_mb = max(after, before) / 1024
        how = "getrusage (largest process)"
    else:
        proc = subprocess.Popen(cmd, cwd=ROOT)
        ps = psutil.Process(proc.pid)
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                try:
                    peak = max(peak, _tree_rss(ps))
                except psutil.NoSuchProcess:
                    return
                stop.wait(poll)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        code = proc.wait()
        wall = time.perf_counter() - t0
        stop.set()
        thread.join()
        if code != 0:
            raise SystemExit(f"benchmark step failed (exit {code}): {' '.join(cmd)}")
        peak_mb = peak / 2**20
        how = "psutil (process tree)"
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    tree_cpu = (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)
    out = {"wall": wall, "peak_mb": peak_mb, "memory": how, "tree_cpu": tree_cpu}
    if result_file is not None:
        out.update(json.loads(result_file.read_text()))
    return out


def _step(kind: str, runs: int, days: int, workers: int, poll: float, tmp: Path,
          chunk_size: int | None) -> dict:
    out_dir = tmp / f"{kind}-{runs}"
    result = tmp / f"{kind}-{runs}.json"
    cmd = [sys.executable, __file__, "--child", kind, "--runs", str(runs), "--days", str(days),
           "--workers", str(workers), "--out", str(out_dir), "--result", str(result)]
    if chunk_size:
        cmd += ["--chunk-size", str(chunk_size)]
    return _measure(cmd, poll, result)


def _cli_step(runs: int, days: int, workers: int, poll: float, tmp: Path,
              chunk_size: int | None) -> dict:
    import yaml

    spec_file = tmp / f"baseline-{runs}.yaml"
    spec_file.write_text(yaml.safe_dump(_spec(runs, days)))
    out_dir = tmp / f"cli-{runs}"
    exe = Path(sys.executable).with_name("escalation")
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else
                                                           ["-m", "sim.cli"]),
           "sweep", str(spec_file), "--out", str(out_dir), "--workers", str(workers),
           "--no-progress", *(["--chunk-size", str(chunk_size)] if chunk_size else [])]
    res = _measure(cmd, poll, None)
    import pandas as pd

    res["runs"] = len(pd.read_parquet(out_dir / "runs", columns=["status"]))
    res["seconds"] = res["wall"]  # the CLI is timed from outside: start-up included
    res["cpu"] = res["tree_cpu"]
    return res


def _table(rows: list[tuple[str, dict]], base: dict) -> str:
    head = ("what", "runs", "work s", "wall s", "cpu s", "runs/s", "runs/cpu-s", "peak MB",
            "x runs/s", "x runs/cpu-s", "x peak MB")
    body = []
    base_rate = base["runs"] / base["seconds"]
    base_cpu_rate = base["runs"] / base["cpu"]
    for name, r in rows:
        rate, cpu_rate = r["runs"] / r["seconds"], r["runs"] / r["cpu"]
        body.append((name, f"{r['runs']:,}", f"{r['seconds']:.1f}", f"{r['wall']:.1f}",
                     f"{r['cpu']:.1f}", f"{rate:,.1f}", f"{cpu_rate:,.1f}",
                     f"{r['peak_mb']:,.0f}", f"{rate / base_rate:,.1f}",
                     f"{cpu_rate / base_cpu_rate:,.1f}", f"{r['peak_mb'] / base['peak_mb']:.2f}"))
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(head, widths, strict=True)))]
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(b, widths, strict=True))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365, help="days per run (default 365)")
    ap.add_argument("--batch-runs", type=int, default=10, help="runs for mesa.batch_run")
    ap.add_argument("--mesa-runs", type=int, default=10, help="runs for the Mesa engine sweep")
    ap.add_argument("--ensemble-runs", type=int, default=10_000,
                    help="runs for the ensemble engine sweep (Python API)")
    ap.add_argument("--big-runs", type=int, default=20_000,
                    help="runs of the `escalation sweep` CLI memory run (ensemble)")
    ap.add_argument("--full", action="store_true",
                    help=f"the memory run with {FULL_BIG_RUNS:,} runs (overrides --big-runs)")
    ap.add_argument("--workers", type=int, default=1,
                    help="worker processes for every part (default 1, like number_processes=1)")
    ap.add_argument("--chunk-size", type=int, default=None,
                    help="runs per task for the ensemble parts (default: the sweep's own)")
    ap.add_argument("--poll", type=float, default=0.05, help="RSS sampling period, seconds")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--runs", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--result", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        res = _child(args.child, args.runs, args.days, args.workers, args.out, args.chunk_size)
        Path(args.result).write_text(json.dumps(res))
        return 0

    big = FULL_BIG_RUNS if args.full else args.big_runs
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
          f"{load:.1f} at start; baseline, {args.days} days, summary only, "
          f"{args.workers} worker(s), ensemble chunk size {args.chunk_size or 'default'}; "
          f"memory: {'psutil' if psutil else 'getrusage'}",
          flush=True)
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmpdir:
        tmp = Path(tmpdir)
        plan = [("mesa.batch_run", "batch_run", args.batch_runs),
                ("sweep --engine mesa", "sweep_mesa", args.mesa_runs),
                ("sweep --engine ensemble", "sweep_ensemble", args.ensemble_runs)]
        for label, kind, n in plan:
            if n <= 0:
                continue
            print(f"  {label}: {n:,} runs ...", flush=True)
            rows.append((label, _step(kind, n, args.days, args.workers, args.poll, tmp,
                                      args.chunk_size)))
        if big > 0:
            print(f"  escalation sweep (CLI, ensemble): {big:,} runs ...", flush=True)
            rows.append(("escalation sweep CLI (ensemble)",
                         _cli_step(big, args.days, args.workers, args.poll, tmp,
                                   args.chunk_size)))
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    base = dict(rows)["mesa.batch_run"] if "mesa.batch_run" in dict(rows) else rows[0][1]
    print()
    print(_table(rows, base))
    print(f"\nx = ratio to mesa.batch_run. work s / cpu s: wall and CPU seconds of the work "
          f"inside the child, after imports (the CLI row: the whole command, start-up "
          f"included). runs/cpu-s does not depend on other load on the machine; runs/s does. "
          f"Load average {load_end:.1f} at end.")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"days": args.days, "workers": args.workers, "chunk_size": args.chunk_size,
             "load_start": load,
             "load_end": load_end, "rows": {k: v for k, v in rows}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
