"""Single-run page: watch one run unfold day by day on Mesa's SolaraViz.

:class:`DashboardModel` is the model as the page creates it: it takes the raw control values
(the seed arrives as text, the preset as a name) and never fails on bad input: it falls back to
a valid run and keeps the problem in ``input_problems``, which the page shows. Each browser
session gets its own model (``solara.use_memo`` in :func:`SingleRunPage`); Reset builds a new
one from the controls. Labels and ranges of the controls come from the config schema.

Playing is paced by the page (:class:`Pacer`): the next day is computed only once the page
shows every update asked for so far, and a day is computed and read under the model's lock.
Without this a render started by the browser (any click or slider while playing) ran in the
websocket's thread, while Mesa's play thread, finding the render lock taken, kept stepping
without waiting: each render pass was outdated by the next step before it finished, so reacton
rendered again and again without ever committing: that session's page froze on a day while its
model ran on (and the passes read a model in mid-step: "Length of values (259) does not match
length of index (258)").
"""

from __future__ import annotations

import contextlib
import html
import io
import threading
import time
from typing import Any

import reacton.core
import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from dashboards import figures, studio_figures, theme
from sim.analysis import fan as fans
from sim.config import (
    CONFIG_DIR,
    DEFAULT_CONFIG,
    Config,
    ConfigError,
    UserError,
    field_info,
    get_path,
    load_config,
    parameter_space,
    with_overrides,
)
from sim.core.draws import check_seed
from sim.engines.mesa_model import EscalationModel
from sim.engines.studio import series_of
from sim.errors import quote

#: The payoff weights offered as sliders (dotted config paths); labels and ranges: schema.
MAIN_WEIGHTS: tuple[str, ...] = (
    "actors.iran.revenge_weight",
    "actors.iran.pressure_weight",
    "actors.iran.retaliation_weight",
    "actors.iran.war_weight",
    "actors.iran.economic_weight",
    "actors.united_states.retaliation_weight",
    "actors.united_states.audience_weight",
    "actors.united_states.war_avoidance_weight",
    "actors.united_states.sovereignty_weight",
    "actors.militia_common.hostility_weight",
    "actors.militia_common.fear_weight",
    "actors.parliament.anger_weight",
    "actors.parliament.iran_weight",
)
DEFAULT_SEED = 42
SCENARIO_DIR = CONFIG_DIR / "scenarios"


# ------------------------------------------------------------------------------ inputs
def preset_names() -> list[str]:
    """Posture presets offered: the baseline, then every file in ``configs/scenarios/``."""
    return [theme.DEFAULT_PRESET] + sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def preset_path(name: str) -> Any:
    """Config file of a preset name; a :class:`ConfigError` if there is no such preset."""
    name = str(name).strip()
    if name == theme.DEFAULT_PRESET:
        return DEFAULT_CONFIG
    path = SCENARIO_DIR / f"{name}.yaml"
    if not name or "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise ConfigError(f"posture preset {name!r} does not exist; "
                          f"available: {', '.join(preset_names())}")
    return path


def parse_seed(text: Any) -> int:
    """Parse a seed typed in the page (text) as an integer 0 .. 2**63 - 1; ConfigError otherwise."""
    if isinstance(text, bool):
        raise ConfigError(f"seed {text!r} is not a whole number")
    if isinstance(text, int):
        value = text
    else:
        raw = str(text).strip().replace(",", "").replace("_", "")
        if not (raw.isascii() and raw.isdigit()):  # int() would also take "٣" or " 3 "
            raise ConfigError(f"seed {quote(str(text), 40)} is not a whole number (digits 0-9)")
        value = int(raw)
    return check_seed(value)  # the one seed rule (0 .. 2**63 - 1), as in the CLI and the API


def _description(path: str) -> str:
    info = field_info(path)
    return str(info.description) if info is not None and info.description else theme.humanize(path.split(".")[-1])


def control_label(path: str) -> str:
    """Label of a control: section and the schema's description (else the field name)."""
    info = field_info(path)
    parts = path.split(".")
    text = (info.description if info is not None and info.description else
            theme.humanize(parts[-1]))
    section = theme.SECTION_LABELS.get(parts[-2]) if len(parts) > 1 else None
    return f"{section}: {text}" if section else text


def model_params(base: Config | None = None) -> dict[str, Any]:
    """SolaraViz controls: seed, posture preset, days and the main payoff weights."""
    cfg = base if base is not None else load_config(DEFAULT_CONFIG)
    space = parameter_space(cfg)
    days_lo, days_hi, _ = space["meta.days"]
    params: dict[str, Any] = {
        "seed": {"type": "InputText", "value": str(DEFAULT_SEED),
                 "label": "Seed (whole number, 0 or more)"},
        "preset": {"type": "Select", "value": theme.DEFAULT_PRESET, "values": preset_names(),
                   "label": "Iran posture preset"},
        "days": {"type": "SliderInt", "value": cfg.meta.days, "min": int(days_lo),
                 "max": int(days_hi), "step": 1, "label": _description("meta.days")},
    }
    for path in MAIN_WEIGHTS:
        lo, hi, kind = space[path]
        value = get_path(cfg, path)
        params[path] = {"type": "SliderFloat" if kind == "float" else "SliderInt",
                        "value": value, "min": lo, "max": hi,
                        "step": 0.05 if kind == "float" else 1, "label": control_label(path)}
    return params


#: Seconds a step waits for the page to show the previous update before it goes on anyway
#: (a render that failed, or a machine too slow to draw in time, must not stop a run).
PACE_TIMEOUT = 15.0


class Pacer:
    """Hold a playing run to the pace its page can show.

    The page reports the update it has shown (:meth:`shown`, from an effect, i.e. after the
    widgets were updated) and the lock its renders run under. :meth:`wait` (called before each
    step) returns once the page shows every update requested so far (Mesa's
    ``update_counter``) and no render is running, or after ``timeout`` seconds. The second
    condition keeps the rendering in the play thread: a step made while another thread is
    still in its render loop (the websocket's thread, after a click) makes that thread render
    again, and again, and it stops reading its websocket. A closed page (:meth:`close`)
    releases the wait and makes it return False.
    """

    def __init__(self, timeout: float = PACE_TIMEOUT) -> None:
        self.timeout = timeout
        self.attached = False
        self.closed = False
        self.render_lock: Any = None
        self.render_thread: Any = lambda: None  # the thread rendering now, if known
        self._shown = -1
        self._cond = threading.Condition()

    def shown(self, count: int, context: Any = None) -> None:
        """The page now shows update ``count``; ``context``: reacton's render context."""
        with self._cond:
            self.attached = True
            if getattr(context, "thread_lock", None) is not None:
                self.render_lock = context.thread_lock
                self.render_thread = lambda: getattr(context, "_lock_thread", None)
            self._shown = max(self._shown, int(count))
            self._cond.notify_all()

    def close(self) -> None:
        """The page is gone: release any wait; the run stops."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait(self) -> bool:
        """Wait until the page shows every requested update and is not rendering.

        Returns False if the page is gone.
        """
        if not self.attached:
            return not self.closed
        deadline = time.monotonic() + self.timeout
        wanted = int(update_counter.value)  # read outside our lock (solara takes its own)
        with self._cond:
            self._cond.wait_for(lambda: self.closed or self._shown >= wanted, self.timeout)
            lock = self.render_lock
        if lock is not None and not self.closed and self.render_thread() is not \
                threading.current_thread():
            # acquire and release at once: only to wait until a running render is done
            if lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                lock.release()
        return not self.closed


class DashboardModel(EscalationModel):
    """The model as the page builds it from raw control values; bad input never raises.

    Args:
        seed: run seed, as typed (text) or an int; falls back to 42 if not a whole number >= 0.
        preset: posture preset name (``baseline`` or a file stem in ``configs/scenarios/``).
        days: run length (default: the preset's ``meta.days``).
        **weights: payoff weights by dotted config path; a value equal to the baseline's is not
            applied, so the preset's own value holds.
    """

    def __init__(self, seed: Any = str(DEFAULT_SEED), preset: str = theme.DEFAULT_PRESET,
                 days: Any = None, scenario: Any = None, **weights: Any) -> None:
        # ``scenario``: Mesa's SolaraViz passes the model's (unused) Scenario back on Reset.
        problems: list[str] = []
        try:
            run_seed = parse_seed(seed)
        except UserError as exc:
            run_seed = DEFAULT_SEED
            problems.append(f"{exc}; running seed {DEFAULT_SEED} instead.")
        try:
            path = preset_path(preset)
            cfg = load_config(path)
            preset_used = str(preset).strip()
        except UserError as exc:
            problems.append(f"{exc}; running the baseline instead.")
            cfg = load_config(DEFAULT_CONFIG)
            preset_used = theme.DEFAULT_PRESET
        try:
            n_days = int(days) if days is not None else cfg.meta.days
            if n_days < 1:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"days {days!r} is not a positive whole number; "
                            f"running {cfg.meta.days} days instead.")
            n_days = cfg.meta.days
        baseline = _baseline()
        overrides = {k: v for k, v in weights.items() if _differs(v, _get_or_none(baseline, k))}
        try:
            cfg = with_overrides(cfg, overrides)
        except UserError as exc:
            problems.append(f"{exc}; running without the changed weights.")
            overrides = {}
        #: held while a day is computed and while the page reads the model
        self.lock = threading.RLock()
        self.pacer = Pacer()
        super().__init__(cfg, rng=run_seed, days=n_days)
        self.preset = preset_used
        self.overrides = overrides
        self.input_problems = problems
        #: the fan chart's series of this run, day 0 .. today
        self.run_series: dict[str, list[float]] = {k: [float(v[0])] for k, v in series_of(self.world).items()}

    def step(self) -> None:
        """Advance one day once the page has caught up; stop if the page is gone."""
        if not self.pacer.wait():
            self.running = False
            return
        with self.lock:
            super().step()
            for k, v in series_of(self.world).items():
                self.run_series[k].append(float(v[0]))


def _get_or_none(cfg: Config, path: str) -> Any:
    try:
        return get_path(cfg, path)
    except ConfigError:
        return None


def _differs(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) > 1e-9
    except (TypeError, ValueError):
        return True


_BASELINE: list[Config] = []


def _baseline() -> Config:
    if not _BASELINE:  # immutable (frozen) config, safe to share between sessions
        _BASELINE.append(load_config(DEFAULT_CONFIG))
    return _BASELINE[0]


# ------------------------------------------------------------------------------ components
def _esc(value: Any) -> str:
    """Escape a value for HTML text or an attribute value (every value built into HTML)."""
    return html.escape(str(value), quote=True)


def _draw(model: Any, make: Any) -> bytes:
    with reading(model):
        fig = make(model)
    return _png(fig)  # drawn from the figure's own copies of the data: no lock needed


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def reading(model: Any) -> Any:
    """Context in which a component reads the model: its lock (no step can run meanwhile)."""
    lock = getattr(model, "lock", None)
    return lock if lock is not None else contextlib.nullcontext()


def _day_key(model: Any) -> list[Any]:
    return [model, model.world.day, model.running]


def _vote_key(model: Any) -> list[Any]:
    return [model, sum(1 for e in model.events if e["kind"] == "parliament")]


@solara.component
def FigureView(model: Any, make: Any, css: str, key: Any = _day_key) -> Any:
    """Show a figure of the model, redrawn only when its key (e.g. the day) changes."""
    update_counter.get()
    with reading(model):
        deps = key(model)
    data = solara.use_memo(lambda: _draw(model, make), deps)
    with solara.Div(classes=[css, "dashboard-figure"], style={"max-width": "100%"}) as main:
        rw.Image(value=data, format="png", layout={"max_width": "100%", "height": "auto"})
    return main


@solara.component
def Timeline(model: Any) -> Any:
    """Each actor's rung by day, notable events marked."""
    return FigureView(model, figures.timeline_figure, "timeline")


@solara.component
def MapView(model: Any) -> Any:
    """Map of Iraq and its neighbours with sites, attacks and strikes."""
    return FigureView(model, figures.map_figure, "map")


@solara.component
def ParliamentView(model: Any) -> Any:
    """Seats by bloc, attendance and votes on the latest motion, against the quorum."""
    return FigureView(model, figures.parliament_figure, "parliament", key=_vote_key)


@solara.component
def EventLog(model: Any) -> Any:
    """Show the event log, newest first."""
    update_counter.get()
    with reading(model):
        text = figures.event_log_html(model)
    return solara.HTML(unsafe_innerHTML=text)


@solara.component
def WorldState(model: Any) -> Any:
    """Show the world state today."""
    update_counter.get()
    with reading(model):
        text = figures.world_state_html(model)
    return solara.HTML(unsafe_innerHTML=text)


@solara.component
def PathStatus(model: Any) -> Any:
    """Show the path tracked (final classification at the end) and input problems."""
    update_counter.get()
    with reading(model):
        st = figures.path_status(model)
    what = "Final classification" if st["final"] else "Tracking"
    m = st["metrics"]
    preset = getattr(model, "preset", "")
    with solara.Column(gap="4px", classes=["path-status"]) as main:
        for problem in getattr(model, "input_problems", []):
            solara.Warning(problem, classes=["input-problem"])
        solara.HTML(unsafe_innerHTML=(
            f'<div class="path-line" data-path="{_esc(st["path"])}" '
            f'data-final="{str(st["final"]).lower()}" data-day="{st["day"]}" '
            f'data-model="{id(model):x}" data-seed="{_esc(model.seed)}" '
            f'data-preset="{_esc(preset)}" '
            'style="font-size:16px">'
            f'<span style="display:inline-block;width:14px;height:14px;border-radius:7px;'
            f'background:{_esc(st["colour"])};margin-right:8px;vertical-align:-2px"></span>'
            f'<b>{what}:</b> {_esc(st["label"])} &nbsp; <span style="color:#666">'
            f'day {st["day"]} of {st["days"]} &middot; preset {_esc(preset or "?")}'
            f' &middot; seed {_esc(model.seed)} &middot; {m["militia_attacks"]} militia attacks, '
            f'{m["us_strikes_iraq"]} US strikes in Iraq, {m["us_strikes_iran"]} on Iran, '
            f'max rung {m["max_escalation"]}/6</span><br><span class="tracks" style="color:#444;font-size:13px">'
            f'military track: <b>{_esc(st["military"])}</b> &middot; political track: '
            f'<b>{_esc(st["political"])}</b></span></div>'))
    return main


@solara.component
def PaceMark(model: Any) -> Any:
    """Report to the model's :class:`Pacer` which update the page shows; close it on unmount."""
    count = update_counter.get()
    pacer = getattr(model, "pacer", None)
    context = reacton.core.get_render_context(required=False)

    def shown() -> None:
        if pacer is not None:
            pacer.shown(count, context)

    def attach() -> Any:
        return pacer.close if pacer is not None else None  # cleanup: Reset or page closed

    solara.use_effect(shown, [pacer, count])
    solara.use_effect(attach, [pacer])
    return solara.Div(classes=["pace-mark"], style={"display": "none"})


#: Fans of every configuration shown, shared by all sessions (immutable once computed): memory,
#: and ``.npz`` files under ``$ESCALATION_FAN_CACHE`` (default ``~/.cache/escalation/fans``).
FAN_CACHE = fans.FanCache(fans.default_cache_dir())


def fan_for(cfg: Config, days: int) -> fans.Fan:
    """The ensemble fan of a configuration (computed once, in the caller's thread)."""
    return FAN_CACHE.get(cfg, days)


@solara.component
def FanView(cfg: Config, days: int, run: Any, day: int, title: str = "", other: Any = None,
            fork_day: int | None = None, diverged: int | None = None,
            labels: tuple[str, str] = ("this run", "branch")) -> Any:
    """A run over its configuration's ensemble: computed in a background thread (the page stays
    live meanwhile), cached per config hash and days; then the fan chart and the percentile table.
    """
    key = (cfg.hash(), int(days))
    result = solara.use_thread(lambda: fan_for(cfg, days), dependencies=[key], intrusive_cancel=False)
    with solara.Column(gap="4px", classes=["fan"]) as main:
        if result.state == solara.ResultState.ERROR:
            solara.Error(f"The ensemble could not be computed: {result.error}", classes=["fan-error"])
        elif result.state != solara.ResultState.FINISHED or result.value is None:
            solara.HTML(unsafe_innerHTML=(
                f'<div class="fan-pending">Computing the ensemble of {fans.DEFAULT_RUNS} runs of this '
                f'configuration ({int(days)} days) in the background ...</div>'))
        else:
            FanChart(result.value, run, day, title, other, fork_day, diverged, labels)
    return main


@solara.component
def FanChart(fan: fans.Fan, run: Any, day: int, title: str, other: Any, fork_day: int | None,
             diverged: int | None, labels: tuple[str, str]) -> Any:
    """The fan chart image (redrawn when the day, the run's length or the branch changes), the
    percentile table and where the ensemble came from.
    """
    data = solara.use_memo(
        lambda: _png(studio_figures.fan_figure(fan, run, day, title, other, fork_day, diverged, labels)),
        [fan.config_hash, fan.days, day, len(run["attacks"]), id(other), fork_day, diverged])
    with solara.Column(gap="4px") as main:
        with solara.Div(classes=["fan-chart", "dashboard-figure"], style={"max-width": "100%"}):
            rw.Image(value=data, format="png", layout={"max_width": "100%", "height": "auto"})
        rows = studio_figures.percentiles(fan, run, day)
        solara.HTML(unsafe_innerHTML=studio_figures.percentile_html(rows, fan.runs))
        solara.HTML(unsafe_innerHTML=(
            f'<div class="fan-meta" style="color:#666;font-size:12px">ensemble: {fan.runs} runs on seeds '
            f'seed_for({fan.master_seed}, r), config hash {fan.config_hash}; computed or read in '
            f'{fan.seconds:.1f} s</div>'))
    return main


@solara.component
def RunFan(model: Any) -> Any:
    """The single run's series over its configuration's ensemble."""
    update_counter.get()
    with reading(model):
        run = {k: list(v) for k, v in model.run_series.items()}
        day = int(model.world.day)
    return FanView(model.config, int(model.days), run, day)


@solara.component
def Dashboard(model: Any) -> Any:
    """All single-run components, laid out."""
    with solara.Column(gap="8px", style={"padding": "8px"}) as main:
        PaceMark(model)
        with solara.Card(margin=0, classes=["card-status"]):
            PathStatus(model)
        with solara.Columns([7, 5]):
            with solara.Column(gap="8px"):
                with solara.Card("Escalation timeline", margin=0, classes=["card-timeline"]):
                    Timeline(model)
                with solara.Columns([3, 2]):
                    with solara.Card("Event log (newest first)", margin=0,
                                     classes=["card-events"]):
                        EventLog(model)
                    with solara.Card("World state", margin=0, classes=["card-world"]):
                        WorldState(model)
            with solara.Column(gap="8px"):
                with solara.Card("Map", margin=0, classes=["card-map"]):
                    MapView(model)
                with solara.Card("Parliament", margin=0, classes=["card-parliament"]):
                    ParliamentView(model)
        with solara.Card("This run against its ensemble", margin=0, classes=["card-fan"]):
            RunFan(model)
    return main


@solara.component
def SingleRunPage() -> Any:
    """Show the single-run page: one model per browser session, controls in the sidebar."""
    params = solara.use_memo(model_params, [])
    initial = solara.use_memo(
        lambda: DashboardModel(**{k: v["value"] for k, v in params.items()}), [])
    model = solara.use_reactive(initial)
    solara.Title("Escalation: single run")
    SolaraViz(model, components=[], model_params=params,
              name="US-Iran escalation in Iraq: a single run", play_interval=150)
    Dashboard(model.value)
