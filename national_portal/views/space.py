"""个人专属服务空间: the holder's own page with the 我的证照 panel."""

from __future__ import annotations

from flask import Blueprint, render_template

from national_portal.services.licences import bound_licences
from shared.web.logins import login_required, page_account
from shared.web.resources import get_clock, get_session

bp = Blueprint("space", __name__)
PANEL_SIZE = 3


@bp.get("/space")
@login_required
def home():
    """Show the holder's space: account facts and the first few licences with 查看更多."""
    rows = bound_licences(get_session(), get_clock(), page_account(), shown=True)
    return render_template("space/index.html", rows=rows[:PANEL_SIZE], total=len(rows))
