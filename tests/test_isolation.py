"""Every org-scoped service call refuses another organization's objects."""
import pytest

from littlepbx.errors import Conflict, Forbidden, NotFound, ValidationError
from littlepbx.kinds import Dids, Extensions, Trunks
from littlepbx.services import apply as apply_service
from littlepbx.services import drafts, extensions, objects, orgs, users
from littlepbx.tenancy import ROLE_ORG_INTEGRATOR, Actor, open_scope
from tests.conftest import make_org, org_admin, scope_of
from tests.support.apply_helpers import request


@pytest.fixture
def orgs_ab(session):
    acme, beta = make_org(session, "acme"), make_org(session, "beta")
    objects.create(scope_of(session, "acme"), Extensions, {"number": "101"})
    beta_scope = scope_of(session, "beta")
    objects.create(beta_scope, Extensions, {"number": "201"})
    objects.create(beta_scope, Dids, {"number": "+14155550201", "extension": "201"})
    objects.put(beta_scope, Trunks, "inbound", {"host": "198.51.100.7",
                                             "source_addresses": "198.51.100.7"})
    users.create_admin(beta_scope, {"email": "boss@beta.example", "password": "long enough pw"})
    session.commit()
    return acme, beta


ACTORS = {
    "org admin": lambda acme: org_admin(acme),
    "org token": lambda acme: Actor("token:acme", ROLE_ORG_INTEGRATOR, acme.id),
}


@pytest.mark.parametrize("who", ACTORS)
def test_when_acme_actor_opens_beta_then_beta_does_not_exist_for_it(session, orgs_ab, who):
    acme, _ = orgs_ab
    with pytest.raises(NotFound, match="no organization 'beta'"):
        open_scope(session, ACTORS[who](acme), "beta")


@pytest.mark.parametrize("call", [
    lambda s: objects.get(s, Extensions, "201"),
    lambda s: objects.update(s, Extensions, "201", {"display_name": "x"}),
    lambda s: objects.delete(s, Extensions, "201"),
    lambda s: extensions.regenerate_password(s, "201"),
    lambda s: extensions.sip_settings(s, "201", {}),
    lambda s: objects.get(s, Dids, "+14155550201"),
    lambda s: objects.update(s, Dids, "+14155550201", {"extension": "101"}),
    lambda s: objects.delete(s, Dids, "+14155550201"),
    lambda s: objects.get(s, Trunks, "inbound"),
    lambda s: users.get_admin(s, "boss@beta.example"),
    lambda s: users.update_admin(s, "boss@beta.example", {"password": "taken over!!"}),
    lambda s: users.delete_admin(s, "boss@beta.example"),
], ids=["ext.get", "ext.update", "ext.delete", "ext.regenerate", "ext.sip", "did.get",
        "did.update", "did.release", "trunk.get", "admin.get", "admin.update", "admin.delete"])
def test_when_acme_scope_names_a_beta_object_then_it_is_not_found(session, orgs_ab, call):
    with pytest.raises(NotFound):
        call(scope_of(session, "acme"))


def test_when_acme_assigns_beta_did_then_it_is_refused(session, orgs_ab):
    with pytest.raises(Conflict, match="already assigned"):
        objects.create(scope_of(session, "acme"), Dids, {"number": "+14155550201"})


def test_when_acme_routes_a_did_to_a_beta_extension_then_it_is_refused(session, orgs_ab):
    scope = scope_of(session, "acme")
    objects.create(scope, Dids, {"number": "+14155550101"})
    with pytest.raises(ValidationError) as error:
        objects.update(scope, Dids, "+14155550101", {"extension": "201"})
    assert error.value.fields == {"extension": "no such extension"}


def test_when_acme_diffs_discards_and_resets_then_beta_draft_is_untouched(session, orgs_ab):
    assert [e["number"] for e in drafts.diff(scope_of(session, "acme"))["extensions"]["added"]] \
        == ["101"]
    drafts.discard(scope_of(session, "acme"))
    drafts.reset(scope_of(session, "acme"))
    session.commit()
    assert [e.number for e in objects.all_of(scope_of(session, "beta"), Extensions)] == ["201"]
    assert [d.destination for d in objects.all_of(scope_of(session, "beta"), Dids)] == ["201"]


def test_when_acme_stops_then_beta_run_goes_on(session, orgs_ab):
    beta_run = request(session, "beta")
    with pytest.raises(Conflict, match="no Apply is running"):
        apply_service.stop(scope_of(session, "acme"))
    session.rollback()
    assert apply_service.active_run(scope_of(session, "beta")).id == beta_run


def test_when_org_admin_lists_orgs_then_only_its_own_is_listed(session, orgs_ab):
    acme, _ = orgs_ab
    listed, total = orgs.list_orgs(session, org_admin(acme))
    assert [o.code for o in listed] == ["acme"] and total == 1


@pytest.mark.parametrize("call", [
    lambda s: objects.create(s, Dids, {"number": "+14155550199"}),
    lambda s: objects.put(s, Trunks, "outbound", {"host": "sip.example.net"}),
    lambda s: users.create_admin(s, {"email": "x@acme.example"}),
    lambda s: orgs.update_org(s, {"max_concurrent_calls": 500}),
], ids=["did.assign", "trunk.put", "admin.create", "org.limits"])
def test_when_org_admin_does_integrator_work_then_it_is_forbidden(session, orgs_ab, call):
    acme, _ = orgs_ab
    with pytest.raises(Forbidden):
        call(open_scope(session, org_admin(acme), "acme"))


def test_when_org_admin_routes_own_did_then_it_may_change_only_the_extension(session, orgs_ab):
    acme, _ = orgs_ab
    objects.create(scope_of(session, "acme"), Dids, {"number": "+14155550101"})
    session.commit()
    scope = open_scope(session, org_admin(acme), "acme")
    assert objects.update(scope, Dids, "+14155550101", {"extension": "101"}).destination == "101"
    with pytest.raises(ValidationError) as error:
        objects.update(scope, Dids, "+14155550101", {"description": "mine now"})
    assert error.value.fields == {"description": "unknown field"}


def test_when_a_login_is_deactivated_then_its_session_no_longer_loads(app, session, orgs_ab):
    from littlepbx.auth import load_user
    acme, _ = orgs_ab
    user, _ = users.create_admin(scope_of(session, "acme"), {"email": "gone@acme.example",
                                                            "password": "long enough pw"})
    session.commit()
    assert load_user(user.get_id()).email == "gone@acme.example"
    users.update_admin(scope_of(session, "acme"), "gone@acme.example", {"active": False})
    session.commit()
    from littlepbx.extensions import db
    db.request_session().expire_all()
    assert load_user(user.get_id()) is None
