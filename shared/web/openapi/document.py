"""Build a portal's OpenAPI 3.1 document from its URL map and its operations.

The URL map says which paths, methods and path parameters exist; the operations say what each
takes and answers; `shared.web.errors.STATUS` says each error code's status. A route with no
operation, or an operation with no route, is a `ContractError`: the document cannot drift.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from flask import Flask
from werkzeug.routing import Rule

from shared.web.errors import HTTP_ERRORS, STATUS
from shared.web.openapi.operation import BEARER, SIGNED, Operation
from shared.web.openapi.schema import choice, integer, mapping, nullable, obj, string
from shared.wire import NONCE, SIGNATURE, TIMESTAMP

OPENAPI_VERSION = "3.1.0"
METHODS = ("get", "put", "post", "delete", "patch")
PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
CONTROL_PREFIX = "/_sim"
SIGNED_HEADERS = {"certsimTimestamp": (TIMESTAMP, "whole seconds since the epoch, the caller's "
                                                  "wall clock (±300 s of the receiver's)"),
                  "certsimNonce": (NONCE, "8..64 characters, random, used once"),
                  "certsimSignature": (SIGNATURE, "hex HMAC-SHA256 under SYNC_SECRET of "
                                                  "METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\n + body")}
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "The `token` of POST /api/v1/login; it lasts 30 minutes of "
                                  "the portal's (simulated) time after the login."},
    **{name: {"type": "apiKey", "in": "header", "name": header, "description": text}
       for name, (header, text) in SIGNED_HEADERS.items()},
}
SECURITY = {BEARER: [{"bearerAuth": []}], SIGNED: [{name: [] for name in SIGNED_HEADERS}]}


class ContractError(Exception):
    """The routes an app serves and the operations its contract names do not match."""


def build_document(app: Flask, operations: Mapping[str, Operation], *, prefix: str,
                   info: Mapping, schemas: Mapping[str, dict],
                   tags: Iterable[Mapping] = ()) -> dict:
    """Return the OpenAPI document of the routes under `prefix`.

    `operations` maps endpoint names to operations; `schemas` is the pool the operations'
    `$ref`s name (only those used are written).
    """
    paths: dict[str, dict] = {}
    served: set[str] = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if not rule.rule.startswith(prefix + "/"):
            continue
        operation = operations.get(rule.endpoint)
        if operation is None:
            raise ContractError(f"{rule.rule} ({rule.endpoint}): no operation in the contract")
        served.add(rule.endpoint)
        item = paths.setdefault(_template(rule), {})
        for method in _methods(rule):
            item[method] = _operation(rule, operation, method)
    unserved = sorted(set(operations) - served)
    if unserved:
        raise ContractError(f"operations without a route under {prefix}: {', '.join(unserved)}")
    paths = {path: dict(sorted(item.items(), key=lambda kv: METHODS.index(kv[0])))
             for path, item in paths.items()}
    document = {"openapi": OPENAPI_VERSION, "info": dict(info), "tags": list(tags),
                "paths": paths}
    document["components"] = _components(document, schemas)
    _check_operation_ids(document)
    return document


def _methods(rule: Rule) -> list[str]:
    methods = sorted(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    if len(methods) != 1:
        raise ContractError(f"{rule.rule} ({rule.endpoint}): one method per endpoint, got "
                            f"{', '.join(methods)}")
    return methods


def _template(rule: Rule) -> str:
    return PARAMETER.sub(lambda match: "{" + match["name"] + "}", rule.rule)


def _operation(rule: Rule, operation: Operation, method: str) -> dict:
    item = {"operationId": rule.endpoint.rsplit(".", 1)[-1], "summary": operation.summary}
    if operation.description:
        item["description"] = operation.description
    item["tags"] = [operation.tag or ("control" if rule.rule.startswith(CONTROL_PREFIX)
                                      else "api")]
    parameters = _path_parameters(rule, operation) + _query_parameters(operation)
    if parameters:
        item["parameters"] = parameters
    if operation.body is not None:
        item["requestBody"] = {"required": operation.body_required, "content": {
            "application/json": {"schema": operation.body}}}
    if operation.auth:
        item["security"] = SECURITY[operation.auth]
    item["responses"] = _responses(rule, operation)
    return item


def _path_parameters(rule: Rule, operation: Operation) -> list[dict]:
    parameters = []
    for match in PARAMETER.finditer(rule.rule):
        name, converter = match["name"], match["converter"]
        schema = integer(minimum=0) if converter == "int" else string(minLength=1)
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": operation.path.get(name, schema)})
    unknown = set(operation.path) - {p["name"] for p in parameters}
    if unknown:
        raise ContractError(f"{rule.rule}: no path parameter {', '.join(sorted(unknown))}")
    return parameters


def _query_parameters(operation: Operation) -> list[dict]:
    return [{"name": name, "in": "query", "required": name in operation.required_query,
             "schema": schema} for name, schema in operation.query.items()]


def refusals(rule: Rule, operation: Operation) -> dict[int, list[str]]:
    """Every error status the operation may answer, with its codes."""
    codes = set(operation.errors) | {"forbidden"}  # a portal on development secrets: 403 to
    # any client off this machine (shared.web.security.guard_development_secrets)
    if operation.auth == BEARER:
        codes.add("not_logged_in")
    if operation.auth == SIGNED:
        codes.add("bad_signature")
    if operation.body is not None:
        codes |= {"invalid_input", "too_large"}
    if rule.arguments:
        codes.add("not_found")
    control = rule.rule.startswith(CONTROL_PREFIX)
    if control:  # the control plane's guard: off-machine (404), a foreign page (403)
        codes |= {"not_found", "forbidden"}
    by_status = defaultdict(list)
    for code in sorted(codes):
        by_status[STATUS[code]].append(code)
    if control and operation.body is not None:
        by_status[415].append(HTTP_ERRORS[415][0])  # a body that is not JSON
    return dict(sorted(by_status.items()))


def error_schema(codes: Iterable[str], extra: Mapping[str, dict] | None = None) -> dict:
    """The error body: the code, the field at fault, a message, each wrong form field."""
    extra = dict(extra or {})
    return obj({"error": choice(*codes), "field": nullable(string()), "message": string(),
                "errors": mapping(string(), "each wrong form field's message"), **extra},
               optional=("errors", *extra))


def _responses(rule: Rule, operation: Operation) -> dict:
    responses = {}
    for given in operation.answers:
        media = {"schema": given.schema} if given.schema is not None else {}
        responses[str(given.status)] = {"description": given.description,
                                        "content": {given.media_type: media}}
    for status, codes in refusals(rule, operation).items():
        responses[str(status)] = {
            "description": "Refused: " + ", ".join(f"`{code}`" for code in codes),
            "content": {"application/json": {"schema": error_schema(
                codes, operation.error_fields)}}}
    for status, given in operation.faults.items():
        responses[str(status)] = {"description": given.description, "content": {
            given.media_type: {"schema": given.schema}}}
    return dict(sorted(responses.items()))


def _components(document: dict, pool: Mapping[str, dict]) -> dict:
    names = _referenced(document, pool)
    components = {"schemas": {name: pool[name] for name in sorted(names)}}
    used = {name for item in document["paths"].values() for op in item.values()
            for requirement in op.get("security", []) for name in requirement}
    if used:
        components["securitySchemes"] = {name: scheme for name, scheme in SECURITY_SCHEMES.items()
                                         if name in used}
    return components


def _referenced(node, pool: Mapping[str, dict], seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        target = node.get("$ref", "")
        if target.startswith("#/components/schemas/"):
            name = target.rsplit("/", 1)[-1]
            if name not in pool:
                raise ContractError(f"unknown schema {name!r}")
            if name not in seen:
                seen.add(name)
                _referenced(pool[name], pool, seen)
        for value in node.values():
            _referenced(value, pool, seen)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, pool, seen)
    return seen


def _check_operation_ids(document: dict) -> None:
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ContractError(f"operation ids used twice: {', '.join(twice)}")
