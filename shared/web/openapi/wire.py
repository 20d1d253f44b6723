"""The contract of the replication wire's bodies: a licence as it travels, a change, an outcome.

The feed (ministry) and the ingest (national portal) carry the same changes; the signature
headers are the document's security schemes (shared.web.openapi.document).
"""

from __future__ import annotations

from shared.certificates import DATE_FIELDS, FACE_FIELDS
from shared.models import CardVersion, ChangeKind, Status
from shared.web.openapi.schema import (
    array,
    choice,
    day,
    instant,
    integer,
    nullable,
    obj,
    ref,
    string,
)
from shared.wire import Outcome

NULLABLE_DAYS = ("review_due_on", "review_passed_on")
INTEGER_MAX, KEY_LENGTH = 2**31 - 1, 32  # an SQL INTEGER; change ids and keys are String(32)
KINDS = {"licence_version": integer(minimum=1), "revision": integer(minimum=1),
         "card_version": choice(*CardVersion),
         "status": choice(*(s for s in Status if s != Status.EXPIRED),
                          description="stored status (expired is by date, never stored)"),
         "status_reason": nullable(string())}


def _face_field(name: str) -> dict:
    if name in DATE_FIELDS:
        return nullable(day()) if name in NULLABLE_DAYS else day()
    return KINDS.get(name, string())


SCHEMAS = {
    "LicenceSnapshot": obj(
        {**{name: _face_field(name) for name in FACE_FIELDS},
         "reviews": array(obj({"reviewed_on": day(), "result": choice("pass", "fail")}))},
        description="Every face field of the licence after the change, and its reviews."),
    "Change": obj({
        "seq": integer(minimum=1), "change_id": string(), "kind": choice(*ChangeKind),
        "certificate_key": string(), "revision": integer(minimum=1), "created_at": instant(),
        "visible_at": nullable(instant("null: held until released (manual lag)")),
        "payload": obj({"kind": choice(*ChangeKind), "licence": ref("LicenceSnapshot")})},
        description="One change of a licence, as the feed hands it out and the ingest takes it."),
    "IncomingChange": obj({
        "seq": integer(minimum=1, maximum=INTEGER_MAX),
        "change_id": string(minLength=1, maxLength=KEY_LENGTH),
        "certificate_key": string(minLength=1, maxLength=KEY_LENGTH),
        "revision": integer(minimum=1, maximum=INTEGER_MAX),
        "payload": obj({}, closed=False,
                       description="the change's kind and licence, as in Change")},
        closed=False,
        description="A change as the ingest checks it for the whole batch (one that fails "
                    "this refuses the batch: 400, nothing written). The change's kind and "
                    "licence are checked one change at a time, after its order: a change the "
                    "portal cannot take is answered `rejected` with why, later changes of its "
                    "licence `held`, and the rest of the batch applies. Every Change of a "
                    "feed page is one."),
    "ChangeOutcome": obj({"change_id": string(), "outcome": choice(*Outcome),
                          "error": string("why a change was rejected or held")},
                         optional=("error",)),
}
