"""What every page shares: the logged-in holder, login_required, Jinja filters, error pages."""

from __future__ import annotations

from datetime import date, datetime
from functools import wraps

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from national_portal.context import get_clock, get_session
from national_portal.logins import NotLoggedIn, current_login, touch
from shared.clock import SHANGHAI
from shared.errors import DomainError
from shared.identity import mask_id_number, mask_name, mask_phone
from shared.web.security import safe_next as local_path

WEEKDAYS = "一二三四五六日"
PAGE_ERRORS = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 405: "请求方式不正确",
               413: "提交的内容过大", 415: "请求内容应为JSON"}


def load_login() -> None:
    """Put the page session's holder on `g` (or None); an expired login is forgotten."""
    g.account, g.login_session = None, None
    marker = session.get("login")
    if not marker:
        return
    try:
        g.account, g.login_session = current_login(get_session(), get_clock(), marker)
    except NotLoggedIn as exc:
        session.pop("login", None)
        flash(exc.message, "warning")
        return
    touch(get_session(), get_clock(), g.login_session)


def login_required(view):
    """Send anonymous visitors to 个人用户登录, then back here."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        """Run the view for a logged-in holder only."""
        if g.get("account") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def public_url_for(endpoint: str, **values) -> str:
    """An absolute URL for a phone on the LAN: PUBLIC_URL when set, else the request's host."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        return public + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def safe_next(target: str | None, fallback: str) -> str:
    """Follow `next` only to a path on this site."""
    return local_path(target) or fallback


def cn_datetime(value: datetime | None) -> str:
    """2024-09-27 17:00:00 in Beijing time."""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def cn_date(value: date | None) -> str:
    """2024-09-27, or a dash when there is no date."""
    return value.isoformat() if value else "—"


def cn_today(value: datetime) -> str:
    """2024年09月27日 星期五."""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month:02d}月{local.day:02d}日 星期{WEEKDAYS[local.weekday()]}"


def register_filters(app) -> None:
    """Make the date and masking helpers available in templates."""
    app.add_template_filter(cn_datetime)
    app.add_template_filter(cn_date)
    app.add_template_filter(cn_today)
    app.add_template_filter(mask_id_number, "mask_id")
    app.add_template_filter(mask_phone)
    app.add_template_filter(mask_name)
    app.context_processor(lambda: {"now": get_clock().now(), "account": g.get("account")})


def render_error(status: int, message: str | None = None):
    """Render the portal's error page."""
    title = PAGE_ERRORS.get(status, "系统繁忙")
    return render_template("errors/error.html", status=status, title=title,
                           message=message or title), status


def domain_error_page(exc: DomainError):
    """A not-found rule becomes 404; anything else a 400 page naming the problem."""
    return render_error(404 if exc.code == "not_found" else 400, exc.message)
