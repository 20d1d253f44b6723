"""Replay protection of signed replication calls (issue 12, item 11).

A captured ingest request refused at once was accepted again after the national portal
restarted; with a frozen simulated clock a captured request never went stale.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func, select
from support.national import make_app

from shared.clock import wall_now
from shared.models import UsedNonce
from shared.wire import sign_request

SECRET = "replay-test-secret-0123456789"
BODY = b'{"changes":[]}'


def post(app, headers):
    return app.test_client().post("/api/v1/ingest", data=BODY, headers=headers,
                                  content_type="application/json")


def test_a_captured_call_is_refused_again_after_the_portal_restarts(db_url_factory, clock):
    url = db_url_factory("national")
    first_life = make_app(url, clock, SYNC_SECRET=SECRET)
    captured = sign_request(SECRET, "POST", "/api/v1/ingest", BODY, now=wall_now())
    assert post(first_life, captured).status_code == 200
    first_life.extensions["certsim"].engine.dispose()
    second_life = make_app(url, clock, SYNC_SECRET=SECRET)   # same database, new process state
    answer = post(second_life, captured)
    assert answer.status_code == 401 and "replayed" in answer.get_json()["message"]


def test_a_captured_call_goes_stale_in_real_time_while_the_simulated_clock_stands_still(
        db_url_factory, clock):
    app = make_app(db_url_factory("national"), clock, SYNC_SECRET=SECRET)
    with freeze_time(wall_now()) as wall:
        captured = sign_request(SECRET, "POST", "/api/v1/ingest", BODY, now=wall_now())
        wall.tick(timedelta(minutes=6))
        answer = post(app, captured)
    assert clock.frozen and answer.status_code == 401
    assert "away from the receiver's clock" in answer.get_json()["message"]


def test_a_call_signed_in_real_time_is_accepted_whatever_the_simulated_date(db_url_factory,
                                                                           clock):
    clock.set(clock.now() + timedelta(days=400))
    app = make_app(db_url_factory("national"), clock, SYNC_SECRET=SECRET)
    headers = sign_request(SECRET, "POST", "/api/v1/ingest", BODY, now=wall_now())
    assert post(app, headers).status_code == 200


def test_nonces_are_forgotten_once_their_calls_are_stale(db_url_factory, clock):
    app = make_app(db_url_factory("national"), clock, SYNC_SECRET=SECRET)
    with freeze_time(wall_now()) as wall:
        for _ in range(3):
            assert post(app, sign_request(SECRET, "POST", "/api/v1/ingest", BODY,
                                          now=wall_now())).status_code == 200
        wall.tick(timedelta(minutes=11))
        assert post(app, sign_request(SECRET, "POST", "/api/v1/ingest", BODY,
                                      now=wall_now())).status_code == 200
    with app.extensions["certsim"].engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(UsedNonce)) == 1


def test_stale_nonces_are_swept_once_a_minute_and_a_replay_between_sweeps_is_still_refused(
        db_url_factory, clock):
    app = make_app(db_url_factory("national"), clock, SYNC_SECRET=SECRET)
    engine = app.extensions["certsim"].engine

    def remembered() -> int:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(UsedNonce))

    with freeze_time(wall_now()) as wall:
        assert post(app, sign_request(SECRET, "POST", "/api/v1/ingest", BODY,
                                      now=wall_now())).status_code == 200
        wall.tick(timedelta(minutes=11))  # the first call is stale now
        captured = sign_request(SECRET, "POST", "/api/v1/ingest", BODY, now=wall_now())
        assert post(app, captured).status_code == 200  # sweeps the stale one
        assert remembered() == 1
        wall.tick(timedelta(seconds=30))  # within the minute: no sweep, the nonce holds
        answer = post(app, captured)
        assert answer.status_code == 401 and "replayed" in answer.get_json()["message"]
        assert post(app, sign_request(SECRET, "POST", "/api/v1/ingest", BODY,
                                      now=wall_now())).status_code == 200
        assert remembered() == 2
