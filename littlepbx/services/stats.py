"""Statistics of one organization: calls now, call history (CDR), outbound registration."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from littlepbx.errors import LittlePBXError
from littlepbx.models import Did, LiveTrunk
from littlepbx.services import validation as v
from littlepbx.services.scope import OrgScope

CDR_COLUMNS = ("calldate", "answer", "endtime", "clid", "src", "dst", "dstchannel", "lastapp",
               "duration", "billsec", "disposition", "uniqueid")
UNKNOWN = "unknown"


class PBXUnavailable(LittlePBXError):
    """The PBX did not answer a question about live calls."""

    status = 503
    code = "pbx_unavailable"


def calls_now(scope: OrgScope, backend) -> dict:
    """How many calls the organization has up right now, and how many arrive on each DID."""
    numbers = [did.number for did in scope.all(Did, order_by=Did.number)]
    try:
        calls = int(backend.active_calls(scope.org.code))
        per_did = backend.did_calls(scope.org.code, numbers) if numbers else {}
    except Exception as error:  # any PBX failure is "cannot tell", never a crash
        raise PBXUnavailable(f"the PBX cannot count calls right now: {error}") from None
    return {"org": scope.org.code, "active_calls": calls, "dids": per_did}


def _moment(value, end: bool) -> datetime:
    """A date (whole day) or an ISO date-time; ``end`` makes a bare date mean its end."""
    value = v.text(value, 40, 1)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1) if end else day, time())
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise v.FieldError("expected a date (2026-01-31) or a date-time (2026-01-31T12:00:00Z)") from None
    if moment.tzinfo is not None:
        try:
            moment = (moment - moment.utcoffset()).replace(tzinfo=None)
        except OverflowError:
            raise v.FieldError("date out of range") from None
    return moment


def cdr_page(scope: OrgScope, offset: int = 0, limit: int = 50, since=None,
             until=None) -> tuple[list[dict], int]:
    """One page of the organization's call records, newest first, optionally within [since, until)."""
    from littlepbx.pbx_backends.asterisk.tables import cdr
    checker = v.Checker()
    start = checker.optional("from", _moment, since, False)
    stop = checker.optional("to", _moment, until, True)
    checker.done()
    criteria = [cdr.c.tenantid == scope.org.code]
    if start is not None:
        criteria.append(cdr.c.calldate >= start)
    if stop is not None:
        criteria.append(cdr.c.calldate < stop)
    total = scope.session.scalar(select(func.count()).select_from(cdr).where(*criteria))
    rows = scope.session.execute(select(*[cdr.c[name] for name in CDR_COLUMNS]).where(*criteria)
                                 .order_by(cdr.c.calldate.desc(), cdr.c.id.desc())
                                 .offset(offset).limit(limit))
    return [_cdr_dict(row) for row in rows], total


def _cdr_dict(row) -> dict:
    record = dict(row._mapping)
    for name in ("calldate", "answer", "endtime"):
        record[name] = record[name].isoformat() + "Z" if record[name] else None
    return record


def trunk_status(scope: OrgScope, backend) -> dict:
    """The live outbound trunk's registration state as the PBX reports it, or "unknown"."""
    trunk = scope.find(LiveTrunk, direction="outbound")
    result = {"direction": "outbound", "configured": trunk is not None,
              "register": bool(trunk and trunk.register), "state": UNKNOWN, "detail": ""}
    if trunk is None:
        result.update(state="not_configured", detail="no outbound trunk is live; set one and apply")
        return result
    if not trunk.register:
        result.update(state="not_registering", detail="the outbound trunk does not register")
        return result
    ask = getattr(backend, "registration_state", None) or getattr(backend, "registration_status", None)
    if ask is None:
        result["detail"] = "this PBX backend cannot report registrations"
        return result
    try:
        state = ask(scope.org.code)
    except Exception as error:  # the PBX being down is reported, not raised
        result["detail"] = f"the PBX did not answer: {error}"
        return result
    result["state"] = str(state) if state else UNKNOWN
    return result
