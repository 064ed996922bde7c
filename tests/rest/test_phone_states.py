"""Do not disturb and the forwards, switched over REST at once (no Apply), as the phone's own
*78/*79, *72/*73, *90/*91 and *52/*53 do; shown with the extension."""
from tests.support.apply_helpers import apply_now


def test_when_an_applied_extension_is_switched_then_it_shows_at_once(system_api, orgs, app, session):
    assert apply_now(app, session, "acme") == "applied"
    answer = system_api.put("/orgs/acme/extensions/101/state", json={"dnd": True, "forward_to": None})
    assert answer.status_code == 200 and answer.get_json() == {
        "number": "101", "dnd": True, "forward_to": None, "forward_busy": None, "forward_unanswered": None}
    shown = system_api.get("/orgs/acme/extensions/101").get_json()
    assert shown["dnd"] is True and shown["forward_all"] is None
    system_api.put("/orgs/acme/extensions/101/state", json={"dnd": False, "forward_to": "+14155550100"})
    shown = system_api.get("/orgs/acme/extensions/101").get_json()
    assert shown["dnd"] is False and shown["forward_all"] == "+14155550100"
    system_api.put("/orgs/acme/extensions/101/state",
                   json={"dnd": False, "forward_busy": "102", "forward_unanswered": "+14155550111"})
    shown = system_api.get("/orgs/acme/extensions/101").get_json()
    assert (shown["forward_all"], shown["forward_busy"], shown["forward_unanswered"]) == (
        None, "102", "+14155550111"), "a PUT sets the whole state: the forward it leaves out is off"
    assert system_api.get("/orgs/acme/changes").get_json()["pending"] is False, "no Apply is needed"


def test_when_a_switch_is_bad_or_early_then_it_says_why_and_changes_nothing(system_api, orgs, app, session):
    early = system_api.put("/orgs/acme/extensions/101/state", json={"dnd": True, "forward_to": None})
    assert early.status_code == 409 and "apply it first" in early.get_json()["error"]["message"]
    assert apply_now(app, session, "acme") == "applied"
    for data, field in (({"dnd": True, "forward_to": "101"}, "forward_to"),
                        ({"dnd": True, "forward_to": "t2-101"}, "forward_to"), ({"forward_to": "102"}, "dnd"),
                        ({"dnd": False, "forward_busy": "101"}, "forward_busy"),
                        ({"dnd": False, "forward_unanswered": "12&PJSIP/x"}, "forward_unanswered")):
        answer = system_api.put("/orgs/acme/extensions/101/state", json=data)
        assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"], answer.get_json()
    assert system_api.get("/orgs/acme/extensions/101").get_json()["dnd"] is False
    assert system_api.put("/orgs/acme/extensions/555/state", json={"dnd": True}).status_code == 404
