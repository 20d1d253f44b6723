"""我的证照 on the national portal: bind, list, view and unbind replicated licences.

A holder binds after a 实人认证 in the current login session; binding picks every replicated
licence whose holder ID is the account's and which has an electronic licence at the clock's
now (`shared.rules.e_licence_eligibility`). Unbinding only hides the licence again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, Select, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from national_portal.models import Licence, LicenceBinding
from shared.accounts.faces import require_login_face_check
from shared.accounts.models import Account
from shared.clock import Clock
from shared.errors import InvalidInput, NotFound
from shared.models import Status
from shared.rules import STATUS_LABELS, e_licence_eligibility, effective_status

LICENCE_TYPE = "特种作业操作证"
LICENCE_TYPES = (LICENCE_TYPE,)
NOT_FOUND_MESSAGE = "未查询到特种作业操作证电子证照"
ALL_BOUND = "您的特种作业操作证电子证照均已绑定"
STATUS_FILTERS = (Status.VALID, "other")  # 我的证照's filters besides 全部


@dataclass(frozen=True)
class Guidance:
    reason: str
    remedy: str


GUIDANCE = (
    Guidance("特种作业操作证电子证照系统仅支持新版特种作业操作证，不支持旧版特种作业操作证。",
             "旧版特种作业操作证在有效期内可继续使用，经复审合格换发新版特种作业操作证后，"
             "再通过上述途径查看、下载。"),
    Guidance("数据存在延迟现象，导致在国家政务服务平台上未能查询到特种作业操作证电子证照。",
             "可先行前往应急管理部政务服务平台进行查询；或等待3个工作日后再前往国家政务服务平台上"
             "查看、下载。"),
)


class LicencesNotFound(NotFound):
    """Binding found no licence to bind: the guide's two reasons apply."""

    def __init__(self):
        super().__init__("type", NOT_FOUND_MESSAGE)
        self.guidance = GUIDANCE

    def to_json(self) -> dict:
        """The not_found error with the guide's reasons and remedies."""
        return {**super().to_json(), "guidance": guidance_json(self.guidance)}


def guidance_json(guidance: tuple[Guidance, ...] = GUIDANCE) -> list[dict]:
    """The guide's reasons a licence may be missing, each with its remedy (the API's shape)."""
    return [{"reason": g.reason, "remedy": g.remedy} for g in guidance]


@dataclass(frozen=True)
class BoundLicence:
    """A licence in 我的证照 with its status today and when it was bound.

    The list holds rows of the licence's columns (`LISTED`), not ORM objects: building those
    cost more than the list's SQL; one licence (查看详情, 解除绑定) is the ORM's `Licence`.
    """

    licence: Licence | Row
    bound_at: datetime | None  # None in a page's list (`shown`), which does not show it
    status: str

    @property
    def status_label(self) -> str:
        """The status in Chinese (有效, 已撤销 …)."""
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class BindResult:
    newly_bound: list[Row]  # rows of HOLDERS
    licences: list[BoundLicence]


def bind_licences(session: Session, clock: Clock, account: Account, marker: str,
                  licence_type: str) -> BindResult:
    """Bind every eligible replicated licence of the verified holder not bound yet."""
    if licence_type not in LICENCE_TYPES:
        raise InvalidInput("type", "请选择证照类型：特种作业操作证")
    ticket = require_login_face_check(session, clock, account, marker)
    now = clock.now()
    eligible = [row for row in session.execute(HOLDERS, {"holder": account.id_number,
                                                          "account": account.id})
                if e_licence_eligibility(row, now).eligible]
    if not eligible:
        raise LicencesNotFound()
    fresh = [row for row in eligible if row.binding_id is None]
    try:
        if fresh:
            session.execute(BIND, [{"account_id": account.id, "licence_row_id": row.id,
                                    "face_check_id": ticket.id, "bound_at": now}
                                   for row in fresh])
        session.commit()
    except IntegrityError:  # a concurrent bind got there first: the result is the same
        session.rollback()
    return BindResult(fresh, bound_licences(session, clock, account))


LICENCES, BINDINGS = Licence.__table__, LicenceBinding.__table__
# What a page lists of a licence and what its status today needs (and a recording names): a
# page reads these, not every column (parsing the rest cost a third of the list's time).
SHOWN = ("certificate_key", "holder_name", "holder_id_number", "category", "item", "issued_on",
         "authority", "status", "valid_to", "review_due_on", "review_passed_on")


ACCOUNT, KEY = bindparam("account"), bindparam("key")


def _listing(*columns) -> Select:
    return (select(*columns)
            .join(BINDINGS, BINDINGS.c.licence_row_id == LICENCES.c.id)
            .where(BINDINGS.c.account_id == ACCOUNT,
                   BINDINGS.c.unbound_at.is_(None))
            .order_by(BINDINGS.c.id))


# Built once, as every statement below: constructing a select (of 27 columns here) costs
# more than running it.
LISTED = _listing(*(column for column in LICENCES.c if column.key != "payload"),
                  BINDINGS.c.bound_at)
# Without bound_at, which no page shows: reading that aware datetime cost a quarter of the list.
LISTED_SHOWN = _listing(*(LICENCES.c[name] for name in SHOWN))
# The holder's licences, each with the account's open binding of it (at most one) if any:
# what binding decides with (the eligibility's fields, what a recording names).
HOLDERS = (select(LICENCES.c.id, LICENCES.c.card_version, LICENCES.c.valid_from,
                  *(LICENCES.c[name] for name in SHOWN), BINDINGS.c.id.label("binding_id"))
           .outerjoin(BINDINGS, (BINDINGS.c.licence_row_id == LICENCES.c.id)
                      & (BINDINGS.c.account_id == ACCOUNT) & BINDINGS.c.unbound_at.is_(None))
           .where(LICENCES.c.holder_id_number == bindparam("holder"))
           .order_by(LICENCES.c.id))
BIND = insert(BINDINGS)
# The account's open binding of the licence with this key or 证照标识, the licence loaded with it.
OPEN_BINDING = (select(LicenceBinding).join(LicenceBinding.licence)
                .options(contains_eager(LicenceBinding.licence))
                .where(LicenceBinding.account_id == ACCOUNT, LicenceBinding.unbound_at.is_(None),
                       (Licence.certificate_key == KEY) | (Licence.licence_id == KEY))
                .order_by(LicenceBinding.id).limit(1))
UNBIND = (update(BINDINGS).where(BINDINGS.c.id == bindparam("binding"))
          .values(unbound_at=bindparam("now")))
# Only the times a binding history shows.
HISTORY = (select(BINDINGS.c.bound_at, BINDINGS.c.unbound_at)
           .where(BINDINGS.c.account_id == ACCOUNT,
                  BINDINGS.c.licence_row_id == bindparam("licence"))
           .order_by(BINDINGS.c.id))


def bound_licences(session: Session, clock: Clock, account: Account,
                   status: str | None = None, *, shown: bool = False) -> list[BoundLicence]:
    """Return the holder's 我的证照 list, oldest binding first, optionally by status; `shown`:
    only the columns a page shows (SHOWN, no bound_at), not every field the API answers."""
    today = clock.today()
    rows = [BoundLicence(row, None if shown else row.bound_at, effective_status(row, today))
            for row in session.execute(LISTED_SHOWN if shown else LISTED,
                                       {"account": account.id})]
    if status == Status.VALID:
        return [row for row in rows if row.status == Status.VALID]
    if status == "other":
        return [row for row in rows if row.status != Status.VALID]
    return rows


def bound_licence(session: Session, clock: Clock, account: Account, key: str) -> BoundLicence:
    """Return one licence of the holder's list by key or 证照标识; anything else is 404."""
    binding = _open_binding(session, account, key)
    return BoundLicence(binding.licence, binding.bound_at,
                        effective_status(binding.licence, clock.today()))


def binding_history(session: Session, account: Account, licence: Licence) -> list[Row]:
    """Return every binding episode (bound_at, unbound_at) of one licence by this holder,
    oldest first."""
    return list(session.execute(HISTORY, {"account": account.id, "licence": licence.id}))


def unbind_licence(session: Session, clock: Clock, account: Account, key: str) -> Licence:
    """Remove a licence from the holder's list; the licence itself stays and can be re-bound."""
    binding = _open_binding(session, account, key)
    session.execute(UNBIND, {"binding": binding.id, "now": clock.now()})  # no ORM flush
    session.commit()
    return binding.licence


def _open_binding(session: Session, account: Account, key: str) -> LicenceBinding:
    """The holder's open binding of the licence with this key or 证照标识, else 404."""
    binding = session.scalar(OPEN_BINDING, {"account": account.id, "key": key})
    if binding is None:
        raise NotFound("key", "证照不存在或未绑定")
    return binding
