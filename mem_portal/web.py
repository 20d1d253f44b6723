"""What every view module shares: the current login, error answers, the page context."""

from __future__ import annotations

import functools
from datetime import datetime

from flask import current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from mem_portal.context import get_clock, get_session
from mem_portal.logins import NotLoggedIn, account_of, current_login
from shared.clock import SHANGHAI
from shared.errors import DomainError, InvalidInput
from shared.identity import mask_id_number, mask_phone
from shared.web.security import add_security_headers

STATUS = {
    "invalid_input": 400, "not_logged_in": 401, "bad_credentials": 401,
    "identity_not_verified": 403, "identity_failed": 403, "forbidden": 403,
    "not_found": 404, "duplicate": 409, "not_eligible": 409, "locked": 423,
}
WEEKDAYS = "一二三四五六日"
JSON_PREFIXES = ("/api/", "/_sim/")
HTTP_MESSAGES = {400: "请求无效，请检查后重试", 403: "您无权访问该页面", 404: "您访问的页面不存在或已删除",
                 405: "不支持该请求方式", 413: "提交的内容过大", 415: "请求内容应为JSON"}


def public_url() -> str:
    """Return the base URL put in QR codes: PUBLIC_URL, else the URL of this request."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def page_login():
    """Return the open login of this browser session, or None; each request extends it."""
    if "page_login" not in g:
        seen = session.get("seen_at")
        since = datetime.fromisoformat(seen) if seen else None
        try:
            g.page_login = current_login(get_session(), get_clock(), session.get("login"),
                                         active_since=since)
        except NotLoggedIn:
            session.pop("login", None)
            g.page_login = None
        else:
            session["seen_at"] = get_clock().now().isoformat()
    return g.page_login


def page_account():
    """Return the account logged in through this browser session, or None."""
    login = page_login()
    return account_of(get_session(), login) if login else None


def login_required(view):
    """Send visitors who are not logged in (or whose login expired) to the login page."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if page_login() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)
    return wrapped


def error_json(error: DomainError):
    """Answer a domain error with the contract's JSON body and status."""
    return jsonify(error.to_json()), STATUS.get(error.code, 400)


def date_line() -> str:
    """Return today's date as the header prints it, e.g. 2021年11月15日 星期一."""
    today = get_clock().now().astimezone(SHANGHAI).date()
    return f"{today.year}年{today.month}月{today.day}日 星期{WEEKDAYS[today.weekday()]}"


def page_context() -> dict:
    """Give every template the header's date line and the logged-in account."""
    return {"date_line": date_line(), "me": page_account(),
            "mask_id_number": mask_id_number, "mask_phone": mask_phone}


def _wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def _http_error(error):
    message = HTTP_MESSAGES.get(error.code, "请求无效")
    if _wants_json():
        code = {403: "forbidden", 404: "not_found", 413: "too_large"}.get(error.code,
                                                                           "invalid_input")
        return jsonify({"error": code, "field": None, "message": message}), error.code
    return render_template("errors/error.html", status=error.code, message=message), error.code


def _csrf_error(error: CSRFError):
    return render_template("errors/error.html", status=400,
                           message="页面已过期或请求无效，请刷新页面后重试"), 400


def register_error_handlers(app) -> None:
    """Answer domain errors, CSRF failures and HTTP errors as JSON or as a portal page."""
    app.register_error_handler(DomainError, error_json)
    app.register_error_handler(CSRFError, _csrf_error)
    for status in (400, 403, 404, 405, 413, 415):
        app.register_error_handler(status, _http_error)
    app.context_processor(page_context)
    app.after_request(add_security_headers)


def json_body() -> dict:
    """Return the JSON object sent with the call ({} when empty), or raise InvalidInput."""
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise InvalidInput("body", "请求体应为JSON对象")
    return body


def body_text(body: dict, key: str) -> str:
    """Return a string field of a JSON body ("" when absent or not a string)."""
    value = body.get(key)
    return value if isinstance(value, str) else ""
