"""References between objects: checked when written, when their target is deleted, and at Apply."""
import pytest
from sqlalchemy import text

from littlepbx.errors import Conflict, ValidationError
from littlepbx.kinds import Dids, Extensions
from littlepbx.services import objects
from tests.conftest import make_org, scope_of
from tests.support.apply_helpers import request
from tests.support.recording_backend import pbx_rows


@pytest.fixture
def two_orgs(session):
    """acme with extensions 101 and 102, globex with 301 (no 101 or 102 of its own)."""
    make_org(session, "acme")
    make_org(session, "globex")
    for number in ("101", "102"):
        objects.create(scope_of(session, "acme"), Extensions, {"number": number})
    objects.create(scope_of(session, "globex"), Extensions, {"number": "301"})
    session.commit()


def test_when_a_did_names_another_orgs_extension_then_it_is_refused_as_missing(session, two_orgs):
    with pytest.raises(ValidationError) as error:
        objects.create(scope_of(session, "acme"), Dids, {"number": "+14155550100", "extension": "301"})
    assert error.value.fields == {"extension": "no such extension"}


def test_when_a_forward_names_another_orgs_extension_then_it_is_refused(session, two_orgs):
    with pytest.raises(ValidationError) as error:
        objects.update(scope_of(session, "globex"), Extensions, "301",
                       {"no_answer": "forward", "forward_to": "101"})
    assert error.value.fields == {"forward_to": "no such extension"}


def test_when_a_forward_names_an_outside_number_then_it_is_no_reference(session, two_orgs):
    extension = objects.update(scope_of(session, "acme"), Extensions, "101",
                               {"no_answer": "forward", "forward_to": "+14155550199"})
    assert extension.forward_to == "+14155550199"


def test_when_a_referenced_extension_is_deleted_then_409_names_who_refers_to_it(session, two_orgs):
    scope = scope_of(session, "acme")
    objects.update(scope, Extensions, "102", {"no_answer": "forward", "forward_to": "101"})
    with pytest.raises(Conflict) as error:
        objects.delete(scope, Extensions, "101")
    assert error.value.message == "extension 102 forwards to 101; change that first"
    assert objects.find(scope, Extensions, "101") is not None


def test_when_a_rung_extension_is_deleted_then_its_dids_ring_nobody_and_are_named(session, two_orgs):
    scope = scope_of(session, "acme")
    objects.create(scope, Dids, {"number": "+14155550100", "extension": "101"})
    assert objects.delete(scope, Extensions, "101") == {"unrouted_dids": ["+14155550100"]}
    assert objects.get(scope, Dids, "+14155550100").destination is None


def test_when_a_draft_row_was_altered_behind_the_apps_back_then_apply_refuses_and_nothing_goes_live(
        app, session, engine, two_orgs):
    from littlepbx import build_applier
    objects.create(scope_of(session, "acme"), Dids, {"number": "+14155550100", "extension": "101"})
    session.commit()
    with engine.begin() as connection:
        connection.execute(text("UPDATE dids SET destination = '301' WHERE number = '+14155550100'"))
    run_id = request(session, "acme")
    assert build_applier(app).step(run_id) == "failed"
    message = session.execute(text("SELECT message FROM apply_runs WHERE id = :i"), {"i": run_id}).scalar()
    assert "DID +14155550100: rings 301: no such extension" in message
    assert pbx_rows(engine, "acme") == {}
    assert session.execute(text("SELECT COUNT(*) FROM live_extensions")).scalar() == 0
