"""Plain matplotlib figures and tables of one run, drawn from a model's public record.

Every function takes an :class:`~sim.engines.mesa_model.EscalationModel` (any step of it) and returns a
``matplotlib.figure.Figure`` or plain data, so they can be tested without a browser and reused
outside Solara. ``pyplot`` is never used: figures are built per call and own no global state,
which keeps concurrent browser sessions apart.
"""

from __future__ import annotations

import functools
import html
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from dashboards import theme
from sim.config import BLOC_CHOICES, STRATEGIES
from sim.core.events import narrate

#: Window (days) in which events are drawn bold on the map.
RECENT_DAYS = 7
MAP_SIZE = (6.0, 5.4)
MAP_DPI = 100


# ------------------------------------------------------------------------------ data
def actor_intensity(model: Any) -> pd.DataFrame:
    """Each actor's rung (0-6 scale) by day: Iran's strategy, militias' and the US's acts."""
    tl = model.datacollector.get_model_vars_dataframe()
    days = tl["day"].to_numpy(dtype=int)
    rungs = np.asarray(model.params.iran.rungs)
    iran = rungs[tl["iran_strategy"].to_numpy(dtype=int)]
    war = tl["all_out_war"].to_numpy(dtype=bool)
    calibrated = model.params.iran.direct.rung  # Iran's direct strike
    out = pd.DataFrame({"Iran": iran.astype(float), "Militias": 0.0, "United States": 0.0},
                       index=pd.Index(days, name="day"))
    for e in model.events:
        d = e["day"]
        if d not in out.index:
            continue
        if e["kind"] == "militia":
            out.loc[d, "Militias"] = max(out.loc[d, "Militias"],
                                         theme.MILITIA_INTENSITY.get(e["action"], 0))
        elif e["kind"] == "us":
            out.loc[d, "United States"] = max(out.loc[d, "United States"],
                                              theme.US_INTENSITY.get(e["action"], 0))
        elif e["kind"] in ("iran", "iran_outside"):
            out.loc[d, "Iran"] = max(out.loc[d, "Iran"], calibrated)
    out.loc[war, :] = 6.0
    return out


def marked_events(model: Any) -> list[dict[str, Any]]:
    """Events marked on the timeline: deaths, overrun attempts, strikes on Iran, votes, war."""
    marks = []
    for e in model.events:
        style = _style_key(e)
        if style is None:
            continue
        notable = (e["us_killed"] > 0 or style in ("storm", "calibrated_strike", "strike_iran",
                                                   "vote", "all_out_war"))
        if notable:
            marks.append({**e, "style": style})
    return marks


def _style_key(e: dict[str, Any]) -> str | None:
    kind, action = e["kind"], e["action"]
    if kind == "militia":
        return theme.TACTIC_STYLE.get(action)
    if kind == "iran":
        return "calibrated_strike"
    if kind == "iran_outside":
        return "attack_outside_iraq"
    if kind == "us" and action in ("strike_militias", "strike_iran"):
        return action
    if kind == "parliament":
        return "vote"
    if kind == "war":
        return "all_out_war"
    return None


def event_log(model: Any, limit: int = 150) -> list[dict[str, Any]]:
    """Return the newest ``limit`` events, newest first, each with its sentence and style key."""
    quorum = model.config.actors.parliament.quorum
    rows = []
    # bloc-by-bloc votes are shown in the parliament panel, not as log lines
    shown = [e for e in model.events if e["kind"] != "bloc_vote"]
    for e in reversed(shown[-limit:]):
        rows.append({"day": e["day"], "actor": e["actor"], "style": _style_key(e),
                     "text": narrate(e, quorum=quorum)})
    return rows


def event_log_html(model: Any, limit: int = 150) -> str:
    """Render the event log as an HTML list (one widget, cheap to update)."""
    rows = event_log(model, limit)
    if not rows:
        return ('<div class="event-log" data-count="0"><i>No events yet: press Step or Play.'
                "</i></div>")
    items = []
    for r in rows:
        colour = theme.EVENT_STYLE[r["style"]][0] if r["style"] else "#607d8b"
        items.append(f'<li style="border-left:4px solid {colour};padding:2px 6px;margin:2px 0;'
                     f'list-style:none">{html.escape(r["text"])}</li>')
    return (f'<div class="event-log" data-count="{len(model.events)}" '
            f'style="max-height:420px;overflow-y:auto;font-size:13px">'
            f'<ul style="padding-left:0;margin:0">{"".join(items)}</ul></div>')


def world_state(model: Any) -> list[tuple[str, str]]:
    """(label, value) rows of the world state today."""
    w, c = model.world, model.world.counters
    start = model.config.meta.start_date
    date = (pd.Timestamp(start) + pd.Timedelta(days=int(w.day))).date().isoformat()
    strat = STRATEGIES[int(w.iran_strategy[0])]

    def pct(x: Any) -> str:
        return f"{100 * float(x[0]):.0f}%"

    return [
        ("Day", f"{w.day} of {model.days} ({date})"),
        ("US troops in Iraq", f"{float(w.troops[0]):,.0f}"),
        ("US killed / wounded", f"{int(c.us_killed[0])} / {int(c.us_wounded[0])}"),
        ("Militia fighters killed", f"{int(c.militia_killed[0])}"),
        ("Other Iraqis killed", f"{int(c.iraqi_killed[0])}"),
        ("Iranians killed", f"{int(c.iranian_killed[0])}"),
        ("Iraqi anti-US sentiment", pct(w.sentiment)),
        ("Iran's revenge demand", pct(w.revenge)),
        ("US audience cost", f"{float(w.us_audience[0]):.2f}"),
        ("Iran audience cost", f"{float(w.iran_audience[0]):.2f}"),
        ("Sanctions on Iran", pct(w.sanctions_iran)),
        ("Sanctions on Iraq", pct(w.sanctions_iraq)),
        ("ISIS strength", pct(w.isis)),
        ("Legal status of US presence", theme.LEGAL_LABELS[int(w.legal[0])]),
        ("Iran's strategy", theme.STRATEGY_LABELS[strat]),
        ("Tension", pct(w.tension)),
        ("All-out war", "YES" if bool(w.war[0]) else "no"),
    ]


def world_state_html(model: Any) -> str:
    """Render the world state as a two-column HTML table."""
    rows = "".join(
        f'<tr><td style="padding:1px 10px 1px 0;color:#555">{html.escape(k)}</td>'
        f'<td style="padding:1px 0;font-weight:600">{html.escape(v)}</td></tr>'
        for k, v in world_state(model))
    return f'<table class="world-state" style="font-size:13px">{rows}</table>'


def path_status(model: Any) -> dict[str, Any]:
    """Return the path the run is tracking now (final classification once it has ended)."""
    m = model.metrics()
    return {"path": m["path"], "label": theme.PATH_LABELS.get(m["path"], m["path"]),
            "colour": theme.PATH_COLOURS.get(m["path"], "#607d8b"), "final": not model.running,
            "day": int(model.world.day), "days": int(model.days), "metrics": m}


def latest_vote(model: Any) -> dict[str, Any] | None:
    """Return the latest motion parliament voted on (None before the first vote)."""
    w = model.world
    if int(w.last_vote_level[0]) <= 0 or int(np.max(w.last_vote_choice[:, 0])) < 0:
        return None
    ev = next((e for e in reversed(model.events) if e["kind"] == "parliament"), None)
    level = int(w.last_vote_level[0])
    return {
        "level": level,
        "motion": theme.LEGAL_LABELS[level],
        "present": float(w.last_vote_present[0]),
        "yes": float(w.last_vote_yes[0]),
        "passed": ev is not None and ev["target"] == "passed",
        "day": ev["day"] if ev is not None else None,
        "choices": [int(x) for x in w.last_vote_choice[:, 0]],
    }


# ------------------------------------------------------------------------------ figures
def timeline_figure(model: Any) -> Figure:
    """Each actor's rung by day, with the notable events marked."""
    fig = Figure(figsize=(8.2, 3.6), dpi=100)
    fig.subplots_adjust(left=0.12, right=0.76, top=0.92, bottom=0.14)
    ax = fig.add_subplot()
    inten = actor_intensity(model)
    x = inten.index.to_numpy()
    iran = theme.ACTOR_COLOURS["Iran"]
    ax.step(x, inten["Iran"].to_numpy(), where="mid", lw=2.2, color=iran,
            label="Iran (strategy rung)")
    for actor, dy, marker in (("Militias", 0.12, "o"), ("United States", -0.12, "s")):
        y = inten[actor].to_numpy()
        acted = y > 0
        ax.scatter(x[acted], y[acted] + dy, s=16, marker=marker, alpha=0.75, lw=0,
                   color=theme.ACTOR_COLOURS[actor], label=f"{actor} (acts)")
    seen: set[str] = set()
    for e in marked_events(model):
        colour, marker, label = theme.EVENT_STYLE[e["style"]]
        y = 6.35 if e["style"] != "vote" else -0.45
        ax.scatter([e["day"]], [y], marker=marker, color=colour, s=42, zorder=5,
                   label=label if e["style"] not in seen else None, clip_on=False)
        seen.add(e["style"])
    ax.set_ylim(-0.7, 6.7)
    ax.set_yticks(range(7), theme.RUNG_LABELS, fontsize=8)
    day = int(model.world.day)
    ax.set_xlim(-0.5, min(model.days, max(30, int(day * 1.2) + 5)) + 0.5)
    ax.set_xlabel(f"day (day 0 = {model.config.meta.start_date})")
    ax.grid(axis="y", alpha=0.25)
    ax.set_title(f"Escalation by actor, day {day} of {model.days}", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    return fig


def _site_xy(name: str) -> tuple[float, float] | None:
    ll = theme.SITE_COORDS.get(name)
    return (ll[1], ll[0]) if ll is not None else None


def _militia_site(target: str, homes: dict[str, str]) -> str:
    """Site of a US strike on a militia: its home site (target is a name or 'name (site)')."""
    if target in homes:
        return homes[target]
    if target.endswith(")") and "(" in target:
        return target[target.rindex("(") + 1:-1]
    return target


def map_events(model: Any) -> list[dict[str, Any]]:
    """Events with a place on the map: (lon, lat), style key and day."""
    cfg = model.config
    homes = {m.name: m.home_site for m in cfg.actors.militias}
    out = []
    for e in model.events:
        style = _style_key(e)
        if style is None or style in ("vote", "all_out_war"):
            continue
        places: list[tuple[float, float] | None]
        if style == "calibrated_strike":
            places = [_site_xy(s) for s in cfg.world.sites.iran_targets]
        elif style == "attack_outside_iraq":
            places = [(theme.OUTSIDE_IRAQ_POINT[1], theme.OUTSIDE_IRAQ_POINT[0])]
        elif style == "strike_iran":
            places = [(theme.IRAN_STRIKE_POINT[1], theme.IRAN_STRIKE_POINT[0])]
        elif style == "strike_militias":
            places = [_site_xy(_militia_site(e["target"], homes))]
        else:
            places = [_site_xy(e["target"])]
        for p in places:
            if p is not None:
                out.append({"x": p[0], "y": p[1], "style": style, "day": e["day"],
                            "target": e["target"]})
    return out


def _map_axes(fig: Figure) -> Any:
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.92))
    x0, x1, y0, y1 = theme.MAP_EXTENT
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


@functools.lru_cache(maxsize=16)
def _map_background(bases: tuple[str, ...], embassy: str, homes: tuple[str, ...]) -> Any:
    """Render the static map (borders, labels, sites) once, as an RGBA array."""
    fig = Figure(figsize=MAP_SIZE, dpi=MAP_DPI)
    ax = _map_axes(fig)
    ax.set_facecolor("#dbe9f4")
    x0, x1, y0, y1 = theme.MAP_EXTENT
    for name, rings in theme.borders().items():
        face = "#f6efe0" if name == "Iraq" else "#ebebeb"
        for ring in rings:
            xs, ys = zip(*ring, strict=True)
            if max(xs) < x0 - 1 or min(xs) > x1 + 1 or max(ys) < y0 - 1 or min(ys) > y1 + 1:
                continue
            ax.fill(xs, ys, facecolor=face, edgecolor="#8d8d8d", lw=0.7,
                    zorder=2 if name == "Iraq" else 1)
    for label, (lat, lon) in theme.COUNTRY_LABELS.items():
        ax.text(lon, lat, label, fontsize=8, color="#9a9a9a", ha="center", va="center",
                zorder=2, fontweight="bold")
    for b in bases:
        p = _site_xy(b)
        if p:
            ax.scatter(*p, marker="s", s=34, color="#1f4e9c", edgecolor="white", zorder=4)
            ax.annotate(b, p, xytext=(4, 3), textcoords="offset points", fontsize=7, zorder=6)
    p = _site_xy(embassy)
    if p:
        ax.scatter(*p, marker="p", s=60, color="#0d2c66", edgecolor="white", zorder=4)
        ax.annotate("US embassy", p, xytext=(5, -9), textcoords="offset points", fontsize=7,
                    zorder=6)
    for home in homes:
        p = _site_xy(home)
        if p:
            ax.scatter(*p, marker="o", s=18, color="#c0392b", alpha=0.6, zorder=3)
    for spine in ax.spines.values():
        spine.set_visible(False)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    bbox = ax.get_window_extent().transformed(fig.dpi_scale_trans.inverted())
    image = np.asarray(canvas.buffer_rgba()).copy()
    h = image.shape[0]
    x_px = (int(round(bbox.x0 * MAP_DPI)), int(round(bbox.x1 * MAP_DPI)))
    y_px = (h - int(round(bbox.y1 * MAP_DPI)), h - int(round(bbox.y0 * MAP_DPI)))
    return image[y_px[0]:y_px[1], x_px[0]:x_px[1]]


def map_figure(model: Any) -> Figure:
    """Iraq and its neighbours: bases and sites, markers for attacks and strikes so far."""
    cfg = model.config
    sites = cfg.world.sites
    bg = _map_background(tuple(sites.bases), sites.embassy,
                         tuple(m.home_site for m in cfg.actors.militias))
    fig = Figure(figsize=MAP_SIZE, dpi=MAP_DPI)
    ax = _map_axes(fig)
    x0, x1, y0, y1 = theme.MAP_EXTENT
    ax.imshow(bg, extent=(x0, x1, y0, y1), aspect=ax.get_aspect(), interpolation="nearest",
              zorder=0)
    today = int(model.world.day)
    events = map_events(model)
    rng = np.random.default_rng(0)  # fixed jitter so stacked markers stay visible; not model RNG
    jitter = rng.normal(0, 0.08, (len(events), 2))
    for style in dict.fromkeys(ev["style"] for ev in events):
        colour, marker, label = theme.EVENT_STYLE[style]
        for recent in (False, True):
            idx = [i for i, ev in enumerate(events)
                   if ev["style"] == style and (today - ev["day"] < RECENT_DAYS) == recent]
            if not idx:
                continue
            xy = np.array([(events[i]["x"], events[i]["y"]) for i in idx]) + jitter[idx]
            ax.scatter(xy[:, 0], xy[:, 1], marker=marker, color=colour, s=90 if recent else 30,
                       alpha=0.95 if recent else 0.35, edgecolor="black" if recent else "none",
                       lw=0.5, zorder=6 if recent else 5, label=None if recent else label)
        if not any(today - ev["day"] >= RECENT_DAYS for ev in events if ev["style"] == style):
            ax.scatter([], [], marker=marker, color=colour, label=label)
    handles = [Line2D([], [], marker="s", ls="", color="#1f4e9c", label="US/coalition base"),
               Line2D([], [], marker="o", ls="", color="#c0392b", alpha=0.6, label="militia home")]
    h2, l2 = ax.get_legend_handles_labels()
    ax.legend(handles + h2, [h.get_label() for h in handles] + l2, loc="lower left", fontsize=7,
              framealpha=0.85)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    n = len(events)
    ax.set_title(f"Attacks and strikes to day {today} ({n} on the map; bold = last "
                 f"{RECENT_DAYS} days)", fontsize=10)
    return fig


def parliament_figure(model: Any) -> Figure:
    """Seats by bloc, coloured by how each bloc voted on the latest motion, against the quorum."""
    pa = model.config.actors.parliament
    vote = latest_vote(model)
    fig = Figure(figsize=(6.0, 4.4), dpi=100)
    fig.subplots_adjust(left=0.25, right=0.97, top=0.93, bottom=0.06, hspace=0.3)
    ax, ax2 = fig.subplots(2, 1, height_ratios=[3.2, 1])
    names = [b.name for b in pa.blocs]
    seats = np.array([b.seats for b in pa.blocs], dtype=float)
    choices = vote["choices"] if vote else [-1] * len(names)
    colours = [theme.VOTE_COLOURS["not voted" if c < 0 else BLOC_CHOICES[c]] for c in choices]
    y = np.arange(len(names))[::-1]
    ax.barh(y, seats, color=colours, edgecolor="#555", lw=0.4)
    ax.set_yticks(y, names, fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("seats", fontsize=8)
    for c_name, colour in theme.VOTE_COLOURS.items():
        ax.bar([0], [0], color=colour, label=c_name)
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    if vote:
        verdict = "passed" if vote["passed"] else "failed"
        ax.set_title(f"Latest motion (day {vote['day']}): {vote['motion']} - {verdict}",
                     fontsize=10)
        present, yes = vote["present"], vote["yes"]
    else:
        ax.set_title(f"Council of Representatives ({pa.total_seats} seats): no vote yet",
                     fontsize=10)
        present = yes = 0.0
    ax2.barh([1], [present], color="#90a4ae")
    ax2.barh([0], [yes], color=theme.VOTE_COLOURS["yes"])
    ax2.axvline(pa.quorum, color="black", ls="--", lw=1)
    ax2.text(pa.quorum, 1.55, f" quorum {pa.quorum}", fontsize=7, va="center")
    ax2.set_yticks([0, 1], [f"yes {yes:.0f}", f"present {present:.0f}"], fontsize=7)
    ax2.set_xlim(0, pa.total_seats)
    ax2.set_ylim(-0.6, 1.9)
    ax2.tick_params(axis="x", labelsize=7)
    return fig
