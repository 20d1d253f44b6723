"""The ministry's certificate life cycle against a real database (SQLite, PostgreSQL)."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.certificates import (
    IssueCertificate,
    Issuer,
    cancel_certificate,
    certificates_of,
    issue_certificate,
    record_review,
    renew_certificate,
    revoke_certificate,
)
from shared.clock import SHANGHAI
from shared.db import make_sessionmaker
from shared.errors import Duplicate, InvalidInput, NotEligible
from shared.identifiers import parse_licence_id
from shared.lag import parse_lag
from shared.models import Certificate, OutboxEntry

ZHANG = "110101199003070011"


@pytest.fixture
def session(mem_engine):
    with make_sessionmaker(mem_engine)() as session:
        yield session


@pytest.fixture
def issuer(clock):
    return Issuer(clock=clock, lag=parse_lag("3wd"))


def issue(session, issuer, **overrides):
    values = dict(name="张三", id_number=ZHANG, category="电工作业", item="低压电工作业")
    return issue_certificate(session, issuer, IssueCertificate(**{**values, **overrides}))


def outbox(session):
    return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))


def test_issuing_writes_the_certificate_and_one_outbox_row_with_its_visible_at(session, issuer):
    cert = issue(session, issuer)
    assert parse_licence_id(cert.licence_id).version == 1
    assert (cert.cert_number, cert.sex, cert.valid_to) == (ZHANG, "男", date(2030, 9, 27))
    assert cert.review_due_on == date(2027, 9, 27)
    [row] = outbox(session)
    assert (row.kind, row.revision, row.state) == ("issued", 1, "pending")
    assert row.visible_at == datetime(2024, 10, 8, tzinfo=SHANGHAI)
    assert row.payload["licence"]["licence_id"] == cert.licence_id


def test_an_old_ic_card_has_the_t_prefixed_number(session, issuer):
    cert = issue(session, issuer, card_version="old_ic", issued_on=date(2019, 3, 1))
    assert cert.cert_number == "T" + ZHANG


def test_a_second_certificate_for_the_same_item_is_refused_and_nothing_is_written(session, issuer):
    issue(session, issuer)
    with pytest.raises(Duplicate):
        issue(session, issuer)
    assert session.scalar(select(func.count(Certificate.id))) == 1
    assert len(outbox(session)) == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"id_number": "110101199003070012"}, "id_number"),
    ({"item": "高压电工"}, "item"),
    ({"name": "Z"}, "name"),
    ({"issued_on": date(2030, 1, 1)}, "issued_on"),
    ({"card_version": "old_ic", "issued_on": date(2020, 1, 1)}, "issued_on"),
    ({"authority": "火星应急管理局"}, "authority"),
])
def test_bad_input_names_the_field_and_writes_nothing(session, issuer, overrides, field):
    with pytest.raises(InvalidInput) as info:
        issue(session, issuer, **overrides)
    assert info.value.field == field
    assert session.scalar(select(func.count(Certificate.id))) == 0 and outbox(session) == []


def test_a_review_pass_on_an_old_card_reissues_a_new_version(session, issuer, clock):
    clock.set(datetime(2022, 2, 1, 9, tzinfo=SHANGHAI))
    cert = issue(session, issuer, card_version="old_ic", issued_on=date(2019, 3, 10))
    record_review(session, issuer, cert.certificate_key, "pass")
    assert (cert.card_version, cert.licence_version, cert.cert_number) == ("new", 2, ZHANG)
    assert parse_licence_id(cert.licence_id).version == 2
    assert [row.kind for row in outbox(session)] == ["issued", "reissued"]


def test_a_review_before_its_window_is_refused(session, issuer):
    cert = issue(session, issuer)
    with pytest.raises(NotEligible) as info:
        record_review(session, issuer, cert.certificate_key, "pass")
    assert info.value.field == "reviewed_on"


def test_two_failed_reviews_make_the_certificate_invalid(session, issuer, clock):
    clock.set(datetime(2022, 8, 1, 9, tzinfo=SHANGHAI))
    cert = issue(session, issuer, issued_on=date(2019, 9, 10))
    record_review(session, issuer, cert.certificate_key, "fail")
    assert cert.status == "valid"
    record_review(session, issuer, cert.certificate_key, "fail")
    assert cert.status == "invalid"


def test_renewal_in_the_last_sixty_days_starts_a_new_six_year_validity(session, issuer, clock):
    clock.set(datetime(2025, 8, 1, 9, tzinfo=SHANGHAI))
    cert = issue(session, issuer, issued_on=date(2019, 9, 10))
    clock.set(datetime(2022, 8, 1, 9, tzinfo=SHANGHAI))
    record_review(session, issuer, cert.certificate_key, "pass")
    clock.set(datetime(2025, 8, 1, 9, tzinfo=SHANGHAI))
    renew_certificate(session, issuer, cert.certificate_key)
    assert (cert.valid_from, cert.valid_to) == (date(2025, 8, 1), date(2031, 8, 1))
    assert cert.first_issued_on == date(2019, 9, 10) and cert.licence_version == 2


def test_revocation_and_cancellation_are_recorded_in_order(session, issuer):
    cert = issue(session, issuer)
    revoke_certificate(session, issuer, cert.certificate_key, "提供虚假材料")
    cancel_certificate(session, issuer, cert.certificate_key)
    rows = outbox(session)
    assert [(r.kind, r.revision) for r in rows] == [("issued", 1), ("revoked", 2), ("cancelled", 3)]
    with pytest.raises(NotEligible):
        revoke_certificate(session, issuer, cert.certificate_key)


def test_a_later_change_is_never_visible_before_an_earlier_one_of_the_same_licence(session, clock):
    slow = Issuer(clock=clock, lag=parse_lag("3wd"))
    fast = Issuer(clock=clock, lag=parse_lag("0"))
    cert = issue(session, slow)
    revoke_certificate(session, fast, cert.certificate_key)
    first, second = outbox(session)
    assert second.visible_at == first.visible_at


def test_the_manual_policy_leaves_visible_at_empty(session, clock):
    issue(session, Issuer(clock=clock, lag=parse_lag("manual")))
    assert outbox(session)[0].visible_at is None


def test_a_uniform_lag_is_reproducible_per_licence(session, clock):
    policy = parse_lag("uniform:0wd..3wd,seed=7")
    issuer = Issuer(clock=clock, lag=policy)
    cert = issue(session, issuer)
    expected = issuer.calendar.visible_from(clock.now(), policy.draw(cert.certificate_key))[0]
    assert outbox(session)[0].visible_at == expected


def test_certificates_of_a_holder_are_listed_oldest_first(session, issuer, clock):
    issue(session, issuer)
    clock.advance(timedelta(days=1))
    issue(session, issuer, item="高压电工作业")
    assert [c.item for c in certificates_of(session, ZHANG)] == ["低压电工作业", "高压电工作业"]
