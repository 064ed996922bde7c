"""Time conditions: opening hours and holidays in the organization's time zone choose between an
"open" and a "closed" destination; an admin may force either for a while (night mode)."""
from __future__ import annotations

from datetime import date, datetime

from littlepbx import fields as f
from littlepbx.errors import ValidationError
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import TimeConditionConfig
from littlepbx.pbx_backends.hours import DAYS, is_open

_DAY = "(?:" + "|".join(DAYS) + ")"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
# "mon-fri 09:00-17:00", "sat 10:00-14:00": days (one, or a range), then the hours that day, up
# to the end minute (closed from 17:00 on); "00:00-24:00" is the whole day.
HOURS = rf"^{_DAY}(?:-{_DAY})? {_TIME}-(?:{_TIME}|24:00)$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Dialled from a phone of the organization: *28 then a time condition's code switches it.
TOGGLE_PREFIX = "*28"

f.register_target(f.Target("timecondition", "timecondition:[a-z0-9-]{1,20}", "timeconditions", "timecondition:",
                           "a time condition"))


def hours_problem(rule: str) -> str | None:
    """Why opening hours like "mon-fri 09:00-17:00" cannot be kept, or None."""
    times = rule.split(" ")[1]
    start, end = times.split("-")
    return None if start < end else "the hours must end after they begin (the same day)"


def date_problem(text: str) -> str | None:
    """Why a holiday like "2026-12-25" is not a date, or None."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return "not a date"
    return None


@register
class TimeConditions(Kind):
    """Open or closed by the week's hours and the holidays; each leads somewhere."""

    name = "timeconditions"
    noun = "time condition"
    label = "Time condition"
    table = "time_conditions"
    schema_name = "TimeCondition"
    key = "name"
    title_field = "title"
    fields = {
        "name": f.short_name("hours", "a destination names it as timecondition:<name>"),
        "title": f.text("Name", 60, default="", example="Business hours"),
        "schedule": f.TextList(label="Open", max_length=30, pattern=HOURS, lowercase=True, default="",
                               message='days and hours, e.g. "mon-fri 09:00-17:00"', valid=hours_problem,
                               example=["mon-fri 09:00-17:00", "sat 10:00-13:00"],
                               help="in the organization's time zone, each ending after it begins; outside them it is closed"),
        "holidays": f.TextList(label="Closed on", max_length=10, max_items=100, column_length=1100, pattern=DATE, default="",
                               message='a date, e.g. "2026-12-25"', valid=date_problem, example=["2026-12-25"],
                               help="whole days (real calendar dates) closed whatever the hours say"),
        "open_destination": f.Destination(label="When open", allowed=None, default="hangup", example="ivr:main",
                                          ref_phrase="sends open-hours calls to"),
        "closed_destination": f.Destination(label="When closed", allowed=None, default="hangup",
                                            example="voicemail:100", ref_phrase="sends closed-hours calls to"),
        "toggle_code": f.Integer(label="Phone switch code", minimum=1, maximum=99, nullable=True, example=1,
                                 help=f"a phone that dials {TOGGLE_PREFIX}<code> forces it closed (or open), "
                                      "and dialling it again returns it to its hours"),
    }
    outputs = {
        "state": f.Choice(label="Now", options=(("open", "Open"), ("closed", "Closed")), access="read", nullable=True,
                          help="what the live time condition decides now, forced or by its hours (null until applied)"),
        "forced": f.Choice(label="Forced", options=(("open", "Forced open"), ("closed", "Forced closed")),
                           nullable=True, access="read", help="set at once, not by Apply; null: by its hours"),
    }
    pbx_config = TimeConditionConfig

    def check(self, scope, row) -> None:
        """One code per time condition of the organization; no condition leading to itself."""
        for name in ("open_destination", "closed_destination"):
            if getattr(row, name) == f"timecondition:{row.name}":
                raise f.fail(name, "not the time condition itself", "a time condition cannot lead to itself")
        if row.toggle_code is not None:
            other = scope.all(self.draft, self.draft.toggle_code == row.toggle_code, self.draft.name != row.name)
            if other:
                raise f.fail("toggle_code", f"already the code of {other[0].name}",
                             f"{TOGGLE_PREFIX}{row.toggle_code} already switches time condition {other[0].name}")

    def extra(self, scope, rows: list, pbx) -> dict:
        """Open or closed now (live rows only: a draft not applied yet decides nothing)."""
        from zoneinfo import ZoneInfo
        now = datetime.now(ZoneInfo(scope.org.timezone or "UTC"))
        forced = pbx.time_overrides(scope.org.code) if pbx is not None else {}
        answers = {}
        for row in rows:
            live = scope.find(self.live, name=row.name)
            state = None
            if live is not None:
                state = forced.get(row.name) or ("open" if is_open(self.fields["schedule"].dump(live.schedule),
                                                                   self.fields["holidays"].dump(live.holidays), now)
                                                 else "closed")
            answers[self.key_of(row)] = {"state": state, "forced": forced.get(row.name)}
        return answers

    def reset(self, scope) -> None:
        """No time conditions."""
        scope.delete_all(self.draft)

    def to_pbx(self, row, context: dict) -> TimeConditionConfig:
        """The condition with its lists, in the organization's time zone."""
        return TimeConditionConfig(row.name, row.title, tuple(self.fields["schedule"].dump(row.schedule)),
                                   tuple(self.fields["holidays"].dump(row.holidays)), row.open_destination,
                                   row.closed_destination, row.toggle_code, context.get("timezone") or "UTC")


def valid_override(state) -> str:
    """The forced state a request asks for: "open", "closed" or "auto" (by its hours)."""
    if state not in ("open", "closed", "auto"):
        raise ValidationError("state must be open, closed or auto", {"state": "open, closed or auto"})
    return state

