"""The pages' routes. They only render the shell of each page: the PBX page and the stats
read and write through the REST API (/api/v1) from the browser, with the session cookie."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from littlepbx.auth import current_actor
from littlepbx.errors import LittlePBXError, Unauthorized
from littlepbx.extensions import db, get_backend
from littlepbx.kinds import Extensions, kind_named
from littlepbx.kinds.emergency import emergency_numbers
from littlepbx.kinds.queues import LOGIN_PREFIX
from littlepbx.kinds.timeconditions import TOGGLE_PREFIX
from littlepbx.models import Organization
from littlepbx.services import audit, metrics, objects, users
from littlepbx.services import extensions as extension_service
from littlepbx.services import orgs as org_service
from littlepbx.services.phones import sip_server
from littlepbx.tenancy import OrgScope, open_scope
from littlepbx.web.phone_guides import PHONES

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web/static")


# Every script, style, picture and sound comes from this server: nothing inline, nothing remote.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def security_headers(response):
    """Every page (the LittlePBXAdmin demo too) may only load this server's assets and may not be
    framed by another site."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.errorhandler(LittlePBXError)
def service_error(error: LittlePBXError):
    """A refused page: the same words the API would use, nothing of the object asked for."""
    return render_template("web/error.html", error=error), error.status


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A page form sent with an expired or missing CSRF token: ask again instead of a bare 400."""
    if request.endpoint == "web.logout":
        logout_user()
        return redirect(url_for(".login"))
    return render_template("web/login.html", email=request.form.get("email", ""),
                           error="The form had expired; please try again."), 400


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; a logged-in user goes straight to the PBX page."""
    if current_user.is_authenticated:
        return redirect(safe_next() or url_for(".home"))
    if request.method == "GET":
        return render_template("web/login.html", email="")
    email = request.form.get("email", "").strip()
    error, status = try_login(email, request.form.get("password", ""),
                              remember=bool(request.form.get("remember")))
    if error:
        return render_template("web/login.html", email=email, error=error), status
    return redirect(safe_next() or url_for(".home"))


def try_login(email: str, password: str, remember: bool) -> tuple[str | None, int]:
    """Log the user in, or say why not. Failures count per client address and per account from
    that address (web/throttle.py), the same whether the e-mail exists or not."""
    throttle = current_app.extensions["littlepbx.login_throttle"]
    address = request.remote_addr or "unknown"
    wait = throttle.wait_seconds(address, email)
    if wait:
        return f"too many failed logins from your address; try again in {wait} s", 429
    session = db.request_session()
    try:
        user = users.authenticate(session, email, password)
    except Unauthorized as refused:
        throttle.failed(address, email)
        return refused.message, 401
    throttle.succeeded(address, email)
    session.commit()
    login_user(user, remember=remember)
    return None, 200


def safe_next() -> str | None:
    """The ?next= page to return to, only if it is a path on this site."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    # Browsers read a backslash as a slash: "/\\evil.example" means "//evil.example".
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or parts.scheme or parts.netloc):
        return None
    return target


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session (POST, so the CSRF check applies) and forget "remember me"."""
    logout_user()
    flash("You are logged out.")
    return redirect(url_for(".login"))


@bp.route("/")
@login_required
def home():
    """An org admin's PBX page; an operator first picks an organization."""
    if current_user.org_id is not None:
        return redirect(url_for(".pbx", code=own_org_code()))
    search = request.args.get("q", "").strip()[:100]
    page = max(1, request.args.get("page", 1, type=int))
    orgs, total = org_service.list_orgs(db.request_session(), current_actor(), (page - 1) * ORGS_PER_PAGE,
                                        ORGS_PER_PAGE, search)
    pages = max(1, -(-total // ORGS_PER_PAGE))
    return render_template("web/orgs.html", orgs=orgs, total=total, page=page, pages=pages, search=search,
                           first=(page - 1) * ORGS_PER_PAGE + 1)


@bp.route("/system")
@login_required
def system():
    """The operator's view of the whole system: Apply runs, the worker, and every organization."""
    figures = metrics.gather(db.request_session(), current_actor(), get_backend(current_app))
    durations = sorted(figures.apply_seconds)
    median = durations[len(durations) // 2] if durations else None
    return render_template("web/system.html", figures=figures, median=median,
                           calls=sum(o.calls or 0 for o in figures.orgs),
                           registered=sum(o.registered or 0 for o in figures.orgs))


@bp.route("/orgs/<code>")
@login_required
def pbx(code: str):
    """The PBX page of one organization."""
    return render_template("web/pbx.html", org=org_scope(code).org)


@bp.route("/orgs/<code>/stats")
@login_required
def stats(code: str):
    """Registrations, calls now, and the call history of one organization."""
    return render_template("web/stats.html", org=org_scope(code).org)


AUDIT_PAGE_SIZE = 50
ORGS_PER_PAGE = 50  # the operator's list of organizations, one page at a time


@bp.route("/orgs/<code>/audit")
@login_required
def audit_log(code: str):
    """Who changed what in the organization, and when (Apply runs included), newest first."""
    scope = org_scope(code)
    page = max(1, request.args.get("page", 1, type=int))
    entries, total = audit.org_page(scope, (page - 1) * AUDIT_PAGE_SIZE, AUDIT_PAGE_SIZE)
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    return render_template("web/audit.html", org=scope.org, entries=entries, page=min(page, pages), pages=pages,
                           total=total)


@bp.route("/orgs/<code>/help/phones")
@login_required
def phone_help(code: str):
    """How to set up each popular phone, with this organization's settings filled in."""
    scope = org_scope(code)
    numbers = [(e.number, e.display_name, extension_service.sip_username(scope, e.number),
                sip_server(current_app.config, e.sip_transport)) for e in objects.all_of(scope, Extensions)]
    return render_template("web/help_phones.html", org=scope.org, extensions=numbers,
                           server=sip_server(current_app.config), tls=sip_server(current_app.config, "tls"),
                           phones=PHONES, codes=dial_codes(scope))


def dial_codes(scope: OrgScope) -> list[tuple[str, str]]:
    """(what a phone dials, what it does) besides the extensions: the organization's own numbers
    and switches as drafted (they work once applied)."""
    settings = objects.find(scope, kind_named("callsettings"))
    first, last = (settings.parking_first, settings.parking_first + settings.parking_slots - 1) if settings else (701, 720)
    codes = [(number, "emergency: always goes through, with the organization's call-back number")
             for number in emergency_numbers(scope.org.country)]
    codes += [("*97", "your voicemail: listen to messages, record greetings (your PIN is asked)"),
             ("*47", "record a prompt after the beep (# ends it): a menu's greeting or an announcement then uses "
                     "it on the PBX page"),
             ("*78", "do not disturb: your calls go where unanswered ones go (*79 to ring again)"),
             ("*72", "followed by a number: forward every call to it, yours or outside (*73 to stop)"),
             ("*90", "followed by a number: forward the calls that find you busy (*91 to stop)"),
             ("*52", "followed by a number: forward the calls you leave unanswered, or do not disturb "
                     "sends on (*53 to stop)"),
             ("*32", "block the last outside caller that rang your phone: their calls to any of the "
                     "organization's numbers are refused (the PBX page lists them, to unblock)"),
             ("**1", "during a call, then a number and #: transfer the call there (blind)"),
             ("**0", "during a call, then a number and #: talk to them first; hang up to hand the call over "
                     "(*2 hands it over too, *1 returns to the caller, *3 joins all three)"),
             ("#77", f"during a call: park it; you hear its slot ({first}-{last}), where any phone of yours "
                     "takes it"),
             (str(first), f"to {last}: take the call parked at that slot (unless the number is one of your "
                          "extensions); one nobody takes rings back the phone that parked it"),
             ("**", "followed by an extension: answer the call ringing on that phone"),
             ("*8", "answer a call ringing on a phone of your pickup group (an extension's 'Pickup group'; "
                    "phones without one: all of those)"),
             ("**3", "during a call: record it from now on (again: stop); the recording is on the Stats page")]
    codes += [(group.number, f"ring group {group.name or group.number}")
              for group in objects.all_of(scope, kind_named("ringgroups"))]
    for queue in objects.all_of(scope, kind_named("queues")):
        codes.append((queue.number, f"queue {queue.name or queue.number}"))
        if queue.login_required:
            codes.append((f"{LOGIN_PREFIX}{queue.number}", f"a member logs in to queue {queue.name or queue.number}, "
                                                          "or out (dial it again)"))
    codes += [(group.number, f"page {group.name or group.number}: the members' phones answer on speaker")
              for group in objects.all_of(scope, kind_named("paginggroups"))]
    codes += [(room.number, f"conference room {room.name or room.number}" + (" (its PIN is asked)" if room.pin else ""))
              for room in objects.all_of(scope, kind_named("conferences"))]
    codes += [(f"{TOGGLE_PREFIX}{condition.toggle_code}",
               f"switch {condition.title or condition.name} to closed (or open) now; dial it again to follow its hours")
              for condition in objects.all_of(scope, kind_named("timeconditions")) if condition.toggle_code is not None]
    return codes


@bp.route("/stats")
@login_required
def own_stats():
    """The stats of the admin's own organization (an operator picks one first)."""
    return redirect(url_for(".stats", code=own_org_code()) if current_user.org_id else url_for(".home"))


@bp.route("/help/phones")
@login_required
def own_phone_help():
    """The phone help of the admin's own organization (an operator picks one first)."""
    return redirect(url_for(".phone_help", code=own_org_code())
                    if current_user.org_id else url_for(".home"))


def org_scope(code: str) -> OrgScope:
    """The organization the logged-in user may see, or NotFound (rendered as a 404 page)."""
    return open_scope(db.request_session(), current_actor(), code, settings=current_app.config)


def own_org_code() -> str:
    """The code of the logged-in org admin's organization."""
    return db.request_session().get(Organization, current_user.org_id).code
