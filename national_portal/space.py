"""个人专属服务空间: the holder's own page with the 我的证照 panel."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from national_portal.context import get_clock, get_session
from national_portal.services import bound_licences
from national_portal.web import login_required

bp = Blueprint("space", __name__)
PANEL_SIZE = 3


@bp.get("/space")
@login_required
def index():
    """Show the holder's space: account facts and the first few licences with 查看更多."""
    rows = bound_licences(get_session(), get_clock(), g.account)
    return render_template("space/index.html", rows=rows[:PANEL_SIZE], total=len(rows))
