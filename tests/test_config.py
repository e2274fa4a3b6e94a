"""Configuration: validation, overrides, and one-line errors for bad input (CLI and API)."""

from __future__ import annotations

import contextlib
import io
import math
import types

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config import (
    DEFAULT_CONFIG,
    ConfigError,
    field_info,
    flatten,
    get_path,
    index_path,
    leaf_paths,
    load_config,
    nest,
    parameter_space,
    set_path,
    with_overrides,
)
from tests.conftest import ROOT, SCENARIOS, run_cli


def test_baseline_loads_and_seats_add_up(baseline):
    p = baseline.actors.parliament
    assert sum(b.seats for b in p.blocs) == p.total_seats == 329
    assert p.quorum == 165
    assert baseline.meta.start_date.isoformat() == "2020-01-03"
    assert 5000 <= baseline.initial.us_troops <= 5400


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_presets_load_and_bias_iran(path, baseline):
    cfg = load_config(path)
    assert cfg.actors.iran.posture != "none"
    assert cfg.actors.iran.posture_bias > 0
    assert cfg.hash() != baseline.hash()


def test_dotted_overrides_by_index_and_name(baseline):
    cfg = with_overrides(baseline, {"actors.iran.revenge_weight": 0.8,
                                    "actors.militias.Kataib Hezbollah.loyalty": 0.5,
                                    "actors.militias.1.fear": 0.1})
    assert cfg.actors.iran.revenge_weight == 0.8
    assert cfg.actors.militias[0].loyalty == 0.5
    assert cfg.actors.militias[1].fear == 0.1
    assert get_path(cfg, "actors.militias.0.loyalty") == 0.5
    assert cfg.hash() != baseline.hash()


def test_parameter_space_has_ranges_containing_values(baseline):
    space = parameter_space(baseline)
    assert len(space) > 100
    for path, (lo, hi, _kind) in space.items():
        assert lo <= get_path(baseline, path) <= hi, path


def _write(tmp_path, text: str):
    f = tmp_path / "c.yaml"
    f.write_text(text)
    return f


def _baseline_with(tmp_path, mutate):
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    mutate(data)
    return _write(tmp_path, yaml.safe_dump(data))


BAD_CONFIGS = {
    "unknown key": (lambda d: d["actors"]["iran"].update(revenge_wieght=1.0),
                    "actors.iran.revenge_wieght: unknown key"),
    "wrong type": (lambda d: d["actors"]["iran"].update(revenge_weight="high"),
                   "actors.iran.revenge_weight: 'high' has the wrong type"),
    "out of range": (lambda d: d["actors"]["iran"].update(revenge_weight=-1),
                     "actors.iran.revenge_weight: -1 is out of range; allowed 0.0 to 20.0"),
    "nan": (lambda d: d["initial"].update(sentiment=math.nan), "initial.sentiment"),
    "missing key": (lambda d: d["world"].pop("isis_growth"), "world.isis_growth: required key is missing"),
    "seats": (lambda d: d["actors"]["parliament"]["blocs"][0].update(seats=10),
              "bloc seats sum to 285, but total_seats is 329"),
    "bad posture": (lambda d: d["actors"]["iran"].update(posture="invade"), "actors.iran.posture: 'invade'"),
    "bool for a float": (lambda d: d["actors"]["iran"].update(revenge_weight=True),
                         "actors.iran.revenge_weight: True is not allowed; must be a number, not a boolean"),
    "bool for an int": (lambda d: d["actors"]["parliament"].update(quorum=False),
                        "actors.parliament.quorum: False is not allowed; must be a number, not a boolean"),
    "bool in a row": (lambda d: d["actors"]["militias"][1].update(missile_stock=True),
                      "actors.militias.1.missile_stock: True is not allowed"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_api_error_names_file_and_key(tmp_path, case):
    mutate, expected = BAD_CONFIGS[case]
    f = _baseline_with(tmp_path, mutate)
    with pytest.raises(ConfigError) as info:
        load_config(f)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(f) in msg and expected in msg, msg


def _cli(*args: str):
    """``escalation ARGS`` in-process (exit status, stdout, stderr); the process boundary itself
    is exercised by test_cli_missing_file, which runs the real command."""
    from sim.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return types.SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def _assert_one_line_error(proc, *needles):
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 or (len(lines) == 2 and lines[0].startswith("usage:")), proc.stderr
    for n in needles:
        assert n in proc.stderr, (n, proc.stderr)


def test_cli_missing_file():
    _assert_one_line_error(run_cli("run", "--config", "nope.yaml"), "nope.yaml", "no such config file")


def test_cli_yaml_syntax_error(tmp_path):
    f = _write(tmp_path, "meta: {name: x\n  days: [1,\n")
    _assert_one_line_error(_cli("run", "--config", str(f)), str(f), "YAML syntax error", "line")


@pytest.mark.parametrize("case", ["unknown key", "wrong type", "out of range"])
def test_cli_bad_config(tmp_path, case):
    mutate, expected = BAD_CONFIGS[case]
    f = _baseline_with(tmp_path, mutate)
    _assert_one_line_error(_cli("run", "--config", str(f), "--days", "3"), str(f), expected)


@pytest.mark.parametrize("setting,needle", [
    ("actors.iran.nonsense=1", "unknown key path 'actors.iran.nonsense'"),
    ("actors.iran.revenge_weight=abc", "actors.iran.revenge_weight: 'abc' has the wrong type"),
    ("actors.iran.revenge_weight=99", "out of range; allowed 0.0 to 20.0"),
    ("actors.iran.revenge_weight=.nan", "must be a finite number"),
    ("actors.militias.9.loyalty=0.5", "no item '9'"),
    ("actors.iran=3", "is a section, not a value"),
    ("actors.iran.revenge_weight=true", "actors.iran.revenge_weight: True is not allowed; must be a number"),
    ("novalue", "expected KEY=VALUE"),
])
def test_cli_bad_set(setting, needle):
    _assert_one_line_error(_cli("run", "--days", "3", "--set", setting), needle)


@pytest.mark.parametrize("days", ["-5", "0", "ten"])
def test_cli_bad_days(days):
    _assert_one_line_error(_cli("run", "--days", days), "--days")


def test_cli_out_is_a_file(tmp_path):
    f = tmp_path / "afile"
    f.write_text("keep me")
    _assert_one_line_error(_cli("run", "--days", "3", "--seed", "1", "--out", str(f)), "is a file")
    assert f.read_text() == "keep me"


def test_extends_cycle_is_an_error(tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\n")
    b.write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_config(a)


def test_repo_configs_all_validate():
    for f in [ROOT / "configs" / "baseline.yaml", *SCENARIOS]:
        load_config(f)


@pytest.mark.parametrize("path", ["actors.iran.revenge_weight", "actors.parliament.quorum", "meta.days",
                                  "actors.militias.Kataib Hezbollah.loyalty", "world.war_slope"])
@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_numbers_in_overrides(baseline, path, value):
    with pytest.raises(ConfigError) as info:
        with_overrides(baseline, {path: value})
    msg = str(info.value)
    assert "\n" not in msg and f"{value!r} is not allowed; must be a number, not a boolean" in msg, msg
    assert msg.split(": ")[1] == index_path(baseline.model_dump(), path), msg


# ------------------------------------------------------------------------------------------
# dotted paths: a Hypothesis round-trip over random leaves of the config

@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_dotted_path_set_get_round_trip(baseline, data):
    raw = baseline.model_dump(mode="python")
    paths = sorted(leaf_paths(raw))
    path = data.draw(st.sampled_from(paths))
    old = get_path(raw, path)
    new = data.draw(st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False), st.text(max_size=5)))
    # address list items by name where they have one (militias, blocs): the same leaf
    parts = path.split(".")
    named = path
    if parts[-1] == "name":
        pass  # renaming an item changes its name-path; address it by index only
    elif len(parts) > 3 and parts[2].isdigit() and isinstance(raw["actors"].get(parts[1]), list):
        named = ".".join([*parts[:2], raw["actors"][parts[1]][int(parts[2])]["name"], *parts[3:]])
    elif len(parts) > 4 and parts[3].isdigit() and parts[2] == "blocs":
        named = ".".join([*parts[:3], raw["actors"]["parliament"]["blocs"][int(parts[3])]["name"], *parts[4:]])
    assert index_path(raw, named) == path
    set_path(raw, named, new)
    assert get_path(raw, path) == new and get_path(raw, named) == new
    set_path(raw, path, old)
    assert raw == baseline.model_dump(mode="python")
    info = field_info(path)
    assert info is not None or ".sites." in path, path


def test_flatten_and_nest_are_inverse(baseline):
    raw = baseline.model_dump(mode="python")
    assert nest(flatten(raw)) == raw
    assert set(parameter_space(baseline)) <= set(leaf_paths(raw))
