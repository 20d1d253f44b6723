"""个人中心: 我的首页 and the menu's other sections (我的证照 is views/licences.py)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from shared.web.logins import login_required

bp = Blueprint("space", __name__, url_prefix="/space")

# slug -> (menu label, what the empty page says, the columns its table would have)
SECTIONS = {
    "affairs": ("我的办件", "暂无办件记录", ("办件编号", "事项名称", "申请时间", "办理状态")),
    "messages": ("我的消息", "暂无消息", ("消息标题", "发送时间", "状态")),
    "favourites": ("我的收藏", "暂无收藏的事项", ("事项名称", "实施主体", "收藏时间")),
    "ratings": ("我的评价", "暂无评价记录", ("事项名称", "评价时间", "评价结果")),
    "enquiries": ("我的咨询", "暂无咨询记录", ("咨询标题", "咨询时间", "回复状态")),
    "complaints": ("我的投诉", "暂无投诉记录", ("投诉标题", "投诉时间", "处理状态")),
    "materials": ("我的材料", "暂无材料", ("材料名称", "上传时间", "大小")),
    "deliveries": ("我的快递", "暂无快递信息", ("快递单号", "寄件内容", "状态")),
    "relatives": ("亲友管理", "暂未添加亲友", ("姓名", "证件号码", "关系")),
}


@bp.app_context_processor
def menu() -> dict:
    """Give the user centre's menu to every template (the face-check page uses it too)."""
    return {"sections": SECTIONS}


@bp.get("")
@login_required
def home():
    """我的首页: the account at a glance and the way to 我的证照."""
    return render_template("space/home.html", section="home")


@bp.get("/<slug>")
@login_required
def section(slug: str):
    """One of the menu's other sections (nothing recorded yet in the simulator)."""
    if slug not in SECTIONS:
        abort(404)
    label, empty, columns = SECTIONS[slug]
    return render_template("space/section.html", section=slug, label=label,
                           empty=empty, columns=columns)
