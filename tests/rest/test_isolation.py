"""An org token or an org admin never reaches another organization: every resource answers 404."""
import pytest

from littlepbx.kinds import Dids, Extensions, Trunks
from littlepbx.models import Organization

# Every endpoint under /orgs/{code}, aimed at globex (the other org), by code, DID number, extension number.
OTHER_ORG_REQUESTS = [
    ("GET", "/orgs/globex", None), ("PATCH", "/orgs/globex", {"name": "Pwned"}),
    ("DELETE", "/orgs/globex", None),
    ("GET", "/orgs/globex/trunks/inbound", None), ("PUT", "/orgs/globex/trunks/inbound", {"host": "evil.example", "source_addresses": "192.0.2.1"}),
    ("DELETE", "/orgs/globex/trunks/inbound", None),
    ("GET", "/orgs/globex/trunks/outbound", None), ("PUT", "/orgs/globex/trunks/outbound", {"host": "evil.example"}),
    ("GET", "/orgs/globex/trunks/outbound/status", None),
    ("GET", "/orgs/globex/dids", None), ("POST", "/orgs/globex/dids", {"number": "+14155550777"}),
    ("GET", "/orgs/globex/dids/+14155550200", None), ("PATCH", "/orgs/globex/dids/+14155550200", {"extension": None}),
    ("DELETE", "/orgs/globex/dids/+14155550200", None),
    ("GET", "/orgs/globex/admins", None), ("POST", "/orgs/globex/admins", {"email": "spy@acme.example"}),
    ("GET", "/orgs/globex/admins/admin@globex.example", None),
    ("PATCH", "/orgs/globex/admins/admin@globex.example", {"active": False}),
    ("DELETE", "/orgs/globex/admins/admin@globex.example", None),
    ("GET", "/orgs/globex/extensions", None), ("POST", "/orgs/globex/extensions", {"number": "666"}),
    ("GET", "/orgs/globex/extensions/101", None), ("PATCH", "/orgs/globex/extensions/101", {"display_name": "x"}),
    ("DELETE", "/orgs/globex/extensions/101", None),
    ("GET", "/orgs/globex/extensions/101/sip", None), ("POST", "/orgs/globex/extensions/101/sip/regenerate", None),
    ("GET", "/orgs/globex/moh", None), ("PUT", "/orgs/globex/moh", {"enabled": False}),
    ("DELETE", "/orgs/globex/moh", None), ("GET", "/orgs/globex/moh/audio", None),
    ("GET", "/orgs/globex/changes", None), ("GET", "/orgs/globex/apply", None),
    ("POST", "/orgs/globex/apply", None), ("POST", "/orgs/globex/apply/stop", None),
    ("POST", "/orgs/globex/discard", None), ("POST", "/orgs/globex/reset", None),
    ("GET", "/orgs/globex/calls", None), ("GET", "/orgs/globex/calls/current", None),
    ("GET", "/orgs/globex/cdr", None),
]
# The same resources of globex reached through acme's URL: another org's DID or extension is not there.
CROSS_KEY_REQUESTS = [
    ("GET", "/orgs/acme/dids/+14155550200", None), ("PATCH", "/orgs/acme/dids/+14155550200", {"extension": "101"}),
    ("DELETE", "/orgs/acme/dids/+14155550200", None),
    ("GET", "/orgs/acme/admins/admin@globex.example", None),
    ("DELETE", "/orgs/acme/admins/admin@globex.example", None),
]


@pytest.fixture
def globex_admin_exists(session, orgs):
    from littlepbx.services.users import create_admin
    from tests.conftest import scope_of
    create_admin(scope_of(session, "globex"), {"email": "admin@globex.example"})
    session.commit()


def snapshot(session):
    """What globex has, to prove a refused request changed nothing."""
    session.expire_all()
    globex = session.query(Organization).filter_by(code="globex").one()
    return (globex.name, sorted((d.number, d.destination) for d in session.query(Dids.draft).filter_by(org_id=globex.id)),
            sorted((e.number, e.display_name, e.sip_password) for e in session.query(Extensions.draft).filter_by(org_id=globex.id)),
            session.query(Trunks.draft).filter_by(org_id=globex.id).count())


@pytest.mark.parametrize("method,path,payload", OTHER_ORG_REQUESTS)
def test_when_org_token_reaches_other_org_then_404_and_nothing_changes(acme_api, globex_admin_exists, session,
                                                                        method, path, payload):
    before = snapshot(session)
    answer = acme_api.request(method, path, json=payload)
    assert answer.status_code == 404, answer.get_json()
    assert answer.get_json()["error"]["code"] == "not_found"
    assert snapshot(session) == before


@pytest.mark.parametrize("method,path,payload", OTHER_ORG_REQUESTS)
def test_when_org_admin_reaches_other_org_then_404_and_nothing_changes(acme_admin, globex_admin_exists, session,
                                                                        method, path, payload):
    csrf = acme_admin.get("/session").get_json()["csrf_token"]
    before = snapshot(session)
    answer = acme_admin.request(method, path, json=payload, headers={"X-CSRFToken": csrf})
    assert answer.status_code == 404, answer.get_json()
    assert snapshot(session) == before


@pytest.mark.parametrize("who", ["org admin", "org token"])
@pytest.mark.parametrize("method,path,payload", CROSS_KEY_REQUESTS)
def test_when_org_actor_names_other_org_key_then_refused_as_for_a_missing_one(acme_admin, acme_api, globex_admin_exists,
                                                                              session, method, path, payload, who):
    """Neither may release DIDs (403 before any lookup), an admin may not manage admins; reads are 404."""
    caller = acme_admin if who == "org admin" else acme_api
    headers = {"X-CSRFToken": acme_admin.get("/session").get_json()["csrf_token"]} if who == "org admin" else {}
    before = snapshot(session)
    answer = caller.request(method, path, json=payload, headers=headers)
    missing_path = path.replace("+14155550200", "+14155550999").replace("admin@globex", "nobody@globex")
    missing = caller.request(method, missing_path, json=payload, headers=headers)
    assert answer.status_code in (403, 404)
    assert (answer.status_code, answer.get_json()["error"]["code"]) == \
        (missing.status_code, missing.get_json()["error"]["code"])
    assert snapshot(session) == before


def test_when_org_token_reads_other_org_extension_then_404(acme_api):
    assert acme_api.get("/orgs/globex/extensions/101").status_code == 404


def test_when_org_token_reads_other_org_did_by_number_then_404(acme_api):
    assert acme_api.get("/orgs/acme/dids/+14155550200").status_code == 404
    assert acme_api.get("/orgs/globex/dids/+14155550200").status_code == 404


def test_when_other_org_and_missing_org_answer_alike_then_existence_is_not_leaked(acme_api):
    other, missing = acme_api.get("/orgs/globex"), acme_api.get("/orgs/nosuchorg")
    assert other.status_code == missing.status_code == 404
    assert other.get_json()["error"]["code"] == missing.get_json()["error"]["code"]


def test_when_org_admin_lists_orgs_then_only_its_own(acme_admin):
    assert [o["code"] for o in acme_admin.get("/orgs").get_json()["items"]] == ["acme"]
