"""What keeps a portal safe once it is reachable from a network.

- security headers on every answer (errors included);
- `safe_next`: a place to go after login only when it is a path on this site;
- the control plane (`/_sim`) only for this machine, only JSON, never from a foreign page;
- development secrets: a portal running on one answers this machine only;
- body limits: every route a small one, the few that take more their own.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, request

log = logging.getLogger("certsim.security")

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; "
                           "style-src 'self' 'unsafe-inline'; script-src 'self'; "
                           "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
CONTROL_PREFIX = "/_sim/"
DEFAULT_BODY_LIMIT = 1024 * 1024


SECURITY_HEADER_KEYS = {name.lower(): name for name in SECURITY_HEADERS}


def add_security_headers(response):
    """Forbid framing, inline scripts, MIME sniffing and foreign referrers on every answer
    (a header the view set itself stays). One pass over the answer's few headers: asking
    for each missing one (setdefault) raised and caught a KeyError apiece."""
    headers = response.headers
    present = {key.lower() for key, _ in headers.items()}
    for key, name in SECURITY_HEADER_KEYS.items():
        if key not in present:
            headers.add(name, SECURITY_HEADERS[name])
    return response


def safe_next(target: str | None) -> str | None:
    """Return `target` when it is a path on this site, else None.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    "/\\tevil.example" and "/\\\\evil.example" lead off-site: any control character, whitespace
    or backslash is refused, as is anything with a scheme or a host, also once percent-decoded.
    """
    for text in (target, unquote(target or "")):  # also as a careless hop would decode it
        if not text or not text.startswith("/") or text.startswith("//"):
            return None
        if any(c == "\\" or c.isspace() or unicodedata.category(c)[0] == "C" for c in text):
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
    return target


@functools.lru_cache(maxsize=1024)  # asked on every request; parsing costs ~10 µs
def is_loopback(address: str | None) -> bool:
    """Tell whether a client address is this machine (127.0.0.0/8, ::1, ::ffff:127.x)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _host_name(host: str) -> str:
    """Return the host of a Host header without its port ("[::1]:8001" -> "::1")."""
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def guard_control_plane(app: Flask, *, loopback_only: bool) -> None:
    """Answer /_sim only as a tool on this machine would call it.

    Refused (404 when off-machine, 403 otherwise): a client that is not loopback or a Host
    that is not a loopback name (a DNS-rebinding page), unless `loopback_only` is off; a foreign
    `Origin` or a cross-site fetch (a web page in the developer's own browser); a body that is
    not JSON (a form or text/plain post needs no CORS preflight, JSON does).
    """

    @app.before_request
    def refuse_foreign_control():
        asked = request._get_current_object()  # once: each proxied look-up costs a call
        if not asked.path.startswith(CONTROL_PREFIX):
            return None
        if loopback_only and not (is_loopback(asked.remote_addr)
                                  and _host_name(asked.host) in LOOPBACK_HOSTS):
            abort(404)
        origin = asked.headers.get("Origin")
        if origin is not None and origin.rstrip("/") != asked.host_url.rstrip("/"):
            abort(403)
        if asked.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            abort(403)
        if asked.method not in ("GET", "HEAD", "OPTIONS") and _has_body(asked) \
                and asked.mimetype != "application/json":
            abort(415)
        return None


def _has_body(asked) -> bool:
    return bool(asked.content_length) or "chunked" in asked.headers.get(
        "Transfer-Encoding", "").lower()


def guard_development_secrets(app: Flask, development: Iterable[str]) -> None:
    """Serve only this machine while any secret is a development (publicly known) value.

    Anyone who read the README knows those values: from the network they would sign
    replication calls, forge logins and seal licence files.
    """
    names = sorted(development)
    if not names:
        return
    log.warning("%s: development secrets in use (%s not set): serving this machine only",
                app.import_name, ", ".join(names))

    @app.before_request
    def refuse_remote_clients():
        if not is_loopback(request.remote_addr):
            abort(403)


def limit_bodies(app: Flask, larger: Mapping[str, int] | None = None,
                 default: int = DEFAULT_BODY_LIMIT) -> None:
    """Cap request bodies: `default` everywhere, `larger[path]` on the few routes that need more.

    Werkzeug stops reading at the cap (chunked bodies included) and answers 413.
    """
    app.config["MAX_CONTENT_LENGTH"] = default
    app.config.setdefault("MAX_FORM_MEMORY_SIZE", default)
    larger = dict(larger or {})

    @app.before_request
    def allow_larger_bodies():
        limit = larger.get(request.path)
        if limit is not None:
            request.max_content_length = limit
            request.max_form_memory_size = limit
