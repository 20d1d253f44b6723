"""自然人用户登录, 退出, and 自然人用户注册 in three steps: 创建账户 → 实人认证 → 注册完成."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from mem_portal.images import captcha_png
from mem_portal.services.accounts import complete_registration, start_registration_check
from mem_portal.views.faces import render_check_page
from shared.accounts.codes import SMS_TTL, find_captcha, new_captcha, send_registration_code
from shared.accounts.logins import RegistrationIncomplete, account_of, get_account, log_in
from shared.accounts.passwords import PASSWORD_RULE
from shared.accounts.registration import register_account, registration_from_form
from shared.errors import DomainError, FieldErrors, NotFound
from shared.web.errors import error_json
from shared.web.face_checks import REGISTERING
from shared.web.logins import end_page_login, page_account, page_login, start_page_login
from shared.web.recording import note, note_holder, note_refusal, typed_registration
from shared.web.resources import get_clock, get_password_cost, get_session
from shared.web.security import safe_next

bp = Blueprint("auth", __name__)
KEPT_FIELDS = ("phone", "name", "id_number", "id_valid_from", "id_long_term", "sms_code", "agree")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show 自然人用户登录 and log in by phone or ID number and password."""
    if request.method == "GET":
        return render_template("auth/login.html", login=request.args.get("login", ""),
                               error=None, errors={})
    note("login", typed={"login": request.form.get("login", ""),
                         "password": request.form.get("password", "")})
    try:
        row = log_in(get_session(), get_clock(), request.form.get("login", ""),
                     request.form.get("password", ""), "web", require_verified=True,
                     password_cost=get_password_cost())
    except RegistrationIncomplete as exc:
        note_refusal(exc)
        session[REGISTERING] = exc.account.id
        return redirect(url_for("auth.register_verify", incomplete=1))
    except FieldErrors as exc:
        note_refusal(exc)
        return render_template("auth/login.html", login=request.form.get("login", ""),
                               error=None, errors=exc.errors), 200
    except DomainError as exc:
        note_refusal(exc)
        return render_template("auth/login.html", login=request.form.get("login", ""),
                               error=exc, errors={}), 200
    start_page_login(row)
    note_holder(account_of(get_session(), row))
    return redirect(safe_next(request.args.get("next")) or url_for("space.home"))


@bp.post("/logout")
def logout():
    """退出系统: end the login and forget the browser session."""
    note("logout", page_account())
    end_page_login()
    return redirect(url_for("site.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Step 1, 创建账户: check every field and create the account."""
    if page_login() is not None:
        return redirect(url_for("space.home"))
    if request.method == "GET":
        return _register_form({}, {})
    form = registration_from_form(request.form)
    note("register", typed=typed_registration(form))
    try:
        account = register_account(get_session(), get_clock(), form,
                                   password_cost=get_password_cost())
    except FieldErrors as exc:
        note_refusal(exc)
        return _register_form(request.form, exc.errors)
    except DomainError as exc:
        note_refusal(exc)
        return _register_form(request.form, {exc.field or "phone": exc.message})
    note_holder(account)
    session[REGISTERING] = account.id
    return redirect(url_for("auth.register_verify"))


def _register_form(values, errors: dict[str, str]):
    """Render step 1 with a fresh captcha, the kept values and each field's error."""
    captcha = new_captcha(get_session(), get_clock())
    kept = {key: values.get(key, "") for key in KEPT_FIELDS}
    return render_template("auth/register.html", values=kept, errors=errors, captcha=captcha,
                           password_rule=PASSWORD_RULE, step=1)


@bp.get("/register/verify")
def register_verify():
    """Step 2, 实人认证: show the face-check QR codes for the new account."""
    account_id = session.get(REGISTERING)
    if account_id is None:
        return redirect(url_for("auth.register"))
    ticket = start_registration_check(get_session(), get_clock(),
                                      get_account(get_session(), account_id))
    done = url_for("auth.register_done", token=ticket.token)
    return render_check_page("auth/register_verify.html", ticket, done, step=2,
                             incomplete=request.args.get("incomplete"))


@bp.get("/register/done")
def register_done():
    """Step 3, 注册完成: only once the registration's face check has passed."""
    try:
        account = complete_registration(get_session(), get_clock(), request.args.get("token", ""))
    except DomainError:
        return redirect(url_for("auth.register_verify"))
    session.pop(REGISTERING, None)
    return render_template("auth/register_done.html", account=account, step=3)


@bp.get("/agreement")
def agreement():
    """Show 《应急管理部政务服务平台注册协议》."""
    return render_template("auth/agreement.html")


@bp.get("/captcha/<token>.png")
def captcha_image(token: str):
    """Draw a captcha's picture."""
    try:
        captcha = find_captcha(get_session(), token)
    except NotFound:
        abort(404)
    response = Response(captcha_png(captcha.answer, captcha.token), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/captcha")
def captcha_refresh():
    """Make a new captcha for 看不清，换一张 (JSON)."""
    captcha = new_captcha(get_session(), get_clock())
    return jsonify(token=captcha.token,
                   image_url=url_for("auth.captcha_image", token=captcha.token))


@bp.post("/sms-codes")
def sms_code():
    """获取验证码: send the registration code to the simulated SMS inbox (JSON)."""
    try:
        send_registration_code(get_session(), get_clock(), request.form.get("phone", ""),
                               "register", current_app.config["SITE_NAME"])
    except DomainError as exc:
        return error_json(exc)
    return jsonify(sent=True, expires_in=int(SMS_TTL.total_seconds()))

