"""首页 and the parts of the national platform the simulator does not cover."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

bp = Blueprint("site", __name__)

NOT_SIMULATED = {
    "legal-register": "法人注册",
    "legal-login": "法人用户登录",
    "departments": "国务院部门服务窗口",
    "local": "地方政府服务窗口",
    "personal": "个人办事",
    "legal-affairs": "法人办事",
    "public": "公共服务",
}


@bp.get("/")
def index():
    """Show the platform's front page."""
    return render_template("site/home.html")


@bp.get("/outside/<area>")
def not_simulated(area: str):
    """Say plainly that this part of the national platform is not simulated."""
    if area not in NOT_SIMULATED:
        abort(404)
    return render_template("site/not_simulated.html", area=NOT_SIMULATED[area])


@bp.get("/agreement")
def agreement():
    """Show the 用户注册协议 the 个人注册 form links to."""
    return render_template("site/agreement.html")
