"""The JSON twin of every page flow (`/api/v1`): the scenario runner drives the portal here.

The account calls are the web kit's (shared.web.accounts_api); this portal adds its image
captcha, its three-step registration and 我的证照 with 预览 and 下载.
"""

from __future__ import annotations

from flask import Response, jsonify, url_for

from mem_portal.issuer import get_seal
from mem_portal.payloads import licence_detail, licence_summary
from mem_portal.services.accounts import (
    complete_registration,
    require_licences_check,
    start_registration_check,
)
from mem_portal.services.licences import (
    download_headers,
    my_licence,
    my_licences,
    render_licence_file,
    verify_path,
)
from shared.accounts.codes import new_captcha
from shared.accounts.models import FacePurpose
from shared.accounts.registration import register_account, registration_from_json
from shared.recording import licence_ref
from shared.web.accounts_api import account_json, accounts_api, face_check_json
from shared.web.bodies import body_text, json_body
from shared.web.logins import api_account, api_login
from shared.web.pages import public_base
from shared.web.recording import note, note_facts, note_holder, typed_registration
from shared.web.resources import get_clock, get_password_cost, get_session


def _finish_registration(account):
    return start_registration_check(get_session(), get_clock(), account)


bp = accounts_api(__name__, face_purposes=(FacePurpose.LICENCES,), verified_login=True,
                  unverified=_finish_registration)


@bp.get("/captcha")
def captcha():
    """Make a one-use image captcha."""
    item = new_captcha(get_session(), get_clock())
    return jsonify(token=item.token, image_url=url_for("auth.captcha_image", token=item.token))


@bp.post("/register")
def register():
    """创建账户; the answer carries the 实人认证 ticket of the next step."""
    form = registration_from_json(json_body())
    note("register", typed=typed_registration(form))
    account = register_account(get_session(), get_clock(), form,
                               password_cost=get_password_cost())
    note_holder(account)
    return jsonify(account_id=account.id,
                   face_check=face_check_json(_finish_registration(account))), 201


@bp.post("/register/complete")
def register_complete():
    """注册完成, once the registration's face check has passed."""
    account = complete_registration(get_session(), get_clock(), body_text(json_body(), "token"))
    return jsonify(account_id=account.id, registered=True, account=account_json(account))


@bp.get("/licences")
def licences():
    """我的证照: needs a passed face check in this login."""
    session, clock = get_session(), get_clock()
    note("my_licences", api_account())
    require_licences_check(session, clock, api_account(), api_login())
    now = clock.now()
    found = my_licences(session, now, api_account())
    note_facts(listed=[licence_ref(c) for c in found.licences],
               guidance=[g.to_json() for g in found.guidance])
    return jsonify(licences=[licence_summary(c, now) for c in found.licences],
                   guidance=[g.to_json() for g in found.guidance])


@bp.get("/licences/<key>")
def licence(key: str):
    """预览: the licence face rows and its verification URL."""
    note("preview", certificate={"key": key})
    cert = _my_licence(key)
    return jsonify(licence_detail(cert, get_clock().now(), public_base() + verify_path(cert)))


@bp.get("/licences/<key>/download")
def download(key: str):
    """下载: the OFD file."""
    note("download", certificate={"key": key})
    cert = _my_licence(key)
    data = render_licence_file(cert, get_clock().now(), public_base() + verify_path(cert),
                               get_seal())
    return Response(data, headers=download_headers(cert))


def _my_licence(key: str):
    """Return the holder's own e-licence after checking login and face check."""
    session, clock = get_session(), get_clock()
    note_holder(api_account())
    require_licences_check(session, clock, api_account(), api_login())
    cert = my_licence(session, clock.now(), api_account(), key)
    note_facts(certificate=licence_ref(cert))
    return cert
