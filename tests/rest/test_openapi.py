"""The OpenAPI document is valid, and the live app keeps every promise it makes (schemathesis)."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from littlepbx.kinds import Trunks
from littlepbx.rest.openapi import DOCUMENT
from littlepbx.services.users import create_admin
from tests.conftest import scope_of
from tests.rest.conftest import new_token


def test_when_openapi_document_validated_then_it_is_openapi_3(client):
    served = client.get("/api/v1/openapi.json").get_json()
    validate(served)
    assert served == DOCUMENT


def test_when_routes_listed_then_each_is_documented(app):
    documented = {(path, method.upper()) for path, item in DOCUMENT["paths"].items()
                  for method in item if method != "parameters"}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api."):
            path = rule.rule[len("/api/v1"):].replace("<int:token_id>", "{token_id}")
            for direction in Trunks.key_values:
                concrete = path.replace(f"<any({', '.join(Trunks.key_values)}):direction>", direction)
                for method in rule.methods - {"HEAD", "OPTIONS"}:
                    served.add((concrete.replace("<", "{").replace(">", "}"), method))
    assert served == documented


@pytest.fixture
def system_token(orgs, session):
    create_admin(scope_of(session, "acme"), {"email": "admin@acme.example"})
    session.commit()
    return new_token(session, "fuzzer", None)


@pytest.fixture
def api_schema(app, system_token):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_when_fuzzed_then_no_5xx_and_every_response_matches_the_document(case, system_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {system_token}"},
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
