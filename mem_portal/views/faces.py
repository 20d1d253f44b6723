"""实人认证 on the desktop: the page with two QR codes, and the ticket's state it follows.

The left QR code opens the simulated 国家政务服务平台 APP page for the ticket (shared.web.
phone_app; a phone on the same network can open it: the base URL is PUBLIC_URL); the right
one, the app download page. The page polls the ticket's state and moves on once it passed.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, session, url_for

from mem_portal.services.accounts import start_login_check
from shared.accounts.faces import face_check_state, get_face_check
from shared.errors import NotFound
from shared.web.images import data_uri, qr_png
from shared.web.logins import login_required, page_login
from shared.web.pages import public_url_for
from shared.web.resources import get_clock, get_session
from shared.web.security import safe_next

bp = Blueprint("faces", __name__)


def render_check_page(template: str, ticket, done_url: str, **extra):
    """Render a page showing a ticket's two QR codes; its script follows the ticket's state."""
    app_url = public_url_for("phone_app.face", token=ticket.token)
    return render_template(template, ticket=ticket, done_url=done_url, app_url=app_url,
                           app_qr=data_uri(qr_png(app_url)),
                           download_qr=data_uri(qr_png(public_url_for("phone_app.download"))),
                           state_url=url_for("faces.state", token=ticket.token), **extra)


@bp.get("/face-check")
@login_required
def check():
    """Open a new face check for this login (我的证照 asks for one) and show its QR codes."""
    ticket = start_login_check(get_session(), get_clock(), page_login())
    done_url = safe_next(request.args.get("next")) or url_for("licences.index")
    return render_check_page("space/face_check.html", ticket, done_url, section="licences")


@bp.get("/face-checks/<token>/state")
def state(token: str):
    """Tell the desktop page whether the ticket is pending, passed, failed or expired."""
    try:
        ticket = get_face_check(get_session(), token)
    except NotFound:
        abort(404)
    login = page_login()
    if ticket.account_id not in (session.get("registering"), login and login.account_id):
        abort(404)  # only the browser that opened it follows a ticket
    return jsonify(state=face_check_state(ticket, get_clock().now()),
                   expires_at=ticket.expires_at.isoformat())
