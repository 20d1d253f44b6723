"""Attacks on accounts, replayed against both portals (issue 12, items 2, 5, 7 and 8).

Parallel wrong passwords bypassed the lockout; SMS codes could be guessed without limit and a
wrong captcha still told whether the SMS code was right; full-width digits registered a second
张三; unknown users and registered IDs could be told apart by the answers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from support.mem import ApiDriver, make_test_app
from support.national import PASSWORD, ZHANG, Api, make_app

from shared.accounts.models import Account, SmsMessage

NAME, PHONE, ID_NUMBER = ZHANG.name, ZHANG.phone, ZHANG.id_number
FULL_WIDTH_PHONE = "138００１３８０００"
FULL_WIDTH_ID = "1１０１０１19900307００１1"


@pytest.fixture
def mem(db_url_factory, clock):
    return make_test_app(db_url_factory("mem"), clock, SECRET_KEY="m" * 32)


@pytest.fixture(params=["mem", "national"])
def portal(request, db_url_factory, clock):
    """Each portal with one registered holder: (name, app)."""
    if request.param == "mem":
        app = make_test_app(db_url_factory("mem"), clock, SECRET_KEY="m" * 32)
        registered_mem(app)
    else:
        app = make_app(db_url_factory("national"), clock)
        registered_national(app)
    return request.param, app


@pytest.fixture(params=["mem", "national"])
def empty_portal(request, db_url_factory, clock):
    """Each portal with nobody registered: (name, app)."""
    if request.param == "mem":
        return "mem", make_test_app(db_url_factory("mem"), clock, SECRET_KEY="m" * 32)
    return "national", make_app(db_url_factory("national"), clock)


def registered_mem(app) -> ApiDriver:
    api = ApiDriver(app.test_client())
    api.register(PHONE, NAME, ID_NUMBER, PASSWORD)
    return api


def registered_national(app) -> Api:
    api = Api(app)
    assert api.register().status_code == 201
    return api


def account_count(app) -> int:
    with app.extensions["certsim"].engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Account))


def log_in_at_once(app, password: str, times: int) -> list[int]:
    """Send `times` logins in parallel threads; return the status codes."""
    def attempt(_):
        response = app.test_client().post("/api/v1/login",
                                          json={"login": PHONE, "password": password})
        return response.status_code
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(attempt, range(times)))


@pytest.mark.parametrize("attempts", [16, 40])
def test_parallel_wrong_passwords_never_get_more_than_five_checks_and_lock_the_account(
        portal, attempts):
    _, app = portal
    statuses = log_in_at_once(app, "Wrong-pass1", attempts)
    assert statuses.count(401) <= 5 and set(statuses) <= {401, 423}
    assert 423 in statuses
    right = app.test_client().post("/api/v1/login", json={"login": PHONE, "password": PASSWORD})
    assert right.status_code == 423


def test_an_unknown_name_is_answered_and_locked_exactly_like_a_known_one(portal):
    _, app = portal
    client = app.test_client()

    def answers(login: str) -> list[tuple[int, str]]:
        return [(r.status_code, r.get_json()["message"]) for r in (
            client.post("/api/v1/login", json={"login": login, "password": "Wrong-pass1"})
            for _ in range(6))]

    assert answers("13900000000") == answers(PHONE)


def test_a_wrong_captcha_says_nothing_about_the_sms_code_or_registered_holders(mem):
    api = registered_mem(mem)
    api.token = None
    other_phone = "13900001111"
    form = api.register_form(other_phone, NAME, ID_NUMBER, PASSWORD,
                             {"captcha_answer": "0000", "sms_code": "000000"})
    status, body = api.call("POST", "/api/v1/register", form)
    assert (status, body["errors"]) == (400, {"captcha": "图片验证码不正确"})
    right_code = api.ok("GET", f"/_sim/sms?phone={other_phone}")["messages"][0]["code"]
    with mem.app_context():
        from shared.web.resources import get_session
        tries = get_session().scalar(select(SmsMessage.wrong_tries).where(
            SmsMessage.code == right_code))
    assert tries == 0   # the SMS code was not even looked at


def test_an_sms_code_dies_after_five_wrong_tries_even_when_guessed_in_parallel(empty_portal):
    portal, app = empty_portal
    client = app.test_client()
    client.post("/api/v1/sms-codes", json={"phone": PHONE, "purpose": "register"})
    code = client.get(f"/_sim/sms?phone={PHONE}").get_json()["messages"][0]["code"]
    driver = ApiDriver(client)

    def body(sms_code: str) -> dict:
        form = {"phone": PHONE, "name": NAME, "id_number": ID_NUMBER, "id_valid_from": None,
                "password": PASSWORD, "confirm_password": PASSWORD, "sms_code": sms_code,
                "agree": True}
        if portal == "mem":
            captcha = driver.ok("GET", "/api/v1/captcha")
            form |= {"captcha_token": captcha["token"],
                     "captcha_answer": driver.ok("GET", f"/_sim/captcha/{captcha['token']}")["answer"]}
        return form

    guesses = [body(f"{n:06d}") for n in range(30) if f"{n:06d}" != code]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda form: app.test_client().post(
            "/api/v1/register", json=form).get_json()["errors"]["sms_code"], guesses))
    assert sum("不正确" in a for a in answers) <= 4
    final = client.post("/api/v1/register", json=body(code)).get_json()
    assert final["errors"]["sms_code"] == "短信验证码错误次数过多，已失效，请重新获取"
    assert account_count(app) == 0


def test_full_width_digits_are_the_same_phone_and_id_number_as_ascii_ones(portal):
    _, app = portal
    client = app.test_client()
    sent = client.post("/api/v1/sms-codes", json={"phone": FULL_WIDTH_PHONE,
                                                  "purpose": "register"})
    assert (sent.status_code, sent.get_json()["message"]) == (409, "该手机号码已注册")
    login = client.post("/api/v1/login", json={"login": FULL_WIDTH_ID, "password": PASSWORD})
    assert login.status_code == 200
    assert account_count(app) == 1


def test_a_full_width_id_number_registers_as_ascii_and_is_then_a_duplicate(portal):
    portal, app = portal
    client, other_phone = app.test_client(), "13900002222"
    client.post("/api/v1/sms-codes", json={"phone": other_phone, "purpose": "register"})
    code = client.get(f"/_sim/sms?phone={other_phone}").get_json()["messages"][0]["code"]
    form = {"phone": other_phone, "name": NAME, "id_number": FULL_WIDTH_ID, "id_valid_from": None,
            "password": PASSWORD, "confirm_password": PASSWORD, "sms_code": code, "agree": True}
    if portal == "mem":
        driver = ApiDriver(client)
        captcha = driver.ok("GET", "/api/v1/captcha")
        form |= {"captcha_token": captcha["token"],
                 "captcha_answer": driver.ok("GET", f"/_sim/captcha/{captcha['token']}")["answer"]}
    answer = client.post("/api/v1/register", json=form).get_json()
    assert answer["error"] == "duplicate" and answer["errors"] == {"id_number": "该身份证号已注册"}
