"""Conference rooms through the real Asterisk (ConfBridge) and FreeSWITCH (mod_conference): PINs, the moderator, members waiting
with music until the moderator is in, the largest number of members, a room as a DID's
destination; each organization's room 850 is its own."""
from __future__ import annotations

import time

import pytest

from littlepbx.pbx_backends.base import DidConfig

from .helpers import T1_UPSTREAM_IN, joining, members, org_t1, org_t2, room, rooms
from .sipp import PHONE_PORT, hung_up_by_pbx, wait_until

pytestmark = [pytest.mark.asterisk, pytest.mark.backends("asterisk", "freeswitch")]


def test_a_rooms_pin_and_moderator_pin_decide_who_joins_as_what_and_members_wait_for_the_moderator(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(conferences=(room("850", pin="1234", moderator_pin="9999", wait=True),)))
    pbx.apply(org_t2(conferences=(room("850"),)))
    runs = []
    try:
        runs.append(joining(pbx, "t1-101", "850", "1234#", 12000))
        waiting = wait_until(lambda: members(pbx, "lp-t1-850").get("t1-101"), 8)
        assert waiting and "w" in waiting, "the member waits (with music) for the moderator"
        runs.append(joining(pbx, "t2-101", "850", "", 12000))  # t2's own room 850: no PIN
        assert wait_until(lambda: rooms(pbx).get("lp-t2-850") == 1, 8)
        runs.append(joining(pbx, "t1-102", "850", "9999#", 9000))
        assert wait_until(lambda: set(members(pbx, "lp-t1-850")) == {"t1-101", "t1-102"}, 8)
        in_room = members(pbx, "lp-t1-850")
        assert "A" in in_room["t1-102"] and "M" in in_room["t1-102"], "the moderator PIN made 102 the moderator"
        assert wait_until(lambda: "w" not in members(pbx, "lp-t1-850")["t1-101"], 5), "101 hears the room now"
        runs.append(joining(pbx, "t1-103", "850", "1111#", 4000))  # a wrong PIN: asked again, never in
        time.sleep(3.5)
        assert set(members(pbx, "lp-t1-850")) == {"t1-101", "t1-102"}
        assert rooms(pbx) == {"lp-t1-850": 2, "lp-t2-850": 1}, "each org's 850 is a room of its own"
        for run in runs:
            assert run.wait(30) == 0, run.output()
    finally:
        for run in runs:
            run.stop()


def test_a_room_holds_its_largest_number_of_members_and_is_a_dids_destination(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(conferences=(room("851", max_members=2),), dids=(DidConfig("+15550101", "conference:851"),)))
    runs = []
    try:
        runs.append(pbx.sipp.start(pbx.sipp.pressing("", 10000), T1_UPSTREAM_IN, PHONE_PORT, service="+15550101",
                                   timeout_s=40))
        assert wait_until(lambda: rooms(pbx).get("lp-t1-851") == 1, 8), "the outside caller is in the room"
        runs.append(joining(pbx, "t1-101", "851", "", 8000))
        assert wait_until(lambda: rooms(pbx).get("lp-t1-851") == 2, 8)
        third = joining(pbx, "t1-102", "851", "", 6000)
        assert third.wait(30) == 0, third.output()
        assert hung_up_by_pbx(third), "the room is full: the third caller is not let in"
        assert rooms(pbx).get("lp-t1-851") == 2
        for run in runs:
            assert run.wait(30) == 0, run.output()
    finally:
        for run in runs:
            run.stop()
