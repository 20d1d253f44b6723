"""What a certificate change costs in SQL: statements and ORM flushes, counted (not timed).

Building a statement costs SQLAlchemy more than running it and every flush costs its unit of
work, so the life-cycle services keep both down; these counts guard against a regression.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from mem_portal.models import TABLES as MEM_TABLES
from shared.certificates import (
    IssueCertificate,
    Issuer,
    get_certificate,
    issue_certificate,
    revoke_certificate,
)
from shared.db import create_schema, make_engine, make_sessionmaker
from shared.lag import parse_lag

ZHANG = "110101199003070011"


@pytest.fixture
def engine(db_url_factory):
    engine = make_engine(db_url_factory("mem"))
    create_schema(engine, MEM_TABLES)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return make_sessionmaker(engine)


@contextmanager
def counted(engine):
    """Count the statements sent to the database and the ORM flushes while the block runs."""
    counts = {"statements": 0, "flushes": 0}

    def statement(*_):
        counts["statements"] += 1

    def flush(*_):
        counts["flushes"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(Session, "before_flush", flush)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(Session, "before_flush", flush)


def issue(sessions, issuer):
    with sessions() as session:
        return issue_certificate(session, issuer, IssueCertificate(
            "张三", ZHANG, "电工作业", "低压电工作业")).certificate_key


@pytest.fixture
def issuer(clock):
    return Issuer(clock=clock, lag=parse_lag("3wd"))


def test_issuing_inserts_the_certificate_then_writes_its_key_and_change_in_one_flush(
        engine, sessions, issuer):
    with counted(engine) as counts:
        issue(sessions, issuer)
    # the insert, the key and codes made of its id, the outbox row: no lookup, no reviews load
    assert counts == {"statements": 3, "flushes": 2}


def test_a_change_reads_the_certificate_with_its_reviews_once_and_flushes_once(
        engine, sessions, issuer):
    key = issue(sessions, issuer)
    with counted(engine) as counts, sessions() as session:
        revoke_certificate(session, issuer, key, "撤销")
    # the certificate with its reviews, the latest visible_at, the update, the outbox row
    assert counts == {"statements": 4, "flushes": 1}


def test_a_certificate_is_read_with_its_reviews_in_one_statement(engine, sessions, issuer):
    key = issue(sessions, issuer)
    with counted(engine) as counts, sessions() as session:
        assert get_certificate(session, key).reviews == []
    assert counts == {"statements": 1, "flushes": 0}
