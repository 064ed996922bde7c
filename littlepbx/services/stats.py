"""Statistics of one organization: calls now, call history, outbound registration."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from littlepbx import fields as f
from littlepbx.errors import LittlePBXError
from littlepbx.kinds import Dids, Trunks, kind_named
from littlepbx.pbx_backends.base import CALL_RECORD_COLUMNS, CALL_RESULTS
from littlepbx.services import call_recordings, objects
from littlepbx.tenancy import OrgScope

UNKNOWN = "unknown"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?$"


class PBXUnavailable(LittlePBXError):
    """The PBX did not answer a question about live calls."""

    status = 503
    code = "pbx_unavailable"


@dataclass(frozen=True, kw_only=True)
class Moment(f.Text):
    """A date (a whole day; ``end``: the day's end) or an ISO date-time, as naive UTC."""

    end: bool = False

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            if re.match(DATE, value):
                day = date.fromisoformat(value)
                return datetime.combine(day + timedelta(days=1) if self.end else day, time())
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            raise f.FieldError("not a real date or time") from None
        if moment.tzinfo is not None:
            try:
                moment = (moment - moment.utcoffset()).replace(tzinfo=None)
            except OverflowError:
                raise f.FieldError("date out of range") from None
        return moment


HISTORY_FILTERS = f.FieldSet({
    "from": Moment(label="From", max_length=40, nullable=True, pattern=f"{DATE}|{DATE_TIME}",
                   message="expected a date (2026-01-31) or a date-time (2026-01-31T12:00:00Z)",
                   help="date or date-time (UTC), inclusive"),
    "to": Moment(label="To", max_length=40, nullable=True, pattern=f"{DATE}|{DATE_TIME}", end=True,
                 message="expected a date (2026-01-31) or a date-time (2026-01-31T12:00:00Z)",
                 help="date (inclusive) or date-time (exclusive)"),
    "number": f.Text(label="Number", max_length=16, nullable=True, pattern=r"^\+?[0-9]{1,15}$",
                     message="digits of a number (a part of it is enough)",
                     help="only calls from, to or reaching a number containing these digits"),
    "result": f.Choice(label="Result", nullable=True, options=tuple((r, r) for r in CALL_RESULTS),
                       help="only calls that ended so: answered, missed, voicemail (the mailbox took it), refused "
                            "(blocked, or not allowed), busy"),
})
# At most this many records in one CSV export.
EXPORT_LIMIT = 10000


def calls_now(scope: OrgScope, backend) -> dict:
    """How many calls the organization has up right now, and how many arrive on each DID."""
    numbers = [did.number for did in objects.all_of(scope, Dids)]
    try:
        calls = int(backend.active_calls(scope.org.code))
        per_did = backend.did_calls(scope.org.code, numbers) if numbers else {}
    except Exception as error:  # any PBX failure is "cannot tell", never a crash
        raise PBXUnavailable(f"the PBX cannot count calls right now: {error}") from None
    return {"org": scope.org.code, "active_calls": calls, "dids": per_did}


def current_calls(scope: OrgScope, backend) -> dict:
    """The organization's calls that are up now (who calls whom, since when); null if the PBX cannot tell."""
    try:
        calls = backend.current_calls(scope.org.code)
    except Exception as error:  # any PBX failure is "cannot tell", never a crash
        raise PBXUnavailable(f"the PBX cannot list calls right now: {error}") from None
    if calls is None:
        return {"org": scope.org.code, "calls": None}
    return {"org": scope.org.code, "calls": [
        {"caller": call.caller, "callee": call.callee, "state": call.state,
         "started_at": call.started_at.isoformat() + "Z" if call.started_at else None} for call in calls]}


def queue_figures(scope: OrgScope, backend, hours: int = 24) -> dict:
    """Each live queue of the organization: callers waiting now, and over the last ``hours``
    the calls answered, abandoned and timed out, with the average wait of the answered ones."""
    since = datetime.now(UTC) - timedelta(hours=hours)
    try:
        figures = backend.queue_figures(scope.org.code, since)
    except Exception as error:  # any PBX failure is "cannot tell", never a crash
        raise PBXUnavailable(f"the PBX cannot count queue calls right now: {error}") from None
    names = {row.number: row.name for row in objects.all_of(scope, kind_named("queues"))}
    return {"org": scope.org.code, "hours": hours, "queues": [
        {"number": number, "name": names.get(number, ""), "waiting": q.waiting, "answered": q.answered,
         "abandoned": q.abandoned, "timed_out": q.timed_out, "average_wait_seconds": q.average_wait_seconds}
        for number, q in sorted(figures.items())]}


def cdr_page(scope: OrgScope, backend, offset: int = 0, limit: int = 50, since=None,
             until=None, number=None, data_dir: str | None = None, result=None) -> tuple[list[dict], int]:
    """One page of the organization's call records, newest first, optionally within [since, until),
    about a number and ending with a result; each with the id of its recording, if any (in ``data_dir``)."""
    given = {name: value for name, value in (("from", since), ("to", until), ("number", number), ("result", result))
             if value is not None}
    window = HISTORY_FILTERS.clean(given, partial=True, message="bad call history filter")
    rows, total = backend.call_history(scope.session.connection(), scope.org.code, window.get("from"),
                                       window.get("to"), offset, limit,
                                       (window.get("number") or "").lstrip("+") or None, window.get("result"))
    recorded = call_recordings.by_call(data_dir, scope.org.code) if rows and data_dir else {}
    return [{**_cdr_dict(row), "recording": recorded.get(row.get("uniqueid"))} for row in rows], total


def cdr_csv(scope: OrgScope, backend, since=None, until=None, number=None, result=None) -> str:
    """The organization's call records (at most EXPORT_LIMIT, newest first) as CSV, times in UTC."""
    rows, _ = cdr_page(scope, backend, 0, EXPORT_LIMIT, since, until, number, result=result)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CALL_RECORD_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _cdr_dict(record: dict) -> dict:
    record = dict(record)
    for name in ("calldate", "answer", "endtime"):
        record[name] = record[name].isoformat() + "Z" if record[name] else None
    return record


def trunk_status(scope: OrgScope, backend) -> dict:
    """The live outbound trunk's registration state as the PBX reports it, or "unknown"."""
    trunk = objects.find(scope, Trunks, "outbound", live=True)
    result = {"direction": "outbound", "configured": trunk is not None,
              "register": bool(trunk and trunk.register), "state": UNKNOWN, "detail": ""}
    if trunk is None:
        result.update(state="not_configured", detail="no outbound trunk is live; set one and apply")
        return result
    if not trunk.register:
        result.update(state="not_registering", detail="the outbound trunk does not register")
        return result
    try:
        state = backend.registration_state(scope.org.code)
    except Exception as error:  # the PBX being down is reported, not raised
        result["detail"] = f"the PBX did not answer: {error}"
        return result
    if not state:
        result["detail"] = "the PBX cannot tell"
    result["state"] = str(state) if state else UNKNOWN
    return result
