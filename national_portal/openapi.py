"""The contract of the national portal's JSON API, replication ingest and control plane: one
`Operation` for each endpoint, from which `shared.web.openapi` builds the OpenAPI documents.
"""

from __future__ import annotations

from national_portal.payloads import FACE_FIELDS
from shared.models import Status
from shared.rules import STATUS_LABELS
from shared.web.openapi import accounts, control, wire
from shared.web.openapi.operation import BEARER, SIGNED, Answer, Contract, Operation, answer
from shared.web.openapi.schema import (
    array,
    boolean,
    choice,
    instant,
    integer,
    nullable,
    number,
    obj,
    ref,
    string,
)
from shared.world import FAULT_MODES

FACE_CHECKED = ("identity_not_verified", "identity_failed")
SNAPSHOT = wire.SCHEMAS["LicenceSnapshot"]["properties"]
LICENCE = obj({
    **{name: SNAPSHOT[name] for name in FACE_FIELDS}, "type": string(),
    "holder_id_number": string("masked"), "status": choice(*Status, description="today"),
    "status_label": choice(*STATUS_LABELS.values()),
    "arrived_at": instant("when the first copy arrived"), "updated_at": instant(),
    "bound_at": instant()}, description="A licence in 我的证照 as replicated.")
GUIDANCE = array(obj({"reason": string(), "remedy": string()}),
                 "the guide's two reasons a licence may be missing, with their remedies")
FAULTS = obj({"mode": choice(*FAULT_MODES), "calls": nullable(integer(minimum=0)),
              "delay": number(minimum=0), "failed_calls": integer(minimum=0)})
SCHEMAS = {**accounts.SCHEMAS, **control.SCHEMAS, **wire.SCHEMAS, "Licence": LICENCE}


def fault(code: str, status: int, switch: str) -> Answer:
    """An answer the fault switch forces on the ingest (POST /_sim/faults), or a crash."""
    return Answer(obj({"error": choice(code), "field": nullable(string()), "message": string()},
                      optional=("field",)), status,
                  f"The fault switch is `{switch}` (or the portal failed)")


API = {
    **accounts.account_operations(face_purposes=("bind", "licences"), verified_login=False),
    "api.register": accounts.register_operation(
        "个人注册 (no image captcha, no 实人认证 step)",
        obj({"account_id": integer(), "account": ref("Account")}), captcha=False),
    "api.licence_list": Operation(
        "我的证照: the bound licences with their status today",
        answer(obj({"licences": array(ref("Licence")), "guidance": GUIDANCE})),
        query={"status": choice("valid", "other", description="全部 when absent")},
        auth=BEARER, errors=("invalid_input",), tag="licences"),
    "api.bind": Operation(
        "绑定证照: bind every eligible replicated licence of the holder",
        answer(obj({"bound": array(string(), "the certificate keys bound now"),
                    "licences": array(ref("Licence")),
                    "message": string("您的特种作业操作证电子证照均已绑定 (nothing new)"),
                    "guidance": GUIDANCE}, optional=("message", "guidance"))),
        body=obj({"type": choice("特种作业操作证")}, closed=False), body_required=True,
        auth=BEARER, errors=("invalid_input", "not_found", *FACE_CHECKED),
        error_fields={"guidance": GUIDANCE}, tag="licences",
        description="Needs a passed face check of this login. 404 `not_found` with the guide's "
                    "`guidance` when nothing has arrived (数据存在延迟)."),
    "api.licence": Operation(
        "查看详情: the licence as replicated, its arrival time and binding history",
        answer(obj({"licence": ref("Licence"), "bindings": array(obj({
            "bound_at": instant(), "unbound_at": nullable(instant())}))})),
        auth=BEARER, tag="licences",
        path={"key": string("certificate_key or 证照标识", minLength=1)}),
    "api.unbind": Operation("解除绑定 (the licence can be bound again)",
                            answer(obj({"unbound": string("the certificate key")})),
                            auth=BEARER, tag="licences"),
    "replication.ingest": Operation(
        "Apply a signed batch of changes; one outcome per change, in order",
        answer(obj({"results": array(ref("ChangeOutcome"))})),
        body=obj({"changes": array(ref("IncomingChange"), maxItems=5000)}, closed=False),
        body_required=True, auth=SIGNED, tag="replication",
        faults={500: fault("internal_error", 500, "error"),
                503: fault("unavailable", 503, "down")},
        description="Idempotent by change id, in order per licence. A malformed batch as a "
                    "whole is 400 and nothing is written; a change whose kind or licence the "
                    "portal cannot take is answered `rejected` (see IncomingChange). The body "
                    "may be up to 8 MB."),
}

CONTROL = {
    **control.control_operations({"open_bindings": integer(minimum=0, description="bound now")}),
    "control.show_faults": Operation("The ingest's fault switch", answer(FAULTS)),
    "control.switch_faults": Operation(
        "Make the ingest fail (down: 503, error: 500) or stall, for N calls or until up",
        answer(FAULTS),
        body=obj({"mode": choice(*FAULT_MODES),
                  "calls": nullable(integer("null: until switched up", minimum=1)),
                  "delay": nullable(number("seconds, for slow; null: unchanged", minimum=0,
                                           maximum=120))},
                 optional=("mode", "calls", "delay"), closed=False),
        errors=("invalid_input",)),
    "control.replicated": Operation(
        "The replicated copy of a licence with its eligibility now",
        answer(obj({"licence": ref("LicenceSnapshot"), "revision": integer(minimum=1),
                    "status": string(), "arrived_at": instant(), "updated_at": instant(),
                    "eligible": boolean(), "reason": nullable(string())}))),
}

CONTRACT = Contract(title="国家政务服务平台", api=API, control=CONTROL, schemas=SCHEMAS)
