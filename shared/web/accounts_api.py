"""The JSON API both portals answer for accounts (`/api/v1`): 获取验证码, login, logout, who is
logged in, and the face checks of a login. Bearer tokens instead of cookies, so no CSRF.

Each portal adds its own calls (registration, 我的证照 …) to the blueprint this returns.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, jsonify

from shared.accounts.codes import SMS_TTL, send_registration_code
from shared.accounts.faces import face_check_state, own_face_check, start_face_check
from shared.accounts.logins import RegistrationIncomplete, account_of, expires_at, log_in, log_out
from shared.accounts.models import Account, FaceCheck, LoginChannel
from shared.errors import InvalidInput
from shared.identity import mask_id_number, mask_phone
from shared.web.bodies import body_text, json_body
from shared.web.errors import error_json
from shared.web.logins import api_account, api_login, issue_token
from shared.web.pages import public_url_for
from shared.web.recording import note, note_holder, note_refusal
from shared.web.resources import get_clock, get_password_cost, get_session


def account_json(account: Account) -> dict:
    """The holder as the API shows them (phone and ID number masked)."""
    return {"id": account.id, "name": account.name, "phone": mask_phone(account.phone),
            "id_number": mask_id_number(account.id_number),
            "identity_verified": account.identity_verified_at is not None}


def face_check_json(ticket: FaceCheck) -> dict:
    """A face check: its token, purpose, state now, whether the app opened it, the phone
    app's URL and its expiry."""
    return {"token": ticket.token, "purpose": ticket.purpose,
            "state": face_check_state(ticket, get_clock().now()),
            "scanned": ticket.scanned_at is not None,
            "app_url": public_url_for("phone_app.face", token=ticket.token),
            "expires_at": ticket.expires_at.isoformat()}


def accounts_api(import_name: str, *, face_purposes: tuple[str, ...],
                 verified_login: bool = False,
                 unverified: Callable[[Account], FaceCheck] | None = None) -> Blueprint:
    """Return the /api/v1 blueprint with the account calls.

    `face_purposes`: what a login's face check may be for (the first is the default);
    `verified_login`: a login needs registration's 实人认证 done, and `unverified` opens the
    ticket that finishes it (its JSON rides along with the refusal).
    """
    bp = Blueprint("api", import_name, url_prefix="/api/v1")

    @bp.post("/sms-codes")
    def sms_codes():
        """获取验证码: send a registration code to the simulated SMS inbox."""
        body = json_body()
        send_registration_code(get_session(), get_clock(), body_text(body, "phone"),
                               body.get("purpose", "register"),
                               current_app.config["SITE_NAME"])
        return jsonify(sent=True, expires_in=int(SMS_TTL.total_seconds()))

    @bp.post("/login")
    def login():
        """Log in by phone or ID number; answer a bearer token valid 30 minutes of portal time."""
        body, session, clock = json_body(), get_session(), get_clock()
        note("login", typed={"login": body.get("login"), "password": body.get("password")})
        try:
            row = log_in(session, clock, body_text(body, "login"), body_text(body, "password"),
                         LoginChannel.API, require_verified=verified_login,
                         password_cost=get_password_cost())
        except RegistrationIncomplete as exc:
            note_refusal(exc)
            answer, status = error_json(exc)
            ticket = unverified(exc.account) if unverified else None
            extra = {"face_check": face_check_json(ticket)} if ticket else {}
            return jsonify({**answer.get_json(), **extra}), status
        note_holder(account_of(session, row))
        return jsonify(token=issue_token(row), account=account_json(account_of(session, row)),
                       expires_at=expires_at(row).isoformat())

    @bp.post("/logout")
    def logout():
        """退出: the token (and the face checks of its login) stop counting at once."""
        note("logout", api_account())
        log_out(get_session(), get_clock(), api_login().marker)
        return jsonify(logged_out=True)

    @bp.get("/account")
    def account():
        """Who is logged in."""
        return jsonify(account=account_json(api_account()))

    @bp.post("/face-checks")
    def open_face_check():
        """Open a 实人认证 ticket for this login; the phone app (or /_sim) decides it."""
        purpose = json_body().get("purpose", face_purposes[0])
        if purpose not in face_purposes:
            raise InvalidInput("purpose", f"认证用途应为 {'、'.join(face_purposes)}")
        ticket = start_face_check(get_session(), get_clock(), api_account(), purpose,
                                  api_login().marker)
        return jsonify(face_check_json(ticket)), 201

    @bp.get("/face-checks/<token>")
    def face_check(token: str):
        """The state of one of the holder's own face checks; anyone else's is not found."""
        return jsonify(face_check_json(own_face_check(get_session(), api_login().account_id,
                                                      token)))

    return bp
