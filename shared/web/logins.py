"""A login as a request carries it: the browser's session cookie, or an API bearer token.

The login itself (opening, expiry, logout) is `shared.accounts.logins`, the same on both
portals; this module finds it for the request and keeps the browser's cookie in step.
"""

from __future__ import annotations

import functools

from flask import after_this_request, current_app, flash, g, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from shared.accounts.logins import (
    NotLoggedIn,
    SeenAccount,
    SeenLogin,
    account_of,
    log_out,
    seen_login,
    touch,
)
from shared.web.resources import get_clock, get_session


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"],
                             salt=f"{current_app.import_name}-api-token")


def issue_token(login: SeenLogin) -> str:
    """Sign a bearer token carrying the account, the login marker and the login time."""
    return _serializer().dumps({"a": login.account_id, "m": login.marker,
                                "t": login.started_at.isoformat()})


def api_login() -> SeenLogin:
    """Return the open login named by the request's bearer token (read as a page reads its
    login), or raise NotLoggedIn."""
    if "api_login" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotLoggedIn("token", "请先登录")
        try:
            data = _serializer().loads(token.strip())
        except BadSignature:
            raise NotLoggedIn("token", "登录凭证无效，请重新登录") from None
        login = seen_login(get_session(), get_clock(), data.get("m"))
        if login.account_id != data.get("a"):
            raise NotLoggedIn("token", "登录凭证无效，请重新登录")
        g.api_login = login
    return g.api_login


def api_account() -> SeenAccount:
    """Return the account of the request's bearer token, or raise NotLoggedIn."""
    return account_of(get_session(), api_login())


def page_login() -> SeenLogin | None:
    """Return the open login of this browser, or None; each page request extends it (as the
    response leaves)."""
    if "page_login" not in g:
        g.page_login = None
        if marker := session.get("login"):
            try:
                g.page_login = seen_login(get_session(), get_clock(), marker)
            except NotLoggedIn as exc:
                session.pop("login", None)
                flash(exc.message, "warning")
            else:
                after_this_request(_touching(g.page_login))
    return g.page_login


def _touching(login: SeenLogin):
    """Extend the login once the page is built: the write's commit expires every loaded
    object, and the page would read them again."""
    def touched(response):
        touch(get_session(), get_clock(), login)
        return response
    return touched


def page_account() -> SeenAccount | None:
    """Return the account logged in through this browser, or None (read with its login)."""
    login = page_login()
    return login.account if login else None


def start_page_login(login: SeenLogin) -> None:
    """Remember a new login in this browser (a fresh cookie: no session fixation)."""
    session.clear()
    session["login"] = login.marker


def end_page_login() -> None:
    """退出: end this browser's login and forget its cookie."""
    log_out(get_session(), get_clock(), session.get("login"))
    session.clear()


def login_required(view):
    """Send visitors who are not logged in (or whose login expired) to the login page."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if page_login() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped
