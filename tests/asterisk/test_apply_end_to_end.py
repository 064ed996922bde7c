"""The whole product on the real PBX: services edit drafts, the applier makes them live.

Unlike the other Asterisk tests (which hand OrgPBXConfig to the backend), these go the
way an admin's change goes: draft rows, an Apply run stepped by the applier, the org's
calls counted over AMI, and phones that register with what the service generated.
"""
import pytest
from sqlalchemy import select

from littlepbx import build_applier, close_app, create_app
from littlepbx.applier import states
from littlepbx.extensions import db
from littlepbx.kinds import Dids, Extensions, Trunks
from littlepbx.models import ApplyRun
from littlepbx.services import extensions, objects, orgs
from littlepbx.services.apply import request_apply
from tests.asterisk.sipp import CALLER_PORT, PHONE_PORT
from tests.conftest import make_org, scope_of, wait_until, wipe

pytestmark = pytest.mark.asterisk
# What an admin, a phone and an integrator see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")

PHONES = {"101": "127.0.0.31", "102": "127.0.0.32", "103": "127.0.0.33"}
UPSTREAM = "127.0.0.34"
DID = "+15550301"


@pytest.fixture
def product(pbx, app_config, engine):
    """An app whose PBX backend is the test PBX, on clean LittlePBX tables."""
    wipe(engine)
    pbx_keys = {k: v for k, v in pbx.config.items() if k.startswith(("ASTERISK_", "FREESWITCH_"))}
    app = create_app({**app_config, **pbx_keys, "PBX_BACKEND": pbx.backend.name,
                      "DATA_DIR": pbx.config["DATA_DIR"]})
    with app.app_context():
        yield app
    pbx.remove("e2e")  # and Asterisk forgets what it cached of e2e: the next test makes e2e anew
    wipe(engine)
    close_app(app)


@pytest.fixture
def session(product):
    session = db.of(product).sessions()
    yield session
    session.close()


def apply_until_done(app, session, code: str) -> str:
    """Request an Apply and step it until it has ended; returns its final state."""
    run = request_apply(scope_of(session, code))
    session.commit()
    applier = build_applier(app)
    wait_until(lambda: applier.step(run.id) in states.FINAL_STATES, timeout=30,
               what="the run to end")
    session.refresh(run)
    return run.state


def sip_password(session, number: str) -> str:
    session.expire_all()
    return objects.get(scope_of(session, "e2e"), Extensions, number).sip_password


def register(pbx, session, number: str) -> int:
    """REGISTER e2e-<number> with the password LittlePBX generated; sipp's exit code."""
    run = pbx.sipp.run("register.xml", PHONES[number], user=f"e2e-{number}",
                       password=sip_password(session, number))
    return run.process.returncode


def start_call(pbx, session, caller: str, callee: str, duration_ms: int):
    """caller dials callee, who answers; both sipp processes, still running."""
    answering = pbx.sipp.answering(PHONES[callee])
    calling = pbx.sipp.start("call_answered.xml", PHONES[caller], CALLER_PORT, service=callee,
                             user=f"e2e-{caller}", password=sip_password(session, caller),
                             duration_ms=duration_ms)
    return calling, answering


@pytest.fixture
def e2e_org(product, session, pbx):
    """Org e2e with extensions 101 and 102, applied, both phones registered."""
    make_org(session, "e2e", apply_wait_seconds=60)
    scope = scope_of(session, "e2e")
    for number in ("101", "102"):
        objects.create(scope, Extensions, {"number": number, "ring_seconds": 5,
                                            "no_answer": "hangup", "voicemail_enabled": False})
    # An inbound trunk set the way integrators set it (REST validation, then the backend).
    objects.put(scope, Trunks, "inbound", {"host": UPSTREAM, "source_addresses": UPSTREAM})
    objects.create(scope, Dids, {"number": DID, "extension": "101"})
    session.commit()
    assert apply_until_done(product, session, "e2e") == states.APPLIED
    assert register(pbx, session, "101") == 0
    assert register(pbx, session, "102") == 0


@BOTH
def test_when_draft_is_applied_then_its_phones_register_and_call_each_other(pbx, session,
                                                                              e2e_org):
    calling, answering = start_call(pbx, session, "102", "101", duration_ms=200)
    try:
        assert calling.wait(30) == 0, calling.output()
        assert answering.wait(10) == 0, answering.output()
    finally:
        answering.stop()


@BOTH
def test_when_the_upstream_host_no_longer_resolves_then_the_rest_goes_live_and_the_apply_says_so(
        product, pbx, session, e2e_org):
    scope = scope_of(session, "e2e")
    objects.update(scope, Trunks, "inbound", {"source_addresses": "carrier.invalid"})
    objects.create(scope, Extensions, {"number": "103"})
    session.commit()
    assert apply_until_done(product, session, "e2e") == states.APPLIED
    run = session.scalars(select(ApplyRun).order_by(ApplyRun.id.desc())).first()
    assert run.message.startswith("applied 3 extension(s)") and "cannot look up carrier.invalid" in run.message
    assert UPSTREAM in run.message, run.message  # its calls are still known by the address it had
    assert register(pbx, session, "103") == 0


@BOTH
def test_when_extension_is_only_a_draft_then_its_phone_cannot_register(pbx, session, e2e_org):
    objects.create(scope_of(session, "e2e"), Extensions, {"number": "103"})
    session.commit()
    assert register(pbx, session, "103") != 0


@BOTH
def test_when_org_has_a_call_then_apply_waits_and_applies_after_the_bye(product, pbx, session,
                                                                       e2e_org):
    objects.create(scope_of(session, "e2e"), Extensions, {"number": "103"})
    session.commit()
    calling, answering = start_call(pbx, session, "102", "101", duration_ms=4000)
    try:
        wait_until(lambda: pbx.backend.active_calls("e2e") == 1, what="the call to be up")
        run = request_apply(scope_of(session, "e2e"))
        session.commit()
        applier = build_applier(product)
        assert applier.step(run.id) == states.WAITING
        session.refresh(run)
        assert run.waiting_calls == 1
        assert register(pbx, session, "103") != 0, "nothing is live while the run waits"
        assert calling.wait(30) == 0, "the call ends normally: " + calling.output()
        wait_until(lambda: pbx.backend.active_calls("e2e") == 0, what="the BYE to end the call")
        assert applier.step(run.id) == states.APPLIED
    finally:
        answering.stop()
    assert register(pbx, session, "103") == 0


@BOTH
def test_when_apply_deadline_passes_during_a_call_then_call_survives_the_apply(product, pbx,
                                                                               session, e2e_org):
    calling, answering = start_call(pbx, session, "102", "101", duration_ms=3000)
    try:
        wait_until(lambda: pbx.backend.active_calls("e2e") == 1, what="the call to be up")
        scope = scope_of(session, "e2e")
        scope.org.apply_wait_seconds = 0
        objects.update(scope, Extensions, "101", {"ring_seconds": 30})
        extensions.regenerate_password(scope, "102")
        session.commit()
        assert apply_until_done(product, session, "e2e") == states.APPLIED
        assert calling.wait(30) == 0, "the call in progress ends normally: " + calling.output()
        assert answering.wait(10) == 0, answering.output()
    finally:
        answering.stop()


@BOTH
def test_when_phones_register_then_the_api_shows_which_extensions_are_registered(
        product, session, e2e_org):
    from littlepbx.services.tokens import create_token
    from littlepbx.tenancy import SYSTEM
    objects.create(scope_of(session, "e2e"), Extensions, {"number": "103"})
    _, token = create_token(session, SYSTEM, {"name": "e2e"})
    session.commit()
    answer = product.test_client().get("/api/v1/orgs/e2e/extensions",
                                       headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert {e["number"]: e["registered"] for e in answer.get_json()["items"]} == \
        {"101": True, "102": True, "103": False}


@BOTH
def test_when_org_is_deleted_then_its_call_history_goes_with_it(product, pbx, session, e2e_org):
    from sqlalchemy import func, select

    from littlepbx import get_backend
    from littlepbx.pbx_backends.asterisk.tables import cdr
    calling, answering = start_call(pbx, session, "102", "101", duration_ms=200)
    try:
        assert calling.wait(30) == 0, calling.output()
    finally:
        answering.stop()

    def history():
        return session.scalar(select(func.count()).select_from(cdr).where(cdr.c.tenantid == "e2e"))
    wait_until(lambda: history() > 0, what="the call's CDR")
    session.commit()
    orgs.delete_org(scope_of(session, "e2e"), get_backend(product))
    session.commit()
    orgs.after_delete("e2e", get_backend(product), product.config["DATA_DIR"])  # as DELETE /orgs/<code> does
    assert history() == 0


@BOTH
def test_when_upstream_call_arrives_on_a_did_then_the_api_counts_it_on_that_did(
        product, pbx, session, e2e_org):
    from littlepbx.services.tokens import create_token
    from littlepbx.tenancy import SYSTEM
    _, token = create_token(session, SYSTEM, {"name": "e2e"})
    session.commit()
    client = product.test_client()

    def calls():
        answer = client.get("/api/v1/orgs/e2e/calls", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()
    assert calls()["dids"] == {DID: 0}
    answering = pbx.sipp.answering(PHONES["101"])
    inbound = pbx.sipp.start("upstream_call_answered.xml", UPSTREAM, PHONE_PORT, service=DID,
                             duration_ms=3000)
    try:
        wait_until(lambda: calls()["dids"] == {DID: 1}, what="the DID's call to be counted")

        def answered_call():
            answer = client.get("/api/v1/orgs/e2e/calls/current", headers={"Authorization": f"Bearer {token}"})
            return [c for c in answer.get_json()["calls"] if c["callee"] == "101" and c["state"] == "Up"]
        assert len(wait_until(answered_call, what="the DID's call to show as up")) == 1
        assert inbound.wait(30) == 0, inbound.output()
    finally:
        answering.stop()
    wait_until(lambda: calls()["dids"] == {DID: 0}, what="the DID's call to end")
