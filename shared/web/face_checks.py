"""实人认证 on the desktop, the same on both portals: what a page showing a ticket needs (the
two QR codes, the app link) and the ticket's state it follows without reloading:
等待扫码 → 已扫码，请在手机上完成认证 → 认证通过 / 认证未通过 / 二维码已过期.

The left QR code opens the simulated 国家政务服务平台 APP page (shared.web.phone_app; its base
URL is PUBLIC_URL, so a phone on the same network can open it), the right one the app's
download page. `static/face_check.js` polls the state and moves on once the ticket passed.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, jsonify, url_for
from flask import session as browser

from shared.accounts.faces import face_check_state, get_face_check
from shared.accounts.models import FaceCheck, FaceCheckState
from shared.errors import NotFound
from shared.web.images import data_uri, qr_png
from shared.web.logins import page_login
from shared.web.pages import public_url_for
from shared.web.resources import get_clock, get_session

bp = Blueprint("face_checks", __name__, static_folder="static",
               static_url_path="/face-checks/static")
LABELS = {FaceCheckState.PENDING: "等待扫码", FaceCheckState.PASSED: "认证通过",
          FaceCheckState.FAILED: "认证未通过", FaceCheckState.EXPIRED: "二维码已过期"}
SCANNED = "已扫码，请在手机上完成认证"
REGISTERING = "registering"  # the browser's account between 创建账户 and 实人认证 (ministry)


def desktop_state(ticket: FaceCheck, now: datetime) -> dict:
    """The ticket as the desktop shows it: state, whether the app opened it, and the words."""
    state = face_check_state(ticket, now)
    scanned = ticket.scanned_at is not None
    label = SCANNED if scanned and state == FaceCheckState.PENDING else LABELS[state]
    return {"state": state, "scanned": scanned, "label": label}


def face_check_page(ticket: FaceCheck) -> dict:
    """What a template showing a ticket is given: `ticket`, `app_url`, both QR codes as data
    URIs, `state_url` and `face` (its desktop state now)."""
    app_url = public_url_for("phone_app.face", token=ticket.token)
    return {"ticket": ticket, "app_url": app_url, "app_qr": data_uri(qr_png(app_url)),
            "download_qr": data_uri(qr_png(public_url_for("phone_app.download"))),
            "state_url": url_for("face_checks.state", token=ticket.token),
            "face": desktop_state(ticket, get_clock().now())}


@bp.get("/face-checks/<token>/state")
def state(token: str):
    """Tell the desktop page how its ticket stands; only the browser that opened it may ask."""
    try:
        ticket = get_face_check(get_session(), token)
    except NotFound:
        abort(404)
    login = page_login()
    if ticket.account_id not in (browser.get(REGISTERING), login and login.account_id):
        abort(404)
    return jsonify(desktop_state(ticket, get_clock().now()))
