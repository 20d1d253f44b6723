"""Attacks through the browser and the network, replayed against both portals and the console.

Issue 12, items 1 (development secrets from the network), 6 (open redirects), 9 (security
headers), 10 (the control plane driven by a foreign page), 15 (a face check's state without
its owner's login).
"""

from __future__ import annotations

import pytest
from support.mem import ApiDriver, PageDriver, make_test_app
from support.national import PASSWORD, ZHANG, Browser, make_app

import mem_portal
import national_portal
from certsim.console import create_app as create_console
from shared.clock import wall_now
from shared.keys import development_value
from shared.wire import sign_request

REMOTE = {"REMOTE_ADDR": "192.0.2.10"}
REAL = {"SECRET_KEY": "k" * 32, "SYNC_SECRET": "s" * 32, "SEAL_SEED": "e" * 32}
OFF_SITE = ["//evil.example/", "/\\evil.example/", "/\tevil.example/", "/%09/evil.example/",
            "https://evil.example/", "/\x00/evil.example", "javascript:alert(1)",
            "/ /evil.example"]


@pytest.fixture
def mem(db_url_factory, clock):
    return make_test_app(db_url_factory("mem"), clock)


@pytest.fixture
def national(db_url_factory, clock):
    return make_app(db_url_factory("national"), clock)


@pytest.fixture(params=["mem", "national"])
def portal(request, db_url_factory, clock):
    if request.param == "mem":
        return make_test_app(db_url_factory("mem"), clock)
    return make_app(db_url_factory("national"), clock)


# 1. development secrets ------------------------------------------------------------------

def test_a_portal_on_development_secrets_answers_no_other_machine(portal):
    client = portal.test_client()
    assert client.get("/").status_code == 200
    for path in ("/", "/api/v1/changes", "/api/v1/ingest", "/login"):
        assert client.get(path, environ_base=REMOTE).status_code == 403


def test_a_licence_signed_with_the_published_secret_cannot_be_injected_from_the_network(
        national):
    body = b'{"changes":[]}'
    headers = sign_request(development_value("SYNC_SECRET"), "POST", "/api/v1/ingest", body,
                           now=wall_now())
    response = national.test_client().post("/api/v1/ingest", data=body, headers=headers,
                                           content_type="application/json",
                                           environ_base=REMOTE)
    assert response.status_code == 403


@pytest.mark.parametrize("factory", [make_test_app, make_app])
def test_a_portal_with_real_secrets_serves_the_network(factory, tmp_path, clock):
    app = factory(f"sqlite:///{tmp_path / 'p.sqlite3'}", clock, **REAL)
    assert app.test_client().get("/", environ_base=REMOTE).status_code == 200


def test_the_lease_holder_is_not_told_to_a_caller_that_cannot_sign(mem):
    answer = mem.test_client().get("/api/v1/changes/lease")
    assert answer.status_code == 401 and "holder" not in answer.get_data(as_text=True)


# 6. redirects ----------------------------------------------------------------------------

@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_sends_the_holder_off_site(mem, national, target):
    ApiDriver(mem.test_client()).register(ZHANG.phone, ZHANG.name, ZHANG.id_number, PASSWORD)
    pages = PageDriver(mem.test_client())
    response = pages.submit("/login", {"login": ZHANG.phone, "password": PASSWORD},
                            query_string={"next": target})
    assert response.status_code == 302 and response.location == "/space"
    browser = Browser(national)
    from support.national import Api
    Api(national).register()
    response = browser.submit("/login/personal", {"login": ZHANG.phone, "password": PASSWORD,
                                                  "next": target})
    assert response.status_code == 302 and response.location == "/space"


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_face_check_page_never_moves_on_to_another_site(mem, target):
    api = ApiDriver(mem.test_client())
    api.register(ZHANG.phone, ZHANG.name, ZHANG.id_number, PASSWORD)
    pages = PageDriver(mem.test_client())
    pages.login(ZHANG.phone, PASSWORD)
    page = pages.client.get("/face-check", query_string={"next": target}).get_data(as_text=True)
    assert 'data-done-url="/space/licences"' in page


def test_a_local_next_is_still_followed(mem):
    ApiDriver(mem.test_client()).register(ZHANG.phone, ZHANG.name, ZHANG.id_number, PASSWORD)
    pages = PageDriver(mem.test_client())
    response = pages.submit("/login", {"login": ZHANG.phone, "password": PASSWORD},
                            query_string={"next": "/space/messages"})
    assert response.location == "/space/messages"


# 9. headers ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/api/v1/no-such-call",
                                  "/_sim/info"])
def test_every_answer_forbids_framing_sniffing_and_foreign_scripts(portal, path):
    response = portal.test_client().get(path)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_console_sends_the_same_headers():
    response = create_console({"HTTP": object()}).test_client().get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# 10. the control plane from a web page ----------------------------------------------------

def test_a_foreign_page_cannot_reset_the_portal_with_a_text_post(portal):
    client = portal.test_client()
    before = client.get("/_sim/info").get_json()
    for headers, content_type in (({"Origin": "http://evil.example"}, "text/plain"),
                                  ({}, "text/plain"),
                                  ({"Origin": "http://evil.example"}, "application/json"),
                                  ({"Sec-Fetch-Site": "cross-site"}, "application/json"),
                                  ({"Origin": "null"}, "application/json")):
        response = client.post("/_sim/reset", data="{}", content_type=content_type,
                               headers=headers)
        assert response.status_code in (403, 415)
    assert client.get("/_sim/info").get_json() == before


def test_a_foreign_page_cannot_replay_the_replication_queue(mem):
    response = mem.test_client().post("/_sim/replication/replay", data='{"after": 0}',
                                      content_type="text/plain",
                                      headers={"Origin": "http://evil.example"})
    assert response.status_code == 403


def test_a_dns_rebinding_page_is_refused_by_its_host_name(portal):
    response = portal.test_client().get("/_sim/info", headers={"Host": "evil.example:8001"})
    assert response.status_code == 404


@pytest.mark.parametrize("prefix, factory", [("MEM", mem_portal.create_app),
                                             ("NATIONAL", national_portal.create_app)])
def test_sim_loopback_only_is_read_from_the_environment(prefix, factory, monkeypatch, tmp_path,
                                                        clock):
    monkeypatch.setenv(f"{prefix}_SIM_LOOPBACK_ONLY", "0")
    app = factory({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SIM_ENABLED": True,
                   **REAL}, clock=clock)
    assert app.config["SIM_LOOPBACK_ONLY"] is False
    assert app.test_client().get("/_sim/clock", environ_base=REMOTE).status_code == 200


# 15. face-check state -----------------------------------------------------------------------

def test_a_face_check_state_is_told_only_to_its_holder(mem):
    holder = ApiDriver(mem.test_client())
    holder.register(ZHANG.phone, ZHANG.name, ZHANG.id_number, PASSWORD)
    holder.login(ZHANG.phone, PASSWORD)
    token = holder.ok("POST", "/api/v1/face-checks", {"purpose": "licences"})["token"]
    assert holder.ok("GET", f"/api/v1/face-checks/{token}")["state"] == "pending"
    assert ApiDriver(mem.test_client()).call("GET", f"/api/v1/face-checks/{token}")[0] == 401
    other = ApiDriver(mem.test_client())
    other.register("13900003333", "李梅", "110102198505120025", PASSWORD)
    other.login("13900003333", PASSWORD)
    assert other.call("GET", f"/api/v1/face-checks/{token}")[0] == 404
    assert mem.test_client().get(f"/face-checks/{token}/state").status_code == 404
