"""实人认证 on the desktop: the page with the two QR codes 我的证照 asks for in each login.

The page itself, its QR codes and the state it follows are the web kit's
(shared.web.face_checks); registration's step 2 shows the same (views/auth.py).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from mem_portal.services.accounts import start_login_check
from shared.web.face_checks import face_check_page
from shared.web.logins import login_required, page_login
from shared.web.resources import get_clock, get_session
from shared.web.security import safe_next

bp = Blueprint("faces", __name__)


def render_check_page(template: str, ticket, done_url: str, **extra):
    """Render a page showing a ticket's two QR codes; its script follows the ticket's state."""
    return render_template(template, done_url=done_url, **face_check_page(ticket), **extra)


@bp.get("/face-check")
@login_required
def check():
    """Open a new face check for this login (我的证照 asks for one) and show its QR codes."""
    ticket = start_login_check(get_session(), get_clock(), page_login())
    done_url = safe_next(request.args.get("next")) or url_for("licences.index")
    return render_check_page("space/face_check.html", ticket, done_url, section="licences")
