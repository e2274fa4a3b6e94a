"""Command line: ``escalation run | sweep | report | compare | validate | history | dashboard`` (parsing only;
the entry point is :func:`sim.cli.main.main`).
"""
