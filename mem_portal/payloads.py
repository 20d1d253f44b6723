"""JSON shapes of the ministry portal's answers: a licence in 我的证照, its 预览, a certificate
as the back office sees it.
"""

from __future__ import annotations

from datetime import datetime

from mem_portal.services.licences import LICENCE_TYPE, face_rows
from shared.certificates import licence_snapshot
from shared.clock import SHANGHAI
from shared.models import Certificate
from shared.rules import STATUS_LABELS, e_licence_eligibility, effective_status


def licence_summary(cert: Certificate, now: datetime) -> dict:
    """Return one row of the 我的证照 list as JSON."""
    return {
        "key": cert.certificate_key, "licence_id": cert.licence_id, "type": LICENCE_TYPE,
        "authority": cert.authority, "issued_on": cert.issued_on.isoformat(),
        "cert_number": cert.cert_number, "holder_name": cert.holder_name,
        "category": cert.category, "item": cert.item,
        "valid_from": cert.valid_from.isoformat(), "valid_to": cert.valid_to.isoformat(),
        "status": effective_status(cert, now.astimezone(SHANGHAI).date()),
    }


def licence_detail(cert: Certificate, now: datetime, verify_url: str) -> dict:
    """Return the preview data: the summary, the face rows and the verification URL."""
    status = effective_status(cert, now.astimezone(SHANGHAI).date())
    return {**licence_summary(cert, now), "status_label": STATUS_LABELS[status],
            "face": [{"label": label, "value": value} for label, value in face_rows(cert)],
            "verify_url": verify_url}


def certificate_json(cert: Certificate, now: datetime) -> dict:
    """A certificate with its status and e-licence eligibility at `now` (the back office)."""
    status = effective_status(cert, now.astimezone(SHANGHAI).date())
    verdict = e_licence_eligibility(cert, now)
    return {**licence_snapshot(cert), "status": status, "status_label": STATUS_LABELS[status],
            "stored_status": cert.status, "eligible": verdict.eligible,
            "eligibility_reason": verdict.reason}
