"""Reading a JSON call's body (an object or nothing, and its typed fields) and its query
parameters; a field of the wrong type is refused, naming it."""

from __future__ import annotations

from flask import request

from shared.errors import InvalidInput


def json_body() -> dict:
    """Return the JSON object sent with the call ({} when empty), or raise InvalidInput."""
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise InvalidInput("body", "请求体应为JSON对象")
    return body


def body_text(body: dict, key: str) -> str:
    """Return a string field of a JSON body ("" when absent); anything but a string is
    refused, naming the field."""
    value = body.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput(key, f"{key}应为字符串")
    return value


BIGGEST = 2**63 - 1  # what a database integer column holds


def body_int(body: dict, key: str, default: int, *, minimum: int = 0) -> int:
    """Return an integer field of a JSON body (`default` when absent); a bool, a fraction or
    a number no database column holds is refused, naming the field."""
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= BIGGEST:
        raise InvalidInput(key, f"{key}应为 {minimum} 以上的整数")
    return value


def body_list(body: dict, key: str) -> list | None:
    """Return a list field of a JSON body (None when absent); anything else is refused."""
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, list):
        raise InvalidInput(key, f"{key}应为列表")
    return value


def body_flag(body: dict, key: str) -> bool:
    """Return a boolean field of a JSON body (False when absent); anything else is refused."""
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise InvalidInput(key, f"{key}应为 true 或 false")
    return value


FLAGS = {"1": True, "true": True, "0": False, "false": False}


def query_int(name: str, default: int) -> int:
    """Read an integer query parameter; one that is no integer, or that no database column
    holds, is refused, naming it."""
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        raise InvalidInput(name, f"{name} must be an integer") from None
    if abs(value) > BIGGEST:
        raise InvalidInput(name, f"{name} is out of range")
    return value


def query_flag(name: str) -> bool:
    """Read a yes/no query parameter (1, true, 0, false; absent is no), naming it if neither."""
    value = request.args.get(name, "0")
    if value not in FLAGS:
        raise InvalidInput(name, f"{name} must be 1, true, 0 or false")
    return FLAGS[value]
