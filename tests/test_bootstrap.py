"""First-run set-up: what install.sh prints and stores, and that running it twice keeps it."""
import stat

from littlepbx.services.bootstrap import bootstrap, read_credentials
from littlepbx.services.tokens import authenticate_token
from littlepbx.services.users import authenticate

SIP = {"server": "pbx.example.net", "port": 5060}


def test_when_bootstrapped_then_the_written_logins_and_token_work(session, tmp_path):
    path = tmp_path / "initial-credentials"
    bootstrap(session, path, "http://pbx.example.net:8080", SIP)
    session.commit()
    creds = read_credentials(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert authenticate(session, creds["OPERATOR_EMAIL"], creds["OPERATOR_PASSWORD"]).role == \
        "operator"
    assert authenticate(session, creds["ADMIN_EMAIL"], creds["ADMIN_PASSWORD"]).org_id
    assert authenticate_token(session, creds["API_TOKEN"]).is_system
    assert creds["EXT_100_USERNAME"] == "demo-100" and len(creds["EXT_100_PASSWORD"]) >= 20


def test_when_bootstrapped_twice_then_the_same_credentials_still_work(session, tmp_path):
    path = tmp_path / "initial-credentials"
    first = bootstrap(session, path, "http://x:8080", SIP)
    session.commit()
    second = bootstrap(session, path, "http://x:8080", SIP)
    session.commit()
    assert first == second
