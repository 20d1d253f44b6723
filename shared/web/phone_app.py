"""The simulated 国家政务服务平台 phone app, the same on both portals: the page a face-check QR
code opens (开始人脸识别, then 识别通过 or 识别不通过; opening it is the scan the desktop page
reports) and the app's download page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from shared.accounts.faces import (
    decide_face_check,
    face_check_state,
    get_face_check,
    note_scan,
)
from shared.accounts.logins import get_account
from shared.accounts.models import FacePurpose
from shared.errors import DomainError, NotFound
from shared.web.recording import note, note_refusal
from shared.web.resources import get_clock, get_session

bp = Blueprint("phone_app", __name__, url_prefix="/app", template_folder="templates",
               static_folder="static", static_url_path="/app-static")
PURPOSES = {FacePurpose.REGISTER: "自然人用户注册", FacePurpose.LICENCES: "查看我的证照",
            FacePurpose.BIND: "绑定证照"}


@bp.route("/face/<token>", methods=["GET", "POST"])
def face(token: str):
    """Show whose identity is checked; 开始人脸识别, then pass or fail the ticket."""
    session = get_session()
    try:
        ticket = get_face_check(session, token)
    except NotFound:
        return render_template("phone_app/face.html", ticket=None,
                               error="二维码无效，请在电脑端刷新二维码"), 404
    error = None
    if request.method == "GET":
        ticket = note_scan(session, get_clock(), ticket)  # the desktop now says 已扫码
    if request.method == "POST":
        outcome = "pass" if request.form.get("outcome") == "pass" else "fail"
        note("verify_identity", get_account(session, ticket.account_id), outcome=outcome,
             purpose=ticket.purpose)
        try:
            ticket = decide_face_check(session, get_clock(), token, outcome == "pass")
        except DomainError as exc:
            note_refusal(exc)
            error = exc.message
    return render_template("phone_app/face.html", ticket=ticket, error=error,
                           holder=get_account(session, ticket.account_id),
                           state=face_check_state(ticket, get_clock().now()),
                           purpose=PURPOSES.get(ticket.purpose, ticket.purpose),
                           site=current_app.config["SITE_NAME"])


@bp.get("/download")
def download():
    """Where the right-hand QR code leads: how to get the 国家政务服务平台 APP."""
    return render_template("phone_app/download.html")

