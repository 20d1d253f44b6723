"""What the ministry's accounts add to the shared ones: registration's 实人认证 step (创建账户
→ 实人认证 → 注册完成) and the face check 我的证照 needs in each login.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Row
from sqlalchemy.orm import Session

from shared.accounts.faces import (
    get_face_check,
    require_login_face_check,
    require_passed,
    start_face_check,
)
from shared.accounts.logins import account_of, get_account
from shared.accounts.models import (
    Account,
    FaceCheck,
    FacePurpose,
    LoginSession,
)
from shared.clock import Clock
from shared.errors import InvalidInput, NotFound

LOGIN_PURPOSES = (FacePurpose.LICENCES,)


def start_registration_check(session: Session, clock: Clock, account: Row) -> FaceCheck:
    """Open the 实人认证 ticket of the registration's second step for `account` (its row)."""
    if account.identity_verified_at is not None:
        raise InvalidInput("identity", "该账户已完成实人认证，请直接登录")
    return start_face_check(session, clock, account, FacePurpose.REGISTER,
                            secrets.token_hex(16))


def complete_registration(session: Session, clock: Clock, token: str) -> Account:
    """注册完成, once the registration's 实人认证 ticket has passed."""
    ticket = get_face_check(session, token)
    if ticket.purpose != FacePurpose.REGISTER:
        raise NotFound("token", "认证二维码无效")
    return get_account(session, require_passed(ticket, clock.now()).account_id)


def start_login_check(session: Session, clock: Clock, login: LoginSession,
                      purpose: str = FacePurpose.LICENCES) -> FaceCheck:
    """Open a face-check ticket for this login (我的证照 needs one per login)."""
    if purpose not in LOGIN_PURPOSES:
        raise InvalidInput("purpose", "认证用途应为 licences")
    return start_face_check(session, clock, account_of(session, login), purpose, login.marker)


def require_licences_check(session: Session, clock: Clock, account: Account,
                           login: LoginSession) -> Row:
    """Raise unless a 我的证照 face check has passed in this login of the account."""
    return require_login_face_check(session, clock, account, login.marker, FacePurpose.LICENCES)
