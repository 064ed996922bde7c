"""Time conditions through the REST API: opening hours and holidays checked as typed, one phone
switch code per condition, and night mode forced at once on what is live (never on a draft)."""
from tests.support.apply_helpers import apply_now
from tests.support.recording_backend import pbx_rows

HOURS = {"name": "hours", "title": "Business hours", "schedule": ["mon-fri 09:00-17:00", "sat 10:00-13:00"],
         "holidays": ["2026-12-25"], "open_destination": "101", "closed_destination": "voicemail:101",
         "toggle_code": 1}


def with_mailbox(api):
    api.patch("/orgs/acme/extensions/101", json={"voicemail_enabled": True, "voicemail_pin": "4321"})


def test_when_a_time_condition_is_created_then_it_is_answered_as_written_and_not_live(system_api, orgs):
    with_mailbox(system_api)
    answer = system_api.post("/orgs/acme/timeconditions", json=HOURS)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == {**HOURS, "state": None, "forced": None}
    assert [c["name"] for c in system_api.get("/orgs/acme/timeconditions").get_json()["items"]] == ["hours"]
    assert system_api.get("/orgs/globex/timeconditions").get_json()["items"] == []


def test_when_hours_or_holidays_are_typed_as_one_line_then_they_become_lists(system_api, orgs):
    answer = system_api.post("/orgs/acme/timeconditions", json={
        "name": "hours", "schedule": "Mon-Fri 08:30-12:00, mon-fri 13:00-17:30", "holidays": "2026-12-24, 2026-12-31"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["schedule"] == ["mon-fri 08:30-12:00", "mon-fri 13:00-17:30"]
    assert answer.get_json()["holidays"] == ["2026-12-24", "2026-12-31"]


def test_when_hours_or_dates_are_wrong_then_422_naming_the_item_and_nothing_is_kept(system_api, orgs):
    for field, value, named in (("schedule", ["mon-fri 9-17"], "mon-fri 9-17"),
                                ("schedule", ["mon-fri 17:00-09:00"], "mon-fri 17:00-09:00"),
                                ("schedule", ["weekdays 09:00-17:00"], "weekdays 09:00-17:00"),
                                ("holidays", ["2026-02-30"], "2026-02-30"),
                                ("holidays", ["25.12.2026"], "25.12.2026")):
        answer = system_api.post("/orgs/acme/timeconditions", json={"name": "hours", field: value})
        assert answer.status_code == 422, (field, value)
        assert answer.get_json()["error"]["fields"][field].startswith(named), answer.get_json()
    assert system_api.get("/orgs/acme/timeconditions").get_json()["items"] == []


def test_when_a_destination_is_not_the_organizations_then_422(system_api, orgs):
    system_api.post("/orgs/globex/timeconditions", json={"name": "night"})
    for destination, message in (("timecondition:night", "no such time condition"),
                                 ("voicemail:555", "no such extension")):
        answer = system_api.post("/orgs/acme/timeconditions", json={"name": "hours", "open_destination": destination})
        assert answer.status_code == 422, destination
        assert message in answer.get_json()["error"]["fields"]["open_destination"], answer.get_json()


def test_when_a_condition_leads_to_itself_then_422(system_api, orgs):
    system_api.post("/orgs/acme/timeconditions", json={"name": "hours"})
    answer = system_api.patch("/orgs/acme/timeconditions/hours", json={"closed_destination": "timecondition:hours"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"closed_destination": "not the time condition itself"}


def test_when_two_conditions_share_a_switch_code_then_the_second_is_refused(system_api, orgs):
    assert system_api.post("/orgs/acme/timeconditions", json={"name": "hours", "toggle_code": 1}).status_code == 201
    clash = system_api.post("/orgs/acme/timeconditions", json={"name": "lunch", "toggle_code": 1})
    assert clash.status_code == 422
    assert clash.get_json()["error"]["fields"] == {"toggle_code": "already the code of hours"}
    # Another organization has its own codes.
    assert system_api.post("/orgs/globex/timeconditions", json={"name": "hours", "toggle_code": 1}).status_code == 201


def test_when_a_condition_is_forced_before_it_is_applied_then_409_and_after_apply_it_switches(
        app, session, engine, system_api, orgs):
    with_mailbox(system_api)
    system_api.post("/orgs/acme/timeconditions", json={**HOURS, "schedule": [], "holidays": []})
    early = system_api.put("/orgs/acme/timeconditions/hours/force", json={"state": "open"})
    assert early.status_code == 409 and "apply it first" in early.get_json()["error"]["message"]

    system_api.patch("/orgs/acme/dids/+14155550100", json={"destination": "timecondition:hours"})
    assert apply_now(app, session, "acme") == "applied"
    rows = pbx_rows(engine, "acme")
    assert rows[("timecondition", "hours")] == "||UTC|101|voicemail:101|1"
    assert rows[("did", "+14155550100")] == "timecondition:hours"
    # No opening hours at all: closed, until forced open.
    assert system_api.get("/orgs/acme/timeconditions/hours").get_json()["state"] == "closed"
    forced = system_api.put("/orgs/acme/timeconditions/hours/force", json={"state": "open"})
    assert forced.status_code == 200, forced.get_json()
    assert (forced.get_json()["state"], forced.get_json()["forced"]) == ("open", "open")
    # An Apply keeps what was forced; "auto" returns it to its hours.
    assert apply_now(app, session, "acme") == "applied"
    assert system_api.get("/orgs/acme/timeconditions/hours").get_json()["forced"] == "open"
    back = system_api.put("/orgs/acme/timeconditions/hours/force", json={"state": "auto"})
    assert (back.get_json()["state"], back.get_json()["forced"]) == ("closed", None)
    events = [e["action"] for e in system_api.get("/orgs/acme/audit").get_json()["items"]]
    assert events.count("timecondition.force") == 2


def test_when_the_forced_state_is_not_one_of_three_then_422(system_api, orgs):
    system_api.post("/orgs/acme/timeconditions", json={"name": "hours"})
    answer = system_api.put("/orgs/acme/timeconditions/hours/force", json={"state": "night"})
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"state": "open, closed or auto"}


def test_when_another_org_forces_a_condition_then_404(acme_api, system_api, orgs):
    system_api.post("/orgs/globex/timeconditions", json={"name": "hours"})
    answer = acme_api.put("/orgs/globex/timeconditions/hours/force", json={"state": "open"})
    assert answer.status_code in (403, 404)
    assert acme_api.put("/orgs/acme/timeconditions/hours/force", json={"state": "open"}).status_code == 404
