"""The JSON twin of every page flow (`/api/v1`): the scenario runner drives the portal here.

Bearer tokens instead of cookies, so no CSRF; errors answer with the contract's JSON body.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from mem_portal.context import get_clock, get_seal, get_session
from mem_portal.forms import registration_from_json
from mem_portal.licences import (
    download_headers,
    licence_detail,
    licence_summary,
    my_licence,
    my_licences,
    render_licence_file,
    verify_path,
)
from mem_portal.logins import (
    LOGIN_TTL,
    NotLoggedIn,
    RegistrationIncomplete,
    account_of,
    complete_registration,
    issue_token,
    log_in,
    log_out,
    read_token,
    require_licences_check,
    send_register_code,
    start_login_check,
    start_registration_check,
)
from mem_portal.web import body_text, error_json, json_body, public_url
from shared.accounts.services import (
    SMS_TTL,
    face_check_state,
    get_face_check,
    new_captcha,
    register_account,
)
from shared.errors import NotFound
from shared.identity import mask_id_number, mask_phone

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/captcha")
def captcha():
    """Make a one-use image captcha."""
    item = new_captcha(get_session(), get_clock())
    return jsonify(token=item.token, image_url=url_for("auth.captcha_image", token=item.token))


@bp.post("/sms-codes")
def sms_codes():
    """Send a registration code to the simulated SMS inbox."""
    body = json_body()
    send_register_code(get_session(), get_clock(), body_text(body, "phone"),
                       body_text(body, "purpose") or "register")
    return jsonify(sent=True, expires_in=int(SMS_TTL.total_seconds()))


@bp.post("/register")
def register():
    """创建账户; the answer carries the 实人认证 ticket of the next step."""
    session, clock = get_session(), get_clock()
    account = register_account(session, clock, registration_from_json(json_body()))
    ticket = start_registration_check(session, clock, account.id)
    return jsonify(account_id=account.id, face_check=_ticket_json(ticket)), 201


@bp.post("/register/complete")
def register_complete():
    """注册完成, once the registration's face check has passed."""
    account = complete_registration(get_session(), get_clock(), body_text(json_body(), "token"))
    return jsonify(account_id=account.id, registered=True, account=_account_json(account))


@bp.post("/login")
def login():
    """Log in by phone or ID number; answer a bearer token valid 30 minutes of portal time."""
    body, session, clock = json_body(), get_session(), get_clock()
    try:
        row = log_in(session, clock, body_text(body, "login"), body_text(body, "password"), "api")
    except RegistrationIncomplete as exc:
        ticket = start_registration_check(session, clock, exc.account.id)
        response, status = error_json(exc)
        return jsonify({**response.get_json(), "face_check": _ticket_json(ticket)}), status
    token = issue_token(current_app.config["SECRET_KEY"], row)
    return jsonify(token=token, account=_account_json(account_of(session, row)),
                   expires_at=(row.logged_in_at + LOGIN_TTL).isoformat())


@bp.post("/logout")
def logout():
    """退出系统: the token stops working at once."""
    log_out(get_session(), get_clock(), _login().marker)
    return jsonify(logged_out=True)


@bp.get("/account")
def account():
    """个人中心: who is logged in."""
    return jsonify(account=_account_json(account_of(get_session(), _login())))


@bp.post("/face-checks")
def start_face_check():
    """Open a 实人认证 ticket for this login (purpose licences)."""
    ticket = start_login_check(get_session(), get_clock(), _login(),
                               body_text(json_body(), "purpose") or "licences")
    return jsonify(_ticket_json(ticket)), 201


@bp.get("/face-checks/<token>")
def face_check(token: str):
    """Tell the state of one of this holder's tickets: pending, passed, failed or expired."""
    session, login = get_session(), _login()
    ticket = get_face_check(session, token)
    if ticket.account_id != login.account_id:
        raise NotFound("token", "认证二维码无效")
    return jsonify(_ticket_json(ticket))


@bp.get("/licences")
def licences():
    """我的证照: needs a passed face check in this login."""
    session, clock, login = get_session(), get_clock(), _login()
    require_licences_check(session, clock, login)
    now = clock.now()
    found = my_licences(session, now, account_of(session, login))
    return jsonify(licences=[licence_summary(c, now) for c in found.licences],
                   guidance=[g.to_json() for g in found.guidance])


@bp.get("/licences/<key>")
def licence(key: str):
    """预览: the licence face rows and its verification URL."""
    cert, now = _my_licence(key), get_clock().now()
    return jsonify(licence_detail(cert, now, public_url() + verify_path(cert)))


@bp.get("/licences/<key>/download")
def download(key: str):
    """下载: the OFD file."""
    cert = _my_licence(key)
    data = render_licence_file(cert, get_clock().now(), public_url() + verify_path(cert),
                               get_seal())
    return Response(data, headers=download_headers(cert))


def _my_licence(key: str):
    """Return the holder's own e-licence after checking login and face check."""
    session, clock, login = get_session(), get_clock(), _login()
    require_licences_check(session, clock, login)
    return my_licence(session, clock.now(), account_of(session, login), key)


def _login():
    """Return the login named by the bearer token, or raise NotLoggedIn."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise NotLoggedIn("token", "请先登录")
    return read_token(get_session(), get_clock(), current_app.config["SECRET_KEY"],
                      header.removeprefix("Bearer ").strip())






def _ticket_json(ticket) -> dict:
    return {"token": ticket.token, "purpose": ticket.purpose,
            "state": face_check_state(ticket, get_clock().now()),
            "app_url": public_url() + url_for("face.app_page", token=ticket.token),
            "expires_at": ticket.expires_at.isoformat()}


def _account_json(account) -> dict:
    return {"id": account.id, "name": account.name, "phone": mask_phone(account.phone),
            "id_number": mask_id_number(account.id_number),
            "identity_verified": account.identity_verified_at is not None}
