"""JSON twin of every page flow (`/api/v1`): bearer tokens, errors as `shared.errors` codes."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request

from national_portal import logins, services
from national_portal.context import get_clock, get_session
from national_portal.forms import registration_from_json
from national_portal.payloads import account_json, face_check_json, history_json, licence_json
from national_portal.web import public_url_for
from shared.accounts.services import SMS_TTL, get_account
from shared.errors import DomainError, InvalidInput

bp = Blueprint("api", __name__)

STATUS_OF = {"invalid_input": 400, "not_logged_in": 401, "bad_credentials": 401,
             "identity_not_verified": 403, "identity_failed": 403, "forbidden": 403,
             "not_found": 404, "duplicate": 409, "not_eligible": 409, "locked": 423}
HTTP_ERRORS = {400: ("invalid_input", "请求有误"), 401: ("not_logged_in", "请先登录"),
               403: ("forbidden", "无权访问"), 404: ("not_found", "接口不存在"),
               405: ("invalid_input", "请求方式不正确"), 413: ("too_large", "请求体过大"),
               415: ("invalid_input", "请求内容应为JSON")}


@bp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    """Answer a refused rule with its code, field and Chinese message."""
    return jsonify(exc.to_json()), STATUS_OF.get(exc.code, 400)


def http_error(status: int):
    """Answer an HTTP-level error (unknown route, wrong method) in the API's error shape."""
    code, message = HTTP_ERRORS.get(status, ("invalid_input", "请求有误"))
    return jsonify({"error": code, "field": None, "message": message}), status


def body() -> dict:
    """Return the JSON object sent, or refuse the request."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(None, "请求体应为JSON对象")
    return data


def token_required(view):
    """Authenticate `Authorization: Bearer <token>` against a live API login session."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        """Run the view with `g.account` and `g.login_session` set."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise logins.NotLoggedIn(None, "请先登录")
        marker = logins.marker_of_token(current_app.config["SECRET_KEY"], token.strip())
        g.account, g.login_session = logins.current_login(get_session(), get_clock(), marker)
        return view(*args, **kwargs)

    return wrapped


def app_url(token: str) -> str:
    """Where the simulated 国家政务服务平台 app opens a face check (what the QR code holds)."""
    return public_url_for("faces.app_page", token=token)


@bp.post("/sms-codes")
def send_sms_code():
    """Send a registration code to the simulated SMS inbox."""
    data = body()
    logins.send_registration_code(get_session(), get_clock(), str(data.get("phone") or ""),
                                  str(data.get("purpose") or ""))
    return jsonify({"sent": True, "expires_in": int(SMS_TTL.total_seconds())})


@bp.post("/register")
def register():
    """个人注册: create the account (no image captcha, no 实人认证 step)."""
    account = logins.register(get_session(), get_clock(), registration_from_json(body()))
    return jsonify({"account_id": account.id, "account": account_json(account)}), 201


@bp.post("/login")
def login():
    """个人用户登录: answer a bearer token valid for 30 minutes of portal time."""
    data = body()
    login_session = logins.log_in(get_session(), get_clock(), str(data.get("login") or ""),
                                  str(data.get("password") or ""), channel="api")
    account = get_account(get_session(), login_session.account_id)
    token = logins.issue_token(current_app.config["SECRET_KEY"], login_session)
    return jsonify({"token": token, "account": account_json(account),
                    "expires_at": logins.expires_at(login_session).isoformat()})


@bp.post("/logout")
@token_required
def logout():
    """End this login: the token and its face checks stop counting."""
    logins.log_out(get_session(), get_clock(), g.login_session.marker)
    return jsonify({"logged_out": True})


@bp.get("/account")
@token_required
def account():
    """The logged-in holder."""
    return jsonify({"account": account_json(g.account)})


@bp.post("/face-checks")
@token_required
def open_face_check():
    """Open a 实人认证 ticket for this login; the app (or /_sim) decides it."""
    purpose = str(body().get("purpose") or "bind")
    ticket = logins.open_face_check(get_session(), get_clock(), g.account,
                                    g.login_session.marker, purpose)
    return jsonify(face_check_json(ticket, get_clock().now(), app_url(ticket.token))), 201


@bp.get("/face-checks/<token>")
@token_required
def face_check(token: str):
    """The state of one of the holder's face checks."""
    ticket = logins.own_face_check(get_session(), g.account, token)
    return jsonify(face_check_json(ticket, get_clock().now(), app_url(ticket.token)))


@bp.get("/licences")
@token_required
def licences():
    """我的证照: the bound licences with their status today."""
    rows = services.bound_licences(get_session(), get_clock(), g.account,
                                   request.args.get("status"))
    return jsonify({"licences": [licence_json(row) for row in rows]})


@bp.post("/licences/bind")
@token_required
def bind():
    """绑定证照 after 实人认证: bind every eligible replicated licence of the holder."""
    licence_type = str(body().get("type") or "")
    result = services.bind_licences(get_session(), get_clock(), g.account,
                                    g.login_session.marker, licence_type)
    return jsonify({"bound": [licence.certificate_key for licence in result.newly_bound],
                    "licences": [licence_json(row) for row in result.licences]})


@bp.get("/licences/<key>")
@token_required
def licence(key: str):
    """查看详情: the licence as replicated, its arrival time and binding history."""
    row = services.bound_licence(get_session(), get_clock(), g.account, key)
    history = services.binding_history(get_session(), g.account, row.licence)
    return jsonify({"licence": licence_json(row), "bindings": history_json(history)})


@bp.delete("/licences/<key>/binding")
@token_required
def unbind(key: str):
    """解除绑定: remove the licence from 我的证照 (it can be bound again)."""
    licence = services.unbind_licence(get_session(), get_clock(), g.account, key)
    return jsonify({"unbound": licence.certificate_key})

