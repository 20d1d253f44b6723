"""绑定证照, 查看详情, 解除绑定 through the JSON API, with licences delivered by replication."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from support.national import LI, ZHANG, Api, make_app

NOT_FOUND = "未查询到特种作业操作证电子证照"


def test_bind_finds_nothing_before_the_licence_is_replicated(holder, ministry):
    ministry.issue()
    response = holder.bind()
    assert response.status_code == 404
    assert response.json["message"] == NOT_FOUND
    reasons = [g["reason"] for g in response.json["guidance"]]
    remedies = [g["remedy"] for g in response.json["guidance"]]
    assert "仅支持新版特种作业操作证" in reasons[0] and "经复审合格换发新版" in remedies[0]
    assert "数据存在延迟" in reasons[1] and "等待3个工作日" in remedies[1]


def test_bind_after_delivery_binds_the_holders_licence(app, holder, ministry):
    key = ministry.issue()
    assert ministry.deliver(app) == ["applied"]
    response = holder.bind()
    assert response.status_code == 200
    assert response.json["bound"] == [key]
    [licence] = response.json["licences"]
    assert (licence["certificate_key"], licence["status"], licence["status_label"]) == (
        key, "valid", "有效")
    assert [row["certificate_key"] for row in holder.get("/api/v1/licences").json["licences"]] == [key]


def test_binding_again_binds_nothing_new(app, holder, ministry):
    key = ministry.issue()
    ministry.deliver(app)
    holder.bind()
    response = holder.bind()
    assert response.json["bound"] == []
    assert [row["certificate_key"] for row in response.json["licences"]] == [key]


def test_bind_binds_only_the_verified_holders_licences(app, holder, ministry):
    mine = ministry.issue(ZHANG)
    ministry.issue(LI)
    ministry.deliver(app)
    assert holder.bind().json["bound"] == [mine]


def test_bind_needs_a_face_check_in_this_login(app, ministry):
    api = Api(app)
    api.register()
    api.login()
    response = api.bind()
    assert response.status_code == 403
    assert response.json["error"] == "identity_not_verified"
    api.face_check(outcome=None)  # opened, not yet decided
    assert api.bind().json["error"] == "identity_not_verified"


def test_a_failed_face_check_is_identity_failed(app):
    api = Api(app)
    api.register()
    api.login()
    api.face_check("fail")
    response = api.bind()
    assert response.status_code == 403
    assert response.json == {"error": "identity_failed", "field": "identity",
                             "message": "实人认证未通过，请重新认证"}


def test_a_face_check_of_an_earlier_login_does_not_count(holder):
    holder.post("/api/v1/logout")
    holder.login()
    assert holder.bind().json["error"] == "identity_not_verified"


def test_face_check_state_is_visible_to_its_holder_only(app, holder):
    token = holder.face_check(outcome=None)
    assert holder.get(f"/api/v1/face-checks/{token}").json["state"] == "pending"
    other = Api(app).signed_up(LI)
    assert other.get(f"/api/v1/face-checks/{token}").status_code == 404


def test_face_check_answers_the_app_url_under_public_url(db_url_factory, clock):
    app = make_app(db_url_factory("national"), clock, PUBLIC_URL="http://192.168.1.20:5002/")
    api = Api(app)
    api.register()
    api.login()
    answer = api.post("/api/v1/face-checks", {"purpose": "bind"}).json
    assert answer["app_url"] == f"http://192.168.1.20:5002/app/face/{answer['token']}"
    assert answer["state"] == "pending"


def test_bind_refuses_another_licence_type(holder):
    response = holder.bind("机动车驾驶证")
    assert response.status_code == 400
    assert response.json["field"] == "type"


def test_bind_requires_login(app):
    assert Api(app).bind().json["error"] == "not_logged_in"


def test_an_old_ic_card_is_not_offered_for_binding(app, holder, ministry):
    ministry.issue(card_version="old_ic", issued_on=date(2018, 5, 2))
    ministry.deliver(app)
    assert holder.bind().json["message"] == NOT_FOUND


def test_detail_shows_the_face_metadata_and_arrival_time(app, holder, ministry, clock):
    key = ministry.issue()
    clock.advance(timedelta(days=3))
    delivered_at = clock.now()
    ministry.deliver(app)
    clock.advance(timedelta(hours=2))
    holder.login()  # the first login has expired by now
    holder.face_check("pass")
    holder.bind()
    response = holder.get(f"/api/v1/licences/{key}")
    licence = response.json["licence"]
    assert licence["holder_name"] == "张三"
    assert licence["holder_id_number"] == "110101********0011"
    assert (licence["category"], licence["item"]) == ("电工作业", "低压电工作业")
    assert licence["valid_from"] == "2024-09-27" and licence["valid_to"] == "2030-09-27"
    assert licence["licence_id"].endswith(".001." + licence["licence_id"][-1])
    assert datetime.fromisoformat(licence["arrived_at"]) == delivered_at
    assert datetime.fromisoformat(licence["bound_at"]) == clock.now()
    assert response.json["bindings"][0]["unbound_at"] is None


def test_the_licence_identifier_finds_the_licence_too(app, holder, ministry):
    ministry.issue()
    ministry.deliver(app)
    licence = holder.bind().json["licences"][0]
    response = holder.get(f"/api/v1/licences/{licence['licence_id']}")
    assert response.json["licence"]["certificate_key"] == licence["certificate_key"]


def test_another_holders_licence_is_not_found_to_view_or_unbind(app, holder, ministry):
    ministry.issue(ZHANG)
    theirs = ministry.issue(LI)
    ministry.deliver(app)
    holder.bind()
    Api(app).signed_up(LI).bind()
    assert holder.get(f"/api/v1/licences/{theirs}").status_code == 404
    assert holder.delete(f"/api/v1/licences/{theirs}/binding").status_code == 404
    assert holder.get("/api/v1/licences/nonexistent").json["error"] == "not_found"


def test_unbinding_removes_the_licence_and_binding_again_restores_it(app, holder, ministry, clock):
    key = ministry.issue()
    ministry.deliver(app)
    holder.bind()
    assert holder.delete(f"/api/v1/licences/{key}/binding").json == {"unbound": key}
    assert holder.get("/api/v1/licences").json["licences"] == []
    assert holder.get(f"/api/v1/licences/{key}").status_code == 404
    assert holder.delete(f"/api/v1/licences/{key}/binding").status_code == 404
    clock.advance(timedelta(minutes=1))
    assert holder.bind().json["bound"] == [key]
    history = holder.get(f"/api/v1/licences/{key}").json["bindings"]
    assert len(history) == 2
    assert history[0]["unbound_at"] is not None and history[1]["unbound_at"] is None


def test_a_revoked_licence_shows_its_status_once_replicated(app, holder, ministry):
    key = ministry.issue()
    ministry.deliver(app)
    holder.bind()
    ministry.revoke(key)
    assert holder.get("/api/v1/licences").json["licences"][0]["status"] == "valid"
    assert ministry.deliver(app) == ["applied"]
    licence = holder.get(f"/api/v1/licences/{key}").json["licence"]
    assert (licence["status"], licence["status_label"]) == ("revoked", "已撤销")
    assert licence["status_reason"] == "提供虚假材料取得证书"


def test_a_cancelled_licence_is_no_longer_offered_for_binding(app, holder, ministry):
    key = ministry.issue()
    ministry.deliver(app)
    holder.bind()
    holder.delete(f"/api/v1/licences/{key}/binding")
    ministry.cancel(key)
    ministry.deliver(app)
    assert holder.bind().json["message"] == NOT_FOUND


def test_status_filter_separates_valid_from_other_licences(app, holder, ministry):
    valid = ministry.issue()
    revoked = ministry.issue(category="焊接与热切割作业", item="熔化焊接与热切割作业")
    ministry.deliver(app)
    holder.bind()
    ministry.revoke(revoked)
    ministry.deliver(app)
    keys = {status: [r["certificate_key"] for r in
                     holder.get(f"/api/v1/licences?status={status}").json["licences"]]
            for status in ("valid", "other")}
    assert keys == {"valid": [valid], "other": [revoked]}
    assert len(holder.get("/api/v1/licences").json["licences"]) == 2


def test_an_expired_licence_shows_as_expired_in_the_list(app, holder, ministry, clock):
    key = ministry.issue()
    ministry.deliver(app)
    holder.bind()
    clock.set(clock.now() + timedelta(days=365 * 6 + 2))
    holder.login()
    [licence] = holder.get("/api/v1/licences").json["licences"]
    assert (licence["certificate_key"], licence["status"]) == (key, "expired")


def test_all_bound_answers_with_the_guides_reasons_when_one_is_still_on_its_way(app, holder,
                                                                              ministry):
    ministry.issue()
    ministry.deliver(app)
    assert holder.bind().json["bound"] != []
    ministry.issue(item="熔化焊接与热切割作业", category="焊接与热切割作业")  # not delivered yet
    answer = holder.bind().json
    assert answer["bound"] == [] and answer["message"] == "您的特种作业操作证电子证照均已绑定"
    assert "数据存在延迟现象" in answer["guidance"][1]["reason"]


def test_my_licences_answers_the_guides_reasons_with_the_list(holder):
    guidance = holder.get("/api/v1/licences").json["guidance"]
    assert len(guidance) == 2 and "仅支持新版特种作业操作证" in guidance[0]["reason"]
