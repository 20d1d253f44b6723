"""Domain errors: each names the field at fault and a machine-readable code."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the input; nothing was written.

    `field` names the input at fault (or None), `message` says why (Chinese where a holder
    sees it), `code` is one of the stable error codes the JSON APIs and scenarios use:
    invalid_input, duplicate, bad_credentials, locked, not_logged_in, identity_not_verified,
    identity_failed, not_found, forbidden, not_eligible.
    """

    code = "invalid_input"

    def __init__(self, field: str | None, message: str, *, code: str | None = None):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        if code:
            self.code = code

    def to_json(self) -> dict:
        return {"error": self.code, "field": self.field, "message": self.message}


class InvalidInput(DomainError):
    code = "invalid_input"


class Duplicate(DomainError):
    code = "duplicate"


class NotFound(DomainError):
    code = "not_found"


class NotEligible(DomainError):
    code = "not_eligible"


class FieldErrors(InvalidInput):
    """Several fields are wrong at once (a form): `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors))
        super().__init__(first, errors[first])
        self.errors = dict(errors)

    def to_json(self) -> dict:
        return {**super().to_json(), "errors": self.errors}


class Forbidden(DomainError):
    code = "forbidden"


class BadCredentials(DomainError):
    code = "bad_credentials"


class Locked(DomainError):
    code = "locked"


class IdentityNotVerified(DomainError):
    code = "identity_not_verified"


class IdentityFailed(DomainError):
    code = "identity_failed"
