"""``escalation validate`` end to end on a few claims at a size the fast tier affords (every claim and
control is checked at the shipped batch size in tests/test_claims.py)."""

from __future__ import annotations

import re

from tests.conftest import run_cli


def test_validate_writes_page_and_plot_and_exit_code_matches(tmp_path):
    proc = run_cli("validate", "--runs", "30", "--only", "C9,C13", "--out", str(tmp_path), timeout=600)
    out = proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    for cid in ("C9", "C13"):
        assert re.search(rf"^{cid}\b", out, re.MULTILINE), f"{cid} missing from the printed table"
    assert not re.search(r"^C1\b", out, re.MULTILINE)
    md = (tmp_path / "validation.md").read_text()
    assert "configs/controls/iran_does_not_warn.yaml" in md and "configs/controls/equal_hurdles.yaml" in md
    assert "--runs 30" in md and "claims.png" in md and (tmp_path / "claims.png").stat().st_size > 0
    m = re.search(r"claims: (\d+) of 2 pass; negative controls: (\d+) of 2 make their claim fail", out)
    assert m, out[-1500:]
    all_good = m.group(1) == "2" and m.group(2) == "2"
    assert (proc.returncode == 0) == all_good, (proc.returncode, out[-1500:])
