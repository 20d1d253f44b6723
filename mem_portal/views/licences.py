"""我的证照 on the ministry portal: the list, 预览 and 下载, once this login passed 实人认证."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from mem_portal.issuer import get_seal
from mem_portal.services.accounts import require_licences_check
from mem_portal.services.licences import (
    READER_HINT,
    download_headers,
    face_rows,
    my_licence,
    my_licences,
    render_face_picture,
    render_licence_file,
    verify_path,
)
from shared.errors import DomainError, IdentityFailed, IdentityNotVerified, NotFound
from shared.recording import licence_ref
from shared.web.errors import error_page
from shared.web.logins import login_required, page_account, page_login
from shared.web.pages import public_base
from shared.web.recording import note, recording
from shared.web.resources import get_clock, get_session

bp = Blueprint("licences", __name__, url_prefix="/space/licences")


@bp.get("")
@login_required
def index():
    """我的证照: the holder's e-licences, once this login has passed 实人认证."""
    if (gate := _face_check_gate()) is not None:
        return gate
    found = my_licences(get_session(), get_clock().now(), page_account(), listed=True)
    if recording():  # what the holder saw, named row by row
        note("my_licences", page_account(), listed=[licence_ref(c) for c in found.licences],
             guidance=[g.to_json() for g in found.guidance])
    return render_template("space/licences.html", section="licences",
                           licences=found.licences, reasons=found.reasons)


@bp.get("/<key>/preview")
@login_required
def preview(key: str):
    """预览: the licence face with its verification QR code."""
    if (gate := _face_check_gate()) is not None:
        return gate
    note("preview", page_account(), certificate={"key": key})
    cert = _my_licence_or_404(key)
    note("preview", page_account(), certificate=licence_ref(cert))
    verify_url = _verify_url(cert)
    return render_template("space/preview.html", section="licences",
                           cert=cert, rows=face_rows(cert), verify_url=verify_url,
                           face_svg=render_face_picture(cert, verify_url),
                           reader_hint=READER_HINT)


@bp.get("/<key>/download")
@login_required
def download(key: str):
    """下载: the licence as an OFD file."""
    if (gate := _face_check_gate()) is not None:
        return gate
    note("download", page_account(), certificate={"key": key})
    cert = _my_licence_or_404(key)
    note("download", page_account(), certificate=licence_ref(cert))
    data = render_licence_file(cert, get_clock().now(), _verify_url(cert), get_seal())
    return Response(data, headers=download_headers(cert))


def _verify_url(cert) -> str:
    return public_base() + verify_path(cert)


def _face_check_gate():
    """Return a redirect to 实人认证 unless this login has passed it, else None."""
    try:
        require_licences_check(get_session(), get_clock(), page_account(), page_login())
    except (IdentityNotVerified, IdentityFailed):
        return redirect(url_for("faces.check", next=request.path))
    return None


def _my_licence_or_404(key: str):
    """Return the holder's own e-licence; anything else is 404 (or 409 when it has none)."""
    try:
        return my_licence(get_session(), get_clock().now(), page_account(), key)
    except NotFound:
        abort(404)
    except DomainError as exc:
        abort(Response(*error_page(409, exc.message)))
