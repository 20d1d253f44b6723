"""The reference model of generated stories: what each holder should see, in plain Python.

It knows nothing of Flask, HTTP or the databases. It follows the story step by step and says
what every step should observe: the back office's verdicts, each change's rule time, which
revision of each licence the national portal holds, what each holder may list, bind and view.

The rule time is computed here from the working-day rule itself (`WorkingCalendar.visible_from`)
and the parsed policy's figures, not by `LagPolicy.visible_at`, which is the ministry's
application of the rule: a fault there must show as a difference, not be copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from shared.clock import SHANGHAI
from shared.lag import LagPolicy
from shared.workdays import WorkingCalendar

REVIEW_WINDOW = timedelta(days=60)  # 复审 may be recorded from 60 days before it is due
GONE = ("revoked", "cancelled")


@dataclass(frozen=True)
class Face:
    """What a revision of a licence says that decides its status on a given day."""

    status: str                   # stored: valid, invalid, revoked, cancelled
    valid_to: date
    review_due_on: date | None
    review_passed_on: date | None = None

    def status_on(self, today: date) -> str:
        """The status a portal shows on `today` (expired, and 复审 overdue, come with time)."""
        if self.status != "valid":
            return self.status
        if today > self.valid_to:
            return "expired"
        if self.review_due_on and today > self.review_due_on and self.review_passed_on is None:
            return "invalid"
        return "valid"


@dataclass
class Revision:
    number: int
    kind: str
    written_at: datetime
    visible_at: datetime
    face: Face
    delivered: bool = False


@dataclass
class Licence:
    alias: str
    holder: str                       # person alias
    key: str
    revisions: list[Revision] = field(default_factory=list)
    failed_reviews: int = 0

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    def national(self) -> Revision | None:
        """The newest revision the national portal holds (None: no copy yet)."""
        delivered = [r for r in self.revisions if r.delivered]
        return delivered[-1] if delivered else None


class Refused(Exception):
    """The model expects the portal to refuse the step with this error code."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def rule_time(policy: LagPolicy, moment: datetime, key: str,
              calendar: WorkingCalendar) -> datetime:
    """When a change written at `moment` may first be seen nationally, by the lag rule."""
    if policy.kind == "immediate":
        return moment
    if policy.kind == "duration":
        return moment + policy.duration
    if policy.kind == "manual":
        raise ValueError("generated stories never hold changes for a manual release")
    days = policy.low if policy.kind == "working_days" else policy.draw(key)
    return calendar.visible_from(moment, days)[0]


@dataclass
class StoryModel:
    """The expected state of both portals while one story runs."""

    policy: LagPolicy
    calendar: WorkingCalendar
    licences: dict[str, Licence] = field(default_factory=dict)    # alias -> licence
    registered: set[tuple[str, str]] = field(default_factory=set)  # (portal, person)
    failed_logins: dict[tuple[str, str], int] = field(default_factory=dict)  # refused tries
    bindings: dict[str, list[str]] = field(default_factory=dict)  # person -> aliases, in order
    national_up: bool = True
    catching_up: bool = False  # after a recovery, until the replicator's back-off has passed

    # -- the back office ------------------------------------------------------------------

    def issued(self, alias: str, holder: str, key: str, face: Face, now: datetime) -> Revision:
        """Note a certificate the ministry issued now."""
        self.licences[alias] = licence = Licence(alias, holder, key)
        return self._write(licence, "issued", face, now)

    def change(self, alias: str, action: str, now: datetime, result: str | None = None
               ) -> Revision:
        """Apply 复审 / 延期换证 / 撤销 / 注销 as the ministry should, or raise Refused."""
        licence = self.licences[alias]
        face, day = licence.latest.face, today(now)
        if action in ("review", "renew"):
            if face.status_on(day) != "valid":
                raise Refused("not_eligible")
            if action == "renew":  # the 60 days before the end of six years: never in a story
                if day < face.valid_to - REVIEW_WINDOW:
                    raise Refused("not_eligible")
                raise NotImplementedError("stories do not reach the end of a licence's validity")
            return self._review(licence, face, day, result, now)
        if face.status == "cancelled" or (action == "revoke" and face.status == "revoked"):
            raise Refused("not_eligible")
        status = "revoked" if action == "revoke" else "cancelled"
        kind = "revoked" if action == "revoke" else "cancelled"
        return self._write(licence, kind, replace(face, status=status), now)

    def _review(self, licence: Licence, face: Face, today: date, result: str | None,
                now: datetime) -> Revision:
        if face.review_due_on is None or face.review_passed_on is not None or (
                today < face.review_due_on - REVIEW_WINDOW):
            raise Refused("not_eligible")
        if result == "pass":
            face = replace(face, review_passed_on=today)
        else:
            licence.failed_reviews += 1
            if licence.failed_reviews > 1:
                face = replace(face, status="invalid")
        return self._write(licence, "reviewed", face, now)

    def _write(self, licence: Licence, kind: str, face: Face, now: datetime) -> Revision:
        """A new revision, visible from its rule time, never before the previous revision."""
        visible = rule_time(self.policy, now, licence.key, self.calendar)
        if licence.revisions:
            visible = max(visible, licence.latest.visible_at)
        revision = Revision(len(licence.revisions) + 1, kind, now, visible, face)
        licence.revisions.append(revision)
        self.deliver_due(now)
        return revision

    # -- replication ----------------------------------------------------------------------

    def deliver_due(self, now: datetime) -> None:
        """The clock reached `now` with the national portal up: every change due is applied."""
        if not self.national_up or self.catching_up:
            return
        for licence in self.licences.values():
            for revision in licence.revisions:
                if revision.visible_at <= now:
                    revision.delivered = True

    def outage(self) -> None:
        self.national_up = False

    def recovery(self) -> None:
        """The national portal is back; the replicator catches up at its next retry."""
        self.national_up, self.catching_up = True, True

    def caught_up(self, now: datetime) -> None:
        """The back-off after a recovery has passed: everything due is delivered."""
        self.catching_up = False
        self.deliver_due(now)

    def national_revision(self, alias: str) -> int:
        held = self.licences[alias].national()
        return held.number if held else 0

    def uncertain(self, alias: str, now: datetime) -> bool:
        """While catching up, a change due but not yet known delivered may or may not be."""
        licence = self.licences[alias]
        return self.catching_up and any(
            not r.delivered and r.visible_at <= now for r in licence.revisions)

    # -- what holders see -----------------------------------------------------------------

    def own(self, person: str) -> list[Licence]:
        return [lic for lic in self.licences.values() if lic.holder == person]

    def ministry_list(self, person: str, now: datetime) -> list[str]:
        """我的证照 at the ministry: the holder's licences with an e-licence today."""
        day = today(now)
        return [lic.alias for lic in self.own(person)
                if lic.latest.face.status_on(day) == "valid"]

    def bindable(self, person: str, now: datetime) -> list[str]:
        """The holder's licences the national portal holds with an e-licence today."""
        day = today(now)
        return [lic.alias for lic in self.own(person)
                if (held := lic.national()) and held.face.status_on(day) == "valid"]

    def bind(self, person: str, now: datetime) -> list[str]:
        """绑定证照: bind what is eligible and not bound yet; nothing eligible is not_found."""
        eligible = self.bindable(person, now)
        if not eligible:
            raise Refused("not_found")
        bound = self.bindings.setdefault(person, [])
        fresh = [alias for alias in eligible if alias not in bound]
        bound += fresh
        return fresh

    def bound(self, person: str) -> list[str]:
        return list(self.bindings.get(person, []))

    def unbind(self, person: str, alias: str) -> None:
        if alias not in self.bindings.get(person, []):
            raise Refused("not_found")
        self.bindings[person].remove(alias)

    def national_status(self, person: str, alias: str, now: datetime) -> str:
        """查看详情: a bound licence shows the status of the revision held nationally."""
        if alias not in self.bindings.get(person, []):
            raise Refused("not_found")
        return self.licences[alias].national().face.status_on(today(now))

    def others(self, person: str) -> list[str]:
        return [lic.alias for lic in self.licences.values() if lic.holder != person]


def today(now: datetime) -> date:
    """The date of `now` in Asia/Shanghai (the portals' day)."""
    return now.astimezone(SHANGHAI).date()
