"""Asterisk's interfaces give LittlePBX only what it uses: AMI for counters and registration
lookups, ARI read-only, and its database account only its own rows (tests/test_database_accounts.py)."""
import pwd
from pathlib import Path

import pytest
import requests

from littlepbx.pbx_backends.asterisk.ami import AMIError

pytestmark = pytest.mark.asterisk


def test_when_the_ami_account_asks_to_run_a_program_reload_or_place_a_call_then_it_is_refused(orgs):
    with orgs.backend.ami() as ami:
        assert ami.getvar("GROUP_COUNT(t1@tenant)") in ("", "0")
        assert "Asterisk" in ami.command("core show version")
        for action, fields in (("Originate", {"Channel": "Local/s@lp-refuse", "Application": "System",
                                              "Data": "touch /tmp/owned"}),
                               ("Reload", {}), ("Setvar", {"Variable": "GLOBAL(X)", "Value": "1"})):
            with pytest.raises(AMIError, match="(?i)permission denied"):
                ami.action(action, **fields)


def test_the_backend_asks_asterisk_for_one_object_at_a_time_never_for_every_endpoint(orgs):
    # With 20,000 endpoints a whole list took Asterisk 40 s and 200 MB it never gave back.
    with orgs.backend.ami() as ami:
        assert "t1-101" in ami.command("pjsip show endpoint t1-101")
        for listing in ("pjsip show endpoints", "pjsip show contacts", "PJSIP list aors",
                        "pjsip show registrations"):
            with pytest.raises(AMIError, match="lists every object"):
                ami.command(listing)
        assert "Asterisk" in ami.command("core show version")  # the connection goes on


def test_when_the_ari_account_tries_to_start_a_call_then_it_is_refused(orgs):
    config = orgs.config
    base = f"http://127.0.0.1:{config['ASTERISK_ARI_PORT']}/ari/"
    auth = (config["ASTERISK_ARI_USER"], config["ASTERISK_ARI_PASSWORD"])
    assert requests.get(base + "channels", auth=auth, timeout=5).status_code == 200
    answer = requests.post(base + "channels", params={"endpoint": "PJSIP/t2-101", "app": "x"}, auth=auth, timeout=5)
    assert answer.status_code == 403, answer.text


def test_asterisk_runs_as_a_host_account_of_its_own(orgs):
    from .conftest import SYSTEM_USER
    status = Path(f"/proc/{orgs.process.pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert pwd.getpwuid(uid).pw_name == SYSTEM_USER
