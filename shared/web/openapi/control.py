"""The contract of the control-plane calls both portals answer (shared.web.control)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.accounts.models import FaceCheckState, FacePurpose
from shared.web.openapi.operation import Operation, answer
from shared.web.openapi.schema import (
    array,
    boolean,
    choice,
    instant,
    integer,
    mapping,
    nullable,
    obj,
    ref,
    string,
)

SCHEMAS = {
    "Clock": obj({"now": instant("UTC"), "local": instant("Asia/Shanghai"),
                  "simulated": boolean(), "frozen": boolean()},
                 description="The portal's time (the world's clock)."),
    "Captcha": obj({"token": string(), "answer": string(), "created_at": instant(),
                    "expires_at": instant()}),
}
PHONE = string(examples=["13800138000"])


def control_operations(figures: Mapping[str, dict]) -> dict:
    """The operations of `shared.web.control.control_blueprint`; `figures`: the properties
    the portal adds to GET /_sim/info."""
    info = obj({
        "portal": choice("mem", "national"), "name": string(), "clock": ref("Clock"),
        "public_url": string(), "counts": mapping(integer(), "rows per table"),
        "world": string("where the world store is"),
        "database": string("the portal's database URL without its password"),
        "latest_written_at": nullable(instant("how far back the clock may be set")),
        **figures})
    message = obj({"code": string(), "text": string(), "purpose": string(),
                   "sent_at": instant(), "expires_at": instant(), "used": boolean(),
                   "expired": boolean()})
    return {
        "control.clock": Operation("The portal's time", answer(ref("Clock"))),
        "control.info": Operation("What this portal is, its time and how much it holds",
                                  answer(info)),
        "control.sms": Operation(
            "The simulated SMS inbox of one phone, newest first",
            answer(obj({"phone": string(), "messages": array(message)})),
            query={"phone": PHONE}, required_query=("phone",), errors=("invalid_input",)),
        "control.captchas": Operation(
            "The image captchas still good for a try, newest first, with their answers",
            answer(obj({"captchas": array(ref("Captcha"))}))),
        "control.decide": Operation(
            "Pass or fail a face-check ticket, as the phone app would",
            answer(obj({"token": string(), "purpose": choice(*FacePurpose),
                        "state": choice(*FaceCheckState)})),
            body=obj({"outcome": choice("pass", "fail")}, closed=False), body_required=True,
            errors=("invalid_input",)),
        "control.reset": Operation(
            "Empty the portal's database, then load the demo unless {\"empty\": true}",
            answer(obj({"reset": boolean(), "demo": array(string(), "what the demo wrote")})),
            body=obj({"empty": boolean()}, optional=("empty",), closed=False)),
    }
