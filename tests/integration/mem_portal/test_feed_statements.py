"""What a replicator's calls cost the ministry's database, counted in SQL statements.

Each call is a signed call (two statements: the nonce remembered, stale ones forgotten) plus
its own work; the lease and checkpoint are read back from the UPDATE that writes them.
"""

from __future__ import annotations

import pytest
from support.statements import sql_sent
from test_feed import Ministry, open_mem

SIGNED = 1  # the nonce remembered (the stale ones were swept by the first call, once a minute)


@pytest.fixture
def ministry(db_url_factory, clock):
    for app in open_mem(db_url_factory, clock):
        yield Ministry(app, clock)


def counted(ministry):
    return sql_sent(ministry.app.extensions["certsim"].engine)


def test_a_run_costs_the_ministry_a_few_statements_a_call(ministry):
    ministry.post("/api/v1/changes/lease", {"holder": "r", "ttl": 0})  # the state row exists
    ministry.issue(0)
    with counted(ministry) as pull:  # grant (the checkpoint read back), page, next due
        page = ministry.post("/api/v1/changes", {"holder": "r", "ttl": 60})
    with counted(ministry) as ack:  # mark delivered, checkpoint
        ministry.post("/api/v1/changes/ack", {"seqs": page["ids"][0][:1]})
    with counted(ministry) as report:  # grant and record the run
        ministry.post("/api/v1/changes/lease", {"holder": "r", "ttl": 60, "report": {}})
    with counted(ministry) as release:  # release (and read the lease back)
        released = ministry.post("/api/v1/changes/lease", {"holder": "r", "ttl": 0})
    assert (len(pull), len(ack), len(report), len(release)) == (
        SIGNED + 3, SIGNED + 2, SIGNED + 1, SIGNED + 1)
    assert (page["lease"]["granted"], released["checkpoint"]) == (True, 1)
