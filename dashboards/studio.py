"""The what-if studio's pages: branch a run (``/branch``) and play an actor's seat (``/play``).

Every piece of state lives in the browser session's own component state (``solara.use_reactive``
inside the page), so two sessions never see each other's branch or game. Inputs arrive as text;
anything wrong is a one-line message in the page (class ``input-problem``), never an exception.
Long work (a branch of a long run, the ensemble of a fan chart) runs in a background thread.

- **Branch**: a configuration and seed, a day to fork at, and a change: force or forbid one
  actor's act that day (e.g. "the United States may not strike_militias"), or set a parameter
  from that day on. Both branches share the seed, so they share every keyed draw both make; the
  page draws both over the configuration's fan chart, marks the fork and the first day the two
  worlds differ, and lists both outcomes.
- **Play**: a person holds one seat (the United States, Iran or the Iraqi Prime Minister) and
  chooses its acts each day; the model's own probabilities are shown beside each act as advice.
  The session is saved as JSON under ``<results root>/sessions/`` (atomically) and any saved
  session can be replayed day by day: the same seed and moves reproduce the same run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import solara

from dashboards import figures, studio_figures, theme
from dashboards.single_run import FanView, parse_seed
from dashboards.sweep import results_root
from sim.config import CONFIG_DIR, STRATEGIES, Config, UserError, load_config
from sim.core.interventions import acts_of
from sim.engines import studio as S
from sim.errors import quote

DEFAULT_LABEL = next(iter(theme.STUDIO_CONFIGS))
MAX_STUDIO_DAYS = 730


def config_for(label: str) -> Config:
    """The configuration of a label offered by the pages; a :class:`UserError` otherwise."""
    rel = theme.STUDIO_CONFIGS.get(str(label))
    if rel is None:
        raise UserError(f"configuration {quote(str(label), 40)} is not offered; available: "
                        f"{', '.join(theme.STUDIO_CONFIGS)}")
    return load_config(CONFIG_DIR / rel)


def parse_int(text: Any, what: str, lo: int, hi: int) -> int:
    """A whole number typed in the page, within [lo, hi]; a :class:`UserError` otherwise."""
    raw = str(text).strip()
    if not (raw.isascii() and raw.isdigit()):
        raise UserError(f"{what} {quote(raw, 30)} is not a whole number (digits 0-9)")
    value = int(raw)
    if not lo <= value <= hi:
        raise UserError(f"{what} {value} is out of range: {lo} to {hi}")
    return value


def parse_value(text: Any) -> float:
    """A parameter value typed in the page (a number)."""
    try:
        return float(str(text).strip())
    except ValueError:
        raise UserError(f"parameter value {quote(str(text), 30)} is not a number") from None


def sessions_folder() -> Path:
    """Where played sessions are saved: ``<results root>/sessions``."""
    return results_root() / "sessions"


def saved_sessions() -> list[str]:
    """Names of the saved sessions (newest first); only names are offered, never paths."""
    folder = sessions_folder()
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob("*.json") if p.is_file() and not p.name.startswith(".")]
    return [p.stem for p in sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)]


class _View:
    """What :func:`figures.world_state` reads (world, config, days) of a studio run."""

    def __init__(self, track: S.Track) -> None:
        self.world = track.st.world
        self.config = track.cfg
        self.days = track.days


def _problem(text: str) -> None:
    solara.Error(text, classes=["input-problem"])


def _outcome_html(rows: list[tuple[str, dict[str, Any]]]) -> str:
    keys = [("path", "path"), ("military_track", "military track"), ("political_track", "political track"),
            ("attacks", "attacks"), ("lethal_attacks", "lethal attacks"), ("us_killed", "US killed"),
            ("iraqi_killed", "Iraqis killed"), ("us_strikes_iraq", "US strikes in Iraq"),
            ("us_strikes_iran", "US strikes on Iran"), ("calibrated_strikes", "Iran's direct strikes"),
            ("legal_status_final", "legal step"), ("us_troops_final", "US troops at the end"),
            ("dialogue_sessions", "Dialogue sessions"), ("truce_days", "truce days")]
    head = "".join(f'<th style="padding:0 10px">{name}</th>' for name, _ in rows)
    body = "".join(
        f'<tr><td style="color:#555">{label}</td>'
        + "".join(f'<td style="padding:0 10px;font-weight:600">{_cell(o.get(k))}</td>' for _, o in rows) + "</tr>"
        for k, label in keys)
    return f'<table class="outcomes" style="font-size:13px"><tr><th></th>{head}</tr>{body}</table>'


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}"
    return str(v).replace("<", "&lt;")


# ----------------------------------------------------------------------------- branch
@solara.component
def BranchPage() -> Any:
    """Fork a run at a day and compare both branches on the same seed."""
    label = solara.use_reactive(DEFAULT_LABEL)
    seed = solara.use_reactive("7")
    days = solara.use_reactive("120")
    day = solara.use_reactive("10")
    actor = solara.use_reactive("United States")
    act = solara.use_reactive("strike_militias")
    mode = solara.use_reactive("forbid")
    param = solara.use_reactive("")
    value = solara.use_reactive("")
    request: solara.Reactive[Any] = solara.use_reactive(None)  # the validated request being computed
    problem = solara.use_reactive("")
    solara.Title("Escalation: branch a run")

    def submit() -> None:
        try:
            cfg = config_for(label.value)
            n = parse_int(days.value, "days", 1, MAX_STUDIO_DAYS)
            overrides = {param.value.strip(): parse_value(value.value)} if param.value.strip() else {}
            change = S.Change(actor.value if act.value else "", act.value, mode.value, overrides)
            fork_day = parse_int(day.value, "fork day", 0, n - 1)
            S.check_change(cfg, change, fork_day, n)
            request.set((cfg, parse_seed(seed.value), n, fork_day, change))
            problem.set("")
        except UserError as exc:
            problem.set(str(exc))

    def compute() -> Any:
        if request.value is None:
            return None
        cfg, s, n, d, change = request.value
        return S.branch(cfg, s, n, d, change)

    result = solara.use_thread(compute, dependencies=[request.value], intrusive_cancel=False)
    acts = solara.use_memo(lambda: acts_of(load_config(CONFIG_DIR / theme.STUDIO_CONFIGS[DEFAULT_LABEL])), [])
    with solara.Column(gap="8px", style={"padding": "12px"}) as main:
        solara.Markdown("## Branch a run\nFork the run at a day with one change; both branches share the "
                        "seed (every keyed draw both make is the same number), so any difference is the change's.")
        with solara.Row(classes=["branch-controls"]):
            solara.Select("Configuration", values=list(theme.STUDIO_CONFIGS), value=label)
            solara.InputText("Seed", value=seed, classes=["branch-seed"])
            solara.InputText("Days", value=days, classes=["branch-days"])
            solara.InputText("Fork at day", value=day, classes=["branch-day"])
        with solara.Row():
            solara.Select("Actor", values=list(acts), value=actor)
            solara.Select("Act", values=["", *acts.get(actor.value, ())], value=act)
            solara.ToggleButtonsSingle(value=mode, values=["forbid", "force"])
            solara.InputText("or parameter (dotted path)", value=param, classes=["branch-param"])
            solara.InputText("value", value=value, classes=["branch-value"])
            solara.Button("Run both branches", on_click=submit, color="primary", classes=["branch-run"])
        if problem.value:
            _problem(problem.value)
        if result.state == solara.ResultState.ERROR:
            _problem(f"The branch could not be run: {result.error}")
        elif request.value is not None and result.state != solara.ResultState.FINISHED:
            solara.Info("Running both branches ...", classes=["branch-pending"])
        elif result.value is not None:
            BranchResult(result.value, request.value[0])
    return main


@solara.component
def BranchResult(b: S.Branch, cfg: Config) -> Any:
    """Both branches over the fan chart, the divergence, both outcomes."""
    start = cfg.meta.start_date
    if b.diverged is None:
        text = (f"The branches never differ within {b.a.days} days: the change ({b.change.describe()}) "
                f"did not alter anything the model did.")
    else:
        date = start.fromordinal(start.toordinal() + b.diverged)
        text = f"The branches first differ on day {b.diverged} ({date}), after the fork on day {b.day}."
    with solara.Column(gap="6px") as main:
        solara.HTML(unsafe_innerHTML=(
            f'<div class="branch-diverged" data-day="{"" if b.diverged is None else b.diverged}" '
            f'data-fork="{b.day}" style="font-size:15px"><b>{text.replace("<", "&lt;")}</b></div>'))
        FanView(cfg, b.a.days, b.a.series, b.a.days, f"Branch A (as configured) and B ({b.change.describe()})",
                b.b.series, b.day, b.diverged, ("A: as configured", "B: " + b.change.describe()))
        solara.HTML(unsafe_innerHTML=_outcome_html([("A: as configured", b.a.outcome()),
                                                    ("B: " + b.change.describe(), b.b.outcome())]))
    return main


# ----------------------------------------------------------------------------- play
@solara.component
def PlayPage() -> Any:
    """Take a seat and play; save the session; replay a saved one."""
    label = solara.use_reactive(DEFAULT_LABEL)
    seed = solara.use_reactive("7")
    days = solara.use_reactive("60")
    seat = solara.use_reactive("United States")
    session: solara.Reactive[Any] = solara.use_reactive(None)  # this browser session's game (PlaySession)
    replay: solara.Reactive[Any] = solara.use_reactive(None)  # (record, PlaySession) of a replay
    version = solara.use_reactive(0)  # bumped after each played day (the session object mutates)
    problem = solara.use_reactive("")
    saved = solara.use_reactive("")
    chosen: solara.Reactive[list[str]] = solara.use_reactive([])
    strategy = solara.use_reactive("")
    pick = solara.use_reactive("")
    solara.Title("Escalation: play a seat")

    def start() -> None:
        try:
            cfg = config_for(label.value)
            n = parse_int(days.value, "days", 1, MAX_STUDIO_DAYS)
            session.set(S.PlaySession(cfg, parse_seed(seed.value), S.check_seat(seat.value), n,
                                      theme.STUDIO_CONFIGS[label.value]))
            replay.set(None)
            problem.set("")
            saved.set("")
            _reset_choice(session.value)
        except UserError as exc:
            problem.set(str(exc))

    def _reset_choice(p: S.PlaySession | None) -> None:
        if p is None or p.done:
            return
        modal = p.modal()
        chosen.set([a for a in modal if a not in STRATEGIES])
        strategy.set(next((a for a in modal if a in STRATEGIES), ""))

    def play(n: int = 1, advised: bool = False) -> None:
        p = session.value
        if p is None:
            return
        try:
            for _ in range(n):
                if p.done:
                    break
                acts = p.modal() if advised else list(chosen.value) + ([strategy.value] if p.seat == "Iran" else [])
                p.play(acts)
                advised = advised or n > 1
            problem.set("")
        except UserError as exc:
            problem.set(str(exc))
        version.set(version.value + 1)
        _reset_choice(p)

    def save() -> None:
        p = session.value
        if p is None:
            return
        try:
            path = S.save_session(sessions_folder(), p)
            saved.set(path.stem)
        except UserError as exc:
            problem.set(str(exc))

    def load() -> None:
        name = pick.value
        try:
            if name not in saved_sessions():
                raise UserError(f"session {quote(name, 60)} is not a saved session")
            data = S.load_session(sessions_folder() / f"{name}.json")
            rel = str(data["config"])
            if rel not in theme.STUDIO_CONFIGS.values():
                raise UserError(f"session {name}: configuration {quote(rel, 60)} is not offered here")
            p = S.PlaySession.from_record(load_config(CONFIG_DIR / rel), data)
            replay.set((data, p))
            session.set(None)
            problem.set("")
        except UserError as exc:
            problem.set(str(exc))

    def replay_step(n: int = 1) -> None:
        if replay.value is None:
            return
        data, p = replay.value
        for _ in range(n):
            if p.day >= len(data["moves"]) or p.done:
                break
            p.play(data["moves"][p.day]["acts"])
        version.set(version.value + 1)

    _ = version.value
    with solara.Column(gap="8px", style={"padding": "12px"}) as main:
        solara.Markdown("## Play a seat\nTake the United States, Iran or the Iraqi Prime Minister; the "
                        "model's agents play everyone else. The model's probability of each act is its advice.")
        with solara.Row(classes=["play-controls"]):
            solara.Select("Configuration", values=list(theme.STUDIO_CONFIGS), value=label)
            solara.InputText("Seed", value=seed, classes=["play-seed"])
            solara.InputText("Days", value=days, classes=["play-days"])
            solara.Select("Seat", values=list(theme.SEAT_LABELS), value=seat)
            solara.Button("Start", on_click=start, color="primary", classes=["play-start"])
        with solara.Row(classes=["replay-controls"]):
            solara.Select("Saved session", values=saved_sessions(), value=pick)
            solara.Button("Load for replay", on_click=load, classes=["replay-load"])
        if problem.value:
            _problem(problem.value)
        p = session.value
        if p is not None:
            Game(p, chosen, strategy, play, save, saved.value, version.value)
        elif replay.value is not None:
            Replay(replay.value[0], replay.value[1], replay_step, version.value)
    return main


def _toggle(chosen: Any, act: str) -> Any:
    def set_(on: bool) -> None:
        rest = [x for x in chosen.value if x != act]
        chosen.set(sorted([*rest, act]) if on else rest)

    return set_


def _date(p: S.PlaySession) -> str:
    start = p.cfg.meta.start_date
    return start.fromordinal(start.toordinal() + p.day).isoformat()


@solara.component
def Game(p: S.PlaySession, chosen: Any, strategy: Any, play: Any, save: Any, saved: str, version: int) -> Any:
    """The seat's options today, the state of the world, the run over its ensemble."""
    with solara.Column(gap="6px", classes=["game"]) as main:
        status = (f"Game over after {p.track.days} days: {theme.PATH_LABELS.get(p.track.outcome()['path'], '')}"
                  if p.done else f"Day {p.day} ({_date(p)}) of {p.track.days}: you are "
                                 f"{theme.SEAT_LABELS[p.seat]}")
        solara.HTML(unsafe_innerHTML=(
            f'<div class="play-status" data-day="{p.day}" data-seat="{p.seat}" data-seed="{p.seed}" '
            f'data-done="{str(p.done).lower()}" data-moves="{len(p.moves)}" '
            f'data-path="{p.track.outcome()["path"]}" style="font-size:16px"><b>{status}</b></div>'))
        if not p.done:
            advice = p.options()
            if p.seat == "Iran":
                solara.ToggleButtonsSingle(value=strategy, values=list(STRATEGIES), classes=["play-strategy"])
                solara.HTML(unsafe_innerHTML="<div class='advice'>" + ", ".join(
                    f"{s}: <b>{studio_figures.chance(advice[s])}</b>" for s in STRATEGIES) + "</div>")
                options = ["direct_strike"]
            else:
                options = list(advice)
            with solara.Row(classes=["play-acts"], style={"flex-wrap": "wrap"}):
                for a in options:
                    solara.Checkbox(label=f"{a} (model: {studio_figures.chance(advice[a])})",
                                    value=a in chosen.value,
                                    on_value=_toggle(chosen, a))
            with solara.Row():
                solara.Button("Play this day", on_click=lambda: play(1), color="primary", classes=["play-day"])
                solara.Button("Follow the advice for 7 days", on_click=lambda: play(7, True),
                              classes=["play-week"])
                solara.Button("Save session", on_click=save, classes=["play-save"])
        else:
            solara.Button("Save session", on_click=save, classes=["play-save"])
        if saved:
            solara.HTML(unsafe_innerHTML=f'<div class="play-saved" data-name="{saved}">Saved as {saved}'
                                         f' ({len(p.moves)} moves)</div>')
        with solara.Columns([2, 1]):
            FanView(p.cfg, p.track.days, p.track.series, p.day, f"Your run over the ensemble (day {p.day})")
            solara.HTML(unsafe_innerHTML=figures.world_state_html(_View(p.track)))
    return main


@solara.component
def Replay(data: dict[str, Any], p: S.PlaySession, step: Any, version: int) -> Any:
    """A saved session stepped through with its own moves; at the end, the check against the save."""
    total = len(data["moves"])
    with solara.Column(gap="6px", classes=["replay"]) as main:
        move = data["moves"][p.day - 1]["acts"] if p.day > 0 else []
        solara.HTML(unsafe_innerHTML=(
            f'<div class="replay-status" data-day="{p.day}" data-total="{total}" data-path="'
            f'{p.track.outcome()["path"]}" style="font-size:15px"><b>Replay of a {data["seat"]} session '
            f'(seed {data["seed"]}): day {p.day} of {total} played; last move: '
            f'{", ".join(move) or "nothing"}</b></div>'))
        if p.day >= total and "outcome" in data:
            now = p.track.outcome()
            same = all(data["outcome"].get(k) == now.get(k)
                       for k in ("path", "attacks", "us_killed", "legal_status_final", "us_troops_final"))
            solara.HTML(unsafe_innerHTML=(f'<div class="replay-check" data-same="{str(same).lower()}">'
                                          f'Replay matches the saved outcome: {"yes" if same else "NO"}</div>'))
        with solara.Row():
            solara.Button("Step", on_click=lambda: step(1), classes=["replay-step"])
            solara.Button("Step 10", on_click=lambda: step(10), classes=["replay-step10"])
            solara.Button("To the end", on_click=lambda: step(total), classes=["replay-end"])
        with solara.Columns([2, 1]):
            FanView(p.cfg, p.track.days, p.track.series, p.day, f"Replay over the ensemble (day {p.day})")
            solara.HTML(unsafe_innerHTML=figures.world_state_html(_View(p.track)))
    return main
