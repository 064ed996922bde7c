"""A person's own login: changing the password on the page, and a forgotten one reset through
a link sent by e-mail (signed, valid PASSWORD_RESET_SECONDS, void once the password changes).
The answer to "forgot" is the same whether the e-mail has a login or not."""
from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from littlepbx.errors import Unauthorized, ValidationError
from littlepbx.extensions import db
from littlepbx.mail import MailError, send
from littlepbx.services import users
from littlepbx.web.views import bp

log = logging.getLogger(__name__)
FORGOT_ANSWER = ("If this e-mail has a login, a link to choose a new password is on its way. "
                 "It works once, for {minutes} minutes.")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change one's own password (the current one is asked)."""
    if request.method == "GET":
        return render_template("web/account.html", errors={})
    session = db.request_session()
    user = session.merge(current_user._get_current_object())
    try:
        users.change_own_password(session, user, request.form)
    except ValidationError as error:
        return render_template("web/account.html", errors=error.fields, error=error.message), 422
    session.commit()
    login_user(user)  # the password's fingerprint is in the session: keep this one, end the others
    flash("Your password is changed. Other devices logged in as you are logged out.")
    return redirect(url_for(".account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link by e-mail; throttled like logins, and silent on unknown e-mails."""
    minutes = int(current_app.config["PASSWORD_RESET_SECONDS"]) // 60
    if request.method == "GET":
        return render_template("web/forgot.html", email="")
    email = request.form.get("email", "").strip()
    throttle = current_app.extensions["littlepbx.login_throttle"]
    address = request.remote_addr or "unknown"
    wait = throttle.wait_seconds(address, email)
    if wait:
        return render_template("web/forgot.html", email=email,
                               error=f"too many requests from your address; try again in {wait} s"), 429
    throttle.failed(address, email)  # each request counts, so nobody floods an inbox
    user = users.find_active(db.request_session(), email)
    if user is not None:
        token = users.reset_token(current_app.config["SECRET_KEY"], user)
        link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for(".reset_password", token=token)
        try:
            send(current_app.config, user.email, "[LittlePBX] Choose a new password",
                 f"Hello,\n\nSomeone (you, we hope) asked to choose a new password for {user.email} on "
                 f"LittlePBX. This link works once, for {minutes} minutes:\n\n{link}\n\n"
                 "If it was not you, ignore this message: your password stays as it is.\n\n-- LittlePBX\n")
        except MailError as error:
            log.warning("password reset link for %s not sent: %s", user.email, error)
    flash(FORGOT_ANSWER.format(minutes=minutes))
    return redirect(url_for(".login"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with a link from forgot_password."""
    session = db.request_session()
    max_age = int(current_app.config["PASSWORD_RESET_SECONDS"])
    try:
        if request.method == "GET":
            users.user_of_reset_token(session, current_app.config["SECRET_KEY"], token, max_age)
            return render_template("web/reset.html", errors={})
        user = users.reset_password(session, current_app.config["SECRET_KEY"], token, max_age, request.form)
    except Unauthorized as void:
        flash(void.message)
        return redirect(url_for(".forgot_password"))
    except ValidationError as error:
        return render_template("web/reset.html", errors=error.fields, error=error.message), 422
    session.commit()
    flash(f"Your password is changed: log in as {user.email} with it.")
    return redirect(url_for(".login"))
