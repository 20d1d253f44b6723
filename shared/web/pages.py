"""What every page template of both portals is given: the header's date, who is logged in, and
the filters that mask and format what a page shows.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, request, url_for

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


def register_page_helpers(app: Flask) -> None:
    """Give every template `date_line`, `me` (the logged-in account) and the filters."""
    for name, function in (("cn_datetime", cn_datetime), ("cn_date", cn_date),
                           ("mask_id", mask_id_number), ("mask_phone", mask_phone),
                           ("mask_name", mask_name)):
        app.add_template_filter(function, name)
    app.context_processor(lambda: {"date_line": date_line(), "me": page_account()})
