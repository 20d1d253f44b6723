"""The hypothesis state machine that writes stories: each rule plays scenario v1 steps.

Rules: the back office (issue, review, renew, revoke, cancel), holders on both portals
(register; a visit = login, face check, then 我的证照 / 绑定 / 查看详情 / 解除绑定), clock moves
(to a change's rule time or the minute before it, by working days across weekends, holidays
and 调休 workdays, by hours) and national outages with their recovery.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from scenarios.model import Person
from scenarios.stories.model import Face, Refused, StoryModel, today
from scenarios.stories.story import ACCOUNTS, LATEST, MINISTRY, OUTAGE, TIMING, Story, shanghai
from shared.lag import parse_lag

PEOPLE = {
    "zhang": Person("zhang", "张三", "110101199003070011", "13800138000", "Abc12345!"),
    "sun": Person("sun", "孙伟", "440305199207150059", "13800138004", "Abc12345!"),
    "li": Person("li", "李梅", "110102198505120025", "13800138002", "Abc12345!"),
}
ITEMS = (("电工作业", "低压电工作业"), ("电工作业", "高压电工作业"),
         ("焊接与热切割作业", "钎焊作业"), ("高处作业", "登高架设作业"))
# Starts just before the calendar's hard cases: National Day with its 调休 Sunday, the Spring
# Festival of 2024 and 2025 (调休 weekends on both sides), Labour Day (调休 Saturday after it),
# an ordinary Friday before a weekend.
STARTS = ("2024-09-27T09:00:00+08:00", "2024-02-08T09:00:00+08:00",
          "2025-01-24T09:00:00+08:00", "2024-04-30T09:00:00+08:00",
          "2024-05-10T09:00:00+08:00", "2024-06-07T09:00:00+08:00")
LAGS = ("3wd", "2wd", "1wd", "0wd", "0", "2h", "uniform:1wd..3wd,seed=7")
CATCH_UP = "1h"  # the replicator's longest back-off in-process: by then a recovery is caught up
PICK = st.integers(0, 7)
MAX_WRONG_LOGINS = 4


class StoryMachine(RuleBasedStateMachine):
    """Generate one story per run; `session` holds the world pool, options and tallies."""

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.story: Story | None = None

    @initialize(start=st.sampled_from(STARTS), minutes=st.integers(0, 9 * 60),
                lag=st.sampled_from(LAGS))
    def begin(self, start: str, minutes: int, lag: str) -> None:
        lag = self.session.lag or lag
        moment = datetime.fromisoformat(start) + timedelta(minutes=minutes)
        model = StoryModel(parse_lag(lag), self.session.calendar)
        self.story = Story(self.session.worlds, moment, lag, PEOPLE, model)
        self.session.began(self.story)

    def teardown(self) -> None:
        if self.story is not None:
            self.session.ended(self.story)

    @property
    def model(self) -> StoryModel:
        return self.story.model

    # -- the back office -------------------------------------------------------------------

    @rule(person=st.sampled_from(sorted(PEOPLE)), item=st.sampled_from(ITEMS),
          review_due=st.booleans())
    def issue(self, person: str, item: tuple[str, str], review_due: bool) -> None:
        """签发; a licence issued almost three years ago is due for 复审 within a month."""
        category, name = item
        spec = {"do": "issue", "person": person, "category": category, "item": name}
        if review_due:
            spec["issued_on"] = _years_before(today(self.story.now()), 3, days_after=30)
        if (person, name) in self._items:
            self.story.play({**spec, "expect": {"error": "duplicate"}}, MINISTRY)
            return
        alias = f"c{len(self.model.licences) + 1}"
        self.story.play({**spec, "as": alias, "expect": {"status": "valid"}}, MINISTRY)
        self._items[(person, name)] = alias
        key = self.story.context.key(alias)
        face = self.story.world.mem.ok("GET", f"/_sim/certificates/{key}")
        self.model.issued(alias, person, key, Face(
            "valid", date.fromisoformat(face["valid_to"]),
            date.fromisoformat(face["review_due_on"]) if face["review_due_on"] else None),
            self.story.now())
        self._after_write(alias)

    @property
    def _items(self) -> dict:
        return self.__dict__.setdefault("_issued_items", {})

    @precondition(lambda self: self.story.model.licences)
    @rule(pick=PICK, action=st.sampled_from(("review pass", "review fail", "renew", "revoke",
                                              "cancel")))
    def change(self, pick: int, action: str) -> None:
        """复审 (合格/不合格), 延期换证, 撤销 or 注销, or the ministry's refusal of it."""
        alias = self._alias(pick)
        do, _, result = action.partition(" ")
        spec = {"do": do, "certificate": alias}
        if result:
            spec["result"] = result
        if do in ("revoke", "cancel"):
            spec["reason"] = "生成的故事" if do == "revoke" else "持证人死亡"
        try:
            revision = self.model.change(alias, do, self.story.now(), result or None)
        except Refused as refusal:
            self.story.play({**spec, "expect": {"error": refusal.code}}, MINISTRY)
            return
        status = revision.face.status_on(today(self.story.now()))
        self.story.play({**spec, "expect": {"status": status}}, MINISTRY)
        self._after_write(alias)

    def _after_write(self, alias: str) -> None:
        self.story.verify_outbox_time(alias)
        self.story.verify_national()

    # -- holders ---------------------------------------------------------------------------

    @rule(portal=st.sampled_from(("mem", "national")), person=st.sampled_from(sorted(PEOPLE)))
    def register(self, portal: str, person: str) -> None:
        """Register a holder who has no account on that portal yet."""
        if (portal, person) in self.model.registered:
            return
        self.story.play({"do": f"{portal}.register", "person": person}, ACCOUNTS)
        self.model.registered.add((portal, person))

    @rule(portal=st.sampled_from(("mem", "national")), person=st.sampled_from(sorted(PEOPLE)),
          look=st.sampled_from(("my_licences", "bind", "details", "unbind")), pick=PICK)
    def visit(self, portal: str, person: str, look: str, pick: int) -> None:
        """Log in, pass the face check, then look: 我的证照, 绑定, 查看详情 or 解除绑定."""
        play, who = self.story.play, {"person": person}
        if (portal, person) not in self.model.registered:
            tries = self.model.failed_logins.get((portal, person), 0)
            if tries < MAX_WRONG_LOGINS:  # the fifth would lock the name for 30 minutes
                play({"do": f"{portal}.login", **who, "expect": {"error": "bad_credentials"}},
                     ACCOUNTS)
                self.model.failed_logins[(portal, person)] = tries + 1
            return
        play({"do": f"{portal}.login", **who}, ACCOUNTS)
        play({"do": f"{portal}.verify_identity", **who}, ACCOUNTS)
        if portal == "mem":
            self._my_licences("mem", person, self.model.ministry_list(person, self.story.now()),
                              MINISTRY)
        elif look == "my_licences" or not self.model.licences and look != "bind":
            self._my_licences("national", person, self.model.bound(person), LATEST)
        elif look == "bind":
            self._bind(person)
        else:
            self._licence(look, person, self._alias(pick))

    def _my_licences(self, portal: str, person: str, listed: list[str], rule_: str) -> None:
        expect: dict = {"count": len(listed)}
        if listed:
            expect["includes"] = listed
        hidden = [a for a in self.model.licences if a not in listed]
        if hidden:
            expect["excludes"] = hidden
        self.story.play({"do": f"{portal}.my_licences", "person": person, "expect": expect},
                        rule_)

    def _bind(self, person: str) -> None:
        spec = {"do": "national.bind", "person": person}
        try:
            fresh = self.model.bind(person, self.story.now())
        except Refused as refusal:
            self.story.play({**spec, "expect": {"error": refusal.code}}, TIMING)
            return
        expect = {"bound": fresh, "count": len(self.model.bound(person))}
        self.story.play({**spec, "expect": expect}, TIMING)

    def _licence(self, look: str, person: str, alias: str) -> None:
        spec = {"do": f"national.{look}", "person": person, "certificate": alias}
        try:
            if look == "details":
                expect = {"status": self.model.national_status(person, alias, self.story.now())}
            else:
                self.model.unbind(person, alias)
                expect = {}
        except Refused as refusal:
            expect = {"error": refusal.code}
        self.story.play({**spec, "expect": expect} if expect else spec, LATEST)

    # -- time and the national portal ------------------------------------------------------

    @rule(kind=st.sampled_from(("rule_time", "minute_before", "working_days", "hours")),
          pick=PICK, amount=st.integers(1, 3))
    def move_clock(self, kind: str, pick: int, amount: int) -> None:
        """Move to a pending change's rule time (or the minute before), or by wd or hours."""
        now = self.story.now()
        due = sorted({r.visible_at for lic in self.model.licences.values()
                      for r in lic.revisions if r.visible_at > now})
        if kind in ("rule_time", "minute_before") and due:
            target = due[pick % len(due)]
            if kind == "minute_before" and target - timedelta(minutes=1) > now:
                target -= timedelta(minutes=1)
            spec = {"do": "wait", "until": shanghai(target)}
        elif kind == "working_days":
            spec = {"do": "wait", "for": f"{amount}wd"}
        else:
            spec = {"do": "wait", "for": f"{amount * 5}h"}
        self.story.play(spec, TIMING)
        self.model.deliver_due(self.story.now())
        self.story.verify_national()

    @precondition(lambda self: self.story.model.national_up)
    @rule()
    def outage(self) -> None:
        """The national portal goes down."""
        self.story.play({"do": "fault", "national": "down"}, OUTAGE)
        self.model.outage()
        self.story.verify_national()

    @precondition(lambda self: not self.story.model.national_up)
    @rule()
    def recovery(self) -> None:
        """The national portal comes back; an hour later the backlog must be delivered."""
        self.story.play({"do": "fault", "national": "up"}, OUTAGE)
        self.model.recovery()
        self.story.verify_national()
        self.story.play({"do": "wait", "for": CATCH_UP}, OUTAGE)
        self.model.caught_up(self.story.now())
        self.story.verify_national()

    def _alias(self, pick: int) -> str:
        aliases = list(self.model.licences)
        return aliases[pick % len(aliases)] if aliases else "c1"


def _years_before(today: date, years: int, *, days_after: int) -> str:
    """The date `years` before `today` (the 28th at most), plus `days_after` days."""
    then = date(today.year - years, today.month, min(today.day, 28))
    return (then + timedelta(days=days_after)).isoformat()
