"""我的证照 on the national portal: the list, 绑定证照 (after 实人认证), 查看详情 and 解除绑定."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from national_portal.payloads import bind_facts
from national_portal.services import licences
from national_portal.services.accounts import face_check_for_page
from shared.errors import IdentityFailed, IdentityNotVerified
from shared.recording import licence_ref
from shared.web.face_checks import face_check_page
from shared.web.logins import login_required, page_account, page_login
from shared.web.recording import note, note_facts, note_refusal, recording
from shared.web.resources import get_clock, get_session

bp = Blueprint("licences", __name__, url_prefix="/space/licences")
FILTERS = (("all", "全部"), ("valid", "有效"), ("other", "已失效/撤销/注销"))


@bp.get("")
@login_required
def index():
    """List the bound licences (全部 or one status group)."""
    chosen = request.args.get("status", "all")
    rows = licences.bound_licences(get_session(), get_clock(), page_account(),
                                   None if chosen == "all" else chosen, shown=True)
    if chosen == "all" and recording():  # the list a scenario's 我的证照 sees
        note("my_licences", page_account(), listed=[licence_ref(row.licence) for row in rows],
             guidance=licences.guidance_json())
    return render_template("licences/index.html", rows=rows, filters=FILTERS, chosen=chosen,
                           guidance=licences.GUIDANCE, faq_open=request.args.get("faq") == "open")


@bp.get("/bind")
@login_required
def bind_page():
    """绑定证照: the 实人认证 QR codes until verified, then the licence-type choice."""
    ticket = face_check_for_page(get_session(), get_clock(), page_account(),
                                 page_login().marker, purpose="bind",
                                 renew=request.args.get("renew") == "1")
    return render_template("licences/bind.html", types=licences.LICENCE_TYPES,
                           guidance=licences.GUIDANCE, **face_check_page(ticket))


@bp.post("/bind")
@login_required
def bind():
    """Bind the holder's licences of the chosen type, or explain why none was found."""
    note("bind", page_account())
    try:
        result = licences.bind_licences(get_session(), get_clock(), page_account(),
                                        page_login().marker, request.form.get("type", ""))
    except (IdentityNotVerified, IdentityFailed) as exc:
        note_refusal(exc)
        flash(exc.message, "warning")
        return redirect(url_for(".bind_page"))
    except licences.LicencesNotFound as exc:
        note_refusal(exc)
        return render_template("licences/not_found.html", error=exc)
    note_facts(**bind_facts(result))
    if result.newly_bound:
        flash(f"绑定成功，已绑定{len(result.newly_bound)}张特种作业操作证电子证照", "success")
        return redirect(url_for(".index"))
    flash(licences.ALL_BOUND, "info")
    return redirect(url_for(".index", faq="open"))  # the one looked for may not be here yet


@bp.get("/<key>")
@login_required
def detail(key: str):
    """查看详情: the licence face and metadata as replicated, with its arrival time."""
    account = page_account()
    note("details", account, certificate={"key": key})
    row = licences.bound_licence(get_session(), get_clock(), account, key)
    note_facts(certificate=licence_ref(row.licence), status=row.status)
    history = licences.binding_history(get_session(), account, row.licence)
    return render_template("licences/detail.html", row=row, licence=row.licence, history=history)


@bp.route("/<key>/unbind", methods=["GET", "POST"])
@login_required
def unbind(key: str):
    """解除绑定: confirm, then remove the licence from 我的证照."""
    if request.method == "GET":
        row = licences.bound_licence(get_session(), get_clock(), page_account(), key)
        return render_template("licences/unbind.html", row=row, licence=row.licence)
    note("unbind", page_account(), certificate={"key": key})
    licence = licences.unbind_licence(get_session(), get_clock(), page_account(), key)
    note_facts(certificate=licence_ref(licence))
    flash(f"已解除绑定：{licence.category} {licence.item}。如需再次使用，可重新绑定证照", "success")
    return redirect(url_for(".index"))
