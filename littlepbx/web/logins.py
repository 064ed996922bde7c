"""Operators manage logins on the page: the operators, and each organization's admins. A new
login's password is generated and shown once, to be handed over and changed on "Your login"."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from littlepbx.auth import current_actor
from littlepbx.errors import LittlePBXError
from littlepbx.extensions import db
from littlepbx.services import users
from littlepbx.web.views import bp, org_scope

NEW_LOGIN = "{email} can log in with the password {password} (shown only now: hand it over safely; they " \
            "change it under “Your login”)."


@bp.route("/operators", methods=["GET", "POST"])
@login_required
def operators():
    """The operators' logins; POST adds one."""
    session = db.request_session()
    actor = current_actor()
    errors, error, form = {}, None, {}
    if request.method == "POST":
        form = {"email": request.form.get("email", "").strip(), "name": request.form.get("name", "").strip()}
        try:
            _, password = users.create_operator(session, actor, form)
            session.commit()
            flash(NEW_LOGIN.format(email=form["email"], password=password))
            return redirect(url_for(".operators"))
        except LittlePBXError as refused:
            session.rollback()
            errors, error = refused.fields, refused.message
    status = 422 if error else 200
    return render_template("web/logins.html", title="Operators", logins=users.list_operators(session, actor),
                           action=url_for(".operators"), toggle="web.operator_active", org=None,
                           errors=errors, error=error, form=form), status


@bp.route("/operators/active", methods=["POST"])
@login_required
def operator_active():
    """Deactivate or reactivate an operator's login."""
    session = db.request_session()
    try:
        user = users.set_operator_active(session, current_actor(), request.form.get("email", ""),
                                         request.form.get("active") == "yes")
        session.commit()
        flash(f"{user.email} {'may log in again' if user.active else 'can no longer log in'}.")
    except LittlePBXError as refused:
        session.rollback()
        flash(refused.message, "error")
    return redirect(url_for(".operators"))


@bp.route("/orgs/<code>/admins", methods=["GET", "POST"])
@login_required
def org_admins(code: str):
    """An organization's admins (for operators); POST adds one."""
    scope = org_scope(code)
    scope.actor.require("admins.manage")
    errors, error, form = {}, None, {}
    if request.method == "POST":
        form = {"email": request.form.get("email", "").strip(), "name": request.form.get("name", "").strip()}
        try:
            _, password = users.create_admin(scope, form)
            scope.session.commit()
            flash(NEW_LOGIN.format(email=form["email"], password=password))
            return redirect(url_for(".org_admins", code=code))
        except LittlePBXError as refused:
            scope.session.rollback()
            scope = org_scope(code)
            errors, error = refused.fields, refused.message
    return render_template("web/logins.html", title=f"Admins of {scope.org.name}", org=scope.org,
                           logins=users.list_admins(scope), action=url_for(".org_admins", code=code),
                           toggle="web.org_admin_active", errors=errors, error=error, form=form), 422 if error else 200


@bp.route("/orgs/<code>/admins/active", methods=["POST"])
@login_required
def org_admin_active(code: str):
    """Deactivate or reactivate an organization admin's login."""
    scope = org_scope(code)
    try:
        user = users.update_admin(scope, request.form.get("email", ""), {"active": request.form.get("active") == "yes"})
        scope.session.commit()
        flash(f"{user.email} {'may log in again' if user.active else 'can no longer log in'}.")
    except LittlePBXError as refused:
        scope.session.rollback()
        flash(refused.message, "error")
    return redirect(url_for(".org_admins", code=code))
