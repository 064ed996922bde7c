"""Opening hours as a time condition reads them: rules like "mon-fri 09:00-17:00" (days, one or a
range that may wrap, then the hours that day up to the end minute) and holidays like
"2026-12-25". The page shows the state with this, and a PBX that decides per call in LittlePBX
(FreeSWITCH's dialplan is made for each call) decides with it; Asterisk's dialplan reads the same
rules with GotoIfTime (lp-time-open)."""
from __future__ import annotations

from datetime import datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_open(schedule: list[str] | tuple[str, ...], holidays: list[str] | tuple[str, ...], moment: datetime) -> bool:
    """Whether opening hours and holidays say open at ``moment`` (aware, in the organization's
    time zone)."""
    if moment.date().isoformat() in holidays:
        return False
    day, now = DAYS.index(moment.strftime("%a").lower()[:3]), moment.strftime("%H:%M")
    for rule in schedule:
        days, times = rule.split(" ")
        first, _, last = days.partition("-")
        start, end = times.split("-")
        # A range may wrap (fri-mon), as the PBX's GotoIfTime reads it.
        length = (DAYS.index(last or first) - DAYS.index(first)) % 7
        if (day - DAYS.index(first)) % 7 <= length and start <= now < end:
            return True
    return False
