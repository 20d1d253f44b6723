"""实人认证: the desktop page with two QR codes, its state, and the simulated phone app.

The left QR code opens the simulated 国家政务服务平台 APP page for the ticket (a phone on
the same network can open it: the base URL is PUBLIC_URL); the right one, the app download
page. The desktop page polls the ticket's state and moves on once it has passed.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask import session as browser_session

from mem_portal.context import get_clock, get_session
from mem_portal.images import data_uri, qr_png
from mem_portal.logins import start_login_check
from mem_portal.web import login_required, page_login, public_url
from shared.accounts.services import (
    decide_face_check,
    face_check_state,
    get_account,
    get_face_check,
)
from shared.errors import DomainError, NotFound
from shared.identity import mask_id_number, mask_name
from shared.web.security import safe_next

bp = Blueprint("face", __name__)
PURPOSES = {"register": "自然人用户注册", "licences": "查看我的证照", "bind": "绑定证照"}


def render_check_page(template: str, ticket, done_url: str, **extra):
    """Render a page showing a ticket's two QR codes; its script follows the ticket's state."""
    app_url = public_url() + url_for("face.app_page", token=ticket.token)
    download_url = public_url() + url_for("face.app_download")
    return render_template(template, ticket=ticket, done_url=done_url, app_url=app_url,
                           app_qr=data_uri(qr_png(app_url)),
                           download_qr=data_uri(qr_png(download_url)),
                           state_url=url_for("face.state", token=ticket.token), **extra)


@bp.get("/face-check")
@login_required
def check():
    """Open a new face check for this login (我的证照 asks for one) and show its QR codes."""
    ticket = start_login_check(get_session(), get_clock(), page_login())
    done_url = safe_next(request.args.get("next")) or url_for("space.licences")
    return render_check_page("space/face_check.html", ticket, done_url, section="licences")


@bp.get("/face-checks/<token>/state")
def state(token: str):
    """Tell the desktop page whether the ticket is pending, passed, failed or expired."""
    try:
        ticket = get_face_check(get_session(), token)
    except NotFound:
        abort(404)
    login = page_login()
    if ticket.account_id not in (browser_session.get("registering"),
                                 login and login.account_id):
        abort(404)  # only the browser that opened it follows a ticket
    return jsonify(state=face_check_state(ticket, get_clock().now()),
                   expires_at=ticket.expires_at.isoformat())


@bp.route("/app/face/<token>", methods=["GET", "POST"])
def app_page(token: str):
    """The simulated app: show whose identity is checked; 开始人脸识别 then pass or fail."""
    session = get_session()
    try:
        ticket = get_face_check(session, token)
    except NotFound:
        return render_template("face/app.html", ticket=None, error="二维码无效，请在电脑端刷新二维码"), 404
    error = None
    if request.method == "POST":
        try:
            decide_face_check(session, get_clock(), token, request.form.get("outcome") == "pass")
        except DomainError as exc:
            error = exc.message
    account = get_account(session, ticket.account_id)
    return render_template("face/app.html", ticket=ticket, error=error,
                           state=face_check_state(ticket, get_clock().now()),
                           purpose=PURPOSES.get(ticket.purpose, ticket.purpose),
                           masked_name=mask_name(account.name),
                           masked_id=mask_id_number(account.id_number))


@bp.get("/app/download")
def app_download():
    """The page the right-hand QR code opens: where to get the 国家政务服务平台 APP."""
    return render_template("face/download.html")
