"""The ``posterior`` sampler of sweep specs: design points drawn from a posterior samples file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.config import UserError
from sim.experiments.spec import load_experiment

from .conftest import ROOT

BASE = str(ROOT / "configs" / "baseline.yaml")
KH = "actors.militias.0.base_rate"
FEAR = "actors.militia_common.fear_weight"


def _samples(tmp_path, **extra) -> str:
    frame = pd.DataFrame({KH: [0.05, 0.08, 0.11, 0.13], FEAR: [1.5, 2.0, 2.5, 3.0],
                          "weight": [0.0, 0.2, 0.3, 0.5], "distance": [1.0, 0.5, 0.4, 0.3], **extra})
    path = tmp_path / "posterior.parquet"
    frame.to_parquet(path, index=False)
    return str(path)


def _spec(path: str, **changes) -> dict:
    spec = {"name": "post", "base": BASE, "days": 20, "replicates": 2, "master_seed": 11,
            "sampler": "posterior", "samples": 4000, "sampler_options": {"posterior": path}}
    spec.update(changes)
    return spec


def test_rows_come_from_the_file_by_weight_and_seed(tmp_path) -> None:
    path = _samples(tmp_path)
    e = load_experiment(_spec(path))
    d = e.design
    assert list(d.columns) == [KH, FEAR]
    pairs = set(map(tuple, d[[KH, FEAR]].to_numpy().tolist()))
    assert pairs <= {(0.08, 2.0), (0.11, 2.5), (0.13, 3.0)}  # the weight-0 row is never drawn
    share = (d[KH] == 0.13).mean()
    assert 0.46 < share < 0.54  # weight 0.5
    again = load_experiment(_spec(path))
    assert again.design.equals(d)  # seeded from the master seed
    other = load_experiment(_spec(path, master_seed=12))
    assert not other.design.equals(d)
    opts = e.spec_dict()["sampler_options"]
    assert opts["posterior"] == path and len(opts["posterior_sha256"]) == 64


def test_sweep_manifest_records_the_posterior(tmp_path) -> None:
    from sim import sweep

    path = _samples(tmp_path)
    out = sweep(_spec(path, samples=3), tmp_path / "res", progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sampler"] == "posterior"
    assert manifest["spec"]["sampler_options"]["posterior_sha256"] == load_experiment(_spec(path)).spec_dict()[
        "sampler_options"]["posterior_sha256"]
    assert manifest["factors"] == [KH, FEAR]


@pytest.mark.parametrize("change,key", [
    ({"sampler_options": {"posterior": "nope.parquet"}}, "sampler_options.posterior"),
    ({"sampler_options": {}}, "sampler_options.posterior"),
    ({"factors": {KH: {"bounds": [0.05, 0.1]}}}, "factors"),
    ({"samples": None}, "samples"),
])
def test_bad_posterior_spec(tmp_path, change, key) -> None:
    spec = _spec(_samples(tmp_path), **change)
    if spec.get("samples") is None:
        spec.pop("samples")
    with pytest.raises(UserError) as err:
        load_experiment(spec)
    assert key in str(err.value) and "\n" not in str(err.value)


def test_bad_posterior_file(tmp_path) -> None:
    path = _samples(tmp_path, **{"actors.iran.nope": [1.0, 1.0, 1.0, 1.0]})
    with pytest.raises(UserError) as err:
        load_experiment(_spec(path))
    assert "actors.iran.nope" in str(err.value)
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet")
    with pytest.raises(UserError) as err:
        load_experiment(_spec(str(junk)))
    assert "not a Parquet samples file" in str(err.value)
    good = _samples(tmp_path)
    with pytest.raises(UserError) as err:
        load_experiment(_spec(good, sampler_options={"posterior": good, "posterior_sha256": "0" * 64}))
    assert "posterior_sha256" in str(err.value)
    pd.DataFrame({KH: [0.5], "weight": [1.0]}).to_parquet(tmp_path / "single_row.parquet")
    e = load_experiment(_spec(str(tmp_path / "single_row.parquet")))
    assert np.allclose(e.design[KH], 0.5)
