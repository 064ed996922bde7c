"""Reset links (services/users.py): signed for one login and its current password, refused once
expired, once the password has changed, for a deactivated login, or when tampered with."""
import pytest

from littlepbx.errors import Unauthorized
from littlepbx.models import ROLE_ORG_ADMIN
from littlepbx.services import users
from tests.conftest import make_org

SECRET = "s" * 48
NEW = {"password": "a brand new passphrase", "repeat": "a brand new passphrase"}


@pytest.fixture
def admin(session):
    org = make_org(session, "acme")
    user = users.create_user(session, "boss@acme.example", "correct horse battery", ROLE_ORG_ADMIN, org.id)
    session.commit()
    return user


def test_a_link_sets_a_new_password_once(session, admin):
    token = users.reset_token(SECRET, admin)
    users.reset_password(session, SECRET, token, 3600, NEW)
    session.commit()
    assert users.authenticate(session, "boss@acme.example", NEW["password"])
    with pytest.raises(Unauthorized, match="expired or was already used"):
        users.reset_password(session, SECRET, token, 3600, NEW)


@pytest.mark.parametrize("spoil", ["expired", "tampered", "other key", "deactivated"])
def test_a_spoilt_link_changes_nothing(session, admin, spoil):
    token = users.reset_token(SECRET, admin)
    max_age, secret = 3600, SECRET
    if spoil == "expired":
        max_age = -1
    elif spoil == "tampered":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif spoil == "other key":
        secret = "t" * 48
    else:
        admin.active = False
        session.commit()
    with pytest.raises(Unauthorized):
        users.reset_password(session, secret, token, max_age, NEW)
    session.rollback()
    admin.active = True
    session.commit()
    assert users.authenticate(session, "boss@acme.example", "correct horse battery")
