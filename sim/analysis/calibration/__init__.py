"""Calibration by simulation-based inference (ELFI's SMC-ABC) on the facts of January-June 2020.

:mod:`.spec` reads ``configs/calibration.yaml``; :mod:`.engine` wires the ensemble engine into ELFI
as a batched simulator, with the range distance and the resumable checkpoint; :mod:`.outputs`
writes the posterior, the pair plot, the predictive check and the posterior-median config;
:mod:`.run` is ``escalation calibrate``; :mod:`.sensitivity` is the Morris screening that chose the
fitted parameters. docs/calibration.md gives the method and the numbers.
"""

from sim.analysis.calibration.spec import DEFAULT_SPEC, CalibrationSpec, load_spec

__all__ = ["DEFAULT_SPEC", "CalibrationSpec", "load_spec"]
