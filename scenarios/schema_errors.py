"""Turn JSON Schema errors into messages a tester can act on, pointing at a key or a value."""

from __future__ import annotations

import difflib

from jsonschema.exceptions import ValidationError

TYPE_NAMES = {"string": "text", "integer": "a whole number", "boolean": "true or false",
              "object": "a mapping (key: value)", "array": "a list", "null": "empty"}


def describe(error: ValidationError, prefix: tuple = ()) -> tuple[tuple, bool, str] | None:
    """Return (path, point at the key?, message) for one schema error found at `prefix`."""
    path = prefix + tuple(error.absolute_path)
    schema_path = list(error.schema_path)
    handler = _HANDLERS.get(error.validator)
    if "propertyNames" in schema_path:
        return _bad_expect_key(error, path)
    if handler is None:
        return path, False, error.message
    return handler(error, path)


def _enum(error: ValidationError, path: tuple):
    allowed = error.validator_value
    if path and path[-1] == "do" and len(path) == 3:
        close = difflib.get_close_matches(str(error.instance), [str(a) for a in allowed], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return path, False, (f"unknown action {error.instance!r}{hint} (actions: "
                             f"{', '.join(allowed)})")
    return path, False, (f"{error.instance!r} is not allowed here; use one of: "
                         f"{', '.join(repr(a) for a in allowed)}")


def _additional(error: ValidationError, path: tuple):
    known = list(error.schema.get("properties", {}))
    extras = [k for k in error.instance if k not in known]
    extra = extras[0] if extras else "?"
    close = difflib.get_close_matches(extra, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    action = error.instance.get("do") if isinstance(error.instance, dict) else None
    owner = f"action {action!r}" if isinstance(action, str) and "do" in known else (
        _label(path) if path else "the top level")
    return (*path, extra), True, (f"unknown key {extra!r} for {owner}; {hint}"
                                  f"allowed: {', '.join(k for k in known if k != 'do')}")


def _required(error: ValidationError, path: tuple):
    missing = error.message.split("'")[1] if "'" in error.message else error.message
    if missing == "do":
        return path, False, "a step needs `do:` naming its action"
    action = error.instance.get("do") if isinstance(error.instance, dict) else None
    owner = f"action {action!r}" if isinstance(action, str) else (
        ".".join(str(p) for p in path) or "the scenario")
    return path, False, f"{owner} needs {missing!r}"


def _type(error: ValidationError, path: tuple):
    wanted = error.validator_value
    wanted = [wanted] if isinstance(wanted, str) else wanted
    names = " or ".join(TYPE_NAMES.get(w, w) for w in wanted)
    if error.instance is None:
        return path, False, f"{_label(path)} has no value; it must be {names}"
    hint = ""
    if "string" in wanted and isinstance(error.instance, int | float) and not isinstance(
            error.instance, bool):
        hint = f"; write it in quotes: \"{error.instance}\""
    elif "string" in wanted and isinstance(error.instance, bool):
        hint = "; YAML reads yes/no/on/off as true/false, so quote the word"
    return path, False, f"{_label(path)} must be {names}, not {error.instance!r}{hint}"


def _pattern(error: ValidationError, path: tuple):
    what = error.schema.get("description", f"matching {error.validator_value}")
    return path, False, f"{_label(path)}: {error.instance!r} is not {what}"


def _const(error: ValidationError, path: tuple):
    return path, False, f"{_label(path)} must be {error.validator_value!r}"


def _one_of(error: ValidationError, path: tuple):
    choices = [s["required"][0] for s in error.validator_value if "required" in s]
    return path, False, f"give exactly one of {' or '.join(repr(c) for c in choices)}"


def _any_of(error: ValidationError, path: tuple):
    what = error.schema.get("description", "a different value")
    return path, False, f"{_label(path)}: {error.instance!r} is not valid here ({what})"


def _dependent(error: ValidationError, path: tuple):
    key = next((k for k, needs in error.validator_value.items() if k in error.instance
                and any(n not in error.instance for n in needs)), "field")
    return (*path, key), True, f"expect.{key} needs expect.error (e.g. error: invalid_input)"


def _minimum(error: ValidationError, path: tuple):
    return path, False, f"{_label(path)} must be at least {error.validator_value}"


def _min_items(error: ValidationError, path: tuple):
    return path, False, f"{_label(path)} must not be empty"


def _bad_expect_key(error: ValidationError, path: tuple):
    allowed = error.validator_value if error.validator == "enum" else []
    return (*path, error.instance), True, (
        f"expect key {error.instance!r} does not apply to this action; "
        f"it can check: {', '.join(allowed) or 'nothing'}")


def _label(path: tuple) -> str:
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        rest = ".".join(str(p) for p in path[2:])
        return f"step {path[1] + 1} {rest}".strip()
    return ".".join(str(p) for p in path) or "the file"


_HANDLERS = {
    "enum": _enum, "additionalProperties": _additional, "required": _required, "type": _type,
    "pattern": _pattern, "const": _const, "oneOf": _one_of, "anyOf": _any_of,
    "dependentRequired": _dependent, "minimum": _minimum, "minItems": _min_items,
    "minLength": _min_items, "minProperties": _min_items,
}
