"""The contract of the account calls both portals answer (shared.web.accounts_api)."""

from __future__ import annotations

from collections.abc import Sequence

from shared.accounts.codes import SMS_TTL
from shared.accounts.models import FaceCheckState, FacePurpose
from shared.web.openapi.operation import BEARER, Operation, answer
from shared.web.openapi.schema import boolean, choice, instant, integer, obj, ref, string

SCHEMAS = {
    "Account": obj({
        "id": integer(), "name": string("姓名"), "phone": string("masked, e.g. 138****8000"),
        "id_number": string("masked ID number"),
        "identity_verified": boolean("registration's 实人认证 passed")},
        description="The holder logged in (phone and ID number masked)."),
    "FaceCheck": obj({
        "token": string(), "purpose": choice(*FacePurpose),
        "state": choice(*FaceCheckState, description="expired: after 3 simulated minutes"),
        "scanned": boolean("the phone app opened the ticket"),
        "app_url": string("the simulated 国家政务服务平台 APP page (the QR code's link)",
                          format="uri"),
        "expires_at": instant()},
        description="A 实人认证 ticket; the phone app or POST /_sim/face-checks/{token} decides it."),
}
LOGIN_BODY = obj({"login": string("phone or ID number", examples=["13800138000"]),
                  "password": string(examples=["Demo@2026"])}, closed=False)
LOGIN = obj({"token": string("the bearer token"), "account": ref("Account"),
             "expires_at": instant("the token's end (login time + 30 min, portal clock)")})


def account_operations(*, face_purposes: Sequence[str], verified_login: bool) -> dict:
    """The operations of `shared.web.accounts_api.accounts_api` called with the same options."""
    login_refusals = ("invalid_input", "bad_credentials", "locked")
    return {
        "api.sms_codes": Operation(
            "获取验证码: send a registration SMS code to the simulated inbox",
            answer(obj({"sent": boolean(), "expires_in": integer(
                "seconds", const=int(SMS_TTL.total_seconds()))})),
            body=obj({"phone": string(examples=["13900139000"]),
                      "purpose": choice("register")}, optional=("purpose",), closed=False),
            errors=("invalid_input", "duplicate"), tag="accounts",
            description="Read it with GET /_sim/sms?phone=… (control plane). One a minute "
                        "and five an hour per phone; 409 `duplicate` for a registered phone."),
        "api.login": Operation(
            "Log in by phone or ID number", answer(LOGIN), body=LOGIN_BODY, body_required=True,
            errors=login_refusals + (("identity_not_verified",) if verified_login else ()),
            error_fields={"face_check": ref("FaceCheck")} if verified_login else {},
            tag="accounts",
            description="Five wrong passwords lock the name for 30 minutes (423 `locked`)."
                        + (" An account whose registration 实人认证 never passed is answered "
                           "403 `identity_not_verified` with a new `face_check`."
                           if verified_login else "")),
        "api.logout": Operation("退出: the token stops working",
                                answer(obj({"logged_out": boolean()})), auth=BEARER,
                                tag="accounts"),
        "api.account": Operation("Who is logged in", answer(obj({"account": ref("Account")})),
                                 auth=BEARER, tag="accounts"),
        "api.open_face_check": Operation(
            "Open a 实人认证 ticket for this login",
            answer(ref("FaceCheck"), 201, "Opened"),
            body=obj({"purpose": choice(*face_purposes)}, optional=("purpose",), closed=False),
            errors=("invalid_input",), auth=BEARER, tag="accounts",
            description=f"`purpose` defaults to `{face_purposes[0]}`."),
        "api.face_check": Operation("The state of one of this holder's face checks",
                                    answer(ref("FaceCheck")), auth=BEARER, tag="accounts"),
    }


def register_operation(summary: str, created: dict, *, captcha: bool) -> Operation:
    """POST /api/v1/register: the form's fields in, 201 with `created` out."""
    return Operation(
        summary, answer(created, 201, "Created"), body=registration_body(captcha=captcha),
        body_required=True, errors=("invalid_input", "duplicate"), tag="accounts",
        description="Every wrong field at once in `errors`; `id_valid_from` null = 长期有效.")


def registration_body(*, captcha: bool) -> dict:
    """POST /api/v1/register: the form's fields (`captcha`: the ministry's image captcha too)."""
    fields = {
        "phone": string(examples=["13900139000"]), "name": string("姓名", examples=["李四"]),
        "id_number": string("居民身份证号码", examples=["110101199003070011"]),
        "id_valid_from": {"type": ["string", "null"], "format": "date",
                          "description": "身份证有效开始时间; null = 长期有效"},
        "password": string("8-20 characters with two of digits, letters, `~!_@#$%*"),
        "confirm_password": string(), "sms_code": string("from GET /_sim/sms?phone=…"),
        "agree": {"const": True, "description": "同意注册协议"}}
    if captcha:
        fields |= {"captcha_token": string("from GET /api/v1/captcha"),
                   "captcha_answer": string("from GET /_sim/captcha/{token}")}
    return obj(fields, closed=False)
