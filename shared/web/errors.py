"""One map from error code to HTTP status, and the handlers both portals answer errors with.

Calls under /api/ and /_sim/ are answered in the contract's JSON shape; pages with the
portal's own error page (`errors/error.html`, given `status`, `title` and `message`).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from shared.errors import DomainError
from shared.web.recording import note_refusal

STATUS = {
    "invalid_input": 400, "bad_credentials": 401, "not_logged_in": 401, "bad_signature": 401,
    "identity_not_verified": 403, "identity_failed": 403, "forbidden": 403,
    "not_found": 404, "duplicate": 409, "not_eligible": 409, "too_large": 413, "locked": 423,
    "calendar_year_unknown": 400,
}
HTTP_ERRORS = {  # status -> (code, message) of an error raised by Flask or Werkzeug
    400: ("invalid_input", "请求无效，请检查后重试"), 401: ("not_logged_in", "请先登录"),
    403: ("forbidden", "您无权访问该页面"), 404: ("not_found", "您访问的页面不存在或已删除"),
    405: ("invalid_input", "不支持该请求方式"), 413: ("too_large", "提交的内容过大"),
    415: ("invalid_input", "请求内容应为JSON"), 500: ("internal_error", "系统繁忙，请稍后再试"),
}
TITLES = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 405: "请求方式不正确",
          413: "内容过大", 415: "请求有误"}
MACHINE_PREFIXES = ("/api/", "/_sim/")
EXPIRED_PAGE = "页面已过期，请刷新页面后重试"


def error_json(error: DomainError):
    """Answer a domain error with the contract's JSON body and status."""
    return jsonify(error.to_json()), STATUS.get(error.code, 400)


def is_machine_request() -> bool:
    """Tell whether this request is an API or control-plane call (answered in JSON)."""
    return request.path.startswith(MACHINE_PREFIXES)


def error_page(status: int, message: str | None = None):
    """Render the portal's error page."""
    title = TITLES.get(status, "系统繁忙")
    return render_template("errors/error.html", status=status, title=title,
                           message=message or title), status


def _kept_headers(error) -> list[tuple[str, str]]:
    """The headers an HTTP error brings besides its own body's (a 405's `Allow`)."""
    get_headers = getattr(error, "get_headers", None)
    if get_headers is None:  # an unhandled exception, seen as a 500
        return []
    return [(name, value) for name, value in get_headers() if name.lower() != "content-type"]


def register_error_handlers(app: Flask) -> None:
    """Answer refused rules, CSRF failures and HTTP errors as JSON or as the portal's page."""

    @app.errorhandler(DomainError)
    def refused(error: DomainError):
        note_refusal(error)
        if is_machine_request():
            return error_json(error)
        return error_page(404 if error.code == "not_found" else 400, error.message)

    @app.errorhandler(CSRFError)
    def expired(_error):
        if is_machine_request():
            return jsonify({"error": "invalid_input", "field": "csrf_token",
                            "message": EXPIRED_PAGE}), 400
        return error_page(400, EXPIRED_PAGE)

    def http_error(error):
        code, message = HTTP_ERRORS.get(error.code, ("invalid_input", "请求无效"))
        if is_machine_request():
            answer = jsonify({"error": code, "field": None, "message": message})
            return answer, error.code, _kept_headers(error)
        body, status = error_page(error.code, message)
        return body, status, _kept_headers(error)

    for status in HTTP_ERRORS:
        app.register_error_handler(status, http_error)
