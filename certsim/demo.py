"""Demo holders and certificates covering the guide's cases, and their portal accounts.

History is written by the same services as any other change, on a simulated clock set to the
moment each event happened, so the outbox carries honest `visible_at` values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.accounts.models import Account
from shared.accounts.passwords import PRODUCTION, hash_password
from shared.certificates import (
    IssueCertificate,
    Issuer,
    cancel_certificate,
    issue_certificate,
    record_review,
    revoke_certificate,
)
from shared.clock import SHANGHAI, ClockState, SimulatedClock, wall_now
from shared.lag import DEFAULT_LAG
from shared.models import CardVersion, Certificate
from shared.world import Faults, WorldStore

DEMO_START = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # the day before National Day
DEMO_PASSWORD = "Demo@2026"


@dataclass(frozen=True)
class DemoHolder:
    name: str
    id_number: str
    phone: str
    case: str


HOLDERS = (
    DemoHolder("张三", "110101199003070011", "13800138000", "新版证书（已同步）+ 今日新签发（数据延迟）"),
    DemoHolder("李梅", "110102198505120025", "13800138001", "旧版IC卡证书（无电子证照）"),
    DemoHolder("王强", "140105197808230037", "13800138002", "煤矿特种作业（2022年1月1日起可申领）"),
    DemoHolder("赵敏", "310101198211030041", "13800138003", "证书已过期"),
    DemoHolder("孙伟", "440305199207150059", "13800138004", "证书已撤销"),
)

# (holder index, category, item, card version, issued on, authority, later events)
HISTORY = (
    (0, "电工作业", "低压电工作业", CardVersion.NEW, date(2023, 3, 15), "北京市应急管理局",
     [("review", date(2026, 2, 10), "pass")]),
    (1, "高处作业", "登高架设作业", CardVersion.OLD_IC, date(2019, 6, 20), "北京市应急管理局", []),
    (2, "煤矿安全作业", "煤矿瓦斯检查作业", CardVersion.NEW, date(2021, 6, 1), "山西省应急管理厅",
     [("review", date(2024, 5, 10), "pass")]),
    (3, "焊接与热切割作业", "熔化焊接与热切割作业", CardVersion.NEW, date(2019, 10, 10), "上海市应急管理局",
     [("review", date(2022, 9, 1), "pass")]),
    (4, "制冷与空调作业", "制冷与空调设备运行操作作业", CardVersion.NEW, date(2022, 5, 1),
     "广东省应急管理厅", [("revoke", date(2025, 1, 10), "提供虚假材料取得证书")]),
)
TODAY_ISSUE = (0, "焊接与热切割作业", "熔化焊接与热切割作业")


def seed_demo(session: Session, issuer: Issuer, *, at: datetime = DEMO_START) -> list[str]:
    """Write the demo certificates if absent; return one line per certificate."""
    if session.scalar(select(Certificate.id).limit(1)) is not None:
        return ["demo data already present"]
    lines = []
    for holder, category, item, version, issued_on, authority, events in HISTORY:
        person = HOLDERS[holder]
        history = replace(issuer, clock=SimulatedClock(_at_nine(issued_on)))
        cert = issue_certificate(session, history, IssueCertificate(
            person.name, person.id_number, category, item, version, issued_on, authority))
        for action, day, detail in events:
            history.clock.set(_at_nine(day))
            if action == "review":
                record_review(session, history, cert.certificate_key, detail)
            elif action == "revoke":
                revoke_certificate(session, history, cert.certificate_key, detail)
            else:
                cancel_certificate(session, history, cert.certificate_key, detail)
        lines.append(f"{person.name} {item} {cert.licence_id}")
    holder, category, item = TODAY_ISSUE
    person = HOLDERS[holder]
    cert = issue_certificate(session, replace(issuer, clock=SimulatedClock(at)), IssueCertificate(
        person.name, person.id_number, category, item))
    lines.append(f"{person.name} {item} {cert.licence_id} (issued at the demo start)")
    return lines


def seed_demo_accounts(session: Session, clock, password_cost: str = PRODUCTION
                       ) -> list[DemoHolder]:
    """Create each demo holder's account on one portal (idempotent), hashed at its cost."""
    password_hash = hash_password(DEMO_PASSWORD, password_cost)
    for person in HOLDERS:
        if session.scalar(select(Account.id).where(Account.id_number == person.id_number)):
            continue
        session.add(Account(phone=person.phone, name=person.name, id_number=person.id_number,
                            id_valid_from=None, password_hash=password_hash,
                            created_at=clock.now(), identity_verified_at=clock.now()))
    session.commit()
    return list(HOLDERS)


def start_demo_world(store: WorldStore, lag: str = DEFAULT_LAG, lag_seed: int = 0) -> None:
    """Put the world's clock at the demo start (running), the lag back, the faults off."""
    store.update(lambda current: replace(current, clock=ClockState(DEMO_START, wall_now()),
                                         lag=lag, lag_seed=lag_seed, faults=Faults()))


def fill_ministry(session: Session, issuer: Issuer, store: WorldStore,
                  password_cost: str = PRODUCTION) -> list[str]:
    """The ministry's demo on an empty database: certificates and accounts, at the demo start."""
    start_demo_world(store, issuer.lag.spec, issuer.lag.seed)
    lines = seed_demo(session, issuer, at=DEMO_START)
    seed_demo_accounts(session, SimulatedClock(DEMO_START), password_cost)
    return lines


def fill_national(session: Session, password_cost: str = PRODUCTION) -> list[str]:
    """The national portal's demo on an empty database: the holders' accounts."""
    holders = seed_demo_accounts(session, SimulatedClock(DEMO_START), password_cost)
    return [f"{person.name} {person.phone}" for person in holders]


def _at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9), SHANGHAI)
