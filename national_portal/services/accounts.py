"""What the national portal's accounts add to the shared ones: the face check a binding needs,
as the 绑定证照 page shows it (the passed one, the open or failed one, or a new one).
"""

from __future__ import annotations

from sqlalchemy import Row
from sqlalchemy.orm import Session

from shared.accounts.faces import LOGIN_TICKETS, face_check_state, start_face_check
from shared.accounts.models import Account, FaceCheck, FaceCheckState
from shared.clock import Clock


def face_check_for_page(session: Session, clock: Clock, account: Account, marker: str, *,
                        purpose: str, renew: bool = False) -> FaceCheck | Row:
    """Return the ticket a page shows: a passed one, the open or failed one, or a fresh one."""
    tickets = list(session.execute(LOGIN_TICKETS, {"account": account.id, "marker": marker}))
    passed = next((ticket for ticket in tickets if ticket.state == FaceCheckState.PASSED),
                  None)
    if passed is not None:
        return passed
    if tickets and not renew and face_check_state(tickets[0], clock.now()) in (
            FaceCheckState.PENDING, FaceCheckState.FAILED):
        return tickets[0]
    return start_face_check(session, clock, account, purpose, marker)
