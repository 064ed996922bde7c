"""Drafts: every edit is stored at once; the diff, Discard and Reset."""
import pytest

from littlepbx.errors import Conflict, ValidationError
from littlepbx.kinds import Dids, Extensions, Trunks
from littlepbx.services import drafts, extensions, objects
from tests.conftest import make_org, scope_of
from tests.support.apply_helpers import apply_now


@pytest.fixture
def acme(session):
    return make_org(session, "acme")


def test_when_extension_added_then_diff_lists_it_as_added_and_live_is_unchanged(session, acme):
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101", "display_name": "Alice"})
    session.commit()
    diff = drafts.diff(scope_of(session, "acme"))
    assert diff["pending"] is True
    assert [e["number"] for e in diff["extensions"]["added"]] == ["101"]
    assert diff["extensions"]["added"][0]["sip_password"] == "(set)"
    assert session.query(Extensions.live).count() == 0


def test_when_draft_applied_then_nothing_is_pending(app, session, acme):
    objects.create(scope_of(session, "acme"), Extensions, {"number": "101"})
    session.commit()
    assert apply_now(app, session, "acme") == "applied"
    assert drafts.diff(scope_of(session, "acme"))["pending"] is False


def test_when_live_extension_changed_and_removed_then_diff_shows_both(app, session, acme):
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101", "ring_seconds": 20})
    objects.create(scope, Extensions, {"number": "102"})
    session.commit()
    apply_now(app, session, "acme")
    scope = scope_of(session, "acme")
    objects.update(scope, Extensions, "101", {"ring_seconds": 30})
    extensions.regenerate_password(scope, "101")
    objects.delete(scope, Extensions, "102")
    session.commit()
    diff = drafts.diff(scope_of(session, "acme"))["extensions"]
    assert diff["added"] == []
    assert [e["number"] for e in diff["removed"]] == ["102"]
    [change] = diff["changed"]
    assert change["key"] == {"number": "101"}
    assert change["fields"]["ring_seconds"] == {"from": 20, "to": 30}
    assert change["fields"]["sip_password"] == {"from": "(hidden)", "to": "(changed)"}


def test_when_did_route_and_trunk_change_then_diff_shows_them(app, session, acme):
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101"})
    objects.create(scope, Dids, {"number": "+14155550100", "extension": "101"})
    objects.put(scope, Trunks, "outbound", {"host": "sip.example.net"})
    session.commit()
    diff = drafts.diff(scope_of(session, "acme"))
    assert [d["number"] for d in diff["dids"]["added"]] == ["+14155550100"]
    assert [t["direction"] for t in diff["trunks"]["added"]] == ["outbound"]


def test_when_discarded_then_draft_equals_live_again(app, session, acme):
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101", "display_name": "Alice"})
    session.commit()
    apply_now(app, session, "acme")
    scope = scope_of(session, "acme")
    objects.update(scope, Extensions, "101", {"display_name": "Bob"})
    objects.create(scope, Extensions, {"number": "102"})
    session.commit()
    drafts.discard(scope_of(session, "acme"))
    session.commit()
    session.expire_all()
    assert [(e.number, e.display_name) for e in session.query(Extensions.draft)] == [("101", "Alice")]
    assert drafts.diff(scope_of(session, "acme"))["pending"] is False


def test_when_reset_then_draft_has_the_documented_defaults(app, session, acme):
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "100"})
    objects.create(scope, Extensions, {"number": "205"})
    objects.create(scope, Dids, {"number": "+14155550100", "extension": "205"})
    session.commit()
    password = objects.get(scope_of(session, "acme"), Extensions, "100").sip_password
    drafts.reset(scope_of(session, "acme"))
    session.commit()
    session.expire_all()
    scope = scope_of(session, "acme")
    [ext] = objects.all_of(scope, Extensions)
    assert (ext.number, ext.display_name, ext.ring_seconds, ext.no_answer) == \
        ("100", "Reception", 20, "voicemail")
    assert ext.sip_password == password, "a kept extension keeps its phone's password"
    assert [d.destination for d in objects.all_of(scope, Dids)] == ["100"]


def test_when_extension_input_is_bad_then_every_field_error_is_reported_and_nothing_saved(
        session, acme):
    scope = scope_of(session, "acme")
    with pytest.raises(ValidationError) as error:
        objects.create(scope, Extensions, {"number": "1", "ring_seconds": 500,
                                            "no_answer": "dance", "voicemail_pin": "12",
                                            "voicemail_email": "nope", "colour": "red"})
    assert set(error.value.fields) == {"number", "ring_seconds", "no_answer", "voicemail_pin",
                                       "voicemail_email", "colour"}
    session.rollback()
    assert session.query(Extensions.draft).count() == 0


def test_when_forward_has_no_target_then_it_is_refused(session, acme):
    with pytest.raises(ValidationError) as error:
        objects.create(scope_of(session, "acme"), Extensions,
                                    {"number": "101", "no_answer": "forward"})
    assert "forward_to" in error.value.fields


def test_when_extension_number_is_taken_then_conflict(session, acme):
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101"})
    with pytest.raises(Conflict):
        objects.create(scope, Extensions, {"number": "101"})


def test_when_org_reaches_its_extension_limit_then_the_next_is_refused(session):
    make_org(session, "tiny", max_extensions=1)
    scope = scope_of(session, "tiny")
    objects.create(scope, Extensions, {"number": "101"})
    with pytest.raises(Conflict, match="at most 1"):
        objects.create(scope, Extensions, {"number": "102"})


def test_when_extension_created_then_its_sip_password_is_strong_and_unique(session, acme):
    scope = scope_of(session, "acme")
    first = objects.create(scope, Extensions, {"number": "101"}).sip_password
    second = objects.create(scope, Extensions, {"number": "102"}).sip_password
    assert first != second and len(first) >= 20
    assert any(c.isdigit() for c in first + second) and any(c.isupper() for c in first + second)


def test_when_an_org_token_discards_then_the_operators_addresses_stay_as_the_operator_left_them(app, session, acme):
    from littlepbx.tenancy import ROLE_ORG_INTEGRATOR, Actor
    from tests.conftest import make_org
    operator = scope_of(session, "acme")
    objects.put(operator, Trunks, "inbound", {"host": "in.example.net", "source_addresses": "203.0.113.10"})
    objects.put(operator, Trunks, "outbound", {"host": "sip.example.net", "username": "acme", "password": "s3cret-pw",
                                               "register": True, "source_addresses": "198.51.100.7"})
    session.commit()
    apply_now(app, session, "acme")
    operator = scope_of(session, "acme")
    objects.delete(operator, Trunks, "inbound")                       # its address released
    objects.update(operator, Trunks, "outbound", {"source_addresses": "198.51.100.8"})
    token = Actor("acme's integration", ROLE_ORG_INTEGRATOR, acme.id)
    objects.update(scope_of(session, "acme", token), Trunks, "outbound", {"host": "sip2.example.net"})
    session.commit()

    drafts.discard(scope_of(session, "acme", token))
    session.commit()
    session.expire_all()
    trunks = {t.direction: t for t in objects.all_of(scope_of(session, "acme"), Trunks)}
    assert list(trunks) == ["outbound"], "the released trunk and its address do not come back"
    assert (trunks["outbound"].host, trunks["outbound"].source_addresses) == ("sip.example.net", "198.51.100.8")
    apply_now(app, session, "acme")
    make_org(session, "globex")
    objects.put(scope_of(session, "globex"), Trunks, "inbound", {"host": "in.example.net",
                                                                 "source_addresses": "203.0.113.10"})
    session.commit()  # once applied, the address is free for the operator to give to another organization


def test_when_an_admin_discards_then_numbers_and_trunks_the_integrator_changed_stay_as_they_are(app, session, acme):
    from littlepbx.services.users import create_admin
    from tests.conftest import org_admin
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "101"})
    objects.create(scope, Extensions, {"number": "102"})
    objects.create(scope, Dids, {"number": "+14155550100", "extension": "101"})
    objects.create(scope, Dids, {"number": "+14155550101", "extension": "101"})
    objects.put(scope, Trunks, "outbound", {"host": "sip.example.net"})
    create_admin(scope, {"email": "admin@acme.example"})
    session.commit()
    apply_now(app, session, "acme")
    integrator = scope_of(session, "acme")
    objects.delete(integrator, Dids, "+14155550101")                     # released by the operator
    objects.create(integrator, Dids, {"number": "+14155550102"})        # a new number
    objects.delete(integrator, Trunks, "outbound")
    admin = scope_of(session, "acme", org_admin(acme))
    objects.update(admin, Dids, "+14155550100", {"extension": "102"})   # the admin's own change
    session.commit()

    drafts.discard(scope_of(session, "acme", org_admin(acme)))
    session.commit()
    session.expire_all()
    scope = scope_of(session, "acme")
    assert {d.number: d.destination for d in objects.all_of(scope, Dids)} == {
        "+14155550100": "101", "+14155550102": None}, "the admin's change is undone, the operator's are not"
    assert objects.all_of(scope, Trunks) == []
