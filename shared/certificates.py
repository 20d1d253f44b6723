"""Certificate life cycle at the ministry: issue, review, renew, revoke, cancel.

Each service function is one transaction that changes the certificate and writes an outbox
row carrying the full licence snapshot and its `visible_at` (the lag policy applied now).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Row, Select, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached

from shared.authorities import DEFAULT_TYPE_CODE, authority_named
from shared.catalogue import DEFAULT_CATALOGUE, Catalogue
from shared.clock import Clock
from shared.errors import Duplicate, InvalidInput, NotEligible, NotFound
from shared.identifiers import make_licence_id, new_change_id
from shared.identity import id_facts, normalize_id_number, normalize_name
from shared.lag import DEFAULT_LAG, LagPolicy, parse_lag
from shared.models import (
    CardVersion,
    Certificate,
    ChangeKind,
    OutboxEntry,
    OutboxState,
    ReviewRecord,
    Status,
)
from shared.rules import (
    NEW_VERSION_SINCE,
    add_years,
    effective_status,
    review_window_opens,
    rule_set_named,
    rule_set_on,
)
from shared.workdays import WorkingCalendar


@dataclass
class Issuer:
    """The ministry as issuer: its clock, working calendar, lag policy, type code and catalogue.

    What the certificate services need besides a database session.
    """

    clock: Clock
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    lag: LagPolicy = field(default_factory=lambda: parse_lag(DEFAULT_LAG))
    type_code: str = DEFAULT_TYPE_CODE
    catalogue: Catalogue = DEFAULT_CATALOGUE


@dataclass(frozen=True)
class IssueCertificate:
    name: str
    id_number: str
    category: str
    item: str
    card_version: str = CardVersion.NEW
    issued_on: date | None = None    # 初领/颁发 date; default today
    authority: str | None = None


# Built once: an issue writes its row, then the key and codes made of the row's id.
_CERTIFICATES = Certificate.__table__
NEW_CERTIFICATE = insert(_CERTIFICATES).returning(_CERTIFICATES.c.id)
CERTIFICATE_CODES = update(_CERTIFICATES).where(_CERTIFICATES.c.id == bindparam("row")).values(
    certificate_key=bindparam("key"), licence_id=bindparam("licence"),
    archive_code=bindparam("archive"))


def issue_certificate(session: Session, issuer: Issuer, cmd: IssueCertificate) -> Certificate:
    """Issue a certificate and record the change for replication.

    The row is written with Core statements, not through the session's unit of work (an ORM
    flush cost more than the INSERT and UPDATE it sent); the certificate returned is that row,
    put in the session as loaded, so later changes in the session are made on it.
    """
    now = issuer.clock.now()
    today = issuer.clock.today()
    name = normalize_name(cmd.name)
    id_number = normalize_id_number(cmd.id_number, today=today)
    issuer.catalogue.check(cmd.category, cmd.item)
    issued_on = _check_issue_date(cmd.issued_on or today, cmd.card_version, today)
    authority = authority_named(cmd.authority)
    rules = rule_set_on(issued_on)
    values = dict(
        certificate_key="pending", licence_id=f"pending-{uuid.uuid4().hex}", licence_version=1,
        revision=1, holder_name=name, holder_id_number=id_number, sex=id_facts(id_number).sex,
        cert_number=id_number if cmd.card_version == CardVersion.NEW else "T" + id_number,
        category=cmd.category, item=cmd.item, first_issued_on=issued_on, issued_on=issued_on,
        valid_from=issued_on, valid_to=add_years(issued_on, rules.validity_years),
        review_due_on=add_years(issued_on, rules.review_years), review_passed_on=None,
        authority=authority.name, authority_code=authority.code,
        region_code=authority.region_code, archive_code="pending", card_version=cmd.card_version,
        status=Status.VALID, status_reason=None, rule_set=rules.name, created_at=now,
        updated_at=now,
    )
    try:
        row = session.execute(NEW_CERTIFICATE, values).scalar_one()
    except IntegrityError:
        session.rollback()
        raise Duplicate("item", f"{name}已持有{cmd.category}/{cmd.item}的特种作业操作证") from None
    key = f"{issued_on.year}{row:010d}"
    values.update(certificate_key=key,
                  archive_code=f"{authority.region_code}{issued_on.year}{row:08d}",
                  licence_id=make_licence_id(issuer.type_code, authority.code, key, 1))
    session.execute(CERTIFICATE_CODES, {"row": row, "key": key, "licence": values["licence_id"],
                                        "archive": values["archive_code"]})
    cert = Certificate(id=row, **values, reviews=[])
    make_transient_to_detached(cert)  # the row as written: in the session, nothing to flush
    session.add(cert)
    _record_change(session, issuer, cert, ChangeKind.ISSUED)
    session.commit()
    return cert


def _check_issue_date(issued_on: date, card_version: str, today: date) -> date:
    if card_version not in tuple(CardVersion):
        raise InvalidInput("version", f"证书版本应为 new 或 old_ic: {card_version!r}")
    if issued_on > today:
        raise InvalidInput("issued_on", f"颁发日期 {issued_on} 晚于今天 {today}")
    if card_version == CardVersion.OLD_IC and issued_on >= NEW_VERSION_SINCE:
        raise InvalidInput("issued_on", "旧版IC卡证书自2019年9月1日起不再签发")
    if card_version == CardVersion.NEW and issued_on < NEW_VERSION_SINCE:
        raise InvalidInput("issued_on", "新版证书自2019年9月1日起签发")
    return issued_on


def record_review(session: Session, issuer: Issuer, key: str, result: str,
                  reviewed_on: date | None = None) -> Certificate:
    """Record a 复审; a pass on an old IC card reissues a new-version licence."""
    if result not in ("pass", "fail"):
        raise InvalidInput("result", f"复审结果应为 pass 或 fail: {result!r}")
    cert = get_certificate(session, key)
    today = reviewed_on or issuer.clock.today()
    _require_status(cert, today, Status.VALID, "复审")
    if cert.review_due_on is None or cert.review_passed_on is not None:
        raise NotEligible("certificate", "本有效期内的复审已完成，期满请办理延期换证")
    opens = review_window_opens(cert.review_due_on, rule_set_named(cert.rule_set))
    if today < opens:
        raise NotEligible("reviewed_on", f"复审应在应复审日期 {cert.review_due_on} 前60日内申请，"
                                         f"最早 {opens}")
    session.add(ReviewRecord(certificate=cert, reviewed_on=today, result=result,
                             recorded_at=issuer.clock.now()))
    kind = ChangeKind.REVIEWED
    if result == "pass":
        cert.review_passed_on = today
        if cert.card_version == CardVersion.OLD_IC:
            _reissue(issuer, cert, today, cert.valid_from, cert.valid_to)
            cert.review_due_on, kind = None, ChangeKind.REISSUED
    elif any(r.result == "fail" for r in cert.reviews[:-1]):
        cert.status, cert.status_reason = Status.INVALID, "复审不合格"
    _touch_and_record(session, issuer, cert, kind)
    return cert


def renew_certificate(session: Session, issuer: Issuer, key: str,
                      renewed_on: date | None = None) -> Certificate:
    """延期换证 at the end of the six years: a new version with a new validity period."""
    cert = get_certificate(session, key)
    today = renewed_on or issuer.clock.today()
    _require_status(cert, today, Status.VALID, "延期换证")
    rules = rule_set_on(today)
    opens = cert.valid_to - timedelta(days=rules.window_days)
    if today < opens:
        raise NotEligible("renewed_on", f"延期换证应在有效期届满前60日内申请，最早 {opens}")
    _reissue(issuer, cert, today, today, add_years(today, rules.validity_years))
    cert.review_due_on = add_years(today, rules.review_years)
    cert.review_passed_on, cert.rule_set = None, rules.name
    _touch_and_record(session, issuer, cert, ChangeKind.RENEWED)
    return cert


def revoke_certificate(session: Session, issuer: Issuer, key: str, reason: str = "") -> Certificate:
    """撤销 a certificate (order 30 Art. 30)."""
    cert = get_certificate(session, key)
    if cert.status in (Status.REVOKED, Status.CANCELLED):
        raise NotEligible("certificate", f"证书已{'撤销' if cert.status == 'revoked' else '注销'}")
    cert.status, cert.status_reason = Status.REVOKED, reason or "撤销"
    _touch_and_record(session, issuer, cert, ChangeKind.REVOKED)
    return cert


def cancel_certificate(session: Session, issuer: Issuer, key: str, reason: str = "") -> Certificate:
    """注销 a certificate (order 30 Art. 31); a revoked one may be cancelled too."""
    cert = get_certificate(session, key)
    if cert.status == Status.CANCELLED:
        raise NotEligible("certificate", "证书已注销")
    cert.status, cert.status_reason = Status.CANCELLED, reason or "注销"
    _touch_and_record(session, issuer, cert, ChangeKind.CANCELLED)
    return cert


KEY = bindparam("key")
# Built once, the reviews joined in: building the select cost more than running it, and the
# reviews' own (selectin) load was a second statement, built again on every call.
BY_KEY = (select(Certificate).options(joinedload(Certificate.reviews))
          .where((Certificate.certificate_key == KEY) | (Certificate.licence_id == KEY)))


def get_certificate(session: Session, key: str) -> Certificate:
    """Find a certificate by its key or licence identifier, else raise NotFound."""
    cert = session.execute(BY_KEY, {"key": key}).unique().scalars().first()
    if cert is None:
        raise NotFound("certificate", f"证书不存在: {key}")
    return cert


CERTIFICATES = Certificate.__table__
# What a list page shows of a certificate, what its e-licence verdict needs
# (shared.rules.e_licence_eligibility) and what a recording names.
LISTED_FIELDS = ("certificate_key", "holder_name", "holder_id_number", "cert_number",
                 "category", "item", "issued_on", "valid_from", "valid_to", "review_due_on",
                 "review_passed_on", "authority", "card_version", "status")


def _holders(columns) -> Select:
    return (select(*columns).where(CERTIFICATES.c.holder_id_number == bindparam("holder"))
            .order_by(CERTIFICATES.c.id))


# Built once: constructing a select of 27 columns costs more than running it.
HOLDERS_CERTIFICATES = _holders(CERTIFICATES.c)
HOLDERS_LISTED = _holders(CERTIFICATES.c[name] for name in LISTED_FIELDS)


def certificates_of(session: Session, id_number: str, *, listed: bool = False) -> list[Row]:
    """Return every certificate of one holder, oldest first, as rows of its columns (a list
    page: building ORM objects and loading their reviews cost more than the SQL); `listed`:
    only LISTED_FIELDS (parsing every column cost a third of a page's list)."""
    return list(session.execute(HOLDERS_LISTED if listed else HOLDERS_CERTIFICATES,
                                {"holder": id_number}))


def licence_snapshot(cert) -> dict:
    """Return the licence as the wire carries it: JSON-able face fields and review records."""
    data = {name: getattr(cert, name) for name in FACE_FIELDS}
    for name in DATE_FIELDS:
        data[name] = data[name].isoformat() if data[name] else None
    data["reviews"] = [{"reviewed_on": r.reviewed_on.isoformat(), "result": r.result}
                       for r in getattr(cert, "reviews", [])]
    return data


FACE_FIELDS = (
    "certificate_key", "licence_id", "licence_version", "revision", "holder_name",
    "holder_id_number", "sex", "cert_number", "category", "item", "first_issued_on",
    "issued_on", "valid_from", "valid_to", "review_due_on", "review_passed_on", "authority",
    "authority_code", "region_code", "archive_code", "card_version", "status", "status_reason",
    "rule_set",
)
DATE_FIELDS = ("first_issued_on", "issued_on", "valid_from", "valid_to", "review_due_on",
               "review_passed_on")


def _require_status(cert: Certificate, today: date, wanted: str, action: str) -> None:
    status = effective_status(cert, today)
    if status != wanted:
        raise NotEligible("certificate", f"证书状态为{status}，不能办理{action}")


def _reissue(issuer: Issuer, cert: Certificate, today: date, valid_from: date, valid_to: date):
    cert.card_version, cert.cert_number = CardVersion.NEW, cert.holder_id_number
    cert.licence_version += 1
    cert.licence_id = make_licence_id(issuer.type_code, cert.authority_code, cert.certificate_key,
                                      cert.licence_version)
    cert.issued_on, cert.valid_from, cert.valid_to = today, valid_from, valid_to


def _touch_and_record(session: Session, issuer: Issuer, cert: Certificate, kind: str) -> None:
    cert.revision += 1
    cert.updated_at = issuer.clock.now()
    _record_change(session, issuer, cert, kind)
    session.commit()


# Built once: the latest `visible_at` of a licence's changes, asked by every change.
LATEST_VISIBLE = select(func.max(OutboxEntry.visible_at)).where(
    OutboxEntry.certificate_key == bindparam("key"))


def _record_change(session: Session, issuer: Issuer, cert: Certificate, kind: str) -> OutboxEntry:
    """Write the outbox row; `visible_at` never precedes that of an earlier change of the licence."""
    now = issuer.clock.now()
    visible_at = issuer.lag.visible_at(now, cert.certificate_key, issuer.calendar)
    if visible_at is not None and kind != ChangeKind.ISSUED:  # an issue has no earlier change
        # The certificate's changes are flushed with the outbox row at the commit: one flush.
        with session.no_autoflush:
            previous = session.scalar(LATEST_VISIBLE, {"key": cert.certificate_key})
        visible_at = max(visible_at, previous) if previous else visible_at
    entry = OutboxEntry(
        change_id=new_change_id(now), kind=kind, certificate_key=cert.certificate_key,
        revision=cert.revision, payload={"kind": kind, "licence": licence_snapshot(cert)},
        created_at=now, visible_at=visible_at, state=OutboxState.PENDING, attempts=0,
    )
    session.add(entry)
    return entry
