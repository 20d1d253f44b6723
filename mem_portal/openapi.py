"""The contract of the ministry portal's JSON API, replication feed and control plane: one
`Operation` for each endpoint, from which `shared.web.openapi` builds the OpenAPI documents.
"""

from __future__ import annotations

from shared.models import OutboxState, Status
from shared.rules import STATUS_LABELS
from shared.web.bodies import FLAGS
from shared.web.openapi import accounts, control, wire
from shared.web.openapi.operation import BEARER, SIGNED, Answer, Contract, Operation, answer
from shared.web.openapi.schema import (
    anything,
    array,
    boolean,
    choice,
    day,
    instant,
    integer,
    mapping,
    nullable,
    number,
    obj,
    ref,
    string,
)

REASONS = ("no_certificate", "old_version", "expired", "invalid", "revoked", "cancelled",
           "not_started", "coal_mine_not_yet")
FACE_CHECKED = ("identity_not_verified", "identity_failed")  # 我的证照 needs a passed check
SUMMARY = {"key": string("certificate_key (stable across versions)"),
           "licence_id": string("证照标识"), "type": string(), "authority": string("签发机关"),
           "issued_on": day(), "cert_number": string("证号"), "holder_name": string(),
           "category": string("作业类别"), "item": string("操作项目"), "valid_from": day(),
           "valid_to": day(), "status": choice(*Status)}
CERTIFICATE = obj({
    **wire.SCHEMAS["LicenceSnapshot"]["properties"],
    "status": choice(*Status, description="at the clock's now"),
    "status_label": choice(*STATUS_LABELS.values()), "stored_status": choice(*Status),
    "eligible": boolean("has an electronic licence now"),
    "eligibility_reason": nullable(choice(*REASONS))},
    description="A certificate as the back office sees it: the licence snapshot, its status at "
                "the clock's now and whether it has an electronic licence.")
OUTBOX_ROW = obj({
    **{name: schema for name, schema in wire.SCHEMAS["Change"]["properties"].items()},
    "state": choice(*OutboxState), "attempts": integer(minimum=0),
    "last_error": nullable(string()), "delivered_at": nullable(instant()),
    "explanation": array(string(), "with explain=1: why it becomes visible when it does; "
                                   "the first line is the instant")},
    optional=("payload", "explanation"))
LEASE = {"holder": nullable(string()), "expires_at": nullable(instant()),
         "checkpoint": integer(minimum=0), "tick_requested_at": nullable(instant()),
         "ticks": integer(minimum=0)}
CHANGE_IDS = array(string(), "change ids")
SEQ_AND_ID = array({"anyOf": [integer(minimum=1), string()]}, "[seq, change_id]", minItems=2,
                   maxItems=2)
SCHEMAS = {
    **accounts.SCHEMAS, **control.SCHEMAS, **wire.SCHEMAS,
    "LicenceSummary": obj(SUMMARY, description="One licence of 我的证照."),
    "Guidance": obj({"reason": choice(*REASONS), "message": string("the guide's FAQ text"),
                     "category": nullable(string()), "item": nullable(string())},
                    description="Why one of the holder's certificates has no e-licence."),
    "Certificate": CERTIFICATE, "OutboxRow": OUTBOX_ROW,
}

API = {
    **accounts.account_operations(face_purposes=("licences",), verified_login=True),
    "api.captcha": Operation(
        "Make a one-use image captcha (answer: GET /_sim/captcha/{token})",
        answer(obj({"token": string(), "image_url": string("the picture (PNG)")})),
        tag="accounts"),
    "api.register": accounts.register_operation(
        "创建账户; the answer carries the 实人认证 ticket of the next step",
        obj({"account_id": integer(), "face_check": ref("FaceCheck")}), captcha=True),
    "api.register_complete": Operation(
        "注册完成, once the registration's face check has passed",
        answer(obj({"account_id": integer(), "registered": boolean(),
                    "account": ref("Account")})),
        body=obj({"token": string("the face_check token of POST /api/v1/register")},
                 closed=False), body_required=True,
        errors=("not_found", *FACE_CHECKED), tag="accounts"),
    "api.licences": Operation(
        "我的证照: the holder's e-licences, and why other certificates have none",
        answer(obj({"licences": array(ref("LicenceSummary")),
                    "guidance": array(ref("Guidance"))})),
        auth=BEARER, errors=FACE_CHECKED, tag="licences",
        description="Needs a passed face check (purpose `licences`) of this login."),
    "api.licence": Operation(
        "预览: the licence face rows and its verification URL",
        answer(obj({**SUMMARY, "status_label": choice(*STATUS_LABELS.values()),
                    "face": array(obj({"label": string(), "value": string()})),
                    "verify_url": string(format="uri")})),
        auth=BEARER, errors=(*FACE_CHECKED, "not_eligible"), tag="licences",
        path={"key": string("certificate_key or 证照标识", minLength=1)}),
    "api.download": Operation(
        "下载: the sealed OFD file",
        (Answer(None, 200,
                "The OFD file; Content-Disposition names it 特种作业操作证_<操作项目>_<姓名>.ofd",
                "application/ofd"),),
        auth=BEARER, errors=(*FACE_CHECKED, "not_eligible"), tag="licences"),
    "verify.api_result": Operation(
        "电子证照核验: what the ministry's records say of a 证照标识 (no login)",
        answer(obj({"licence_id": string(), "found": boolean(), "status": string(),
                    "status_label": string(), "verdict": string(), "valid": boolean(),
                    "checked_at": instant(),
                    "licence": mapping(string(), "the face, holder masked")})),
        tag="licences"),
    "replication.changes": Operation(
        "The change feed: changes due for delivery after a sequence number",
        answer(obj({"next_after": integer(minimum=0), "until": instant(),
                    "next_due_at": nullable(instant()),
                    "ids": array(SEQ_AND_ID,
                                 "[seq, change_id] of each change, in order (written before "
                                 "`changes`, so a replicator can pass the changes on undecoded)"),
                    "changes": array(ref("Change"), "last in the answer")})),
        query={"after": integer(minimum=0), "limit": integer(minimum=1, maximum=5000),
               "until": {"anyOf": [instant(), {"const": ""}],
                         "description": "no later than the ministry's now; empty = now"}},
        errors=("invalid_input",), auth=SIGNED, tag="replication",
        description="Pending changes with seq > after whose visible_at <= min(until, now), in "
                    "seq order, never past an earlier waiting change of the same licence."),
    "replication.pull": Operation(
        "Take or renew the delivery lease and read the next page of due changes, in one call",
        answer(obj({"lease": obj({"granted": boolean(), **LEASE}),
                    "next_after": integer(minimum=0), "until": instant(),
                    "next_due_at": nullable(instant()),
                    "ids": array(SEQ_AND_ID,
                                 "[seq, change_id] of each change, in order"),
                    "changes": array(ref("Change"), "last in the answer; empty when the lease "
                                                    "was not granted")})),
        body=obj({"holder": string(minLength=1, maxLength=64),
                  "ttl": number("seconds, > 0 and <= 3600", exclusiveMinimum=0, maximum=3600),
                  "after": integer("a sequence number; absent: the checkpoint", minimum=0),
                  "limit": integer(minimum=1, maximum=5000),
                  "until": instant("no later than the ministry's now; absent: now")},
                 optional=("ttl", "after", "limit", "until"), closed=False), body_required=True,
        errors=("invalid_input",), auth=SIGNED, tag="replication",
        description="What POST /changes/lease and GET /changes do one after the other: the "
                    "lease is granted or renewed as by the lease call (without a report), then, "
                    "if it was, the page is read from `after` (from the checkpoint when absent)."),
    "replication.ack": Operation(
        "Acknowledge the changes the national portal answered for",
        answer(obj({"acknowledged": integer(minimum=0), "checkpoint": integer(minimum=0)})),
        body=obj({"change_ids": CHANGE_IDS,
                  "seqs": array(integer(minimum=1, maximum=2**63 - 1),
                                "sequence numbers (the replicator's form; used when change_ids "
                                "is absent)")},
                 optional=("change_ids", "seqs"), closed=False), body_required=True,
        auth=SIGNED, tag="replication",
        description="Names the changes by change_ids, or by seqs when change_ids is absent; "
                    "only pending rows become delivered (idempotent)."),
    "replication.nack": Operation(
        "Count a failed attempt on rejected changes; park them as blocked at max_attempts",
        answer(obj({"recorded": integer(minimum=0), "blocked": CHANGE_IDS})),
        body=obj({"failures": array(obj({"change_id": string(), "error": string()},
                                        optional=("error",), closed=False)),
                  "max_attempts": integer(minimum=1)}, optional=("max_attempts",),
                 closed=False), body_required=True,
        auth=SIGNED, tag="replication"),
    "replication.lease": Operation(
        "Take, renew (ttl > 0) or release (ttl 0) the delivery lease; record a run's report",
        answer(obj({"granted": boolean(), **LEASE})),
        body=obj({"holder": string(minLength=1, maxLength=64),
                  "ttl": number("seconds, 0..3600", minimum=0, maximum=3600),
                  "report": obj({}, closed=False, description="the last run's report")},
                 optional=("ttl", "report"), closed=False), body_required=True,
        auth=SIGNED, tag="replication"),
    "replication.lease_state": Operation(
        "The lease, checkpoint and last tick request, untouched", answer(obj(LEASE)),
        auth=SIGNED, tag="replication"),
}

CONTROL = {
    **control.control_operations({"lag": string("the lag policy applied to the next change")}),
    "control.move_clock": Operation(
        "Set, advance, jump to the next due change, freeze or resume the world's clock",
        answer(ref("Clock")),
        body=obj({"set": instant("never before data already written"),
                  "advance": string("90s, 15m, 2h, 3d or Nwd (working days)",
                                    examples=["1wd"]),
                  "next_due": boolean(), "freeze": boolean("applied first"),
                  "pause": boolean("= freeze"), "resume": boolean("applied last")},
                 optional=("set", "advance", "next_due", "freeze", "pause", "resume"),
                 closed=False),
        errors=("invalid_input", "forbidden", "calendar_year_unknown"),
        description="403 `forbidden` when the portal runs on the system clock."),
    "control.captcha_answer": Operation(
        "The answer of an image captcha",
        answer(obj({"token": string(), "answer": string(), "expires_at": instant(),
                    "used": boolean()}))),
    "control.issue": Operation(
        "Back office: issue a certificate",
        answer(ref("Certificate"), 201, "Issued"),
        body=obj({"name": string(examples=["张三"]),
                  "id_number": string(examples=["110101199003070011"]),
                  "category": string(examples=["电工作业"]),
                  "item": string(examples=["低压电工作业"]),
                  "version": choice("new", "old", "old_ic"), "issued_on": day(),
                  "authority": string("签发机关 (certsim authorities)")},
                 optional=("version", "issued_on", "authority"), closed=False),
        body_required=True,
        errors=("invalid_input", "duplicate", "not_eligible", "calendar_year_unknown")),
    "control.certificate": Operation(
        "Back office: a certificate with its status and eligibility now",
        answer(ref("Certificate"))),
    "control.change_certificate": Operation(
        "Back office: review, renew, revoke or cancel a certificate",
        answer(ref("Certificate")),
        body=obj({"result": choice("pass", "fail", description="review"),
                  "reviewed_on": day("review"), "renewed_on": day("renew"),
                  "reason": string("revoke, cancel")},
                 optional=("result", "reviewed_on", "renewed_on", "reason"), closed=False),
        path={"action": choice("review", "renew", "revoke", "cancel")},
        errors=("invalid_input", "not_eligible", "calendar_year_unknown")),
    "control.replication": Operation(
        "Replication figures: backlog by state, ages in simulated time, last run, lease",
        answer(obj({
            "now": instant(), "pending": integer(minimum=0),
            "due_not_applied": integer(minimum=0), "held_for_release": integer(minimum=0),
            "blocked": integer(minimum=0), "delivered": integer(minimum=0),
            "oldest_pending_age_seconds": nullable(number()),
            "oldest_due_age_seconds": nullable(number()), "next_due_at": nullable(instant()),
            "checkpoint": integer(minimum=0),
            "lease": obj({"holder": nullable(string()), "expires_at": nullable(instant())}),
            "last_run_at": nullable(instant()),
            "last_run": nullable(obj({}, closed=False)), "lag": string()}))),
    "control.peek": Operation(
        "Outbox rows in seq order, read-only (`key` repeated: of any of these licences)",
        answer(obj({"changes": array(ref("OutboxRow"))})),
        query={"state": choice(*OutboxState), "after": integer(), "limit": integer(
            minimum=1, maximum=5000), "key": array(string("certificate_key")),
            "payload": choice(*FLAGS), "explain": choice(*FLAGS)},
        errors=("invalid_input", "calendar_year_unknown")),
    "control.peek_one": Operation("One outbox row with its payload", answer(ref("OutboxRow"))),
    "control.release": Operation(
        "Release changes held by the manual lag (all, some change ids, or one licence)",
        answer(obj({"released": integer(minimum=0)})),
        body=obj({"change_ids": CHANGE_IDS, "certificate_key": string()},
                 optional=("change_ids", "certificate_key"), closed=False),
        errors=("invalid_input",)),
    "control.retry": Operation(
        "Put blocked changes back in the queue",
        answer(obj({"retried": integer(minimum=0), "at": instant()})),
        body=obj({"change_ids": CHANGE_IDS}, optional=("change_ids",), closed=False),
        errors=("invalid_input",)),
    "control.replay": Operation(
        "Deliver every change after a sequence number again",
        answer(obj({"requeued": integer(minimum=0), "checkpoint": integer(minimum=0),
                    "at": instant()})),
        body=obj({"after": integer(minimum=0)}, optional=("after",), closed=False),
        errors=("invalid_input",)),
    "control.tick": Operation(
        "Run the replicator now",
        (Answer(obj({"ran": boolean(), "report": anything("the run's report")}), 200,
                "Ran in-process (a replicator is attached)"),
         Answer(obj({"ran": boolean(), "tick_requested_at": instant(),
                     "ticks": integer(minimum=1)}), 202,
                "Asked `python -m sync` to run at its next poll")),
        description="Takes no body."),
    "control.lag": Operation("The lag policy applied to the next change",
                             answer(obj({"lag": string(), "seed": integer()}))),
    "control.set_lag": Operation(
        "Change the lag policy for changes written from now on",
        answer(obj({"lag": string(), "seed": integer()})),
        body=obj({"lag": string("0, <n>wd (n <= 3), <n>s|m|h, uniform:<a>wd..<b>wd, manual",
                                examples=["3wd"]),
                  "seed": integer()}, optional=("seed",), closed=False), body_required=True,
        errors=("invalid_input",)),
}

CONTRACT = Contract(title="应急管理部政务服务平台", api=API, control=CONTROL, schemas=SCHEMAS)
