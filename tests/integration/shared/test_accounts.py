"""Account services both portals use: captcha, SMS code, registration, login, face check."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from national_portal.models import TABLES as NATIONAL_TABLES
from shared.accounts.codes import new_captcha, send_sms_code, sms_inbox, use_captcha
from shared.accounts.faces import decide_face_check, require_face_check, start_face_check
from shared.accounts.logins import authenticate
from shared.accounts.models import Account, LoginAttempts, SmsMessage
from shared.accounts.passwords import SIMULATION
from shared.accounts.registration import Registration, register_account
from shared.db import create_schema, make_engine, make_sessionmaker
from shared.errors import (
    BadCredentials,
    FieldErrors,
    IdentityFailed,
    IdentityNotVerified,
    InvalidInput,
    Locked,
)

PHONE, ID = "13800138000", "110101199003070011"


@pytest.fixture
def session(db_url_factory):
    engine = make_engine(db_url_factory("national"))
    create_schema(engine, NATIONAL_TABLES)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def form(session, clock, **overrides):
    captcha = new_captcha(session, clock)
    sms = send_sms_code(session, clock, overrides.get("phone", PHONE), "register", "测试平台")
    values = dict(phone=PHONE, name="张三", id_number=ID, id_valid_from="", id_long_term=True,
                  password="Abc12345!",
                  confirm_password="Abc12345!", captcha_token=captcha.token,
                  captcha_answer=captcha.answer, sms_code=sms.code, agree=True)
    return Registration(**{**values, **overrides})


def register(session, clock, **overrides):
    return register_account(session, clock, form(session, clock, **overrides),
                            password_cost=SIMULATION)


def test_a_complete_form_creates_an_account_with_a_hashed_password(session, clock):
    account = register(session, clock)
    assert account.password_hash.startswith("$argon2id$") and "Abc12345!" not in account.password_hash


def test_every_wrong_field_is_reported_at_once_and_nothing_is_written(session, clock):
    with pytest.raises(FieldErrors) as info:
        register(session, clock, name="x", password="abcdefgh", confirm_password="abc",
                 agree=False, sms_code="000000")
    assert set(info.value.errors) == {"name", "password", "confirm_password", "agree", "sms_code"}
    assert session.scalar(select(func.count(Account.id))) == 0


def test_a_wrong_captcha_is_the_only_answer_about_codes_and_registered_holders(session, clock):
    register(session, clock)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(FieldErrors) as info:
        register(session, clock, name="x", captcha_answer="????", sms_code="000000")
    assert set(info.value.errors) == {"name", "captcha"}   # not sms_code, not 已注册


def test_mismatched_passwords_are_reported_on_the_confirmation(session, clock):
    with pytest.raises(FieldErrors) as info:
        register(session, clock, confirm_password="Abc12345@")
    assert set(info.value.errors) == {"confirm_password"}


def test_a_second_registration_with_the_same_phone_or_id_is_a_duplicate(session, clock):
    register(session, clock)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(FieldErrors) as info:
        register(session, clock)
    assert info.value.code == "duplicate" and set(info.value.errors) == {"phone", "id_number"}


def test_an_sms_code_expires_after_five_simulated_minutes(session, clock):
    registration = form(session, clock)
    clock.advance(timedelta(minutes=5, seconds=1))
    with pytest.raises(FieldErrors) as info:
        register_account(session, clock, registration, require_captcha=False)
    assert "过期" in info.value.errors["sms_code"]


def test_sms_codes_cannot_be_requested_twice_within_a_minute(session, clock):
    send_sms_code(session, clock, PHONE, "register", "测试平台")
    with pytest.raises(InvalidInput, match="频繁"):
        send_sms_code(session, clock, PHONE, "register", "测试平台")
    clock.advance(timedelta(seconds=61))
    send_sms_code(session, clock, PHONE, "register", "测试平台")
    assert len(sms_inbox(session, PHONE)) == 2


def test_a_captcha_is_good_for_one_use_only(session, clock):
    captcha = new_captcha(session, clock)
    use_captcha(session, clock, captcha.token, captcha.answer.lower())
    with pytest.raises(InvalidInput, match="失效"):
        use_captcha(session, clock, captcha.token, captcha.answer)


def test_five_wrong_passwords_lock_the_account_for_thirty_minutes(session, clock):
    register(session, clock)
    for _ in range(4):
        with pytest.raises(BadCredentials):
            authenticate(session, clock, PHONE, "wrong-pass1")
    with pytest.raises(Locked):
        authenticate(session, clock, PHONE, "wrong-pass1")
    with pytest.raises(Locked):
        authenticate(session, clock, PHONE, "Abc12345!")
    clock.advance(timedelta(minutes=31))
    assert authenticate(session, clock, ID, "Abc12345!").phone == PHONE


def test_a_face_check_counts_only_for_its_own_login_session(session, clock):
    account = register(session, clock)
    ticket = start_face_check(session, clock, account, "licences", "login-1")
    with pytest.raises(IdentityNotVerified):
        require_face_check(session, clock, account, ticket.token, "login-1")
    decide_face_check(session, clock, ticket.token, passed=True)
    assert require_face_check(session, clock, account, ticket.token, "login-1")
    with pytest.raises(IdentityNotVerified):
        require_face_check(session, clock, account, ticket.token, "login-2")


def test_a_failed_face_check_says_so(session, clock):
    account = register(session, clock)
    ticket = start_face_check(session, clock, account, "bind", "m")
    decide_face_check(session, clock, ticket.token, passed=False)
    with pytest.raises(IdentityFailed):
        require_face_check(session, clock, account, ticket.token, "m")


def test_a_face_check_left_pending_expires_and_cannot_be_decided(session, clock):
    account = register(session, clock)
    ticket = start_face_check(session, clock, account, "bind", "m")
    clock.advance(timedelta(minutes=4))
    with pytest.raises(InvalidInput, match="过期"):
        decide_face_check(session, clock, ticket.token, passed=True)


def test_a_second_verdict_on_a_face_check_is_refused_and_the_first_stands(session, clock):
    account = register(session, clock)
    ticket = start_face_check(session, clock, account, "bind", "m")
    assert decide_face_check(session, clock, ticket.token, passed=False).state == "failed"
    with pytest.raises(InvalidInput, match="认证未通过"):
        decide_face_check(session, clock, ticket.token, passed=True)
    with pytest.raises(IdentityFailed):
        require_face_check(session, clock, account, ticket.token, "m")


def test_a_verdict_that_meets_one_given_meanwhile_is_refused(session, clock, monkeypatch):
    """The app answers twice at once: both read the ticket pending, one verdict lands."""
    import shared.accounts.faces as faces

    account = register(session, clock)
    ticket = start_face_check(session, clock, account, "bind", "m")
    read_before = faces.get_face_check(session, ticket.token)  # pending, as both read it
    decide_face_check(session, clock, ticket.token, passed=True)
    reads = iter([read_before])
    real = faces.get_face_check
    monkeypatch.setattr(faces, "get_face_check", lambda s, t: next(reads, None) or real(s, t))
    with pytest.raises(InvalidInput, match="已完成认证"):
        decide_face_check(session, clock, ticket.token, passed=False)
    assert require_face_check(session, clock, account, ticket.token, "m").state == "passed"


@pytest.mark.parametrize("require_captcha", [True, False], ids=["ministry", "national"])
def test_one_sms_code_survives_every_refusal_for_another_field_at_the_same_instant(
        session, clock, require_captcha):
    sms = send_sms_code(session, clock, PHONE, "register", "测试平台")
    wrong_one_at_a_time = [
        {"id_number": "110101199003070012"}, {"phone": "1380013800"},
        {"password": "abcdefgh", "confirm_password": "abcdefgh"},
        {"confirm_password": "Abc12345@"}, {"agree": False}, {"captcha_answer": "????"}]
    for wrong in wrong_one_at_a_time[:None if require_captcha else -1]:
        with pytest.raises(FieldErrors) as info:
            register_account(session, clock, fresh_form(session, clock, sms, **wrong),
                             require_captcha=require_captcha)
        assert "sms_code" not in info.value.errors
    assert tuple(stored(session, sms)) == (None, 0)
    account = register_account(session, clock, fresh_form(session, clock, sms),
                               require_captcha=require_captcha, password_cost=SIMULATION)
    assert account.phone == PHONE and stored(session, sms).used_at == clock.now()


def stored(session, sms):
    """The code's use and wrong tries as the database holds them now."""
    return session.execute(select(SmsMessage.used_at, SmsMessage.wrong_tries)
                           .where(SmsMessage.id == sms.id)).one()


def fresh_form(session, clock, sms, **overrides) -> Registration:
    """The form as a person submits it again: the same SMS code, a new image captcha."""
    captcha = new_captcha(session, clock)
    values = dict(phone=PHONE, name="张三", id_number=ID, id_valid_from="", id_long_term=True,
                  password="Abc12345!", confirm_password="Abc12345!", agree=True,
                  captcha_token=captcha.token, captcha_answer=captcha.answer, sms_code=sms.code)
    return Registration(**{**values, **overrides})


def test_a_weak_password_does_not_hide_a_different_confirmation(session, clock):
    with pytest.raises(FieldErrors) as info:
        register(session, clock, password="abcdefgh", confirm_password="abcdefgx")
    assert set(info.value.errors) == {"password", "confirm_password"}


def test_an_empty_login_form_asks_for_both_fields_and_counts_no_try(session, clock):
    with pytest.raises(FieldErrors) as info:
        authenticate(session, clock, " ", "")
    assert info.value.errors == {"login": "请输入手机号码或身份证号", "password": "请输入密码"}
    with pytest.raises(FieldErrors) as info:
        authenticate(session, clock, PHONE, "")
    assert info.value.errors == {"password": "请输入密码"}
    assert session.get(LoginAttempts, PHONE) is None
