"""个人注册, 登录 (个人用户登录) and 退出 on the national portal."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from shared.accounts.codes import send_registration_code
from shared.accounts.logins import account_of, log_in
from shared.accounts.passwords import PASSWORD_RULE
from shared.accounts.registration import register_account, registration_from_form
from shared.errors import DomainError, FieldErrors
from shared.identity import mask_phone
from shared.web.logins import end_page_login, login_required, page_account, start_page_login
from shared.web.recording import note, note_holder, note_refusal, typed_registration
from shared.web.resources import get_clock, get_password_cost, get_session
from shared.web.security import safe_next

bp = Blueprint("auth", __name__)
KEPT_FIELDS = ("phone", "name", "id_number", "id_valid_from", "id_long_term", "sms_code", "agree")


def _errors_of(exc: DomainError) -> dict[str, str]:
    if isinstance(exc, FieldErrors):
        return exc.errors
    return {exc.field or "form": exc.message}


def _register_form(errors: dict[str, str] | None = None):
    values = {name: request.form.get(name, "") for name in KEPT_FIELDS}
    return render_template("auth/register.html", values=values, errors=errors or {},
                           password_rule=PASSWORD_RULE)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """个人注册: the form, its 获取验证码 button and the submission."""
    if request.method == "GET":
        return _register_form()
    try:
        if request.form.get("action") == "send_sms":
            note("sms_code")
            message = send_registration_code(get_session(), get_clock(),
                                             request.form.get("phone", ""), "register",
                                             current_app.config["SITE_NAME"])
            flash(f"验证码已发送至{mask_phone(message.phone)}，5分钟内有效", "success")
            return _register_form()
        form = registration_from_form(request.form)
        note("register", typed=typed_registration(form))
        account = register_account(get_session(), get_clock(), form, require_captcha=False,
                                   password_cost=get_password_cost())
    except DomainError as exc:
        note_refusal(exc)
        return _register_form(_errors_of(exc)), 400
    note_holder(account)
    return render_template("auth/register_done.html", registered=account)


@bp.get("/login")
def login_choice():
    """登录: choose 个人用户登录 or 法人用户登录."""
    return render_template("auth/login_choice.html")


@bp.route("/login/personal", methods=["GET", "POST"])
def login():
    """个人用户登录 with phone or ID number and password (locked after five failures)."""
    target = safe_next(request.values.get("next")) or url_for("space.home")
    if request.method == "GET":
        return render_template("auth/login.html", next=target, login="", error=None, errors={})
    note("login", typed={"login": request.form.get("login", ""),
                         "password": request.form.get("password", "")})
    try:
        row = log_in(get_session(), get_clock(), request.form.get("login", ""),
                     request.form.get("password", ""), "web",
                     password_cost=get_password_cost())
    except DomainError as exc:
        note_refusal(exc)
        fields = exc.errors if isinstance(exc, FieldErrors) else {}
        return render_template("auth/login.html", next=target, errors=fields,
                               error=None if fields else exc.message,
                               login=request.form.get("login", "")), 400
    start_page_login(row)
    note_holder(account_of(get_session(), row))
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():
    """退出: end the login session."""
    note("logout", page_account())
    end_page_login()
    flash("您已安全退出", "success")
    return redirect(url_for("site.index"))
