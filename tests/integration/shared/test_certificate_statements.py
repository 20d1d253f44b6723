"""What a certificate change costs in SQL: statements and ORM flushes, counted (not timed).

Building a statement costs SQLAlchemy more than running it and every flush costs its unit of
work, so the life-cycle services keep both down; these counts guard against a regression.
"""

import pytest
from support.statements import orm_flushes, sql_sent

from shared.certificates import (
    IssueCertificate,
    Issuer,
    get_certificate,
    issue_certificate,
    revoke_certificate,
)
from shared.db import make_sessionmaker
from shared.lag import parse_lag

ZHANG = "110101199003070011"


@pytest.fixture
def sessions(mem_engine):
    return make_sessionmaker(mem_engine)


def issue(sessions, issuer):
    with sessions() as session:
        return issue_certificate(session, issuer, IssueCertificate(
            "张三", ZHANG, "电工作业", "低压电工作业")).certificate_key


@pytest.fixture
def issuer(clock):
    return Issuer(clock=clock, lag=parse_lag("3wd"))


def test_issuing_inserts_the_certificate_then_writes_its_key_and_change_in_one_flush(
        mem_engine, sessions, issuer):
    with sql_sent(mem_engine) as sent, orm_flushes() as flushes:
        issue(sessions, issuer)
    # the insert, the key and codes made of its id (Core), the outbox row (the one flush): no
    # lookup, no reviews load
    assert (len(sent), len(flushes)) == (3, 1)


def test_a_change_reads_the_certificate_with_its_reviews_once_and_flushes_once(
        mem_engine, sessions, issuer):
    key = issue(sessions, issuer)
    with sql_sent(mem_engine) as sent, orm_flushes() as flushes, sessions() as session:
        revoke_certificate(session, issuer, key, "撤销")
    # the certificate with its reviews, the latest visible_at, the update, the outbox row
    assert (len(sent), len(flushes)) == (4, 1)


def test_a_certificate_is_read_with_its_reviews_in_one_statement(mem_engine, sessions, issuer):
    key = issue(sessions, issuer)
    with sql_sent(mem_engine) as sent, orm_flushes() as flushes, sessions() as session:
        assert get_certificate(session, key).reviews == []
    assert (len(sent), len(flushes)) == (1, 0)
