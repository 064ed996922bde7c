"""An address that keeps failing to authenticate is banned from SIP (fail2ban reading Asterisk's
security log or FreeSWITCH's log, nftables); everyone else goes on registering."""
import shutil
import subprocess
from pathlib import Path

import pytest

from littlepbx.pbx_backends.asterisk import provision
from littlepbx.pbx_backends.freeswitch import provision as freeswitch_provision

from .helpers import PHONE_IPS, password, register
from .sipp import wait_until

pytestmark = pytest.mark.asterisk
SCANNER = "127.0.0.78"


@pytest.fixture
def fail2ban(orgs, tmp_path):
    """fail2ban with LittlePBX's jail (as install.sh writes it), its own files and nftables table."""
    if shutil.which("fail2ban-server") is None or shutil.which("nft") is None:
        pytest.skip("fail2ban and nftables are not installed (test.sh installs them)")
    conf = tmp_path / "fail2ban"
    shutil.copytree("/etc/fail2ban", conf)
    for jail in (conf / "jail.d").iterdir():
        jail.unlink()  # only our jail: the machine's own (e.g. sshd) stay out of the test
    table = f"lpt{orgs.backend.name[:2]}{tmp_path.name[-6:].replace('-', '')}"  # a lane's own (tests/lanes.py)
    jail_of = provision.fail2ban_jail
    if orgs.backend.name == "freeswitch":  # its filter, as install.sh writes it
        (conf / "filter.d" / f"{freeswitch_provision.FAIL2BAN_FILTER}.conf").write_text(
            freeswitch_provision.FAIL2BAN_FILTER_TEXT)
        jail_of = freeswitch_provision.fail2ban_jail
    (conf / "jail.d" / "littlepbx.conf").write_text(jail_of(
        {**orgs.config, "SIP_BAN_AFTER_FAILURES": 3}, table=table, extra={"ignoreself": "false", "ignoreip": ""}))
    (conf / "fail2ban.local").write_text(f"[Definition]\nsocket = {tmp_path}/f2b.sock\npidfile = {tmp_path}/f2b.pid\n"
                                         f"dbfile = :memory:\nlogtarget = {tmp_path}/f2b.log\n")
    server = subprocess.Popen(["fail2ban-server", "-f", "-x", "-c", str(conf)], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = ["fail2ban-client", "-c", str(conf)]
    wait_until(lambda: subprocess.run([*client, "status", "littlepbx-sip"], capture_output=True).returncode == 0, 20)
    try:
        yield table
    finally:
        subprocess.run([*client, "stop"], capture_output=True, timeout=30)
        server.wait(timeout=30)
        subprocess.run(["nft", "delete", "table", "inet", table], capture_output=True)


def banned(table: str) -> str:
    return subprocess.run(["nft", "list", "set", "inet", table, "addr-set-sip"], capture_output=True, text=True).stdout


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_an_address_keeps_failing_then_it_is_banned_and_others_still_register(orgs, fail2ban):
    for _ in range(4):
        orgs.sipp.run("register_refused.xml", SCANNER, user="t1-101", password="guess")
    assert wait_until(lambda: SCANNER in banned(fail2ban), 20), banned(fail2ban)
    attempt = orgs.sipp.run("register.xml", SCANNER, user="t1-101", password=password("t1-101"), timeout_s=3)
    assert "SIP/2.0 200" not in attempt.trace(), "the banned address gets no answer, even with the right password"
    register(orgs, "t1-101")  # the phone itself, from its own address
    assert PHONE_IPS["t1-101"] not in banned(fail2ban)


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_an_address_keeps_failing_to_place_calls_then_it_is_banned(orgs, fail2ban):
    caller = "127.0.0.79"  # calls with a guessed password, as a scanner's toll fraud does
    for _ in range(4):
        orgs.sipp.run("call_refused.xml", caller, service="900441234567", user="t1-101", password="guess")
    assert wait_until(lambda: caller in banned(fail2ban), 20), banned(fail2ban)
    attempt = orgs.sipp.run("call_refused.xml", caller, service="102", user="t1-101", password="guess",
                            timeout_s=3)
    assert "SIP/2.0 40" not in attempt.trace(), "the banned address gets no answer at all"
    register(orgs, "t1-101")
    assert PHONE_IPS["t1-101"] not in banned(fail2ban)


def test_the_jail_install_sh_writes_reads_the_asterisk_roots_security_log(orgs):
    jail = provision.fail2ban_jail(orgs.config)
    assert f"logpath = {provision.in_root(orgs.config, '/var/log/asterisk/security.log')}" in jail
    ports = f'port="{orgs.config["ASTERISK_SIP_PORT"]},{orgs.config["ASTERISK_SIP_TLS_PORT"]}"'
    assert "filter = asterisk" in jail and ports in jail, "UDP, TCP and TLS are all banned"
    assert Path(provision.in_root(orgs.config, "/var/log/asterisk/security.log")).parent.is_dir()
