"""Reading a JSON call's body: an object or nothing, and its text fields."""

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
    """Return a string field of a JSON body ("" when absent or not a string)."""
    value = body.get(key)
    return value if isinstance(value, str) else ""
