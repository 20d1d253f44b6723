"""The SMS code a person types into a registration form, as a person keeps it.

A person clicks 获取验证码 only when the code in hand is no good any more: used by a successful
registration, expired (5 minutes), superseded by a newer one, or spent by five wrong tries. So
a registration refused for another field can be retried at once with the same code, without
meeting the one-a-minute limit. The inbox is read through the control plane (`/_sim/sms`).
"""

from __future__ import annotations

from scenarios.context import Context, HeldCode
from scenarios.portals import ApiError, Portal
from shared.accounts.codes import SMS_MAX_TRIES


def code_in_hand(ctx: Context, portal_name: str, phone: str) -> tuple[HeldCode, bool]:
    """Return the code for `phone` and whether it was asked for now; a refused 获取验证码
    raises ApiError (a bad or registered phone, too many codes)."""
    portal, key = ctx.portal(portal_name), (portal_name, phone)
    held = ctx.sms_codes.get(key)
    if held is not None and _still_good(portal, phone, held):
        return held, False
    portal.ok("POST", "/api/v1/sms-codes", {"phone": phone, "purpose": "register"})
    newest = _inbox(portal, phone)[:1]
    held = HeldCode(newest[0]["code"], newest[0]["sent_at"]) if newest else HeldCode("", "")
    ctx.sms_codes[key] = held
    return held, True


def note_refusal(held: HeldCode, typed: str, error: ApiError) -> None:
    """Note what a refusal naming `sms_code` says of the code in hand: a wrong code typed
    against it takes one of its tries; the code itself refused is no good any more."""
    if "sms_code" in error.fields:
        held.wrong_tries = SMS_MAX_TRIES if typed == held.code else held.wrong_tries + 1


def _still_good(portal: Portal, phone: str, held: HeldCode) -> bool:
    if held.wrong_tries >= SMS_MAX_TRIES:
        return False
    newest = _inbox(portal, phone)[:1]
    return bool(newest) and newest[0]["sent_at"] == held.sent_at and newest[0]["code"] == (
        held.code) and not newest[0]["used"] and not newest[0]["expired"]


def _inbox(portal: Portal, phone: str) -> list[dict]:
    """The messages sent to `phone`, newest first."""
    return portal.ok("GET", f"/_sim/sms?phone={phone}")["messages"]
