"""Signed replication calls: what is signed, and every way a request is refused."""

from datetime import datetime, timedelta

import pytest

from shared.clock import SHANGHAI
from shared.wire import (
    NONCE,
    SIGNATURE,
    TIMESTAMP,
    SignatureRefused,
    check_signature,
    read_signed_headers,
    sign_request,
)
from sync.transport import CallRefused, TransportFailure, decode, encode

SECRET = "wire-secret"
NOW = datetime(2024, 10, 8, 0, 0, tzinfo=SHANGHAI)
BODY = b'{"change_ids":["a"]}'


def signed(target="/api/v1/changes/ack", body=BODY, method="POST", now=NOW, secret=SECRET):
    return sign_request(secret, method, target, body, now=now)


def verify(headers, target="/api/v1/changes/ack", body=BODY, method="POST", now=NOW):
    check_signature(SECRET, method, target, body, read_signed_headers(headers, now=now))


def test_a_correctly_signed_request_is_accepted():
    verify(signed())


@pytest.mark.parametrize("change", [
    {"body": b'{"change_ids":["b"]}'},
    {"target": "/api/v1/changes/nack"},
    {"method": "PUT"},
])
def test_changing_the_body_the_path_or_the_method_breaks_the_signature(change):
    with pytest.raises(SignatureRefused, match="does not match"):
        verify(signed(), **change)


def test_the_query_string_is_part_of_what_is_signed():
    headers = signed("/api/v1/changes?after=0&limit=10", b"", "GET")
    verify(headers, "/api/v1/changes?after=0&limit=10", b"", "GET")
    with pytest.raises(SignatureRefused):
        verify(headers, "/api/v1/changes?after=0&limit=1000", b"", "GET")


def test_another_secret_is_refused():
    with pytest.raises(SignatureRefused, match="does not match"):
        verify(signed(secret="guess"))


def test_a_missing_header_is_refused_naming_the_headers():
    headers = signed()
    del headers[NONCE]
    with pytest.raises(SignatureRefused, match=NONCE):
        verify(headers)


def test_a_stale_or_future_timestamp_is_refused():
    with pytest.raises(SignatureRefused, match="away from the receiver's clock"):
        verify(signed(now=NOW - timedelta(minutes=6)))
    with pytest.raises(SignatureRefused, match="away from the receiver's clock"):
        verify(signed(now=NOW + timedelta(minutes=6)))
    verify(signed(now=NOW - timedelta(minutes=4)))


def test_every_request_carries_a_fresh_nonce_and_the_wall_clock_second():
    headers = signed()
    assert headers[SIGNATURE] != signed()[SIGNATURE] and headers[NONCE] != signed()[NONCE]
    assert headers[TIMESTAMP] == str(int(NOW.timestamp()))


@pytest.mark.parametrize("header, value", [(TIMESTAMP, "１７２８３１６８００"), (TIMESTAMP, "-5"),
                                           (NONCE, "short"), (SIGNATURE, "0" * 10)])
def test_malformed_headers_are_refused_before_the_body_is_looked_at(header, value):
    headers = {**signed(), header: value}
    with pytest.raises(SignatureRefused, match="malformed"):
        read_signed_headers(headers, now=NOW)


def test_the_transport_encodes_targets_and_bodies_as_signed():
    target, data = encode("/api/v1/changes", {"after": 3, "until": NOW.isoformat()}, None)
    assert target == "/api/v1/changes?after=3&until=2024-10-08T00%3A00%3A00%2B08%3A00"
    assert data == b""
    assert encode("/x", None, {"名": 1})[1] == '{"名":1}'.encode()


def test_the_transport_sorts_answers_into_retryable_and_refused():
    assert decode("mem", 200, b'{"ok": true}') == {"ok": True}
    with pytest.raises(TransportFailure) as down:
        decode("national", 503, b'{"error": "unavailable"}')
    assert not isinstance(down.value, CallRefused) and down.value.status == 503
    with pytest.raises(TransportFailure, match="HTTP 200"):
        decode("national", 200, b"<html>")
    with pytest.raises(CallRefused, match="HTTP 401"):
        decode("mem", 401, b'{"error": "bad_signature", "message": "nope"}')
