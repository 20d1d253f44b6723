"""实人认证 on the desktop: the QR codes the 绑定证照 page shows, and the ticket's state it polls.

The phone-app pages the codes open are the web kit's (shared.web.phone_app).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from shared.accounts.faces import face_check_state, own_face_check
from shared.web.images import qr_png
from shared.web.logins import login_required, page_login
from shared.web.pages import public_url_for
from shared.web.resources import get_clock, get_session

bp = Blueprint("faces", __name__)


def png(data: bytes) -> Response:
    """Answer a PNG that is never cached (a QR code belongs to one ticket)."""
    return Response(data, mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.get("/face-checks/<token>/qr.png")
@login_required
def qr(token: str):
    """The QR code the 国家政务服务平台 app scans to start the face check."""
    ticket = own_face_check(get_session(), page_login().account_id, token)
    return png(qr_png(public_url_for("phone_app.face", token=ticket.token)))


@bp.get("/face-checks/<token>/state")
@login_required
def state(token: str):
    """The ticket's state, polled by the desktop page."""
    ticket = own_face_check(get_session(), page_login().account_id, token)
    return jsonify({"state": face_check_state(ticket, get_clock().now())})


@bp.get("/app-download-qr.png")
def download_qr():
    """The 扫描下载APP QR code."""
    return png(qr_png(public_url_for("phone_app.download")))
