"""The JSON twin of every page flow (`/api/v1`): the scenario runner drives the portal here.

The account calls are the web kit's (shared.web.accounts_api); this portal adds 个人注册 and
我的证照 with 绑定证照, 查看详情 and 解除绑定.
"""

from __future__ import annotations

from flask import jsonify, request

from national_portal.payloads import bind_facts, history_json, licence_json
from national_portal.services import licences
from shared.accounts.models import FacePurpose
from shared.accounts.registration import register_account, registration_from_json
from shared.errors import InvalidInput
from shared.recording import licence_ref
from shared.web.accounts_api import account_json, accounts_api
from shared.web.bodies import body_text, json_body
from shared.web.logins import api_account, api_login
from shared.web.recording import note, note_facts, note_holder, typed_registration
from shared.web.resources import get_clock, get_password_cost, get_session

bp = accounts_api(__name__, face_purposes=(FacePurpose.BIND, FacePurpose.LICENCES))


@bp.post("/register")
def register():
    """个人注册: create the account (no image captcha, no 实人认证 step)."""
    form = registration_from_json(json_body())
    note("register", typed=typed_registration(form))
    account = register_account(get_session(), get_clock(), form, require_captcha=False,
                               password_cost=get_password_cost())
    note_holder(account)
    return jsonify({"account_id": account.id, "account": account_json(account)}), 201


@bp.get("/licences")
def licence_list():
    """我的证照: the bound licences with their status today."""
    status = request.args.get("status")
    if status not in (None, *licences.STATUS_FILTERS):
        raise InvalidInput("status", "status应为 valid 或 other")
    rows = licences.bound_licences(get_session(), get_clock(), api_account(), status)
    if status is None:  # the list a scenario's 我的证照 sees
        note("my_licences", api_account(), listed=[licence_ref(row.licence) for row in rows],
             guidance=licences.guidance_json())
    return jsonify({"licences": [licence_json(row) for row in rows],
                    "guidance": licences.guidance_json()})


@bp.post("/licences/bind")
def bind():
    """绑定证照 after 实人认证: bind every eligible replicated licence of the holder."""
    note("bind", api_account())
    result = licences.bind_licences(get_session(), get_clock(), api_account(),
                                    api_login().marker, body_text(json_body(), "type"))
    answer = {"bound": [licence.certificate_key for licence in result.newly_bound],
              "licences": [licence_json(row) for row in result.licences]}
    if not result.newly_bound:  # 均已绑定: the one looked for may not have arrived yet
        answer |= {"message": licences.ALL_BOUND, "guidance": licences.guidance_json()}
    note_facts(**bind_facts(result))
    return jsonify(answer)


@bp.get("/licences/<key>")
def licence(key: str):
    """查看详情: the licence as replicated, its arrival time and binding history."""
    account = api_account()
    note("details", account, certificate={"key": key})
    row = licences.bound_licence(get_session(), get_clock(), account, key)
    note_facts(certificate=licence_ref(row.licence), status=row.status)
    history = licences.binding_history(get_session(), account, row.licence)
    return jsonify({"licence": licence_json(row), "bindings": history_json(history)})


@bp.delete("/licences/<key>/binding")
def unbind(key: str):
    """解除绑定: remove the licence from 我的证照 (it can be bound again)."""
    note("unbind", api_account(), certificate={"key": key})
    licence = licences.unbind_licence(get_session(), get_clock(), api_account(), key)
    note_facts(certificate=licence_ref(licence))
    return jsonify({"unbound": licence.certificate_key})
