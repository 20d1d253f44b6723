"""What a request did, for the recording of a session (shared.recording), on either portal.

Views and API calls say what matters with `note(...)` (a dict on `flask.g`, nothing else: the
holder acting, what they typed, what they saw), keyed by the request: an in-process call to the
same app (the replicator's WSGI transport under a tick) shares `g` with the request that made
it. The refusal an answer carries is noted by the error handler (`note_refusal`). After the request, `record_request` appends one event to the
world's journal — only while a recording runs: otherwise it costs one read of the world this
request already read (cached: a `stat` of the world file, nothing for PostgreSQL or memory).

A request that changes something (not GET) and says nothing is appended too, without an
action: the recording reports it at stop time as something the scenario format cannot say.
"""

from __future__ import annotations

from flask import current_app, g, request

from shared.errors import DomainError, FieldErrors
from shared.recording import event, holder_json
from shared.web.resources import get_clock, get_world

QUIET_METHODS = ("GET", "HEAD", "OPTIONS")
MACHINES = ("replication",)  # blueprints the replicator calls, not people
# Requests that are part of a step the recording writes (the registration's SMS code, captcha
# and completion; opening a face check, whose verdict is the step) or change nothing a scenario
# sees (the phone app opening a ticket).
PART_OF_A_STEP = frozenset({
    "api.sms_codes", "auth.sms_code", "api.captcha", "auth.captcha_refresh",
    "api.register_complete", "api.open_face_check", "auth.register_done",
    "faces.check", "licences.bind_page",
})


def _noted() -> dict | None:
    """What this request noted (None: nothing)."""
    return g.get("recorded", {}).get(id(request.environ))


def recording() -> bool:
    """Tell whether a recording runs: only then is what a request notes read. A list page
    asks first, rather than naming every row it shows for nothing."""
    return get_world().read().recording is not None


def note(action: str, account=None, *, typed: dict | None = None, **facts) -> None:
    """Say what this request did (`action`), for whom, what they typed and what they saw.

    `account` may be a function returning it, for a request that would look the account up
    only to say so: it is called only while a recording runs."""
    if callable(account):
        account = account() if recording() else None
    g.setdefault("recorded", {})[id(request.environ)] = {
        "action": action, "holder": holder_json(account) if account else None,
        "typed": typed, "facts": facts or None}


def note_holder(account) -> None:
    """Name the holder once the request knows them (after a login, a registration)."""
    if (noted := _noted()) is not None and account is not None:
        noted["holder"] = holder_json(account)


def note_facts(**facts) -> None:
    """Add what the holder saw to what this request noted."""
    if (noted := _noted()) is not None:
        noted["facts"] = {**(noted["facts"] or {}), **facts}


def note_refusal(error: DomainError) -> None:
    """Say the request was refused: the error code and each field's message."""
    if (noted := _noted()) is not None:
        fields = error.errors if isinstance(error, FieldErrors) else (
            {error.field: error.message} if error.field else {})
        noted.update(error=error.code, fields=fields or None, message=error.message)


def record_request(response):
    """Append what this request did to the journal of a running recording (after_request)."""
    if not recording():
        return response
    noted = g.get("recorded", {}).pop(id(request.environ), None)
    part_of_a_step = request.endpoint in PART_OF_A_STEP and response.status_code < 400
    if noted is None and (request.method in QUIET_METHODS or request.endpoint is None
                          or part_of_a_step or request.blueprint in MACHINES):
        return response  # a refused part of a step (获取验证码 too soon) is reported at stop
    portal = current_app.name.removesuffix("_portal")
    where = {"method": request.method, "path": request.path, "status": response.status_code}
    parts = {k: v for k, v in (noted or {}).items() if v is not None and k != "action"}
    if noted and noted.get("error") is None and response.status_code >= 400:
        parts["error"] = _answered_error(response)
    get_world().append_event(event(get_clock().now(), portal, noted and noted["action"],
                                   request=where, **parts))
    return response


def _answered_error(response) -> str:
    """The error code of a refused answer nobody noted (JSON), else the HTTP status."""
    body = response.get_json(silent=True) if response.is_json else None
    return (body or {}).get("error") or f"http_{response.status_code}"


def typed_registration(form) -> dict:
    """What a registration form (shared.accounts.registration.Registration) said, as typed:
    `id_valid_from` None for 长期有效."""
    typed = {name: getattr(form, name) for name in (
        "phone", "name", "id_number", "password", "confirm_password", "sms_code",
        "captcha_answer", "agree")}
    return {**typed, "id_valid_from": None if form.id_long_term else form.id_valid_from}
