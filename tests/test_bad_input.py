"""The bad-input probe as a test suite (issue 9): every bad input a user can give the CLI, the
API or the dashboard's seed box gets one clear line, exit status 2, no traceback, no hang.

Each CLI case runs ``python -m sim.cli ...`` in a subprocess, as a user would, and asserts:
exit status 2; exactly one line on stderr; no "Traceback" and no "Exception ignored" anywhere;
the flag, key or file named; an answer within the case's time limit (a hang fails the test).
Cases are grouped in families (seeds, numbers, output paths, config files, scheduler, results
folders); the API and seed-box cases call the functions in this process.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import MAX_MESSAGE

from .conftest import ROOT
from .mounts import ROOT_ONLY, remount, tmpfs

GRID = ROOT / "tests" / "specs" / "small_grid.yaml"
KILL = ROOT / "tests" / "specs" / "kill.yaml"


@dataclass(frozen=True)
class Case:
    """A bad input: its family, the argv (built from the prepared files), what must be named."""

    family: str
    argv: Callable[[dict], list[str]]
    expect: str
    limit: float = 60.0  # seconds before the case counts as a hang
    root: bool = False  # needs a tmpfs mount


def _spec_with(env: dict, name: str, **changes) -> str:
    path = env["tmp"] / f"{name}.yaml"
    text = GRID.read_text().replace("../../configs", str(ROOT / "configs"))
    for key, value in changes.items():
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith(f"{key}:"))
        text += f"\n{key}: {value}\n"
    path.write_text(text)
    return str(path)


def _damaged(env: dict, how: str) -> str:
    """A copy of the prepared results folder, damaged ``how``."""
    folder = env["tmp"] / f"res-{how}-{time.monotonic_ns()}"
    shutil.copytree(env["results"], folder)
    part = folder / "runs" / "part-000000000000.parquet"
    if how == "bitflip":
        data = bytearray(part.read_bytes())
        data[len(data) // 2] ^= 0x10
        part.write_bytes(bytes(data))
    elif how == "truncated":
        part.write_bytes(part.read_bytes()[:500])
    elif how == "zero":
        part.write_bytes(b"")
    elif how == "foreign":
        pd.DataFrame({"run_id": [100], "x": [0.5]}).to_parquet(
            folder / "runs" / "part-000000000100.parquet")
    elif how == "format":
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))
    elif how == "series":
        series = folder / "series" / "part-000000000000.parquet"
        series.write_bytes(series.read_bytes()[:-10])
    return str(folder)


CALIB = ROOT / "tests" / "specs" / "calibration_small.yaml"
HISTORY = ROOT / "configs" / "history"


def _calib_spec(env: dict, name: str, text: str | None = None, facts: str | None = None) -> str:
    """A calibration spec like tests/specs/calibration_small.yaml, with ``text`` appended (YAML keys
    replace the small spec's) and an optional facts file."""
    import yaml

    raw = yaml.safe_load(CALIB.read_text())
    raw["config"] = str(ROOT / "configs" / "baseline.yaml")
    raw["facts"] = facts or str(HISTORY / "facts_2020h1.yaml")
    raw.update(yaml.safe_load(text or "{}") or {})
    path = env["tmp"] / f"calib-{name}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def _facts_with(env: dict, name: str, statistic: str | None = None, kind: str | None = None) -> str:
    """A copy of the facts file: its first fact's statistic renamed, or its record with an event of
    an unknown kind."""
    import yaml

    facts = yaml.safe_load((HISTORY / "facts_2020h1.yaml").read_text())
    facts["kinds"] = str(HISTORY / facts["kinds"])
    record = HISTORY / facts["record"]
    if kind is not None:
        rec = yaml.safe_load(record.read_text())
        rec["events"][3]["kind"] = kind
        record = env["tmp"] / f"record-{name}.yaml"
        record.write_text(yaml.safe_dump(rec, allow_unicode=True))
    facts["record"] = str(record)
    if statistic is not None:
        facts["facts"][0]["statistic"] = statistic
    path = env["tmp"] / f"facts-{name}.yaml"
    path.write_text(yaml.safe_dump(facts, allow_unicode=True))
    return str(path)


def _observed(env: dict) -> str:
    path = env["tmp"] / "observed.yaml"
    path.write_text("observed:\n  monthly.attacks.2021-02: 3\n")
    return str(path)


def _foreign_checkpoint(env: dict) -> str:
    out = env["tmp"] / "calib-foreign"
    (out / "checkpoint" / "batches").mkdir(parents=True, exist_ok=True)
    (out / "checkpoint" / "spec.json").write_text('{"fingerprint": "0123456789abcdef"}')
    (out / "checkpoint" / "batches" / "batch_000000.npy").write_bytes(b"computed before")
    return str(out)


def _resume(env: dict, how: str) -> list[str]:
    return ["sweep", str(GRID), "--out", _damaged(env, how), "--resume", "--no-progress"]


CASES: dict[str, Case] = {
    # -- seeds: never wrapped, never negative
    "run-seed-2**64+1": Case("seeds", lambda e: ["run", "--seed", str(2**64 + 1)], "--seed"),
    "run-seed-2**63": Case("seeds", lambda e: ["run", "--seed", str(2**63)], "--seed"),
    "run-seed-negative": Case("seeds", lambda e: ["run", "--seed", "-1"], "--seed"),
    "run-seed-text": Case("seeds", lambda e: ["run", "--seed", "abc"], "--seed"),
    "run-seed-5000-digits": Case("seeds", lambda e: ["run", "--seed", "9" * 5000], "--seed"),
    "validate-seed-negative": Case("seeds", lambda e: ["validate", "--seed", "-1"], "--seed"),
    "validate-seed-2**63": Case("seeds", lambda e: ["validate", "--seed", str(2**63)], "--seed"),
    "sweep-master-seed-2**63": Case(
        "seeds", lambda e: ["sweep", _spec_with(e, "s63", master_seed=2**63), "--out",
                            str(e["tmp"] / "o1")], "master_seed"),
    "sweep-master-seed-negative": Case(
        "seeds", lambda e: ["sweep", _spec_with(e, "sneg", master_seed=-1), "--out",
                            str(e["tmp"] / "o2")], "master_seed"),
    # -- numbers: bounded, finite
    "run-days-100000000": Case("numbers", lambda e: ["run", "--days", "100000000"], "--days"),
    "run-days-3651": Case("numbers", lambda e: ["run", "--days", "3651"], "--days"),
    "run-days-0": Case("numbers", lambda e: ["run", "--days", "0"], "--days"),
    "validate-days-100000": Case("numbers", lambda e: ["validate", "--days", "100000"], "--days"),
    "validate-only-unknown-claim": Case("numbers", lambda e: ["validate", "--only", "C1,C99"], "C99"),
    "sweep-flush-nan": Case("numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                  "--flush-seconds", "nan"], "--flush-seconds"),
    "sweep-flush-negative": Case("numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                       "--flush-seconds", "-1"],
                                 "--flush-seconds"),
    "sweep-flush-inf": Case("numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                  "--flush-seconds", "inf"], "--flush-seconds"),
    "sweep-flush-zero": Case("numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                   "--flush-seconds", "0"], "--flush-seconds"),
    "sweep-connect-timeout-negative": Case(
        "numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"), "--scheduler",
                              "tcp://127.0.0.1:1", "--connect-timeout", "-1"],
        "--connect-timeout"),
    "sweep-connect-timeout-nan": Case(
        "numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"), "--connect-timeout", "nan"],
        "--connect-timeout"),
    "sweep-workers-0": Case("numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                  "--workers", "0"], "--workers"),
    "sweep-chunk-size-negative": Case("numbers", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                            "--chunk-size", "-2"],
                                      "--chunk-size"),
    "compare-runs-1": Case("numbers", lambda e: ["compare", "--runs", "1"], "--runs"),
    "compare-runs-text": Case("numbers", lambda e: ["compare", "--runs", "many"], "--runs"),
    "compare-days-0": Case("numbers", lambda e: ["compare", "--days", "0"], "--days"),
    "compare-days-3651": Case("numbers", lambda e: ["compare", "--days", "3651"], "--days"),
    "compare-seed-negative": Case("seeds", lambda e: ["compare", "--seed", "-1"], "--seed"),
    # -- output paths: /proc, read-only, a file
    "run-out-proc-missing": Case("out", lambda e: ["run", "--days", "2", "--out", "/proc/nope"],
                                 "--out /proc/nope"),
    "run-out-proc": Case("out", lambda e: ["run", "--days", "2", "--out", "/proc"], "--out /proc"),
    "run-out-read-only": Case("out", lambda e: ["run", "--days", "2", "--out",
                                                str(e["ro"] / "run")], "--out", root=True),
    "sweep-out-proc-missing": Case("out", lambda e: ["sweep", str(GRID), "--out", "/proc/nope"],
                                   "--out /proc/nope"),
    "sweep-out-proc": Case("out", lambda e: ["sweep", str(GRID), "--out", "/proc"],
                           "--out /proc"),
    "sweep-out-read-only": Case("out", lambda e: ["sweep", str(GRID), "--out",
                                                  str(e["ro"] / "sweep")], "--out", root=True),
    "sweep-out-is-a-file": Case("out", lambda e: ["sweep", str(GRID), "--out",
                                                  str(e["file"])], "is a file"),
    "compare-out-proc": Case("out", lambda e: ["compare", "--runs", "2", "--days", "2", "--out",
                                               "/proc/nope"], "--out /proc/nope"),
    "compare-out-read-only": Case("out", lambda e: ["compare", "--runs", "2", "--days", "2",
                                                    "--out", str(e["ro"] / "cmp")], "--out",
                                  root=True),
    "compare-out-is-a-file": Case("out", lambda e: ["compare", "--runs", "2", "--days", "2",
                                                    "--out", str(e["file"])], "is a file"),
    "report-out-proc": Case("out", lambda e: ["report", str(e["results"]), "--out",
                                              "/proc/nope"], "--out /proc/nope"),
    "report-out-read-only": Case("out", lambda e: ["report", str(e["results"]), "--out",
                                                   str(e["ro"] / "report")], "--out",
                                 root=True),
    "report-results-on-read-only": Case("out", lambda e: ["report", str(e["ro_results"])],
                                        "--out", root=True),
    # -- config files: only small regular UTF-8 YAML files, no alias bombs
    "config-proc-self-mem": Case("config", lambda e: ["run", "--config", "/proc/self/mem"],
                                 "mem: cannot read config file"),
    "config-fifo": Case("config", lambda e: ["run", "--config", str(e["fifo"])],
                        "not a regular file", limit=30),
    "config-dev-zero": Case("config", lambda e: ["run", "--config", "/dev/zero"],
                            "/dev/zero: not a regular file", limit=30),
    "config-folder": Case("config", lambda e: ["run", "--config", str(e["tmp"])],
                          "is a directory"),
    "config-binary": Case("config", lambda e: ["run", "--config", sys.executable],
                          "not a UTF-8 text file"),
    "config-missing": Case("config", lambda e: ["run", "--config", "nope.yaml"],
                           "nope.yaml: no such config file"),
    "config-alias-bomb": Case("config", lambda e: ["run", "--config", str(e["bomb"])],
                              "alias bomb", limit=30),
    "config-recursive-alias": Case("config", lambda e: ["run", "--config", str(e["recursive"])],
                                   "recursive"),
    "config-huge": Case("config", lambda e: ["run", "--config", str(e["huge"])], "too large"),
    "config-syntax": Case("config", lambda e: ["run", "--config", str(e["syntax"])],
                          "syntax.yaml: YAML syntax error"),
    "set-huge-value": Case("config", lambda e: ["run", "--set",
                                                "actors.iran.revenge_weight=" + "9" * 20000],
                           "actors.iran.revenge_weight"),
    "spec-fifo": Case("config", lambda e: ["sweep", str(e["fifo"]), "--out", str(e["tmp"] / "never")],
                      "not a regular file", limit=30),
    "spec-alias-bomb": Case("config", lambda e: ["sweep", str(e["bomb"]), "--out", str(e["tmp"] / "never")],
                            "alias bomb", limit=30),
    "compare-config-missing": Case("config", lambda e: ["compare", "nope.yaml", "--runs", "2"],
                                   "nope.yaml: no such config file"),
    "compare-b-missing": Case("config", lambda e: ["compare", str(ROOT / "configs" / "baseline.yaml"),
                                                   "nope_b.yaml"], "nope_b.yaml: no such config file"),
    "compare-set-b-unknown-key": Case("config", lambda e: ["compare", "--set-b", "actors.nope=1"],
                                      "--set-b actors.nope=1"),
    "compare-set-a-bad-value": Case("config", lambda e: [
        "compare", "--set-a", "actors.united_states.retaliation_weight=abc"], "--set-a"),
    "compare-set-not-key-value": Case("config", lambda e: ["compare", "--set", "nokey"], "--set 'nokey'"),
    "report-discover-unknown-metric": Case("config", lambda e: ["report", str(e["results"]), "--out",
                                                                str(e["tmp"] / "never"), "--discover",
                                                                "us_kiled > 1"], "--discover"),
    "report-discover-unknown-path": Case("config", lambda e: ["report", str(e["results"]), "--out",
                                                              str(e["tmp"] / "never"), "--discover",
                                                              "path == peace"], "not a path"),
    # -- Dask scheduler: checked address, bounded wait
    "scheduler-not-a-url": Case("scheduler", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                        "--scheduler", "not a url"],
                                "--scheduler 'not a url'", limit=30),
    "scheduler-closed-port": Case("scheduler", lambda e: [
        "sweep", str(GRID), "--out", str(e["tmp"] / "o3"), "--scheduler",
        f"tcp://127.0.0.1:{e['closed_port']}", "--connect-timeout", "1"], "--scheduler",
        limit=30),
    "scheduler-silent-endpoint": Case("scheduler", lambda e: [
        "sweep", str(GRID), "--out", str(e["tmp"] / "o4"), "--scheduler",
        f"tcp://127.0.0.1:{e['silent_port']}", "--connect-timeout", "1"], "within 1 s",
        limit=20),
    "scheduler-http-endpoint": Case("scheduler", lambda e: [
        "sweep", str(GRID), "--out", str(e["tmp"] / "o5"), "--scheduler",
        f"tcp://127.0.0.1:{e['http_port']}", "--connect-timeout", "1"], "within 1 s",
        limit=20),
    # -- results folders: damaged, foreign, misused flags
    "resume-foreign-schema-part": Case("results", lambda e: _resume(e, "foreign"),
                                       "part-000000000100.parquet: damaged part: not written "
                                       "by this sweep"),
    "resume-bit-flip": Case("results", lambda e: _resume(e, "bitflip"), "checksum mismatch"),
    "resume-truncated-part": Case("results", lambda e: _resume(e, "truncated"), "truncated"),
    "resume-zero-byte-part": Case("results", lambda e: _resume(e, "zero"), "zero bytes"),
    "resume-truncated-series": Case("results", lambda e: _resume(e, "series"),
                                    "its series part: truncated"),
    "resume-old-format": Case("results", lambda e: _resume(e, "format"), "format 1"),
    "report-bit-flip": Case("results", lambda e: ["report", _damaged(e, "bitflip")],
                            "checksum mismatch"),
    "report-zero-byte-part": Case("results", lambda e: ["report", _damaged(e, "zero")],
                                  "zero bytes"),
    "report-old-format": Case("results", lambda e: ["report", _damaged(e, "format")],
                              "format 1"),
    "report-missing-folder": Case("results", lambda e: ["report", str(e["tmp"] / "nope")],
                                  "no such results folder"),
    "report-not-results": Case("results", lambda e: ["report", str(e["tmp"])],
                               "not a sweep results folder"),
    "repair-without-resume": Case("results", lambda e: ["sweep", str(GRID), "--out", str(e["tmp"] / "never"),
                                                        "--repair"], "--repair"),
    "allow-code-change-without-resume": Case("results", lambda e: [
        "sweep", str(GRID), "--out", str(e["tmp"] / "never"), "--allow-code-change"], "--allow-code-change"),
    "compare-sweep-per-design-seeds": Case("results", lambda e: [
        "compare", "--sweep", str(e["results"]), "--factor", "actors.iran.posture"], "seeds: shared"),
    "compare-sweep-without-factor": Case("results", lambda e: ["compare", "--sweep", str(e["results"])],
                                         "--factor"),
    "compare-factor-without-sweep": Case("results", lambda e: ["compare", "--factor", "x"], "--factor"),
    "sweep-not-empty-no-resume": Case("results", lambda e: [
        "sweep", str(GRID), "--out", str(e["results"])], "not empty"),
    "resume-different-spec": Case("results", lambda e: [
        "sweep", str(KILL), "--out", _damaged(e, "none"), "--resume"], "different spec"),
    # -- calibration: spec, facts, record, checkpoint (one line naming the file and the key)
    "calibrate-unknown-parameter": Case("config", lambda e: [
        "calibrate", "--no-progress", "--out", str(e["tmp"] / "never"), "--spec",
        _calib_spec(e, "unknown", "parameters: {actors.iran.nope: {prior: [0, 1]}}")],
        "parameters.actors.iran.nope"),
    "calibrate-prior-excludes-baseline": Case("config", lambda e: [
        "calibrate", "--no-progress", "--out", str(e["tmp"] / "never"), "--spec",
        _calib_spec(e, "excludes", "parameters: {actors.militias.0.base_rate: {prior: [0.1, 0.2]}}")],
        "parameters.actors.militias.0.base_rate.prior: [0.1, 0.2] excludes the config's value 0.07"),
    "calibrate-unknown-statistic": Case("config", lambda e: [
        "calibrate", "--no-progress", "--out", str(e["tmp"] / "never"), "--spec",
        _calib_spec(e, "stat", facts=_facts_with(e, "stat", statistic="monthly.atacks.2020-01"))],
        "facts.0 (attacks_2020_01).statistic: 'monthly.atacks.2020-01' is not a statistic the model produces"),
    "calibrate-unknown-event-kind": Case("config", lambda e: [
        "calibrate", "--no-progress", "--out", str(e["tmp"] / "never"), "--spec",
        _calib_spec(e, "kind", facts=_facts_with(e, "kind", kind="alien_landing"))],
        "kind: unknown event kind 'alien_landing'"),
    "calibrate-foreign-checkpoint": Case("config", lambda e: [
        "calibrate", "--no-progress", "--out", _foreign_checkpoint(e), "--spec", str(CALIB)],
        "spec.json: fingerprint: the checkpoint was made by another calibration spec"),
    "forecast-observed-unknown-key": Case("config", lambda e: [
        "forecast", "--observed", _observed(e)], "observed.monthly.attacks.2021-02"),
}


def _server(reply: bytes | None) -> int:
    """A TCP server on loopback that never answers (``None``) or answers ``reply`` and closes."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held = []

    def serve() -> None:
        while True:
            conn, _ = srv.accept()
            if reply is None:
                held.append(conn)
            else:
                conn.sendall(reply)
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from sim import sweep

    tmp = tmp_path_factory.mktemp("bad")
    fifo = tmp / "fifo.yaml"
    os.mkfifo(fifo)
    bomb = ["extends: " + str(ROOT / "configs" / "baseline.yaml"),
            "x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    bomb += [f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, 9)]
    bomb += ["meta: {name: *x8}"]
    (tmp / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    assert len((tmp / "bomb.yaml").read_bytes()) < 700  # expands to 9**9 strings
    (tmp / "recursive.yaml").write_text("a: &a [1, *a]\n")
    (tmp / "huge.yaml").write_text("# padding\n" * 600_000)
    (tmp / "syntax.yaml").write_text("meta:\n  name: [unclosed\n")
    (tmp / "a_file").write_text("keep me")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    results = sweep(GRID, tmp / "results", progress=False)
    e = {"tmp": tmp, "fifo": fifo, "bomb": tmp / "bomb.yaml", "recursive": tmp / "recursive.yaml",
         "huge": tmp / "huge.yaml", "syntax": tmp / "syntax.yaml", "file": tmp / "a_file",
         "results": results, "closed_port": closed_port, "silent_port": _server(None),
         "http_port": _server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")}
    if os.geteuid() == 0:
        with tmpfs(tmp / "ro", read_only=True) as ro, tmpfs(tmp / "ro_res", size="8m") as rr:
            shutil.copytree(results, rr / "results")
            remount(rr, "ro")
            yield {**e, "ro": ro, "ro_results": rr / "results"}
    else:
        yield e


def _run(argv: list[str], limit: float) -> tuple[subprocess.CompletedProcess | None, float]:
    t0 = time.monotonic()
    try:
        res = subprocess.run([sys.executable, "-m", "sim.cli", *argv], capture_output=True,
                             text=True, timeout=limit, cwd=ROOT,
                             env=dict(os.environ, PYTHONUNBUFFERED="1"))
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - t0
    return res, time.monotonic() - t0


def _params():
    out = []
    for name, case in CASES.items():
        marks = [pytest.mark.slow, *([ROOT_ONLY] if case.root else [])]
        out.append(pytest.param(case, id=f"{case.family}:{name}", marks=marks))
    return out


#: Cases that cannot block or need no mount, also run in this process for the fast test tier.
IN_PROCESS = [name for name, case in CASES.items()
              if case.family in ("seeds", "numbers", "config") and not case.root
              and not any(x in name for x in ("fifo", "proc", "dev-zero"))]


@pytest.mark.parametrize("name", IN_PROCESS)
def test_bad_input_in_process(env, name, capsys):
    """The same inputs through ``main()`` in this process (fast tier; the subprocess run above
    is the full check)."""
    from sim.cli.main import main

    case = CASES[name]
    try:
        code = main(case.argv(env))
    except SystemExit as exc:  # argparse errors exit from the parser
        code = exc.code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err[-2000:]
    assert case.expect in lines[0], lines[0]


@pytest.mark.parametrize("case", _params())
def test_bad_input_is_one_clean_line(env, case):
    argv = case.argv(env)
    res, seconds = _run(argv, case.limit)
    assert res is not None, f"hang: no answer within {case.limit:g} s"
    err = res.stderr
    assert "Traceback" not in err + res.stdout and "Exception ignored" not in err, err[-2000:]
    lines = err.strip().splitlines()
    assert res.returncode == 2, (res.returncode, err[-2000:])
    assert len(lines) == 1, err[-2000:]
    assert len(lines[0]) <= MAX_MESSAGE + 40, len(lines[0])
    assert case.expect in lines[0], lines[0]
    if case.family == "scheduler":
        assert seconds < 15, seconds  # bounded by --connect-timeout, not minutes
    assert not (env["tmp"] / "never").exists()  # refused input writes nothing


def test_damaged_folders_are_left_as_they_were(env):
    """A refused resume writes nothing: the damaged part stays for the user (or --repair)."""
    folder = Path(_damaged(env, "bitflip"))
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()
              and p.name != ".lock"}
    res, _ = _run(["sweep", str(GRID), "--out", str(folder), "--resume"], 60)
    assert res is not None and res.returncode == 2
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()
             and p.name != ".lock"}
    assert after == before


# ------------------------------------------------------------------ API and dashboard seed box


def _api_cases():
    from sim import EscalationModel, run_batch, run_model

    return {
        "run_model-seed-2**63": lambda: run_model(seed=2**63, days=2),
        "run_model-seed-negative": lambda: run_model(seed=-5, days=2),
        "EscalationModel-rng-2**64+1": lambda: EscalationModel(rng=2**64 + 1, days=2),
        "EscalationModel-rng-float": lambda: EscalationModel(rng=1.5, days=2),
        "run_batch-seed-2**63": lambda: run_batch([{}], [2**63], days=2),
        "run_batch-seed-negative": lambda: run_batch([{}, {}], [1, -1], days=2),
    }


def _page_cases():
    pytest.importorskip("solara")
    from dashboards.single_run import parse_seed

    return {"page-seed-2**63": lambda: parse_seed(str(2**63)),
            "page-seed-2**64+1": lambda: parse_seed("18446744073709551617"),
            "page-seed-negative": lambda: parse_seed("-1"),
            "page-seed-text": lambda: parse_seed("abc"),
            "page-seed-arabic-indic-digit": lambda: parse_seed("\u0663")}


API_NAMES = ["run_model-seed-2**63", "run_model-seed-negative", "EscalationModel-rng-2**64+1",
             "EscalationModel-rng-float", "run_batch-seed-2**63", "run_batch-seed-negative"]
PAGE_NAMES = ["page-seed-2**63", "page-seed-2**64+1", "page-seed-negative", "page-seed-text",
              "page-seed-arabic-indic-digit"]


@pytest.mark.parametrize("name", [f"api:{n}" for n in API_NAMES] + [f"page:{n}" for n in PAGE_NAMES])
def test_seed_out_of_range_is_a_one_line_error(name):
    from sim.errors import UserError

    kind, key = name.split(":", 1)
    call = (_api_cases() if kind == "api" else _page_cases())[key]
    with pytest.raises(UserError) as exc:
        call()
    msg = str(exc.value)
    assert "\n" not in msg and "seed" in msg, msg


def test_seed_edges_are_accepted():
    from sim import run_batch, run_model

    assert run_model(seed=2**63 - 1, days=2)["seed"] == 2**63 - 1
    assert run_model(seed=0, days=2)["seed"] == 0
    assert len(run_batch([{}], [2**63 - 1], days=2)) == 1


@pytest.mark.slow
def test_cli_edges_are_accepted_and_recorded(tmp_path):
    """The largest seed and the longest run are accepted; summary.json records the seed the
    model used and the days it ran."""
    res, _ = _run(["run", "--seed", str(2**63 - 1), "--days", "3650", "--quiet", "--out",
                   str(tmp_path / "o")], 300)
    assert res is not None and res.returncode == 0, res.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["seed"] == 2**63 - 1 and summary["days"] == 3650
