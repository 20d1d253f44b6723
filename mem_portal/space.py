"""个人中心: 我的首页, the menu's sections, and 我的证照 with 预览 and 下载."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from mem_portal.context import get_clock, get_seal, get_session
from mem_portal.licences import (
    READER_HINT,
    download_headers,
    face_rows,
    my_licence,
    my_licences,
    render_face_picture,
    render_licence_file,
    verify_path,
)
from mem_portal.logins import require_licences_check
from mem_portal.web import login_required, page_account, page_login, public_url
from shared.errors import DomainError, IdentityFailed, IdentityNotVerified, NotFound

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


@bp.get("/licences")
@login_required
def licences():
    """我的证照: the holder's e-licences, once this login has passed 实人认证."""
    if (gate := _face_check_gate()) is not None:
        return gate
    found = my_licences(get_session(), get_clock().now(), page_account())
    return render_template("space/licences.html", section="licences",
                           licences=found.licences, guidance=found.guidance)


@bp.get("/licences/<key>/preview")
@login_required
def preview(key: str):
    """预览: the licence face with its verification QR code."""
    if (gate := _face_check_gate()) is not None:
        return gate
    cert = _my_licence_or_404(key)
    verify_url = public_url() + verify_path(cert)
    return render_template("space/preview.html", section="licences",
                           cert=cert, rows=face_rows(cert), verify_url=verify_url,
                           face_svg=render_face_picture(cert, verify_url),
                           reader_hint=READER_HINT)


@bp.get("/licences/<key>/download")
@login_required
def download(key: str):
    """下载: the licence as an OFD file."""
    if (gate := _face_check_gate()) is not None:
        return gate
    cert = _my_licence_or_404(key)
    data = render_licence_file(cert, get_clock().now(), public_url() + verify_path(cert),
                               get_seal())
    return Response(data, headers=download_headers(cert))


def _face_check_gate():
    """Return a redirect to 实人认证 unless this login has passed it, else None."""
    try:
        require_licences_check(get_session(), get_clock(), page_login())
    except (IdentityNotVerified, IdentityFailed):
        return redirect(url_for("face.check", next=request.path))
    return None


def _my_licence_or_404(key: str):
    """Return the holder's own e-licence; anything else is 404 (or 409 when it has none)."""
    try:
        return my_licence(get_session(), get_clock().now(), page_account(), key)
    except NotFound:
        abort(404)
    except DomainError as exc:
        abort(Response(render_template("errors/error.html", status=409, message=exc.message),
                       409))

