"""Command line: ``escalation run | sweep | report | validate | calibrate | dashboard`` (parsing only;
the entry point is :func:`sim.cli.main.main`).
"""
