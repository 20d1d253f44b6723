"""schemathesis against both portals in-process: every operation of each document, generated
from the document (valid and invalid calls), answers no 5xx, keeps the document (status,
content type, schema, headers) and refuses with a documented error code.

The documents are the checked-in ones (docs/openapi, kept equal to what the portals serve).
A fixed seed and a bounded number of examples per operation keep it within `make test`;
`make fuzz-api` sets CERTSIM_FUZZ_EXAMPLES higher.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from support.fuzz import (
    EXAMPLES,
    LOGIN_PLACEHOLDER,
    PLACEHOLDERS,
    LatePortal,
    demo_portals,
)
from support.paths import REPO

DOCS = REPO / "docs" / "openapi"
CONFIG = {
    "seed": 17,
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
    "checks": {"positive_data_acceptance": {"enabled": False}},  # valid is not always right
    # GET /api/v1/licences/{key} answers for key "bind" too (404), so OPTIONS there allows GET
    "operations": [{"include-path": "/api/v1/licences/bind",
                    "checks": {"allow_header_conformance": {"enabled": False}}}],
}
SERVED = {"mem": LatePortal(), "national": LatePortal()}


def document(name: str, portal: str):
    """A checked-in document, sent to the portal the `portals` fixture builds, each call with
    what its security scheme needs."""
    schema = schemathesis.openapi.from_path(DOCS / f"{name}.json",
                                            config=SchemathesisConfig.from_dict(CONFIG))
    schema.app = SERVED[portal]
    schema.auth(refresh_interval=None)(Credentials)
    return schema


class Credentials:
    """What a call's security scheme needs, as placeholders the portal's middleware fills on
    arrival (support.fuzz): a demo login's token, the replication signature."""

    def get(self, case, context) -> dict:
        security = case.operation.definition.raw.get("security") or []
        names = {name for requirement in security for name in requirement}
        if "bearerAuth" in names:
            return {"Authorization": LOGIN_PLACEHOLDER}
        return dict(PLACEHOLDERS) if "certsimSignature" in names else {}

    def set(self, case, data, context) -> None:
        case.headers = {**(case.headers or {}), **data}


@pytest.fixture(scope="module", autouse=True)
def portals(tmp_path_factory):
    built = demo_portals(tmp_path_factory.mktemp("fuzz"))
    for name, portal in built.items():
        SERVED[name].serve(portal)
    return built


def send_and_check(case) -> None:
    """Send one generated call and check the answer."""
    case.call_and_validate()


@document("mem-api", "mem").parametrize()
def test_the_ministry_api_keeps_its_document(case):
    send_and_check(case)


@document("mem-control", "mem").parametrize()
def test_the_ministry_control_plane_keeps_its_document(case):
    send_and_check(case)


@document("national-api", "national").parametrize()
def test_the_national_api_keeps_its_document(case):
    send_and_check(case)


@document("national-control", "national").parametrize()
def test_the_national_control_plane_keeps_its_document(case):
    send_and_check(case)
