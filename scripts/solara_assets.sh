#!/usr/bin/env bash
# Fills Solara's offline CDN cache (<venv>/share/solara/cdn/) from the npm registry, so the
# dashboard renders without access to cdn.jsdelivr.net (Solara otherwise fails with
# "Could not load URL: 'https://cdn.jsdelivr.net/npm/...'" and a blank page).
#
# The packages are not hard-coded: the installed Solara is scanned for the urls it puts
# through its cdn proxy ({{cdn}}/pkg@version/... in its page template, ${this.getCdn()}/...
# in its widgets, plus the font-awesome css path from its settings). For solara 1.64 that is
# @widgetti/solara-vuetify-app@10.1.1, requirejs@2.3.6, font-awesome@4.5.0,
# @widgetti/vue-grid-layout@2.3.13-alpha.2, katex@0.16.9, mermaid@10.8.0 (solara.Markdown
# loads both on every mount) and the ranges vega@5, vega-lite@5, vega-embed@6, each stored,
# like jsdelivr serves it, as the npm package's contents in a folder named by the spec:
# <cache>/<name>@<version-or-range>/<file>. Components this project does not use and that
# build their urls at run time (echarts, codemirror, milkdown) are not fetched; add them with
# SOLARA_ASSETS_EXTRA="echarts@5.4.0 ..." if needed.
#
# Idempotent and quiet: prints nothing when every file Solara asks for is already there.
# Needs npm (and the npm registry) only when something is missing.
# --check: fetch nothing; exit 0 if the cache is complete, 3 if something is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

py="${VENV_PYTHON:-.venv/bin/python}"
if [ ! -x "$py" ]; then
    echo "solara_assets: $py not found; run 'bash scripts/setup.sh' first" >&2
    exit 1
fi

exec "$py" - "$@" <<'PY'
import importlib.metadata as md
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

import solara
from solara.server.settings import assets

cache = pathlib.Path(assets.proxy_cache_dir)
root = pathlib.Path(solara.__file__).parent
vue3 = md.version("ipyvue").startswith("3")
widgets_major = md.version("ipywidgets").split(".")[0]

# --- what does this solara request through its cdn proxy? -------------------------------
url = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|\$\{this\.getCdn\(\)\})"  # template / widget prefix
    r"/((?:@[\w.-]+/)?[\w.-]+@[\w.~^-]+)"  # (@scope/)name@version-or-range
    r"(/[^`\"'\s]*)?"  # file inside the package
)
wanted: dict[str, set[str]] = {}
for p in root.rglob("*"):
    rel = p.relative_to(root)
    if p.suffix not in {".vue", ".py", ".j2", ".html", ".js"} or rel.parts[0] == "website":
        continue
    for m in url.finditer(p.read_text(errors="ignore")):
        spec, file = m.group(1), (m.group(2) or "")
        if "solara-vuetify3-app" in spec and not vue3:
            continue  # only used with ipyvue/ipyvuetify 3
        if "solara-vuetify-app@" in spec and vue3:
            continue
        file = file.replace("{{ipywidget_major_version}}", widgets_major)
        if "{" in file or "$" in file:
            continue
        wanted.setdefault(spec, set())
        if file not in ("", "/"):
            wanted[spec].add(file.lstrip("/"))

fa = assets.fontawesome_path.lstrip("/")
if assets.fontawesome_enabled and "@" in fa and "://" not in fa:
    parts = fa.split("/")
    n = 2 if parts[0].startswith("@") else 1
    wanted.setdefault("/".join(parts[:n]), set()).add("/".join(parts[n:]))

for spec in os.environ.get("SOLARA_ASSETS_EXTRA", "").split():
    wanted.setdefault(spec, set())

if "requirejs@2.3.6" not in wanted and not any(s.startswith("requirejs@") for s in wanted):
    sys.exit("solara_assets: found no cdn urls in the installed solara; its layout changed, "
             "update scripts/solara_assets.sh")


def complete(spec: str) -> bool:
    d = cache / spec
    if not (d / "package.json").is_file():
        return False
    return all((d / f).is_file() for f in wanted[spec])


missing = sorted(s for s in wanted if not complete(s))
if not missing:
    sys.exit(0)
if "--check" in sys.argv[1:]:
    sys.exit(3)

npm = shutil.which("npm")
if npm is None:
    sys.exit(
        "solara_assets: npm is required to fill Solara's offline asset cache "
        f"({cache}) but was not found.\n"
        "  Install it (e.g. 'apt-get install -y npm') and re-run 'bash scripts/setup.sh'.\n"
        f"  Missing: {' '.join(missing)}"
    )

print(f"solara_assets: fetching {len(missing)} package(s) from the npm registry into {cache}")
cache.mkdir(parents=True, exist_ok=True)
with tempfile.TemporaryDirectory(prefix="solara-assets-") as tmp:
    tmp = pathlib.Path(tmp)
    res = subprocess.run(
        [npm, "pack", "--json", "--loglevel=error", "--pack-destination", str(tmp), *missing],
        cwd=tmp, capture_output=True, text=True,
    )
    try:
        by_name = {e["name"]: tmp / e["filename"] for e in json.loads(res.stdout)}
        tarballs = [by_name[spec.rsplit("@", 1)[0]] for spec in missing]
    except (ValueError, KeyError, TypeError):
        tarballs = None
    if res.returncode != 0 or tarballs is None:
        sys.exit(f"solara_assets: 'npm pack {' '.join(missing)}' failed "
                 f"(exit {res.returncode}):\n{res.stderr.strip()}")
    for spec, tgz in zip(missing, tarballs, strict=True):
        out = tmp / ("x-" + tgz.name)
        with tarfile.open(tgz) as tf:
            tf.extractall(out, filter="data")
        src = out / "package"
        if not src.is_dir():  # a few old packages use another top folder
            (src,) = [p for p in out.iterdir() if p.is_dir()]
        dest = cache / spec
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.move(str(src), dest)

# jsdelivr minifies on the fly: solara asks for requirejs@2.3.6/require.min.js, which the
# npm package does not contain. The unminified file does the same job.
problems = []
for spec in missing:
    for f in sorted(wanted[spec]):
        target = cache / spec / f
        if target.is_file():
            continue
        plain = target.with_name(target.name.replace(".min.", ".", 1))
        if ".min." in target.name and plain.is_file():
            shutil.copyfile(plain, target)
        else:
            problems.append(f"{spec}/{f}")
if problems:
    sys.exit("solara_assets: packages fetched, but these files Solara requests are not in "
             "them:\n  " + "\n  ".join(problems))
size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) / 1e6
print(f"solara_assets: done ({len(wanted)} packages, {size:.0f} MB in {cache})")
PY
