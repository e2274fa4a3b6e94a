"""``escalation validate`` end to end, at a size CI affords (the claims themselves are checked at
400 runs per batch in tests/test_claims.py)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_cli


@pytest.mark.slow  # runs all 14 claims (200 runs per batch): full tier
def test_validate_writes_table_and_plots_and_exit_code_matches(tmp_path):
    proc = run_cli("validate", "--runs", "200", "--out", str(tmp_path), timeout=900)
    out = proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    for cid in range(1, 15):
        assert re.search(rf"\bC{cid}\b", out), f"C{cid} missing from the printed table"
    md = (tmp_path / "validation.md").read_text()
    assert "C14" in md and ".png" in md
    assert list(tmp_path.glob("*.png"))
    failed = re.search(r"\bFAIL\b", out, re.IGNORECASE) is not None
    assert (proc.returncode != 0) == failed, (proc.returncode, out[-1500:])
