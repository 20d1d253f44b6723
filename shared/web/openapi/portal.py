"""A portal's two documents: its JSON API with the replication wire (`/api/v1`), and its
control plane (`/_sim`, only where it is on); and the one way they are written out as text.
"""

from __future__ import annotations

import json

from flask import Flask

from shared.web.errors import STATUS
from shared.web.openapi.document import build_document
from shared.web.openapi.operation import Contract, Operation, answer
from shared.web.openapi.schema import obj
from shared.wire import NONCE, SIGNATURE, TIMESTAMP

VERSION = "1"
API_PREFIX, CONTROL_PREFIX = "/api/v1", "/_sim"
DOCUMENT = obj({}, closed=False, description="An OpenAPI 3.1 document")
API_DOCUMENT = {"api_docs.openapi": Operation("This document", answer(DOCUMENT), tag="api")}
CONTROL_DOCUMENT = {"api_docs.control_openapi": Operation("This document", answer(DOCUMENT))}
MEANINGS = {
    "invalid_input": "a field is wrong (`field` names it; a form's fields all in `errors`)",
    "bad_credentials": "wrong login name or password",
    "not_logged_in": "no bearer token, or its login ended or expired",
    "bad_signature": "a replication call's signature, timestamp or nonce is refused",
    "identity_not_verified": "实人认证 needed first",
    "identity_failed": "实人认证 did not pass",
    "forbidden": "not allowed here",
    "not_found": "no such thing, or another holder's",
    "duplicate": "already there (a registered phone, a certificate held)",
    "not_eligible": "the rules refuse it (a review too early, no e-licence)",
    "too_large": "the body is over the route's limit",
    "locked": "five wrong passwords: the name is locked for 30 minutes",
    "calendar_year_unknown": "working days of a year the official calendar lacks "
                             "(CERTSIM_CALENDAR_FILE supplies it)",
}
AUTHENTICATION = f"""\
**Log in** with `POST /api/v1/login {{"login": phone or ID number, "password": …}}` and send the
answer's `token` as `Authorization: Bearer <token>` (no cookies, no CSRF token); it lasts 30
minutes of the portal's simulated time. The demo holders' password is `Demo@2026`
(`13800138000` 张三 …).

**Replication calls** are signed: `{TIMESTAMP}` (epoch seconds, wall clock, ±300 s),
`{NONCE}` (8..64 characters, once) and `{SIGNATURE}` (hex HMAC-SHA256 under `SYNC_SECRET` of
`METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\n` + the raw body; TARGET is the path and `?query`).
"""


def errors_table() -> str:
    """Every error code with its HTTP status and meaning (Markdown)."""
    rows = "\n".join(f"| `{code}` | {status} | {MEANINGS[code]} |"
                     for code, status in sorted(STATUS.items(), key=lambda kv: (kv[1], kv[0])))
    return ("**Errors** are `{\"error\": code, \"field\": name or null, \"message\": 中文, "
            "\"errors\"?: {field: message}}`:\n\n| code | status | meaning |\n|---|---|---|\n"
            + rows + "\n")


def api_document(app: Flask, contract: Contract) -> dict:
    """The portal's JSON API and replication wire."""
    info = {"title": f"{contract.title} JSON API", "version": VERSION,
            "description": f"The JSON twin of every page flow of the simulated {contract.title} "
                           f"(certsim), and its side of the replication wire.\n\n"
                           + AUTHENTICATION + "\n" + errors_table()}
    tags = [{"name": "accounts", "description": "注册, 登录, 实人认证"},
            {"name": "licences", "description": "我的证照"},
            {"name": "replication", "description": "the signed replication wire"},
            {"name": "api", "description": "this document"}]
    return build_document(app, {**contract.api, **API_DOCUMENT}, prefix=API_PREFIX,
                          info=info, schemas=contract.schemas, tags=tags)


def control_document(app: Flask, contract: Contract) -> dict:
    """The portal's control plane (`/_sim`)."""
    info = {"title": f"{contract.title} control plane", "version": VERSION,
            "description": "The simulator's control plane (certsim): clock, SMS inbox and "
                           "captcha answers, face-check verdicts, back office, replication, "
                           "reset. Registered only when SIM_ENABLED; it answers loopback "
                           "clients naming a loopback host (404 to others), takes JSON bodies "
                           "only (415) and refuses a foreign Origin (403).\n\n" + errors_table()}
    return build_document(app, {**contract.control, **CONTROL_DOCUMENT}, prefix=CONTROL_PREFIX,
                          info=info, schemas=contract.schemas,
                          tags=[{"name": "control", "description": "/_sim"}])


def document_text(document: dict) -> str:
    """The document as served and as checked into docs/: UTF-8 JSON, two-space indent."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
