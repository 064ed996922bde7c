"""Writes the PBX could not carry out are refused when made, not when an Apply fails later."""
import pytest

from littlepbx.errors import Conflict, ValidationError
from littlepbx.kinds import Extensions, Trunks
from littlepbx.services import objects
from tests.conftest import make_org, scope_of


@pytest.fixture
def acme(session):
    return make_org(session, "acme")


def test_when_inbound_trunk_names_a_small_network_then_it_is_kept_and_a_large_or_odd_one_refused(session, acme):
    scope = scope_of(session, "acme")
    trunk = objects.put(scope, Trunks, "inbound", {"host": "203.0.113.10",
                                                   "source_addresses": "203.0.113.0/28, 198.51.100.7"})
    assert trunk.source_addresses == "203.0.113.0/28 198.51.100.7"
    for given, says in (("203.0.113.0/23", "/24 to /32"), ("203.0.113.5/28", "the network is 203.0.113.0/28"),
                        ("224.0.0.0/24", "224.0.0.0/24 is not an address an upstream can have")):
        with pytest.raises(ValidationError) as error:
            objects.put(scope, Trunks, "inbound", {"host": "203.0.113.10", "source_addresses": given})
        assert says in error.value.fields["source_addresses"], given


def test_when_a_network_overlaps_another_orgs_address_then_it_is_refused(session, acme):
    make_org(session, "globex")
    objects.put(scope_of(session, "globex"), Trunks, "inbound",
                {"host": "203.0.113.10", "source_addresses": "203.0.113.9"})
    session.commit()
    with pytest.raises(Conflict, match="203.0.113.0/28"):
        objects.put(scope_of(session, "acme"), Trunks, "inbound",
                    {"host": "203.0.113.10", "source_addresses": "203.0.113.0/28"})


def test_when_inbound_trunk_names_addresses_then_they_are_stored_as_given(session, acme):
    trunk = objects.put(scope_of(session, "acme"), Trunks, "inbound",
                             {"host": "203.0.113.10", "source_addresses": "203.0.113.10, 203.0.113.11"})
    assert trunk.source_addresses == "203.0.113.10 203.0.113.11"


def test_when_trunk_asks_for_a_transport_the_pbx_does_not_serve_then_it_is_refused(session, acme):
    with pytest.raises(ValidationError) as error:
        objects.put(scope_of(session, "acme"), Trunks, "outbound",
                         {"host": "sip.example.net", "transport": "sctp"})
    assert "transport" in error.value.fields


@pytest.mark.parametrize("target", ["123", "+1234567890123456"])
def test_when_forward_target_is_no_dialable_number_then_it_is_refused(session, acme, target):
    with pytest.raises(ValidationError) as error:
        objects.create(scope_of(session, "acme"), Extensions,
                                    {"number": "101", "no_answer": "forward", "forward_to": target})
    assert "forward_to" in error.value.fields


def test_when_an_extension_is_a_forward_target_then_it_cannot_be_deleted(session, acme):
    scope = scope_of(session, "acme")
    objects.create(scope, Extensions, {"number": "102"})
    objects.create(scope, Extensions, {"number": "101", "no_answer": "forward",
                                        "forward_to": "102"})
    with pytest.raises(Conflict, match="101 forwards to 102"):
        objects.delete(scope, Extensions, "102")


def test_when_a_request_is_larger_than_the_biggest_upload_then_it_is_refused_unread(app_config,
                                                                                    engine):
    from littlepbx import close_app, create_app
    small = create_app({**app_config, "MOH_MAX_BYTES": 1000, "GREETING_MAX_BYTES": 900})
    assert small.config["MAX_CONTENT_LENGTH"] == 1000 + 1024 * 1024
    answer = small.test_client().post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    close_app(small)
    assert answer.status_code == 413


@pytest.mark.parametrize("target,allowed", [("/orgs/acme", True), ("//evil.example/x", False),
                                            ("/\\evil.example/x", False),
                                            ("https://evil.example/", False)])
def test_when_login_names_a_next_page_then_only_this_sites_pages_are_followed(app, target,
                                                                           allowed):
    from urllib.parse import quote

    from littlepbx.web.views import safe_next
    with app.test_request_context("/login?next=" + quote(target)):
        assert (safe_next() == target) is allowed


@pytest.mark.parametrize("address", ["ann^0ABcc:evil@acme.example", "ann;bob@acme.example", "ann,bob@acme.example",
                                     "Ann <ann@acme.example>"])
def test_when_a_voicemail_address_could_add_headers_or_recipients_then_it_is_refused(session, acme, address):
    with pytest.raises(ValidationError) as error:
        objects.create(scope_of(session, "acme"), Extensions, {"number": "101", "voicemail_email": address})
    assert error.value.fields == {"voicemail_email": "not an e-mail address"}


@pytest.mark.parametrize("domain", ["example.net;transport=tcp", "example.net>", "exa mple.net", "a@example.net"])
def test_when_a_from_domain_could_add_sip_parameters_then_it_is_refused(session, acme, domain):
    with pytest.raises(ValidationError) as error:
        objects.put(scope_of(session, "acme"), Trunks, "outbound", {"host": "sip.example.net", "from_domain": domain})
    assert "from_domain" in error.value.fields


@pytest.mark.parametrize("host,problem", [
    ("169.254.10.1", "not an address an upstream can have"), ("0.0.0.0", "not an address"),
    ("127.0.0.1", "loopback or private"), ("localhost", "loopback or private"), ("10.1.2.3", "loopback or private"),
    ("192.168.1.20", "loopback or private"), ("pbx.example.com", "this server's own SIP address"),
])
def test_when_a_trunk_points_somewhere_it_must_not_then_it_is_refused(session, acme, host, problem):
    production = {"ALLOW_PRIVATE_UPSTREAMS": False, "SIP_PUBLIC_HOST": "pbx.example.com"}
    with pytest.raises(ValidationError) as error:
        objects.put(scope_of(session, "acme", settings=production), Trunks, "outbound", {"host": host})
    assert problem in error.value.fields["host"]


def test_when_a_trunk_or_its_source_is_this_servers_own_address_then_it_is_refused_even_in_a_lab(session, acme):
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # sends nothing: the kernel picks the address it would send from
        except OSError:
            pytest.skip("this machine has no route off loopback")
        own = probe.getsockname()[0]
    lab = {"ALLOW_PRIVATE_UPSTREAMS": True}
    with pytest.raises(ValidationError) as error:
        objects.put(scope_of(session, "acme", settings=lab), Trunks, "outbound", {"host": own})
    assert error.value.fields["host"] == f"{own} is this server's own address"
    with pytest.raises(ValidationError) as error:
        objects.put(scope_of(session, "acme", settings=lab), Trunks, "inbound",
                    {"host": "sip.example.net", "source_addresses": f"{own}/32"})
    assert "this server's own address" in error.value.fields["source_addresses"]


def test_when_the_operator_allows_private_upstreams_then_a_lab_trunk_is_accepted(session, acme):
    lab = {"ALLOW_PRIVATE_UPSTREAMS": True}
    trunk = objects.put(scope_of(session, "acme", settings=lab), Trunks, "inbound",
                        {"host": "192.168.1.20", "source_addresses": "192.168.1.20"})
    assert trunk.host == "192.168.1.20"
    with pytest.raises(ValidationError) as error:
        objects.put(scope_of(session, "acme", settings=lab), Trunks, "inbound",
                    {"host": "sip.example.net", "source_addresses": "169.254.0.9"})
    assert "not an address" in error.value.fields["source_addresses"]
