"""JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1), written briefly.

Answers are closed objects (`additionalProperties: false`): a field the code sends and the
contract does not name fails the tests that validate answers against the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def string(description: str | None = None, **keywords) -> dict:
    """A string."""
    return _described({"type": "string", **keywords}, description)


def choice(*values: str, description: str | None = None) -> dict:
    """One of a few strings."""
    return _described({"type": "string", "enum": list(values)}, description)


def integer(description: str | None = None, **keywords) -> dict:
    """An integer."""
    return _described({"type": "integer", **keywords}, description)


def number(description: str | None = None, **keywords) -> dict:
    """A number."""
    return _described({"type": "number", **keywords}, description)


def boolean(description: str | None = None) -> dict:
    """true or false."""
    return _described({"type": "boolean"}, description)


def instant(description: str | None = None) -> dict:
    """An ISO 8601 date and time with its offset."""
    return string(description, format="date-time")


def day(description: str | None = None) -> dict:
    """An ISO 8601 date (YYYY-MM-DD)."""
    return string(description, format="date")


def nullable(schema: dict) -> dict:
    """`schema` or null."""
    kind = schema.get("type")
    if isinstance(kind, str) and "enum" not in schema:
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict, description: str | None = None, **keywords) -> dict:
    """A list of `items`."""
    return _described({"type": "array", "items": items, **keywords}, description)


def mapping(values: dict, description: str | None = None) -> dict:
    """An object whose keys are free and whose values are `values`."""
    return _described({"type": "object", "additionalProperties": values}, description)


def anything(description: str | None = None) -> dict:
    """Any JSON value."""
    return _described({}, description)


def obj(properties: Mapping[str, dict], *, optional: Iterable[str] = (), closed: bool = True,
        description: str | None = None) -> dict:
    """An object with these properties, all required but the `optional` ones.

    `closed`: no other property (answers); request bodies stay open, as the portals ignore
    what they do not read.
    """
    optional = set(optional)
    schema = {"type": "object", "properties": dict(properties),
              "required": [name for name in properties if name not in optional]}
    if closed:
        schema["additionalProperties"] = False
    return _described(schema, description)


def ref(name: str) -> dict:
    """A schema of the document's components."""
    return {"$ref": f"#/components/schemas/{name}"}


def _described(schema: dict, description: str | None) -> dict:
    return {**schema, "description": description} if description else schema
