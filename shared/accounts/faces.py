"""实人认证 (face checks): a ticket the desktop page shows as a QR code and the phone app decides.

A ticket belongs to one account and one login (its session marker); it expires after three
minutes of portal time unless decided. The app opening it is noted (`scanned_at`), so the
desktop can say 已扫码 while the holder is still in front of the phone.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm import Session

from shared.accounts.models import Account, FaceCheck, FaceCheckState, FacePurpose
from shared.clock import Clock
from shared.errors import IdentityFailed, IdentityNotVerified, InvalidInput, NotFound

FACE_CHECK_TTL = timedelta(minutes=3)
NOT_VERIFIED = "请先进行实人身份认证"
DECIDED = {FaceCheckState.EXPIRED: "二维码已过期，请刷新二维码",
           FaceCheckState.PASSED: "该二维码已完成认证",
           FaceCheckState.FAILED: "该二维码认证未通过，请刷新二维码"}
TICKETS = FaceCheck.__table__
# Built once: the desktop, the phone app and the control plane look tickets up by token, as
# rows of their columns (an ORM object costs a load here and a flush on every change).
BY_TOKEN = select(*TICKETS.c).where(TICKETS.c.token == bindparam("token"))
# Built once, and a statement rather than an ORM flush (which costs twice the insert): every
# login's 实人认证 opens a ticket.
NEW_TICKET = insert(TICKETS).returning(*TICKETS.c)
ACCOUNTS = Account.__table__
# Built once: registration's 实人认证 passing marks the account, without loading it.
VERIFIED = (update(ACCOUNTS).where(ACCOUNTS.c.id == bindparam("account"))
            .values(identity_verified_at=bindparam("now")))
_STILL_PENDING = (TICKETS.c.id == bindparam("ticket"),
                  TICKETS.c.state == FaceCheckState.PENDING)
# Built once: the app's verdict lands only on a ticket still pending (two verdicts at once:
# the second finds it decided), and answers the ticket as it now stands.
DECIDE = (update(TICKETS).where(*_STILL_PENDING)
          .values(state=bindparam("verdict"), decided_at=bindparam("now"))
          .returning(*TICKETS.c))
# Built once: the app opening a pending ticket notes the first scan.
SCANNED = (update(TICKETS).where(*_STILL_PENDING, TICKETS.c.scanned_at.is_(None))
           .values(scanned_at=bindparam("now")).returning(*TICKETS.c))


def start_face_check(session: Session, clock: Clock, account: Account, purpose: str,
                     session_marker: str) -> Row:
    """Open a face-check ticket for the account in this login session (its row)."""
    now = clock.now()
    ticket = session.execute(NEW_TICKET, {
        "token": secrets.token_hex(16), "account_id": account.id, "purpose": purpose,
        "state": FaceCheckState.PENDING, "created_at": now, "expires_at": now + FACE_CHECK_TTL,
        "scanned_at": None, "decided_at": None, "session_marker": session_marker}).one()
    session.commit()
    return ticket


def face_check_state(ticket: FaceCheck | Row, now: datetime) -> str:
    """pending, passed, failed or expired (a pending ticket past its time)."""
    if ticket.state == FaceCheckState.PENDING and now > ticket.expires_at:
        return FaceCheckState.EXPIRED
    return ticket.state


def get_face_check(session: Session, token: str) -> Row:
    """Return the ticket with this token (its row), else raise NotFound."""
    ticket = session.execute(BY_TOKEN, {"token": token or ""}).first()
    if ticket is None:
        raise NotFound("token", "认证二维码无效")
    return ticket


def note_scan(session: Session, clock: Clock, ticket: Row) -> Row:
    """Record that the phone app opened a pending ticket (the first time counts); return the
    ticket as it now stands."""
    now = clock.now()
    if ticket.scanned_at is not None or face_check_state(ticket, now) != FaceCheckState.PENDING:
        return ticket
    scanned = session.execute(SCANNED, {"ticket": ticket.id, "now": now}).first()
    session.commit()
    return scanned or get_face_check(session, ticket.token)


def decide_face_check(session: Session, clock: Clock, token: str, passed: bool) -> Row:
    """Record the app's verdict (开始人脸识别 → pass/fail) on a pending ticket; return the
    ticket as decided."""
    now = clock.now()
    ticket = get_face_check(session, token)
    state = face_check_state(ticket, now)
    if state == FaceCheckState.PENDING:
        verdict = FaceCheckState.PASSED if passed else FaceCheckState.FAILED
        decided = session.execute(DECIDE, {"ticket": ticket.id, "verdict": verdict,
                                           "now": now}).first()
        if decided is not None:
            if passed and decided.purpose == FacePurpose.REGISTER:
                session.execute(VERIFIED, {"account": decided.account_id, "now": now})
            session.commit()
            return decided
        state = face_check_state(get_face_check(session, token), now)  # decided meanwhile
    raise InvalidInput("token", DECIDED[state])


def require_face_check(session: Session, clock: Clock, account: Account, token: str | None,
                       session_marker: str) -> Row:
    """Raise unless `token` is a passed face check of this account in this login session."""
    ticket = session.execute(BY_TOKEN, {"token": token or ""}).first()
    if ticket is None or ticket.account_id != account.id or ticket.session_marker != session_marker:
        raise IdentityNotVerified("identity", NOT_VERIFIED)
    return require_passed(ticket, clock.now())


def require_passed(ticket: FaceCheck | Row, now: datetime) -> FaceCheck | Row:
    """Return the ticket if it passed; raise identity_failed or identity_not_verified if not."""
    state = face_check_state(ticket, now)
    if state == FaceCheckState.FAILED:
        raise IdentityFailed("identity", "实人认证未通过，请重新认证")
    if state != FaceCheckState.PASSED:
        raise IdentityNotVerified("identity", NOT_VERIFIED)
    return ticket


def own_face_check(session: Session, account_id: int, token: str) -> Row:
    """Return one of the account's own tickets; anyone else's is not found."""
    ticket = get_face_check(session, token)
    if ticket.account_id != account_id:
        raise NotFound("token", "认证二维码无效")
    return ticket


# Built once: the ministry's 我的证照 asks on every view. A login holds a handful of tickets,
# read as rows of their columns (ORM objects cost more than the query).
LOGIN_TICKETS = select(*TICKETS.c).where(
    TICKETS.c.account_id == bindparam("account"), TICKETS.c.session_marker == bindparam("marker")
).order_by(TICKETS.c.id.desc())


def require_login_face_check(session: Session, clock: Clock, account: Account, marker: str,
                             purpose: str | None = None) -> Row:
    """Return a passed ticket of this login (for `purpose`, if given), else raise why not."""
    tickets = [t for t in session.execute(LOGIN_TICKETS, {"account": account.id, "marker": marker})
               if purpose is None or t.purpose == purpose]
    chosen = next((t for t in tickets if t.state == FaceCheckState.PASSED),
                  tickets[0] if tickets else None)
    if chosen is None:  # the query already holds it to this account and login
        raise IdentityNotVerified("identity", NOT_VERIFIED)
    return require_passed(chosen, clock.now())
