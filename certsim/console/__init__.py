"""The simulator console: one page that shows and steers the world (clock, queue, outage, SMS
and captcha answers, snapshots, recording a session).

It holds no state of its own: the figures come from the portals' control planes (`/_sim/...`)
over HTTP and the buttons call them; snapshots (both databases at once) go through
`certsim.snapshots`, and recordings through `certsim.recording`, on the databases and world
store this process is configured with (the same as the portals' under `certsim run`). It is served on loopback only.
"""

from __future__ import annotations

import os
from datetime import datetime

import requests
from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from certsim import recording, snapshots, world
from certsim.console.days import DayFacts
from shared.clock import parse_instant
from shared.errors import DomainError, InvalidInput
from shared.models import OutboxState
from shared.web.errors import error_json
from shared.web.security import add_security_headers

TIMEOUT = 5
RECENT_DELIVERED = 5  # delivered changes the queue still shows
CLOCK_STEPS = {"+1h": "1h", "+1wd": "1wd", "+3wd": "3wd"}  # button -> the portal's step
CLOCK_SWITCHES = {"freeze": {"freeze": True}, "resume": {"resume": True},
                  "next_due": {"next_due": True}}


class PortalRefused(Exception):
    """A portal answered a control-plane call with a 4xx: its JSON error is passed on."""

    def __init__(self, response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def create_app(config: dict | None = None) -> Flask:
    """Build the console app; MEM_URL and NATIONAL_URL say where the portals answer."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("CONSOLE_SECRET_KEY", os.urandom(16).hex()),
        MEM_URL=os.environ.get("CONSOLE_MEM_URL", "http://127.0.0.1:8001"),
        NATIONAL_URL=os.environ.get("CONSOLE_NATIONAL_URL", "http://127.0.0.1:8002"),
        JSON_AS_ASCII=False,
        # cookies are per host, not per port: the portals' (mem_session, national_session) on
        # 127.0.0.1 would otherwise overwrite the console's, and its CSRF token with it
        SESSION_COOKIE_NAME="console_session",
    )
    app.config.update(config or {})
    CSRFProtect(app)
    http = app.config.get("HTTP") or requests.Session()
    days = DayFacts(world.calendar())

    def call(portal: str, method: str, path: str, **kwargs):
        base = app.config["MEM_URL" if portal == "mem" else "NATIONAL_URL"]
        response = http.request(method, base + path, timeout=TIMEOUT, **kwargs)
        if 400 <= response.status_code < 500:
            raise PortalRefused(response)
        response.raise_for_status()
        return response.json()

    @app.get("/")
    def page():
        """Show the console."""
        return render_template("console.html", mem_url=app.config["MEM_URL"],
                               national_url=app.config["NATIONAL_URL"])

    @app.get("/api/state")
    def state():
        """Gather clock, lag, replication queue, outage mode, the captchas still open and
        (given a phone) its SMS inboxes."""
        phone = request.args.get("phone", "")
        clock = call("mem", "GET", "/_sim/clock")
        replication = call("mem", "GET", "/_sim/replication")
        data = {"clock": clock, "day": days.describe(DayFacts.parse(clock["now"])),
                "replication": replication, "queue": queue(replication["checkpoint"]),
                "faults": call("national", "GET", "/_sim/faults")}
        data["captchas"] = {portal: call(portal, "GET", "/_sim/captchas")["captchas"]
                            for portal in ("mem", "national")}
        data["recording"] = recording.status()
        if phone:
            data["sms"] = {"mem": call("mem", "GET", "/_sim/sms", params={"phone": phone}),
                           "national": call("national", "GET", "/_sim/sms",
                                            params={"phone": phone})}
        return jsonify(data)

    def queue(checkpoint: int) -> list[dict]:
        """Pending and blocked changes, then the last few delivered (up to the checkpoint)."""
        def peek(state: str, after: int = 0, explain: int = 0) -> list[dict]:
            return call("mem", "GET", "/_sim/outbox", params={
                "state": state, "after": after, "limit": 50, "payload": 1,
                "explain": explain})["changes"]

        delivered = peek(OutboxState.DELIVERED, max(0, checkpoint - RECENT_DELIVERED))
        return (peek(OutboxState.PENDING, explain=1) + peek(OutboxState.BLOCKED, explain=1)
                + delivered[::-1])

    @app.post("/api/clock")
    def move_clock():
        """Move the world's clock: set it, +1h, +1/+3 working days, to the next due change,
        pause or resume."""
        body = request.get_json(silent=True) or {}
        action = body.get("action", "")
        if action == "set":
            return jsonify(call("mem", "POST", "/_sim/clock",
                                json={"set": not_before_national_data(body.get("at"))}))
        if action in CLOCK_SWITCHES:
            return jsonify(call("mem", "POST", "/_sim/clock", json=CLOCK_SWITCHES[action]))
        if action not in CLOCK_STEPS:
            raise InvalidInput("action", f"未知的时钟操作 {action!r}：可用 set、+1h、+1wd、+3wd、"
                                         "next_due、freeze、resume")
        return jsonify(call("mem", "POST", "/_sim/clock", json={"advance": CLOCK_STEPS[action]}))

    def not_before_national_data(at) -> str:
        """Refuse a time before data the national portal holds (the ministry checks its own)."""
        target = parse_instant(at)
        latest = call("national", "GET", "/_sim/info").get("latest_written_at")
        if latest and target < datetime.fromisoformat(latest):
            raise InvalidInput("set", f"时间不能倒退到 {target.isoformat()}：国家平台已有 {latest} "
                                      "写入的数据；要回到过去，请恢复快照")
        return target.isoformat()

    @app.get("/api/snapshots")
    def list_snapshots():
        """The snapshots there are (demo first), with their clock and lag policy."""
        return jsonify({"snapshots": snapshots.listing()})

    @app.post("/api/snapshots")
    def snapshot_action():
        """Save, restore or delete a snapshot of the whole world."""
        body = request.get_json(silent=True) or {}
        action, name = body.get("action"), str(body.get("name") or "")
        if action == "save":
            return jsonify(snapshots.save(name))
        if action == "restore":
            return jsonify(snapshots.restore(name))
        if action == "delete":
            snapshots.delete(name)
            return jsonify({"deleted": name})
        raise InvalidInput("action", "快照操作应为 save、restore 或 delete")

    @app.get("/api/recording")
    def recording_state():
        """Whether a recording runs (its name, start, snapshot, events so far)."""
        return jsonify(recording.status())

    @app.post("/api/recording")
    def recording_action():
        """开始录制 / 停止录制: stopping writes var/recordings/NAME.yaml and answers it with
        what the file could not say."""
        body = request.get_json(silent=True) or {}
        if body.get("action") == "start":
            return jsonify(recording.start(str(body.get("name") or "") or None))
        if body.get("action") != "stop":
            raise InvalidInput("action", "录制操作应为 start 或 stop")
        recorded = recording.stop()
        path = recording.save_file(
            recorded, recording.folder() / f"{recorded.document['name']}.yaml")
        return jsonify({"file": str(path), "steps": len(recorded.document["steps"]),
                        "unexpressed": recording.report(recorded), "yaml": recorded.to_yaml()})

    @app.post("/api/replicate")
    def replicate():
        """Ask the replicator to run now."""
        return jsonify(call("mem", "POST", "/_sim/replication/tick"))

    @app.post("/api/outage")
    def outage():
        """Switch the national portal's ingest up, down or answering errors."""
        mode = (request.get_json(silent=True) or {}).get("mode", "up")
        return jsonify(call("national", "POST", "/_sim/faults", json={"mode": mode}))

    @app.post("/api/reset")
    def reset():
        """Restore the built-in demo snapshot: both portals' demo data, the demo start."""
        return jsonify(snapshots.restore(snapshots.DEMO))

    _register_error_handlers(app)
    app.after_request(add_security_headers)
    return app


def _register_error_handlers(app: Flask) -> None:
    """Answer every failure as JSON the page can show (it reads `message`)."""

    @app.errorhandler(requests.RequestException)
    def portal_unreachable(exc):
        """The portal did not answer, or answered with a server error."""
        return jsonify({"error": "portal_unreachable", "message": f"门户无法访问: {exc}"}), 502

    @app.errorhandler(PortalRefused)
    def portal_refused(exc):
        """Pass on the portal's own refusal (it names the field and says why in Chinese)."""
        try:
            body = exc.response.json()
        except ValueError:
            body = {"error": "refused", "message": exc.response.text[:200]}
        return jsonify(body), exc.response.status_code

    @app.errorhandler(DomainError)
    def refused(exc):
        """A bad button value (an unknown clock move, a snapshot name) names the field."""
        return error_json(exc)

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        """A press without the page's token changes nothing."""
        return jsonify({"error": "csrf", "message": "页面已过期，请刷新控制台后重试"}), 400
