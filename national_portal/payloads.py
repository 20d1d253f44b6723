"""JSON shapes of the national portal's API answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row

from national_portal.services.licences import (
    ALL_BOUND,
    LICENCE_TYPE,
    BindResult,
    BoundLicence,
    guidance_json,
)
from shared.identity import mask_id_number
from shared.recording import licence_ref
from shared.rules import STATUS_LABELS

FACE_FIELDS = (
    "certificate_key", "licence_id", "licence_version", "holder_name", "sex", "cert_number",
    "category", "item", "first_issued_on", "issued_on", "valid_from", "valid_to",
    "review_due_on", "review_passed_on", "authority", "authority_code", "region_code",
    "archive_code", "status_reason",
)


def _iso(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def licence_json(row: BoundLicence) -> dict:
    """One licence of 我的证照: face fields, status today, arrival and binding times."""
    licence = row.licence
    data = {name: _iso(getattr(licence, name)) for name in FACE_FIELDS}
    return data | {
        "type": LICENCE_TYPE,
        "holder_id_number": mask_id_number(licence.holder_id_number),
        "status": row.status, "status_label": STATUS_LABELS[row.status],
        "arrived_at": licence.arrived_at.isoformat(), "updated_at": licence.updated_at.isoformat(),
        "bound_at": row.bound_at.isoformat(),
    }


def history_json(bindings: list[Row]) -> list[dict]:
    """Every bind … unbind episode, oldest first."""
    return [{"bound_at": b.bound_at.isoformat(), "unbound_at": _iso(b.unbound_at)}
            for b in bindings]


def bind_facts(result: BindResult) -> dict:
    """What 绑定证照 showed, for a recording: the licences bound and listed, and with nothing
    new the 均已绑定 message and the guide's FAQ."""
    facts = {"bound": [licence_ref(row) for row in result.newly_bound],
             "listed": [licence_ref(row.licence) for row in result.licences]}
    if not result.newly_bound:
        facts |= {"message": ALL_BOUND, "guidance": guidance_json()}
    return facts
