"""Fixtures of the REST tests: tokens, org admins, and a client that speaks JSON with a token."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from littlepbx.models import User
from littlepbx.services import tokens
from littlepbx.services.users import create_admin
from littlepbx.tenancy import SYSTEM
from tests.conftest import make_org, scope_of


class Api:
    """The test client with a bearer token: api.get("/orgs"), api.post("/orgs", json={...})."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.token = token

    def request(self, method: str, path: str, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def new_token(session, name: str, org_code: str | None) -> str:
    """A committed token for the system (None) or one organization."""
    _, plain = tokens.create_token(session, SYSTEM, {"name": name, "org": org_code})
    session.commit()
    return plain


@pytest.fixture
def system_api(client, session):
    """The API as an integrator holding a system token."""
    return Api(client, new_token(session, "system", None))


@pytest.fixture
def orgs(session):
    """Two organizations, acme and globex, each with extension 101 and a DID."""
    from littlepbx.kinds import Dids, Extensions
    from littlepbx.services import objects
    for code, did in (("acme", "+14155550100"), ("globex", "+14155550200")):
        make_org(session, code)
        scope = scope_of(session, code)
        objects.create(scope, Extensions, {"number": "101", "display_name": "Front desk"})
        objects.create(scope, Dids, {"number": did, "extension": "101"})
        session.commit()
    return ("acme", "globex")


@pytest.fixture
def acme_api(app, orgs, session):
    """The API as acme's integrator (an org token)."""
    return Api(app.test_client(), new_token(session, "acme-integrator", "acme"))


@pytest.fixture
def acme_admin(app, orgs, session):
    """A test client logged in (session cookie) as an admin of acme, and its CSRF token."""
    scope = scope_of(session, "acme")
    create_admin(scope, {"email": "boss@acme.example", "password": "correct horse battery"})
    session.commit()
    client = app.test_client()
    with client.session_transaction() as cookie_session:
        user = session.scalar(select(User).where(User.email == "boss@acme.example"))
        cookie_session["_user_id"] = user.get_id()
        cookie_session["_fresh"] = True
    return Api(client, None)


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
