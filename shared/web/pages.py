"""What every page template of both portals is given: the header's date, who is logged in, the
filters that mask and format what a page shows, and URLs built once rather than on each use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from types import FunctionType
from urllib.parse import quote

from flask import Flask, current_app, g, request, session, url_for
from flask_wtf.csrf import generate_csrf
from jinja2.runtime import Context

from shared.clock import SHANGHAI
from shared.identity import mask_id_number, mask_name, mask_phone
from shared.web.logins import page_account
from shared.web.resources import get_clock
from shared.workdays import WEEKDAY_NAMES


def date_line() -> str:
    """Return today's date as the portals' headers print it, e.g. 2024年9月27日 星期五."""
    today = get_clock().today()
    return f"{today.year}年{today.month}月{today.day}日 星期{WEEKDAY_NAMES[today.weekday()]}"


def cn_datetime(value: datetime | None) -> str:
    """2024-09-27 17:00:00 in Beijing time, or a dash."""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def cn_date(value: date | None) -> str:
    """2024-09-27, or a dash when there is no date."""
    return value.isoformat() if value else "—"


def public_base() -> str:
    """The base URL put in QR codes: PUBLIC_URL when set, else the URL of this request."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def public_url_for(endpoint: str, **values) -> str:
    """An absolute URL a phone on the LAN can open (see `public_base`)."""
    return public_base() + url_for(endpoint, **values)


PLACEHOLDER = "CERTSIMURLPART"  # needs no quoting, so it stands in the built URL as it is
CACHED_URLS = 1024
URL_PATH_SAFE = "!$&'()*+,/:;=@"  # werkzeug.routing.BaseConverter.to_url's


def remembering_url_for(app: Flask) -> Callable[..., str]:
    """Return the templates' `url_for`: a page's layout builds the same few dozen URLs on
    every request, so each (script root, endpoint, arguments) is built once per app. External,
    anchored or unusual calls are built every time, as Flask's url_for builds them."""
    built: dict[tuple, str] = {}

    def remembered(endpoint: str, **values) -> str:
        try:
            here = request._get_current_object()  # one trip through the proxy, not one a field
        except RuntimeError:  # no request: built as Flask builds it
            return url_for(endpoint, **values)
        key = (here.script_root, here.blueprint if endpoint[:1] == "." else None,
               endpoint, *values.items())  # a template passes its arguments in one order
        try:
            url = built.get(key)
        except TypeError:  # an argument that cannot be a key
            return url_for(endpoint, **values)
        if url is None:
            url = url_for(endpoint, **values)
            if not any(name[:1] == "_" for name in values):  # _external, _anchor …: each time
                if len(built) >= CACHED_URLS:  # per-row URLs must not grow it for ever
                    built.clear()
                built[key] = url
        return url

    return remembered


def url_filler_for(build_url: Callable[..., str]) -> Callable[..., Callable[[object], str]]:
    """Return `url_filler` building its URL with `build_url`: the templates' builds with their
    url_for, which remembers each URL, so a page's fillers build no URL at all."""

    def url_filler(endpoint: str, part: str, **values) -> Callable[[object], str]:
        """Return a function giving `endpoint`'s URL for each value of its `part` (a list's
        row links): the URL is built once, each row only quotes its value into it, as
        werkzeug's default converter does (tests/unit hold it equal to url_for)."""
        prefix, _, suffix = build_url(endpoint, **values,
                                      **{part: PLACEHOLDER}).partition(PLACEHOLDER)

        def fill(value: object) -> str:
            text = str(value)
            if not (text.isascii() and text.isalnum()):  # letters and digits stay as they are
                text = quote(text, safe=URL_PATH_SAFE)
            return f"{prefix}{text}{suffix}"

        return fill

    return url_filler


url_filler = url_filler_for(url_for)


CACHED_TOKENS = 10_000  # sessions; about 2.5 MB when full


def remembering_csrf_token(app: Flask) -> Callable[[], str]:
    """Return the templates' `csrf_token`: flask-wtf signs the session's token again on every
    request (a timestamped HMAC); with WTF_CSRF_TIME_LIMIT None the timestamp is never
    checked, so the token signed for a session on its first page serves its later pages too.
    With a time limit every page signs anew, as flask-wtf does."""
    signed: dict[str, str] = {}

    def csrf_token() -> str:
        name = app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
        if (token := g.get(name)) is not None:  # this request's, as generate_csrf answers
            return token
        raw = session.get(name)
        if app.config.get("WTF_CSRF_TIME_LIMIT") is not None \
                or not isinstance(raw, str) or (token := signed.get(raw)) is None:
            token = generate_csrf()
            if len(signed) >= CACHED_TOKENS:
                signed.clear()
            signed[session[name]] = token
        setattr(g, name, token)  # what generate_csrf leaves for this request's forms
        return token

    return csrf_token


class PageContext(Context):
    """Jinja's template context, calling a plain function (url_for, csrf_token, a row's URL
    filler) directly: Context.call first looks every callable over for pass_context and its
    kin (failed attribute look-ups that cost more than the call; a page makes ~60 calls).
    Anything else (macros, callables marked pass_*) is called as Context.call calls it."""

    def call(__self, __obj, *args, **kwargs):
        if type(__obj) is not FunctionType or "jinja_pass_arg" in __obj.__dict__:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)  # what the compiled code passes for pass_context
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable "
                                                "raised a StopIteration exception")


def register_page_helpers(app: Flask) -> None:
    """Give every template `date_line`, `me` (the logged-in account), the filters and URL
    helpers that build each URL once (`url_for`, `url_filler`) and the CSRF token signed once
    a session (`csrf_token`: also in the context, where it replaces flask-wtf's, which signs
    on every page; registered after flask-wtf's context processor, so it wins); templates
    call plain functions directly (`PageContext`)."""
    for name, function in (("cn_datetime", cn_datetime), ("cn_date", cn_date),
                           ("mask_id", mask_id_number), ("mask_phone", mask_phone),
                           ("mask_name", mask_name)):
        app.add_template_filter(function, name)
    app.jinja_env.context_class = PageContext
    remembered, csrf_token = remembering_url_for(app), remembering_csrf_token(app)
    app.jinja_env.globals.update(url_for=remembered, url_filler=url_filler_for(remembered),
                                 csrf_token=csrf_token)
    app.context_processor(lambda: {"date_line": date_line(), "me": page_account(),
                                   "csrf_token": csrf_token})
