"""Every JSON answer a test client gets from /api/v1 or /_sim, checked against the portal's
OpenAPI document (openapi-core): a field renamed in code and not in the contract, a status or
an error code the document does not name, fails the test that met it.

`install()` (tests/conftest.py) makes it the test client of every Flask app in the process;
apps without a contract (the console) are left alone.
"""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound

from shared.web.errors import HTTP_ERRORS, STATUS
from shared.web.openapi.document import error_schema
from shared.web.openapi.portal import (
    API_PREFIX,
    CONTROL_PREFIX,
    api_document,
    control_document,
)
from shared.web.openapi.views import CONTRACT

CHECKERS = "certsim.openapi.checkers"
VALIDATORS: dict[tuple, dict] = {}  # (contract, routes) -> validators by prefix
ANY_ERROR = Draft202012Validator(error_schema(sorted({*STATUS, *(c for c, _ in HTTP_ERRORS.values())})))


class AnsweredRequest(WerkzeugOpenAPIRequest):
    """The request of an answer, for finding its operation: its body was read already."""

    @property
    def body(self) -> bytes | None:
        return None


class ContractBroken(AssertionError):
    """An answer does not keep the portal's OpenAPI document."""


def checkers(app: Flask) -> dict[str, OpenAPI]:
    """The app's documents as openapi-core validators (the control plane's where it is on),
    built once for all the apps of a portal that serve the same routes."""
    found = app.extensions.get(CHECKERS)
    if found is None:
        contract = app.extensions[CONTRACT]
        key = (id(contract), _routes(app))
        if key not in VALIDATORS:
            VALIDATORS[key] = {API_PREFIX: OpenAPI.from_dict(api_document(app, contract))}
            if app.config["SIM_ENABLED"]:
                VALIDATORS[key][CONTROL_PREFIX] = OpenAPI.from_dict(
                    control_document(app, contract))
        found = app.extensions[CHECKERS] = VALIDATORS[key]
    return found


def _routes(app: Flask) -> tuple:
    return tuple(sorted((rule.rule, rule.endpoint, tuple(sorted(rule.methods)))
                        for rule in app.url_map.iter_rules()
                        if rule.rule.startswith((API_PREFIX, CONTROL_PREFIX))))


def check_answer(app: Flask, request, response) -> None:
    """Raise ContractBroken unless `response` is what the document promises for `request`."""
    prefix = next((p for p in (API_PREFIX, CONTROL_PREFIX) if request.path.startswith(p + "/")),
                  None)
    if prefix is None or CONTRACT not in app.extensions:
        return
    checker = checkers(app).get(prefix)
    if checker is None:  # the control plane is off: its 404 is an ordinary error
        return _check_any_error(request, response)
    try:
        checker.validate_response(AnsweredRequest(request),
                                  WerkzeugOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):  # no such operation: a 404 or 405 error body
        _check_any_error(request, response)
    except ResponseNotFound:
        if response.status_code < 500:  # a crash a test provoked is no part of the contract
            raise ContractBroken(f"{request.method} {request.path}: status "
                                 f"{response.status_code} is not in the document") from None
        _check_any_error(request, response)
    except Exception as exc:  # noqa: BLE001  (every validation failure says what broke)
        raise ContractBroken(f"{request.method} {request.full_path.rstrip('?')} -> "
                             f"{response.status_code}: {_reason(exc)[:2000]}\n"
                             f"{response.get_data(as_text=True)[:500]}") from None


def _check_any_error(request, response) -> None:
    if response.status_code < 400 or response.mimetype != "application/json":
        return
    problems = [e.message for e in ANY_ERROR.iter_errors(json.loads(response.get_data()))]
    if problems:
        raise ContractBroken(f"{request.method} {request.path} -> {response.status_code}: "
                             f"not an error body: {problems}")


def _reason(exc: Exception) -> str:
    causes = [str(exc)]
    for inner in getattr(exc, "schema_errors", None) or ():
        causes.append(f"{'/'.join(map(str, inner.absolute_path))}: {inner.message}")
    if exc.__cause__ is not None:
        causes.append(_reason(exc.__cause__))
    return "; ".join(causes)


class ContractClient(FlaskClient):
    """A test client that checks every API and control-plane answer against the document."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.request is not None:
            check_answer(self.application, response.request, response)
        return response


def install() -> None:
    """Make ContractClient the test client of every Flask app."""
    Flask.test_client_class = ContractClient
