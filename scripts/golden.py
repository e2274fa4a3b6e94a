"""Check or regenerate the golden record (tests/golden/): exact model output kept under test.

    python scripts/golden.py            # compare with the stored record; exit 1 and list changes
    python scripts/golden.py --update   # rewrite the stored record and print what changed

Regenerate only when a change of the model's behaviour is intended, and say so in the commit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import golden_record as G  # noqa: E402


def main() -> int:
    """Compare (default) or update the stored record; print differences per configuration."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="rewrite tests/golden/ from the current code")
    args = ap.parse_args()
    G.GOLDEN_DIR.mkdir(exist_ok=True)
    changed = 0
    for name, path in G.configs().items():
        fresh = G.compute(name, path)
        target = G.file_for(name)
        diffs = G.differences(G.load(name), fresh) if target.exists() else ["(no stored record)"]
        if diffs:
            changed += 1
            print(f"{name}: {len(diffs)} difference(s){' (first shown)' if len(diffs) >= 20 else ''}")
            for d in diffs:
                print(f"  {d}")
        else:
            print(f"{name}: unchanged")
        if args.update and diffs:
            target.write_text(G.dump(fresh), encoding="utf-8")
            print(f"  wrote {target}")
    if changed and not args.update:
        print("golden: the model's output changed; if intended, run with --update and say why in the commit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
