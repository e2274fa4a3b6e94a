"""The Solara app, served by ``escalation dashboard`` (``dashboards/server.py``).

``solara run dashboards/app.py`` also serves it, without what the command adds: the access
token for non-loopback hosts, the results root from ``--results-root`` (the sweep page then
reads ``$ESCALATION_RESULTS_ROOT`` or the project's ``results/``), and stopping with its parent.

Four pages: ``/`` watches a single run unfold (Mesa's SolaraViz, one model per browser
session) over its configuration's ensemble (the fan chart), ``/sweep`` shows what a sweep's
results folder says (``/sweep?dir=FOLDER`` opens a folder directly), ``/branch`` forks a run at a
day and ``/play`` lets a person hold one actor's seat (``dashboards/studio.py``). Nothing here
runs at import beyond building the route table, so a bad input in one session never affects the
server or other sessions.
"""

from __future__ import annotations

import solara

from dashboards.single_run import SingleRunPage
from dashboards.studio import BranchPage, PlayPage
from dashboards.sweep import SweepPage

routes = [
    solara.Route(path="/", component=SingleRunPage, label="Single run"),
    solara.Route(path="sweep", component=SweepPage, label="Sweep results"),
    solara.Route(path="branch", component=BranchPage, label="Branch a run"),
    solara.Route(path="play", component=PlayPage, label="Play a seat"),
]
