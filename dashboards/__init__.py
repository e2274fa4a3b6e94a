"""Solara dashboards: a single run unfolding, and a sweep's results (``dashboards/app.py``)."""
