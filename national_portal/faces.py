"""实人认证 served by this portal: the QR codes, their state, and the simulated app's pages."""

from __future__ import annotations

import io

import qrcode
from flask import Blueprint, Response, g, jsonify, render_template, request

from national_portal import logins
from national_portal.api import app_url
from national_portal.context import get_clock, get_session
from national_portal.web import login_required, public_url_for
from shared.accounts.services import (
    decide_face_check,
    face_check_state,
    get_account,
    get_face_check,
)
from shared.errors import DomainError

bp = Blueprint("faces", __name__)


def qr_png(text: str) -> Response:
    """Answer a PNG QR code holding `text`."""
    buffer = io.BytesIO()
    qrcode.make(text, box_size=6, border=2).save(buffer, format="PNG")
    return Response(buffer.getvalue(), mimetype="image/png",
                    headers={"Cache-Control": "no-store"})


@bp.get("/face-checks/<token>/qr.png")
@login_required
def qr(token: str):
    """The QR code the 国家政务服务平台 app scans to start the face check."""
    ticket = logins.own_face_check(get_session(), g.account, token)
    return qr_png(app_url(ticket.token))


@bp.get("/face-checks/<token>/state")
@login_required
def state(token: str):
    """The ticket's state, polled by the desktop page."""
    ticket = logins.own_face_check(get_session(), g.account, token)
    return jsonify({"state": face_check_state(ticket, get_clock().now())})


@bp.route("/app/face/<token>", methods=["GET", "POST"])
def app_page(token: str):
    """The simulated app: 开始人脸识别 passes, 模拟识别失败 fails the check."""
    ticket = get_face_check(get_session(), token)
    holder = get_account(get_session(), ticket.account_id)
    error = None
    if request.method == "POST":
        try:
            ticket = decide_face_check(get_session(), get_clock(), token,
                                       request.form.get("outcome") == "pass")
        except DomainError as exc:
            error = exc.message
    return render_template("faces/app.html", ticket=ticket, holder=holder, error=error,
                           state=face_check_state(ticket, get_clock().now()))


@bp.get("/app/download")
def download():
    """Where the right-hand QR code leads: the (simulated) app download page."""
    return render_template("faces/download.html")


@bp.get("/app/download/qr.png")
def download_qr():
    """The 扫描下载APP QR code."""
    return qr_png(public_url_for("faces.download"))
