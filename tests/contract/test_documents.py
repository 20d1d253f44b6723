"""The OpenAPI documents: built from the routes the portals serve, served by them, checked in
as `certsim openapi` writes them, and refusing to build when a route and the contract part."""

from __future__ import annotations

import json
import re

import pytest
from flask import Blueprint, jsonify, request
from openapi_spec_validator import validate
from support.mem import make_test_app
from support.national import make_app
from support.openapi_check import ContractBroken, check_answer
from support.paths import REPO

from certsim.openapi import cmd_openapi, documents
from shared.web.errors import STATUS
from shared.web.openapi.document import ContractError
from shared.web.openapi.portal import MEANINGS, api_document
from shared.web.openapi.views import CONTRACT

DOCS = REPO / "docs" / "openapi"
SERVED = {"mem-api.json": ("mem", "/api/v1/openapi.json"),
          "mem-control.json": ("mem", "/_sim/openapi.json"),
          "national-api.json": ("national", "/api/v1/openapi.json"),
          "national-control.json": ("national", "/_sim/openapi.json")}
ERROR_CODE = re.compile(r'\bcode\s*=\s*"(\w+)"')


@pytest.fixture
def apps(tmp_path, clock):
    return {"mem": make_test_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock),
            "national": make_app(f"sqlite:///{tmp_path / 'national.sqlite3'}", clock)}


def test_the_checked_in_documents_are_what_certsim_openapi_writes():
    written = dict(documents())
    assert sorted(written) == sorted(path.name for path in DOCS.glob("*.json"))
    for name, text in written.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, \
            f"docs/openapi/{name} is stale: run `make openapi` (certsim openapi)"


def test_certsim_openapi_writes_every_document_into_the_folder_given(tmp_path, capsys):
    class Args:
        out = str(tmp_path / "openapi")

    assert cmd_openapi(Args) == 0
    assert sorted(p.name for p in (tmp_path / "openapi").iterdir()) == sorted(SERVED)
    assert "mem-api.json" in capsys.readouterr().out


def test_each_portal_serves_the_checked_in_documents(apps):
    for name, (portal, path) in SERVED.items():
        answer = apps[portal].test_client().get(path)
        assert answer.status_code == 200, path
        assert answer.get_data(as_text=True) == (DOCS / name).read_text(encoding="utf-8")


def test_every_document_is_valid_openapi_3_1():
    for name in SERVED:
        document = json.loads((DOCS / name).read_text(encoding="utf-8"))
        assert document["openapi"] == "3.1.0"
        validate(document)


def test_the_control_plane_document_is_served_only_where_the_control_plane_is_on(tmp_path,
                                                                                clock):
    app = make_test_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock, SIM_ENABLED=False)
    client = app.test_client()
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/_sim/openapi.json").status_code == 404
    assert "/_sim/openapi.json" not in client.get("/api/docs").get_data(as_text=True)


def test_a_route_the_contract_does_not_name_stops_the_document(apps):
    app = apps["mem"]
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/api/v1/undocumented", "undocumented", lambda: {})
    app.register_blueprint(extra)
    with pytest.raises(ContractError, match="/api/v1/undocumented"):
        api_document(app, app.extensions[CONTRACT])


def test_an_operation_without_a_route_stops_the_document(apps):
    app = apps["national"]
    contract = app.extensions[CONTRACT]
    stale = type(contract)(contract.title, {**contract.api, "api.gone": contract.api["api.account"]},
                           contract.control, contract.schemas)
    with pytest.raises(ContractError, match="api.gone"):
        api_document(app, stale)


def test_every_error_code_the_code_raises_has_a_status_and_a_meaning():
    raised = set()
    for folder in ("shared", "mem_portal", "national_portal"):
        for path in (REPO / folder).rglob("*.py"):
            raised |= set(ERROR_CODE.findall(path.read_text(encoding="utf-8")))
    assert raised - set(STATUS) == set()
    assert set(STATUS) == set(MEANINGS)


def test_an_answer_missing_a_field_of_the_document_breaks_the_contract(apps):
    app = apps["mem"]
    with app.test_request_context("/_sim/clock"):
        answer = jsonify(now="2024-09-27T09:00:00+00:00", local="2024-09-27T17:00:00+08:00",
                         simulated=True)  # "frozen" renamed away
        with pytest.raises(ContractBroken, match="frozen"):
            check_answer(app, request, answer)


def test_the_api_browser_is_served_from_the_portal_itself(apps):
    client = apps["national"].test_client()
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "接口文档" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
