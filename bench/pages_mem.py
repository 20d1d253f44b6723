"""The ministry's rows for the 我的证照 benchmark: the same holders and licence faces as the
national bench (`bench.pages_data`), as certificates with their passing 复审 records, and a
passed 我的证照 face check for each logged-in holder's login."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from bench.pages_data import HOLDING_TIME, faces, insert_all, sql_time, write_accounts
from shared.accounts.faces import FACE_CHECK_TTL
from shared.accounts.models import FaceCheckState, FacePurpose
from shared.models import Certificate

CERTIFICATE_COLUMNS = tuple(column.name for column in Certificate.__table__.columns)


def certificate_rows(accounts: int, type_code: str):
    """Yield every certificate row, in `CERTIFICATE_COLUMNS` order."""
    for row_id, face, arrived in faces(accounts, type_code):
        row = {"id": row_id, "created_at": arrived, "updated_at": arrived, **face}
        yield tuple(row[name] for name in CERTIFICATE_COLUMNS)


def review_rows(accounts: int, type_code: str):
    """Yield (certificate, reviewed_on, result, recorded_at) of each passed 复审."""
    for row_id, face, _arrived in faces(accounts, type_code):
        if passed := face["review_passed_on"]:
            yield (row_id, passed, "pass", sql_time(HOLDING_TIME - timedelta(days=300)))


def write_certificates(conn, accounts: int, log: Callable[[str], None]) -> int:
    """Write the ministry's accounts, certificates and reviews; return the certificates."""
    type_code = write_accounts(conn, accounts)
    written = insert_all(conn, "certificates", CERTIFICATE_COLUMNS,
                         certificate_rows(accounts, type_code), log)
    insert_all(conn, "review_records", ("certificate_id", "reviewed_on", "result", "recorded_at"),
               review_rows(accounts, type_code))
    conn.commit()
    return written


def pass_face_checks(conn, logins: Iterable[tuple[str, int]]) -> None:
    """Record a passed 我的证照 face check in each (marker, account) login, as the phone app
    would have a minute before now."""
    decided = HOLDING_TIME - timedelta(minutes=1)
    created, expires = sql_time(decided - timedelta(seconds=30)), sql_time(decided + FACE_CHECK_TTL)
    conn.executemany(
        "INSERT INTO face_checks (token, account_id, purpose, state, created_at, expires_at, "
        "scanned_at, decided_at, session_marker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((f"f{marker[1:]}", account, FacePurpose.LICENCES.value, FaceCheckState.PASSED.value,
          created, expires, sql_time(decided), sql_time(decided), marker)
         for marker, account in logins))
