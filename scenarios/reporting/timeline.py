"""Geometry of the HTML report's timeline: a simulated-time axis and three lanes.

Lanes: ministry (issued, reviewed, revoked …), replication (became due, delivered, faults) and
national (bound, unbound, details). Each licence change is drawn as a path issued → due →
delivered → bound in its own colour; rest days are shaded when the span is short enough.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scenarios.reporting.days import day_shade, local_time
from scenarios.results import LANES, Event, ScenarioResult
from shared.clock import SHANGHAI
from shared.workdays import WEEKDAY_NAMES, WorkingCalendar, start_of_day

WIDTH, LEFT, RIGHT = 1120, 150, 40
AXIS_Y, LANE_TOP, ROW = 44, 64, 17
LANE_NAMES = {"ministry": "应急管理部", "replication": "数据同步", "national": "国家政务服务平台"}
PALETTE = ("#c0392b", "#1f6fb2", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f6000",
           "#b03a79")
SHAPES = {"issued": "circle", "reissued": "circle", "reviewed": "circle", "renewed": "circle",
          "revoked": "cross", "cancelled": "cross", "due": "diamond", "delivered": "square",
          "bound": "circle", "unbound": "ring", "fault": "bolt", "recovered": "bolt"}


@dataclass
class Mark:
    x: float
    y: float
    shape: str
    colour: str
    label: str
    title: str
    label_y: float = 0.0
    anchor: str = "start"
    kind: str = ""
    href: str | None = None  # where the report explains this change


@dataclass
class Timeline:
    """Everything the template draws for one scenario."""

    width: int
    height: int
    lanes: list[dict] = field(default_factory=list)     # name, y, height
    ticks: list[dict] = field(default_factory=list)     # x, label
    rest_days: list[dict] = field(default_factory=list)  # x, width, kind
    marks: list[Mark] = field(default_factory=list)
    paths: list[dict] = field(default_factory=list)     # points, colour
    steps: list[dict] = field(default_factory=list)     # x, passed, title, number
    legend: list[dict] = field(default_factory=list)    # certificate, colour
    outages: list[dict] = field(default_factory=list)   # x, width, y, height: national faulty
    now_x: float | None = None


def build_timeline(result: ScenarioResult, calendar: WorkingCalendar,
                   links: dict[str, str] | None = None) -> Timeline:
    """Lay out the events and steps of one scenario on the simulated-time axis; `links` maps
    a change id to where the report explains it (its marks link there)."""
    start, end = _span(result)
    scale = _Scale(start, end)
    colours = _colours(result.events)
    lanes, lane_rows = _lanes(result.events, scale)
    timeline = Timeline(width=WIDTH, height=lanes[-1]["y"] + lanes[-1]["height"] + 46,
                        lanes=lanes, legend=[{"certificate": c, "colour": k}
                                             for c, k in colours.items()])
    timeline.ticks, timeline.rest_days = _ticks(scale, calendar)
    for event in result.events:
        mark = _mark(event, scale, lanes, lane_rows, colours)
        mark.href = (links or {}).get(event.change)
        timeline.marks.append(mark)
    timeline.paths = _paths(result.events, timeline.marks, colours)
    timeline.outages = _outages(result.events, scale, lanes[1], result.end)
    steps_y = lanes[-1]["y"] + lanes[-1]["height"] + 14
    timeline.steps = [{"x": scale.x(s.at), "y": steps_y, "passed": s.passed,
                       "number": s.step.number,
                       "title": f"{s.step.number} {local_time(s.at)} {s.step.describe()}"
                                + ("" if s.passed else " ✗ " + "; ".join(s.failures))}
                      for s in result.steps]
    if result.end is not None:
        timeline.now_x = scale.x(result.end)
    return timeline


class _Scale:
    def __init__(self, start: datetime, end: datetime):
        self.start, self.end = start, end
        self.seconds = max((end - start).total_seconds(), 1.0)

    def x(self, moment: datetime) -> float:
        share = (moment - self.start).total_seconds() / self.seconds
        return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)


def _span(result: ScenarioResult) -> tuple[datetime, datetime]:
    """Return the axis range: the start to the last step or event, with a little room."""
    start = result.scenario.start
    moments = [start, result.end or start] + [e.at for e in result.events] + [
        s.at for s in result.steps]
    end = max(moments)
    if end - start < timedelta(hours=6):
        end = start + timedelta(hours=6)
    return start, end + (end - start) * 0.04


def _colours(events: list[Event]) -> dict[str, str]:
    names: list[str] = []
    for event in events:
        if event.certificate and event.certificate not in names:
            names.append(event.certificate)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _lanes(events: list[Event], scale: _Scale) -> tuple[list[dict], dict]:
    """Size each lane for the label rows its events need (labels never overlap)."""
    rows: dict[str, list[list[tuple[float, float]]]] = {lane: [] for lane in LANES}
    placed: dict[int, tuple[int, str]] = {}
    for event in sorted(events, key=lambda e: e.at):
        x = scale.x(event.at)
        width = 7.5 * _text_width(event.label) + 14
        anchor = "end" if x + width > WIDTH - 4 else "start"
        span = (x - width, x) if anchor == "end" else (x, x + width)
        lane_rows = rows[event.lane]
        row = next((i for i, r in enumerate(lane_rows)
                    if all(span[1] < a or span[0] > b for a, b in r)), None)
        if row is None:
            lane_rows.append([])
            row = len(lane_rows) - 1
        lane_rows[row].append(span)
        placed[id(event)] = (row, anchor)
    lanes, y = [], LANE_TOP
    for lane in LANES:
        height = max(44, 14 + ROW * len(rows[lane]))
        lanes.append({"key": lane, "name": LANE_NAMES[lane], "y": y, "height": height})
        y += height + 6
    return lanes, placed


def _text_width(text: str) -> float:
    """Estimate a label's width in half-em units (CJK characters count double)."""
    return sum(2 if ord(c) > 0x2E80 else 1.05 for c in text) / 1.6


def _mark(event: Event, scale: _Scale, lanes: list[dict], placed: dict, colours: dict) -> Mark:
    lane = next(lane for lane in lanes if lane["key"] == event.lane)
    row, anchor = placed[id(event)]
    y = lane["y"] + 16 + row * ROW
    colour = colours.get(event.certificate, "#555")
    return Mark(x=scale.x(event.at), y=y, shape=SHAPES.get(event.kind, "circle"),
                colour=colour, label=event.label, anchor=anchor,
                label_y=y + 4, kind=event.kind,
                title=f"{local_time(event.at)} {event.certificate}: {event.label}")


def _outages(events: list[Event], scale: _Scale, lane: dict, end) -> list[dict]:
    """Shade the replication lane from each fault until the national portal is back up."""
    bands, since = [], None
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == "fault" and since is None:
            since = event.at
        elif event.kind == "recovered" and since is not None:
            bands.append((since, event.at))
            since = None
    if since is not None and end is not None:
        bands.append((since, end))
    return [{"x": scale.x(a), "width": max(scale.x(b) - scale.x(a), 1), "y": lane["y"],
             "height": lane["height"]} for a, b in bands]


def _paths(events: list[Event], marks: list[Mark], colours: dict) -> list[dict]:
    """Join each licence's marks in time order, ministry → replication → national."""
    by_certificate: dict[str, list[Mark]] = {}
    for event, mark in sorted(zip(events, marks, strict=True), key=lambda p: p[0].at):
        if event.certificate:
            by_certificate.setdefault(event.certificate, []).append(mark)
    return [{"points": " ".join(f"{m.x},{m.y}" for m in found), "colour": colours[name]}
            for name, found in by_certificate.items() if len(found) > 1]


def _ticks(scale: _Scale, calendar: WorkingCalendar) -> tuple[list[dict], list[dict]]:
    """Return axis ticks and, for spans up to 62 days, the shaded rest days."""
    days = scale.seconds / 86400
    first = scale.start.astimezone(SHANGHAI).date()
    last = scale.end.astimezone(SHANGHAI).date()
    if days <= 2:
        return _hour_ticks(scale), []
    if days > 62:
        return _month_ticks(scale), []
    ticks, rest = [], []
    step = 1 if days <= 22 else 2
    day = first
    while day <= last:
        x0 = scale.x(max(start_of_day(day), scale.start))
        x1 = scale.x(min(start_of_day(day) + timedelta(days=1), scale.end))
        kind = day_shade(day, calendar)
        if kind in ("rest", "shift"):
            rest.append({"x": x0, "width": max(x1 - x0, 0.5), "kind": kind})
        if (day - first).days % step == 0:
            ticks.append({"x": x0, "label": f"{day.month}/{day.day}",
                          "sub": WEEKDAY_NAMES[day.weekday()] + ("班" if kind == "shift" else "")})
        day += timedelta(days=1)
    if len(ticks) > 1 and ticks[1]["x"] - ticks[0]["x"] < 34:
        ticks.pop(0)  # the partial first day: its label would overlap the next one
    return ticks, rest


def _hour_ticks(scale: _Scale) -> list[dict]:
    moment = scale.start.astimezone(SHANGHAI).replace(minute=0, second=0, microsecond=0)
    every = 1 if scale.seconds <= 8 * 3600 else 3
    ticks = []
    while moment <= scale.end:
        if moment >= scale.start and moment.hour % every == 0:
            ticks.append({"x": scale.x(moment), "label": moment.strftime("%H:%M"),
                          "sub": f"{moment.month}/{moment.day}"})
        moment += timedelta(hours=1)
    return ticks


def _month_ticks(scale: _Scale) -> list[dict]:
    day = scale.start.astimezone(SHANGHAI).date().replace(day=1)
    months = scale.seconds / 86400 / 30
    every = 1 if months <= 14 else 3 if months <= 40 else 12
    ticks = []
    while start_of_day(day) <= scale.end:
        if start_of_day(day) >= scale.start and (day.month - 1) % every == 0:
            ticks.append({"x": scale.x(start_of_day(day)), "label": f"{day.year}-{day.month:02d}",
                          "sub": ""})
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return ticks
