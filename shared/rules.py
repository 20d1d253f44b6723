"""Validity, review and e-licence eligibility rules (domain reference §4), free of storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.catalogue import COAL_MINE
from shared.clock import SHANGHAI
from shared.models import CardVersion, Status
from shared.workdays import start_of_day

NEW_VERSION_SINCE = date(2019, 9, 1)
COAL_MINE_FROM = start_of_day(date(2022, 1, 1))
STATUS_LABELS = {
    Status.VALID: "有效",
    Status.EXPIRED: "已过期",
    Status.INVALID: "已失效",
    Status.REVOKED: "已撤销",
    Status.CANCELLED: "已注销",
}


@dataclass(frozen=True)
class RuleSet:
    """Parameters of one regulation; each certificate is tagged with the one in force."""

    name: str
    in_force_from: date
    validity_years: int = 6
    review_years: int = 3
    window_days: int = 60


RULE_SETS = (
    RuleSet("order30", date(2010, 7, 1)),
    RuleSet("order19", date(2026, 6, 1)),  # content unconfirmed: order-30 values (§4.6)
)


def rule_set_on(day: date) -> RuleSet:
    """Return the rule set in force on `day`."""
    current = RULE_SETS[0]
    for rule_set in RULE_SETS:
        if rule_set.in_force_from <= day:
            current = rule_set
    return current


def rule_set_named(name: str) -> RuleSet:
    return next(r for r in RULE_SETS if r.name == name)


def add_years(day: date, years: int) -> date:
    """Same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def review_window_opens(review_due_on: date, rule_set: RuleSet) -> date:
    return review_due_on - timedelta(days=rule_set.window_days)


def effective_status(face, today: date) -> str:
    """Return valid, expired, invalid, revoked or cancelled for a licence face on `today`."""
    if face.status in (Status.REVOKED, Status.CANCELLED, Status.INVALID):
        return face.status
    if today > face.valid_to:
        return Status.EXPIRED
    if face.review_due_on and today > face.review_due_on and face.review_passed_on is None:
        return Status.INVALID
    return Status.VALID


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str | None = None   # old_version, expired, invalid, revoked, cancelled, coal_mine_not_yet, not_started
    message: str | None = None  # what the portal tells the holder


ELIGIBLE = Eligibility(True)  # frozen: one for every licence that has an e-licence


def e_licence_eligibility(face, now: datetime) -> Eligibility:
    """Say whether a certificate has an electronic licence at `now` (both portals ask this)."""
    today = now.astimezone(SHANGHAI).date()
    if face.card_version != CardVersion.NEW:
        return Eligibility(False, "old_version",
                           "旧版特种作业操作证不支持电子证照，经复审合格换发新版后可查看、下载")
    status = effective_status(face, today)
    if status != Status.VALID:
        return Eligibility(False, status, f"证书状态为{STATUS_LABELS[status]}，无电子证照")
    if today < face.valid_from:
        return Eligibility(False, "not_started", "证书尚未到有效期起始日期")
    if face.category == COAL_MINE and now < COAL_MINE_FROM:
        return Eligibility(False, "coal_mine_not_yet", "煤矿特种作业操作证持证人员于2022年1月1日后申领")
    return ELIGIBLE
